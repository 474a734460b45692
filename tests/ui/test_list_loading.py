"""What the long lists load again, and when: a filter or sort reloads the list, not the record
shown beside it; a data change reloads both; the action detail loads a tab when it is shown."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from cqc_desktop.db import Database
from cqc_desktop.models import MeetingItem, Review
from cqc_desktop.services.demo.loader import seed_demo
from cqc_desktop.services.listing import Page
from cqc_desktop.services.plans import plans
from cqc_desktop.ui import ui_state
from cqc_desktop.ui.context import AppContext
from cqc_desktop.ui.governance.audits_tab import AuditsTab
from cqc_desktop.ui.governance.governance_tab import GovernanceTab
from cqc_desktop.ui.plans.detail.panel import TAB_EVIDENCE, TAB_OVERVIEW
from cqc_desktop.ui.plans.tab import PlansTab
from cqc_desktop.ui.widgets.paged_model import PagedColumn, PagedTableModel
from cqc_desktop.ui.widgets.signed_in import table_view

TODAY = date(2026, 11, 26)


@pytest.fixture
def demo(db: Database) -> Database:
    ui_state.settings().clear()
    with db.unit_of_work() as session:
        seed_demo(session, TODAY)
    return db


def _shown(qtbot: QtBot, widget: Any) -> Any:
    qtbot.addWidget(widget)
    widget.resize(1366, 768)
    widget.show()
    return widget


def _counting(obj: Any, name: str) -> list[Any]:
    """Record each call of ``obj.name`` (still calling it)."""
    calls: list[Any] = []
    real = getattr(obj, name)

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return real(*args, **kwargs)

    setattr(obj, name, spy)
    return calls


def test_governance_filter_keeps_the_meeting_loaded_and_refresh_reloads_it(
    qtbot: QtBot, demo: Database
) -> None:
    tab = _shown(qtbot, GovernanceTab(AppContext(demo, today=lambda: TODAY)))
    shown = tab.panel.meeting_id
    assert shown is not None
    loads = _counting(tab.panel, "load")
    tab.kind.setCurrentIndex(tab.kind.findData(tab.model.row_at(0).meeting_type))
    assert tab.panel.meeting_id == shown and loads == []
    tab.ctx.sig_data_changed.emit("*")
    assert loads == [(shown,)]
    # Another meeting chosen in the list is loaded.
    tab.view.selectRow(1)
    assert tab.panel.meeting_id == tab.model.row_at(1).id


def test_oversight_lists_size_columns_once_not_per_cell(qtbot: QtBot, demo: Database) -> None:
    tab = _shown(qtbot, AuditsTab(AppContext(demo, today=lambda: TODAY)))
    for view in (tab.run_list, tab.template_view, tab.run_view.answers_view):
        header = view.horizontalHeader()
        modes = {header.sectionResizeMode(c) for c in range(header.count())}
        assert QHeaderView.ResizeMode.ResizeToContents not in modes
    # The date column is at least as wide as the dates in it.
    view = tab.run_list
    text = view.model().index(0, 0).data()
    assert view.columnWidth(0) >= view.fontMetrics().horizontalAdvance(text)


def test_a_column_sized_from_its_first_rows(qtbot: QtBot) -> None:
    rows: list[Any] = []

    def load(_s: str, _d: bool, _a: Any, _n: int) -> Page:
        return Page(rows=list(rows), last_key=None, more=False)

    model = PagedTableModel(
        [PagedColumn("Id", lambda r: r[0], "id"), PagedColumn("Name", lambda r: r[1], "name")],
        load,
        lambda r: r[0],
        default_sort=("id", False),
    )
    view = table_view(model, "People")
    qtbot.addWidget(view)
    empty_width = view.columnWidth(0)
    rows.extend(("a very long identifier indeed", f"Person {i}", i) for i in range(3))
    model.reload()
    assert view.columnWidth(0) > empty_width
    assert view.columnWidth(0) >= view.fontMetrics().horizontalAdvance(rows[0][0])


def test_paged_model_shows_the_new_text_after_a_reload() -> None:
    rows = [("old", 1)]

    def load(_s: str, _d: bool, _a: Any, _n: int) -> Page:
        return Page(rows=list(rows), last_key=None, more=False)

    model = PagedTableModel(
        [PagedColumn("Name", lambda r: r[0], "name")], load, lambda r: r[1], default_sort=("n", 0)
    )
    model.reload()
    assert model.index(0, 0).data() == "old"
    rows[0] = ("new", 1)
    model.reload()
    assert model.index(0, 0).data() == "new"


def test_action_detail_loads_a_tab_when_it_is_shown(qtbot: QtBot, demo: Database) -> None:
    tab = _shown(qtbot, PlansTab(AppContext(demo, today=lambda: TODAY)))
    detail = tab.detail
    detail.tabs.setCurrentIndex(TAB_OVERVIEW)
    tab.table.selectRow(1)
    assert detail.action_id == tab.model.row_at(1).action_id
    evidence = detail._evidence  # the panel itself, without asking it to load
    assert TAB_EVIDENCE in detail._stale
    title = detail.tabs.tabText(TAB_EVIDENCE)  # counted without loading the table
    detail.tabs.setCurrentIndex(TAB_EVIDENCE)
    assert TAB_EVIDENCE not in detail._stale
    assert title == f"Evidence ({evidence.table.rowCount()})"
    assert evidence.table.rowCount() >= tab.model.row_at(1).evidence_total
    # The detail follows the selection, on whichever tab is showing.
    tab.table.selectRow(0)
    assert detail.action_id == tab.model.row_at(0).action_id
    assert detail.tabs.tabText(TAB_EVIDENCE) == f"Evidence ({evidence.table.rowCount()})"
    detail.tabs.setCurrentIndex(TAB_OVERVIEW)
    tab.table.selectRow(1)
    assert detail.tabs.tabText(TAB_EVIDENCE) == title  # counted again, the same


def test_plan_tree_is_rebuilt_only_when_it_changed(qtbot: QtBot, demo: Database) -> None:
    tab = _shown(qtbot, PlansTab(AppContext(demo, today=lambda: TODAY)))
    builds = _counting(tab.tree, "set_plans")
    tab.ctx.sig_data_changed.emit("*")
    assert builds == []
    with demo.unit_of_work() as s:
        service_id = tab.model.row_at(0).plan_id
        home = plans.get_plan(s, service_id).service_id
        plans.create_plan(s, plans.PlanInput(home, "Mock inspection", "Mock inspection"))
    tab.ctx.sig_data_changed.emit("plan")
    assert len(builds) == 1
    assert any(
        "Mock inspection" in tab.tree.topLevelItem(i).text(0)
        for i in range(tab.tree.topLevelItemCount())
    )


def test_plans_sort_keeps_the_selected_action_in_the_detail(qtbot: QtBot, demo: Database) -> None:
    tab = _shown(qtbot, PlansTab(AppContext(demo, today=lambda: TODAY)))
    titles = {tab.model.row_at(i).action_id: tab.model.row_at(i).title for i in range(5)}
    last = max(titles, key=lambda a: (titles[a].casefold(), a))  # last by title
    tab.table.selectRow(tab.model.row_for_id(last))
    assert tab.detail.action_id == last
    loads = _counting(tab.detail, "show_action")
    tab.model._page_size = 2  # a short first page, so the selected action is not on it
    tab.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)  # by title
    assert tab.model.row_for_id(last) is None
    # The detail stays on the selected action; no other row is picked for it.
    assert tab.detail.action_id == last and loads == []
    assert tab.current_action_id() is None
    while tab.model.row_for_id(last) is None and tab.model.canFetchMore():
        tab.model.fetchMore()  # as scrolling down does
    # Its row, once loaded, is selected again, without loading the detail again.
    assert tab.current_action_id() == last and loads == []
    # Other filters are another list: the first action is shown, as before.
    tab.filter_bar.search.setText(titles[min(titles)][:12])
    tab.filter_bar.apply_now()
    assert tab.current_action_id() == tab.model.row_at(0).action_id
    assert tab.detail.action_id == tab.model.row_at(0).action_id


def test_governance_refresh_shows_changes_made_elsewhere_and_redraws_nothing_else(
    qtbot: QtBot, demo: Database
) -> None:
    tab = _shown(qtbot, GovernanceTab(AppContext(demo, today=lambda: TODAY)))
    panel, editor = tab.panel, tab.panel.editor
    item_id = editor.item_id
    assert item_id is not None
    resets: list[int] = []
    panel.items_model.modelReset.connect(lambda: resets.append(1))
    timelines = _counting(editor, "_load_timeline")
    # Nothing changed: the meeting is read again, but no widget is set again.
    tab.ctx.sig_data_changed.emit("*")
    assert resets == [] and timelines == []
    # Another PC (or another tab) changes the minute, its title and its action's reviews.
    with demo.unit_of_work() as session:
        item = session.get(MeetingItem, item_id)
        assert item is not None
        item.discussion = "Changed on another PC"
        item.title = "Renamed elsewhere"
        action_id = item.action_id
        assert action_id is not None  # the demo's first item is a linked action's review
        for review in session.scalars(select(Review).where(Review.action_id == action_id)):
            review.progress = "Progress edited elsewhere"
    tab.ctx.sig_data_changed.emit("*")
    assert editor.item_id == item_id
    assert editor.boxes["discussion"].toPlainText() == "Changed on another PC"
    assert "Renamed elsewhere" in editor.title.text()
    assert resets == [1]
    assert any(r.title == "Renamed elsewhere" for r in panel.items_model._rows)
    assert editor.timeline.item(0, 4).text() == "Progress edited elsewhere"
