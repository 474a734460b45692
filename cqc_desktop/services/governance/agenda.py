"""The agenda, built from the data: what a governance meeting must look at, and nothing invented.

Order follows a paper governance agenda: matters carried forward from the last meeting, actions due
for review or overdue, open alerts, measures showing special cause or past their target date without
reaching it, incidents and their themes since the last meeting, then audit results. An alert or a
measure about an action that is already on the agenda joins that action's item instead of making a
second one, so one decision (one review) covers it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ...formatting import days_phrase, number, uk_date
from ...models import Action, Alert, AuditRun, Finding, Incident, Measure, Meeting, Plan, Service
from ...models.enums import ActionStatus, MeetingType
from ..plans.measure_reading import change_label, read_series
from ..plans.measures import progress
from ..plans.spc import Variation, spc_rules
from ..trust.permissions import Permission, require
from .audit_runs import compare_with_previous
from .audit_schedule import due_audits
from .audits import percent_text
from .meetings import add_meeting_item, get_meeting, previous_meeting

# How far ahead a meeting looks for reviews falling due: a weekly meeting covers the week until
# the next one; the others look only at what is due by the day they meet.
REVIEW_HORIZON_DAYS = {MeetingType.WEEKLY_GOVERNANCE.value: 6}
# How far back "since the last meeting" reaches when there was no last meeting.
FIRST_MEETING_LOOKBACK_DAYS = {MeetingType.WEEKLY_GOVERNANCE.value: 7}
DEFAULT_LOOKBACK_DAYS = 31


@dataclass
class AgendaEntry:
    kind: str
    title: str
    detail: str = ""
    action_id: int | None = None
    source_key: str = ""
    carried_from_id: int | None = None
    on_agenda: bool = False  # already an item of this meeting
    notes: list[str] = field(default_factory=list)  # alerts and measures folded into this item

    def full_detail(self) -> str:
        return "\n".join([self.detail, *self.notes]).strip()


def build_agenda(session: Session, meeting_id: int, today: date) -> list[AgendaEntry]:
    """Suggested agenda for a meeting, from the data; nothing is saved (see ``apply_agenda``).

    Reviews count as due by the meeting's date (a meeting planned ahead lists what will be due
    when it sits); what has happened (incidents, audits, alerts, measure points) counts up to the
    meeting or today, whichever is earlier.
    """
    meeting = get_meeting(session, meeting_id)
    held = meeting.held_on
    as_of = min(held, today)
    before = previous_meeting(session, meeting)
    lookback = FIRST_MEETING_LOOKBACK_DAYS.get(meeting.meeting_type, DEFAULT_LOOKBACK_DAYS)
    since = before.held_on if before is not None else held - timedelta(days=lookback)
    homes = {sid: name for sid, name in session.execute(select(Service.id, Service.name))}
    provider = meeting.service_id is None

    entries: list[AgendaEntry] = []
    entries += _carried_forward(before, held)
    by_action: dict[int, AgendaEntry] = {e.action_id: e for e in entries if e.action_id}
    for entry in _actions(session, meeting.service_id, meeting.meeting_type, held, homes, provider):
        if entry.action_id in by_action:
            by_action[entry.action_id].notes.append(entry.detail)
        else:
            entries.append(entry)
            by_action[entry.action_id or 0] = entry
    for entry in _alerts(session, meeting.service_id, as_of) + _measures(
        session, meeting.service_id, as_of
    ):
        target = by_action.get(entry.action_id or 0) if entry.action_id else None
        if target is not None:
            target.notes.append(f"{entry.kind}: {entry.title}. {entry.detail}".strip())
        else:
            entries.append(entry)
    entries.append(_incidents(session, meeting.service_id, since, as_of, homes, provider))
    entries += _audits(session, meeting.service_id, since, as_of, homes, provider)
    entries += _audits_due(session, meeting.service_id, held, provider)
    present = {i.source_key for i in meeting.items if i.source_key}
    for entry in entries:
        entry.on_agenda = entry.source_key in present
    return entries


def apply_agenda(session: Session, meeting_id: int, entries: list[AgendaEntry]) -> int:
    """Add the chosen entries as agenda items (skipping any already there); returns how many."""
    require(session, Permission.RECORD)
    meeting = get_meeting(session, meeting_id)
    present = {i.source_key for i in meeting.items if i.source_key}
    added = 0
    for entry in entries:
        if entry.source_key and entry.source_key in present:
            continue
        add_meeting_item(
            session,
            meeting_id,
            entry.title,
            entry.kind,
            entry.action_id,
            detail=entry.full_detail(),
            source_key=entry.source_key,
            carried_from_id=entry.carried_from_id,
        )
        present.add(entry.source_key)
        added += 1
    return added


def _carried_forward(before: Meeting | None, held: date) -> list[AgendaEntry]:
    if before is None:
        return []
    out = []
    when = f"{before.meeting_type} {uk_date(before.held_on)}"
    for item in before.items:
        if item.carried_forward or not item.decision:
            out.append(
                AgendaEntry(
                    "Carried forward",
                    item.title,
                    f"Carried forward from the {when}: not decided then."
                    + (f"\n{item.detail}" if item.detail else ""),
                    item.action_id,
                    f"carried:{item.id}",
                    item.id,
                )
            )
        elif item.due_date is not None and item.due_date <= held and item.owner is not None:
            out.append(
                AgendaEntry(
                    "Carried forward",
                    f"Follow-up: {item.title}",
                    f"{item.decision} at the {when}: {item.owner.name} to report back by "
                    f"{uk_date(item.due_date)}.\n{item.discussion}",
                    item.action_id,
                    f"followup:{item.id}",
                    item.id,
                )
            )
    return out


def _actions(
    session: Session,
    service_id: int | None,
    meeting_type: str,
    held: date,
    homes: dict[int, str],
    provider: bool,
) -> list[AgendaEntry]:
    horizon = held + timedelta(days=REVIEW_HORIZON_DAYS.get(meeting_type, 0))
    stmt = (
        select(Action, Plan.service_id)
        .join(Finding, Action.finding_id == Finding.id)
        .join(Plan, Finding.plan_id == Plan.id)
        .options(selectinload(Action.accountable_lead))
        .where(
            Action.status != ActionStatus.CLOSED.value,
            Action.archived.is_(False),
            (Action.next_review_date <= horizon) | (Action.due_date < held),
        )
        .order_by(Action.next_review_date, Action.id)
    )
    out = []
    if service_id is not None:  # a provider meeting (None) sees every home
        stmt = stmt.where(Plan.service_id == service_id)
    for action, sid in session.execute(stmt):
        bits = []
        if action.next_review_date is not None:
            late = (held - action.next_review_date).days
            when = f" ({days_phrase(late)})" if late > 0 else ""
            bits.append(f"Review due {uk_date(action.next_review_date)}{when}")
        if action.due_date < held:
            bits.append(f"action overdue: due {uk_date(action.due_date)}")
        bits.append(f"lead {action.accountable_lead.name}")
        bits.append(f"RAG {action.rag}")
        if provider:
            bits.append(homes.get(sid, ""))
        out.append(
            AgendaEntry(
                "Action review",
                f"{action.reference} {action.title}",
                "; ".join(bits) + ".",
                action.id,
                f"action:{action.id}",
            )
        )
    return out


def _alerts(session: Session, service_id: int | None, as_of: date) -> list[AgendaEntry]:
    stmt = (
        select(Alert)
        .where(Alert.acknowledged_at.is_(None), Alert.raised_on <= as_of)
        .order_by(Alert.raised_on, Alert.id)
    )
    if service_id is not None:
        stmt = stmt.where((Alert.service_id == service_id) | Alert.service_id.is_(None))
    return [
        AgendaEntry(
            "Alert",
            alert.kind,
            f"{alert.message} (raised {uk_date(alert.raised_on)})",
            alert.action_id,
            f"alert:{alert.id}",
        )
        for alert in session.scalars(stmt)
    ]


def _measures(session: Session, service_id: int | None, held: date) -> list[AgendaEntry]:
    rules = spc_rules(session)
    stmt = (
        select(Measure)
        .join(Action, Measure.action_id == Action.id)
        .join(Finding, Action.finding_id == Finding.id)
        .join(Plan, Finding.plan_id == Plan.id)
        .options(selectinload(Measure.points), selectinload(Measure.changes))
        .where(Action.status != ActionStatus.CLOSED.value, Action.archived.is_(False))
        .order_by(Measure.id)
    )
    out = []
    if service_id is not None:
        stmt = stmt.where(Plan.service_id == service_id)
    for measure in session.scalars(stmt):
        values = [p.value for p in measure.points if p.period_start <= held]
        if not values:
            continue
        prog = progress(
            values,
            baseline=measure.baseline_value,
            direction=measure.direction,
            target_kind=measure.target_kind,
            target=measure.target_value,
        )
        reasons = []
        pts = [p for p in measure.points if p.period_start <= held]
        spc = read_series(
            name=measure.name,
            unit=measure.unit,
            direction=measure.direction,
            frequency=measure.frequency,
            baseline=measure.baseline_value,
            target=prog.target,
            periods=[p.period_start for p in pts],
            values=values,
            changes=[
                (c.changed_on, change_label(c)) for c in measure.changes if c.changed_on <= held
            ],
            rules=rules,
        ).result
        latest = spc.points[-1]
        if latest.special_cause:
            kind = "concern" if latest.variation is Variation.CONCERN else "improvement"
            reasons.append(f"special cause {kind} ({', '.join(latest.rules)})")
        if measure.target_date is not None and measure.target_date <= held and not prog.at_target:
            reasons.append(f"target date {uk_date(measure.target_date)} passed without reaching it")
        if reasons:
            unit = f" {measure.unit}" if measure.unit else ""
            out.append(
                AgendaEntry(
                    "Measure",
                    f"{measure.name}: " + " and ".join(reasons),
                    f"Latest {number(prog.latest)}{unit} against a target of "
                    f"{number(prog.target)}{unit} (baseline {number(measure.baseline_value)}); "
                    f"{spc.assurance.value}.",
                    measure.action_id,
                    f"measure:{measure.id}",
                )
            )
    return out


def _incidents(
    session: Session,
    service_id: int | None,
    since: date,
    until: date,
    homes: dict[int, str],
    provider: bool,
) -> AgendaEntry:
    stmt = select(Incident).where(
        Incident.occurred_at >= datetime.combine(since, time.min),
        Incident.occurred_at < datetime.combine(until + timedelta(days=1), time.min),
    )
    if service_id is not None:
        stmt = stmt.where(Incident.service_id == service_id)
    incidents = list(session.scalars(stmt.order_by(Incident.occurred_at)))
    title = f"Incidents since {uk_date(since)}: {len(incidents) or 'none'}"
    key = f"incidents:{since.isoformat()}"
    if not incidents:
        return AgendaEntry("Incidents", title, "No incidents recorded.", None, key)
    lines = []
    types = Counter(i.incident_type for i in incidents)
    lines.append("By type: " + ", ".join(f"{t} {n}" for t, n in types.most_common()) + ".")
    harm = Counter(i.severity for i in incidents if i.severity != "No harm")
    if harm:
        lines.append("Harm: " + ", ".join(f"{s} {n}" for s, n in harm.most_common()) + ".")
    places = Counter(i.location for i in incidents if i.location)
    common = [f"{place} {n}" for place, n in places.most_common(3) if n > 1]
    if common:
        lines.append("Where: " + ", ".join(common) + ".")
    night = sum(1 for i in incidents if i.occurred_at.hour >= 22 or i.occurred_at.hour < 7)
    if night:
        lines.append(f"At night (22:00–07:00): {night}.")
    repeats = Counter((i.person_ref, i.incident_type) for i in incidents if i.person_ref)
    for (person, kind), n in repeats.items():
        if n > 1:
            lines.append(f"Repeat: {n} × {kind.lower()} for {person}.")
    late = [i for i in incidents if i.reviewed_on is None or i.reviewed_on > i.occurred_at.date()]
    if late:
        lines.append(f"Not reviewed the same day: {', '.join(_ref(i) for i in late)}.")
    unshared = [i for i in incidents if not i.learning_point.strip() or i.handover_id is None]
    if unshared:
        lines.append(
            f"Learning not yet shared at handover: {', '.join(_ref(i) for i in unshared)}."
        )
    if provider:
        per_home = Counter(homes.get(i.service_id, "") for i in incidents)
        lines.append("By home: " + ", ".join(f"{h} {n}" for h, n in per_home.most_common()) + ".")
    return AgendaEntry("Incidents", title, "\n".join(lines), None, key)


def _ref(incident: Incident) -> str:
    return incident.reference or f"{incident.incident_type} {uk_date(incident.occurred_at)}"


def _audits(
    session: Session,
    service_id: int | None,
    since: date,
    until: date,
    homes: dict[int, str],
    provider: bool,
) -> list[AgendaEntry]:
    stmt = select(AuditRun).where(AuditRun.run_on >= since, AuditRun.run_on <= until)
    if service_id is not None:
        stmt = stmt.where(AuditRun.service_id == service_id)
    out = []
    for run in session.scalars(stmt.order_by(AuditRun.run_on, AuditRun.id)):
        comparison = compare_with_previous(session, run)
        where = f" — {homes.get(run.service_id, '')}" if provider else ""
        lines = [comparison.summary()]
        weak = [s for s in comparison.sections if s.now is not None and s.now < 100]
        if weak:
            lines.append(
                "Below 100 %: " + ", ".join(f"{s.title} {percent_text(s.now)}" for s in weak) + "."
            )
        if comparison.newly_failed:
            lines.append("Newly failing: " + "; ".join(comparison.newly_failed))
        raised = sum(1 for a in run.answers if a.action_id is not None)
        noes = sum(1 for a in run.answers if a.answer == "No")
        if noes:
            lines.append(f"{noes} “No” answer(s); {raised} with an action raised.")
        out.append(
            AgendaEntry(
                "Audit result",
                f"{run.template.name} {uk_date(run.run_on)}: "
                f"{percent_text(run.score_percent)}{where}",
                "\n".join(lines),
                None,
                f"audit_run:{run.id}",
            )
        )
    return out


def _audits_due(
    session: Session, service_id: int | None, held: date, provider: bool
) -> list[AgendaEntry]:
    overdue = [a for a in due_audits(session, held, service_id, within_days=0) if a.days_overdue]
    if not overdue:
        return []
    parts = [
        f"{a.name}{f' ({a.service})' if provider else ''} due {uk_date(a.due_on)}"
        + (f", last run {uk_date(a.last_run_on)}" if a.last_run_on else ", never run")
        for a in overdue
    ]
    return [
        AgendaEntry(
            "Audit result",
            f"Audits overdue: {len(overdue)}",
            "; ".join(parts) + ".",
            None,
            f"audits_due:{held.isoformat()}",
        )
    ]
