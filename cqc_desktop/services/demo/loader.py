"""Demo data: one care home twelve weeks into a CQC recovery plan, built from the worked scenarios.

Everything goes through the same services the app uses (validation on), so the demo cannot hold
data the app itself would refuse. All dates are relative to ``today`` and the only variety comes
from ``random.Random(2026)``, so the same ``today`` always gives the same database. Nothing is
committed here: the caller (the CLI's ``--demo``) owns the transaction.

This module holds the entry point, the home and its people, and scenario 1 (late medicines);
``demo_scenarios`` holds scenarios 2 and 3, the smaller actions and the governance meetings.
"""

from __future__ import annotations

import random
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...models import (
    Action,
    Attachment,
    AuditRun,
    AuditTemplate,
    Evidence,
    Finding,
    HandoverRecord,
    Incident,
    LogEntry,
    Measure,
    MeasurePoint,
    Meeting,
    MeetingItem,
    Observation,
    Person,
    Plan,
    Review,
    Service,
    Tracker,
    TrackerEntry,
)
from ...models.base import Base
from ...models.enums import (
    Decision,
    Direction,
    KeyQuestion,
    LogKind,
    MeetingDecision,
    ObservationArea,
    Origin,
    Outcome,
    Rag,
    ReviewLevel,
    RiskArea,
    Shift,
    TargetKind,
)
from ..errors import ServiceError
from ..governance.audit_runs import record_audit_run
from ..governance.audits import install_builtin_audit_templates
from ..governance.meetings import add_meeting_item
from ..governance.minutes import record_item_minute
from ..plans.actions import ActionInput, StepInput, create_action, record_review
from ..plans.evidence import EvidenceInput, add_evidence
from ..plans.measure_data import MeasureInput, create_measure, record_point
from ..plans.plans import FindingInput, PlanInput, create_finding, create_plan
from ..records.logs import add_log_entry, observation_prompts, record_observation
from ..records.trackers import add_tracker_entry, install_builtin_trackers
from ..setup.people import create_person, create_service
from ..trust.permissions import Permission, require
from . import scenarios

SEED = 2026
WEEKS = 12
HOME_NAME = "Willow Court Care Home"
PROVIDER_NAME = "Evergreen Care Group"
MEDICINES_ACTION = "Stop late evening medicines administration"

# (key, name, role, provider-level). Names include non-ASCII letters on purpose: every report and
# export must print them correctly.
PEOPLE: tuple[tuple[str, str, str, bool], ...] = (
    ("rm", "Zoë Hart", "Registered manager", False),
    ("deputy", "Siobhán Murphy", "Deputy manager", False),
    ("evening_senior", "Łukasz Nowak", "Evening senior", False),
    ("medicines_lead", "Nguyễn Thị Lan", "Medicines lead", False),
    ("care_coordinator", "Priya Raman", "Care coordinator", False),
    ("key_worker", "Chidi Okafor", "Key worker", False),
    ("senior_carer", "Gareth Llewellyn", "Senior carer", False),
    ("team_leader", "Kwame Mensah", "Team leader", False),
    ("duty_manager", "Renée Clarke", "Duty manager", False),
    ("quality_lead", "Fatima Begum", "Quality lead", False),
    ("carer_a", "Bethan Hughes", "Care assistant", False),
    ("carer_b", "José Fernandes", "Care assistant", False),
    ("governance_lead", "Marcus Whitfield", "Provider governance lead", True),
    ("nominated_individual", "Margaret Ellis-Pryce", "Nominated individual", True),
)


class DatabaseNotEmpty(ServiceError):
    def __init__(self) -> None:
        super().__init__(
            "This database already has data in it; the demo is only loaded into an empty "
            "database. Use a new file with --db."
        )


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


