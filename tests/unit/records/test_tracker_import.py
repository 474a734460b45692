"""A spreadsheet import written in bulk: the same rows as typed rows, one audit-trail entry for the
whole import (the chain still verifies), all or nothing, and the measures brought up to date."""

from __future__ import annotations

import csv
import hashlib
import json
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from cqc_desktop.config import resolve
from cqc_desktop.db import Database
from cqc_desktop.models import (
    Action,
    AuditLog,
    Finding,
    MeasurePoint,
    Person,
    Plan,
    Service,
    Tracker,
    TrackerEntry,
)
from cqc_desktop.models.enums import Role
from cqc_desktop.services.errors import NotAllowed
from cqc_desktop.services.plans.measure_data import MeasureInput
from cqc_desktop.services.records import derived_measures as dm
from cqc_desktop.services.records import importers, tracker_import
from cqc_desktop.services.records.derived_measures import Derivation, Rule
from cqc_desktop.services.records.tracker_values import PeopleIndex, RowConverter, search_text
from cqc_desktop.services.records.trackers import (
    add_tracker_entry,
    archive_tracker,
    install_builtin_trackers,
)
from cqc_desktop.services.trust import audit_history
from cqc_desktop.services.trust.audit_trail import BULK_INSERT_FIELD
from cqc_desktop.services.trust.audit_verify import verify_chain
from cqc_desktop.services.trust.permissions import Actor
from cqc_desktop.services.trust.restore import check_database

TODAY = date(2026, 11, 26)
WEEK = TODAY - timedelta(days=TODAY.weekday())
MANAGER = Actor(user_id=None, username="zoe", role=Role.MANAGER)
VIEWER = Actor(user_id=None, username="ivy", role=Role.VIEWER)
HEADER = "Date,Shift,Medicine / round,Time due,Time given,Minutes late,Reason,Immediate action,Person informed,Recorded by"


@pytest.fixture
def home(db: Database) -> dict[str, int]:
    """A home with its medicines tracker and a measure counting its late rounds each week."""
    with db.unit_of_work() as s:
        service = Service(name="Willow Court")
        s.add(service)
        s.flush()
        zoe = Person(name="Zoë Hart", role="Registered manager", service_id=service.id)
        plan = Plan(service_id=service.id, title="Recovery plan", origin="CQC inspection")
        s.add_all([zoe, plan])
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


