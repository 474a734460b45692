"""The care-domain vocabularies, as managers say them.

Values are the words shown to users and stored in the database, so a report or an export never needs a
lookup table to be readable.
"""

from __future__ import annotations

from enum import StrEnum


class Origin(StrEnum):
    CQC_INSPECTION = "CQC inspection"
    INTERNAL_AUDIT = "Internal audit"
    COMPLAINT = "Complaint"
    INCIDENT = "Incident"
    COMMISSIONER_VISIT = "Commissioner visit"
    MOCK_INSPECTION = "Mock inspection"


class KeyQuestion(StrEnum):
    SAFE = "Safe"
    EFFECTIVE = "Effective"
    CARING = "Caring"
    RESPONSIVE = "Responsive"
    WELL_LED = "Well-led"


class RiskArea(StrEnum):
    MEDICINES = "Medicines"
    SAFEGUARDING = "Safeguarding"
    SAFETY = "Safety"
    STAFFING = "Staffing"
    GOVERNANCE = "Governance"
    CARE_PLANNING = "Care planning"
    INFECTION_CONTROL = "Infection control"
    NUTRITION = "Nutrition and hydration"
    DIGNITY = "Dignity and respect"
    OTHER = "Other"


# Risk areas whose actions are never reviewed less often than fortnightly, whatever the score.
FAST_REVIEW_AREAS = frozenset(
    {
        RiskArea.SAFETY,
        RiskArea.SAFEGUARDING,
        RiskArea.MEDICINES,
        RiskArea.STAFFING,
        RiskArea.GOVERNANCE,
    }
)


class Rag(StrEnum):
    RED = "Red"
    AMBER = "Amber"
    GREEN = "Green"


class RiskLevel(StrEnum):
    HIGH = "High"
    MEDIUM = "Medium"
    LOW = "Low"


class ReviewFrequency(StrEnum):
    WEEKLY = "Weekly"
    FORTNIGHTLY = "Fortnightly"
    MONTHLY = "Monthly"

    @property
    def days(self) -> int:
        return {"Weekly": 7, "Fortnightly": 14, "Monthly": 28}[self.value]


class ActionStatus(StrEnum):
    NOT_STARTED = "Not started"
    IN_PROGRESS = "In progress"
    CLOSED = "Closed"


class ReviewLevel(StrEnum):
    MANAGER = "Manager"
    PROVIDER = "Provider"


class Decision(StrEnum):
    CONTINUE = "Continue"
    CHANGE_CONTROLS = "Change controls"
    ESCALATE = "Escalate"
    CLOSE = "Close"
    REOPEN = "Reopen"


class MeetingDecision(StrEnum):
    CONTINUE = "Continue"
    CHANGE_CONTROLS = "Change controls"
    CLOSE = "Close"
    ESCALATE = "Escalate"
    NOTE = "Note"


class Direction(StrEnum):
    LOWER = "lower"
    HIGHER = "higher"


class TargetKind(StrEnum):
    ABSOLUTE = "absolute"
    RELATIVE = "relative"  # percentage change from baseline, e.g. -80


class MeasureFrequency(StrEnum):
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class Supports(StrEnum):
    YES = "Yes"
    PARTLY = "Partly"
    NO = "No"


class Shift(StrEnum):
    EARLY = "Early"
    LATE = "Late"
    NIGHT = "Night"
    DAY = "Day"


class ObservationArea(StrEnum):
    MEDICINES_ROUND = "Medicines round"
    MOVING_AND_HANDLING = "Moving and handling"
    COMMUNICATION = "Communication"
    NUTRITION = "Nutrition and hydration"
    CARE_PLAN_GUIDANCE = "Following care-plan guidance"
    INFECTION_CONTROL = "Infection control"
    DIGNITY = "Dignity and privacy"


class Outcome(StrEnum):
    MET = "Met"
    PARTLY_MET = "Partly met"
    NOT_MET = "Not met"