@dataclass(frozen=True)
class DemoSummary:
    """What was created, counted from the database, for the CLI to print."""

    homes: int
    people: int
    plans: int
    findings: int
    actions: int
    reviews: int
    measures: int
    measure_points: int
    evidence: int
    attachments: int
    tracker_entries: int
    observations: int
    incidents: int
    handovers: int
    log_entries: int
    audit_runs: int
    meetings: int

    def describe(self) -> str:
        parts = [
            _plural(self.homes, "home", "homes"),
            _plural(self.people, "person", "people"),
            _plural(self.plans, "plan", "plans"),
            _plural(self.findings, "finding", "findings"),
            _plural(self.actions, "action", "actions"),
            _plural(self.reviews, "review", "reviews"),
            _plural(self.measures, "measure", "measures")
            + f" ({_plural(self.measure_points, 'point', 'points')})",
            _plural(self.evidence, "evidence item", "evidence items"),
            _plural(self.attachments, "attached file", "attached files"),
            _plural(self.tracker_entries, "tracker row", "tracker rows"),
            _plural(self.observations, "observation", "observations"),
            _plural(self.incidents, "incident", "incidents"),
            _plural(self.handovers, "handover", "handovers"),
            _plural(self.log_entries, "log entry", "log entries"),
            _plural(self.audit_runs, "audit run", "audit runs"),
            _plural(self.meetings, "meeting", "meetings"),
        ]
        return "Demo data created: " + ", ".join(parts) + "."


@dataclass
class DemoContext:
    """The shared state of one demo build: the home, its people, the calendar and the meetings."""

    session: Session
    today: date
    rng: random.Random
    service: Service
    people: dict[str, Person]
    # Mondays of the twelve weeks; the last is the week containing ``today``.
    weeks: list[date]
    trackers: dict[str, Tracker]
    templates: dict[str, AuditTemplate]
    # Weekly governance meetings by week number (a week whose meeting day is after today has none).
    weekly_meetings: dict[int, Meeting] = field(default_factory=dict)
    quality_meeting: Meeting | None = None
    provider_meeting: Meeting | None = None
    cqc_plan: Plan | None = None
    actions: dict[str, Action] = field(default_factory=dict)

    @property
    def report_date(self) -> date:
        return self.today - timedelta(weeks=WEEKS)

    def on(self, week: int, offset: int = 0) -> date:
        """A day in a week (0 = Monday), never later than today."""
        return min(self.weeks[week] + timedelta(days=offset), self.today)

    def days_in(self, week: int) -> int:
        """How many days of the week have happened (7 except in the current week)."""
        return (self.on(week, 6) - self.weeks[week]).days + 1

    def pid(self, key: str) -> int:
        return self.people[key].id

    def name(self, key: str) -> str:
        return self.people[key].name

    def minute_and_review(
        self,
        meeting: Meeting,
        action: Action,
        *,
        decision: Decision,
        progress: str,
        rag: Rag,
        reviewer: str,
        challenge: str = "",
        assurance: str = "",
        owner: str | None = None,
        due: date | None = None,
        level: ReviewLevel = ReviewLevel.MANAGER,
    ) -> MeetingItem:
        """Minute an action at a meeting and record the matching review, linked to the item."""
        item = add_meeting_item(
            self.session,
            meeting.id,
            f"{action.reference} {action.title}",
            "Action review",
            action_id=action.id,
        )
        record_item_minute(
            self.session,
            item.id,
            progress,
            challenge,
            assurance,
            MeetingDecision(decision.value).value,
            owner_id=self.pid(owner) if owner else None,
            due_date=due,
        )
        record_review(
            self.session,
            action.id,
            review_date=meeting.held_on,
            reviewer_id=self.pid(reviewer),
            progress=progress,
            rag=rag.value,
            decision=decision.value,
            level=level.value,
            meeting_item_id=item.id,
            today=self.today,
        )
        return item


def _week_starts(today: date) -> list[date]:
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=WEEKS - 1 - i) for i in range(WEEKS)]


