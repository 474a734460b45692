"""Oversight: governance meetings and minutes, audit templates and runs, and raised alerts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, IdMixin, TimestampMixin, VersionMixin, long_text
from .organisation import Person


class Meeting(IdMixin, TimestampMixin, VersionMixin, Base):
    """A governance meeting. Approved minutes are locked; corrections go in addenda."""

    __tablename__ = "meeting"
    __table_args__ = (
        Index("ix_meeting_service_held", "service_id", "held_on"),
        # The Governance list pages newest first (and by type) across every home.
        Index("ix_meeting_held_on", "held_on"),
        Index("ix_meeting_type", "meeting_type"),
    )

    # None for a provider meeting that covers every home.
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id"))
    meeting_type: Mapped[str] = mapped_column(String(60))
    held_on: Mapped[date]
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    attendee_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    other_attendees: Mapped[str] = long_text()
    apologies: Mapped[str] = long_text()
    status: Mapped[str] = mapped_column(String(20), default="Draft")
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    approved_on: Mapped[date | None]

    chair: Mapped[Person | None] = relationship(foreign_keys=[chair_id])
    items: Mapped[list[MeetingItem]] = relationship(
        back_populates="meeting", order_by="MeetingItem.position"
    )
    addenda: Mapped[list[MeetingAddendum]] = relationship(order_by="MeetingAddendum.id")


class MeetingItem(IdMixin, TimestampMixin, VersionMixin, Base):
    """An agenda item and its minute: discussion, challenge, assurance and the decision."""

    __tablename__ = "meeting_item"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(40), default="Other")
    title: Mapped[str] = mapped_column(String(300))
    action_id: Mapped[int | None] = mapped_column(ForeignKey("action.id"), index=True)
    discussion: Mapped[str] = long_text()
    challenge: Mapped[str] = long_text()
    assurance: Mapped[str] = long_text()
    decision: Mapped[str] = mapped_column(String(20), default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    due_date: Mapped[date | None]
    carried_forward: Mapped[bool] = mapped_column(Boolean, default=False)
    # What the agenda builder found (e.g. the incidents and their themes), kept with the minute.
    detail: Mapped[str] = long_text()
    # Stable key of what the item is about ("action:4", "alert:9", "incidents") so rebuilding an
    # agenda never adds the same item twice; "" for items typed in by hand.
    source_key: Mapped[str] = mapped_column(String(120), default="")
    carried_from_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_item.id"))

    meeting: Mapped[Meeting] = relationship(back_populates="items")
    owner: Mapped[Person | None] = relationship()


class MinuteDraft(Base):
    """Long minute text auto-saved while it is typed, so a crash loses nothing.

    Kept apart from the minute itself: a draft is never the record, and saving the minute (or
    discarding the draft) deletes it.
    """

    __tablename__ = "minute_draft"

    # "item:<id>:<field>" or "meeting:<id>:<field>"
    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    saved_at: Mapped[datetime]


class MeetingAddendum(IdMixin, Base):
    """A dated correction added to approved minutes."""

    __tablename__ = "meeting_addendum"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    added_on: Mapped[date]
    author_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    text: Mapped[str] = mapped_column(Text)


class AuditTemplate(IdMixin, TimestampMixin, Base):
    """A versioned audit template: editing makes a new version and past runs keep theirs."""

    __tablename__ = "audit_template"
    __table_args__ = (UniqueConstraint("key", "version"),)

    key: Mapped[str] = mapped_column(String(80), index=True)
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer, default=1)
    current: Mapped[bool] = mapped_column(Boolean, default=True)
    # {"sections": [{"title", "questions": [{"key", "text"}]}], "record_sample": bool}
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    schedule: Mapped[str] = mapped_column(String(20), default="monthly")


class AuditSchedule(IdMixin, TimestampMixin, VersionMixin, Base):
    """How often a home runs an audit: weekly during recovery, monthly once stable, or not at all.

    Keyed by the template's key, not a version, so a new version keeps the home's schedule.
    """

    __tablename__ = "audit_schedule"
    __table_args__ = (UniqueConstraint("service_id", "template_key"),)

    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    template_key: Mapped[str] = mapped_column(String(80))
    frequency: Mapped[str] = mapped_column(String(20))


class AuditRun(IdMixin, TimestampMixin, VersionMixin, Base):
    """One completed audit against a template version, scored with N/A excluded."""

    __tablename__ = "audit_run"
    __table_args__ = (
        Index("ix_audit_run_service_template_on", "service_id", "template_id", "run_on"),
    )

    template_id: Mapped[int] = mapped_column(ForeignKey("audit_template.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    run_on: Mapped[date]
    auditor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    sample_size: Mapped[int | None] = mapped_column(Integer)
    score_percent: Mapped[float | None] = mapped_column(Float)
    notes: Mapped[str] = long_text()
    action_id: Mapped[int | None] = mapped_column(ForeignKey("action.id"), index=True)

    template: Mapped[AuditTemplate] = relationship()
    answers: Mapped[list[AuditAnswer]] = relationship(
        back_populates="run", order_by="AuditAnswer.id", cascade="all, delete-orphan"
    )


class AuditAnswer(IdMixin, Base):
    """The answer to one question of an audit run; a "No" can raise an action."""

    __tablename__ = "audit_answer"

    run_id: Mapped[int] = mapped_column(ForeignKey("audit_run.id"), index=True)
    section: Mapped[str] = mapped_column(String(200))
    question_key: Mapped[str] = mapped_column(String(80))
    answer: Mapped[str] = mapped_column(String(5))
    comment: Mapped[str] = long_text()
    evidence_note: Mapped[str] = long_text()
    action_id: Mapped[int | None] = mapped_column(ForeignKey("action.id"))

    run: Mapped[AuditRun] = relationship(back_populates="answers")


class Alert(IdMixin, TimestampMixin, VersionMixin, Base):
    """A trigger that fired. Acknowledging keeps the alert and the note; it is never deleted."""

    __tablename__ = "alert"
    __table_args__ = (Index("ix_alert_open", "acknowledged_at", "raised_on"),)

    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id"), index=True)
    kind: Mapped[str] = mapped_column(String(60))
    # Stable key of what fired (e.g. "measure:4:point:2026-11-16") so a trigger raises once.
    source_key: Mapped[str] = mapped_column(String(120), unique=True)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("action.id"), index=True)
    message: Mapped[str] = mapped_column(Text)
    raised_on: Mapped[date]
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    acknowledgement_note: Mapped[str] = long_text()


class AuditLog(IdMixin, Base):
    """Append-only trail of every change; each entry hashes the previous one (a hash chain)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_record", "record_type", "record_id"),)

    at: Mapped[datetime] = mapped_column(index=True)
    username: Mapped[str] = mapped_column(String(80), default="")
    record_type: Mapped[str] = mapped_column(String(60))
    record_id: Mapped[int | None] = mapped_column(Integer)
    operation: Mapped[str] = mapped_column(String(10))
    field: Mapped[str] = mapped_column(String(80), default="")
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditChainHead(Base):
    """The newest audit-log entry's id and hash, in one row.

    Writers lock and update this row in the same transaction as their entries, so entries are
    chained one after another even with several PCs on a server database, and removing the newest
    entries from the log is detected (the head no longer matches).
    """

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_id: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))


class Withdrawal(IdMixin, Base):
    """A record taken out of use by a manager, with the reason and a copy of what it held.

    Tracker rows and measure points are never simply deleted: the row leaves the lists, measures
    and closure gate, and this register (and the audit trail) keeps what it said and why it went.
    """

    __tablename__ = "withdrawal"
    __table_args__ = (Index("ix_withdrawal_record", "record_type", "record_id"),)

    record_type: Mapped[str] = mapped_column(String(60))
    record_id: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    withdrawn_by: Mapped[str] = mapped_column(String(80), default="")
    withdrawn_at: Mapped[datetime]
    snapshot: Mapped[str] = mapped_column(Text, default="{}")
