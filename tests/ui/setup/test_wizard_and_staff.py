"""The set-up wizard's staff list page and its checks, and the Staff list's add, edit and
"has left", through the widgets."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl import Workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot

from cqc_desktop.db import Database
from cqc_desktop.services.setup import people, staff
from cqc_desktop.services.trust import users
from cqc_desktop.ui.context import AppContext
from cqc_desktop.ui.setup.staff_dialog import LeftDialog, PersonDialog, StaffDialog
from cqc_desktop.ui.setup.wizard import SetUpWizard

PASSWORD = "willow court 2026"


def click(qtbot: QtBot, button: object) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # type: ignore[arg-type]


def test_wizard_checks_the_staff_list_and_goes_back_to_a_bad_username(
    qtbot: QtBot, db: Database, tmp_path: Path
) -> None:
    wizard = SetUpWizard(db)
    qtbot.addWidget(wizard)
    wizard.show()
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    qtbot.keyClicks(wizard.provider_page.provider, "Willow Care Ltd")
    click(qtbot, next_button)
    qtbot.keyClicks(wizard.home_page.name, "Willow Court")
    click(qtbot, next_button)
    admin = wizard.admin_page
    assert admin.username.text() == ""  # no registered manager given: nothing to suggest
    qtbot.keyClicks(admin.username, "office admin")  # a space: refused at the end
    qtbot.keyClicks(admin.password, PASSWORD)
    qtbot.keyClicks(admin.confirm, "something else")
    click(qtbot, next_button)
    assert "not the same" in admin.form.error_label("confirm").text()
    admin.confirm.setText(PASSWORD)
    click(qtbot, next_button)

    page = wizard.staff_page
    bad = tmp_path / "staff.csv"
    bad.write_bytes("Name;Start date\r\nTom Price;31/02/2025\r\n;01/01/2025\r\n".encode("cp1252"))
    page.picker.path.setText(str(bad))
    page.picker.read()
    problems = page.view.summary.text()
    assert "Row 2: Start date 31/02/2025 is not a real date" in problems
    assert "Row 3: the name is blank" in problems
    assert not finish.isEnabled()  # a bad file is never half-imported

    book = Workbook()
    book.active.append(["Name", "Job title", "Start date"])
    book.active.append(["Tom Price", "Senior carer", date(2025, 11, 3)])
    book.active.append(["Amara Okafor", "Deputy manager", "01/02/2024"])
    good = tmp_path / "staff.xlsx"
    book.save(good)
    page.picker.path.setText(str(good))
    page.picker.read()
    assert page.view.table.rowCount() == 2 and finish.isEnabled()
    click(qtbot, finish)
    assert wizard.currentPage() is admin  # the username came back with a problem
    assert "no spaces" in admin.form.error_label("username").text().lower() or (
        "letters, digits" in admin.form.error_label("username").text()
    )
    with db.reading() as s:
        assert not people.list_services(s)  # nothing was saved
    admin.username.setText("office")
    click(qtbot, next_button)
    with qtbot.waitSignal(wizard.accepted):
        click(qtbot, finish)
    assert wizard.actor is not None and wizard.actor.username == "office"
    with db.reading() as s:
        assert [r.name for r in staff.list_staff(s)] == ["Amara Okafor", "Tom Price"]
        assert users.has_users(s)


def test_staff_list_add_edit_and_left(qtbot: QtBot, db: Database) -> None:
    with db.unit_of_work() as s:
        home = people.create_service(s, "Willow Court")
    ctx = AppContext(db, today=lambda: date(2026, 12, 8))
    dialog = StaffDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    assert "No staff yet for Willow Court" in dialog.empty.text()
    assert not dialog.edit_button.isEnabled()
    assert "Choose a person" in dialog.edit_button.toolTip()

    person = PersonDialog(ctx, None, home.id, dialog)
    qtbot.addWidget(person)
    click(qtbot, person.save_button)
    assert "name" in person.form.error_label("name").text()
    qtbot.keyClicks(person.name, "Tom Price")
    qtbot.keyClicks(person.job_title, "Senior carer")
    person.start.check.setChecked(True)
    person.start.edit.set_value(date(2025, 11, 3))
    with qtbot.waitSignal(person.accepted):
        click(qtbot, person.save_button)
    dialog.reload()
    assert dialog.model.rowCount() == 1 and not dialog.empty.isVisible()
    row = dialog.selected()
    assert row is not None and row.start_date == date(2025, 11, 3)

    left = LeftDialog(ctx, row, dialog)
    qtbot.addWidget(left)
    left.date.set_value(date(2025, 1, 1))
    click(qtbot, left.ok_button)
    assert "before the start date" in left.form.error_label("leaving_date").text()
    left.date.set_value(date(2026, 12, 1))
    with qtbot.waitSignal(left.accepted):
        click(qtbot, left.ok_button)
    dialog.reload()
    assert dialog.model.rowCount() == 0  # people who have left are hidden…
    dialog.show_left.setChecked(True)
    assert dialog.model.row_at(0).status == "Left"  # …and kept
    assert dialog.left_button.text().replace("&", "") == "Back on the staff list"


def test_editing_someone_keeps_an_archived_home_they_work_in(qtbot: QtBot, db: Database) -> None:
    from cqc_desktop.services.setup import homes
    from cqc_desktop.services.setup.homes import HomeInput
    from cqc_desktop.services.setup.staff import StaffInput

    with db.unit_of_work() as s:
        willow = people.create_service(s, "Willow Court")
        oak = homes.add_home(s, HomeInput("Oak House"))
        tom = staff.add_staff(s, StaffInput("Tom Price", "Cook", [willow.id, oak.id]))
        homes.set_archived(s, oak.id, True)
        ids = (willow.id, oak.id, tom.id)
    ctx = AppContext(db, today=lambda: date(2026, 12, 8))
    dialog = PersonDialog(ctx, ids[2], ids[0])
    qtbot.addWidget(dialog)
    shown = [dialog.homes.item(i).text() for i in range(dialog.homes.count())]
    assert shown == ["Willow Court", "Oak House (archived)"]
    dialog.job_title.setText("Head cook")
    with qtbot.waitSignal(dialog.accepted):
        click(qtbot, dialog.save_button)
    with db.reading() as s:
        assert staff.homes_of(s, people.get_person(s, ids[2])) == [ids[0], ids[1]]
