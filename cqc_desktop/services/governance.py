"""Oversight records: versioned audit templates and their scored runs, and governance minutes.

Audit scores leave N/A out (a home with no covert medicines should not score lower for it), and a
template is never edited in place: a new version is made so past runs keep the questions they were
asked. Approved minutes are locked; corrections go in dated addenda so the record stays honest.
Functions add and flush but never commit: the caller owns the transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..config import RESOURCES
from ..models import (
    AuditAnswer,
    AuditRun,
    AuditTemplate,
    Meeting,
    MeetingAddendum,
    MeetingItem,
    Person,
    Service,
)
from ..models.enums import AuditAnswerValue, MeetingDecision, MeetingType, MinutesStatus
from .errors import NotAllowed, NotFound, Problems, ValidationError
from .people import is_manager

AUDITS = RESOURCES / "audits"
SCHEDULES = ("weekly", "monthly")
# Keyboard shortcuts used when typing up a paper audit: Y, N and A (for N/A).
_ANSWERS = {
    "y": AuditAnswerValue.YES,
    "yes": AuditAnswerValue.YES,
    "n": AuditAnswerValue.NO,
    "no": AuditAnswerValue.NO,
    "a": AuditAnswerValue.NA,
    "na": AuditAnswerValue.NA,
    "n/a": AuditAnswerValue.NA,
    "not applicable": AuditAnswerValue.NA,
}
# Decisions that hand someone work, so they need an owner and a date.
_DECISIONS_NEEDING_OWNER = (MeetingDecision.CHANGE_CONTROLS, MeetingDecision.ESCALATE)


def _uk(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def normalise_answer(value: str) -> str | None:
    """ "y", "N", "a", "n/a", "Yes" … → "Yes", "No" or "N/A"; None if it is not an answer."""
    answer = _ANSWERS.get(value.strip().lower())
    return answer.value if answer is not None else None


# --- audit templates --------------------------------------------------------------------------


def load_audit_definitions() -> list[dict[str, Any]]:
    """The audit templates shipped in resources/audits, one JSON file each, in file order."""
    definitions = []
    for path in sorted(AUDITS.glob("*.json")):
        with path.open(encoding="utf-8") as fh:
            definitions.append(json.load(fh))
    return definitions


def check_definition(definition: dict[str, Any]) -> dict[str, Any]:
    """Validate sections and questions; return the stored form {"sections", "record_sample", …}.

    Question keys are unique across the whole template because answers are keyed by them.
    """
    p = Problems()
    sections: list[dict[str, Any]] = []
    keys: set[str] = set()
    if not definition.get("sections"):
        p.add("sections", "An audit needs at least one section.")
    for s, section in enumerate(definition.get("sections") or [], start=1):
        title = str(section.get("title") or "").strip()
        if not title:
            p.add(f"sections.{s}", f"Section {s} needs a title.")
        questions = []
        if not section.get("questions"):
            p.add(f"sections.{s}", f"{title or f'Section {s}'} needs at least one question.")
        for q, question in enumerate(section.get("questions") or [], start=1):
            key = str(question.get("key") or "").strip()
            text = str(question.get("text") or "").strip()
            if not key or not text:
                p.add(f"sections.{s}.{q}", f"{title}, question {q} needs a key and its wording.")
            elif key in keys:
                p.add(f"sections.{s}.{q}", f"The question key {key!r} is used twice.")
            keys.add(key)
            questions.append({"key": key, "text": text})
        sections.append({"title": title, "questions": questions})
    p.raise_if_any()
    return {
        "sections": sections,
        "record_sample": bool(definition.get("record_sample", False)),
        "description": str(definition.get("description", "")),
    }


def _versions(session: Session, key: str) -> list[AuditTemplate]:
    return list(session.scalars(select(AuditTemplate).where(AuditTemplate.key == key)))


def _make_template(
    session: Session,
    key: str,
    name: str,
    version: int,
    schedule: str,
    definition: dict[str, Any],
) -> AuditTemplate:
    if schedule not in SCHEDULES:
        raise ValidationError.single("schedule", "Choose a weekly or monthly schedule.")
    if not name.strip():
        raise ValidationError.single("name", "Give the audit a name.")
    others = _versions(session, key)
    current = all(t.version < version for t in others)
    if current:
        for other in others:
            other.current = False
    template = AuditTemplate(
        key=key,
        name=name.strip(),
        version=version,
        current=current,
        definition=definition,
        schedule=schedule,
    )
    session.add(template)
    session.flush()
    return template


def install_builtin_audit_templates(session: Session) -> list[AuditTemplate]:
    """Add shipped templates not yet installed (by key and version); safe to run at every start.

    Returns the installed template for every shipped definition. A shipped version older than one a
    manager has made does not become current.
    """
    templates = []
    for raw in load_audit_definitions():
        template = session.scalar(
            select(AuditTemplate).where(
                AuditTemplate.key == raw["key"], AuditTemplate.version == int(raw["version"])
            )
        )
        if template is None:
            template = _make_template(
                session,
                raw["key"],
                raw["name"],
                int(raw["version"]),
                raw["schedule"],
                check_definition(raw),
            )
        templates.append(template)
    return templates


def get_template(session: Session, template_id: int) -> AuditTemplate:
    template = session.get(AuditTemplate, template_id)
    if template is None:
        raise NotFound("That audit template no longer exists.")
    return template


def new_template_version(
    session: Session, template_id: int, definition: dict[str, Any]
) -> AuditTemplate:
    """Save an edited template as the next version; earlier versions stay for their past runs.

    ``definition`` may also carry "name" and "schedule"; otherwise they are kept.
    """
    template = get_template(session, template_id)
    clean = check_definition(definition)
    latest = max(t.version for t in _versions(session, template.key))
    return _make_template(
        session,
        template.key,
        str(definition.get("name") or template.name),
        latest + 1,
        str(definition.get("schedule") or template.schedule),
        clean,
    )


# --- scoring and runs -------------------------------------------------------------------------


@dataclass(frozen=True)
class SectionScore:
    title: str
    yes: int
    no: int
    na: int
    percent: float | None  # None when every answer was N/A


@dataclass(frozen=True)
class ScoreResult:
    sections: tuple[SectionScore, ...]
    yes: int
    no: int
    na: int
    percent: float | None


def _percent(yes: int, no: int) -> float | None:
    return yes / (yes + no) * 100 if yes + no else None


def score_answers(definition: dict[str, Any], answers: dict[str, str]) -> ScoreResult:
    """Yes ÷ (Yes + No) × 100, per section and overall; N/A and unanswered questions left out.

    The overall figure counts every question equally, not the average of section percentages.
    """
    sections = []
    for section in definition["sections"]:
        counts = {"Yes": 0, "No": 0, "N/A": 0}
        for question in section["questions"]:
            raw = answers.get(question["key"])
            if raw is None or not raw.strip():
                continue  # unanswered: record_audit_run refuses these, a live preview skips them
            answer = normalise_answer(raw)
            if answer is None:
                raise ValidationError.single(question["key"], _bad_answer(raw))
            counts[answer] += 1
        yes, no, na = counts["Yes"], counts["No"], counts["N/A"]
        sections.append(SectionScore(section["title"], yes, no, na, _percent(yes, no)))
    yes = sum(s.yes for s in sections)
    no = sum(s.no for s in sections)
    return ScoreResult(tuple(sections), yes, no, sum(s.na for s in sections), _percent(yes, no))


def _bad_answer(raw: str) -> str:
    return f"{raw!r} is not an answer: use Yes, No or N/A (Y, N or A on the keyboard)."


def record_audit_run(
    session: Session,
    template_id: int,
    service_id: int,
    run_on: date,
    auditor_id: int | None,
    answers: dict[str, str],
    comments: dict[str, str] | None = None,
    sample_size: int | None = None,
    notes: str = "",
) -> AuditRun:
    """Store a completed audit. Every question must be answered (N/A counts as an answer), so a
    half-typed paper audit cannot produce a flattering score."""
    template = get_template(session, template_id)
    if session.get(Service, service_id) is None:
        raise NotFound("That care home could not be found.")
    comments = comments or {}
    p = Problems()
    auditor = session.get(Person, auditor_id) if auditor_id is not None else None
    if auditor is None:
        p.add("auditor_id", "Choose who carried out the audit from the staff list.")
    if template.definition.get("record_sample") and sample_size is None:
        p.add("sample_size", "Enter how many records were sampled.")
    if sample_size is not None and sample_size < 1:
        p.add("sample_size", "The sample size must be at least 1.")
    asked = {q["key"] for s in template.definition["sections"] for q in s["questions"]}
    for key in sorted((set(answers) | set(comments)) - asked):
        p.add(key, f"{key!r} is not a question on version {template.version} of this audit.")
    rows: list[AuditAnswer] = []
    for section in template.definition["sections"]:
        for n, question in enumerate(section["questions"], start=1):
            key, raw = question["key"], answers.get(question["key"])
            answer = normalise_answer(raw) if raw is not None else None
            if raw is None or not raw.strip():
                p.add(key, f"{section['title']}, question {n} needs an answer: Yes, No or N/A.")
            elif answer is None:
                p.add(key, f"{section['title']}, question {n}: {_bad_answer(raw)}")
            else:
                rows.append(
                    AuditAnswer(
                        section=section["title"],
                        question_key=key,
                        answer=answer,
                        comment=comments.get(key, "").strip(),
                    )
                )
    p.raise_if_any()
    score = score_answers(template.definition, {r.question_key: r.answer for r in rows})
    run = AuditRun(
        template_id=template.id,
        service_id=service_id,
        run_on=run_on,
        auditor_id=auditor_id,
        sample_size=sample_size,
        score_percent=score.percent,
        notes=notes.strip(),
        answers=rows,
    )
    session.add(run)
    session.flush()
    return run


def previous_run(session: Session, run: AuditRun) -> AuditRun | None:
    """The last earlier run of the same audit at the same home, across template versions."""
    return session.scalar(
        select(AuditRun)
        .join(AuditTemplate, AuditRun.template_id == AuditTemplate.id)
        .where(
            AuditTemplate.key == run.template.key,
            AuditRun.service_id == run.service_id,
            AuditRun.run_on < run.run_on,
        )
        .order_by(AuditRun.run_on.desc(), AuditRun.id.desc())
        .limit(1)
    )


# --- meetings and minutes ---------------------------------------------------------------------


def get_meeting(session: Session, meeting_id: int) -> Meeting:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound("That meeting no longer exists.")
    return meeting


def ensure_editable(meeting: Meeting) -> None:
    """Raise NotAllowed if the minutes are approved; the UI can call this to grey out fields."""
    if meeting.status == MinutesStatus.APPROVED:
        on = _uk(meeting.approved_on) if meeting.approved_on else "an earlier date"
        raise NotAllowed(
            f"These minutes were approved on {on} and are locked. Add an addendum to correct them."
        )


def _check_people(p: Problems, session: Session, field: str, ids: list[int], message: str) -> None:
    if ids and session.scalar(
        select(func.count()).select_from(Person).where(Person.id.in_(ids))
    ) != len(set(ids)):
        p.add(field, message)


def _check_meeting(
    session: Session,
    meeting_type: str,
    service_id: int | None,
    chair_id: int | None,
    attendee_ids: list[int],
) -> None:
    p = Problems()
    p.choice("meeting_type", meeting_type, MeetingType, "meeting type")
    if service_id is None and meeting_type != MeetingType.PROVIDER_GOVERNANCE:
        p.add("service_id", "Choose the care home this meeting covers.")
    elif service_id is not None and session.get(Service, service_id) is None:
        p.add("service_id", "Choose a care home from the list.")
    _check_people(
        p,
        session,
        "chair_id",
        [chair_id] if chair_id is not None else [],
        "Choose the chair from the staff list.",
    )
    _check_people(
        p,
        session,
        "attendee_ids",
        attendee_ids,
        "Choose attendees from the staff list; add anyone else under other attendees.",
    )
    p.raise_if_any()


def create_meeting(
    session: Session,
    meeting_type: str,
    held_on: date,
    service_id: int | None = None,
    chair_id: int | None = None,
    attendee_ids: tuple[int, ...] | list[int] = (),
    other_attendees: str = "",
    apologies: str = "",
) -> Meeting:
    """A provider governance meeting may cover every home (no service); others belong to one."""
    _check_meeting(session, meeting_type, service_id, chair_id, list(attendee_ids))
    meeting = Meeting(
        meeting_type=meeting_type,
        held_on=held_on,
        service_id=service_id,
        chair_id=chair_id,
        attendee_ids=list(attendee_ids),
        other_attendees=other_attendees.strip(),
        apologies=apologies.strip(),
        status=MinutesStatus.DRAFT.value,
    )
    session.add(meeting)
    session.flush()
    return meeting


def update_meeting(
    session: Session,
    meeting_id: int,
    *,
    held_on: date | None = None,
    chair_id: int | None = None,
    attendee_ids: tuple[int, ...] | list[int] | None = None,
    other_attendees: str | None = None,
    apologies: str | None = None,
) -> Meeting:
    """Change draft minutes' details; arguments left as None keep their value."""
    meeting = get_meeting(session, meeting_id)
    ensure_editable(meeting)
    chair = chair_id if chair_id is not None else meeting.chair_id
    attendees = list(attendee_ids) if attendee_ids is not None else list(meeting.attendee_ids)
    _check_meeting(session, meeting.meeting_type, meeting.service_id, chair, attendees)
    meeting.held_on = held_on or meeting.held_on
    meeting.chair_id = chair
    meeting.attendee_ids = attendees
    if other_attendees is not None:
        meeting.other_attendees = other_attendees.strip()
    if apologies is not None:
        meeting.apologies = apologies.strip()
    session.flush()
    return meeting