def seed_demo(session: Session, today: date, attachments_dir: Path | None = None) -> DemoSummary:
    """Fill an empty database with the demo home. Raises DatabaseNotEmpty if any home exists."""
    require(session, Permission.MANAGE)
    if session.scalar(select(func.count()).select_from(Service)):
        raise DatabaseNotEmpty()
    service = create_service(
        session,
        HOME_NAME,
        provider_name=PROVIDER_NAME,
        address="14 Willow Lane, Harrogate, North Yorkshire HG2 7QT",
        cqc_location_id="1-123456789",
        current_rating="Requires improvement",
    )
    people = {
        key: create_person(session, name, role, service_id=None if provider else service.id)
        for key, name, role, provider in PEOPLE
    }
    trackers = {t.key: t for t in install_builtin_trackers(session, service.id)}
    templates = {t.key: t for t in install_builtin_audit_templates(session) if t.current}
    ctx = DemoContext(
        session=session,
        today=today,
        rng=random.Random(SEED),
        service=service,
        people=people,
        weeks=_week_starts(today),
        trackers=trackers,
        templates=templates,
    )
    ctx.cqc_plan = create_plan(
        session,
        PlanInput(
            service_id=service.id,
            title=f"CQC inspection {ctx.report_date:%B %Y}",
            origin=Origin.CQC_INSPECTION.value,
            report_date=ctx.report_date,
            rating="Requires improvement",
            summary="Rated Requires improvement overall (Safe and Well-led Requires improvement). "
            "Breaches of Regulations 9, 12 and 17: late evening medicines, care plans that did not "
            "match the support given, and incident learning that was recorded but not shared.",
        ),
    )
    scenarios.create_meetings(ctx)
    with tempfile.TemporaryDirectory(prefix="cqc-demo-") as tmp:
        files = _write_demo_files(ctx, Path(tmp)) if attachments_dir is not None else []
        _medicines_scenario(ctx, files, attachments_dir)
    scenarios.care_plan_scenario(ctx)
    scenarios.incident_scenario(ctx)
    scenarios.smaller_actions(ctx)
    scenarios.routine_logs(ctx)
    scenarios.approve_meetings(ctx)
    return _summary(session)


def _summary(session: Session) -> DemoSummary:
    def count(model: type[Base]) -> int:
        return session.scalar(select(func.count()).select_from(model)) or 0

    return DemoSummary(
        homes=count(Service),
        people=count(Person),
        plans=count(Plan),
        findings=count(Finding),
        actions=count(Action),
        reviews=count(Review),
        measures=count(Measure),
        measure_points=count(MeasurePoint),
        evidence=count(Evidence),
        attachments=count(Attachment),
        tracker_entries=count(TrackerEntry),
        observations=count(Observation),
        incidents=count(Incident),
        handovers=count(HandoverRecord),
        log_entries=count(LogEntry),
        audit_runs=count(AuditRun),
        meetings=count(Meeting),
    )


# --- scenario 1: late medicines administration ------------------------------------------------

MED_BASELINE = 15
# Late (> 30 minutes) entries per week: falling, then holding at or below the target of 3.
MED_LATE = (14, 12, 10, 8, 6, 4, 3, 2, 3, 2, 1, 1)
# Entries up to 30 minutes late, recorded for learning but not counted by the measure.
MED_MINOR = (2, 2, 1, 2, 1, 1, 1, 1, 0, 1, 1, 0)
ROUNDS = (
    (Shift.LATE, "17:00", "Teatime round – Oak unit"),
    (Shift.LATE, "18:00", "Evening round – Oak unit (time-critical Levodopa)"),
    (Shift.LATE, "20:00", "Evening round – Beech unit"),
    (Shift.NIGHT, "22:00", "Night round – Beech unit"),
)
EARLY_REASONS = (
    "Busy shift – answering call bells during the round",
    "Handover ran over, so the round started late",
    "Senior called away to help after a fall",
    "Nobody allocated to the round on the allocation sheet",
    "Agency carer unsure who was giving medicines",
)
LATER_REASONS = (
    "GP phoned during the round",
    "Person asleep; offered again later as the care plan allows",
    "Pharmacy delivery checked in during the round",
    "Busy shift – two admissions on the late shift",
)


