"""Backups and restore: identical data and attachments after a round trip, the checks a restore
makes before touching anything, and keeping 14 daily + 12 monthly automatic backups."""

from __future__ import annotations

import sqlite3
import zipfile
from contextlib import closing
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from cqc_desktop.config import DataLocation, resolve
from cqc_desktop.db import Database
from cqc_desktop.models import Base
from cqc_desktop.services.plans import actions, evidence, plans
from cqc_desktop.services.setup import people
from cqc_desktop.services.trust import backups
from cqc_desktop.services.trust.backups import BackupProblem, create_backup, list_backups, prune
from cqc_desktop.services.trust.restore import check_database, latest_good_backup, restore

# These back up and restore an SQLite file; a server database is backed up with pg_dump.
pytestmark = pytest.mark.sqlite_only

TODAY = date(2026, 11, 26)


def _dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    with closing(sqlite3.connect(path)) as conn:
        return {
            t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr)
            for t in Base.metadata.tables
        }


def _files(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): backups.sha256_file(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _fill(db: Database, tmp: Path) -> None:
    files = []
    for name, text in (("MAR audit.txt", "14 late entries"), ("rota.csv", "senior,18:00\n")):
        path = tmp / name
        path.write_text(text, encoding="utf-8")
        files.append(path)
    with db.unit_of_work() as s:
        home = people.create_service(s, "Willow Court")
        zoe = people.create_person(s, "Zoë Hart", "Registered manager", service_id=home.id)
        plan = plans.create_plan(s, plans.PlanInput(home.id, "Audit", "Internal audit"))
        finding = plans.create_finding(
            s, plan.id, plans.FindingInput("Late medicines", "Safe", "Medicines", 4, 4)
        )
        action = actions.create_action(
            s, finding.id, actions.ActionInput("Protected round", zoe.id, TODAY), today=TODAY
        )
        evidence.add_evidence(
            s,
            action.id,
            evidence.EvidenceInput("MAR audit", "audit", TODAY),
            files=files,
            attachments_dir=db.location.attachments_dir,
            today=TODAY,
        )


@pytest.fixture
def filled(db: Database, tmp_path: Path) -> Database:
    _fill(db, tmp_path)
    return db


def _live(db: Database) -> Path:
    assert db.location.sqlite_path is not None
    return db.location.sqlite_path


def test_backup_then_restore_gives_identical_data_and_attachments(filled: Database) -> None:
    location = filled.location
    before_data = _dump(_live(filled))
    before_files = _files(location.attachments_dir)
    assert len(before_files) == 2
    result = create_backup(location, location.data_dir / "mine.zip", actor=None)
    assert result.attachments == 2 and result.counts["action"] == 1
    with zipfile.ZipFile(result.path) as zf:
        assert len([n for n in zf.namelist() if n.startswith("attachments/")]) == 2

    # Life goes on: a new home, an attachment lost.
    with filled.unit_of_work() as s:
        people.create_service(s, "Oak House")
    next(iter(location.attachments_dir.rglob("*.txt"))).unlink()
    filled.dispose()

    report = restore(location, result.path, actor=None)
    assert _dump(_live(filled)) == before_data
    assert _files(location.attachments_dir) == before_files
    assert report.attachments_restored == 2 and not report.attachments_missing
    text = report.describe()
    assert "1 action" in text and "Audit trail verified" in text
    # The database as it was just before the restore is kept, with Oak House in it.
    assert report.kept_copy is not None and "before-restore" in report.kept_copy.name
    with zipfile.ZipFile(report.kept_copy) as zf:
        extracted = location.data_dir / "kept.sqlite3"
        extracted.write_bytes(zf.read("database.sqlite3"))
    with closing(sqlite3.connect(extracted)) as conn:
        assert ("Oak House",) in conn.execute("SELECT name FROM service").fetchall()

    again = Database(location)  # and it opens as normal
    with again.reading() as s:
        assert check_database(s, location).ok
    again.dispose()


def test_automatic_backups_share_one_copy_of_each_attachment(filled: Database) -> None:
    location = filled.location
    first = filled.daily_backup(datetime(2026, 11, 26, 8, 0))
    assert first is not None and first.kind == "daily"
    assert filled.daily_backup(datetime(2026, 11, 26, 17, 0)) is None  # once a day
    second = filled.daily_backup(datetime(2026, 11, 27, 8, 0))
    assert second is not None
    with zipfile.ZipFile(second.path) as zf:
        assert not [n for n in zf.namelist() if n.startswith("attachments/")]
    shared = location.backups_dir / "attachments"
    assert _files(shared) == _files(location.attachments_dir)

    before = _files(location.attachments_dir)
    for path in location.attachments_dir.rglob("*"):
        if path.is_file():
            path.unlink()
    filled.dispose()
    report = restore(location, second.path, actor=None)
    assert report.attachments_restored == 2
    assert _files(location.attachments_dir) == before


def _fake_backup(folder: Path, when: datetime, kind: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"cqc-desktop-backup-{when:%Y%m%d-%H%M%S}-{kind}.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("manifest.json", '{"attachments": []}')
    return path


def test_retention_keeps_14_daily_and_12_monthly_and_every_manual_backup(tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    last = datetime(2026, 11, 26, 9, 0)
    for day in range(400):
        when = last - timedelta(days=day)
        _fake_backup(folder, when, "daily")
        _fake_backup(folder, when.replace(hour=15), "daily")  # a second start that day
    manual = _fake_backup(folder, last - timedelta(days=300), "manual")
    upgrade = _fake_backup(folder, last - timedelta(days=3, hours=-1), "before-upgrade")

    prune(folder)
    kept = list_backups(folder)
    auto = [b for b in kept if b.kind != "manual"]
    daily_days = sorted({b.made_at.date() for b in auto if b.made_at.day != 1}, reverse=True)
    assert len(daily_days) == 14 and daily_days[0] == last.date()
    assert daily_days[-1] == (last - timedelta(days=13)).date()
    # Newest of each of those 14 days...
    for b in auto:
        if b.made_at.day != 1:
            assert b.made_at.hour == 15 or b.kind == "before-upgrade"
    # ...and the first backup of each of the last 12 months.
    monthly = sorted(b.made_at for b in auto if b.made_at.day == 1)
    assert [(m.year, m.month) for m in monthly] == [(2025, 12)] + [(2026, m) for m in range(1, 12)]
    assert all(m.hour == 9 for m in monthly)
    assert len(auto) == 14 + 12
    assert manual.exists()  # the user's own backups are never deleted
    assert not upgrade.exists()  # superseded by the newer backup that day


def test_restore_refuses_a_damaged_or_tampered_backup_and_changes_nothing(
    filled: Database, tmp_path: Path
) -> None:
    location = filled.location
    good = create_backup(location, tmp_path / "good.zip", actor=None).path
    filled.dispose()
    before = _dump(_live(filled))

    garbage = tmp_path / "garbage.zip"
    garbage.write_bytes(b"PK\x03\x04 not really a zip")
    tampered = _rewrite_db(good, tmp_path / "tampered.zip", "UPDATE audit_log SET username='x'")
    newer = _rewrite_db(
        good, tmp_path / "newer.zip", "UPDATE alembic_version SET version_num='9999'"
    )
    hostile = _rewrite_db(
        good,
        tmp_path / "hostile.zip",
        "UPDATE attachment SET stored_name='../../evil.txt' WHERE id = 1",
    )
    broken_file = _replace_member(good, tmp_path / "badfile.zip")
    cases = {
        garbage: "not a CQC Desktop backup",
        tampered: "audit trail has been tampered with",
        newer: "newer version",
        hostile: "outside the attachments folder",
        broken_file: "is damaged",
    }
    for path, words in cases.items():
        with pytest.raises(BackupProblem, match=words):
            restore(location, path, actor=None)
        assert _dump(_live(filled)) == before
    assert not [b for b in list_backups(location.backups_dir) if b.kind == "before-restore"]


def _rewrite_db(source: Path, target: Path, sql: str) -> Path:
    work = target.with_suffix(".sqlite3")
    with zipfile.ZipFile(source) as zf:
        work.write_bytes(zf.read("database.sqlite3"))
        others = {n: zf.read(n) for n in zf.namelist() if n != "database.sqlite3"}
    with closing(sqlite3.connect(work)) as conn, conn:
        conn.execute(sql)
    with zipfile.ZipFile(target, "w") as zf:
        zf.write(work, "database.sqlite3")
        for name, data in others.items():
            zf.writestr(name, data)
    return target


def _replace_member(source: Path, target: Path) -> Path:
    with zipfile.ZipFile(source) as zf, zipfile.ZipFile(target, "w") as out:
        for name in zf.namelist():
            data = zf.read(name)
            if name.startswith("attachments/") and name.endswith(".txt"):
                data = b"someone edited this file"
            out.writestr(name, data)
    return target


def test_a_damaged_database_is_set_aside_and_the_latest_good_backup_restored(
    filled: Database, tmp_path: Path
) -> None:
    location = filled.location
    older = filled.daily_backup(datetime(2026, 11, 24, 8, 0))
    assert older is not None
    newest = _rewrite_db(
        older.path,
        location.backups_dir / "cqc-desktop-backup-20261125-080000-daily.zip",
        "DELETE FROM audit_log WHERE id = 3",
    )
    before = _dump(_live(filled))
    filled.dispose()
    assert not _live(filled).with_name("test.sqlite3-wal").exists()
    _live(filled).write_bytes(b"\x00garbage" * 5000)

    found = latest_good_backup(location)
    assert found is not None and found.path == older.path  # the tampered newer one is skipped
    assert newest.exists()
    report = restore(location, found.path, actor=None)
    assert report.current_was_damaged and report.kept_copy is not None
    assert report.kept_copy.read_bytes().startswith(b"\x00garbage")
    assert "damaged database has been kept" in report.describe()
    assert _dump(_live(filled)) == before


def test_a_backup_is_made_before_every_upgrade(
    filled: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cqc_desktop.db as dbmod
    import cqc_desktop.migrations.runner as runner
    from cqc_desktop.migrations import HEAD_REVISION, KNOWN_REVISIONS

    location = filled.location
    filled.dispose()
    # A release with one more revision than this one opens this database.
    following = f"{int(HEAD_REVISION) + 1:04d}"
    monkeypatch.setattr(dbmod, "HEAD_REVISION", following)
    monkeypatch.setattr(dbmod, "KNOWN_REVISIONS", (*KNOWN_REVISIONS, following))
    monkeypatch.setattr(runner, "upgrade_to_head", lambda engine: None)
    upgraded = Database(location)
    assert upgraded.schema_status == "upgraded"
    upgraded.dispose()
    [made] = [b for b in list_backups(location.backups_dir) if b.kind == "before-upgrade"]
    manifest = backups.read_manifest(made.path)
    assert manifest["schema_revision"] == HEAD_REVISION and manifest["counts"]["action"] == 1


def test_check_finds_missing_and_altered_attachments(filled: Database) -> None:
    location = filled.location
    with filled.reading() as s:
        assert check_database(s, location).ok
    files = sorted(p for p in location.attachments_dir.rglob("*") if p.is_file())
    files[0].write_text("altered", encoding="utf-8")
    files[1].unlink()
    with filled.reading() as s:
        report = check_database(s, location)
    assert not report.ok
    joined = " ".join(report.problems)
    assert "has been changed since it was added" in joined
    assert "is missing from the attachments folder" in joined


def test_a_server_database_is_backed_up_by_the_server() -> None:
    server = DataLocation("postgresql://care@server/cqc", None, Path("/nowhere"))
    with pytest.raises(BackupProblem, match="pg_dump"):
        create_backup(server, actor=None)


def test_backups_need_somewhere_to_go(filled: Database, tmp_path: Path) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    with pytest.raises(BackupProblem, match="Could not make the backup"):
        create_backup(filled.location, blocker / "sub" / "b.zip", actor=None)
    assert resolve(str(tmp_path / "x.sqlite3")).backups_dir.name == "backups"
