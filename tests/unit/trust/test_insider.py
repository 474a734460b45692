"""Attacks by someone with the office PC, a sign-in of their own and the database file.

Each test is named for the attack it tries; each failed on the code before these defences.
"""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from cqc_desktop.config import resolve
from cqc_desktop.db import Database
from cqc_desktop.models import AuditLog, SignInThrottle, TrackerEntry, User, utcnow
from cqc_desktop.models.enums import Role
from cqc_desktop.services.errors import NotAllowed, ValidationError
from cqc_desktop.services.records import trackers
from cqc_desktop.services.setup import people
from cqc_desktop.services.trust import anchors, settings, users
from cqc_desktop.services.trust.audit_trail import GENESIS, entry_hash
from cqc_desktop.services.trust.audit_verify import verify_chain
from cqc_desktop.services.trust.backups import create_backup
from cqc_desktop.services.trust.permissions import Actor
from cqc_desktop.services.trust.restore import check_database, restore

GOOD = "correct horse 1"


def _people(db: Database) -> dict[str, Actor]:
    """An administrator, a manager, a staff member and a viewer, each signed in."""
    with db.unit_of_work() as s:
        users.create_first_administrator(s, "admin", "Office", GOOD, GOOD)
    with db.unit_of_work() as s:
        admin = users.authenticate(s, "admin", GOOD)
    with db.unit_of_work(admin) as s:
        for name, role in (("zoe", "manager"), ("lukasz", "staff"), ("viv", "viewer")):
            users.create_user(s, users.UserInput(name, name.title(), role), GOOD, GOOD)
    out = {"admin": admin}
    for name in ("zoe", "lukasz", "viv"):
        with db.unit_of_work() as s:
            out[name] = users.authenticate(s, name, GOOD)
    return out


@pytest.fixture
def team(db: Database) -> dict[str, Actor]:
    return _people(db)


def _raw(db: Database, sql: str, *params: object) -> None:
    """Change the file directly, as someone with the database and a SQLite tool would."""
    path = db.location.sqlite_path
    assert path is not None
    db.engine.dispose()
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute(sql, params)


def _problems(db: Database, actor: Actor | None = None) -> list[str]:
    with db.reading() as s:
        return check_database(s, db.location).problems


# --- 1. roles closed in the services ---------------------------------------------------------------


def test_attack_staff_promotes_themselves_to_administrator(
    db: Database, team: dict[str, Actor]
) -> None:
    staff = team["lukasz"]
    with pytest.raises(NotAllowed, match="own role"), db.unit_of_work(staff) as s:
        me = s.get(User, staff.user_id)
        assert me is not None
        me.role = Role.ADMINISTRATOR.value
    with pytest.raises(NotAllowed, match="own active"), db.unit_of_work(team["zoe"]) as s:
        me = s.get(User, team["zoe"].user_id)
        assert me is not None
        me.active = False
    with db.reading() as s:
        assert users.find_user(s, "lukasz").role == "staff"  # type: ignore[union-attr]
    # Their own password and shown name are still theirs to change.
    with db.unit_of_work(staff) as s:
        users.change_own_password(s, GOOD, "a new long secret", "a new long secret")


def test_attack_an_administrator_demotes_or_switches_off_themselves(
    db: Database, team: dict[str, Actor]
) -> None:
    admin = team["admin"]
    own = users.UserInput("admin", "Office", "manager")
    with pytest.raises(NotAllowed, match="your own role"), db.unit_of_work(admin) as s:
        users.update_user(s, admin.user_id or 0, own)


def test_attack_staff_lowers_the_closure_gate_or_switches_privacy_off(
    db: Database, team: dict[str, Actor]
) -> None:
    for who in ("lukasz", "zoe"):
        with pytest.raises(NotAllowed), db.unit_of_work(team[who]) as s:
            settings.put(s, "gate.sustained_points", 1)
        with pytest.raises(NotAllowed), db.unit_of_work(team[who]) as s:
            settings.put(s, "privacy.allow_names", True)
    with db.reading() as s:
        assert (
            settings.get(s, "gate.sustained_points") == settings.DEFAULTS["gate.sustained_points"]
        )  # unchanged
    with db.unit_of_work(team["admin"]) as s:
        settings.put(s, "gate.sustained_points", 4)


