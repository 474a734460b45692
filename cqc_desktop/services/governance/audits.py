"""Audit templates (versioned) and how a set of answers is scored (runs are in ``audit_runs``).

Audit scores leave N/A out (a home with no covert medicines should not score lower for it), and a
template is never edited in place: a new version is made so past runs keep the questions they were
asked. Question keys carry over between versions, which is what lets a run be compared with the
last one and the score trend run across versions. Functions add and flush but never commit: the
caller owns the transaction.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...config import RESOURCES
from ...models import AuditTemplate
from ...models.enums import KeyQuestion, RiskArea
from ..errors import NotFound, Problems, ValidationError
from ..reference import normalise_answer
from ..trust.permissions import Permission, require

AUDITS = RESOURCES / "audits"
SCHEDULES = ("weekly", "monthly")
# --- audit templates --------------------------------------------------------------------------


def load_audit_definitions() -> list[dict[str, Any]]:
    """The audit templates shipped in resources/audits, one JSON file each, in file order."""
    definitions = []
    for path in sorted(AUDITS.glob("*.json")):
        with path.open(encoding="utf-8") as fh:
            definitions.append(json.load(fh))
    return definitions


def _slug(text: str) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return "_".join(words[:5]) or "question"


def new_question_key(text: str, taken: set[str]) -> str:
    """A key for a question added in the editor: from its wording, unique in the template."""
    base = _slug(text)[:60]
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


def check_definition(definition: dict[str, Any]) -> dict[str, Any]:
    """Validate sections and questions; return the stored form {"sections", "record_sample", …}.

    Question keys are unique across the whole template because answers are keyed by them. A
    question without a key (added in the editor) gets one made from its wording.
    """
    p = Problems()
    sections: list[dict[str, Any]] = []
    keys = {
        str(q.get("key") or "").strip()
        for s in definition.get("sections") or []
        for q in s.get("questions") or []
    }
    seen: set[str] = set()
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
            if not text:
                p.add(
                    f"sections.{s}.{q}", f"{title or f'Section {s}'}, question {q} needs wording."
                )
                continue
            if not key:
                key = new_question_key(text, keys | seen)
            elif key in seen:
                p.add(f"sections.{s}.{q}", f"The question key {key!r} is used twice.")
            seen.add(key)
            questions.append({"key": key, "text": text})
        sections.append({"title": title, "questions": questions})
    risk_area = str(definition.get("risk_area") or RiskArea.OTHER.value)
    key_question = str(definition.get("key_question") or KeyQuestion.SAFE.value)
    p.choice("risk_area", risk_area, RiskArea, "risk area")
    p.choice("key_question", key_question, KeyQuestion, "key question")
    p.raise_if_any()
    return {
        "sections": sections,
        "record_sample": bool(definition.get("record_sample", False)),
        "description": str(definition.get("description", "")).strip(),
        "risk_area": risk_area,
        "key_question": key_question,
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
    p = Problems()
    if schedule not in SCHEDULES:
        p.add("schedule", "Choose a weekly or monthly schedule.")
    if not name.strip():
        p.add("name", "Give the audit a name.")
    p.raise_if_any()
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
    require(session, Permission.EDIT_PLANS)
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


def current_templates(session: Session) -> list[AuditTemplate]:
    return list(
        session.scalars(
            select(AuditTemplate)
            .where(AuditTemplate.current.is_(True))
            .order_by(AuditTemplate.name)
        )
    )


def new_template_version(
    session: Session, template_id: int, definition: dict[str, Any]
) -> AuditTemplate:
    """Save an edited template as the next version; earlier versions stay for their past runs.

    ``definition`` may also carry "name" and "schedule"; otherwise they are kept.
    """
    require(session, Permission.EDIT_PLANS)
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


@dataclass(frozen=True)
class Question:
    key: str
    section: str
    number: int  # within its section, from 1
    text: str


def questions(definition: dict[str, Any]) -> list[Question]:
    return [
        Question(q["key"], s["title"], n, q["text"])
        for s in definition["sections"]
        for n, q in enumerate(s["questions"], start=1)
    ]


# --- scoring ----------------------------------------------------------------------------------


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

    def section(self, title: str) -> SectionScore | None:
        return next((s for s in self.sections if s.title == title), None)


def _percent(yes: int, no: int) -> float | None:
    return yes / (yes + no) * 100 if yes + no else None


def percent_text(value: float | None) -> str:
    """86.7 % — or "n/a" when every answer was N/A."""
    return "n/a" if value is None else f"{value:.1f} %".replace(".0 %", " %")


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
                raise ValidationError.single(question["key"], bad_answer(raw))
            counts[answer] += 1
        yes, no, na = counts["Yes"], counts["No"], counts["N/A"]
        sections.append(SectionScore(section["title"], yes, no, na, _percent(yes, no)))
    yes = sum(s.yes for s in sections)
    no = sum(s.no for s in sections)
    return ScoreResult(tuple(sections), yes, no, sum(s.na for s in sections), _percent(yes, no))


def bad_answer(raw: str) -> str:
    return f"{raw!r} is not an answer: use Yes, No or N/A (Y, N or A on the keyboard)."
