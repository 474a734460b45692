"""Running Alembic programmatically (no alembic.ini needed on the user's PC)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

HERE = Path(__file__).resolve().parent


def alembic_config(engine: Engine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def upgrade_to_head(engine: Engine) -> None:
    command.upgrade(alembic_config(engine), "head")


def script_revisions() -> tuple[str, list[str]]:
    """(head, every revision) as the scripts on disk say; used by tests."""
    script = ScriptDirectory.from_config(alembic_config())
    heads = script.get_heads()
    return heads[0], [rev.revision for rev in script.walk_revisions()]


def regenerate_initial() -> Path:
    """Developer tool, only while no database has been released: rewrite 0001 from the models.

    Run ``python -m cqc_desktop.migrations.runner``. After the first release, add a new revision
    with ``alembic revision --autogenerate`` instead.
    """
    import tempfile

    from sqlalchemy import create_engine

    versions = HERE / "versions"
    for old in versions.glob("0001_*.py"):
        old.unlink()
    # Later hand-written revisions (0002: the search indexes) build on 0001; they step aside while
    # it is written, or Alembic would find them pointing at a revision that is not there.
    later = [p for p in versions.glob("0*.py") if not p.name.startswith("0001_")]
    with tempfile.TemporaryDirectory() as tmp:
        for path in later:
            path.rename(Path(tmp) / path.name)
        try:
            engine = create_engine(f"sqlite:///{tmp}/empty.sqlite3")
            command.revision(
                alembic_config(engine), message="initial schema", autogenerate=True, rev_id="0001"
            )
            engine.dispose()
        finally:
            for path in later:
                (Path(tmp) / path.name).rename(path)
    return next(versions.glob("0001_*.py"))


if __name__ == "__main__":
    print(f"Rewrote {regenerate_initial()}")