def _csv(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def _late_rows(count: int) -> list[str]:
    """Rows across this week and the five before it; every third one more than 30 minutes late."""
    rows = []
    for n in range(count):
        day = TODAY - timedelta(days=n % 40)
        given = "18:45" if n % 3 == 0 else "18:10"
        rows.append(f"{day:%d/%m/%Y},Late,Evening round,18:00,{given},,Busy,,,Zoë Hart")
    return rows


def _import(db: Database, tracker_id: int, path: Path, **kwargs: Any) -> importers.ImportResult:
    sheet = importers.read_sheet(path)
    with db.unit_of_work(kwargs.pop("actor", MANAGER)) as s:
        tracker = s.get(Tracker, tracker_id)
        assert tracker is not None
        mapping = importers.guess_mapping(tracker.columns, sheet.headers)
        return importers.import_rows(s, tracker_id, sheet, mapping, today=TODAY, **kwargs)


def _trail(db: Database) -> list[tuple[str, str, str, str | None]]:
    """The tracker rows' audit-trail entries: (field, operation, username, new value)."""
    with db.reading() as s:
        rows = s.execute(
            select(AuditLog.field, AuditLog.operation, AuditLog.username, AuditLog.new_value)
            .where(AuditLog.record_type == "TrackerEntry")
            .order_by(AuditLog.id)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def _this_week(db: Database, measure_id: int) -> float | None:
    with db.reading() as s:
        return s.scalar(
            select(MeasurePoint.value).where(
                MeasurePoint.measure_id == measure_id, MeasurePoint.period_start == WEEK
            )
        )


def test_an_import_writes_its_rows_one_audit_entry_and_the_chain_still_verifies(
    db: Database, home: dict[str, int], tmp_path: Path
) -> None:
    path = _csv(tmp_path / "late meds November.csv", _late_rows(120))
    result = _import(db, home["tracker"], path)
    assert (result.imported, result.skipped) == (120, 0)
    with db.reading() as s:
        ids = list(s.scalars(select(TrackerEntry.id).order_by(TrackerEntry.id)))
        assert len(ids) == 120 and ids == list(range(ids[0], ids[0] + 120))
    [(field, operation, username, new_value)] = _trail(db)  # for the import, none per row
    assert (field, operation, username) == (BULK_INSERT_FIELD, "insert", "zoe")
    summary = json.loads(new_value or "")
    assert summary == {
        "rows": 120,
        "first_id": ids[0],
        "last_id": ids[-1],
        "tracker_id": home["tracker"],
        "tracker": "Medicines improvement tracker",
        "file": "late meds November.csv",
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
    }
    with db.reading() as s:
        assert verify_chain(s).ok
        assert check_database(s, db.location).ok
        # Any imported row's History says it came from the import.
        history = audit_history.history(s, "TrackerEntry", ids[57])
        assert [(e.what, e.username) for e in history] == [("Imported", "zoe")]
        names: dict[int, str] = {}
        assert audit_history.display_value(history[0], history[0].new, names).startswith("120 rows")


def test_imported_rows_are_stored_exactly_as_typed_rows_are(
    db: Database, home: dict[str, int], tmp_path: Path
) -> None:
    rows = [
        [
            "26/11/2026",
            "late",
            "Evening",
            "18:00",
            "18:45",
            "",
            "Zoë covering",
            "Dose",
            "GP",
            "zoë hart",
        ],
        ["25/11/26", "Night", "Night round", "2200", "22:40", "40", "Call bells", "", "", "Agency"],
        ["2026-11-24", "Early", "Morning", "8.00", "9:05 am", "", "Ward round", "", "", "Zoë Hart"],
        ["24-Nov-2026", "Late", "Round, evening", "18:00", "", "", 'Said "later"', "", "", "Zoë"],
    ]
    path = tmp_path / "mixed.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(HEADER.split(","))
        out.writerows(rows)
    _import(db, home["tracker"], path)
    with db.unit_of_work(MANAGER) as s:
        tracker = s.get(Tracker, home["tracker"])
        assert tracker is not None
        keys = [c["key"] for c in tracker.columns]
        for row in rows:
            add_tracker_entry(s, tracker.id, dict(zip(keys, row, strict=True)), today=TODAY)
    with db.reading() as s:
        raw = s.connection().exec_driver_sql(
            'SELECT CAST(entry_date AS TEXT), CAST("values" AS TEXT), search_text '
            "FROM tracker_entry ORDER BY id"
        )
        stored = [tuple(r) for r in raw]
    # Byte for byte the same date, JSON and search text. Imported rows go in date order.
    assert sorted(stored[:4]) == sorted(stored[4:])
    assert [r[0] for r in stored[:4]] == ["2026-11-24", "2026-11-24", "2026-11-25", "2026-11-26"]


def test_a_rejected_import_writes_nothing(
    db: Database, home: dict[str, int], tmp_path: Path
) -> None:
    path = _csv(tmp_path / "bad.csv", [*_late_rows(10), "31/02/2026,Late,Evening,18:00,,,X,,,Zoë"])
    with pytest.raises(importers.ImportRejected):
        _import(db, home["tracker"], path)
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(TrackerEntry)) == 0
    assert _trail(db) == []
    assert _import(db, home["tracker"], path, only_valid=True).imported == 10


def test_a_failure_while_writing_leaves_no_row_and_no_audit_entry(
    db: Database, home: dict[str, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(tracker_import.derived_measures, "tracker_changed", broken)
    with db.reading() as s:
        entries_before = s.scalar(select(func.count()).select_from(AuditLog))
    with pytest.raises(OSError):
        _import(db, home["tracker"], _csv(tmp_path / "late.csv", _late_rows(50)))
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(TrackerEntry)) == 0
        assert s.scalar(select(func.count()).select_from(AuditLog)) == entries_before
        assert verify_chain(s).ok


def test_an_import_needs_permission_and_a_tracker_in_use(
    db: Database, home: dict[str, int], tmp_path: Path
) -> None:
    path = _csv(tmp_path / "late.csv", _late_rows(5))
    with pytest.raises(NotAllowed):
        _import(db, home["tracker"], path, actor=VIEWER)
    with db.unit_of_work(MANAGER) as s:
        archive_tracker(s, home["tracker"])
    with pytest.raises(NotAllowed, match="archived"):
        _import(db, home["tracker"], path)
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(TrackerEntry)) == 0


def test_the_derived_measure_counts_the_imported_rows(
    db: Database, home: dict[str, int], tmp_path: Path
) -> None:
    rows = _late_rows(90)
    late_this_week = sum(
        1 for n, row in enumerate(rows) if n % 3 == 0 and TODAY - timedelta(days=n % 40) >= WEEK
    )
    assert late_this_week > 0
    _import(db, home["tracker"], _csv(tmp_path / "late.csv", rows))
    assert _this_week(db, home["measure"]) == late_this_week


def test_the_bulk_insert_fills_every_column_of_a_tracker_row() -> None:
    """A column added to TrackerEntry must be added to the import's INSERT too."""
    table = TrackerEntry.__table__
    assert set(tracker_import._COLUMNS) == {c.key for c in table.c} - {"id"}
    assert list(tracker_import._COLUMNS) == [c.key for c in table.c if c.key != "id"]


# --- the fast way gives what the careful way gives, for any cells ------------------------------

COLUMNS: list[dict[str, Any]] = [
    {"key": "day", "label": "Day", "type": "date", "required": False},
    {"key": "due", "label": "Due", "type": "time", "required": True},
    {"key": "given", "label": "Given", "type": "time", "required": False},
    {
        "key": "late",
        "label": "Late",
        "type": "number",
        "required": False,
        "auto": {"minutes_between": ["due", "given"]},
    },
    {"key": "ok", "label": "OK", "type": "yes/no", "required": False},
    {"key": "shift", "label": "Shift", "type": "choice", "choices": ["Early", "Late"]},
    {"key": "who", "label": "Who", "type": "person", "required": False},
    {"key": "note", "label": "Note", "type": "text", "required": False},
    {"key": "unmapped", "label": "Unmapped", "type": "text", "required": False},
]
PEOPLE = PeopleIndex.of([(1, "Zoë Hart"), (2, "Tom Reed")])
CELLS = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "",
            "  ",
            "26/11/2026",
            "31/02/2026",
            "2026-11-26",
            "46000",
            "18:30",
            "1830",
            "9:05 pm",
            "25:00",
            "35",
            "1,234.5",
            "35,5",
            "yes",
            "N",
            "TRUE",
            "early",
            "Late",
            "zoë hart",
            "1",
            "2",
            "7",
            "Agency nurse",
            'Ünïcode “quotes” \\ "',
        ]
    ),
    st.booleans(),
    st.integers(-3, 50_000),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, 1.0, 0.5, 0.75, 46000.0, 35.25]),
    st.dates(date(1890, 1, 1), date(2110, 1, 1)),
    st.datetimes(datetime(1990, 1, 1), datetime(2040, 1, 1)),
    st.times(),
    st.text(max_size=6),
)


