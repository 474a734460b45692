"""Measures with their points, and the evidence (with attached files) that an action worked."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, IdMixin, TimestampMixin, VersionMixin, long_text, utcnow
from .organisation import Person
from .plans import Action


class Measure(IdMixin, TimestampMixin, VersionMixin, Base):
    """What "better" means for an action, in numbers: baseline, direction, target and date."""

    __tablename__ = "measure"

    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(60), default="")
    direction: Mapped[str] = mapped_column(String(10))
    frequency: Mapped[str] = mapped_column(String(10), default="weekly")
    baseline_value: Mapped[float] = mapped_column(Float)
    baseline_period: Mapped[str] = mapped_column(String(200), default="")
    target_kind: Mapped[str] = mapped_column(String(10), default="absolute")
    # Absolute: the value to reach. Relative: percentage change from baseline (-80 = 80 % fewer).
    target_value: Mapped[float] = mapped_column(Float)
    target_date: Mapped[date | None]
    data_source: Mapped[str] = mapped_column(String(200), default="")
    # JSON: how points are derived from tracker rows, incidents or observations (None = typed in).
    derivation: Mapped[str | None] = mapped_column(Text)

    action: Mapped[Action] = relationship()
    points: Mapped[list[MeasurePoint]] = relationship(
        back_populates="measure",
        order_by="MeasurePoint.period_start",
        cascade="all, delete-orphan",
    )
    changes: Mapped[list[MeasureChange]] = relationship(
        back_populates="measure",
        order_by="MeasureChange.changed_on",
        cascade="all, delete-orphan",
    )


class MeasureChange(IdMixin, TimestampMixin, Base):
    """A date a change was made, from which the chart's limits are worked out again (once the
    points after it show a sustained shift): a step done, or a date the manager chose."""

    __tablename__ = "measure_change"

    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id"), index=True)
    changed_on: Mapped[date]
    reason: Mapped[str] = mapped_column(Text, default="")
    step_id: Mapped[int | None] = mapped_column(ForeignKey("action_step.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    measure: Mapped[Measure] = relationship(back_populates="changes")
    recorded_by: Mapped[Person | None] = relationship()


class MeasurePoint(IdMixin, Base):
    """One period's value. Derived points are recomputed from records and not edited by hand."""

    __tablename__ = "measure_point"
    __table_args__ = (UniqueConstraint("measure_id", "period_start"),)

    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id"), index=True)
    period_start: Mapped[date]
    value: Mapped[float] = mapped_column(Float)
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)
    derived: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    measure: Mapped[Measure] = relationship(back_populates="points")


class Evidence(IdMixin, TimestampMixin, VersionMixin, Base):
    """A piece of evidence for an action, tested by someone, from one source type."""

    __tablename__ = "evidence"
    # The Plans list counts each action's evidence by source type from this index alone.
    __table_args__ = (Index("ix_evidence_action_source", "action_id", "source_type"),)

    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = long_text()
    source_type: Mapped[str] = mapped_column(String(40), index=True)
    # Denormalised from the source type so reports can group by CQC category in SQL.
    category: Mapped[str] = mapped_column(String(80))
    supports: Mapped[str] = mapped_column(String(10), default="Yes")
    collected_on: Mapped[date] = mapped_column(index=True)
    tested_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    tested_on: Mapped[date | None]
    observation_id: Mapped[int | None] = mapped_column(ForeignKey("observation.id"), index=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"), index=True)
    feedback_id: Mapped[int | None] = mapped_column(ForeignKey("feedback.id"), index=True)
    supervision_id: Mapped[int | None] = mapped_column(ForeignKey("supervision.id"), index=True)
    audit_run_id: Mapped[int | None] = mapped_column(ForeignKey("audit_run.id"), index=True)
    meeting_item_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_item.id"), index=True)

    action: Mapped[Action] = relationship()
    tested_by: Mapped[Person | None] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="evidence", order_by="Attachment.id"
    )


class Attachment(IdMixin, Base):
    """A file copied into the managed attachments folder, with its SHA-256 to prove it is unaltered."""

    __tablename__ = "attachment"

    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id"), index=True)
    original_name: Mapped[str] = mapped_column(String(260))
    stored_name: Mapped[str] = mapped_column(String(300), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    evidence: Mapped[Evidence] = relationship(back_populates="attachments")
