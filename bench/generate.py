"""Generate the large-provider dataset: 10 homes × 5 years, deterministic.

    python bench/generate.py --db /tmp/large.sqlite3 [--quick] [--seed 7] [--today 2026-11-26]

Small set-up (homes, people, tracker definitions, audit templates) goes through the services; the
volume goes in with bulk Core inserts in large transactions (one executemany per chunk), which is
what a migration or an import of years of paper records would do. Counts (full size):
200,000 tracker rows, 50,000 observations, 20,000 incidents, 10,000 evidence items, 1,000 actions
with reviews and measure points, 2,000 meetings with minutes.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Table, insert, select

from cqc_desktop.config import resolve
from cqc_desktop.db import Database
from cqc_desktop.models import (
    Action,
    ActionStep,
    AuditAnswer,
    AuditRun,
    AuditTemplate,
    Evidence,
    Finding,
    FindingStatement,
    HandoverRecord,
    Incident,
    LogEntry,
    Measure,
    MeasurePoint,
    Meeting,
    MeetingItem,
    Observation,
    Plan,
    Review,
    Tracker,
    TrackerEntry,
)
from cqc_desktop.models.enums import (
    IncidentType,
    KeyQuestion,
    LogKind,
    MeetingType,
    ObservationArea,
    Origin,
    Outcome,
    RiskArea,
    Severity,
)
from cqc_desktop.services import people
from cqc_desktop.services.governance import install_builtin_audit_templates
from cqc_desktop.services.records import install_builtin_trackers
from cqc_desktop.services.reference import framework, source_types

CHUNK = 20_000
ROLES = [
    "Registered manager",
    "Deputy manager",
    "Senior carer",
    "Medicines lead",
    "Care coordinator",
    "Team leader",
    "Key worker",
    "Duty manager",
    "Quality lead",
]
FIRST = [
    "Zoë",
    "Siobhán",
    "Łukasz",
    "Nguyễn",
    "Amara",
    "Tom",
    "Priya",
    "Grace",
    "Kwame",
    "Ewa",
    "Fatima",
    "Owen",
    "Aoife",
    "Dylan",
    "Chloe",
    "Ravi",
]
LAST = [
    "Hart",
    "Murphy",
    "Nowak",
    "Thị Lan",
    "Okafor",
    "Reed",
    "Raman",
    "Evans",
    "Mensah",
    "Kowalska",
    "Begum",
    "Price",
    "Byrne",
    "Jones",
    "Patel",
    "Walsh",
]


@dataclass(frozen=True)
class Size:
    homes: int
    years: int
    tracker_rows: int
    observations: int
    incidents: int
    evidence: int
    actions: int
    meetings: int


FULL = Size(10, 5, 200_000, 50_000, 20_000, 10_000, 1_000, 2_000)
QUICK = Size(3, 2, 20_000, 5_000, 2_000, 1_000, 120, 200)


def chunks(rows: Iterable[dict[str, Any]], size: int = CHUNK) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def bulk(db: Database, model: type, rows: Iterable[dict[str, Any]]) -> int:
    table: Table = model.__table__  # type: ignore[attr-defined]
    n = 0
    with db.engine.begin() as conn:
        for batch in chunks(rows):
            conn.execute(insert(table), batch)
            n += len(batch)
    return n


def next_id(db: Database, model: type) -> int:
    with db.reading() as s:
        return int(s.scalar(select(model.id).order_by(model.id.desc()).limit(1)) or 0) + 1  # type: ignore[attr-defined]


class Generator:
    def __init__(self, db: Database, size: Size, today: date, seed: int) -> None:
        self.db, self.size, self.today = db, size, today
        self.rng = random.Random(seed)
        self.start = today - timedelta(days=365 * size.years)
        self.now = datetime(2026, 1, 1)
        self.homes: list[int] = []
        self.staff: dict[int, list[int]] = {}
        self.staff_names: dict[int, str] = {}

    def day(self, recent_bias: float = 1.0) -> date:
        """A day in the period; bias > 1 leans towards recent years (more records lately)."""
        span = (self.today - self.start).days
        return self.start + timedelta(days=int(span * self.rng.random() ** (1 / recent_bias)))

    def when(self, recent_bias: float = 1.0) -> datetime:
        d = self.day(recent_bias)
        return datetime(
            d.year, d.month, d.day, self.rng.randint(6, 22), self.rng.choice((0, 15, 30, 45))
        )

    def stamp(self) -> dict[str, Any]:
        return {"created_at": self.now, "updated_at": self.now}

    # --- set-up through the services ---------------------------------------------------------
    def setup(self) -> None:
        with self.db.unit_of_work() as s:
            for h in range(self.size.homes):
                home = people.create_service(
                    s,
                    f"{['Willow', 'Oak', 'Beech', 'Cedar', 'Elm', 'Rowan', 'Hazel', 'Birch', 'Maple', 'Ash'][h % 10]} "
                    f"{['Court', 'House', 'Lodge', 'Manor', 'Grange'][h % 5]} {h + 1}",
                    provider_name="Evergreen Care Group",
                )
                self.homes.append(home.id)
                ids = []
                for i in range(24):
                    name = f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}"
                    person = people.create_person(
                        s, name, ROLES[i % len(ROLES)], service_id=home.id
                    )
                    ids.append(person.id)
                    self.staff_names[person.id] = name
                self.staff[home.id] = ids
                install_builtin_trackers(s, home.id)
            install_builtin_audit_templates(s)

    # --- plans, findings, actions, steps, reviews, measures -----------------------------------
    def plans(self) -> None:
        fw = framework()
        per_home = max(1, self.size.actions // (self.size.homes * 10))
        plan_rows, finding_rows, stmt_rows, action_rows, step_rows = [], [], [], [], []
        review_rows, measure_rows, point_rows = [], [], []
        plan_id, finding_id, action_id = (
            next_id(self.db, Plan),
            next_id(self.db, Finding),
            next_id(self.db, Action),
        )
        step_id, review_id, measure_id = (
            next_id(self.db, ActionStep),
            next_id(self.db, Review),
            next_id(self.db, Measure),
        )
        point_id = next_id(self.db, MeasurePoint)
        origins = list(Origin)
        areas = list(RiskArea)
        self.action_ids: list[tuple[int, int, date]] = []
        for home in self.homes:
            staff = self.staff[home]
            for p in range(per_home):
                report = self.day(1.3)
                plan_rows.append(
                    {
                        "id": plan_id,
                        "service_id": home,
                        "title": f"{origins[p % len(origins)].value} {report:%B %Y}",
                        "origin": origins[p % len(origins)].value,
                        "report_date": report,
                        "rating": "Requires improvement",
                        "summary": "",
                        "archived": False,
                        **self.stamp(),
                    }
                )
                for f in range(5):
                    kq = list(KeyQuestion)[f % 5].value
                    statements = fw.statements_for(kq)
                    lik, imp = self.rng.randint(1, 5), self.rng.randint(1, 5)
                    score = lik * imp
                    finding_rows.append(
                        {
                            "id": finding_id,
                            "plan_id": plan_id,
                            "reference": f"F{f + 1}",
                            "title": f"Finding {f + 1} of plan {plan_id}",
                            "description": "Found during the visit.",
                            "key_question": kq,
                            "breached_regulation": self.rng.choice(["12", "17", "9", "18", ""]),
                            "risk_area": self.rng.choice(areas).value,
                            "likelihood": lik,
                            "impact": imp,
                            "score": score,
                            "rag": "Red" if score >= 15 else "Amber" if score >= 8 else "Green",
                            "root_cause": "Unclear allocation at handover.",
                            "immediate_control": "Daily check by the shift lead.",
                            **self.stamp(),
                        }
                    )
                    stmt_rows.append(
                        {
                            "finding_id": finding_id,
                            "statement_code": self.rng.choice(statements).code,
                        }
                    )
                    for a in range(2):
                        created = report + timedelta(days=self.rng.randint(1, 20))
                        closed = (
                            created < self.today - timedelta(days=120) and self.rng.random() < 0.8
                        )
                        override = closed and self.rng.random() < 0.1
                        last_review = min(
                            self.today, created + timedelta(days=7 * self.rng.randint(1, 30))
                        )
                        status = (
                            "Closed"
                            if closed
                            else self.rng.choice(["In progress", "In progress", "Not started"])
                        )
                        lead = self.rng.choice(staff)
                        action_rows.append(
                            {
                                "id": action_id,
                                "finding_id": finding_id,
                                "reference": f"A{f * 2 + a + 1}",
                                "title": self.rng.choice(
                                    [
                                        "Protect the medicines round",
                                        "Review high-risk care plans",
                                        "Share incident learning at handover",
                                        "Bring supervision up to date",
                                        "Audit falls sensor checks",
                                        "Update PEEPs",
                                    ]
                                )
                                + f" ({action_id})",
                                "description": "",
                                "accountable_lead_id": lead,
                                "due_date": created + timedelta(days=56),
                                "status": status,
                                "rag": self.rng.choice(["Red", "Amber", "Green"]),
                                "review_frequency": self.rng.choice(["Weekly", "Fortnightly"]),
                                "review_frequency_overridden": False,
                                "next_review_date": None
                                if closed
                                else last_review + timedelta(days=self.rng.choice([7, 14])),
                                "early_warning_signs": "Repeated 'busy shift' explanations.",
                                "escalation_route": "Registered manager, then provider.",
                                "oversight_plan": "Monthly audit." if closed else "",
                                "triggers": "",
                                "closed_on": last_review if closed else None,
                                "closed_by_id": lead if closed else None,
                                "closure_rationale": "Sustained." if closed else "",
                                "closed_with_override": override,
                                "override_reason": "Service change." if override else "",
                                "reopened_on": None,
                                "reopen_count": 0,
                                "archived": False,
                                **self.stamp(),
                            }
                        )
                        self.action_ids.append((action_id, home, created))
                        for k in range(4):
                            step_rows.append(
                                {
                                    "id": step_id,
                                    "action_id": action_id,
                                    "position": k,
                                    "description": f"Step {k + 1}",
                                    "owner_id": self.rng.choice(staff),
                                    "recorded_in": "medicines improvement tracker",
                                    "due_date": created + timedelta(days=7 * (k + 1)),
                                    "done_on": created + timedelta(days=7 * (k + 1))
                                    if closed or self.rng.random() < 0.5
                                    else None,
                                    **self.stamp(),
                                }
                            )
                            step_id += 1
                        d = created + timedelta(days=7)
                        while d <= last_review:
                            review_rows.append(
                                {
                                    "id": review_id,
                                    "action_id": action_id,
                                    "review_date": d,
                                    "reviewer_id": lead,
                                    "level": "Manager",
                                    "progress": "Reviewed against the tracker.",
                                    "rag": self.rng.choice(["Red", "Amber", "Green"]),
                                    "decision": "Continue",
                                    "notes": "",
                                    "meeting_item_id": None,
                                    **self.stamp(),
                                }
                            )
                            review_id += 1
                            d += timedelta(days=7)
                        measure_rows.append(
                            {
                                "id": measure_id,
                                "action_id": action_id,
                                "name": "Late medicines entries per week",
                                "unit": "entries",
                                "direction": "lower",
                                "frequency": "weekly",
                                "baseline_value": 15.0,
                                "baseline_period": "4 weeks of MAR review",
                                "target_kind": "relative",
                                "target_value": -80.0,
                                "target_date": created + timedelta(days=56),
                                "data_source": "medicines improvement tracker",
                                "derivation": None,
                                **self.stamp(),
                            }
                        )
                        value = 15.0
                        for w in range(self.rng.randint(6, 26)):
                            value = max(0.0, value + self.rng.uniform(-3, 1.5))
                            point_rows.append(
                                {
                                    "id": point_id,
                                    "measure_id": measure_id,
                                    "period_start": created + timedelta(weeks=w),
                                    "value": round(value),
                                    "numerator": None,
                                    "denominator": None,
                                    "derived": False,
                                    "note": "",
                                    "recorded_at": self.now,
                                }
                            )
                            point_id += 1
                        measure_id += 1
                        action_id += 1
                    finding_id += 1
                plan_id += 1
        for model, rows in (
            (Plan, plan_rows),
            (Finding, finding_rows),
            (FindingStatement, stmt_rows),
            (Action, action_rows),
            (ActionStep, step_rows),
            (Review, review_rows),
            (Measure, measure_rows),
            (MeasurePoint, point_rows),
        ):
            bulk(self.db, model, rows)
        self.counts.update(
            actions=len(action_rows), reviews=len(review_rows), measure_points=len(point_rows)
        )

    # --- records --------------------------------------------------------------------------------
    def tracker_rows(self) -> None:
        with self.db.reading() as s:
            trackers = {(t.service_id, t.key): t.id for t in s.scalars(select(Tracker))}
        rng = self.rng
        rounds = ["08:00 round", "12:00 round", "17:00 round", "22:00 round"]
        reasons = [
            "Busy shift",
            "Interrupted by a fall",
            "Waiting for stock",
            "Person asleep",
            "Agency staff unfamiliar",
        ]

        def rows() -> Iterator[dict[str, Any]]:
            for i in range(self.size.tracker_rows):
                home = self.homes[i % len(self.homes)]
                d = self.day(1.5)
                due_h = rng.choice((8, 12, 17, 22))
                late = max(0, int(rng.expovariate(1 / 25)))
                given = min(23 * 60 + 59, due_h * 60 + late)
                recorder = rng.choice(self.staff[home])
                yield {
                    "tracker_id": trackers[(home, "medicines_improvement")],
                    "entry_date": d,
                    "values": {
                        "date": d.isoformat(),
                        "shift": rng.choice(["Early", "Late", "Night"]),
                        "medicine_round": rng.choice(rounds),
                        "time_due": f"{due_h:02d}:00",
                        "time_given": f"{given // 60:02d}:{given % 60:02d}",
                        "minutes_late": late,
                        "reason": rng.choice(reasons) if late > 30 else "",
                        "immediate_action": "",
                        "person_informed": "",
                        "recorded_by": self.staff_names[recorder],
                    },
                    "recorded_by_id": recorder,
                    **self.stamp(),
                }

        self.counts["tracker_rows"] = bulk(self.db, TrackerEntry, rows())

    def observations(self) -> None:
        areas, outcomes = (
            list(ObservationArea),
            [Outcome.MET, Outcome.MET, Outcome.MET, Outcome.PARTLY_MET, Outcome.NOT_MET],
        )
        actions = self.action_ids

        def rows() -> Iterator[dict[str, Any]]:
            for i in range(self.size.observations):
                home = self.homes[i % len(self.homes)]
                outcome = self.rng.choice(outcomes)
                linked = self.rng.choice(actions)[0] if self.rng.random() < 0.1 else None
                yield {
                    "service_id": home,
                    "observed_at": self.when(1.5),
                    "shift": self.rng.choice(["Early", "Late", "Night"]),
                    "observer_id": self.rng.choice(self.staff[home]),
                    "staff_observed": f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}",
                    "area": self.rng.choice(areas).value,
                    "outcome": outcome.value,
                    "prompt_results": {},
                    "what_was_seen": "Checked the MAR before administering and stayed with the person.",
                    "feedback_given": "Discussed at the end of the round.",
                    "follow_up": "" if outcome is Outcome.MET else "Re-observe within a week.",
                    "follow_up_due": None,
                    "care_plan_ref": "",
                    "action_id": linked,
                    **self.stamp(),
                }

        self.counts["observations"] = bulk(self.db, Observation, rows())

    def incidents_and_logs(self) -> None:
        types, severities = list(IncidentType), list(Severity)[:4]
        handover_id = next_id(self.db, HandoverRecord)
        handovers: list[dict[str, Any]] = []
        incidents: list[dict[str, Any]] = []
        counters: dict[tuple[int, int], int] = {}
        for i in range(self.size.incidents):
            home = self.homes[i % len(self.homes)]
            at = self.when(1.3)
            n = counters[(home, at.year)] = counters.get((home, at.year), 0) + 1
            reviewed = (
                at.date() + timedelta(days=self.rng.choice([0, 0, 0, 1, 2, 9]))
                if self.rng.random() < 0.95
                else None
            )
            shared = reviewed is not None and self.rng.random() < 0.8
            if shared:
                handovers.append(
                    {
                        "id": handover_id,
                        "service_id": home,
                        "handover_date": reviewed,
                        "shift": "Late",
                        "lead_id": self.rng.choice(self.staff[home]),
                        "staff_present": "Team on shift",
                        "learning_points": "Check sensor mats are switched on.",
                        "understanding_checked": True,
                        "action_id": None,
                        **self.stamp(),
                    }
                )
            incidents.append(
                {
                    "service_id": home,
                    "reference": f"INC-{at.year}-{n:04d}",
                    "occurred_at": at,
                    "incident_type": self.rng.choice(types).value,
                    "severity": self.rng.choice(severities).value,
                    "person_ref": f"Room {self.rng.randint(1, 40)}",
                    "location": self.rng.choice(["Lounge", "Bedroom", "Corridor", "Dining room"]),
                    "description": "Found on the floor beside the bed.",
                    "immediate_action": "Checked for injury; GP informed.",
                    "reported_by": "Night senior",
                    "reviewed_on": reviewed,
                    "reviewer_id": self.rng.choice(self.staff[home]) if reviewed else None,
                    "immediate_controls": "Sensor mat in place.",
                    "cqc_notification": "Not required",
                    "cqc_notified_on": None,
                    "safeguarding_referral": False,
                    "safeguarding_referred_on": None,
                    "riddor_required": False,
                    "riddor_reported_on": None,
                    "family_informed": True,
                    "family_informed_on": at.date(),
                    "learning_point": "Check sensor mats at handover." if reviewed else "",
                    "handover_id": handover_id if shared else None,
                    "actions_completed_on": reviewed + timedelta(days=self.rng.randint(0, 10))
                    if reviewed
                    else None,
                    "closure_evidence": "",
                    "closed_on": None,
                    "reopened_on": None,
                    "reopen_reason": "",
                    "action_id": None,
                    **self.stamp(),
                }
            )
            if shared:
                handover_id += 1
        bulk(self.db, HandoverRecord, handovers)
        self.counts["incidents"] = bulk(self.db, Incident, incidents)
        self.counts["handovers"] = len(handovers)
        kinds = list(LogKind)
        self.counts["log_entries"] = bulk(
            self.db,
            LogEntry,
            (
                {
                    "service_id": self.homes[i % len(self.homes)],
                    "kind": self.rng.choice(kinds).value,
                    "entry_date": self.day(1.3),
                    "author_id": self.rng.choice(self.staff[self.homes[i % len(self.homes)]]),
                    "text": "Evening round observed; protected time kept.",
                    "action_id": None,
                    **self.stamp(),
                }
                for i in range(self.size.incidents)
            ),
        )

    def evidence(self) -> None:
        kinds = source_types()

        def rows() -> Iterator[dict[str, Any]]:
            for _ in range(self.size.evidence):
                action_id, home, created = self.rng.choice(self.action_ids)
                kind = self.rng.choice(kinds)
                collected = min(self.today, created + timedelta(days=self.rng.randint(0, 120)))
                yield {
                    "action_id": action_id,
                    "title": f"{kind.name} {collected:%d/%m/%Y}",
                    "description": "",
                    "source_type": kind.code,
                    "category": kind.category,
                    "supports": self.rng.choice(["Yes", "Yes", "Yes", "Partly", "No"]),
                    "collected_on": collected,
                    "tested_by_id": self.rng.choice(self.staff[home]),
                    "tested_on": collected,
                    "observation_id": None,
                    "incident_id": None,
                    "audit_run_id": None,
                    "meeting_item_id": None,
                    **self.stamp(),
                }

        self.counts["evidence"] = bulk(self.db, Evidence, rows())

    def meetings(self) -> None:
        meeting_id = next_id(self.db, Meeting)
        meetings, items = [], []
        types = [
            MeetingType.WEEKLY_GOVERNANCE,
            MeetingType.WEEKLY_GOVERNANCE,
            MeetingType.MONTHLY_QUALITY,
            MeetingType.STAFF,
        ]
        for i in range(self.size.meetings):
            home = self.homes[i % len(self.homes)]
            held = self.day(1.2)
            approved = held < self.today - timedelta(days=7)
            meetings.append(
                {
                    "id": meeting_id,
                    "service_id": home,
                    "meeting_type": self.rng.choice(types).value,
                    "held_on": held,
                    "chair_id": self.staff[home][0],
                    "attendee_ids": self.staff[home][:5],
                    "other_attendees": "",
                    "apologies": "",
                    "status": "Approved" if approved else "Draft",
                    "approved_by_id": self.staff[home][0] if approved else None,
                    "approved_on": held + timedelta(days=3) if approved else None,
                    **self.stamp(),
                }
            )
            for k in range(4):
                items.append(
                    {
                        "meeting_id": meeting_id,
                        "position": k,
                        "kind": "Action",
                        "title": f"Item {k + 1}",
                        "action_id": self.rng.choice(self.action_ids)[0],
                        "discussion": "Progress against the baseline discussed.",
                        "challenge": "Why did late entries rise on the weekend?",
                        "assurance": "Tracker and audit agree.",
                        "decision": self.rng.choice(["Continue", "Change controls", "Note"]),
                        "owner_id": self.staff[home][1],
                        "due_date": held + timedelta(days=14),
                        "carried_forward": False,
                        **self.stamp(),
                    }
                )
            meeting_id += 1
        self.counts["meetings"] = bulk(self.db, Meeting, meetings)
        bulk(self.db, MeetingItem, items)

    def audits(self) -> None:
        with self.db.reading() as s:
            templates = [(t.id, t.definition) for t in s.scalars(select(AuditTemplate))]
        run_id = next_id(self.db, AuditRun)
        runs, answers = [], []
        for home in self.homes:
            for template_id, definition in templates:
                d = self.start
                while d < self.today:
                    yes = no = 0
                    for section in definition["sections"]:
                        for q in section["questions"]:
                            a = self.rng.choice(["Yes", "Yes", "Yes", "No", "N/A"])
                            yes += a == "Yes"
                            no += a == "No"
                            answers.append(
                                {
                                    "run_id": run_id,
                                    "section": section["title"],
                                    "question_key": q["key"],
                                    "answer": a,
                                    "comment": "",
                                    "evidence_note": "",
                                    "action_id": None,
                                }
                            )
                    runs.append(
                        {
                            "id": run_id,
                            "template_id": template_id,
                            "service_id": home,
                            "run_on": d,
                            "auditor_id": self.staff[home][3],
                            "sample_size": 10 if definition.get("record_sample") else None,
                            "score_percent": round(100 * yes / (yes + no), 1) if yes + no else None,
                            "notes": "",
                            "action_id": None,
                            **self.stamp(),
                        }
                    )
                    run_id += 1
                    d += timedelta(days=28)
        self.counts["audit_runs"] = bulk(self.db, AuditRun, runs)
        bulk(self.db, AuditAnswer, answers)

    def run(self) -> dict[str, int]:
        self.counts: dict[str, int] = {}
        for step in (
            self.setup,
            self.plans,
            self.tracker_rows,
            self.observations,
            self.incidents_and_logs,
            self.evidence,
            self.meetings,
            self.audits,
        ):
            t0 = time.perf_counter()
            step()
            print(f"  {step.__name__:<20} {time.perf_counter() - t0:6.1f} s", file=sys.stderr)
        with self.db.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
        return self.counts


def generate(
    path: Path, *, quick: bool = False, seed: int = 7, today: date | None = None
) -> dict[str, int]:
    if path.exists():
        raise SystemExit(f"{path} already exists; give a new file name.")
    db = Database(resolve(str(path)))
    try:
        return Generator(db, QUICK if quick else FULL, today or date(2026, 11, 26), seed).run()
    finally:
        db.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--quick", action="store_true", help="a smaller dataset (about a tenth)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 11, 26))
    args = parser.parse_args()
    t0 = time.perf_counter()
    counts = generate(args.db, quick=args.quick, seed=args.seed, today=args.today)
    print(", ".join(f"{k.replace('_', ' ')}: {v:,}" for k, v in counts.items()))
    print(f"Generated {args.db} in {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
