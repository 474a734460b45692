"""Recorded audit runs: storing a completed audit, and comparing it with the last run.

"Last run" means the same audit (any version of its template) at the same home, so a manager's edit
to the template never breaks the comparison or the trend.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...formatting import uk_date
from ...models import AuditAnswer, AuditRun, AuditTemplate, Person, Service
from ...models.enums import AuditAnswerValue
from ..errors import NotFound, Problems
from ..reference import normalise_answer
from ..trust.permissions import Permission, require
from .audits import (
    ScoreResult,
    bad_answer,
    get_template,
    percent_text,
    questions,
    score_answers,
)

# --- runs -------------------------------------------------------------------------------------


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
    evidence_notes: dict[str, str] | None = None,
    today: date | None = None,
) -> AuditRun:
    """Store a completed audit. Every question must be answered (N/A counts as an answer), so a
    half-typed paper audit cannot produce a flattering score."""
    require(session, Permission.RECORD)
    template = get_template(session, template_id)
    if session.get(Service, service_id) is None:
        raise NotFound("That care home could not be found.")
    comments = comments or {}
    evidence_notes = evidence_notes or {}
    p = Problems()
    auditor = session.get(Person, auditor_id) if auditor_id is not None else None
    if auditor is None:
        p.add("auditor_id", "Choose who carried out the audit from the staff list.")
    if today is not None and run_on > today:
        p.add("run_on", "An audit cannot be dated in the future.")
    if template.definition.get("record_sample") and sample_size is None:
        p.add("sample_size", "Enter how many records were sampled.")
    if sample_size is not None and sample_size < 1:
        p.add("sample_size", "The sample size must be at least 1.")
    asked = {q.key for q in questions(template.definition)}
    for key in sorted((set(answers) | set(comments) | set(evidence_notes)) - asked):
        p.add(key, f"{key!r} is not a question on version {template.version} of this audit.")
    rows: list[AuditAnswer] = []
    for q in questions(template.definition):
        raw = answers.get(q.key)
        answer = normalise_answer(raw) if raw is not None else None
        if raw is None or not raw.strip():
            p.add(q.key, f"{q.section}, question {q.number} needs an answer: Yes, No or N/A.")
        elif answer is None:
            p.add(q.key, f"{q.section}, question {q.number}: {bad_answer(raw)}")
        else:
            rows.append(
                AuditAnswer(
                    section=q.section,
                    question_key=q.key,
                    answer=answer,
                    comment=comments.get(q.key, "").strip(),
                    evidence_note=evidence_notes.get(q.key, "").strip(),
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


def get_run(session: Session, run_id: int) -> AuditRun:
    run = session.get(AuditRun, run_id)
    if run is None:
        raise NotFound("That audit run no longer exists.")
    return run


def previous_run(session: Session, run: AuditRun) -> AuditRun | None:
    """The last earlier run of the same audit at the same home, across template versions."""
    return session.scalar(
        select(AuditRun)
        .join(AuditTemplate, AuditRun.template_id == AuditTemplate.id)
        .where(
            AuditTemplate.key == run.template.key,
            AuditRun.service_id == run.service_id,
            (AuditRun.run_on < run.run_on)
            | ((AuditRun.run_on == run.run_on) & (AuditRun.id < run.id)),
        )
        .order_by(AuditRun.run_on.desc(), AuditRun.id.desc())
        .limit(1)
    )


def run_score(run: AuditRun) -> ScoreResult:
    return score_answers(run.template.definition, {a.question_key: a.answer for a in run.answers})


@dataclass(frozen=True)
class SectionChange:
    title: str
    now: float | None
    before: float | None  # None: not asked last time, or all N/A

    @property
    def change(self) -> float | None:
        return None if self.now is None or self.before is None else self.now - self.before


@dataclass(frozen=True)
class RunComparison:
    """This run against the last one at the same home (any version of the template)."""

    previous_run_id: int | None
    previous_on: date | None
    now: float | None
    before: float | None
    sections: tuple[SectionChange, ...]
    newly_failed: tuple[str, ...]  # question wording: Yes or N/A last time, No now
    put_right: tuple[str, ...]  # No last time, Yes now

    @property
    def change(self) -> float | None:
        return None if self.now is None or self.before is None else self.now - self.before

    def summary(self) -> str:
        if self.previous_on is None:
            return "First run of this audit at this home."
        if self.change is None:
            return f"Last run {uk_date(self.previous_on)}: {percent_text(self.before)}."
        arrow = "up" if self.change > 0 else "down" if self.change < 0 else "no change"
        points = f"{abs(self.change):.1f}".removesuffix(".0")
        moved = f"{arrow} {points} points" if self.change else arrow
        return f"Last run {uk_date(self.previous_on)}: {percent_text(self.before)} ({moved})."


def compare_with_previous(session: Session, run: AuditRun) -> RunComparison:
    score = run_score(run)
    before_run = previous_run(session, run)
    if before_run is None:
        return RunComparison(
            None,
            None,
            score.percent,
            None,
            tuple(SectionChange(s.title, s.percent, None) for s in score.sections),
            (),
            (),
        )
    before = run_score(before_run)
    texts = {q.key: q.text for q in questions(run.template.definition)}
    then = {a.question_key: a.answer for a in before_run.answers}
    failed, fixed = [], []
    for answer in run.answers:
        old = then.get(answer.question_key)
        if old is None:
            continue
        if answer.answer == AuditAnswerValue.NO and old != AuditAnswerValue.NO:
            failed.append(texts.get(answer.question_key, answer.question_key))
        elif answer.answer == AuditAnswerValue.YES and old == AuditAnswerValue.NO:
            fixed.append(texts.get(answer.question_key, answer.question_key))
    sections = []
    for s in score.sections:
        old_section = before.section(s.title)
        sections.append(
            SectionChange(s.title, s.percent, old_section.percent if old_section else None)
        )
    return RunComparison(
        before_run.id,
        before_run.run_on,
        score.percent,
        before.percent,
        tuple(sections),
        tuple(failed),
        tuple(fixed),
    )