# Per column, cells that convert (so rows often go the fast way), mixed with anything at all.
LIKELY = [
    ["26/11/2026", " 1/2/26 ", "2026-11-26", date(2026, 11, 26), datetime(2026, 11, 26, 9), 46000],
    ["18:30", "1830", "8.00", time(18, 0), 0.75, datetime(2026, 1, 1, 8, 0)],
    [None, "", "9:05 pm", "22:40", time(23, 59), 0.5],
    [None, "", "35", 35, 35.5, "1,234.5", "35,5"],
    [None, "yes", "N", True, False, 1, 0],
    [None, "early", "Late", " LATE "],
    [None, "zoë hart", 1, "2", "Agency nurse", "  Tom Reed  "],
    [None, "Busy", 1.0, 7, date(2026, 1, 2), 'Zoë “quotes” \\ "', "a | b"],
]


def _likely(good: list[Any]) -> st.SearchStrategy[Any]:
    """Three times in four a cell from ``good``, else anything (one_of would flatten CELLS)."""
    return st.integers(0, 3).flatmap(lambda n: CELLS if n == 0 else st.sampled_from(good))


ROW = st.tuples(*(_likely(good) for good in LIKELY)).map(list)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ROW, min_size=1, max_size=12))
def test_fast_rows_match_the_careful_conversion(rows: list[list[Any]]) -> None:
    mapping = {c["key"]: n for n, c in enumerate(COLUMNS[:8])}
    mapping["unmapped"] = None
    fast = tracker_import.FastRows(COLUMNS, PEOPLE, mapping, "day")
    careful = RowConverter(COLUMNS, PEOPLE)
    numbered = list(enumerate(rows, start=2))
    for number, cells in numbered + numbered:  # twice: remembered cells too
        valid: list[dict[str, Any]] = []
        encoded: list[tracker_import.Encoded] = []
        left = list(fast.take([(number, cells)], valid, encoded))
        raw = {key: cells[i] for key, i in mapping.items() if i is not None}
        clean, errors = careful(raw)
        if not left and not valid:  # dropped as blank
            assert all(v is None or (isinstance(v, str) and not v.strip()) for v in raw.values())
            continue
        if left:
            assert left == [(number, cells)] and not valid
            continue  # converted the careful way: nothing to compare
        assert not errors and clean["day"] is not None, (number, cells)
        [values], [(day, text, shown)] = valid, encoded
        assert values == clean and list(values) == list(clean)
        assert [type(v) for v in values.values()] == [type(v) for v in clean.values()]
        assert (day, text, shown) == (
            clean["day"],
            json.dumps(clean),
            search_text(COLUMNS, clean),
        )