class IncidentType(StrEnum):
    FALL = "Fall"
    MEDICATION = "Medication"
    SAFEGUARDING = "Safeguarding"
    PRESSURE_DAMAGE = "Pressure damage"
    BEHAVIOUR = "Behaviour"
    MISSING_PERSON = "Missing person"
    INJURY = "Injury"
    OTHER = "Other"


class Severity(StrEnum):
    NO_HARM = "No harm"
    LOW = "Low harm"
    MODERATE = "Moderate harm"
    SEVERE = "Severe harm"
    DEATH = "Death"


class CqcNotification(StrEnum):
    NONE = "Not required"
    REG16 = "Reg 16 (death)"
    REG18 = "Reg 18 (other incident)"


class LogKind(StrEnum):
    GOVERNANCE_LOG = "Daily governance log"
    ROTA_NOTE = "Rota note"
    COMMUNICATION_BOOK = "Staff communication book"


class MeetingType(StrEnum):
    WEEKLY_GOVERNANCE = "Weekly governance"
    MONTHLY_QUALITY = "Monthly quality meeting"
    PROVIDER_GOVERNANCE = "Provider governance meeting"
    STAFF = "Staff meeting"


class MinutesStatus(StrEnum):
    DRAFT = "Draft"
    APPROVED = "Approved"


class AuditAnswerValue(StrEnum):
    YES = "Yes"
    NO = "No"
    NA = "N/A"


class Role(StrEnum):
    ADMINISTRATOR = "administrator"
    MANAGER = "manager"
    STAFF = "staff"
    VIEWER = "viewer"


class AlertKind(StrEnum):
    SPECIAL_CAUSE_CONCERN = "Measure: special-cause concern"
    WORSENING = "Measure: two worsening points"
    REVIEW_OVERDUE = "Review overdue"
    NOT_MET = "Not met observation or audit item"
    REPEAT_INCIDENT = "Repeat incident"


class ComplaintKind(StrEnum):
    COMPLAINT = "Complaint"
    COMPLIMENT = "Compliment"


class ComplaintFrom(StrEnum):
    PERSON = "Person using the service"
    RELATIVE = "Relative or representative"
    STAFF = "Staff member"
    PROFESSIONAL = "Professional or partner"
    OTHER = "Other"


class ComplaintChannel(StrEnum):
    IN_PERSON = "In person"
    PHONE = "Phone"
    EMAIL = "Email"
    LETTER = "Letter"
    FORM = "Complaint form"
    CARD = "Card"


class ComplaintCategory(StrEnum):
    CARE = "Care and support"
    MEDICINES = "Medicines"
    STAFF_ATTITUDE = "Staff attitude"
    COMMUNICATION = "Communication"
    FOOD = "Food and drink"
    ENVIRONMENT = "Environment and cleanliness"
    SAFETY = "Safety and safeguarding"
    ACTIVITIES = "Activities"
    FEES = "Fees and administration"
    OTHER = "Other"


class ComplaintSeverity(StrEnum):
    LOW = "Low"
    MEDIUM = "Medium"
    HIGH = "High"


class ComplaintFinding(StrEnum):
    UPHELD = "Upheld"
    PARTLY = "Partly upheld"
    NOT_UPHELD = "Not upheld"


class FeedbackSource(StrEnum):
    PERSON = "Person using the service"
    RELATIVE = "Relative or friend"
    STAFF = "Staff member"
    GP = "GP"
    DISTRICT_NURSE = "District nurse"
    SOCIAL_WORKER = "Social worker"
    COMMISSIONER = "Commissioner"
    OTHER_PARTNER = "Other professional"


class FeedbackMethod(StrEnum):
    MEETING = "Meeting"
    SURVEY = "Survey"
    CONVERSATION = "Conversation"
    CARD = "Card or letter"
    EMAIL = "Email"
    PHONE = "Phone"


class Sentiment(StrEnum):
    POSITIVE = "Positive"
    MIXED = "Mixed"
    NEGATIVE = "Negative"
