"""Bad environments, each with a plain-English message and nothing lost or half-written: a
database another copy of the app has open, a read-only or full disk, a newer database, a damaged
file, a network share, hostile attachment names and a missing attached file."""

from __future__ import annotations

import errno
import getpass
import socket
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import event, select

import cqc_desktop.db as dbmod
from cqc_desktop.config import resolve
from cqc_desktop.db import Database, DatabaseDamaged, DatabaseInUse, DatabaseProblem, StorageProblem
from cqc_desktop.instance import InstanceLock, network_share
from cqc_desktop.models import Attachment, Evidence, Service
from cqc_desktop.services.errors import NotFound
from cqc_desktop.services.plans import actions, evidence, plans
from cqc_desktop.services.plans.evidence import safe_file_name
from cqc_desktop.services.setup import people
from cqc_desktop.services.trust import audit_history, backups
from cqc_desktop.services.trust.restore import check_database, latest_good_backup

TODAY = date(2026, 11, 26)


def _home(db: Database) -> int:
    with db.unit_of_work() as s:
        return people.create_service(s, "Willow Court").id


def _services(db: Database) -> list[str]:
    with db.reading() as s:
        return list(s.scalars(select(Service.name).order_by(Service.id)))


# --- a second copy of the app ----------------------------------------------------------------------


@pytest.mark.sqlite_only
def test_a_second_copy_is_told_who_has_the_database_open(db: Database) -> None:
    db.acquire_instance_lock()
    db.note_signed_in("zoe.hart")
    second = Database(db.location)
    with pytest.raises(DatabaseInUse) as caught:
        second.acquire_instance_lock()
    message = str(caught.value)
    assert getpass.getuser() in message and socket.gethostname() in message
    assert "signed in as zoe.hart" in message and "Close it there first" in message
    db.dispose()  # the first copy closes: the second may now open it
    second.acquire_instance_lock()
    assert second.lock is not None and second.lock.held
    second.dispose()


@pytest.mark.sqlite_only
def test_a_crashed_copy_never_leaves_the_database_locked(db: Database) -> None:
    path = db.location.sqlite_path
    assert path is not None
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from cqc_desktop.instance import "
            "InstanceLock; l = InstanceLock(Path(sys.argv[1])); assert l.acquire('sam') is None; "
            "print('ready', flush=True); time.sleep(60)",
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        assert "signed in as sam" in (InstanceLock(path).other_owner() or "")
        with pytest.raises(DatabaseInUse):
            db.acquire_instance_lock()
    finally:
        holder.kill()  # SIGKILL: no chance to tidy up
        holder.wait()
    assert InstanceLock(path).other_owner() is None
    db.acquire_instance_lock()


def test_saving_while_another_program_holds_the_database_waits_then_explains(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dbmod, "BUSY_TIMEOUT_MS", 200)
    database = Database(resolve(str(tmp_path / "busy.sqlite3")))
    _home(database)
    other_copy = InstanceLock(tmp_path / "busy.sqlite3")
    assert other_copy.acquire("siobhan") is None  # another copy of the app, on another PC
    blocker = sqlite3.connect(tmp_path / "busy.sqlite3", timeout=0.1)
    blocker.execute("BEGIN IMMEDIATE")  # it is in the middle of saving
    try:
        with pytest.raises(StorageProblem) as caught, database.unit_of_work() as s:
            people.create_service(s, "Oak House")
    finally:
        blocker.rollback()
        blocker.close()
        other_copy.release()
    message = str(caught.value)
    assert message.startswith("The database is busy:")
    assert "signed in as siobhan" in message and "Nothing was saved" in message
    assert _services(database) == ["Willow Court"]
    database.dispose()


# --- read-only and full disks ---------------------------------------------------------------------


def _on_every_connection(database: Database, sql: str) -> None:
    database.engine.dispose()
    event.listen(database.engine, "connect", lambda conn, _rec: conn.execute(sql))


@pytest.mark.sqlite_only
def test_a_read_only_database_explains_and_saves_nothing(db: Database) -> None:
    _home(db)
    # Root ignores file permissions, so the test makes SQLite refuse writes the way a read-only
    # file or folder does (SQLITE_READONLY: "attempt to write a readonly database").
    _on_every_connection(db, "PRAGMA query_only = ON")
    with pytest.raises(StorageProblem) as caught, db.unit_of_work() as s:
        people.create_service(s, "Oak House")
    assert "read-only" in str(caught.value) and "your form is still open" in str(caught.value)
    assert _services(db) == ["Willow Court"]


