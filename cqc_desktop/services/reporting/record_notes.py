"""What the month's records say in words, for the monthly QA report.

The figures elsewhere in the report count incidents, observations, audits and handovers; a
reviewer also needs what people wrote: what happened and what was done straight away, what an
observer saw and the feedback given, the comments on audit answers that were not met, the
learning shared at handover and the governance log. People receiving care appear by their
reference; a name typed into free text is withheld unless names are allowed (trust/privacy.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from ...models import (
    AuditAnswer,
    AuditRun,
    AuditTemplate,
    HandoverRecord,
    Incident,
    LogEntry,
    Observation,
    Person,
)
from ...models.enums import Outcome
from .common import Period, free_text_scrubber

PER_KIND = 12  # the most recent of each kind; the report says how many more are in the app


@dataclass(frozen=True)
class RecordNote:
    on: date
    kind: str  # "Incident", "Observation", "Audit comment", "Handover", the log's kind
    source: str  # what it is about: "INC-2026-0020 Fall, Bedroom", "Medicines round: Partly met"
    who: str
    text: str


@dataclass(frozen=True)
class RecordNotes:
    notes: tuple[RecordNote, ...]  # by kind, then date
    left_out: dict[str, int]  # kind → how many more the app holds for the month


def record_notes(session: Session, service_id: int, period: Period) -> RecordNotes:
    scrub = free_text_scrubber(session)
    start = datetime.combine(period.start, time.min)
    end = datetime.combine(period.end + timedelta(days=1), time.min)
    groups = [
        _incidents(session, service_id, start, end, scrub),
        _observations(session, service_id, start, end, scrub),
        _audit_comments(session, service_id, period, scrub),
        _handovers(session, service_id, period, scrub),
        _logs(session, service_id, period, scrub),
    ]
    notes: list[RecordNote] = []
    left_out: dict[str, int] = {}
    for kind, group in groups:
        notes += group[-PER_KIND:]
        if len(group) > PER_KIND:
            left_out[kind] = len(group) - PER_KIND
    return RecordNotes(tuple(notes), left_out)


Scrub = Callable[[str], str]


def _incidents(
    session: Session, service_id: int, start: datetime, end: datetime, scrub: Scrub
) -> tuple[str, list[RecordNote]]:
    rows = session.scalars(
        select(Incident)
        .where(
            Incident.service_id == service_id,
            Incident.occurred_at >= start,
            Incident.occurred_at < end,
        )
        .order_by(Incident.occurred_at, Incident.id)
    )
    out = []
    for i in rows:
        parts = [scrub(i.description) or "No description recorded."]
        if i.immediate_action:
            parts.append(f"Immediate action: {scrub(i.immediate_action)}")
        if i.reopened_on is not None:
            reason = scrub(i.reopen_reason) or "no reason given"
            parts.append(f"Reopened {i.reopened_on:%d/%m/%Y}: {reason}")
        where = f", {i.location}" if i.location else ""
        out.append(
            RecordNote(
                i.occurred_at.date(),
                "Incident",
                f"{i.reference} {i.incident_type}{where} ({i.person_ref})",
                i.reported_by,
                "\n".join(parts),
            )
        )
    return "Incident", out


def _observations(
    session: Session, service_id: int, start: datetime, end: datetime, scrub: Scrub
) -> tuple[str, list[RecordNote]]:
    """Observations that were not fully met: what was seen and the feedback given."""
    observer = aliased(Person)
    rows = session.execute(
        select(Observation, observer.name)
        .outerjoin(observer, Observation.observer_id == observer.id)
        .where(
            Observation.service_id == service_id,
            Observation.observed_at >= start,
            Observation.observed_at < end,
            Observation.outcome != Outcome.MET.value,
        )
        .order_by(Observation.observed_at, Observation.id)
    )
    out = []
    for o, who in rows:
        parts = [scrub(o.what_was_seen) or "Nothing written about what was seen."]
        if o.feedback_given:
            parts.append(f"Feedback: {scrub(o.feedback_given)}")
        if o.follow_up:
            parts.append(f"Follow-up: {scrub(o.follow_up)}")
        out.append(
            RecordNote(
                o.observed_at.date(),
                "Observation",
                f"{o.area}: {o.outcome}",
                who or "",
                "\n".join(parts),
            )
        )
    return "Observation", out


def _audit_comments(
    session: Session, service_id: int, period: Period, scrub: Scrub
) -> tuple[str, list[RecordNote]]:
    auditor = aliased(Person)
    rows = session.execute(
        select(AuditAnswer, AuditRun.run_on, AuditTemplate.name, auditor.name)
        .join(AuditRun, AuditAnswer.run_id == AuditRun.id)
        .join(AuditTemplate, AuditRun.template_id == AuditTemplate.id)
        .outerjoin(auditor, AuditRun.auditor_id == auditor.id)
        .where(
            AuditRun.service_id == service_id,
            AuditRun.run_on.between(period.start, period.end),
            AuditAnswer.comment != "",
        )
        .order_by(AuditRun.run_on, AuditAnswer.id)
    )
    out = [
        RecordNote(
            on,
            "Audit comment",
            f"{template}: {a.section} ({a.answer})",
            who or "",
            scrub(a.comment),
        )
        for a, on, template, who in rows
    ]
    return "Audit comment", out


def _handovers(
    session: Session, service_id: int, period: Period, scrub: Scrub
) -> tuple[str, list[RecordNote]]:
    lead = aliased(Person)
    rows = session.execute(
        select(HandoverRecord, lead.name)
        .outerjoin(lead, HandoverRecord.lead_id == lead.id)
        .where(
            HandoverRecord.service_id == service_id,
            HandoverRecord.handover_date.between(period.start, period.end),
            HandoverRecord.learning_points != "",
        )
        .order_by(HandoverRecord.handover_date, HandoverRecord.id)
    )
    out = [
        RecordNote(
            h.handover_date,
            "Handover",
            f"{h.shift} handover" + ("; understanding checked" if h.understanding_checked else ""),
            who or "",
            scrub(h.learning_points),
        )
        for h, who in rows
    ]
    return "Handover", out


def _logs(
    session: Session, service_id: int, period: Period, scrub: Scrub
) -> tuple[str, list[RecordNote]]:
    author = aliased(Person)
    rows = session.execute(
        select(LogEntry, author.name)
        .outerjoin(author, LogEntry.author_id == author.id)
        .where(
            LogEntry.service_id == service_id,
            LogEntry.entry_date.between(period.start, period.end),
        )
        .order_by(LogEntry.entry_date, LogEntry.id)
    )
    out = [
        RecordNote(e.entry_date, "Log entry", e.kind, who or "", scrub(e.text)) for e, who in rows
    ]
    return "Log entry", out
