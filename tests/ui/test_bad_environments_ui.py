"""Bad environments as a user meets them in the window: the form keeps what was typed when the
disk refuses a save, a damaged database offers the latest good backup, a second copy of the app
says who has the database open, and a network share is warned about."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import event, select

from cqc_desktop.config import resolve
from cqc_desktop.db import Database
from cqc_desktop.instance import InstanceLock
from cqc_desktop.models import Service
from cqc_desktop.services.setup import people
from cqc_desktop.services.trust import backups, users
from cqc_desktop.ui import app as app_module
from cqc_desktop.ui.context import AppContext
from cqc_desktop.ui.main_window import MainWindow
from cqc_desktop.ui.trust import backup_dialogs, users_dialog
from cqc_desktop.ui.trust.backup_dialogs import RestoreOfferDialog
from cqc_desktop.ui.trust.users_dialog import UserEditDialog
from cqc_desktop.ui.widgets import forms

TODAY = date(2026, 11, 26)


@pytest.fixture
def admin_ctx(db: Database) -> AppContext:
    with db.unit_of_work() as s:
        people.create_service(s, "Willow Court")
        users.create_demo_users(s)
    with db.unit_of_work() as s:
        actor = users.authenticate(s, "admin", "admin-demo")
    return AppContext(db, today=lambda: TODAY, actor=actor)


def _refuse_writes(db: Database, pragma: str) -> None:
    db.engine.dispose()
    event.listen(db.engine, "connect", lambda conn, _rec: conn.execute(pragma))


@pytest.mark.parametrize(
    ("pragma", "words"),
    [("PRAGMA query_only = ON", "read-only"), ("disk full", "full")],
    ids=["read-only", "disk-full"],
)
def test_a_refused_save_keeps_the_form_open_with_everything_typed(
    qtbot: QtBot,
    admin_ctx: AppContext,
    monkeypatch: pytest.MonkeyPatch,
    pragma: str,
    words: str,
) -> None:
    said: list[str] = []
    monkeypatch.setattr(users_dialog, "warn", lambda _p, _t, text: said.append(text))
    form = UserEditDialog(admin_ctx, None)
    qtbot.addWidget(form)
    form.show()
    form.username.setText("sam.patel")
    form.display_name.setText("Sam Patel")
    form.password.setText("willow court 2026")
    form.confirm.setText("willow court 2026")
    if pragma == "disk full":
        # A real SQLITE_FULL is produced in tests/unit/test_bad_environments.py; here the
        # driver's own error is raised on the first write, so the form meets exactly that.
        def full(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
            if statement.lstrip().upper().startswith(("INSERT", "UPDATE")):
                raise sqlite3.OperationalError("database or disk is full")

        event.listen(admin_ctx.db.engine, "before_cursor_execute", full)
    else:
        _refuse_writes(admin_ctx.db, pragma)
    form.save_button.click()
    assert len(said) == 1 and words in said[0] and "your form is still open" in said[0]
    assert form.isVisible() and form.result() == 0
    assert (form.username.text(), form.display_name.text()) == ("sam.patel", "Sam Patel")
    assert form.password.text() == "willow court 2026"  # nothing to retype once it works
    form.mark_clean()  # so closing the test's window does not ask about unsaved changes


def test_a_damaged_database_offers_the_latest_good_backup(
    qtbot: QtBot, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    with db.unit_of_work() as s:
        people.create_service(s, "Willow Court")
    made = backups.create_backup(db.location, kind="daily", actor=None)
    db.dispose()
    path = db.location.sqlite_path
    assert path is not None
    path.write_bytes(b"\x00not a database any more" * 1000)
    offered: dict[str, Any] = {}

    def choose_latest(dialog: RestoreOfferDialog) -> int:
        offered["restore_visible"] = not dialog.restore_button.isHidden()
        dialog.restore_button.click()
        return 1

    monkeypatch.setattr(RestoreOfferDialog, "exec", choose_latest)
    said: list[str] = []
    monkeypatch.setattr(backup_dialogs, "inform", lambda _p, _t, text: said.append(text))
    restored = app_module.open_database(db.location, interactive=True)
    assert restored is not None and offered["restore_visible"]
    with restored.reading() as s:
        assert s.scalar(select(Service.name)) == "Willow Court"
    assert "damaged database has been kept" in said[0]
    assert made.path.exists()
    restored.dispose()


def test_a_damaged_database_with_no_backup_can_be_left_alone(
    qtbot: QtBot, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    db.dispose()
    path = db.location.sqlite_path
    assert path is not None
    path.write_bytes(b"\x00garbage" * 1000)

    def close(dialog: RestoreOfferDialog) -> int:
        assert dialog.restore_button.isHidden()
        dialog.close_button.click()
        return 0

    monkeypatch.setattr(RestoreOfferDialog, "exec", close)
    assert app_module.open_database(db.location, interactive=True) is None
    assert path.read_bytes().startswith(b"\x00garbage")  # untouched


def test_a_second_copy_says_who_has_it_and_can_wait_for_them(qtbot: QtBot, db: Database) -> None:
    path = db.location.sqlite_path
    assert path is not None
    other = InstanceLock(path)
    assert other.acquire("zoe.hart") is None
    seen: list[str] = []

    def answer() -> None:
        box = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox))
        seen.append(box.text())
        other.release()  # they close CQC Desktop on their PC...
        retry = next(b for b in box.buttons() if "Try again" in b.text())
        retry.click()  # ...and the second copy tries again

    QTimer.singleShot(0, answer)
    assert app_module.claim(db) is True
    assert "already open in CQC Desktop" in seen[0] and "signed in as zoe.hart" in seen[0]
    assert db.lock is not None and db.lock.held


def test_the_network_share_warning_is_shown_after_start(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mounts = tmp_path / "mounts"
    share = tmp_path / "share"
    share.mkdir()
    mounts.write_text(f"//nas/care {share} cifs rw 0 0\n", encoding="utf-8")
    monkeypatch.setattr("cqc_desktop.instance.PROC_MOUNTS", mounts)
    database = Database(resolve(str(share / "cqc.sqlite3")))
    ctx = AppContext(database, today=lambda: TODAY)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    warned: list[str] = []
    monkeypatch.setattr(forms, "warn", lambda _p, title, text: warned.append(f"{title}: {text}"))
    monkeypatch.setattr(app_module, "daily_backup_worker", lambda _db, _w: None)
    app_module._Start(window, ctx).run()
    assert len(warned) == 1 and "not safe on shared network folders" in warned[0]
    database.dispose()


def test_a_newer_database_is_explained_at_start(
    qtbot: QtBot, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = db.location.sqlite_path
    assert path is not None
    db.dispose()
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099'")
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, _t, text: shown.append(text))
    assert app_module.open_database(db.location, interactive=True) is None
    assert "newer version of CQC Desktop" in shown[0]
