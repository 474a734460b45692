"""SQLAlchemy tables for CQC Desktop. No Qt and no UI imports here."""

from .base import Base, utcnow
from .evidence import Attachment, Evidence, Measure, MeasurePoint
from .feedback import Complaint, Feedback, Supervision
from .governance import (
    Alert,
    AuditAnswer,
    AuditChainHead,
    AuditLog,
    AuditRun,
    AuditSchedule,
    AuditTemplate,
    Meeting,
    MeetingAddendum,
    MeetingItem,
    MinuteDraft,
)
from .organisation import Person, Service, Setting, User
from .plans import Action, ActionStep, Finding, FindingStatement, Plan, Review
from .records import HandoverRecord, Incident, LogEntry, Observation, Tracker, TrackerEntry

__all__ = [
    "Action",
    "ActionStep",
    "Alert",
    "Attachment",
    "AuditAnswer",
    "AuditChainHead",
    "AuditLog",
    "AuditRun",
    "AuditSchedule",
    "AuditTemplate",
    "Base",
    "Complaint",
    "Evidence",
    "Feedback",
    "Finding",
    "FindingStatement",
    "HandoverRecord",
    "Incident",
    "LogEntry",
    "Measure",
    "MeasurePoint",
    "Meeting",
    "MeetingAddendum",
    "MeetingItem",
    "MinuteDraft",
    "Observation",
    "Person",
    "Plan",
    "Review",
    "Service",
    "Setting",
    "Supervision",
    "Tracker",
    "TrackerEntry",
    "User",
    "utcnow",
]
