"""Generate the large-provider dataset: 10 homes × 5 years, deterministic.

    python bench/generate.py --db /tmp/large.sqlite3 [--quick] [--seed 7] [--today 2026-11-26]

Small set-up (homes, people, users, tracker definitions, audit templates) goes through the
services; the volume goes in with bulk Core inserts in large transactions (one executemany per
chunk), which is what a migration or an import of years of paper records would do. Columns the
services keep in step with others (a tracker row's search text, an incident's "learning met") are
filled in with the services' own functions. Counts (full size): 200,000 tracker rows over two
trackers per home, 50,000 observations, 20,000 incidents, 20,000 log entries, 10,000 evidence
items, 1,000 actions with steps, reviews and measure points, 2,000 meetings with minutes, monthly
audit runs, and 200,000 audit-trail entries hash-chained on from the set-up's own (``--quick``:
about a tenth). Dates lean towards recent years; incident types and harm follow the proportions
care homes report (falls first); older records are reviewed and closed, recent ones still open.

The database has an administrator (``BENCH_USER``) and a manager for each home, so the app opens
it as a provider's would: through the sign-in.
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
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Table, insert, select

from cqc_desktop.config import resolve
from cqc_desktop.db import Database
from cqc_desktop.models import (
    Action,
    ActionStep,
    AuditAnswer,
    AuditChainHead,
    AuditLog,
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
    CqcNotification,
    IncidentType,
    KeyQuestion,
    LogKind,
    MeetingType,
    ObservationArea,
    Origin,
    Outcome,
    RiskArea,
    Role,
    Severity,
)
from cqc_desktop.models.search_index import (
    SEARCH_INDEXES,
    SearchIndex,
    create_statements,
    drop_statements,
)
from cqc_desktop.services.governance.audits import install_builtin_audit_templates
from cqc_desktop.services.records.incident_status import learning_within_days
from cqc_desktop.services.records.tracker_values import search_text
from cqc_desktop.services.records.trackers import install_builtin_trackers
from cqc_desktop.services.reference import framework, source_types
from cqc_desktop.services.setup import people
from cqc_desktop.services.trust import users
from cqc_desktop.services.trust.audit_trail import GENESIS, entry_hash, value_text
from cqc_desktop.services.trust.permissions import SESSION_KEY

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


LOG_TEXTS = [
    "Evening round observed; protected time kept.",
    "Agency nurse on nights: induction checklist completed before the round.",
    "Two staff off sick; shifts covered from the bank.",
    "Sensor mat checks done at handover on every floor.",
    "Pharmacy delivery late; stock checked and GP informed.",
    "Family meeting held about changes to the care plan.",
    "Fire door on the first floor repaired.",
    "Supervision sessions booked for the care team this week.",
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
    audit_entries: int = 0  # history in the audit trail, on top of what the set-up records


FULL = Size(10, 5, 200_000, 50_000, 20_000, 10_000, 1_000, 2_000, 200_000)
QUICK = Size(3, 2, 20_000, 5_000, 2_000, 1_000, 120, 200, 20_000)

# Who the benchmark signs in as (the database has an administrator and a manager per home, as a
# provider's would). Not a secret: the generated data is made up.
BENCH_USER = "bench.admin"
BENCH_PASSWORD = "benchmark-only-password"
MANAGER_PASSWORD = "benchmark-manager-password"

# How often each kind of incident happens in care homes (falls dominate every provider's log).
INCIDENT_WEIGHTS = {
    IncidentType.FALL: 40,
    IncidentType.MEDICATION: 14,
    IncidentType.BEHAVIOUR: 12,
    IncidentType.INJURY: 10,
    IncidentType.PRESSURE_DAMAGE: 8,
    IncidentType.SAFEGUARDING: 7,
    IncidentType.OTHER: 7,
    IncidentType.MISSING_PERSON: 2,
}
SEVERITY_WEIGHTS = {
    Severity.NO_HARM: 55,
    Severity.LOW: 32,
    Severity.MODERATE: 10,
    Severity.SEVERE: 2.7,
    Severity.DEATH: 0.3,
}


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
            admin = users.create_first_administrator(
                s, BENCH_USER, "Benchmark administrator", BENCH_PASSWORD, BENCH_PASSWORD
            )
            s.info[SESSION_KEY] = users.actor_for(admin)
            self.usernames = [BENCH_USER]
            for n, home_id in enumerate(self.homes, start=1):
                person_id = self.staff[home_id][0]
                manager = users.create_user(
                    s,
                    users.UserInput(
                        f"manager.{n}",
                        self.staff_names[person_id],
                        Role.MANAGER.value,
                        person_id=person_id,
                    ),
                    MANAGER_PASSWORD,
                    MANAGER_PASSWORD,
                )
                self.usernames.append(manager.username)

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
        """Nine rows in ten go to the medicines improvement tracker (a row per late dose, every
        day), the rest to the care planning tracker (a row per care plan review)."""
        with self.db.reading() as s:
            trackers = {
                (t.service_id, t.key): (t.id, t.columns) for t in s.scalars(select(Tracker))
            }
        rng = self.rng
        reasons = [
            "Busy shift",
            "Interrupted by a fall",
            "Waiting for stock",
            "Person asleep",
            "Agency staff unfamiliar",
        ]
        people_refs = [f"Room {n}" for n in range(1, 41)]

        def medicines(home: int, d: date, recorder: int) -> dict[str, Any]:
            due_h = rng.choice((8, 12, 17, 22))
            late = max(0, int(rng.expovariate(1 / 25)))
            given = min(23 * 60 + 59, due_h * 60 + late)
            return {
                "date": d.isoformat(),
                "shift": rng.choice(["Early", "Late", "Night"]),
                "medicine_round": f"{due_h:02d}:00 round",
                "time_due": f"{due_h:02d}:00",
                "time_given": f"{given // 60:02d}:{given % 60:02d}",
                "minutes_late": late,
                "reason": rng.choice(reasons) if late > 30 else "",
                "immediate_action": "",
                "person_informed": "",
                "recorded_by": self.staff_names[recorder],
            }

        def care_planning(home: int, d: date, recorder: int) -> dict[str, Any]:
            reviewed = rng.random() < 0.85
            observed = reviewed and rng.random() < 0.7
            return {
                "person_ref": rng.choice(people_refs),
                "risk_area": rng.choice(["Mobility", "Communication", "Nutrition"]),
                "review_due": d.isoformat(),
                "reviewed_on": (d + timedelta(days=rng.randint(-3, 6))).isoformat()
                if reviewed
                else None,
                "key_worker": self.staff_names[recorder],
                "changes_agreed": reviewed and rng.random() < 0.6,
                "observed_on": (d + timedelta(days=rng.randint(3, 14))).isoformat()
                if observed
                else None,
                "observation_outcome": rng.choice(["Met", "Met", "Met", "Partly met", "Not met"])
                if observed
                else None,
                "audited": observed and rng.random() < 0.5,
            }

        def rows() -> Iterator[dict[str, Any]]:
            for i in range(self.size.tracker_rows):
                home = self.homes[i % len(self.homes)]
                d = self.day(1.5)
                recorder = rng.choice(self.staff[home])
                key, make = (
                    ("care_planning_improvement", care_planning)
                    if (i // len(self.homes)) % 10 == 9
                    else ("medicines_improvement", medicines)
                )
                tracker_id, columns = trackers[(home, key)]
                values = {k: v for k, v in make(home, d, recorder).items() if v is not None}
                yield {
                    "tracker_id": tracker_id,
                    "entry_date": d,
                    "values": values,
                    "search_text": search_text(columns, values),
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
        types, type_weights = list(INCIDENT_WEIGHTS), list(INCIDENT_WEIGHTS.values())
        severities, severity_weights = list(SEVERITY_WEIGHTS), list(SEVERITY_WEIGHTS.values())
        handover_id = next_id(self.db, HandoverRecord)
        handovers: list[dict[str, Any]] = []
        incidents: list[dict[str, Any]] = []
        counters: dict[tuple[int, int], int] = {}
        rng = self.rng
        for i in range(self.size.incidents):
            home = self.homes[i % len(self.homes)]
            at = self.when(1.3)
            n = counters[(home, at.year)] = counters.get((home, at.year), 0) + 1
            kind = rng.choices(types, type_weights)[0]
            severity = rng.choices(severities, severity_weights)[0]
            age = (self.today - at.date()).days
            # Older incidents are reviewed and closed; the last few weeks are still being worked.
            reviewed = (
                at.date() + timedelta(days=rng.choice([0, 0, 0, 1, 2, 9]))
                if rng.random() < (0.98 if age > 14 else 0.6)
                else None
            )
            if reviewed is not None and reviewed > self.today:
                reviewed = None
            shared = reviewed is not None and rng.random() < 0.8
            if shared:
                handovers.append(
                    {
                        "id": handover_id,
                        "service_id": home,
                        "handover_date": reviewed,
                        "shift": rng.choice(["Early", "Late", "Night"]),
                        "lead_id": rng.choice(self.staff[home]),
                        "staff_present": "Team on shift",
                        "learning_points": "Check sensor mats are switched on.",
                        "understanding_checked": rng.random() < 0.9,
                        "action_id": None,
                        **self.stamp(),
                    }
                )
            done = (
                min(self.today, reviewed + timedelta(days=rng.choice([0, 1, 2, 3, 5, 8, 12])))
                if reviewed
                else None
            )
            learning = "Check sensor mats at handover." if reviewed else ""
            closed = (
                done + timedelta(days=rng.randint(0, 14))
                if done and age > 30 and rng.random() < 0.9
                else None
            )
            serious = severity in (Severity.SEVERE, Severity.DEATH)
            notification = (
                CqcNotification.REG16
                if severity is Severity.DEATH
                else CqcNotification.REG18
                if serious or kind is IncidentType.SAFEGUARDING
                else CqcNotification.NONE
            )
            safeguarding = kind is IncidentType.SAFEGUARDING or (serious and rng.random() < 0.5)
            riddor = serious and kind in (IncidentType.FALL, IncidentType.INJURY)
            record = {
                "service_id": home,
                "reference": f"INC-{at.year}-{n:04d}",
                "occurred_at": at,
                "incident_type": kind.value,
                "severity": severity.value,
                "person_ref": f"Room {rng.randint(1, 40)}",
                "location": rng.choice(["Lounge", "Bedroom", "Corridor", "Dining room"]),
                "description": "Found on the floor beside the bed.",
                "immediate_action": "Checked for injury; GP informed.",
                "reported_by": "Night senior",
                "reviewed_on": reviewed,
                "reviewer_id": rng.choice(self.staff[home]) if reviewed else None,
                "immediate_controls": "Sensor mat in place.",
                "cqc_notification": notification.value,
                "cqc_notified_on": at.date() + timedelta(days=rng.randint(0, 2))
                if notification is not CqcNotification.NONE
                else None,
                "safeguarding_referral": safeguarding,
                "safeguarding_referred_on": at.date() if safeguarding else None,
                "riddor_required": riddor,
                "riddor_reported_on": at.date() + timedelta(days=rng.randint(1, 9))
                if riddor
                else None,
                "family_informed": rng.random() < 0.97,
                "family_informed_on": at.date(),
                "learning_point": learning,
                "handover_id": handover_id if shared else None,
                "actions_completed_on": done,
                "closure_evidence": "Learning shared and checked." if closed else "",
                "closed_on": closed,
                "reopened_on": None,
                "reopen_reason": "",
                "action_id": None,
                **self.stamp(),
            }
            record["learning_met"] = learning_within_days(SimpleNamespace(**record))
            incidents.append(record)
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
                    "text": self.rng.choice(LOG_TEXTS),
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

    # --- the audit trail: five years of changes, hash-chained ---------------------------------
    def audit_history(self) -> None:
        """Trail entries for a sample of the records made above, as the app writes them: one
        entry per filled-in field when a record is created, and the incident reviews as changes,
        each at the time the record is dated, chained on from what the set-up recorded."""
        target = self.size.audit_entries
        if not target:
            return
        rng = self.rng
        sources: list[tuple[type, str, float]] = [
            (TrackerEntry, "entry_date", 0.45),
            (Review, "review_date", 0.2),
            (Observation, "observed_at", 0.15),
            (Incident, "occurred_at", 0.1),
            (LogEntry, "entry_date", 0.1),
        ]
        skip = {"id", "created_at", "updated_at"}
        events: list[tuple[datetime, str, int, str, list[tuple[str, str | None, str | None]]]] = []
        with self.db.engine.connect() as conn:
            for model, dated_by, share in sources:
                table: Table = model.__table__  # type: ignore[attr-defined]
                ids = list(conn.execute(select(table.c.id)).scalars())
                # About eight filled-in fields per record: enough records for this share.
                wanted = sorted(rng.sample(ids, min(len(ids), int(target * share / 8) + 1)))
                for start in range(0, len(wanted), 900):
                    chunk = wanted[start : start + 900]
                    for row in conn.execute(select(table).where(table.c.id.in_(chunk))).mappings():
                        dated = row[dated_by]
                        at = (
                            dated
                            if isinstance(dated, datetime)
                            else datetime(dated.year, dated.month, dated.day, rng.randint(7, 21))
                        ) + timedelta(minutes=rng.randint(1, 50))
                        fields = [
                            (c.name, None, value_text(row[c.name]))
                            for c in table.columns
                            if c.name not in skip and value_text(row[c.name]) not in (None, "")
                        ]
                        events.append((at, model.__name__, row["id"], "insert", fields))
                        if model is Incident and row["reviewed_on"] is not None:
                            reviewed = row["reviewed_on"]
                            events.append(
                                (
                                    max(
                                        at,
                                        datetime(reviewed.year, reviewed.month, reviewed.day, 15),
                                    ),
                                    "Incident",
                                    row["id"],
                                    "update",
                                    [
                                        ("reviewed_on", None, value_text(reviewed)),
                                        ("reviewer_id", None, value_text(row["reviewer_id"])),
                                        ("learning_point", "", row["learning_point"]),
                                    ],
                                )
                            )
            events.sort(key=lambda e: (e[0], e[1], e[2]))
            head = conn.execute(
                select(AuditChainHead.last_id, AuditChainHead.last_hash).where(
                    AuditChainHead.id == 1
                )
            ).first()
        last_id, prev = (int(head[0]), str(head[1])) if head is not None else (0, GENESIS)
        rows: list[dict[str, Any]] = []
        for at, record_type, record_id, operation, fields in events:
            username = rng.choice(self.usernames)
            for field, old, new in fields:
                last_id += 1
                digest = entry_hash(
                    prev, last_id, at, username, record_type, record_id, operation, field, old, new
                )
                rows.append(
                    {
                        "id": last_id,
                        "at": at,
                        "username": username,
                        "record_type": record_type,
                        "record_id": record_id,
                        "operation": operation,
                        "field": field,
                        "old_value": old,
                        "new_value": new,
                        "prev_hash": prev,
                        "hash": digest,
                    }
                )
                prev = digest
        self.counts["audit_entries"] = bulk(self.db, AuditLog, rows)
        with self.db.engine.begin() as conn:
            if head is None:
                conn.execute(insert(AuditChainHead).values(id=1, last_id=last_id, last_hash=prev))
            else:
                conn.execute(
                    AuditChainHead.__table__.update()  # type: ignore[attr-defined]
                    .where(AuditChainHead.id == 1)
                    .values(last_id=last_id, last_hash=prev)
                )

    def run(self) -> dict[str, int]:
        self.counts: dict[str, int] = {}
        # The search indexes' triggers would index every bulk-inserted row one at a time; set
        # them aside and build each index once at the end (the same statements migration 0002 runs).
        search_indexes = self._search_indexes()
        with self.db.engine.begin() as conn:
            for index in search_indexes:
                for statement in drop_statements(index):
                    conn.exec_driver_sql(statement)
        for step in (
            self.setup,
            self.plans,
            self.tracker_rows,
            self.observations,
            self.incidents_and_logs,
            self.evidence,
            self.meetings,
            self.audits,
            self.audit_history,
        ):
            t0 = time.perf_counter()
            step()
            print(f"  {step.__name__:<20} {time.perf_counter() - t0:6.1f} s", file=sys.stderr)
        t0 = time.perf_counter()
        with self.db.engine.begin() as conn:
            for index in search_indexes:
                for statement in create_statements(index):
                    conn.exec_driver_sql(statement)
        print(f"  {'search_indexes':<20} {time.perf_counter() - t0:6.1f} s", file=sys.stderr)
        with self.db.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
        return self.counts

    def _search_indexes(self) -> list[SearchIndex]:
        """The search indexes this database has (none where SQLite lacks the trigram tokenizer)."""
        with self.db.engine.connect() as conn:
            names = {
                row[0]
                for row in conn.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                )
            }
        return [index for index in SEARCH_INDEXES if index.name in names]


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
