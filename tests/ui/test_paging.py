"""Proof of paging: every long list opens on one page of its rows, never all of them (not timed).

A few thousand rows are generated with the benchmark's own generator (``bench/generate.py``, at a
small size), then each tab is opened as a user would open it. For each long list the test checks
that the model holds fewer rows than the database has, says there is more, and that asking for
more (what scrolling does) adds rows from SQL.

The long lists, tab by tab:

- Plans: the action list (every plan's actions, "All plans" selected)
- Trackers: the tracker grid (opens on the newest page; earlier pages load on scrolling up)
- Incidents: the incident list
- Observations: the observation log
- Logs: the daily governance log and the handover records
- Governance: the meetings
- Audits: the audit runs ("Runs of every audit")
- Audit trail (Administration menu): the trail entries

The Dashboard (figures counted in SQL, short lists of what needs attention) and the Reports tab
(a form) have no long list.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from cqc_desktop.config import resolve
from cqc_desktop.db import Database
from cqc_desktop.models import (
    Action,
    AuditLog,
    AuditRun,
    HandoverRecord,
    Incident,
    LogEntry,
    Meeting,
    Observation,
    TrackerEntry,
)
from cqc_desktop.models.enums import LogKind
from cqc_desktop.services.trust import users
from cqc_desktop.services.trust.permissions import Actor
from cqc_desktop.ui.context import AppContext
from cqc_desktop.ui.governance.audits_tab import AuditsTab
from cqc_desktop.ui.governance.governance_tab import GovernanceTab
from cqc_desktop.ui.plans.tab import PlansTab
from cqc_desktop.ui.records.incidents_tab import IncidentsTab
from cqc_desktop.ui.records.logs_tab import LogsTab
from cqc_desktop.ui.records.observations_tab import ObservationsTab
from cqc_desktop.ui.records.trackers_tab import TrackersTab
from cqc_desktop.ui.trust.audit_trail_window import AuditTrailTab

TODAY = date(2026, 11, 26)
BENCH = Path(__file__).resolve().parents[2] / "bench"


def _generator() -> ModuleType:
    """bench/generate.py, loaded by path: the benchmark's folder is not a package."""
    spec = importlib.util.spec_from_file_location("bench_generate", BENCH / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being made
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, Actor]]:
    gen = _generator()
    # Every list gets more rows than one page (300; the tracker grid's is 200).
    size = gen.Size(
        homes=3,
        years=3,
        tracker_rows=3_000,
        observations=1_200,
        incidents=1_200,
        evidence=300,
        actions=400,
        meetings=700,
        audit_entries=2_000,
    )
    db = Database(resolve(str(tmp_path_factory.mktemp("paging") / "provider.sqlite3")))
    gen.Generator(db, size, TODAY, seed=3).run()
    with db.unit_of_work() as session:
        actor = users.authenticate(session, gen.BENCH_USER, gen.BENCH_PASSWORD)
    yield db, actor
    db.dispose()


def _count(db: Database, stmt: Any) -> int:
    with db.reading() as session:
        return int(session.scalar(stmt) or 0)


def _medicines_tracker(tab: Any) -> None:
    rows = [tab.list.item(r).text() for r in range(tab.list.count())]
    tab.list.setCurrentRow(next(r for r, t in enumerate(rows) if t.startswith("Medicines")))


def _tracker_total(db: Database, tab: Any) -> int:
    tracker_id = tab.tracker_id()
    return _count(
        db,
        select(func.count()).select_from(TrackerEntry).where(TrackerEntry.tracker_id == tracker_id),
    )


@dataclass(frozen=True)
class LongList:
    name: str
    tab: type
    model: Callable[[Any], Any]
    total: Callable[[Database, Any], int]
    prepare: Callable[[Any], None] = lambda _tab: None
    # (is there more?, load more): canFetchMore/fetchMore, or the tracker grid's earlier pages
    more: Callable[[Any], bool] = lambda m: bool(m.canFetchMore())
    load_more: Callable[[Any], None] = lambda m: m.fetchMore()


def _all(model: type) -> Callable[[Database, Any], int]:
    return lambda db, _tab: _count(db, select(func.count()).select_from(model))


LONG_LISTS = [
    LongList("Plans: actions", PlansTab, lambda t: t.model, _all(Action)),
    LongList(
        "Trackers: tracker grid",
        TrackersTab,
        lambda t: t.model,
        _tracker_total,
        prepare=_medicines_tracker,
        more=lambda m: bool(m.more_before),
        load_more=lambda m: m.load_earlier(),
    ),
    LongList("Incidents", IncidentsTab, lambda t: t.list.model, _all(Incident)),
    LongList(
        "Observations",
        ObservationsTab,
        lambda t: t.model,
        _all(Observation),
    ),
    LongList(
        "Logs: daily governance log",
        LogsTab,
        lambda t: t.entries.model,
        lambda db, _t: _count(
            db,
            select(func.count())
            .select_from(LogEntry)
            .where(LogEntry.kind == LogKind.GOVERNANCE_LOG.value),
        ),
    ),
    LongList(
        "Logs: handover records",
        LogsTab,
        lambda t: t.handovers.model,
        _all(HandoverRecord),
        prepare=lambda t: t.kinds.setCurrentRow(1),
    ),
    LongList(
        "Governance: meetings",
        GovernanceTab,
        lambda t: t.model,
        _all(Meeting),
    ),
    LongList(
        "Audits: audit runs",
        AuditsTab,
        lambda t: t.runs,
        _all(AuditRun),
        prepare=lambda t: t.all_audits.setChecked(True),
    ),
    LongList(
        "Audit trail",
        AuditTrailTab,
        lambda t: t.model,
        _all(AuditLog),
    ),
]


@pytest.mark.parametrize("case", LONG_LISTS, ids=[c.name for c in LONG_LISTS])
def test_long_list_opens_on_one_page(
    qtbot: QtBot, provider: tuple[Database, Actor], case: LongList
) -> None:
    db, actor = provider
    tab = case.tab(AppContext(db, today=lambda: TODAY, actor=actor))
    qtbot.addWidget(tab)
    tab.resize(1366, 768)
    tab.show()
    case.prepare(tab)
    model = case.model(tab)
    total = case.total(db, tab)
    loaded = model.rowCount()

    assert total > 300, "the dataset is too small to show paging"
    assert 0 < loaded < total, f"{case.name}: {loaded} of {total} rows loaded at once"
    assert case.more(model), f"{case.name}: the model does not offer more rows"
    case.load_more(model)
    assert loaded < model.rowCount() <= total, f"{case.name}: asking for more added nothing"
