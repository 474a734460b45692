"""The daily logs: governance log, rota notes, communication book and handover records."""

from __future__ import annotations

from datetime import date

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from cqc_desktop.db import Database
from cqc_desktop.models import LogEntry, Person, Service
from cqc_desktop.ui.context import AppContext
from cqc_desktop.ui.records.log_entry_dialog import LogEntryDialog
from cqc_desktop.ui.records.logs_tab import HANDOVERS, LogsTab
from cqc_desktop.ui.widgets.forms import select_data

TODAY = date(2026, 11, 26)


@pytest.fixture
def tab(qtbot: QtBot, db: Database) -> LogsTab:
    with db.unit_of_work() as s:
        service = Service(name="Willow Court")
        s.add(service)
        s.flush()
        s.add(Person(name="Łukasz Nowak", role="Evening senior", service_id=service.id))
    widget = LogsTab(AppContext(db, today=lambda: TODAY))
    qtbot.addWidget(widget)
    widget.resize(1366, 768)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_governance_log_and_rota_note_entries(
    qtbot: QtBot, tab: LogsTab, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fill(dialog: LogEntryDialog) -> int:
        select_data(dialog.author, dialog.author.itemData(1))
        dialog.text.setPlainText("Observed the evening round: started 18:05, no interruptions.")
        dialog.try_save()
        return int(dialog.result())

    monkeypatch.setattr(LogEntryDialog, "exec", fill)
    tab.new_record()
    assert tab.entries.model.rowCount() == 1
    assert tab.entries.model.index(0, 1).data() == "Łukasz Nowak"
    tab.show_kind("Rota note")
    assert tab.heading.text() == "Rota notes"
    assert tab.entries.model.rowCount() == 0  # each log shows its own entries
    tab.new_record()
    with db.reading() as s:
        kinds = sorted(e.kind for e in s.scalars(select(LogEntry)))
    assert kinds == ["Daily governance log", "Rota note"]

    tab.show_kind(HANDOVERS)
    assert tab.handovers.view.isVisible() and not tab.entries.view.isVisible()
    assert tab.new_button.text() == "&New handover record…"


def test_an_empty_entry_is_refused_beside_the_field(
    qtbot: QtBot, tab: LogsTab, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[LogEntryDialog] = []

    def fill(dialog: LogEntryDialog) -> int:
        seen.append(dialog)
        dialog.try_save()
        return int(dialog.result())

    monkeypatch.setattr(LogEntryDialog, "exec", fill)
    tab.new_record()
    assert seen[0].form.error_label("text").text() == "Write the entry."
    assert seen[0].form.error_label("author_id").text() == (
        "Choose who wrote this from the staff list."
    )