def test_excel_cells_that_look_equal_are_not_mixed_up() -> None:
    """True == 1 == 1.0 as dictionary keys; a tracker column tells them apart."""
    mapping = {c["key"]: n for n, c in enumerate(COLUMNS[:8])}
    fast = tracker_import.FastRows(COLUMNS, PEOPLE, mapping, "day")
    base = [date(2026, 11, 26), time(18, 0), None, None, None, None, None, None]
    got: list[dict[str, Any]] = []
    for who in (1, True, 1.0):
        cells = list(base)
        cells[6] = who
        assert not list(fast.take([(2, cells)], got, []))
    assert got[0]["who"] == "Zoë Hart"  # a staff id
    assert got[1]["who"] == "True" and got[2]["who"] == "1.0"  # typed as they are


def test_a_database_engine_with_its_own_json_serialiser_is_respected(tmp_path: Path) -> None:
    """The JSON text made while checking is json.dumps'; another serialiser makes its own."""
    db = Database(resolve(str(tmp_path / "other.sqlite3")))
    try:
        db.engine.dialect._json_serializer = lambda v: json.dumps(v, sort_keys=True)  # type: ignore[attr-defined]
        with db.unit_of_work(MANAGER) as s:
            service = Service(name="Oak House")
            s.add(service)
            s.flush()
            tracker = next(
                t for t in install_builtin_trackers(s, service.id) if t.key.startswith("medicines")
            )
            values = {c["key"]: None for c in tracker.columns}
            values.update(
                date="2026-11-26", shift="Late", medicine_round="Evening", time_due="18:00"
            )
            values.update(reason="Busy", recorded_by="Agency nurse")
            tracker_import.bulk_add_entries(s, tracker, [values], today=TODAY)
            stored = s.connection().exec_driver_sql('SELECT "values" FROM tracker_entry').scalar()
        assert stored == json.dumps(values, sort_keys=True)
    finally:
        db.dispose()
