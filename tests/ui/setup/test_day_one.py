"""Day one for a real care home, through the widgets only: an empty database, the set-up wizard,
a second home, a staff list imported, a plan with a finding and an action led by someone from
that list, and that person signing in to see their own action."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QComboBox, QWizard
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from cqc_desktop.db import Database
from cqc_desktop.models import Action
from cqc_desktop.services.setup import first_run, staff
from cqc_desktop.services.setup.first_run import SetUpInput
from cqc_desktop.services.setup.homes import HomeInput
from cqc_desktop.services.trust import users
from cqc_desktop.ui import ui_state
from cqc_desktop.ui.context import AppContext
from cqc_desktop.ui.main_window import MainWindow
from cqc_desktop.ui.setup import staff_dialog
from cqc_desktop.ui.setup.homes_dialog import HomeDialog, HomesDialog
from cqc_desktop.ui.setup.staff_dialog import StaffDialog
from cqc_desktop.ui.setup.staff_import_view import StaffImportDialog
from cqc_desktop.ui.setup.wizard import SetUpWizard
from cqc_desktop.ui.trust.login_dialog import LoginDialog, sign_in
from cqc_desktop.ui.trust.users_dialog import UserEditDialog, UsersDialog

TODAY = date(2026, 12, 8)
PASSWORD = "willow court 2026"


def when_shown(kind: type, act: Callable[[Any], None]) -> None:
    """Run ``act`` on the first visible window of ``kind`` once it is open (a modal dialog runs
    its own event loop, so the test acts on it from a timer)."""

    def poll() -> None:
        window = next(
            (w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()),
            None,
        )
        if window is None:
            QTimer.singleShot(10, poll)
        else:
            act(window)

    QTimer.singleShot(0, poll)


def choose(combo: QComboBox, text: str) -> None:
    index = next(i for i in range(combo.count()) if combo.itemText(i).startswith(text))
    combo.setCurrentIndex(index)


def click(qtbot: QtBot, button: Any) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def run_wizard(qtbot: QtBot, wizard: SetUpWizard) -> None:
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    assert not next_button.isEnabled()  # the provider's name is needed first
    qtbot.keyClicks(wizard.provider_page.provider, "Willow Care Ltd")
    click(qtbot, next_button)
    home = wizard.home_page
    qtbot.keyClicks(home.name, "Willow Court")
    qtbot.keyClicks(home.location, "1-123 456")
    home.manager.setText("Zoë Hart")  # keyClicks types ASCII only
    home.beds.setValue(40)
    choose(home.service_type, "Care home with nursing")
    click(qtbot, next_button)
    assert wizard.currentPage() is home  # the location ID has a space in it
    assert "CQC location ID" in home.form.error_label("cqc_location_id").text()
    home.location.setText("1-123456789")
    click(qtbot, next_button)
    admin = wizard.admin_page
    assert admin.display_name.text() == "Zoë Hart" and admin.username.text() == "zoe.hart"
    qtbot.keyClicks(admin.password, PASSWORD)
    qtbot.keyClicks(admin.confirm, PASSWORD)
    click(qtbot, next_button)
    assert wizard.currentPage() is wizard.staff_page
    click(qtbot, wizard.button(QWizard.WizardButton.FinishButton))  # the staff list is optional


def test_day_one_from_an_empty_database(
    qtbot: QtBot, db: Database, tmp_path: Path, recovery_code_shown: list[str]
) -> None:
    ui_state.settings().clear()
    actor_box: list[Any] = []
    when_shown(SetUpWizard, lambda w: run_wizard(qtbot, w))
    actor_box.append(sign_in(None, db))  # a new database: sign-in is the set-up wizard
    admin = actor_box[0]
    assert admin is not None and admin.username == "zoe.hart"
    assert admin.person_id is not None  # the registered manager, on the staff list
    # The one-time recovery code for a forgotten administrator password was shown, once.
    assert len(recovery_code_shown) == 1 and "Recovery code:" in recovery_code_shown[0]

    ctx = AppContext(db, today=lambda: TODAY, actor=admin)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()

    # Ready to use: the shipped audit templates are there, so an audit can be recorded.
    audits = window.tabs.content(window.tab_titles().index("Audits"))
    assert audits.templates.rowCount() > 0 and audits.new_button.isEnabled()

    # --- a second home -----------------------------------------------------------------------
    def add_oak(dialog: HomeDialog) -> None:
        qtbot.keyClicks(dialog.name, "Oak House")
        qtbot.keyClicks(dialog.location, "1-987654321")
        dialog.beds.setValue(22)
        click(qtbot, dialog.save_button)

    def in_homes(dialog: HomesDialog) -> None:
        assert dialog.provider.text() == "Willow Care Ltd"
        when_shown(HomeDialog, add_oak)
        click(qtbot, dialog.add_button)
        assert [dialog.model.row_at(i).name for i in range(dialog.model.rowCount())] == [
            "Oak House",
            "Willow Court",
        ]
        dialog.accept()

    when_shown(HomesDialog, in_homes)
    window.setup_menus.act_homes.trigger()

    # --- the staff list, imported into Oak House -----------------------------------------------
    source = tmp_path / "Oak House staff.csv"
    source.write_bytes(
        "\r\n".join(
            [
                "Name;Job title;Start date;Email",
                "Tom Price;Senior carer;03/11/2025;",
                "Amara Okafor;Deputy manager;01/02/2024;amara@oak.example",
                "Zoë Hart;Registered manager;;",  # works at both homes: added to this one
            ]
        ).encode("cp1252")
    )
    told: list[str] = []
    staff_dialog.inform = lambda _p, _t, text: told.append(text)  # type: ignore[assignment]

    def import_file(dialog: StaffImportDialog) -> None:
        assert not dialog.import_button.isEnabled()
        dialog.picker.path.setText(str(source))
        dialog.picker.read()
        assert dialog.view.table.rowCount() == 3
        assert dialog.view.table.item(2, 4).text().startswith("Listed at another home")
        click(qtbot, dialog.import_button)

    def in_staff(dialog: StaffDialog) -> None:
        choose(dialog.home, "Oak House")
        assert dialog.empty.isVisible() and "No staff yet for Oak House" in dialog.empty.text()
        when_shown(StaffImportDialog, import_file)
        click(qtbot, dialog.import_button)
        names = [dialog.model.row_at(i).name for i in range(dialog.model.rowCount())]
        assert names == ["Amara Okafor", "Tom Price", "Zoë Hart"]
        assert not dialog.empty.isVisible()
        dialog.accept()

    when_shown(StaffDialog, in_staff)
    window.setup_menus.act_staff.trigger()
    assert told and "2 added" in told[0]
    assert ui_state.last_home() is not None  # Oak House, remembered for next time

    # --- a plan, finding and action led by someone from that list ----------------------------------
    window.tabs.setCurrentIndex(1)
    tab = window.tabs.content(1)
    plan = tab.new_record()
    assert plan.service.currentText() == "Oak House"  # the home last chosen
    qtbot.keyClicks(plan.title_edit, "Internal audit December 2026")
    click(qtbot, plan.save_button)
    finding = tab.new_record()
    qtbot.keyClicks(finding.title_edit, "Evening medicines given late")
    choose(finding.key_question, "Safe")
    choose(finding.risk_area, "Medicines")
    finding.root_cause.setPlainText("Handover runs late.")
    finding.immediate_control.setPlainText("Manager checks the evening round.")
    click(qtbot, finding.save_button)
    assert not finding.isVisible(), finding.general_error.text()
    action = tab.new_record()
    leads = [action.lead.itemText(i) for i in range(action.lead.count())]
    assert any(t.startswith("Tom Price") for t in leads)
    qtbot.keyClicks(action.title_edit, "Protected medicines round")
    choose(action.lead, "Tom Price")
    click(qtbot, action.save_button)
    assert not action.isVisible(), action.general_error.text()
    with db.reading() as s:
        saved = s.scalars(select(Action)).one()
        tom = next(r for r in staff.list_staff(s) if r.name == "Tom Price")
        assert saved.accountable_lead_id == tom.id

    # --- Tom gets a sign-in, picked from the staff list, and sees his own action -------------------
    def add_tom(dialog: UserEditDialog) -> None:
        choose(dialog.person, "Tom Price")
        assert dialog.display_name.text() == "Tom Price"
        assert dialog.username.text() == "tom.price"
        choose(dialog.role, "Staff")
        qtbot.keyClicks(dialog.password, "oak nights 2026")
        qtbot.keyClicks(dialog.confirm, "oak nights 2026")
        click(qtbot, dialog.save_button)
        assert not dialog.isVisible(), dialog.general_error.text()

    def in_users(dialog: UsersDialog) -> None:
        when_shown(UserEditDialog, add_tom)
        click(qtbot, dialog.add_button)
        dialog.accept()

    when_shown(UsersDialog, in_users)
    window.trust.act_users.trigger()

    login = LoginDialog(db, window, username="")
    qtbot.addWidget(login)
    login.show()
    assert login.username.text() == "zoe.hart"  # the last to sign in here, remembered
    login.username.clear()
    qtbot.keyClicks(login.username, "tom.price")
    qtbot.keyClicks(login.password, "oak nights 2026")
    click(qtbot, login.sign_in_button)
    assert login.result() == LoginDialog.DialogCode.Accepted, login.error.text()
    assert login.actor is not None and login.actor.person_id == tom.id
    ctx.set_actor(login.actor)
    window.tabs.setCurrentIndex(0)
    dashboard = window.dashboard
    dashboard.refresh()
    assert dashboard.person.currentText().startswith("Tom Price")  # no choosing from a list
    assert dashboard.my_model.rowCount() == 1
    assert not window.setup_menus.act_homes.isVisible()  # staff: no Administration
    assert not window.trust.admin_menu.menuAction().isVisible()


def test_file_new_database_opens_the_set_up_wizard(
    qtbot: QtBot, db: Database, tmp_path: Path, monkeypatch: Any
) -> None:
    from cqc_desktop.ui import app, main_window

    with db.unit_of_work() as s:  # the database open now, with someone signed in
        data = SetUpInput(
            "Willow Care Ltd", HomeInput("Willow Court"), "office", "", *[PASSWORD] * 2
        )
        first_run.set_up(s, data)
    with db.unit_of_work() as s:
        admin = users.authenticate(s, "office", PASSWORD)
    ctx = AppContext(db, today=lambda: TODAY, actor=admin)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    ctx.sig_database_opened.connect(lambda: app.after_database_opened(window, ctx))
    target = tmp_path / "oak.sqlite3"
    monkeypatch.setattr(
        main_window.QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(target), "")
    )

    def set_up_oak(wizard: SetUpWizard) -> None:
        assert wizard.db.location.sqlite_path == target
        next_button = wizard.button(QWizard.WizardButton.NextButton)
        qtbot.keyClicks(wizard.provider_page.provider, "Oak Care Ltd")
        click(qtbot, next_button)
        qtbot.keyClicks(wizard.home_page.name, "Oak House")
        click(qtbot, next_button)
        qtbot.keyClicks(wizard.admin_page.username, "oak.admin")
        qtbot.keyClicks(wizard.admin_page.password, PASSWORD)
        qtbot.keyClicks(wizard.admin_page.confirm, PASSWORD)
        click(qtbot, next_button)
        click(qtbot, wizard.button(QWizard.WizardButton.FinishButton))

    when_shown(SetUpWizard, set_up_oak)
    window.new_database()
    assert ctx.db.location.sqlite_path == target
    assert ctx.actor is not None and ctx.actor.username == "oak.admin"
    assert not ctx.needs_sign_in
