"""Signing in, what each role sees in the main window, the idle lock, and the admin screens."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QPointF, Qt, QTimer
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from cqc_desktop.db import Database
from cqc_desktop.models import Action, User
from cqc_desktop.models.enums import Role
from cqc_desktop.services.plans import actions, plans
from cqc_desktop.services.setup import people
from cqc_desktop.services.trust import settings, users
from cqc_desktop.services.trust.permissions import Actor
from cqc_desktop.ui.context import AppContext
from cqc_desktop.ui.main_window import MainWindow
from cqc_desktop.ui.trust import backup_dialogs, users_dialog
from cqc_desktop.ui.trust import menu as trust_menu
from cqc_desktop.ui.trust.audit_trail_window import AuditTrailTab
from cqc_desktop.ui.trust.history_dialog import HistoryDialog
from cqc_desktop.ui.trust.lock import Curtain, IdleLock
from cqc_desktop.ui.trust.login_dialog import FirstAdministratorDialog, LoginDialog
from cqc_desktop.ui.trust.users_dialog import UserEditDialog, UsersDialog

TODAY = date(2026, 11, 26)


@pytest.fixture
def demo_users(db: Database) -> Database:
    with db.unit_of_work() as s:
        home = people.create_service(s, "Willow Court")
        zoe = people.create_person(s, "Zoë Hart", "Registered manager", service_id=home.id)
        plan = plans.create_plan(s, plans.PlanInput(home.id, "Audit", "Internal audit"))
        finding = plans.create_finding(
            s, plan.id, plans.FindingInput("Late medicines", "Safe", "Medicines", 4, 4)
        )
        actions.create_action(
            s, finding.id, actions.ActionInput("Protected round", zoe.id, TODAY), today=TODAY
        )
        users.create_demo_users(s)
    return db


def sign_in(db: Database, username: str) -> Actor:
    password = next(p for u, p, *_ in users.DEMO_USERS if u == username)
    with db.unit_of_work() as s:
        return users.authenticate(s, username, password)


def context(db: Database, actor: Actor | None) -> AppContext:
    return AppContext(db, today=lambda: TODAY, actor=actor)


# --- signing in --------------------------------------------------------------------------------------


def test_wrong_password_is_explained_and_the_right_one_signs_in(
    qtbot: QtBot, demo_users: Database
) -> None:
    dialog = LoginDialog(demo_users, username="")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.username, "manager")
    qtbot.keyClicks(dialog.password, "not the password")
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.actor is None
    assert "do not match" in dialog.error.text() and dialog.error.isVisible()
    assert dialog.password.text() == ""  # never left lying in the box
    qtbot.keyClicks(dialog.password, "manager-demo")
    with qtbot.waitSignal(dialog.accepted):
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.actor is not None and dialog.actor.role is Role.MANAGER
    again = LoginDialog(demo_users)
    qtbot.addWidget(again)
    assert again.username.text() == "manager"  # remembered for next time (the name only)


def test_first_start_creates_the_administrator(
    qtbot: QtBot, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cqc_desktop.ui.trust import login_dialog

    shown: list[str] = []
    monkeypatch.setattr(login_dialog, "inform", lambda _p, _t, text: shown.append(text))
    dialog = FirstAdministratorDialog(db)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.username, "zoe.hart")
    dialog.display_name.setText("Zoë Hart")  # keyClicks types ASCII only
    qtbot.keyClicks(dialog.password, "short")
    qtbot.keyClicks(dialog.confirm, "short")
    dialog.save_button.click()
    assert dialog.isVisible()
    assert "at least 10 characters" in dialog.form.error_label("password").text()
    dialog.password.setText("willow court 2026")
    dialog.confirm.setText("willow court 2026")
    with qtbot.waitSignal(dialog.accepted):
        dialog.save_button.click()
    assert dialog.actor is not None and dialog.actor.role is Role.ADMINISTRATOR
    with db.reading() as s:
        [admin] = users.list_users(s)
        assert admin.username == "zoe.hart" and admin.display_name == "Zoë Hart"
    # The one-time recovery code is shown once, and works.
    (said,) = shown
    code = said.split("Recovery code: ")[1].split()[0]
    with db.unit_of_work() as s:
        users.recover_administrator(s, "zoe.hart", code, "a new long secret", "a new long secret")


def test_start_up_asks_who_is_there_before_showing_anything(
    qtbot: QtBot, demo_users: Database
) -> None:
    from cqc_desktop.ui.app import launch

    location = demo_users.location
    demo_users.dispose()
    seen: list[str] = []

    def close_main_window_once_shown() -> None:
        window = next(
            (
                w
                for w in QApplication.topLevelWidgets()
                if isinstance(w, MainWindow) and w.isVisible()
            ),
            None,
        )
        if window is None:
            QTimer.singleShot(20, close_main_window_once_shown)
            return
        seen.append(window.trust.signed_in.text())
        window.close()

    def sign_in_when_asked() -> None:
        login = next(w for w in QApplication.topLevelWidgets() if isinstance(w, LoginDialog))
        shown = [
            w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()
        ]
        seen.append(f"login first: {not shown}")
        login.username.setText("staff")
        login.password.setText("staff-demo")
        login.sign_in_button.click()
        QTimer.singleShot(0, close_main_window_once_shown)

    QTimer.singleShot(0, sign_in_when_asked)
    assert launch(location) == 0
    assert seen[0] == "login first: True"
    assert "Łukasz Nowak (staff)" in seen[1]


# --- what each role sees --------------------------------------------------------------------------------


def _visible(action: Any) -> bool:
    return bool(action.isVisible() and action.isEnabled())


@pytest.mark.parametrize(
    ("username", "backup", "restore", "admin"),
    [
        ("admin", True, True, True),
        ("manager", True, False, False),
        ("staff", False, False, False),
        ("viewer", False, False, False),
    ],
)
def test_the_main_window_offers_only_what_the_role_may_do(
    qtbot: QtBot, demo_users: Database, username: str, backup: bool, restore: bool, admin: bool
) -> None:
    actor = sign_in(demo_users, username)
    window = MainWindow(context(demo_users, actor))
    qtbot.addWidget(window)
    trust = window.trust
    assert _visible(trust.act_backup) is backup
    assert _visible(trust.act_restore) is restore
    # A manager sees Administration for the staff list only; the trust commands are an admin's.
    staff_list = admin or username == "manager"
    assert trust.admin_menu.menuAction().isVisible() is staff_list
    assert all(_visible(a) is admin for a in (trust.act_users, trust.act_trail))
    assert _visible(window.setup_menus.act_homes) is admin
    assert _visible(window.setup_menus.act_staff) is staff_list
    assert trust.act_password.isVisible() and trust.act_lock.isVisible()
    assert actor.display_name in trust.signed_in.text()
    titles = [a.text().replace("&", "") for a in window.menuBar().actions() if a.isVisible()]
    assert ("Administration" in titles) is staff_list


def test_switching_user_updates_the_menus(qtbot: QtBot, demo_users: Database) -> None:
    ctx = context(demo_users, sign_in(demo_users, "viewer"))
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    assert not window.trust.admin_menu.menuAction().isVisible()
    with qtbot.waitSignal(ctx.sig_actor_changed):
        ctx.set_actor(sign_in(demo_users, "admin"))
    assert window.trust.admin_menu.menuAction().isVisible()
    assert "Office administrator" in window.trust.signed_in.text()


def test_sign_in_as_someone_else_from_the_file_menu(qtbot: QtBot, demo_users: Database) -> None:
    ctx = context(demo_users, sign_in(demo_users, "viewer"))
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()

    def type_admin() -> None:
        login = next(w for w in QApplication.topLevelWidgets() if isinstance(w, LoginDialog))
        login.username.setText("admin")
        login.password.setText("admin-demo")
        login.sign_in_button.click()

    QTimer.singleShot(0, type_admin)
    with qtbot.waitSignal(ctx.sig_actor_changed):
        window.trust.act_switch.trigger()
    assert ctx.actor is not None and ctx.actor.username == "admin"
    assert window.trust.admin_menu.menuAction().isVisible()


# --- the idle lock ------------------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_idle_lock_covers_every_window_and_keeps_an_open_dialogs_text(
    qtbot: QtBot, demo_users: Database
) -> None:
    actor = sign_in(demo_users, "admin")
    ctx = context(demo_users, actor)
    with demo_users.unit_of_work(actor) as s:
        users.set_idle_lock_minutes(s, 3)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    clock = Clock()
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    lock = IdleLock(ctx, app, clock=clock, check_every_ms=60_000)
    assert lock.minutes == 3
    seen: dict[str, Any] = {}

    def while_the_dialog_is_open() -> None:
        form = next(w for w in QApplication.topLevelWidgets() if isinstance(w, UserEditDialog))
        form.username.setText("sam.patel")
        form.display_name.setText("Sam Patel — half typed")
        clock.now += 2 * 60
        lock.check()
        seen["locked_early"] = lock.locked
        # Moving the mouse is activity: the clock starts again.
        QApplication.sendEvent(
            form,
            QMouseEvent(
                QEvent.Type.MouseMove,
                QPointF(5, 5),
                QPointF(5, 5),
                Qt.MouseButton.NoButton,
                Qt.MouseButton.NoButton,
                Qt.KeyboardModifier.NoModifier,
            ),
        )
        clock.now += 2 * 60
        lock.check()
        seen["locked_after_activity"] = lock.locked
        clock.now += 60
        lock.check()
        seen["locked"] = lock.locked
        curtains = {c.parentWidget(): c for c in form.findChildren(Curtain)}
        curtains |= {c.parentWidget(): c for c in window.findChildren(Curtain)}
        seen["covered"] = {
            w: curtains[w].isVisible() and curtains[w].geometry() == w.rect()
            for w in (form, window)
            if w in curtains
        }
        assert lock.dialog is not None
        seen["dialog_visible"] = lock.dialog.isVisible()
        lock.dialog.password.setText("wrong password")
        lock.dialog.unlock_button.click()
        seen["still_locked"] = lock.locked
        seen["error"] = lock.dialog.error.text()
        lock.dialog.reject()  # Escape / close does not unlock
        seen["after_escape"] = lock.locked
        lock.dialog.password.setText("admin-demo")
        lock.dialog.unlock_button.click()
        seen["unlocked"] = not lock.locked
        seen["form_open"] = form.isVisible()
        seen["text"] = (form.username.text(), form.display_name.text())
        seen["curtains_left"] = [c for c in form.findChildren(Curtain) if c.isVisible()]
        form.done(0)

    QTimer.singleShot(0, while_the_dialog_is_open)
    dialog = UserEditDialog(ctx, None, window)
    dialog.exec()  # a modal dialog, as a user would have it, running its own event loop
    lock.stop()

    assert seen["locked_early"] is False
    assert seen["locked_after_activity"] is False
    assert seen["locked"] is True
    assert seen["covered"] == {dialog: True, window: True}
    assert seen["dialog_visible"] is True
    assert seen["still_locked"] is True and "not the password" in seen["error"]
    assert seen["after_escape"] is True
    assert seen["unlocked"] is True
    assert seen["form_open"] is True
    assert seen["text"] == ("sam.patel", "Sam Patel — half typed")
    assert seen["curtains_left"] == []


def test_lock_now_from_the_file_menu(qtbot: QtBot, demo_users: Database) -> None:
    ctx = context(demo_users, sign_in(demo_users, "staff"))
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    lock = IdleLock(ctx, app, clock=Clock())
    window.trust.idle_lock = lock
    with qtbot.waitSignal(lock.sig_locked):
        window.trust.act_lock.trigger()
    assert lock.dialog is not None
    # The lock is really in front: the sign-in box is showing and the window's content is covered.
    assert lock.dialog.isVisible()
    assert any(c.isVisible() for c in window.findChildren(Curtain))
    lock.dialog.password.setText("staff-demo")
    with qtbot.waitSignal(lock.sig_unlocked):
        lock.dialog.unlock_button.click()
    assert not window.findChildren(Curtain) or not any(
        c.isVisible() for c in window.findChildren(Curtain)
    )
    lock.stop()


def test_the_lock_time_comes_from_the_setting(demo_users: Database) -> None:
    with demo_users.unit_of_work() as s:
        assert users.idle_lock_minutes(s) == 10
        settings.put(s, "security.idle_lock_minutes", 25)
        assert users.idle_lock_minutes(s) == 25


# --- administration screens ------------------------------------------------------------------------------


def test_an_administrator_adds_a_user_through_the_dialog(
    qtbot: QtBot, demo_users: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = context(demo_users, sign_in(demo_users, "admin"))
    listing = UsersDialog(ctx)
    qtbot.addWidget(listing)
    assert listing.model.rowCount() == 4

    def fill_and_save() -> None:
        form = next(w for w in QApplication.topLevelWidgets() if isinstance(w, UserEditDialog))
        qtbot.keyClicks(form.username, "sam patel")
        form.save_button.click()
        errors = form.form.error_label("username").text()
        assert "no spaces" in errors and form.isVisible()
        form.username.setText("sam.patel")
        form.display_name.setText("Sam Patel")
        users_dialog.select_data(form.role, "staff")
        form.password.setText("willow court 2026")
        form.confirm.setText("willow court 2026")
        form.save_button.click()

    QTimer.singleShot(0, fill_and_save)
    listing.add_button.click()
    assert listing.model.rowCount() == 5
    with demo_users.reading() as s:
        sam = users.find_user(s, "sam.patel")
        assert sam is not None and sam.role == "staff"
    row = listing.selected()
    assert row is not None and row.username == "sam.patel"
    listing.toggle_button.click()
    with demo_users.reading() as s:
        sam = s.scalar(select(User).where(User.username == "sam.patel"))
        assert sam is not None and not sam.active


def test_an_administrator_unlocks_a_user_who_guessed_too_often(
    qtbot: QtBot, demo_users: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(users.FREE_FAILURES):
        wrong = pytest.raises((users.SignInFailed, users.SignInLocked))
        with wrong, demo_users.unit_of_work() as s:
            users.authenticate(s, "staff", "not my password")
    dialog = LoginDialog(demo_users, username="staff")
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.password, "staff-demo")
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert "Try again after" in dialog.error.text() and dialog.actor is None

    admin = sign_in(demo_users, "admin")
    listing = UsersDialog(context(demo_users, admin))
    qtbot.addWidget(listing)
    said: list[str] = []
    monkeypatch.setattr(users_dialog, "inform", lambda _p, _t, text: said.append(text))
    own = next(
        i for i in range(listing.model.rowCount()) if listing.model.row_at(i).id == admin.user_id
    )
    listing.table.selectRow(own)
    assert not listing.toggle_button.isEnabled()  # never your own account
    staff = next(
        i for i in range(listing.model.rowCount()) if listing.model.row_at(i).username == "staff"
    )
    listing.table.selectRow(staff)
    listing.unlock_button.click()
    assert said == ["staff can sign in again now."]
    qtbot.keyClicks(dialog.password, "staff-demo")
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)


def test_history_and_the_audit_trail_view(qtbot: QtBot, demo_users: Database) -> None:
    admin = sign_in(demo_users, "admin")
    ctx = context(demo_users, admin)
    with demo_users.unit_of_work(sign_in(demo_users, "manager")) as s:
        action = s.scalar(select(Action))
        assert action is not None
        action.title = "Protected medicines round"
        action_id = action.id
    history = HistoryDialog(ctx, "Action", action_id)
    qtbot.addWidget(history)
    first = history.model.row_at(0)
    assert (first.who, first.what, first.field) == ("manager", "Changed", "Title")
    assert (first.before, first.after) == ("Protected round", "Protected medicines round")
    history.filter.setText("accountable")
    assert history.model.rowCount() == 1
    assert history.model.row_at(0).after == "Zoë Hart"

    trail = AuditTrailTab(ctx)
    qtbot.addWidget(trail)
    assert trail.model.rowCount() > 20
    trail.search.setText("Protected medicines")
    trail.apply_filters()
    assert trail.model.rowCount() == 1
    trail.user.setCurrentIndex(trail.user.findData("manager"))
    assert {trail.model.row_at(i).who for i in range(trail.model.rowCount())} == {"manager"}


def test_back_up_now_and_restore_from_the_file_menu(
    qtbot: QtBot, demo_users: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = context(demo_users, sign_in(demo_users, "admin"))
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    said: list[str] = []
    monkeypatch.setattr(backup_dialogs, "inform", lambda _p, _t, text: said.append(text))
    monkeypatch.setattr(backup_dialogs, "warn", lambda _p, _t, text: said.append(text))
    monkeypatch.setattr(backup_dialogs, "ask", lambda *_a: True)
    target = tmp_path / "monday.zip"
    monkeypatch.setattr(backup_dialogs, "_choose_save", lambda _p, _s: target)
    window.trust.act_backup.trigger()
    assert target.exists() and "Backed up to" in said[-1]

    with demo_users.unit_of_work(ctx.actor) as s:
        action = s.scalar(select(Action))
        assert action is not None
        action.title = "Changed after the backup"
    monkeypatch.setattr(backup_dialogs, "_choose_open", lambda _p, _f: target)
    with qtbot.waitSignal(ctx.sig_database_opened):
        window.trust.act_restore.trigger()
    assert "Restored the backup" in said[-1] and "sign in again" in said[-1]
    assert ctx.needs_sign_in
    with ctx.db.reading() as s:
        assert s.scalar(select(Action.title)) == "Protected round"
    assert trust_menu.TrustMenus is type(window.trust)
    ctx.db.dispose()


def test_a_staff_user_cannot_reach_backups_even_by_calling_them(
    qtbot: QtBot, demo_users: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = context(demo_users, sign_in(demo_users, "staff"))
    said: list[str] = []
    monkeypatch.setattr(backup_dialogs, "warn", lambda _p, _t, text: said.append(text))
    assert backup_dialogs.back_up_now(None, ctx) is None
    assert backup_dialogs.restore_from_file(None, ctx) is None
    assert "does not allow" in said[0] and "administrator" in said[1]
    assert QDialog  # imported for type checkers of the helpers above
