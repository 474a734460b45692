"""SQLAlchemy tables for CQC Desktop. No Qt and no UI imports here."""

from .base import Base, utcnow
from .evidence import Attachment, Evidence, Measure, MeasureChange, MeasurePoint
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
    Withdrawal,
)
from .organisation import (
    Person,
    PersonHome,
    RecoveryCode,
    Service,
    Setting,
    SignInThrottle,
    User,
)
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
    "MeasureChange",
    "MeasurePoint",
    "Meeting",
    "MeetingAddendum",
    "MeetingItem",
    "MinuteDraft",
    "Observation",
    "Person",
    "PersonHome",
    "Plan",
    "RecoveryCode",
    "Review",
    "Service",
    "Setting",
    "SignInThrottle",
    "Supervision",
    "Tracker",
    "TrackerEntry",
    "User",
    "Withdrawal",
    "utcnow",
]