def test_attack_a_viewer_makes_a_backup_or_a_manager_restores_one(
    db: Database, team: dict[str, Actor], tmp_path: Path
) -> None:
    with pytest.raises(NotAllowed, match="viewer"):
        create_backup(db.location, tmp_path / "mine.zip", actor=team["viv"])
    made = create_backup(db.location, tmp_path / "ok.zip", actor=team["zoe"])
    db.dispose()
    with pytest.raises(NotAllowed, match="Only an administrator"):
        restore(db.location, made.path, actor=team["zoe"])
    # Without anyone signed in, the backup's own administrators are asked for.
    with pytest.raises(NotAllowed, match="administrator"):
        restore(db.location, made.path, actor=None)
    with pytest.raises(NotAllowed, match="not the username and password"):
        restore(db.location, made.path, actor=None, backup_sign_in=("zoe", GOOD))
    report = restore(db.location, made.path, actor=None, backup_sign_in=("admin", GOOD))
    assert report.audit_entries > 0


def _tracker_row(db: Database, actor: Actor) -> tuple[int, int]:
    with db.unit_of_work() as s:
        home = people.create_service(s, "Willow Court")
        people.create_person(s, "Priya Shah", "Senior carer", service_id=home.id)
        tracker = next(
            t
            for t in trackers.install_builtin_trackers(s, home.id)
            if t.key == "medicines_improvement"
        )
        tracker_id = tracker.id
    row = {
        "date": "26/11/2026",
        "shift": "late",
        "medicine_round": "Evening round",
        "time_due": "18:00",
        "time_given": "18:35",
        "minutes_late": "35",
        "reason": "Handover ran over",
        "recorded_by": "priya shah",
    }
    with db.unit_of_work(actor) as s:
        entry = trackers.add_tracker_entry(s, tracker_id, row)
        return tracker_id, entry.id


def test_attack_staff_delete_tracker_rows_the_measures_rely_on(
    db: Database, team: dict[str, Actor]
) -> None:
    _, entered_by_manager = _tracker_row(db, team["zoe"])
    with pytest.raises(NotAllowed, match="Only a manager"), db.unit_of_work(team["lukasz"]) as s:
        trackers.withdraw_tracker_entry(s, entered_by_manager, "I did not like it")
    with pytest.raises(ValidationError, match="why"), db.unit_of_work(team["zoe"]) as s:
        trackers.withdraw_tracker_entry(s, entered_by_manager, "  ")
    with db.unit_of_work(team["zoe"]) as s:
        trackers.withdraw_tracker_entry(s, entered_by_manager, "Entered on the wrong home")
    with db.reading() as s:
        assert s.get(TrackerEntry, entered_by_manager) is None
        (kept,) = s.scalars(select(AuditLog).where(AuditLog.record_type == "Withdrawal")).all()[:1]
        assert kept.username == "zoe"


def test_staff_may_undo_only_a_row_they_have_just_entered(
    db: Database, team: dict[str, Actor]
) -> None:
    _, own = _tracker_row(db, team["lukasz"])
    with db.unit_of_work(team["lukasz"]) as s:
        trackers.withdraw_tracker_entry(s, own, "Undone straight away")
    with db.reading() as s:
        assert s.get(TrackerEntry, own) is None


# --- 2. guessing passwords ---------------------------------------------------------------------------