def add_meeting_item(
    session: Session,
    meeting_id: int,
    title: str,
    kind: str = "Other",
    action_id: int | None = None,
) -> MeetingItem:
    meeting = get_meeting(session, meeting_id)
    ensure_editable(meeting)
    p = Problems()
    p.require("title", title, "Give the agenda item a title.")
    p.require("kind", kind, "Say what kind of item this is.")
    p.raise_if_any()
    item = MeetingItem(
        meeting_id=meeting.id,
        position=len(meeting.items),
        kind=kind.strip(),
        title=title.strip(),
        action_id=action_id,
    )
    meeting.items.append(item)
    session.flush()
    return item


def record_item_minute(
    session: Session,
    item_id: int,
    discussion: str,
    challenge: str,
    assurance: str,
    decision: str,
    owner_id: int | None = None,
    due_date: date | None = None,
) -> MeetingItem:
    """Minute one agenda item.

    This never creates an action review: turning a decision into a Review is the caller's next
    step (the seam is here, after the minute is saved, so the lead can wire it in one place).
    """
    item = session.get(MeetingItem, item_id)
    if item is None:
        raise NotFound("That agenda item no longer exists.")
    ensure_editable(item.meeting)
    p = Problems()
    p.require("discussion", discussion, "Summarise the discussion.")
    if decision:
        p.choice("decision", decision, MeetingDecision, "decision")
    if decision in _DECISIONS_NEEDING_OWNER:
        if owner_id is None:
            p.add("owner_id", f"A decision to {decision.lower()} needs an owner.")
        if due_date is None:
            p.add("due_date", f"A decision to {decision.lower()} needs a date it is due.")
    _check_people(
        p,
        session,
        "owner_id",
        [owner_id] if owner_id is not None else [],
        "Choose the owner from the staff list.",
    )
    if due_date is not None and due_date < item.meeting.held_on:
        p.add("due_date", "The due date cannot be before the meeting.")
    p.raise_if_any()
    item.discussion = discussion.strip()
    item.challenge = challenge.strip()
    item.assurance = assurance.strip()
    item.decision = decision
    item.owner_id = owner_id
    item.due_date = due_date
    session.flush()
    return item


