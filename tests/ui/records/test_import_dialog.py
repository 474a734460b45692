"""The import dialog with a big file: a window says what it is doing while it reads, checks and
imports, and the rows arrive with one audit-trail entry naming the file."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from cqc_desktop.db import Database
from cqc_desktop.models import AuditLog, Person, Service, TrackerEntry
from cqc_desktop.models.enums import Role
from cqc_desktop.services.records.trackers import install_builtin_trackers
from cqc_desktop.services.trust.permissions import Actor
from cqc_desktop.ui.context import AppContext
from cqc_desktop.ui.records import import_dialog

TODAY = date(2026, 11, 26)


@pytest.fixture
def tracker_id(db: Database) -> int:
    with db.unit_of_work() as s:
        service = Service(name="Willow Court")
        s.add(service)
        s.flush()
        s.add(Person(name="Zoë Hart", role="Registered manager", service_id=service.id))
        trackers = install_builtin_trackers(s, service.id)
        return next(t.id for t in trackers if t.key.startswith("medicines"))


def test_a_big_file_shows_what_is_happening_and_imports_every_row(
    qtbot: QtBot,
    db: Database,
    tracker_id: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rows = import_dialog.BIG_ROWS + 10
    source = tmp_path / "five years of late medicines.csv"
    lines = ["Date,Shift,Medicine / round,Time due,Time given,Reason,Recorded by"]
    lines += [
        f"{TODAY - timedelta(days=n % 1800):%d/%m/%Y},Night,Night round,22:00,22:50,Bells,Zoë Hart"
        for n in range(rows)
    ]
    source.write_text("\n".join(lines), encoding="utf-8")
    shown: list[tuple[str, list[tuple[int, int]]]] = []

    class Recorded(import_dialog.Busy):
        def __init__(self, parent: Any, text: str, total: int = 0) -> None:
            super().__init__(parent, text, total)
            self.steps: list[tuple[int, int]] = []
            shown.append((text, self.steps))
            assert self.dialog.isVisible()

        def step(self, done: int, total: int) -> None:
            self.steps.append((done, total))
            super().step(done, total)

    monkeypatch.setattr(import_dialog, "Busy", Recorded)
    ctx = AppContext(
        db, today=lambda: TODAY, actor=Actor(user_id=None, username="zoe", role=Role.MANAGER)
    )
    dialog = import_dialog.ImportDialog(None, ctx, tracker_id)
    qtbot.addWidget(dialog)
    assert dialog.load_file(source)
    assert dialog.summary.text() == f"All {rows} rows are ready to import."
    dialog.import_all.click()
    texts = [text for text, _ in shown]
    assert texts == [
        f"Checking {rows:,} rows…",
        f"Importing {rows:,} rows…",
    ]
    assert shown[0][1][-1] == (20_000, rows)  # the count moved on while checking
    assert dialog.imported == rows
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(TrackerEntry)) == rows
        [summary] = s.scalars(
            select(AuditLog.new_value).where(AuditLog.record_type == "TrackerEntry")
        ).all()
    assert json.loads(summary or "")["file"] == source.name


def test_a_shift_the_tracker_does_not_list_is_mapped_in_the_preview_and_remembered(
    qtbot: QtBot, db: Database, tracker_id: int, tmp_path: Path
) -> None:
    source = tmp_path / "evening.csv"
    source.write_bytes(
        "\r\n".join(
            [
                "Date;Shift;Medicine / round;Time due;Time given;Reason;Recorded by",
                "24/11/2026;PM;Evening;18:00;18:40;Handover;Zoë Hart",
                "25/11/2026;pm;Evening;18:00;18:30;Visitor;Zoë Hart",
            ]
        ).encode("cp1252")
    )
    ctx = AppContext(
        db, today=lambda: TODAY, actor=Actor(user_id=None, username="zoe", role=Role.MANAGER)
    )
    dialog = import_dialog.ImportDialog(None, ctx, tracker_id)
    qtbot.addWidget(dialog)
    assert dialog.load_file(source)
    assert not dialog.value_box.isHidden()
    pick = dialog.value_combos[("shift", "PM")]
    assert [pick.itemText(i) for i in range(pick.count())][1:] == ["Early", "Late", "Night"]
    assert not dialog.import_all.isEnabled()
    assert "Handover" not in dialog.summary.text() and "2 of 2 rows have problems" in (
        dialog.summary.text()
    )
    pick.setCurrentIndex(pick.findData("Late"))
    assert dialog.summary.text() == "All 2 rows are ready to import."
    dialog.import_all.click()
    assert dialog.imported == 2

    again = import_dialog.ImportDialog(None, ctx, tracker_id)  # the same file a second time
    qtbot.addWidget(again)
    assert again.load_file(source)
    assert "remembered: Shift “pm” → Late" in again.value_box.title()
    assert again.value_combos == {}  # nothing left to ask
    assert again.summary.text().startswith(
        "Nothing new to import. 2 rows (dated 24/11/2026 to 25/11/2026) are already in the tracker"
    )
    assert not again.import_all.isEnabled()
    assert "already in the tracker" in again.import_all.toolTip()
    with db.reading() as s:
        shifts = [e.values["shift"] for e in s.scalars(select(TrackerEntry))]
    assert shifts == ["Late", "Late"]