def test_attack_guessing_a_password_is_slowed_down_and_recorded(
    db: Database, team: dict[str, Actor]
) -> None:
    for _ in range(4):
        with pytest.raises(users.SignInFailed), db.unit_of_work() as s:
            users.authenticate(s, "zoe", "guess one two")
    locked = pytest.raises(users.SignInLocked, match=r"after \d\d:\d\d:\d\d \(in 30 seconds")
    with locked, db.unit_of_work() as s:
        users.authenticate(s, "zoe", "guess five five")
    # While locked even the right password waits.
    with pytest.raises(users.SignInLocked), db.unit_of_work() as s:
        users.authenticate(s, "zoe", GOOD)
    # Another username is not affected.
    with db.unit_of_work() as s:
        users.authenticate(s, "lukasz", GOOD)
    # The wait passes (moved on here rather than waited for); the next failure waits twice as long.
    with db.unit_of_work() as s:
        row = s.get(SignInThrottle, "zoe")
        assert row is not None and row.failures == 5
        row.locked_until = utcnow() - timedelta(seconds=1)
    with pytest.raises(users.SignInLocked, match=r"in 60 seconds"), db.unit_of_work() as s:
        users.authenticate(s, "zoe", "guess six six")
    with db.reading() as s:
        trail = s.scalars(
            select(AuditLog.field).where(AuditLog.record_type == "SignInThrottle")
        ).all()
    assert trail.count("zoe: failures") >= 6 and "zoe: locked_until" in trail
    # An administrator unlocks; staff may not.
    with pytest.raises(NotAllowed), db.unit_of_work(team["lukasz"]) as s:
        users.unlock_sign_in(s, "zoe")
    with db.unit_of_work(team["admin"]) as s:
        assert users.unlock_sign_in(s, "zoe")
    with db.unit_of_work() as s:
        users.authenticate(s, "zoe", GOOD)


def test_the_wait_is_capped_at_fifteen_minutes(db: Database, team: dict[str, Actor]) -> None:
    with db.unit_of_work() as s:
        s.add(SignInThrottle(username="viv", failures=30, locked_until=None))
    with pytest.raises(users.SignInLocked, match="in 15 minutes"), db.unit_of_work() as s:
        users.authenticate(s, "viv", "wrong password")


def test_attack_weak_passwords_are_refused(db: Database, team: dict[str, Actor]) -> None:
    for password, words in (
        ("short one", "at least 10"),
        ("sam.hartley", "cannot be the username"),
        ("Password123", "commonest passwords"),
        ("carehome2026", "commonest passwords"),
    ):
        with pytest.raises(ValidationError) as caught, db.unit_of_work(team["admin"]) as s:
            users.create_user(s, users.UserInput("sam.hartley", "", "staff"), password, password)
        assert words in caught.value.errors["password"]


def test_a_forgotten_administrator_password_is_recovered_once_with_the_code(
    db: Database,
) -> None:
    with db.unit_of_work() as s:
        users.create_first_administrator(s, "admin", "Office", GOOD, GOOD)
        code = users.issue_recovery_code(s)
    assert len(code.replace("-", "")) == 20
    with pytest.raises(users.SignInFailed), db.unit_of_work() as s:
        users.recover_administrator(s, "admin", "AAAAA-BBBBB-CCCCC-DDDDD", GOOD, GOOD)
    with db.unit_of_work() as s:
        _, new_code = users.recover_administrator(
            s, "admin", code.lower(), "a brand new secret", "a brand new secret"
        )
    assert new_code != code
    with pytest.raises(users.SignInFailed), db.unit_of_work() as s:
        users.recover_administrator(s, "admin", code, GOOD, GOOD)  # used up
    with db.unit_of_work() as s:
        users.authenticate(s, "admin", "a brand new secret")


def test_the_demo_passwords_still_meet_the_rules() -> None:
    from cqc_desktop.services.errors import Problems

    for username, password, *_ in users.DEMO_USERS:
        p = Problems()
        users.check_password_rules(p, "password", password, username)
        assert not p.errors, (username, p.errors)


# --- 3. anchors outside the database -----------------------------------------------------------------