def _medicines_scenario(ctx: DemoContext, files: list[Path], attachments_dir: Path | None) -> None:
    s, w = ctx.session, ctx.weeks
    assert ctx.cqc_plan is not None
    finding = create_finding(
        s,
        ctx.cqc_plan.id,
        FindingInput(
            title="Evening medicines repeatedly given late",
            key_question=KeyQuestion.SAFE.value,
            risk_area=RiskArea.MEDICINES.value,
            likelihood=4,
            impact=4,
            statement_codes=["S8"],
            breached_regulation="12",
            description="MAR charts showed repeated late administration on the evening round, "
            "including time-critical Parkinson's medicines given over an hour late.",
            root_cause="Handover overran into the 17:00 round and the allocation sheet did not name "
            "who gave evening medicines, so the senior was interrupted for other tasks.",
            immediate_control="Registered manager named a medicines lead on every late shift from the "
            "day of feedback; time-critical doses checked by the senior at 18:30.",
        ),
    )
    people = ctx.name
    action = create_action(
        s,
        finding.id,
        ActionInput(
            title=MEDICINES_ACTION,
            accountable_lead_id=ctx.pid("rm"),
            due_date=w[0] + timedelta(weeks=WEEKS),
            description="Make the evening round protected time with a named medicines lead, and check "
            "daily until late administration falls by 80 % and stays there.",
            early_warning_signs="Repeated “busy shift” explanations on the tracker; protected time "
            "missed on the rota; more interruptions seen on observed rounds.",
            escalation_route=f"Medicines lead to {people('rm')} the same evening; "
            f"{people('rm')} to {people('governance_lead')} if two late doses in a week.",
            oversight_plan=f"After closure {people('medicines_lead')} audits MARs weekly for three "
            f"months, then monthly; {people('governance_lead')} reviews the trend in the monthly QA "
            "report and the action reopens on any repeated late administration.",
            triggers="Any repeated late administration; an unexplained gap on a MAR; staff report "
            "that protected time is not followed.",
            steps=[
                StepInput(
                    f"{people('deputy')} reviews 4 weeks of MAR records and records findings",
                    ctx.pid("deputy"),
                    "Medicines improvement tracker",
                    w[0] + timedelta(7),
                    w[0] + timedelta(4),
                ),
                StepInput(
                    "Evening senior observes two evening rounds",
                    ctx.pid("evening_senior"),
                    "Daily governance log",
                    w[1] + timedelta(6),
                    w[1] + timedelta(2),
                ),
                StepInput(
                    "Revise the allocation sheet and name a protected medicines lead each shift",
                    ctx.pid("rm"),
                    "Rota notes; staff communication book",
                    w[1] + timedelta(6),
                    w[1] + timedelta(4),
                ),
                StepInput(
                    "Medicines lead checks MARs daily for two weeks",
                    ctx.pid("medicines_lead"),
                    "Medication audit template (exception, reason, immediate action, person "
                    "informed)",
                    w[3] + timedelta(6),
                    w[3] + timedelta(4),
                ),
                StepInput(
                    "Provider governance lead reviews weekly trends against baseline",
                    ctx.pid("governance_lead"),
                    "Monthly QA report (decision to keep, change or close controls)",
                    w[10] + timedelta(6),
                    ctx.on(10, 3),
                ),
            ],
        ),
        today=w[0],
    )
    ctx.actions["medicines"] = action
    measure = create_measure(
        s,
        action.id,
        MeasureInput(
            name="Late medicines entries per week",
            direction=Direction.LOWER.value,
            baseline_value=MED_BASELINE,
            target_kind=TargetKind.RELATIVE.value,
            target_value=-80,
            unit="entries",
            target_date=w[0] + timedelta(weeks=8),
            baseline_period=f"4 weeks of MAR review before {ctx.report_date:%d/%m/%Y}",
            data_source="Medicines improvement tracker: entries more than 30 minutes late",
        ),
    )
    for i, week in enumerate(w):
        record_point(s, measure.id, week, MED_LATE[i], note="Counted from the tracker")
    _medicines_tracker(ctx)
    runs = _medication_audits(ctx, action)
    observed = _medicines_observations(ctx, action)
    _medicines_logs(ctx, action)
    items = _medicines_reviews(ctx, action)
    _medicines_evidence(ctx, action, runs[-1], observed, items, files, attachments_dir)


