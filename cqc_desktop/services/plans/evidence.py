"""Evidence for actions, attached files kept with their SHA-256, and the triangulation view."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ...models import (
    Action,
    Attachment,
    AuditRun,
    AuditTemplate,
    Evidence,
    Incident,
    Meeting,
    MeetingItem,
    Observation,
    Person,
)
from ...models.enums import Outcome, Supports
from ..errors import NotFound, Problems
from ..reference import TRIANGULATION_STRANDS, source_type, source_types
from ..trust.permissions import Permission, require

OBSERVATION_SOURCE = "staff_observation"
SUPPORTS_BY_OUTCOME = {
    Outcome.MET.value: Supports.YES.value,
    Outcome.PARTLY_MET.value: Supports.PARTLY.value,
    Outcome.NOT_MET.value: Supports.NO.value,
}

# Windows refuses these as file names whatever the extension.
_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(1, 10)),
    *(f"lpt{i}" for i in range(1, 10)),
}
_UNSAFE = re.compile(r"[^\w.\- ()]+", re.UNICODE)
MAX_NAME = 120


@dataclass
class EvidenceInput:
    title: str
    source_type: str
    collected_on: date | None
    supports: str = Supports.YES.value
    description: str = ""
    tested_by_id: int | None = None
    tested_on: date | None = None
    observation_id: int | None = None
    incident_id: int | None = None
    feedback_id: int | None = None
    supervision_id: int | None = None
    audit_run_id: int | None = None
    meeting_item_id: int | None = None


def safe_file_name(name: str) -> str:
    """A name that is safe on Windows and cannot climb out of the attachments folder."""
    base = Path(name.replace("\\", "/")).name
    base = _UNSAFE.sub("_", base).strip(" .") or "file"
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    if stem.lower() in _RESERVED:
        stem = f"_{stem}"
    ext = ext[:16]
    stem = stem[: MAX_NAME - len(ext) - 1]
    return f"{stem}.{ext}" if ext else stem


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def add_evidence(
    session: Session,
    action_id: int,
    data: EvidenceInput,
    *,
    files: list[Path] | None = None,
    attachments_dir: Path | None = None,
    today: date | None = None,
) -> Evidence:
    require(session, Permission.RECORD)
    action = session.get(Action, action_id)
    if action is None:
        raise NotFound("That action no longer exists.")
    p = Problems()
    p.require("title", data.title, "Give the evidence a short title.")
    kind = source_type(data.source_type)
    if kind is None:
        p.add("source_type", "Choose the source type from the list.")
    p.choice("supports", data.supports, Supports, "“supports the change?” answer")
    if data.collected_on is None:
        p.add("collected_on", "Enter the date the evidence was collected.")
    elif today is not None and data.collected_on > today:
        p.add("collected_on", "Evidence cannot be dated in the future.")
    if data.tested_by_id is not None and session.get(Person, data.tested_by_id) is None:
        p.add("tested_by", "Choose who tested the evidence from the staff list.")
    if data.tested_on and data.collected_on and data.tested_on < data.collected_on:
        p.add("tested_on", "Evidence cannot be tested before it was collected.")
    for path in files or []:
        if not Path(path).is_file():
            p.add("files", f"The file {Path(path).name} cannot be found.")
    if files and attachments_dir is None:
        p.add("files", "There is no attachments folder for this database.")
    p.raise_if_any()
    assert kind is not None and data.collected_on is not None
    evidence = Evidence(
        action_id=action_id,
        title=data.title.strip(),
        description=data.description.strip(),
        source_type=kind.code,
        category=kind.category,
        supports=data.supports,
        collected_on=data.collected_on,
        tested_by_id=data.tested_by_id,
        tested_on=data.tested_on,
        observation_id=data.observation_id,
        incident_id=data.incident_id,
        feedback_id=data.feedback_id,
        supervision_id=data.supervision_id,
        audit_run_id=data.audit_run_id,
        meeting_item_id=data.meeting_item_id,
    )
    session.add(evidence)
    session.flush()
    for path in files or []:
        assert attachments_dir is not None
        attach_file(session, evidence, Path(path), attachments_dir)
    return evidence


def attach_file(
    session: Session, evidence: Evidence, source: Path, attachments_dir: Path
) -> Attachment:
    """Copy the file into the managed folder (never link to the original, which may move)."""
    require(session, Permission.RECORD)
    stored = f"{evidence.collected_on:%Y}/{uuid.uuid4().hex[:12]}-{safe_file_name(source.name)}"
    target = attachments_dir / stored
    target.parent.mkdir(parents=True, exist_ok=True)
    # Copied under a temporary name and renamed when complete: a full disk or a pulled USB stick
    # leaves no half-copied file behind (the partial copy is removed).
    partial = target.with_name(target.name + ".partial")
    try:
        shutil.copyfile(source, partial)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    attachment = Attachment(
        evidence_id=evidence.id,
        original_name=source.name[:260],
        stored_name=stored,
        sha256=sha256_of(target),
        size_bytes=target.stat().st_size,
    )
    session.add(attachment)
    session.flush()
    return attachment


def attachment_path(attachment: Attachment, attachments_dir: Path) -> Path:
    path = attachments_dir / attachment.stored_name
    if not path.is_file():
        raise NotFound(
            f"The attached file {attachment.original_name} is missing from the attachments folder."
        )
    return path


def evidence_counts(session: Session, action_id: int) -> dict[str, int]:
    """Number of evidence items per source type name for one action."""
    rows = session.execute(
        select(Evidence.source_type, func.count())
        .where(Evidence.action_id == action_id)
        .group_by(Evidence.source_type)
    ).all()
    names = {s.code: s.name for s in source_types()}
    counts = {names.get(code, code): n for code, n in rows}
    linked = _linked_observations(session, action_id)
    if linked:
        name = names.get(linked[0].source_type, linked[0].source_type)
        counts[name] = counts.get(name, 0) + len(linked)
    return counts


def _linked_observations(session: Session, action_id: int) -> list[LinkedEvidence]:
    return linked_observation_evidence(session, action_id)


@dataclass(frozen=True)
class Strand:
    name: str
    items: int
    supports: int
    against: int

    @property
    def status(self) -> str:
        if self.items == 0:
            return "No evidence"
        if self.against and self.supports:
            return "Conflicting"
        if self.against:
            return "Does not support"
        return "Supports"


def triangulation(session: Session, action_id: int) -> list[Strand]:
    """For each strand (records, staff, people's experience, oversight): is there evidence, and
    does it agree?"""
    strand_of = {s.code: s.strand for s in source_types()}
    rows = [
        (code, supports)
        for code, supports in session.execute(
            select(Evidence.source_type, Evidence.supports).where(Evidence.action_id == action_id)
        )
    ]
    rows += [(o.source_type, o.supports) for o in _linked_observations(session, action_id)]
    result = []
    for strand in TRIANGULATION_STRANDS:
        mine = [supports for code, supports in rows if strand_of.get(code) == strand]
        result.append(
            Strand(
                name=strand,
                items=len(mine),
                supports=sum(1 for s in mine if s != Supports.NO),
                against=sum(1 for s in mine if s == Supports.NO),
            )
        )
    return result


def evidence_for(session: Session, action_id: int) -> list[Evidence]:
    """An action's evidence, newest first, with attachments and tester loaded."""
    return list(
        session.scalars(
            select(Evidence)
            .where(Evidence.action_id == action_id)
            .options(selectinload(Evidence.attachments), selectinload(Evidence.tested_by))
            .order_by(Evidence.collected_on.desc(), Evidence.id.desc())
        )
    )


@dataclass(frozen=True)
class LinkChoice:
    """A record evidence can point at, labelled as a manager would recognise it."""

    record_id: int
    label: str


LINK_KINDS = {
    "observation": "Practice observation",
    "incident": "Incident",
    "audit_run": "Audit",
    "meeting_item": "Governance meeting item",
}


def link_choices(
    session: Session, kind: str, service_id: int | None, *, limit: int = 200
) -> list[LinkChoice]:
    """The most recent records of one kind at a home, newest first, for the "linked to" picker."""
    if kind == "observation":
        obs_stmt = select(Observation).order_by(Observation.observed_at.desc()).limit(limit)
        if service_id is not None:
            obs_stmt = obs_stmt.where(Observation.service_id == service_id)
        return [
            LinkChoice(
                o.id,
                f"{o.observed_at:%d/%m/%Y} {o.area} — {o.outcome}"
                + (f" ({o.staff_observed})" if o.staff_observed else ""),
            )
            for o in session.scalars(obs_stmt)
        ]
    if kind == "incident":
        inc_stmt = select(Incident).order_by(Incident.occurred_at.desc()).limit(limit)
        if service_id is not None:
            inc_stmt = inc_stmt.where(Incident.service_id == service_id)
        return [
            LinkChoice(
                i.id,
                f"{i.reference} {i.occurred_at:%d/%m/%Y} {i.incident_type} — {i.person_ref}",
            )
            for i in session.scalars(inc_stmt)
        ]
    if kind == "audit_run":
        run_stmt = (
            select(AuditRun.id, AuditRun.run_on, AuditTemplate.name, AuditRun.score_percent)
            .join(AuditTemplate, AuditRun.template_id == AuditTemplate.id)
            .order_by(AuditRun.run_on.desc(), AuditRun.id.desc())
            .limit(limit)
        )
        if service_id is not None:
            run_stmt = run_stmt.where(AuditRun.service_id == service_id)
        return [
            LinkChoice(
                rid,
                f"{run_on:%d/%m/%Y} {name}" + (f" — {score:.0f}%" if score is not None else ""),
            )
            for rid, run_on, name, score in session.execute(run_stmt)
        ]
    if kind == "meeting_item":
        item_stmt = (
            select(MeetingItem.id, Meeting.held_on, Meeting.meeting_type, MeetingItem.title)
            .join(Meeting, MeetingItem.meeting_id == Meeting.id)
            .order_by(Meeting.held_on.desc(), MeetingItem.position)
            .limit(limit)
        )
        if service_id is not None:
            item_stmt = item_stmt.where(
                (Meeting.service_id == service_id) | Meeting.service_id.is_(None)
            )
        return [
            LinkChoice(iid, f"{held:%d/%m/%Y} {mtype} — {title}")
            for iid, held, mtype, title in session.execute(item_stmt)
        ]
    raise ValueError(f"Unknown link kind {kind!r}")


def linked_label(session: Session, evidence: Evidence) -> str:
    """What an evidence item is linked to, in words ("" when it stands alone)."""
    for kind, record_id in (
        ("observation", evidence.observation_id),
        ("incident", evidence.incident_id),
        ("audit_run", evidence.audit_run_id),
        ("meeting_item", evidence.meeting_item_id),
    ):
        if record_id is None:
            continue
        record = session.get(
            {
                "observation": Observation,
                "incident": Incident,
                "audit_run": AuditRun,
                "meeting_item": MeetingItem,
            }[kind],
            record_id,
        )
        if record is None:
            return ""
        if isinstance(record, Observation):
            return f"Observation {record.observed_at:%d/%m/%Y} ({record.outcome})"
        if isinstance(record, Incident):
            return f"Incident {record.reference}"
        if isinstance(record, AuditRun):
            return f"Audit {record.run_on:%d/%m/%Y}"
        if isinstance(record, MeetingItem):
            return f"Meeting item: {record.title}"
    return ""


# --- observations as evidence ------------------------------------------------------------------


@dataclass(frozen=True)
class LinkedEvidence:
    """An observation counted as evidence for the action it is linked to."""

    observation_id: int
    title: str
    description: str
    supports: str  # "Yes", "Partly" or "No", from the outcome
    collected_on: date
    source_type: str = OBSERVATION_SOURCE


def linked_observation_evidence(session: Session, action_id: int) -> list[LinkedEvidence]:
    """Observations linked to the action that are not already recorded as an evidence item.

    The closure gate and the evidence lists add these to the action's evidence, so recording an
    observation against an action is enough: nobody has to enter it twice. An observation
    someone has already entered as evidence (``Evidence.observation_id``) is left out here, so
    it is never counted twice.
    """
    entered = select(Evidence.observation_id).where(
        Evidence.action_id == action_id, Evidence.observation_id.is_not(None)
    )
    rows = session.scalars(
        select(Observation)
        .where(Observation.action_id == action_id, Observation.id.not_in(entered))
        .order_by(Observation.observed_at.desc(), Observation.id.desc())
    )
    return [
        LinkedEvidence(
            observation_id=o.id,
            title=f"Practice observation: {o.area} — {o.outcome.lower()}",
            description=o.what_was_seen,
            supports=SUPPORTS_BY_OUTCOME.get(o.outcome, Supports.PARTLY.value),
            collected_on=o.observed_at.date(),
        )
        for o in rows
    ]
