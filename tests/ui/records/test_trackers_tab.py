"""Entering a night's medicines exceptions from the keyboard alone, and the measure following."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from cqc_desktop.db import Database
from cqc_desktop.models import (
    Action,
    Finding,
    MeasurePoint,
    Person,
    Plan,
    Service,
    TrackerEntry,
)
from cqc_desktop.services.plans.measure_data import MeasureInput
from cqc_desktop.services.records import derived_measures as dm
from cqc_desktop.services.records.derived_measures import Derivation, Rule
from cqc_desktop.services.records.trackers import install_builtin_trackers
from cqc_desktop.ui.context import AppContext
from cqc_desktop.ui.records import common as records_common
from cqc_desktop.ui.records.trackers_tab import TrackersTab

TODAY = date(2026, 11, 26)
WEEK = date(2026, 11, 23)


@pytest.fixture
def home(db: Database) -> dict[str, int]:
    with db.unit_of_work() as s:
        service = Service(name="Willow Court")
        s.add(service)
        s.flush()
        zoe = Person(name="Zoë Hart", role="Registered manager", service_id=service.id)
        s.add(zoe)
        plan = Plan(service_id=service.id, title="Recovery plan", origin="CQC inspection")
        s.add(plan)
        s.flush()
        finding = Finding(
            plan_id=plan.id,
            title="Late evening medicines",
            key_question="Safe",
            risk_area="Medicines",
            likelihood=4,
            impact=4,
            score=16,
            rag="Red",
        )
        s.add(finding)
        s.flush()
        action = Action(
            finding_id=finding.id,
            reference="A1",
            title="Stop late evening medicines",
            accountable_lead_id=zoe.id,
            due_date=TODAY + timedelta(weeks=8),
            review_frequency="Weekly",
        )
        s.add(action)
        s.flush()
        tracker = next(
            t for t in install_builtin_trackers(s, service.id) if t.key.startswith("medicines")
        )
        measure = dm.create_derived_measure(
            s,
            action.id,
            MeasureInput("Late medicines per week", "lower", 15.0, "relative", -80.0),
            Derivation("tracker", "count", (Rule("minutes_late", ">", 30),), tracker_id=tracker.id),
            TODAY,
        )
        return {"tracker": tracker.id, "measure": measure.id, "service": service.id}


@pytest.fixture
def tab(qtbot: QtBot, db: Database, home: dict[str, int]) -> TrackersTab:
    ctx = AppContext(db, today=lambda: TODAY)
    widget = TrackersTab(ctx)
    qtbot.addWidget(widget)
    widget.resize(1366, 768)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    names = [widget.list.item(i).text() for i in range(widget.list.count())]
    widget.list.setCurrentRow(names.index("Medicines improvement tracker"))
    return widget


def _focus() -> object:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def type_in(qtbot: QtBot, text: str) -> None:
    for char in text:
        qtbot.keyClick(_focus(), char)  # type: ignore[arg-type]


def press(
    qtbot: QtBot, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    qtbot.keyClick(_focus(), key, modifier)  # type: ignore[arg-type]


def enter_row(qtbot: QtBot, cells: list[str]) -> None:
    """Type a row as a senior would: each cell, then Tab (Enter after the last one)."""
    for n, text in enumerate(cells):
        type_in(qtbot, text)
        press(qtbot, Qt.Key.Key_Return if n == len(cells) - 1 else Qt.Key.Key_Tab)


def _rows(db: Database) -> list[dict[str, object]]:
    with db.reading() as s:
        return [dict(v) for v in s.scalars(select(TrackerEntry.values).order_by(TrackerEntry.id))]


def _this_week(db: Database, measure_id: int) -> float | None:
    with db.reading() as s:
        return s.scalar(
            select(MeasurePoint.value).where(
                MeasurePoint.measure_id == measure_id, MeasurePoint.period_start == WEEK
            )
        )


def test_a_nights_medicines_exceptions_from_the_keyboard(
    qtbot: QtBot, tab: TrackersTab, db: Database, home: dict[str, int]
) -> None:
    grid = tab.grid
    press(qtbot, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)  # go to the entry row
    assert grid.currentIndex().row() == grid.model().rowCount() - 1
    assert "None yet" not in tab.measures.text() and "no points yet" in tab.measures.text()

    # Last night: y for yesterday, n completes to Night, times typed on the keypad, minutes late
    # left blank (worked out), zo completes to Zoë Hart.
    enter_row(
        qtbot,
        ["y", "n", "Night round", "2200", "2245", "", "Call bells", "Dose given", "Senior", "zo"],
    )
    assert len(_rows(db)) == 1  # saved as soon as the row was left
    first = _rows(db)[0]
    assert first["date"] == "2026-11-25" and first["shift"] == "Night"
    assert first["time_due"] == "22:00" and first["minutes_late"] == 45
    assert first["recorded_by"] == "Zoë Hart"
    assert _this_week(db, home["measure"]) == 1
    assert "latest: <b>1</b>" in tab.measures.text()

    # A mistake is marked at once and explained; the row is not saved until it is put right.
    enter_row(
        qtbot,
        ["25/11/26", "n", "Night round", "0600", "0620", "", "Asleep", "Offered later", "", ""],
    )
    # Recorded by is required: Enter on it stays on the row and says why.
    assert len(_rows(db)) == 1
    assert "Recorded by" in tab.message.text()
    type_in(qtbot, "zo")
    press(qtbot, Qt.Key.Key_Return)
    assert len(_rows(db)) == 2 and _rows(db)[1]["minutes_late"] == 20

    type_in(qtbot, "t")
    press(qtbot, Qt.Key.Key_Tab)
    type_in(qtbot, "early")
    press(qtbot, Qt.Key.Key_Tab)
    type_in(qtbot, "Breakfast round")
    press(qtbot, Qt.Key.Key_Tab)
    type_in(qtbot, "2500")
    press(qtbot, Qt.Key.Key_Tab)
    model = tab.model
    row = model.rowCount() - 1
    assert model.rows[row].errors["time_due"].startswith("Time due must be a time")
    assert tab.message.text().startswith("Time due must be a time")
    press(qtbot, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)  # back to Time due
    type_in(qtbot, "0800")
    press(qtbot, Qt.Key.Key_Tab)
    assert "time_due" not in model.rows[row].errors
    enter_row(qtbot, ["0850", "", "Short staffed", "Dose given", "GP", "zo"])
    rows = _rows(db)
    assert len(rows) == 3 and rows[2]["date"] == "2026-11-26" and rows[2]["minutes_late"] == 50
    assert _this_week(db, home["measure"]) == 2
    assert "latest: <b>2</b>" in tab.measures.text()
    assert tab.count.text() == "3 rows"

    # Ctrl+Z undoes the last row saved, and the measure follows.
    press(qtbot, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(_rows(db)) == 2
    assert _this_week(db, home["measure"]) == 1
    assert tab.message.text() == "Undone: the new row was removed."


def test_editing_a_saved_row_saves_when_the_row_is_left(
    qtbot: QtBot, tab: TrackersTab, db: Database, home: dict[str, int]
) -> None:
    press(qtbot, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    enter_row(qtbot, ["t", "l", "Tea round", "1700", "1725", "", "Visitor", "", "", "zo"])
    assert _this_week(db, home["measure"]) == 0
    grid = tab.grid
    grid.setCurrentIndex(tab.model.index(0, 5))  # Minutes late of the saved row
    type_in(qtbot, "40")
    press(qtbot, Qt.Key.Key_Tab)
    assert isinstance(_focus(), QLineEdit)  # editing the next cell: the row is not left yet
    assert _rows(db)[0]["minutes_late"] == 25
    press(qtbot, Qt.Key.Key_Escape)
    grid.setCurrentIndex(tab.model.index(1, 0))  # leave the row
    assert _rows(db)[0]["minutes_late"] == 40
    assert _this_week(db, home["measure"]) == 1
    # Undo puts the old value back.
    grid.undo()
    assert _rows(db)[0]["minutes_late"] == 25


def test_search_filters_in_sql_and_export_uses_the_filter(
    qtbot: QtBot, tab: TrackersTab, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    press(qtbot, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    enter_row(qtbot, ["t", "l", "Tea round", "1700", "1745", "", "Visitor", "", "", "zo"])
    enter_row(qtbot, ["y", "n", "Night round", "2200", "2240", "", "Call bells", "", "", "zo"])
    tab.filters.search.setText("call bells")
    tab.filters.apply_now()
    assert [tab.model.text(r, 6) for r in range(tab.model.rowCount() - 1)] == ["Call bells"]
    assert tab.count.text() == "1 row match"
    target = tmp_path / "night.xlsx"
    monkeypatch.setattr(records_common, "choose_export_path", lambda *_a: target)
    tab.export()
    from openpyxl import load_workbook

    sheet = load_workbook(target).active
    assert sheet is not None and sheet.max_row == 2 and sheet["G2"].value == "Call bells"


def test_custom_tracker_can_be_made_and_archived(
    qtbot: QtBot, tab: TrackersTab, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cqc_desktop.ui.records import custom_tracker_dialog, trackers_tab

    made: list[int] = []

    def fill(self: custom_tracker_dialog.CustomTrackerDialog) -> int:
        self.name.setText("Pressure care")
        self.add_column({"label": "Grade", "type": "choice", "choices": ["1", "2", "3"]})
        self.add_column({"label": "Turned 2-hourly", "type": "yes/no", "required": True})
        ok = self.save()
        made.append(self.saved_id or 0)
        return int(ok)

    monkeypatch.setattr(custom_tracker_dialog.CustomTrackerDialog, "exec", fill)
    tab.new_tracker()
    assert made and made[0]
    assert tab.heading.text() == "Pressure care"
    assert [tab.model.headerData(i, Qt.Orientation.Horizontal) for i in range(3)] == [
        "Date *",
        "Grade",
        "Turned 2-hourly *",
    ]
    monkeypatch.setattr(trackers_tab, "ask", lambda *_a: True)
    tab.toggle_archive()
    names = [tab.list.item(i).text() for i in range(tab.list.count())]
    assert "Pressure care" not in names
    tab.show_archived.setChecked(True)
    names = [tab.list.item(i).text() for i in range(tab.list.count())]
    assert "Pressure care (archived)" in names
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(TrackerEntry)) == 0


def test_import_dialog_lists_bad_rows_and_imports_only_the_valid_ones(
    qtbot: QtBot,
    tab: TrackersTab,
    db: Database,
    home: dict[str, int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cqc_desktop.ui.records import import_dialog

    source = tmp_path / "night.csv"
    lines = [
        "Date;Shift;Medicine / round;Time due;Time given;Reason;Recorded by",
        "25/11/2026;Night;Night round;22:00;22:50;Call bells;Zoë Hart",
        "31/02/2026;Night;Night round;22:00;22:40;Phone;Zoë Hart",
        ";;;;;;",
    ]
    source.write_bytes("\r\n".join(lines).encode("cp1252"))
    monkeypatch.setattr(import_dialog, "choose_import_path", lambda _parent: source)
    shown: list[import_dialog.ImportDialog] = []

    def run(dialog: import_dialog.ImportDialog) -> int:
        shown.append(dialog)
        assert not dialog.import_all.isEnabled()
        assert dialog.problems.rowCount() == 1
        cells = [dialog.problems.item(0, c).text() for c in range(4)]
        assert cells == [
            "3",
            "Date",
            "31/02/2026",
            "Date: 31/02/2026 is not a real date. Check the day and month.",
        ]
        assert dialog.summary.text() == "1 of 2 rows has problems; 1 row is ready to import."
        assert len(_rows(db)) == 0  # nothing written by looking
        dialog.import_valid.click()
        return int(dialog.result())

    monkeypatch.setattr(import_dialog.ImportDialog, "exec", run)
    tab.import_file()
    assert shown and len(_rows(db)) == 1
    assert _this_week(db, home["measure"]) == 1  # imported rows count in the measure too
    assert tab.count.text() == "1 row"


def test_a_new_home_gets_the_built_in_trackers(qtbot: QtBot, db: Database) -> None:
    with db.unit_of_work() as s:
        s.add(Service(name="Elm House"))
    widget = TrackersTab(AppContext(db, today=lambda: TODAY))
    qtbot.addWidget(widget)
    names = [widget.list.item(i).text() for i in range(widget.list.count())]
    assert names == [
        "Care planning improvement tracker",
        "Medicines improvement tracker",
        "Incident improvement tracker",
    ]


def test_row_counts_past_one_page_and_widths_kept_while_filtering(
    db: Database, home: dict[str, int], tab: TrackersTab
) -> None:
    """The count under the grid is right whether the filtered rows fit in the grid (counted
    there) or run past its page (counted in SQL); filtering keeps the column widths."""
    from cqc_desktop.services.records.trackers import add_tracker_entry

    with db.unit_of_work() as s:
        for i in range(230):
            add_tracker_entry(
                s,
                home["tracker"],
                {
                    "date": (TODAY - timedelta(days=i % 20)).isoformat(),
                    "shift": "Night",
                    "medicine_round": "22:00 round",
                    "time_due": "22:00",
                    "time_given": "22:10",
                    "reason": "Agency nurse" if i % 10 else "Call bells",
                    "recorded_by": "Zoë Hart",
                },
                today=TODAY,
            )
    tab.ctx.sig_data_changed.emit("*")
    assert tab.model.more_before  # more rows than the grid's page
    assert tab.count.text() == "230 rows"
    tab.grid.setColumnWidth(6, 333)
    tab.filters.search.setText("agency")
    tab.filters.apply_now()
    assert tab.model.more_before and tab.count.text() == "207 rows match"
    tab.filters.search.setText("call bells")
    tab.filters.apply_now()
    assert not tab.model.more_before and tab.count.text() == "23 rows match"
    assert tab.model.saved_rows() == 23
    assert tab.grid.columnWidth(6) == 333


def _another_pc_sets(db: Database, entry_id: int, key: str, value: object) -> None:
    """Rosa, on another PC, changes one cell of a row this grid is showing."""
    from cqc_desktop.models.enums import Role
    from cqc_desktop.services.records.trackers import update_tracker_entry
    from cqc_desktop.services.trust.permissions import Actor

    rosa = Actor(user_id=None, username="rosa", role=Role.MANAGER)
    with db.unit_of_work(rosa) as s:
        update_tracker_entry(s, entry_id, {key: value}, today=TODAY)


def test_cell_edits_on_two_pcs_keep_both_and_a_clash_loses_nothing_conflict(
    qtbot: QtBot, tab: TrackersTab, db: Database
) -> None:
    press(qtbot, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    enter_row(qtbot, ["t", "l", "Tea round", "1700", "1725", "", "Visitor", "", "", "zo"])
    model, grid = tab.model, tab.grid
    entry_id = model.rows[0].entry_id
    assert entry_id is not None
    keys = [c["key"] for c in model.columns]

    # Another PC changes the reason; here the immediate action is typed in the same row: both are kept.
    _another_pc_sets(db, entry_id, "reason", "Visitor in the lounge")
    grid.setCurrentIndex(model.index(0, keys.index("immediate_action")))
    type_in(qtbot, "Dose given")
    press(qtbot, Qt.Key.Key_Return)
    grid.setCurrentIndex(model.index(1, 0))  # leave the row: it saves
    saved = _rows(db)[0]
    assert saved["reason"] == "Visitor in the lounge" and saved["immediate_action"] == "Dose given"

    # Both change the same cell: this save is refused, what was typed stays, their value shows.
    _another_pc_sets(db, entry_id, "person_informed", "GP")
    grid.setCurrentIndex(model.index(0, keys.index("person_informed")))
    type_in(qtbot, "Pharmacist")
    press(qtbot, Qt.Key.Key_Return)
    grid.setCurrentIndex(model.index(1, 0))
    assert _rows(db)[0]["person_informed"] == "GP"  # theirs is not overwritten
    row = model.rows[0]
    assert row.pending["person_informed"] == "Pharmacist"  # nothing typed is lost
    assert "rosa" in row.errors["person_informed"] and "“GP”" in row.errors["person_informed"]
    assert "Changed by rosa" in tab.message.text()
    grid.setCurrentIndex(model.index(0, 0))
    grid.setCurrentIndex(model.index(1, 0))  # saving again puts the typed value over theirs
    assert _rows(db)[0]["person_informed"] == "Pharmacist"