def _hhmm(text: str, minutes: int) -> str:
    start = datetime.combine(date(2000, 1, 1), time.fromisoformat(text))
    return (start + timedelta(minutes=minutes)).strftime("%H:%M")


def _medicines_tracker(ctx: DemoContext) -> None:
    rng, tracker = ctx.rng, ctx.trackers["medicines_improvement"]
    for i in range(WEEKS):
        recorder = "deputy" if i == 0 else "medicines_lead"
        reasons = EARLY_REASONS if i < 4 else LATER_REASONS
        for n in range(MED_LATE[i] + MED_MINOR[i]):
            late = n < MED_LATE[i]
            minutes = rng.randint(35, 95) if late else rng.randint(10, 30)
            shift, due, round_name = rng.choice(ROUNDS)
            informed = (
                "Senior on duty"
                if not late
                else rng.choice(
                    ("Senior on duty and GP surgery", "Registered manager", "Person and family")
                )
            )
            add_tracker_entry(
                ctx.session,
                tracker.id,
                {
                    "date": ctx.on(i, rng.randrange(ctx.days_in(i))),
                    "shift": shift.value,
                    "medicine_round": round_name,
                    "time_due": due,
                    "time_given": _hhmm(due, minutes),
                    "minutes_late": minutes,
                    "reason": rng.choice(reasons),
                    "immediate_action": "Dose given and actual time recorded; interval to the next "
                    "dose checked"
                    if late
                    else "Actual time recorded",
                    "person_informed": informed,
                    "recorded_by": ctx.name(recorder),
                },
                recorded_by_id=ctx.pid(recorder),
            )


def _medication_audits(ctx: DemoContext, action: Action) -> list[AuditRun]:
    template = ctx.templates["medication_audit"]
    keys = [q["key"] for sec in template.definition["sections"] for q in sec["questions"]]
    exceptions = (
        ("times_within_window", "times_protected", "times_late_reported", "mar_no_gaps"),
        ("times_protected",),
        (),
    )
    runs = []
    for week, noes in zip((2, 6, 10), exceptions, strict=True):
        answers = {k: "No" if k in noes else "Yes" for k in keys}
        # Nobody at Willow Court has covert medicines, so those questions do not apply.
        answers.update({"covert_mca_best_interests": "N/A", "covert_pharmacist_advice": "N/A"})
        comments = {
            k: f"Exception found on the daily check. Reason: {ctx.rng.choice(EARLY_REASONS)}. "
            f"Immediate action: dose time checked with the pharmacist. Person informed: "
            f"{ctx.name('rm')}."
            for k in noes
        }
        run = record_audit_run(
            ctx.session,
            template.id,
            ctx.service.id,
            ctx.on(week, 2),
            ctx.pid("medicines_lead"),
            answers,
            comments,
            sample_size=10,
            notes="Ten MARs sampled from the evening round."
            if noes
            else "Ten MARs sampled; no exceptions on administration times.",
        )
        # record_audit_run has no action parameter, so the link is set on the model directly.
        run.action_id = action.id
        runs.append(run)
    ctx.session.flush()
    return runs


def _medicines_observations(ctx: DemoContext, action: Action) -> Observation:
    prompts = observation_prompts(ObservationArea.MEDICINES_ROUND.value)
    observed = None
    for week, day, outcome in (
        (1, 1, Outcome.PARTLY_MET),
        (1, 2, Outcome.PARTLY_MET),
        (8, 2, Outcome.MET),
    ):
        met = outcome == Outcome.MET
        results: dict[str, str | bool] = {p: True for p in prompts}
        if not met:
            results[prompts[0]] = False
            results[prompts[5]] = False
        observed = record_observation(
            ctx.session,
            ctx.service.id,
            datetime.combine(ctx.on(week, day), time(18, 0)),
            ObservationArea.MEDICINES_ROUND.value,
            outcome.value,
            ctx.pid("evening_senior"),
            ctx.name("senior_carer"),
            "Round uninterrupted, tabard worn, every dose signed at the time given."
            if met
            else "Round interrupted four times (call bells, a visitor, a phone call); two signatures "
            "added at the end of the round.",
            "Praised the calm, protected round."
            if met
            else "Discussed handing call bells to the floor team and signing at the time of each dose.",
            follow_up="" if met else "Re-observe once the new allocation sheet is in use.",
            follow_up_due=None if met else ctx.on(week, day) + timedelta(days=14),
            shift=Shift.LATE.value,
            prompt_results=results,
            action_id=action.id,
        )
    assert observed is not None
    return observed


