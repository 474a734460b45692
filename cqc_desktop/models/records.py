"""What staff fill in after handover: trackers, observations, incidents, handovers and logs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, IdMixin, TimestampMixin, VersionMixin, long_text
from .organisation import Person, Service


class Tracker(IdMixin, TimestampMixin, VersionMixin, Base):
    """A tracker definition: built-in (shipped in resources/) or made by a manager."""

    __tablename__ = "tracker"
    __table_args__ = (UniqueConstraint("service_id", "key"),)

    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), index=True)
    key: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = long_text()
    # Version of the shipped definition a built-in tracker was installed from (0 for custom ones).
    definition_version: Mapped[int] = mapped_column(Integer, default=0)
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)
    # List of {"key", "label", "type", "choices"?, "required"?}; types: date, time, text,
    # number, yes/no, choice, person.
    columns: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("action.id"), index=True)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)

    service: Mapped[Service] = relationship()


class TrackerEntry(IdMixin, TimestampMixin, VersionMixin, Base):
    """One row of a tracker. The row date is a real column so paging and weekly counts use an index."""

    __tablename__ = "tracker_entry"
    __table_args__ = (
        # Paging in date order, and the search box, read this index alone: search_text is in it,
        # so "contains" scans one tracker's index entries instead of its table rows, which lie
        # scattered among every other tracker's (70 ms → 5 ms at 18,000 rows).
        Index("ix_tracker_entry_tracker_date", "tracker_id", "entry_date", "id", "search_text"),
        # Counting a tracker's rows reads this narrow one, several times faster than the above.
        Index("ix_tracker_entry_tracker", "tracker_id"),
    )

    tracker_id: Mapped[int] = mapped_column(ForeignKey("tracker.id"))
    entry_date: Mapped[date]
    values: Mapped[dict[str, Any]] = mapped_column(JSON)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    # The row's values as shown (dd/mm/yyyy, Yes/No), lower-cased, kept by the tracker services:
    # searching one text column stays quick at 200,000 rows, where reading every JSON value does not.
    search_text: Mapped[str] = mapped_column(Text, default="")

    tracker: Mapped[Tracker] = relationship()


class HandoverRecord(IdMixin, TimestampMixin, VersionMixin, Base):
    """A shift handover where learning points are shared, with who was there."""

    __tablename__ = "handover_record"
    __table_args__ = (Index("ix_handover_service_date", "service_id", "handover_date"),)

    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    handover_date: Mapped[date]
    shift: Mapped[str] = mapped_column(String(20))
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    staff_present: Mapped[str] = long_text()
    learning_points: Mapped[str] = long_text()
    understanding_checked: Mapped[bool] = mapped_column(Boolean, default=False)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("action.id"), index=True)

    lead: Mapped[Person | None] = relationship()


class LogEntry(IdMixin, TimestampMixin, VersionMixin, Base):
    """Daily governance log, rota note or staff communication book entry."""

    __tablename__ = "log_entry"
    __table_args__ = (Index("ix_log_entry_service_kind_date", "service_id", "kind", "entry_date"),)

    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    kind: Mapped[str] = mapped_column(String(40))
    entry_date: Mapped[date]
    author_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    text: Mapped[str] = mapped_column(Text)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("action.id"), index=True)

    author: Mapped[Person | None] = relationship()


class Observation(IdMixin, TimestampMixin, VersionMixin, Base):
    """A practice observation: what a senior saw staff do, against the area's prompts."""

    __tablename__ = "observation"
    # The list opens newest first for one home or all; the outcome filter and the staff sort have
    # their own so neither sorts 50,000 rows to show 300.
    __table_args__ = (
        Index("ix_observation_service_at", "service_id", "observed_at"),
        Index("ix_observation_at", "observed_at"),
        Index("ix_observation_outcome_at", "outcome", "observed_at"),
        Index("ix_observation_staff", func.lower(text("staff_observed"))),
    )

    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    observed_at: Mapped[datetime]
    shift: Mapped[str] = mapped_column(String(20), default="")
    observer_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    staff_observed: Mapped[str] = mapped_column(String(200), default="")
    area: Mapped[str] = mapped_column(String(60), index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    prompt_results: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    what_was_seen: Mapped[str] = long_text()
    feedback_given: Mapped[str] = long_text()
    follow_up: Mapped[str] = long_text()
    follow_up_due: Mapped[date | None]
    care_plan_ref: Mapped[str] = mapped_column(String(100), default="")
    action_id: Mapped[int | None] = mapped_column(ForeignKey("action.id"), index=True)

    observer: Mapped[Person | None] = relationship()


class Incident(IdMixin, TimestampMixin, VersionMixin, Base):
    """An incident, its same-day management review, notifications and the learning shared."""

    __tablename__ = "incident"
    __table_args__ = (
        Index("ix_incident_service_at", "service_id", "occurred_at"),
        Index("ix_incident_type_person", "incident_type", "person_ref"),
        # Every home's incidents newest first, sorted by type or severity, and the count of late
        # 7-day learning, without reading all 20,000 rows.
        Index("ix_incident_at", "occurred_at"),
        Index("ix_incident_type", "incident_type"),
        Index("ix_incident_severity", "severity"),
        Index("ix_incident_learning", "learning_met", "service_id", "occurred_at"),
        UniqueConstraint("service_id", "reference"),
    )

    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    reference: Mapped[str] = mapped_column(String(40), default="")
    occurred_at: Mapped[datetime]
    incident_type: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(40))
    # Initials or room, not a full name, unless the privacy setting allows names.
    person_ref: Mapped[str] = mapped_column(String(100), default="")
    location: Mapped[str] = mapped_column(String(100), default="")
    description: Mapped[str] = long_text()
    immediate_action: Mapped[str] = long_text()
    reported_by: Mapped[str] = mapped_column(String(200), default="")
    # Management review
    reviewed_on: Mapped[date | None]
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    immediate_controls: Mapped[str] = long_text()
    cqc_notification: Mapped[str] = mapped_column(String(40), default="Not required")
    cqc_notified_on: Mapped[date | None]
    safeguarding_referral: Mapped[bool] = mapped_column(Boolean, default=False)
    safeguarding_referred_on: Mapped[date | None]
    riddor_required: Mapped[bool] = mapped_column(Boolean, default=False)
    riddor_reported_on: Mapped[date | None]
    family_informed: Mapped[bool] = mapped_column(Boolean, default=False)
    family_informed_on: Mapped[date | None]
    learning_point: Mapped[str] = long_text()
    handover_id: Mapped[int | None] = mapped_column(ForeignKey("handover_record.id"), index=True)
    actions_completed_on: Mapped[date | None]
    closure_evidence: Mapped[str] = long_text()
    closed_on: Mapped[date | None]
    reopened_on: Mapped[date | None]
    reopen_reason: Mapped[str] = long_text()
    action_id: Mapped[int | None] = mapped_column(ForeignKey("action.id"), index=True)
    # Duty of candour (Regulation 20): "Yes" when it is a notifiable safety incident, "No" when
    # it is not, "" until someone has decided.
    notifiable_safety_incident: Mapped[str] = mapped_column(String(10), default="")
    candour_told_on: Mapped[date | None]
    candour_told_who: Mapped[str] = mapped_column(String(100), default="")
    candour_told_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    candour_method: Mapped[str] = mapped_column(String(20), default="")
    candour_apology: Mapped[str] = long_text()
    candour_letter_on: Mapped[date | None]
    candour_outcome_shared_on: Mapped[date | None]
    # GP, NHS 111 or ambulance contact, and when.
    medical_contact: Mapped[str] = mapped_column(String(40), default="")
    medical_contact_at: Mapped[datetime | None]
    # Kept by the incident services: reviewed with action and learning within 7 days. Stored so
    # the incidents list can filter and sort on it in SQL (the rule compares two dates).
    learning_met: Mapped[bool] = mapped_column(Boolean, default=False)

    reviewer: Mapped[Person | None] = relationship(foreign_keys=[reviewer_id])
    handover: Mapped[HandoverRecord | None] = relationship()
