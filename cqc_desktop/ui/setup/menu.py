"""Administration ▸ Homes… and Staff…, added to the main window's Administration menu.

Homes are an administrator's; the staff list is also a manager's (the services check both).
Built by ``MainWindow`` after the trust menus, which make the Administration menu.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QMenu

from ...services.trust.permissions import Permission
from ..context import AppContext
from .homes_dialog import HomesDialog
from .staff_dialog import StaffDialog


class SetupMenus(QObject):
    def __init__(self, window: QMainWindow, ctx: AppContext, admin_menu: QMenu) -> None:
        super().__init__(window)
        self.window = window
        self.ctx = ctx
        self.admin_menu = admin_menu
        first = admin_menu.actions()[0] if admin_menu.actions() else None
        self.act_homes = QAction("&Homes…", window)
        self.act_homes.triggered.connect(self.homes)
        self.act_staff = QAction("&Staff…", window)
        self.act_staff.triggered.connect(self.staff)
        self.separator = QAction(window)
        self.separator.setSeparator(True)
        for action in (self.act_homes, self.act_staff, self.separator):
            admin_menu.insertAction(first, action) if first else admin_menu.addAction(action)
        ctx.sig_actor_changed.connect(self.refresh)
        ctx.sig_database_opened.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        admin = self.ctx.can(Permission.MANAGE)
        staff = self.ctx.can(Permission.EDIT_PLANS)
        self.act_homes.setVisible(admin)
        self.act_staff.setVisible(staff)
        self.separator.setVisible(admin)
        # A manager sees the menu for the staff list; the trust menus hide the rest from them.
        self.admin_menu.menuAction().setVisible(admin or staff)

    def homes(self) -> None:
        HomesDialog(self.ctx, self.window).exec()

    def staff(self) -> None:
        StaffDialog(self.ctx, self.window).exec()
