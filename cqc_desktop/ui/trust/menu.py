"""The main window's trust commands: backups, passwords, locking, and the Administration menu.

Shown or hidden by the signed-in user's role (the services refuse anyway; hiding what a role
cannot do keeps the window honest). Built by ``MainWindow._build_trust_menus``.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QMainWindow, QMenu

from ...services.trust.permissions import Permission
from ...services.trust.restore import check_database
from ..context import AppContext
from ..widgets.forms import inform, warn
from .audit_trail_window import open_audit_trail
from .backup_dialogs import back_up_now, busy, restore_from_file
from .login_dialog import ChangePasswordDialog, LoginDialog
from .users_dialog import SecuritySettingsDialog, UsersDialog

if TYPE_CHECKING:
    from .lock import IdleLock


class TrustMenus(QObject):
    """Adds File ▸ Back up now… / Restore… / Sign in as someone else… / Change my password… /
    Lock now, the Administration menu and a "signed in as" label to a main window."""

    def __init__(self, window: QMainWindow, ctx: AppContext) -> None:
        super().__init__(window)
        self.window = window
        self.ctx = ctx
        self.idle_lock: IdleLock | None = None  # set by the app once the lock is running
        bar = window.menuBar()
        menus: list[QMenu] = [m for a in bar.actions() if isinstance(m := a.menu(), QMenu)]
        file_menu = next((m for m in menus if m.title().replace("&", "") == "File"), None)
        if file_menu is None:
            file_menu = bar.addMenu("&File")
        quit_action = next((a for a in file_menu.actions() if "Quit" in a.text()), None)

        def add(
            menu: QMenu,
            text: str,
            slot: Callable[[], object],
            shortcut: str = "",
            before: QAction | None = None,
        ) -> QAction:
            action = QAction(text, window)
            if shortcut:
                action.setShortcut(QKeySequence(shortcut))
            action.triggered.connect(slot)
            if before is not None:
                menu.insertAction(before, action)
            else:
                menu.addAction(action)
            return action

        def separator() -> None:
            line = QAction(window)
            line.setSeparator(True)
            if quit_action is not None:
                file_menu.insertAction(quit_action, line)
            else:
                file_menu.addAction(line)

        # File: … Open database… | Back up now… Restore… | Sign in as someone else…
        # Change my password… Lock now | Quit  (the separator before Backup is the File menu's own)
        self.act_backup = add(file_menu, "&Back up now…", self.back_up, "Ctrl+Shift+B", quit_action)
        self.act_restore = add(file_menu, "&Restore…", self.restore, "", quit_action)
        separator()
        self.act_switch = add(
            file_menu, "Sign in as someone &else…", self.switch_user, "", quit_action
        )
        self.act_password = add(
            file_menu, "Change my &password…", self.change_password, "", quit_action
        )
        self.act_lock = add(file_menu, "&Lock now", self.lock_now, "Ctrl+L", quit_action)
        separator()

        self.admin_menu = QMenu("&Administration", window)
        help_menu = next((m for m in menus if m.title().replace("&", "") == "Help"), None)
        if help_menu is not None:
            bar.insertMenu(help_menu.menuAction(), self.admin_menu)
        else:
            bar.addMenu(self.admin_menu)
        self.act_users = add(self.admin_menu, "&Users and roles…", self.users)
        self.act_settings = add(self.admin_menu, "&Security and privacy…", self.settings)
        self.admin_menu.addSeparator()
        self.act_trail = add(self.admin_menu, "&Audit trail…", self.audit_trail)
        self.act_check = add(self.admin_menu, "&Check the database…", self.check)

        self.signed_in = QLabel()
        self.signed_in.setAccessibleName("Signed in as")
        self.signed_in.setContentsMargins(16, 0, 4, 0)
        window.statusBar().addPermanentWidget(self.signed_in)
        ctx.sig_actor_changed.connect(self.refresh)
        ctx.sig_database_opened.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        """Show only what the signed-in user's role allows."""
        ctx = self.ctx
        admin = ctx.can(Permission.MANAGE)
        self.act_backup.setVisible(ctx.can(Permission.BACKUP))
        self.act_backup.setEnabled(ctx.can(Permission.BACKUP))
        self.act_restore.setVisible(admin)
        self.act_restore.setEnabled(admin)
        self.admin_menu.menuAction().setVisible(admin)
        for action in (
            self.act_users,
            self.act_settings,
            self.act_trail,
            self.act_check,
            self.act_restore,
        ):
            action.setEnabled(admin)
            action.setVisible(admin)  # a manager may see the menu for the staff list
        signed_in = ctx.actor is not None and ctx.actor.user_id is not None
        self.act_password.setVisible(signed_in)
        self.act_lock.setVisible(signed_in)
        self.act_switch.setVisible(ctx.actor is not None)
        self.signed_in.setText(
            f"Signed in as <b>{escape(ctx.actor.label)}</b>" if ctx.actor else ""
        )

    # --- commands -------------------------------------------------------------------------------
    def back_up(self) -> None:
        back_up_now(self.window, self.ctx)

    def restore(self) -> None:
        restore_from_file(self.window, self.ctx)

    def change_password(self) -> None:
        if self.ctx.actor is not None:
            ChangePasswordDialog(self.ctx.db, self.ctx.actor, self.window).exec()

    def switch_user(self) -> None:
        """Hand the PC to someone else (shared office PCs). Open forms belong to the person who
        opened them, so they must be closed first."""
        others = [
            w
            for w in QApplication.topLevelWidgets()
            if w.isVisible() and w is not self.window and isinstance(w, QDialog)
        ]
        if others:
            warn(
                self.window,
                "Sign in as someone else",
                "Save or close the open windows first: they belong to the person signed in now.",
            )
            return
        dialog = LoginDialog(self.ctx.db, self.window, username="")
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.actor is not None:
            self.ctx.set_actor(dialog.actor)
            self.ctx.sig_data_changed.emit("*")

    def lock_now(self) -> None:
        if self.idle_lock is not None:
            self.idle_lock.lock()

    def users(self) -> None:
        UsersDialog(self.ctx, self.window).exec()

    def settings(self) -> None:
        SecuritySettingsDialog(self.ctx, self.window).exec()

    def audit_trail(self) -> None:
        self.trail_window = open_audit_trail(self.window, self.ctx)

    def check(self) -> None:
        with busy(), self.ctx.db.reading() as session:
            report = check_database(session, self.ctx.db.location)
        if report.ok:
            inform(self.window, "Check the database", report.describe())
        else:
            warn(self.window, "Check the database", "\n\n".join(report.problems))
