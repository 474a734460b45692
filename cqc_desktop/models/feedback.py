"""What people, relatives, staff and partners tell the home: complaints and compliments."""

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
