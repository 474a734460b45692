"""What people, relatives, staff and partners tell the home: complaints, compliments,
feedback and supervision notes."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, IdMixin, TimestampMixin, long_text
from .organisation import Person


class Complaint(IdMixin, TimestampMixin, Base):
    """A complaint (HSCA Regulation 16) or a compliment, logged in the same book.

    The acknowledgement and response targets are worked out in working days when the complaint is
    recorded and stored, so the list and the dashboard find overdue ones with an indexed query and
    a later change to the bank-holiday data never moves a deadline already given."""

    __tablename__ = "complaint"
    __table_args__ = (
        Index("ix_complaint_service_received", "service_id", "received_on"),
        Index("ix_complaint_kind_received", "kind", "received_on"),
        UniqueConstraint("service_id", "reference"),
    )

    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    reference: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(20))
    received_on: Mapped[date]
    from_type: Mapped[str] = mapped_column(String(40))
    # Initials, room or relationship ("daughter of Rm 4"), not a full name unless allowed.
    from_ref: Mapped[str] = mapped_column(String(100), default="")
    channel: Mapped[str] = mapped_column(String(40))
    category: Mapped[str] = mapped_column(String(60))
    summary: Mapped[str] = long_text()
    severity: Mapped[str] = mapped_column(String(20), default="")
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    acknowledge_by: Mapped[date | None]
    acknowledged_on: Mapped[date | None]
    investigation: Mapped[str] = long_text()
    respond_by: Mapped[date | None]
    responded_on: Mapped[date | None]
    outcome: Mapped[str] = long_text()
    finding: Mapped[str] = mapped_column(String(20), default="")
    learning: Mapped[str] = long_text()
    action_id: Mapped[int | None] = mapped_column(ForeignKey("action.id"), index=True)

    handled_by: Mapped[Person | None] = relationship()


class Feedback(IdMixin, TimestampMixin, Base):
    """Feedback from a person, a relative, staff or a partner (GP, district nurse, social worker,
    commissioner): who, how, what was said and how it felt. Linked to an action, it is evidence for
    it in the CQC category its source belongs to (a partner's in "Feedback from partners")."""

    __tablename__ = "feedback"
    __table_args__ = (Index("ix_feedback_service_received", "service_id", "received_on"),)

    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    received_on: Mapped[date]
    source: Mapped[str] = mapped_column(String(40))
    from_ref: Mapped[str] = mapped_column(String(100), default="")
    method: Mapped[str] = mapped_column(String(40))
    what_was_said: Mapped[str] = long_text()
    sentiment: Mapped[str] = mapped_column(String(20))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    action_id: Mapped[int | None] = mapped_column(ForeignKey("action.id"), index=True)


class Supervision(IdMixin, TimestampMixin, Base):
    """A one-to-one supervision or competency check with a member of staff: its focus, what was
    discussed and agreed, and when the next one is due. Linked to an action, its notes are
    evidence for it ("Supervision notes", in "Feedback from staff and leaders")."""

    __tablename__ = "supervision"
    __table_args__ = (
        Index("ix_supervision_service_held", "service_id", "held_on"),
        Index("ix_supervision_person_kind", "person_id", "kind", "held_on"),
    )

    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    kind: Mapped[str] = mapped_column(String(40))
    held_on: Mapped[date]
    focus: Mapped[str] = long_text()
    notes: Mapped[str] = long_text()
    outcome: Mapped[str] = long_text()
    next_due: Mapped[date | None]
    action_id: Mapped[int | None] = mapped_column(ForeignKey("action.id"), index=True)

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    supervisor: Mapped[Person | None] = relationship(foreign_keys=[supervisor_id])
