"""Data for the monthly quality-assurance report of one home, and the provider roll-up.

Every figure comes from the services the screens use: measure progress and SPC via
``report_data.measure_series``, the 7-day learning rate via ``incidents.learning_within_days``,
"where progress is partial" via the closure gate.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from functools import cached_property

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Evidence, Incident, Observation, Person
from ...models.enums import ActionStatus, Outcome
from ..records.incidents import learning_within_days
from ..reference import TRIANGULATION_STRANDS, source_types
from ..trust.anchors import Anchor, take_anchor
from .common import (
    ActionLine,
    HomeInfo,
    OpenStep,
    Period,
    ProgressGap,
    action_lines,
    get_home,
    homes,
    month_of,
    open_steps,
    progress_gaps,
)
from .measures import MeasureSeries, measure_series
from .oversight import (
    AlertLine,
    AuditTrend,
    DecisionLine,
    EscalationLine,
    FindingLine,
    MeetingLine,
    alerts,
    audit_trends,
    decisions,
    escalations,
    meetings_held,
    new_findings,
)
from .record_notes import RecordNotes, record_notes
from .voices import Voices, voices

RAGS = ("Red", "Amber", "Green")
STATUSES = tuple(s.value for s in ActionStatus)
OUTCOMES = tuple(o.value for o in Outcome)


@dataclass(frozen=True)
class Coverage:
    """Evidence for one action by source type (code → items), up to the report date."""

    action: ActionLine
    counts: dict[str, int]
    strands: int  # triangulation strands with at least one item
    total: int
    tested: int


@dataclass(frozen=True)
class IncidentTypeRow:
    incident_type: str
    count: int
    reviewed_same_day: int
    learning_within_7: int
    safeguarding_referrals: int
    cqc_notifications: int


@dataclass(frozen=True)
class IncidentSummary:
    rows: tuple[IncidentTypeRow, ...]
    total: int
    learning_within_7: int
    still_in_window: int  # not done yet, but fewer than 7 days have passed

    @property
    def learning_rate(self) -> float | None:
        return self.learning_within_7 / self.total * 100 if self.total else None


@dataclass(frozen=True)
class ObservationRow:
    area: str
    counts: dict[str, int]  # outcome → number

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Priority:
    heading: str  # what kind of priority: "Overdue review", "Step due", …
    text: str
    who: str
    due: date | None


@dataclass(frozen=True)
class MonthlyReport:
    home: HomeInfo
    period: Period
    as_of: date
    actions: tuple[ActionLine, ...]
    new_findings: tuple[FindingLine, ...]
    measures: tuple[MeasureSeries, ...]
    coverage: tuple[Coverage, ...]
    source_types: tuple[tuple[str, str], ...]  # (code, name) in reference order
    evidence_added: int
    evidence_tested: int
    incidents: IncidentSummary
    observations: tuple[ObservationRow, ...]
    audits: tuple[AuditTrend, ...]
    meetings: tuple[MeetingLine, ...]
    decisions: tuple[DecisionLine, ...]
    alerts: tuple[AlertLine, ...]
    escalations: tuple[EscalationLine, ...]
    gaps: tuple[ProgressGap, ...]
    priorities: tuple[Priority, ...]
    voices: Voices
    notes: RecordNotes | None = None  # what the month's records say in words
    audit_anchor: Anchor | None = None  # printed in the footer; see trust/anchors.py

    @property
    def open_actions(self) -> list[ActionLine]:
        return [a for a in self.actions if not a.closed]

    def rag_counts(self) -> dict[str, int]:
        return {rag: sum(1 for a in self.open_actions if a.rag == rag) for rag in RAGS}

    def status_counts(self) -> dict[str, int]:
        return {s: sum(1 for a in self.actions if a.status == s) for s in STATUSES}

    @property
    def overdue_reviews(self) -> list[ActionLine]:
        return [a for a in self.actions if a.review_overdue_days(self.as_of) is not None]

    @property
    def closed_in_period(self) -> list[ActionLine]:
        return [a for a in self.actions if a.closed_on and self.period.contains(a.closed_on)]

    @property
    def closed_sustained(self) -> list[ActionLine]:
        return [a for a in self.closed_in_period if not a.closed_with_override]

    @property
    def closed_override(self) -> list[ActionLine]:
        """Every action still closed without full evidence, whenever it was closed."""
        return [a for a in self.actions if a.flag]

    @property
    def reopened_in_period(self) -> list[ActionLine]:
        return [a for a in self.actions if a.reopened_on and self.period.contains(a.reopened_on)]

    def measure_is_live(self, m: MeasureSeries) -> bool:
        """Whether the month's report charts this measure.

        A registered manager reads the monthly report for what is moving now: the measures of
        actions still open (or closed only after the month), of actions closed in the month (the
        evidence the change held), and any measure still being recorded in the month. A measure
        whose action was closed in an earlier month and that has no point in this month is
        settled: the report lists it with its latest reading instead of charting it again (its
        chart stays in the inspection pack).
        """
        action = self._actions_by_id.get(m.action_id)
        if action is None or self.action_is_live(action):
            return True
        return any(self.period.contains(p.period_start) for p in m.points)

    def action_is_live(self, a: ActionLine) -> bool:
        """Open on the report date, or closed in the month (see ``measure_is_live``)."""
        return not a.closed or a.closed_on is None or a.closed_on >= self.period.start

    @property
    def live_coverage(self) -> list[Coverage]:
        """Evidence coverage of the live actions: the annex leaves out actions closed in an
        earlier month, whose evidence no longer changes (it is in the inspection pack)."""
        return [c for c in self.coverage if self.action_is_live(c.action)]

    @property
    def live_measures(self) -> list[MeasureSeries]:
        return [m for m in self.measures if self.measure_is_live(m)]

    @property
    def settled_measures(self) -> list[tuple[MeasureSeries, ActionLine]]:
        """Measures of actions closed before the month, each with its action."""
        return [
            (m, self._actions_by_id[m.action_id])
            for m in self.measures
            if not self.measure_is_live(m)
        ]

    @cached_property
    def _actions_by_id(self) -> dict[int, ActionLine]:
        return {a.id: a for a in self.actions}


def monthly_report(session: Session, service_id: int, period: Period, today: date) -> MonthlyReport:
    home = get_home(session, service_id)
    as_of = period.as_of(today)
    lines = action_lines(session, as_of, service_ids=[service_id])
    gaps = progress_gaps(session, lines, as_of)
    measures = measure_series(session, as_of, service_ids=[service_id])
    added, tested = _evidence_in_period(session, lines, period, as_of)
    report = MonthlyReport(
        home=home,
        period=period,
        as_of=as_of,
        actions=tuple(lines),
        new_findings=tuple(new_findings(session, [service_id], period)),
        measures=tuple(measures),
        coverage=tuple(_coverage(session, lines, as_of)),
        source_types=tuple((s.code, s.name) for s in source_types()),
        evidence_added=added,
        evidence_tested=tested,
        incidents=incident_summary(session, [service_id], period, as_of),
        observations=tuple(_observations(session, service_id, period)),
        audits=tuple(audit_trends(session, service_id, period)),
        meetings=tuple(meetings_held(session, service_id, period)),
        decisions=tuple(decisions(session, service_id, period)),
        alerts=tuple(alerts(session, service_id, period)),
        escalations=tuple(escalations(session, service_id, period)),
        gaps=tuple(gaps),
        priorities=(),
        voices=voices(session, service_id, period, today),
        notes=record_notes(session, service_id, period),
        audit_anchor=take_anchor(session, "printed the monthly QA report"),
    )
    # Priorities read the rest of the report, so they are worked out last.
    steps = open_steps(session, lines, _next_month_end(period))
    return replace(report, priorities=tuple(_priorities(session, report, steps)))


def _next_month_end(period: Period) -> date:
    return month_of(period.end + timedelta(days=1)).end


def _evidence_in_period(
    session: Session, lines: list[ActionLine], period: Period, as_of: date
) -> tuple[int, int]:
    ids = [a.id for a in lines]
    if not ids:
        return 0, 0
    rows = session.execute(
        select(Evidence.collected_on, Evidence.tested_on).where(
            Evidence.action_id.in_(ids),
            Evidence.collected_on >= period.start,
            Evidence.collected_on <= as_of,
        )
    ).all()
    return len(rows), sum(1 for _, tested_on in rows if tested_on is not None)


def _coverage(session: Session, lines: list[ActionLine], as_of: date) -> list[Coverage]:
    ids = [a.id for a in lines]
    rows = (
        session.execute(
            select(Evidence.action_id, Evidence.source_type, Evidence.tested_on).where(
                Evidence.action_id.in_(ids), Evidence.collected_on <= as_of
            )
        ).all()
        if ids
        else []
    )
    strand_of = {s.code: s.strand for s in source_types()}
    by_action: dict[int, list[tuple[str, date | None]]] = {}
    for action_id, code, tested in rows:
        by_action.setdefault(action_id, []).append((code, tested))
    result = []
    for line in lines:
        mine = by_action.get(line.id, [])
        counts: dict[str, int] = {}
        for code, _ in mine:
            counts[code] = counts.get(code, 0) + 1
        strands = {strand_of.get(code) for code in counts} & set(TRIANGULATION_STRANDS)
        result.append(
            Coverage(
                line, counts, len(strands), len(mine), sum(1 for _, t in mine if t is not None)
            )
        )
    return result


def _day_bounds(period: Period) -> tuple[datetime, datetime]:
    return datetime.combine(period.start, time.min), datetime.combine(
        period.end + timedelta(days=1), time.min
    )


def incident_summary(
    session: Session, service_ids: list[int], period: Period, as_of: date
) -> IncidentSummary:
    """Incidents that happened in the period, by type, with the 7-day learning test applied."""
    start, end = _day_bounds(period)
    incidents = session.scalars(
        select(Incident)
        .where(
            Incident.service_id.in_(service_ids),
            Incident.occurred_at >= start,
            Incident.occurred_at < end,
        )
        .order_by(Incident.incident_type, Incident.occurred_at)
    ).all()
    by_type: dict[str, list[Incident]] = {}
    for incident in incidents:
        by_type.setdefault(incident.incident_type, []).append(incident)
    rows = []
    for kind, group in sorted(by_type.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        rows.append(
            IncidentTypeRow(
                incident_type=kind,
                count=len(group),
                reviewed_same_day=sum(1 for i in group if i.reviewed_on == i.occurred_at.date()),
                learning_within_7=sum(1 for i in group if learning_within_days(i)),
                safeguarding_referrals=sum(1 for i in group if i.safeguarding_referral),
                cqc_notifications=sum(
                    1 for i in group if i.cqc_notification not in ("", "Not required")
                ),
            )
        )
    pending = sum(
        1
        for i in incidents
        if not learning_within_days(i)
        and i.actions_completed_on is None
        and (as_of - i.occurred_at.date()).days < 7
    )
    return IncidentSummary(
        rows=tuple(rows),
        total=len(incidents),
        learning_within_7=sum(r.learning_within_7 for r in rows),
        still_in_window=pending,
    )


def _observations(session: Session, service_id: int, period: Period) -> list[ObservationRow]:
    start, end = _day_bounds(period)
    rows = session.execute(
        select(Observation.area, Observation.outcome).where(
            Observation.service_id == service_id,
            Observation.observed_at >= start,
            Observation.observed_at < end,
        )
    ).all()
    areas: dict[str, dict[str, int]] = {}
    for area, outcome in rows:
        counts = areas.setdefault(area, dict.fromkeys(OUTCOMES, 0))
        counts[outcome] = counts.get(outcome, 0) + 1
    return [ObservationRow(area, counts) for area, counts in sorted(areas.items())]


def _priorities(session: Session, report: MonthlyReport, steps: list[OpenStep]) -> list[Priority]:
    """Next month's priorities, worked out from the records rather than typed in."""
    as_of, horizon = report.as_of, _next_month_end(report.period)
    out: list[Priority] = []
    for a in report.overdue_reviews:
        out.append(Priority("Overdue review", f"Review {a.label}", a.lead, a.next_review))
    for gap in report.gaps:
        if gap.ready_for_sign_off:
            out.append(
                Priority(
                    "Ready to close",
                    f"Sign off {gap.action.label}: every closure condition except the "
                    "manager's sign-off is met",
                    gap.action.lead,
                    None,
                )
            )
    for step in steps:
        late = step.due_date is not None and step.due_date < as_of
        out.append(
            Priority(
                "Step overdue" if late else "Step due",
                f"{step.description} ({step.action.reference})",
                step.owner,
                step.due_date,
            )
        )
    for m in report.measures:
        if m.at_target or m.target_date is None or m.target_date > horizon:
            continue
        passed = m.target_date < as_of
        out.append(
            Priority(
                "Target date passed" if passed else "Target date approaching",
                f"{m.name} ({m.action_reference}) is not at its target yet",
                _lead_of(report, m.action_id),
                m.target_date,
            )
        )
    for d in report.decisions:
        if d.due is not None and as_of <= d.due <= horizon and d.decision not in ("", "Note"):
            out.append(Priority(f"Meeting decision: {d.decision}", d.item_title, d.owner, d.due))
    out.extend(_follow_ups(session, report.home.id, as_of, horizon))
    return out