def _medicines_logs(ctx: DemoContext, action: Action) -> None:
    s, sid = ctx.session, ctx.service.id
    for day in (1, 2):
        add_log_entry(
            s,
            sid,
            LogKind.GOVERNANCE_LOG.value,
            ctx.on(1, day),
            ctx.pid("evening_senior"),
            "Observed the evening medicines round: senior interrupted by call bells and "
            "the phone; round finished 50 minutes late.",
            action_id=action.id,
        )
    add_log_entry(
        s,
        sid,
        LogKind.ROTA_NOTE.value,
        ctx.on(1, 4),
        ctx.pid("rm"),
        "Allocation sheet revised: a named medicines lead on every late shift, not to be "
        "given other tasks between 17:00 and 19:00.",
        action_id=action.id,
    )
    add_log_entry(
        s,
        sid,
        LogKind.COMMUNICATION_BOOK.value,
        ctx.on(1, 4),
        ctx.pid("rm"),
        "From Monday the evening medicines lead wears the red tabard: please answer "
        "call bells and the phone for them.",
        action_id=action.id,
    )


def _medicines_reviews(ctx: DemoContext, action: Action) -> dict[int, MeetingItem]:
    items: dict[int, MeetingItem] = {}
    for i in range(WEEKS):
        meeting = ctx.weekly_meetings.get(i)
        if meeting is not None:
            last = MED_BASELINE if i == 0 else MED_LATE[i - 1]
            rag = Rag.RED if last >= 9 else Rag.AMBER if last > 3 else Rag.GREEN
            progress = (
                f"{last} late medicines entries last week against a baseline of "
                f"{MED_BASELINE} and a target of 3."
            )
            decision, owner, due = Decision.CONTINUE, None, None
            if i == 2:
                decision, owner, due = Decision.CHANGE_CONTROLS, "medicines_lead", ctx.on(4, 1)
                progress += " Rounds still interrupted: add the tabard and route GP calls to the "
                progress += "duty manager during the round."
            if i == max(ctx.weekly_meetings):
                progress += " All closure conditions are met; the registered manager to sign off."
            items[i] = ctx.minute_and_review(
                meeting,
                action,
                decision=decision,
                progress=progress,
                rag=rag,
                reviewer="rm",
                challenge="Quality lead asked whether the fall is real or a quiet week; the tracker "
                "and the daily checks agree."
                if i >= 6
                else "",
                assurance="Tracker, daily MAR checks and observed rounds." if i >= 4 else "",
                owner=owner,
                due=due,
            )
        if i in (3, 10):
            _provider_review(ctx, action, ctx.on(i, 3))
        if i == 7 and ctx.provider_meeting is not None:
            ctx.minute_and_review(
                ctx.provider_meeting,
                action,
                decision=Decision.CONTINUE,
                progress="Monthly QA report: late entries down from 15 to 3 a week; keep the "
                "protected medicines lead and daily checks.",
                rag=Rag.GREEN,
                reviewer="governance_lead",
                level=ReviewLevel.PROVIDER,
                assurance="Trend chart from the tracker and the medication audit.",
            )
    return items


def _provider_review(ctx: DemoContext, action: Action, on: date) -> None:
    record_review(
        ctx.session,
        action.id,
        review_date=on,
        reviewer_id=ctx.pid("governance_lead"),
        progress="Monthly QA report reviewed against the baseline: keep the controls in place.",
        rag=Rag.AMBER.value if on < ctx.weeks[6] else Rag.GREEN.value,
        decision=Decision.CONTINUE.value,
        level=ReviewLevel.PROVIDER.value,
        today=ctx.today,
    )


