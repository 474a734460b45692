"""The Measure tab through the real widgets: redraws that never stack axes, phases after a marked
change, icons and the plain-English reading, hover text, one point per period."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGraphicsSimpleTextItem, QGraphicsTextItem
from pytestqt.qtbot import QtBot

from cqc_desktop.db import Database
from cqc_desktop.services.plans import actions, plans
from cqc_desktop.services.plans.actions import ActionInput, StepInput
from cqc_desktop.services.plans.measure_data import MeasureInput, create_measure, record_point
from cqc_desktop.services.setup import people
from cqc_desktop.ui import ui_state
from cqc_desktop.ui.context import AppContext
from cqc_desktop.ui.plans.detail import measure as measure_panel
from cqc_desktop.ui.plans.detail.panel import TAB_MEASURE, ActionDetail

TODAY = date(2026, 11, 26)
MONDAY = TODAY - timedelta(days=TODAY.weekday())
BEFORE = [10, 12, 11, 13, 10, 12]
AFTER = [5, 6, 4, 5, 6, 5, 4]


def _weeks(count: int) -> list[date]:
    return [MONDAY - timedelta(weeks=count - 1 - i) for i in range(count)]


@pytest.fixture
def seeded(db: Database) -> dict[str, int]:
    ui_state.settings().clear()
    ids: dict[str, int] = {}
    with db.unit_of_work() as s:
        home = people.create_service(s, "Willow Court")
        zoe = people.create_person(s, "Zoë Hart", "Registered manager", service_id=home.id)
        plan = plans.create_plan(s, plans.PlanInput(home.id, "Mock inspection", "Mock inspection"))
        finding = plans.create_finding(
            s, plan.id, plans.FindingInput("Late medicines", "Safe", "Medicines", 4, 4)
        )
        series = {
            "count": ("Late entries per week", "entries", "lower", 15, 9, BEFORE + AFTER),
            "percent": ("Plans reviewed", "%", "higher", 40, 95, [90, 100, 60, 100, 95, 70]),
            "falls": ("Falls per week", "falls", "lower", 6, 2, [4, 3, 5, 2, 4, 3, 2, 1]),
        }
        weeks = _weeks(13)
        for key, (name, unit, direction, baseline, target, values) in series.items():
            action = actions.create_action(
                s,
                finding.id,
                ActionInput(
                    f"Action for {name}",
                    zoe.id,
                    TODAY + timedelta(days=30),
                    steps=[StepInput("Protected round started", zoe.id, done_on=weeks[6])],
                ),
                today=TODAY - timedelta(days=120),
            )
            measure = create_measure(
                s,
                action.id,
                MeasureInput(name, direction, baseline, "absolute", target, unit=unit),
            )
            for week, value in zip(_weeks(len(values)), values, strict=True):
                record_point(s, measure.id, week, value)
            ids[key] = action.id
            ids[f"{key}_measure"] = measure.id
            ids[f"{key}_step"] = action.steps[0].id
    return ids


@pytest.fixture
def detail(qtbot: QtBot, db: Database, seeded: dict[str, int]) -> ActionDetail:
    widget = ActionDetail(AppContext(db, today=lambda: TODAY))
    qtbot.addWidget(widget)
    widget.resize(1366, 768)
    widget.show()
    widget.show_action(seeded["count"])
    widget.tabs.setCurrentIndex(TAB_MEASURE)
    return widget


def _texts(detail: ActionDetail) -> list[str]:
    scene = detail.measure.chart.chart.scene()
    return [
        item.toPlainText() if isinstance(item, QGraphicsTextItem) else item.text()
        for item in scene.items()
        if isinstance(item, QGraphicsTextItem | QGraphicsSimpleTextItem)
    ]


def test_switching_actions_replaces_the_axes_instead_of_stacking_them(
    qtbot: QtBot, detail: ActionDetail, seeded: dict[str, int]
) -> None:
    chart = detail.measure.chart
    for key, unit in (("percent", "%"), ("falls", "falls"), ("count", "entries"), ("percent", "%")):
        detail.show_action(seeded[key])
        qtbot.waitUntil(lambda u=unit: u in _texts(detail))  # laid out and painted
        assert len(chart.chart.axes()) == 2
        texts = _texts(detail)
        # One title per axis on the canvas: the old ones are gone, not drawn underneath.
        assert texts.count("Week starting") == 1
        assert [t for t in texts if t in {"%", "falls", "entries"}] == [unit]


def test_a_marked_change_gives_the_new_phase_its_own_limits(
    qtbot: QtBot, detail: ActionDetail, seeded: dict[str, int]
) -> None:
    panel = detail.measure
    assert "hit" in (
        panel.chart.assurance_icon.spec.legend if panel.chart.assurance_icon.spec else ""
    )
    dialog = panel.open_change_dialog()
    assert dialog is not None
    dialog.source.setCurrentIndex(1)  # the step done on the Monday of the first lower week
    assert not dialog.changed_on.isEnabled()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(panel.chart.data.reading.result.phases) == 2)
    chart = panel.chart
    assert chart.assurance_icon.spec is not None
    assert chart.assurance_icon.spec.legend == "Assurance: consistently passing the target"
    assert chart.headline.text().startswith(
        "Late entries per week fell from about 11 to about 5 after the change on "
        f"{_weeks(13)[6]:%d/%m/%Y} and has stayed at or below the target of 9 entries for 7 weeks."
    )
    assert "Protected round started" in _texts(detail)
    assert "Mean 5" in chart.legend.text()
    # Medicines is reviewed at least fortnightly: seven weeks passing proposes that, no slower.
    assert (
        "Consistently passing for 7 weeks: reviews could move from weekly to fortnightly."
        in panel.summary.text()
    )
    last = chart.data.points[-1]
    assert chart.hover_text(last) == f"{last.period:%d/%m/%Y}: 4"


def test_a_percentage_chart_is_held_within_0_and_100(
    qtbot: QtBot, detail: ActionDetail, seeded: dict[str, int]
) -> None:
    detail.show_action(seeded["percent"])
    chart = detail.measure.chart
    qtbot.waitUntil(lambda: chart.axis_y.titleText() == "%")
    assert chart.axis_y.max() == 100
    assert "Process limits 21.99–100" in chart.legend.text()
    assert "held within 0–100" in chart.caption.text()


def test_a_second_point_in_the_same_week_asks_to_replace(
    qtbot: QtBot, detail: ActionDetail, monkeypatch: pytest.MonkeyPatch
) -> None:
    panel = detail.measure
    asked: list[str] = []
    monkeypatch.setattr(
        measure_panel, "ask", lambda _parent, _title, text: asked.append(text) or False
    )
    panel.new_period.set_value(MONDAY + timedelta(days=2))  # the Wednesday of the latest week
    qtbot.keyClicks(panel.new_value, "3")
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    assert asked and f"week starting {MONDAY:%d/%m/%Y}" in asked[0]
    assert "Not added" in panel.point_error.text()
    assert panel.table.rowCount() == 13
    monkeypatch.setattr(measure_panel, "ask", lambda *_args: True)
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.chart.data.points[-1].value == 3)
    assert panel.table.rowCount() == 13
    assert panel.chart.data.points[-1].period == MONDAY + timedelta(days=2)


def test_a_new_measure_direction_follows_its_unit_until_chosen(
    qtbot: QtBot, detail: ActionDetail
) -> None:
    dialog = detail.measure.open_measure_dialog(None)
    assert dialog is not None
    qtbot.keyClicks(dialog.unit, "%")
    assert dialog.direction.currentData() == "higher"
    dialog.unit.clear()
    qtbot.keyClicks(dialog.unit, "falls")
    assert dialog.direction.currentData() == "lower"
    dialog.direction.setCurrentIndex(1)
    dialog.direction.activated.emit(1)  # as a manager picking it
    dialog.unit.clear()
    qtbot.keyClicks(dialog.unit, "entries")
    assert dialog.direction.currentData() == "higher"
    dialog.mark_clean()
    dialog.reject()
