"""Data for the inspection pack: by key question and quality statement, each finding followed by
its actions, their tested evidence, measures and governance oversight, and an evidence index with
every attached file's SHA-256 (re-checked against the file on disk when the pack is made)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Action, Finding, FindingStatement, Plan
from ..plans.codes import evidence_ref
from ..plans.evidence import sha256_of
from ..reference import framework
from ..trust.anchors import Anchor, take_anchor
from .common import ActionLine, HomeInfo, action_lines, get_home
from .evidence import (
    AttachmentLine,
    EvidenceLine,
    OversightLine,
    StepLine,
    evidence_lines,
    oversight_lines,
    step_lines,
)
from .measures import MeasureSeries, measure_series

HASH_MATCHES = "Matches"
HASH_MISSING = "File missing"
HASH_DIFFERS = "Does not match: the file has changed"
HASH_NOT_CHECKED = "Not checked (attachments folder not available)"


@dataclass(frozen=True)
class PackAction:
    line: ActionLine
    description: str
    oversight_plan: str
    steps: tuple[StepLine, ...]
    evidence: tuple[EvidenceLine, ...]
    measures: tuple[MeasureSeries, ...]
    oversight: tuple[OversightLine, ...]


@dataclass(frozen=True)
class PackFinding:
    id: int
    reference: str
    title: str
    plan_title: str
    origin: str
    report_date: date | None
    description: str
    key_question: str
    statements: tuple[tuple[str, str], ...]  # (code, name)
    regulation: str
    regulation_name: str
    score: int
    rag: str
    root_cause: str
    immediate_control: str
    actions: tuple[PackAction, ...]


@dataclass(frozen=True)
class StatementSection:
    code: str
    name: str
    findings: tuple[PackFinding, ...]  # printed here in full
    see_also: tuple[tuple[PackFinding, str], ...]  # (finding, where it is printed)


@dataclass(frozen=True)
class KeyQuestionSection:
    name: str
    statements: tuple[StatementSection, ...]
    unlinked: tuple[PackFinding, ...]  # findings with no quality statement

    @property
    def empty(self) -> bool:
        return not self.statements and not self.unlinked


@dataclass(frozen=True)
class InspectionPack:
    home: HomeInfo
    as_of: date
    framework_title: str
    plans: tuple[tuple[str, str, date | None, str], ...]  # (title, origin, report date, rating)
    key_questions: tuple[KeyQuestionSection, ...]
    evidence_index: tuple[AttachmentLine, ...]
    evidence_count: int
    audit_anchor: Anchor | None = None  # printed in the footer; see trust/anchors.py

    @property
    def file_check(self) -> FileCheck:
        return file_check(self.evidence_index)


@dataclass(frozen=True)
class FileCheck:
    """What checking every attached file against its recorded SHA-256 found."""

    total: int
    changed: tuple[str, ...]  # original file names
    missing: tuple[str, ...]

    @property
    def problems(self) -> int:
        return len(self.changed) + len(self.missing)

    def describe(self) -> str:
        """ "1 of 12 evidence files does not match the hash recorded when it was added
        (mar-review.pdf)." — or "" when every file matches."""
        parts = []
        if self.changed:
            n = len(self.changed)
            verb = "does not match" if n == 1 else "do not match"
            parts.append(
                f"{n} of {self.total} evidence files {verb} the hash recorded when "
                f"{'it was' if n == 1 else 'they were'} added ({', '.join(self.changed)})"
            )
        if self.missing:
            n = len(self.missing)
            parts.append(
                f"{n} of {self.total} evidence files {'is' if n == 1 else 'are'} missing from "
                f"the attachments folder ({', '.join(self.missing)})"
            )
        return ("; ".join(parts) + ".") if parts else ""


def file_check(lines: Sequence[AttachmentLine]) -> FileCheck:
    return FileCheck(
        len(lines),
        tuple(x.original_name for x in lines if x.check == HASH_DIFFERS),
        tuple(x.original_name for x in lines if x.check == HASH_MISSING),
    )


def inspection_pack(
    session: Session, service_id: int, today: date, attachments_dir: Path | None
) -> InspectionPack:
    home = get_home(session, service_id)
    fw = framework()
    lines = {a.id: a for a in action_lines(session, today, service_ids=[service_id])}
    findings = _findings(session, service_id, lines, today)
    counter = _Numbering(attachments_dir)
    # Number evidence in printing order: key question, then statement, then finding.
    placed: dict[int, tuple[str, str]] = {}
    sections = []
    for kq in fw.key_questions:
        statements = []
        for st in fw.statements_for(kq):
            here = [f for f in findings if st.code in [c for c, _ in f.statements]]
            primary = [f for f in here if f.id not in placed and _home_statement(f, kq) == st.code]
            for f in primary:
                placed[f.id] = (kq, f"{st.code} {st.name}")
            others = tuple((f, _where(placed, f)) for f in here if f not in primary)
            if primary or others:
                statements.append(StatementSection(st.code, st.name, tuple(primary), others))
        unlinked = tuple(f for f in findings if not f.statements and f.key_question == kq)
        sections.append(KeyQuestionSection(kq, tuple(statements), unlinked))
    numbered = tuple(_number(s, counter) for s in sections)
    plans = session.execute(
        select(Plan.title, Plan.origin, Plan.report_date, Plan.rating)
        .where(Plan.service_id == service_id, Plan.archived.is_(False))
        .order_by(Plan.report_date, Plan.id)
    ).all()
    return InspectionPack(
        audit_anchor=take_anchor(session, "printed the inspection pack"),
        home=home,
        as_of=today,
        framework_title=f"{fw.title} ({fw.version})",
        plans=tuple((t, o, d, r) for t, o, d, r in plans),
        key_questions=numbered,
        evidence_index=tuple(counter.index),
        evidence_count=counter.count,
    )


