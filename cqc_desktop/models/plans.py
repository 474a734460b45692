"""The improvement plan: findings, the actions that answer them, their steps and reviews."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, IdMixin, TimestampMixin, VersionMixin, long_text
from .organisation import Person, Service

ACTION_PLAN_DUE_DAYS = 28


class Plan(IdMixin, TimestampMixin, VersionMixin, Base):
    """A recovery or improvement plan raised from one source (an inspection, an audit, ...)."""

    __tablename__ = "plan"

    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    # A short code ("MED") that starts every finding and action reference in the plan ("MED-A2"),
    # so references are unique in the database. Fixed once the plan has findings.
    code: Mapped[str] = mapped_column(String(10), default="", index=True)
    origin: Mapped[str] = mapped_column(String(40))
    report_date: Mapped[date | None]
    rating: Mapped[str] = mapped_column(String(40), default="")
    summary: Mapped[str] = long_text()
    archived: Mapped[bool] = mapped_column(Boolean, default=False)

    service: Mapped[Service] = relationship()
    findings: Mapped[list[Finding]] = relationship(back_populates="plan", order_by="Finding.id")

    @property
    def action_plan_due(self) -> date | None:
        """CQC expects the provider's action plan 28 days after the report."""
        if self.report_date is None:
            return None
        return self.report_date + timedelta(days=ACTION_PLAN_DUE_DAYS)


class FindingStatement(Base):
    """Links a finding to a CQC quality statement (a table, so plans can be filtered in SQL)."""

    __tablename__ = "finding_statement"

    finding_id: Mapped[int] = mapped_column(
        ForeignKey("finding.id", ondelete="CASCADE"), primary_key=True
    )
    statement_code: Mapped[str] = mapped_column(String(10), primary_key=True, index=True)


class Finding(IdMixin, TimestampMixin, VersionMixin, Base):
    """One thing found wrong, with its risk, root cause and the control put in straight away."""

    __tablename__ = "finding"

    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    reference: Mapped[str] = mapped_column(String(20), default="")
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = long_text()
    key_question: Mapped[str] = mapped_column(String(20), index=True)
    breached_regulation: Mapped[str] = mapped_column(String(10), default="")
    risk_area: Mapped[str] = mapped_column(String(40), index=True)
    likelihood: Mapped[int] = mapped_column(Integer)
    impact: Mapped[int] = mapped_column(Integer)
    score: Mapped[int] = mapped_column(Integer)
    rag: Mapped[str] = mapped_column(String(10))
    root_cause: Mapped[str] = long_text()
    immediate_control: Mapped[str] = long_text()

    plan: Mapped[Plan] = relationship(back_populates="findings")
    statements: Mapped[list[FindingStatement]] = relationship(
        cascade="all, delete-orphan", order_by="FindingStatement.statement_code"
    )
    actions: Mapped[list[Action]] = relationship(back_populates="finding", order_by="Action.id")

    @property
    def statement_codes(self) -> list[str]:
        return [s.statement_code for s in self.statements]


class Action(IdMixin, TimestampMixin, VersionMixin, Base):
    """A corrective action with exactly one accountable lead.

    It is finished only when the closure gate is passed: steps done, measure sustained at target,
    tested evidence from several sources, and an ongoing-oversight plan.
    """

    __tablename__ = "action"
    __table_args__ = (
        Index("ix_action_status_next_review", "status", "next_review_date"),
        Index("ix_action_lead_status", "accountable_lead_id", "status"),
    )

    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id"), index=True)
    reference: Mapped[str] = mapped_column(String(20), default="")
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = long_text()
    # One person, never a team: shared ownership is how actions drift.
    accountable_lead_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    due_date: Mapped[date]
    status: Mapped[str] = mapped_column(String(20), default="Not started")
    rag: Mapped[str] = mapped_column(String(10), default="Red")
    review_frequency: Mapped[str] = mapped_column(String(20))
    review_frequency_overridden: Mapped[bool] = mapped_column(Boolean, default=False)
    next_review_date: Mapped[date | None] = mapped_column(index=True)
    early_warning_signs: Mapped[str] = long_text()
    escalation_route: Mapped[str] = long_text()
    oversight_plan: Mapped[str] = long_text()
    triggers: Mapped[str] = long_text()
    closed_on: Mapped[date | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    closure_rationale: Mapped[str] = long_text()
    closed_with_override: Mapped[bool] = mapped_column(Boolean, default=False)
    override_reason: Mapped[str] = long_text()
    reopened_on: Mapped[date | None]
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)

    finding: Mapped[Finding] = relationship(back_populates="actions")
    accountable_lead: Mapped[Person] = relationship(foreign_keys=[accountable_lead_id])
    closed_by: Mapped[Person | None] = relationship(foreign_keys=[closed_by_id])
    steps: Mapped[list[ActionStep]] = relationship(
        back_populates="action", order_by="ActionStep.position", cascade="all, delete-orphan"
    )
    reviews: Mapped[list[Review]] = relationship(
        back_populates="action", order_by="(Review.review_date, Review.id)"
    )


class ActionStep(IdMixin, TimestampMixin, VersionMixin, Base):
    """One concrete step of an action, and where its record is kept ("recorded in")."""

    __tablename__ = "action_step"

    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    recorded_in: Mapped[str] = mapped_column(String(200), default="")
    due_date: Mapped[date | None]
    done_on: Mapped[date | None]

    action: Mapped[Action] = relationship(back_populates="steps")
    owner: Mapped[Person | None] = relationship()

    @property
    def done(self) -> bool:
        return self.done_on is not None


class Review(IdMixin, TimestampMixin, VersionMixin, Base):
    """A dated review of an action. A governance meeting decision on an action is one of these."""

    __tablename__ = "review"
    # Partial: most reviews are not from a meeting, and with every NULL in a full index SQLite's
    # statistics judged it useless and scanned the table to find an agenda item's review.
    __table_args__ = (
        Index(
            "ix_review_meeting_item_id",
            "meeting_item_id",
            sqlite_where=text("meeting_item_id IS NOT NULL"),
            postgresql_where=text("meeting_item_id IS NOT NULL"),
        ),
    )

    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"), index=True)
    review_date: Mapped[date] = mapped_column(index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    level: Mapped[str] = mapped_column(String(20), default="Manager")
    progress: Mapped[str] = long_text()
    rag: Mapped[str] = mapped_column(String(10))
    decision: Mapped[str] = mapped_column(String(20))
    notes: Mapped[str] = mapped_column(Text, default="")
    meeting_item_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_item.id"))

    action: Mapped[Action] = relationship(back_populates="reviews")
    reviewer: Mapped[Person] = relationship()
