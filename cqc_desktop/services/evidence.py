"""Evidence for actions, attached files kept with their SHA-256, and the triangulation view."""

from __future__ import annotations

import hashlib
import re
import shutil
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Action, Attachment, Evidence, Person
from ..models.enums import Supports
from .errors import NotFound, Problems
from .permissions import Permission, require
from .reference import TRIANGULATION_STRANDS, source_type, source_types

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
    stored = f"{evidence.collected_on:%Y}/{uuid.uuid4().hex[:12]}-{safe_file_name(source.name)}"
    target = attachments_dir / stored
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
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
    return {names.get(code, code): n for code, n in rows}


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
    rows = session.execute(
        select(Evidence.source_type, Evidence.supports).where(Evidence.action_id == action_id)
    ).all()
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
