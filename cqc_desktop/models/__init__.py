"""SQLAlchemy tables for CQC Desktop. No Qt and no UI imports here."""

from .base import Base, utcnow
from .evidence import Attachment, Evidence, Measure, MeasurePoint
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
    Withdrawal,
)
from .organisation import Person, RecoveryCode, Service, Setting, SignInThrottle, User
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
    "Evidence",
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
    "RecoveryCode",
    "Review",
    "Service",
    "Setting",
    "SignInThrottle",
    "Tracker",
    "TrackerEntry",
    "User",
    "Withdrawal",
    "utcnow",
]