@pytest.mark.sqlite_only
def test_a_read_only_database_file_is_explained_when_opening(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    db.dispose()

    def read_only(conn: sqlite3.Connection, _record: object) -> None:
        # What SQLite says when a WAL database's file or folder cannot be written.
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(dbmod, "_sqlite_pragmas", read_only)
    with pytest.raises(DatabaseProblem, match="read-only") as caught:
        Database(db.location)
    assert not isinstance(caught.value, DatabaseDamaged)  # never "restore a backup" for this


@pytest.mark.sqlite_only
def test_a_full_disk_explains_and_saves_nothing(db: Database) -> None:
    _home(db)
    path = db.location.sqlite_path
    assert path is not None
    with closing(sqlite3.connect(path)) as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    _on_every_connection(db, f"PRAGMA max_page_count = {pages}")  # SQLITE_FULL
    with pytest.raises(StorageProblem) as caught, db.unit_of_work() as s:
        for n in range(400):
            people.create_service(s, f"Home {n} " + "x" * 150)
    assert "full" in str(caught.value) and "Nothing was saved" in str(caught.value)
    assert _services(db) == ["Willow Court"]


def _action(db: Database) -> int:
    with db.unit_of_work() as s:
        home = people.create_service(s, "Willow Court")
        zoe = people.create_person(s, "Zoë Hart", "Registered manager", service_id=home.id)
        plan = plans.create_plan(s, plans.PlanInput(home.id, "Audit", "Internal audit"))
        finding = plans.create_finding(
            s, plan.id, plans.FindingInput("Late medicines", "Safe", "Medicines", 4, 4)
        )
        return actions.create_action(
            s, finding.id, actions.ActionInput("Protected round", zoe.id, TODAY), today=TODAY
        ).id


def test_a_full_disk_while_copying_an_attachment_saves_nothing(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    action_id = _action(db)
    source = tmp_path / "MAR audit.pdf"
    source.write_bytes(b"%PDF-1.4 audit")

    def full(*_args: object, **_kw: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(evidence.shutil, "copyfile", full)
    with pytest.raises(StorageProblem, match="The disk is full"), db.unit_of_work() as s:
        evidence.add_evidence(
            s,
            action_id,
            evidence.EvidenceInput("MAR audit", "audit", TODAY),
            files=[source],
            attachments_dir=db.location.attachments_dir,
            today=TODAY,
        )
    with db.reading() as s:
        assert s.scalar(select(Evidence.id)) is None  # no evidence without its file


def test_broken_text_is_refused_in_plain_words(db: Database) -> None:
    with pytest.raises(StorageProblem, match="broken character"), db.unit_of_work() as s:
        people.create_service(s, "Willow \ud800 Court")  # half a surrogate pair, e.g. from argv
    assert _services(db) == []


# --- newer and damaged databases --------------------------------------------------------------------


@pytest.mark.sqlite_only
def test_a_database_from_a_newer_version_is_refused_untouched(db: Database) -> None:
    path = db.location.sqlite_path
    assert path is not None
    db.dispose()
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099'")
    before = path.read_bytes()
    with pytest.raises(DatabaseProblem, match="saved by a newer version") as caught:
        Database(db.location)
    assert not isinstance(caught.value, DatabaseDamaged)
    assert path.read_bytes() == before
    assert not db.location.backups_dir.exists()  # not even a backup was attempted


@pytest.mark.sqlite_only
def test_a_damaged_file_is_recognised_and_a_good_backup_found(db: Database) -> None:
    _home(db)
    made = backups.create_backup(db.location, kind="daily", actor=None)
    db.dispose()
    path = db.location.sqlite_path
    assert path is not None
    with path.open("r+b") as fh:  # scribble over the middle of the file, as a failing disk might
        fh.seek(0)
        fh.write(b"\xde\xad\xbe\xef" * 64)
    with pytest.raises(DatabaseDamaged, match="damaged"):
        Database(db.location)
    found = latest_good_backup(db.location)
    assert found is not None and found.path == made.path


# --- network shares ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [r"\\server\share\care\cqc.sqlite3", "//nas/care/cqc.sqlite3"])
def test_network_paths_are_recognised_by_their_form(path: str) -> None:
    assert network_share(path) == "a network share"


def test_a_database_on_a_mounted_network_drive_gets_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mounts = tmp_path / "mounts"
    share = tmp_path / "office share"
    share.mkdir()
    escaped = str(share).replace(" ", "\\040")
    mounts.write_text(
        "/dev/vda / ext4 rw 0 0\n"
        f"//nas/care {escaped} cifs rw,vers=3.0 0 0\n"
        f"nas:/export {tmp_path / 'nfs'} nfs4 rw 0 0\n",
        encoding="utf-8",
    )
    monkeypatch.setattr("cqc_desktop.instance.PROC_MOUNTS", mounts)
    assert network_share(tmp_path / "nfs" / "x.sqlite3").startswith("a network drive (nfs4")
    assert network_share(tmp_path / "local.sqlite3") is None
    database = Database(resolve(str(share / "cqc.sqlite3")))
    [warning] = database.warnings
    assert "network drive (cifs" in warning and "not safe on shared network folders" in warning
    assert "server option" in warning
    database.dispose()
    local = Database(resolve(str(tmp_path / "local.sqlite3")))
    assert local.warnings == []
    local.dispose()


# --- hostile attachment names and missing files ----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../x", "x"),
        ("..\\..\\Windows\\evil.exe", "evil.exe"),
        ("CON.txt", "_CON.txt"),
        ("lpt1", "_lpt1"),
        ("  .hidden.  ", "hidden"),
        ("a" * 251 + ".pdf", "a" * 116 + ".pdf"),
        ("", "file"),
    ],
)
def test_hostile_attachment_names_are_made_safe(name: str, expected: str) -> None:
    assert safe_file_name(name) == expected


def test_attachments_with_hostile_names_stay_inside_the_attachments_folder(
    db: Database, tmp_path: Path
) -> None:
    action_id = _action(db)
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    files = [tmp_path / "x", tmp_path / "CON.txt", tmp_path / ("n" * 251 + ".txt")]
    for f in files:
        f.write_text("evidence", encoding="utf-8")
    climbing = deep / ".." / ".." / "x"  # the file named on the way in is "../../x"
    with db.unit_of_work() as s:
        evidence.add_evidence(
            s,
            action_id,
            evidence.EvidenceInput("Hostile names", "audit", TODAY),
            files=[climbing, *files[1:]],
            attachments_dir=db.location.attachments_dir,
            today=TODAY,
        )
    root = db.location.attachments_dir.resolve()
    with db.reading() as s:
        stored = list(s.scalars(select(Attachment)))
        assert len(stored) == 3
        for a in stored:
            path = (root / a.stored_name).resolve()
            assert path.is_relative_to(root) and path.is_file()
            assert len(path.name) <= 140
            assert not path.name.upper().startswith("CON.")
        assert {a.original_name for a in stored} >= {"x", "CON.txt"}


@pytest.mark.sqlite_only
def test_a_missing_attached_file_is_explained_everywhere(db: Database, tmp_path: Path) -> None:
    action_id = _action(db)
    source = tmp_path / "handover sheet.pdf"
    source.write_bytes(b"%PDF-1.4 handover")
    with db.unit_of_work() as s:
        evidence.add_evidence(
            s,
            action_id,
            evidence.EvidenceInput("Handover sheet", "audit", TODAY),
            files=[source],
            attachments_dir=db.location.attachments_dir,
            today=TODAY,
        )
    for path in db.location.attachments_dir.rglob("*.pdf"):
        path.unlink()
    with db.reading() as s:
        attachment = s.scalar(select(Attachment))
        assert attachment is not None
        stored_name = attachment.stored_name
        with pytest.raises(NotFound, match=r"handover sheet\.pdf is missing"):
            evidence.attachment_path(attachment, db.location.attachments_dir)
        report = check_database(s, db.location)
    assert not report.ok
    assert report.problems == [
        "The attached file handover sheet.pdf is missing from the attachments folder."
    ]
    made = backups.create_backup(db.location, actor=None)
    assert made.missing == [stored_name]
    assert "already missing" in made.describe()


# --- closing ----------------------------------------------------------------------------------------


def test_closing_the_app_leaves_sqlite_statistics_for_choosing_indexes(tmp_path: Path) -> None:
    """A database filled by use has no planner statistics until SQLite is asked to gather them;
    the app does so as it closes (``PRAGMA optimize``), on the tables it has read."""
    db = Database(resolve(str(tmp_path / "cqc.sqlite3")))
    db.acquire_instance_lock("manager")
    home = _home(db)
    with db.reading() as s:  # the home's History, read through the audit trail's record index
        assert {e.field for e in audit_history.history(s, "Service", home)} >= {"name"}
    db.dispose()
    with closing(sqlite3.connect(tmp_path / "cqc.sqlite3")) as con:
        analysed = {r[0] for r in con.execute("SELECT tbl FROM sqlite_stat1")}
    assert "audit_log" in analysed


def test_text_with_a_nul_character_is_refused_in_plain_english_on_a_server(db: Database) -> None:
    """SQLite stores a NUL character; PostgreSQL cannot, so the save is refused with a message
    (a StorageProblem: the form stays open) rather than the server's error."""
    from cqc_desktop.db import StorageProblem
    from cqc_desktop.models import Service

    if db.location.sqlite_path is not None:
        pytest.skip("SQLite stores NUL characters; this is about a PostgreSQL server")
    with pytest.raises(StorageProblem, match="invisible NUL character"), db.unit_of_work() as s:
        s.add(Service(name="Willow\x00Court"))
    with db.reading() as s:
        assert s.query(Service).count() == 0