@pytest.fixture
def anchored(db: Database, team: dict[str, Actor], tmp_path: Path) -> Database:
    """A database with a trail, a backup (an anchor in it and in the anchor file)."""
    _tracker_row(db, team["zoe"])
    create_backup(db.location, actor=team["zoe"])
    assert _problems(db) == []
    return db


def test_attack_cut_the_newest_entries_with_the_head(anchored: Database) -> None:
    with anchored.reading() as s:
        last = int(s.scalar(select(AuditLog.id).order_by(AuditLog.id.desc())) or 0)
    _raw(anchored, "DELETE FROM audit_log WHERE id > ?", last - 5)
    _raw(anchored, "DELETE FROM audit_chain_head")
    # Signing in writes to the trail; the head must not come back by itself.
    with anchored.unit_of_work() as s:
        users.authenticate(s, "admin", GOOD)
    problems = " ".join(_problems(anchored))
    assert "chain head is missing" in problems
    assert "The database is older than the copy that made a backup" in problems


def test_attack_delete_the_whole_trail_and_its_head(anchored: Database) -> None:
    _raw(anchored, "DELETE FROM audit_log")
    _raw(anchored, "DELETE FROM audit_chain_head")
    problems = " ".join(_problems(anchored))
    assert "chain head is missing" in problems
    assert "The database is older than the copy that made a backup" in problems
    with anchored.reading() as s:
        assert not verify_chain(s).ok


def test_attack_rewrite_an_entry_and_recompute_the_whole_chain(anchored: Database) -> None:
    path = anchored.location.sqlite_path
    assert path is not None
    anchored.engine.dispose()
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("UPDATE audit_log SET username = 'nobody' WHERE id = 3")
        prev = GENESIS
        rows = conn.execute(
            "SELECT id, at, username, record_type, record_id, operation, field, old_value, "
            "new_value FROM audit_log ORDER BY id"
        ).fetchall()
        from datetime import datetime

        for row in rows:
            digest = entry_hash(prev, row[0], datetime.fromisoformat(row[1]), *row[2:])
            conn.execute(
                "UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?", (prev, digest, row[0])
            )
            prev = digest
        conn.execute("UPDATE audit_chain_head SET last_hash = ?", (prev,))
    with anchored.reading() as s:
        assert verify_chain(s).ok  # the chain alone cannot tell
    problems = " ".join(_problems(anchored))
    assert "The audit trail has been rewritten since the copy that made a backup" in problems


def test_attack_put_an_older_copy_of_the_database_in_place(
    anchored: Database, team: dict[str, Actor], tmp_path: Path
) -> None:
    path = anchored.location.sqlite_path
    assert path is not None
    anchored.engine.dispose()
    older = tmp_path / "older.sqlite3"
    with closing(sqlite3.connect(path)) as src, closing(sqlite3.connect(older)) as dst:
        src.backup(dst)
    with anchored.unit_of_work(team["zoe"]) as s:
        trackers.add_tracker_entry(
            s,
            s.scalars(select(TrackerEntry.tracker_id)).first(),  # type: ignore[arg-type]
            {
                "date": "25/11/2026",
                "shift": "late",
                "medicine_round": "Evening round",
                "time_due": "18:00",
                "time_given": "18:50",
                "minutes_late": "50",
                "reason": "Agency nurse",
                "recorded_by": "priya shah",
            },
        )
    with anchored.reading() as s:
        anchors.record_anchor(s, anchored.location, "printed the monthly QA report")
    anchored.engine.dispose()
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    shutil.copyfile(older, path)
    problems = " ".join(_problems(anchored))
    assert "The database is older than the copy that printed the monthly QA report on" in problems