def _lead_of(report: MonthlyReport, action_id: int) -> str:
    return next((a.lead for a in report.actions if a.id == action_id), "")


def _follow_ups(session: Session, service_id: int, as_of: date, horizon: date) -> list[Priority]:
    rows = session.execute(
        select(Observation.area, Observation.follow_up, Observation.follow_up_due, Person.name)
        .outerjoin(Person, Observation.observer_id == Person.id)
        .where(
            Observation.service_id == service_id,
            Observation.follow_up != "",
            Observation.follow_up_due > as_of,
            Observation.follow_up_due <= horizon,
        )
        .order_by(Observation.follow_up_due)
    ).all()
    return [
        Priority(f"Observation follow-up ({area})", text, who or "", due)
        for area, text, due, who in rows
    ]


# --- provider roll-up --------------------------------------------------------------------------


@dataclass(frozen=True)
class ProviderReport:
    provider_name: str
    period: Period
    as_of: date
    homes: tuple[MonthlyReport, ...]
    provider_decisions: tuple[DecisionLine, ...]  # meetings covering every home


def provider_report(session: Session, period: Period, today: date) -> ProviderReport:
    reports = [monthly_report(session, h.id, period, today) for h in homes(session)]
    providers = sorted({r.home.provider_name for r in reports if r.home.provider_name})
    name = " / ".join(providers) or "All homes"
    return ProviderReport(
        provider_name=name,
        period=period,
        as_of=period.as_of(today),
        homes=tuple(reports),
        provider_decisions=tuple(decisions(session, None, period)),
    )
