"""``cqc-desktop demo`` that fails part-way leaves nothing behind, so the next try starts clean."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from cqc_desktop.cli.main import main
from cqc_desktop.services.demo import scenarios


def _missing_resource(*_args: object, **_kwargs: object) -> None:
    raise FileNotFoundError(errno.ENOENT, "No such file or directory", "resources/demo/x.json")


def _disk_full(*_args: object, **_kwargs: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize(
    ("target", "replacement", "words"),
    [
        (scenarios.STEPS, ("incident", _missing_resource), "resources/demo/x.json"),
        (Session, ("commit", _disk_full), "The disk is full"),
    ],
    ids=["resource-missing-mid-way", "disk-full-at-commit"],
)
def test_a_failed_demo_leaves_no_database(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    target: object,
    replacement: tuple[str, object],
    words: str,
) -> None:
    db = tmp_path / "demo.sqlite3"
    with monkeypatch.context() as patch:
        if isinstance(target, dict):
            patch.setitem(target, *replacement)
        else:
            patch.setattr(target, *replacement)
        code = main(["demo", "--db", str(db), "--today", "2026-11-26"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("cqc-desktop: error: ") and words in err
    assert "Traceback" not in err
    # No empty, migrated database, no attachments folder, no SQLite side files.
    assert sorted(p.name for p in tmp_path.iterdir()) == []

    # The same command then works, on the same path.
    assert main(["demo", "--db", str(db), "--today", "2026-11-26"]) == 0
    assert "Demo data created" in capsys.readouterr().out
    assert (tmp_path / "demo-files" / "attachments").is_dir()


def test_a_failure_never_deletes_an_existing_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "mine.sqlite3"
    assert main(["demo", "--db", str(db), "--today", "2026-11-26"]) == 0
    before = db.stat().st_size
    monkeypatch.setitem(scenarios.STEPS, "incident", _missing_resource)
    # Refused (it already has data) or failing: either way the file stays as it was.
    assert main(["demo", "--db", str(db), "--today", "2026-11-26"]) == 1
    assert "already has data" in capsys.readouterr().err
    assert db.exists() and db.stat().st_size >= before