def test_a_restore_on_purpose_is_not_mistaken_for_an_older_copy(
    anchored: Database, team: dict[str, Actor], tmp_path: Path
) -> None:
    made = create_backup(anchored.location, tmp_path / "before.zip", actor=team["zoe"])
    _tracker_row_more(anchored, team["zoe"])
    with anchored.reading() as s:
        anchors.record_anchor(s, anchored.location, "printed the inspection pack")
    anchored.dispose()
    restore(anchored.location, made.path, actor=team["admin"])
    again = Database(anchored.location)
    try:
        assert _problems(again) == []
    finally:
        again.dispose()


def _tracker_row_more(db: Database, actor: Actor) -> None:
    with db.unit_of_work(actor) as s:
        people.create_person(s, "Amir Khan", "Senior carer")


# --- 4. once protected, always protected ----------------------------------------------------------


def test_attack_delete_every_user_to_remove_the_sign_in(
    db: Database, team: dict[str, Actor], tmp_path: Path
) -> None:
    db.dispose()  # a clean close: an anchor saying the database is protected
    again = Database(resolve(str(db.location.sqlite_path)))
    _raw(again, "DELETE FROM app_user")
    with again.reading() as s:
        assert anchors.locked_without_users(s, again.location)
    with pytest.raises(NotAllowed, match="none are left"), again.unit_of_work() as s:
        users.create_first_administrator(s, "me", "", GOOD, GOOD)
    assert any("none are left" in p for p in _problems(again))
    # Even with the trail's record of them gone, the anchor file remembers.
    _raw(again, "DELETE FROM audit_log WHERE record_type = 'User'")
    with again.reading() as s:
        assert not users.ever_had_users(s)
        assert anchors.locked_without_users(s, again.location)
    again.dispose()


# --- 6. rows changed behind the trail's back --------------------------------------------------------


def test_attack_change_a_role_or_a_title_directly_in_the_file(
    db: Database, team: dict[str, Actor]
) -> None:
    _tracker_row(db, team["zoe"])
    assert _problems(db) == []
    _raw(db, "UPDATE app_user SET role = 'administrator' WHERE username = 'lukasz'")
    _raw(db, "UPDATE service SET name = 'Somewhere else' WHERE id = 1")
    _raw(
        db,
        "INSERT INTO person (name, role, email, active, created_at, updated_at) "
        "VALUES ('Ghost', '', '', 1, '2026-11-26', '2026-11-26')",
    )
    _raw(db, "DELETE FROM tracker_entry")
    (line,) = [p for p in _problems(db) if "outside CQC Desktop" in p]
    lukasz = team["lukasz"].user_id
    assert f"User {lukasz}: role is 'administrator' but its audit trail says 'staff'" in line
    assert "Service 1: name is 'Somewhere else' but its audit trail says 'Willow Court'" in line
    assert "has no audit trail (added directly to the file)" in line
    assert "TrackerEntry 1 has gone without a delete in its audit trail" in line


# --- 7. no writing into a damaged file, no litter ------------------------------------------------


def test_attack_import_thousands_of_rows_into_a_damaged_file(
    db: Database, team: dict[str, Actor]
) -> None:
    from cqc_desktop.services.errors import ServiceError
    from cqc_desktop.services.records import importers

    tracker_id, _ = _tracker_row(db, team["zoe"])
    with db.unit_of_work(team["zoe"]) as s:  # a table the import never reads, to be spoiled
        trackers.withdraw_tracker_entry(s, _, "Filler " * 600)
    path = db.location.sqlite_path
    assert path is not None
    db.dispose()
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'withdrawal'"
        ).fetchone()[0]
    with path.open("r+b") as f:  # what a failing disk does to one page
        f.seek((root - 1) * page_size)
        f.write(b"\xff" * page_size)
    damaged = Database(db.location)
    with damaged.reading() as s:
        columns = trackers.get_tracker(s, tracker_id).columns
    headers = [c["label"] for c in columns]
    values = {
        "date": "25/11/2026",
        "shift": "late",
        "medicine_round": "Evening round",
        "time_due": "18:00",
        "time_given": "18:40",
        "minutes_late": "40",
        "reason": "Agency nurse",
        "recorded_by": "priya shah",
    }
    sheet = importers.Sheet("rows", headers, [(2, [values.get(c["key"], "") for c in columns])])
    mapping = importers.guess_mapping(columns, headers)
    refused = pytest.raises(ServiceError, match="damaged, so nothing has been imported")
    with refused, damaged.unit_of_work(team["zoe"]) as s:
        importers.import_rows(s, tracker_id, sheet, mapping)
    damaged.dispose()