def approve_minutes(session: Session, meeting_id: int, approved_by_id: int, on: date) -> Meeting:
    """Lock the minutes. Only a manager-level role approves, and every item must be minuted."""
    meeting = get_meeting(session, meeting_id)
    ensure_editable(meeting)
    approver = session.get(Person, approved_by_id)
    p = Problems()
    if approver is None:
        p.add("approved_by_id", "Choose who approved the minutes from the staff list.")
    elif not is_manager(approver):
        p.add(
            "approved_by_id",
            f"{approver.name} is not a manager; minutes are approved by a "
            "manager, quality lead, governance lead or nominated individual.",
        )
    if on < meeting.held_on:
        p.add("approved_on", "Minutes cannot be approved before the meeting was held.")
    if not meeting.items:
        p.add("items", "Add at least one agenda item before approving the minutes.")
    for n, item in enumerate(meeting.items, start=1):
        if not item.carried_forward and not item.discussion.strip():
            p.add(f"items.{n}", f"Item {n} ({item.title}) has no minute yet.")
    p.raise_if_any()
    meeting.status = MinutesStatus.APPROVED.value
    meeting.approved_by_id = approved_by_id
    meeting.approved_on = on
    session.flush()
    return meeting


def add_addendum(
    session: Session, meeting_id: int, author_id: int | None, on: date, text: str
) -> MeetingAddendum:
    """Correct approved minutes without rewriting them; drafts are simply edited instead."""
    meeting = get_meeting(session, meeting_id)
    if meeting.status != MinutesStatus.APPROVED or meeting.approved_on is None:
        raise NotAllowed("These minutes are still a draft: edit them directly instead.")
    p = Problems()
    _check_people(
        p,
        session,
        "author_id",
        [author_id] if author_id is not None else [],
        "Choose the author from the staff list.",
    )
    if author_id is None:
        p.add("author_id", "Choose who wrote the addendum.")
    p.require("text", text, "Write the correction.")
    if on < meeting.approved_on:
        p.add(
            "added_on",
            f"An addendum cannot be dated before the minutes were approved "
            f"({_uk(meeting.approved_on)}).",
        )
    p.raise_if_any()
    addendum = MeetingAddendum(
        meeting_id=meeting.id, added_on=on, author_id=author_id, text=text.strip()
    )
    meeting.addenda.append(addendum)
    session.flush()
    return addendum