def _medicines_evidence(
    ctx: DemoContext,
    action: Action,
    run: AuditRun,
    observation: Observation,
    items: dict[int, MeetingItem],
    files: list[Path],
    attachments_dir: Path | None,
) -> None:
    mar_files, audit_files = files[:1], files[1:]
    minutes_week = max((i for i in items if i <= 9), default=None)
    entries: list[tuple[EvidenceInput, list[Path]]] = [
        (
            EvidenceInput(
                "MAR review: late entries down from 15 to 2 a week",
                "care_records",
                ctx.on(9, 4),
                description="Four weeks of MARs re-reviewed by the deputy.",
                tested_by_id=ctx.pid("quality_lead"),
                tested_on=ctx.on(10, 0),
            ),
            mar_files,
        ),
        (
            EvidenceInput(
                "Medication audit: administration times fully met",
                "audit",
                run.run_on,
                tested_by_id=ctx.pid("deputy"),
                audit_run_id=run.id,
                tested_on=ctx.on(10, 3),
            ),
            audit_files,
        ),
        (
            EvidenceInput(
                "Observed evening round: protected and on time",
                "staff_observation",
                observation.observed_at.date(),
                observation_id=observation.id,
                tested_by_id=ctx.pid("rm"),
                tested_on=ctx.on(8, 3),
            ),
            [],
        ),
        (
            EvidenceInput(
                "Team meeting: staff say protected time is kept",
                "staff_feedback",
                ctx.on(7, 3),
                tested_by_id=ctx.pid("quality_lead"),
                tested_on=ctx.on(7, 4),
            ),
            [],
        ),
        (
            EvidenceInput(
                "Relatives say evening medicines are now on time",
                "relatives_comments",
                ctx.on(9, 5),
                tested_by_id=ctx.pid("quality_lead"),
                tested_on=ctx.on(10, 1),
            ),
            [],
        ),
        (
            EvidenceInput(
                "Residents' meeting: tablets come when they should",
                "peoples_feedback",
                ctx.on(10, 1),
                tested_by_id=ctx.pid("deputy"),
                tested_on=ctx.on(10, 2),
            ),
            [],
        ),
    ]
    if minutes_week is not None:
        item = items[minutes_week]
        entries.append(
            (
                EvidenceInput(
                    "Weekly governance minutes: controls kept and trend reviewed",
                    "governance_minutes",
                    item.meeting.held_on,
                    meeting_item_id=item.id,
                    tested_by_id=ctx.pid("governance_lead"),
                    tested_on=ctx.on(10, 3),
                ),
                [],
            )
        )
    for data, attach in entries:
        add_evidence(
            ctx.session,
            action.id,
            data,
            files=attach or None,
            attachments_dir=attachments_dir if attach else None,
            today=ctx.today,
        )


def _write_demo_files(ctx: DemoContext, folder: Path) -> list[Path]:
    """Small text files standing in for the scanned summaries a home would attach."""
    mar = folder / "MAR review summary.txt"
    lines = [f"{HOME_NAME} – MAR review summary", f"Reviewed by {ctx.name('deputy')}", ""]
    lines += [
        f"Week of {week:%d/%m/%Y}: {MED_LATE[i]} entries more than 30 minutes late"
        for i, week in enumerate(ctx.weeks)
    ]
    mar.write_text("\n".join(lines) + "\n", encoding="utf-8")
    checks = folder / "Medicines daily checks.txt"
    checks.write_text(
        f"Daily MAR checks by {ctx.name('medicines_lead')} for two weeks from "
        f"{ctx.weeks[2]:%d/%m/%Y}.\nExceptions: reason, immediate action and person informed "
        f"recorded on the medication audit template.\nSigned off by {ctx.name('rm')}.\n",
        encoding="utf-8",
    )
    return [mar, checks]