def test_a_backup_killed_part_way_leaves_no_folder_after_the_next_start(db: Database) -> None:
    import os

    path = db.location.sqlite_path
    assert path is not None
    db.location.backups_dir.mkdir(parents=True, exist_ok=True)
    stale = db.location.backups_dir / ".backup-killed"
    (stale / "inner").mkdir(parents=True)
    old_restore = path.parent / ".restore-killed"
    old_restore.mkdir()
    partial = db.location.backups_dir / "x.zip.partial"
    partial.write_bytes(b"half")
    running = db.location.backups_dir / ".backup-running-now"
    running.mkdir()
    two_hours_ago = os.path.getmtime(running) - 7200
    for p in (stale, old_restore, partial):
        os.utime(p, (two_hours_ago, two_hours_ago))
    db.dispose()
    Database(db.location).dispose()
    assert not stale.exists() and not old_restore.exists() and not partial.exists()
    assert running.exists()  # a backup that may still be running is left alone


def test_a_full_disk_while_attaching_leaves_no_partial_file(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from cqc_desktop.services.plans import evidence as evidence_service

    source = tmp_path / "mar-chart.pdf"
    source.write_bytes(b"%PDF-1.4 " * 1000)

    def full_disk(src: Path, dst: Path) -> None:
        Path(dst).write_bytes(b"%PDF-1.4 half")
        raise OSError(errno.ENOSPC, "No space left on device", str(dst))

    monkeypatch.setattr(evidence_service.shutil, "copyfile", full_disk)

    class _Evidence:
        id = 1
        collected_on = __import__("datetime").date(2026, 11, 26)

    from cqc_desktop.db import StorageProblem

    with pytest.raises(StorageProblem, match="disk is full"), db.unit_of_work() as s:
        evidence_service.attach_file(s, _Evidence(), source, db.location.attachments_dir)  # type: ignore[arg-type]
    assert [p for p in db.location.attachments_dir.rglob("*") if p.is_file()] == []


def test_check_lists_files_no_record_refers_to_and_an_administrator_tidies_them(
    db: Database, team: dict[str, Actor]
) -> None:
    from cqc_desktop.services.trust.restore import tidy_orphans

    stray = db.location.attachments_dir / "2026" / "left-behind.pdf"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"stray")
    with db.reading() as s:
        report = check_database(s, db.location)
    assert report.ok and report.orphans == ["2026/left-behind.pdf"]
    assert "belong to no record" in report.describe()
    with pytest.raises(NotAllowed):
        tidy_orphans(db.location, report.orphans, actor=team["zoe"])
    moved = tidy_orphans(db.location, report.orphans, actor=team["admin"])
    assert moved is not None and (moved / "2026" / "left-behind.pdf").read_bytes() == b"stray"
    assert not stray.exists()


def test_a_database_deleted_to_start_again_is_not_locked_by_its_old_anchors(
    db: Database, team: dict[str, Actor]
) -> None:
    db.dispose()
    path = db.location.sqlite_path
    assert path is not None and anchors.ever_protected(db.location)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    fresh = Database(db.location)
    try:
        assert not anchors.ever_protected(fresh.location)
        assert list(fresh.location.data_dir.glob("audit-anchors-before-*.jsonl"))
        with fresh.unit_of_work() as s:
            users.create_first_administrator(s, "office", "", GOOD, GOOD)
        assert _problems(fresh) == []
    finally:
        fresh.dispose()