def _home_statement(f: PackFinding, key_question: str) -> str:
    """The statement a finding is printed under: its first one in its own key question."""
    fw = framework()
    for code, _ in f.statements:
        st = fw.statement(code)
        if st is not None and st.key_question == f.key_question:
            return code
    return f.statements[0][0] if f.statements else ""


def _where(placed: dict[int, tuple[str, str]], f: PackFinding) -> str:
    if f.id in placed:
        kq, statement = placed[f.id]
        return f"{kq}: {statement}"
    fw = framework()
    code = _home_statement(f, f.key_question)
    st = fw.statement(code)
    return f"{st.key_question}: {st.code} {st.name}" if st else f.key_question


class _Numbering:
    """Gives evidence its E-numbers and builds the evidence index as the pack is walked."""

    def __init__(self, attachments_dir: Path | None) -> None:
        self.count = 0
        self.index: list[AttachmentLine] = []
        self.folder = attachments_dir


def _check(folder: Path | None, stored_name: str, sha256: str) -> str:
    if folder is None:
        return HASH_NOT_CHECKED
    path = folder / stored_name
    if not path.is_file():
        return HASH_MISSING
    return HASH_MATCHES if sha256_of(path) == sha256 else HASH_DIFFERS


def _number(section: KeyQuestionSection, counter: _Numbering) -> KeyQuestionSection:
    def fix_finding(f: PackFinding) -> PackFinding:
        return replace(f, actions=tuple(fix_action(a) for a in f.actions))

    def fix_action(a: PackAction) -> PackAction:
        return replace(a, evidence=tuple(fix_evidence(e, a) for e in a.evidence))

    def fix_evidence(e: EvidenceLine, a: PackAction) -> EvidenceLine:
        counter.count += 1
        number = evidence_ref(counter.count)
        attachments = tuple(
            AttachmentLine(
                number,
                e.title,
                a.line.reference,
                x.original_name,
                x.stored_name,
                x.sha256,
                x.size_bytes,
                _check(counter.folder, x.stored_name, x.sha256),
            )
            for x in e.attachments
        )
        counter.index.extend(attachments)
        return replace(e, number=number, attachments=attachments)

    statements = tuple(
        StatementSection(s.code, s.name, tuple(fix_finding(f) for f in s.findings), s.see_also)
        for s in section.statements
    )
    return KeyQuestionSection(
        section.name, statements, tuple(fix_finding(f) for f in section.unlinked)
    )


def _findings(
    session: Session, service_id: int, lines: dict[int, ActionLine], today: date
) -> list[PackFinding]:
    fw = framework()
    rows = session.scalars(
        select(Finding)
        .join(Plan, Finding.plan_id == Plan.id)
        .where(Plan.service_id == service_id, Plan.archived.is_(False))
        .order_by(Plan.report_date, Plan.id, Finding.id)
    ).all()
    codes: dict[int, list[str]] = defaultdict(list)
    for finding_id, code in session.execute(
        select(FindingStatement.finding_id, FindingStatement.statement_code).order_by(
            FindingStatement.statement_code
        )
    ):
        codes[finding_id].append(code)
    actions = _pack_actions(session, list(lines.values()), today)
    out = []
    for f in rows:
        statements = tuple(
            (c, st.name) for c in codes.get(f.id, []) if (st := fw.statement(c)) is not None
        )
        out.append(
            PackFinding(
                id=f.id,
                reference=f.reference,
                title=f.title,
                plan_title=f.plan.title,
                origin=f.plan.origin,
                report_date=f.plan.report_date,
                description=f.description,
                key_question=f.key_question,
                statements=statements,
                regulation=f.breached_regulation,
                regulation_name=fw.regulation_name(f.breached_regulation) or "",
                score=f.score,
                rag=f.rag,
                root_cause=f.root_cause,
                immediate_control=f.immediate_control,
                actions=tuple(a for a in actions if a.line.finding_id == f.id),
            )
        )
    return out


def _pack_actions(session: Session, lines: list[ActionLine], today: date) -> list[PackAction]:
    ids = [a.id for a in lines]
    if not ids:
        return []
    details = {
        a.id: (a.description, a.oversight_plan)
        for a in session.scalars(select(Action).where(Action.id.in_(ids)))
    }
    steps = step_lines(session, ids)
    evidence = evidence_lines(session, ids)
    measures: dict[int, list[MeasureSeries]] = defaultdict(list)
    for m in measure_series(session, today, action_ids=ids):
        measures[m.action_id].append(m)
    oversight = oversight_lines(session, ids)
    return [
        PackAction(
            line=a,
            description=details[a.id][0],
            oversight_plan=details[a.id][1],
            steps=tuple(steps.get(a.id, [])),
            evidence=tuple(evidence.get(a.id, [])),
            measures=tuple(measures.get(a.id, [])),
            oversight=tuple(oversight.get(a.id, [])),
        )
        for a in lines
    ]
