"""What goes on the blank forms printed for use on the floor.

Audit forms come from the same templates the in-app audits use (the current ``AuditTemplate`` row
for each key, or the shipped definition in resources/audits if the database has none yet), so
editing a template changes its printout. Observation forms use the prompts in
resources/observation_areas.json; the incident and handover forms list the app's own choices.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...config import RESOURCES
from ...models import AuditTemplate
from ...models.enums import CqcNotification, IncidentType, Severity, Shift
from ..errors import NotFound

AUDITS_DIR = RESOURCES / "audits"
OBSERVATION_AREAS_FILE = RESOURCES / "observation_areas.json"
OBSERVATION = "observation"
OBSERVATION_ALL = "observation-all"
AUDIT = "audit"
INCIDENT_REVIEW = "incident-review"
HANDOVER = "handover-learning"


@dataclass(frozen=True)
class AuditSection:
    title: str
    questions: tuple[tuple[str, str], ...]  # (key, wording)


@dataclass(frozen=True)
class ObservationArea:
    name: str
    prompts: tuple[str, ...]


@dataclass(frozen=True)
class FormSpec:
    """One printable blank form. ``kind`` picks the layout; the other fields fill it."""

    name: str  # the name used on the command line, e.g. "medication-audit"
    title: str
    kind: str
    description: str = ""
    version: int | None = None
    schedule: str = ""
    record_sample: bool = False
    sections: tuple[AuditSection, ...] = ()
    areas: tuple[ObservationArea, ...] = ()
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _observation_areas() -> list[ObservationArea]:
    with OBSERVATION_AREAS_FILE.open(encoding="utf-8") as fh:
        raw = json.load(fh)
    return [ObservationArea(a["name"], tuple(a["prompts"])) for a in raw["areas"]]


def _shipped_audits() -> list[dict[str, Any]]:
    out = []
    for path in sorted(AUDITS_DIR.glob("*.json")):
        with path.open(encoding="utf-8") as fh:
            out.append(json.load(fh))
    return out


def _audit_spec(
    key: str, name: str, version: int, schedule: str, definition: dict[str, Any]
) -> FormSpec:
    sections = tuple(
        AuditSection(
            str(s.get("title") or ""),
            tuple(
                (str(q.get("key") or ""), str(q.get("text") or ""))
                for q in s.get("questions") or []
            ),
        )
        for s in definition.get("sections") or []
    )
    return FormSpec(
        name=slug(key.replace("_", "-")),
        title=name,
        kind=AUDIT,
        description=str(definition.get("description") or ""),
        version=version,
        schedule=schedule,
        record_sample=bool(definition.get("record_sample")),
        sections=sections,
    )


def audit_forms(session: Session) -> list[FormSpec]:
    """The current version of every audit template; shipped ones not yet installed are included
    from their files."""
    current = {
        t.key: t
        for t in session.scalars(select(AuditTemplate).where(AuditTemplate.current.is_(True)))
    }
    specs = {
        key: _audit_spec(key, t.name, t.version, t.schedule, t.definition)
        for key, t in current.items()
    }
    for raw in _shipped_audits():
        if raw["key"] not in specs:
            specs[raw["key"]] = _audit_spec(
                raw["key"], raw["name"], int(raw.get("version", 1)), raw.get("schedule", ""), raw
            )
    return sorted(specs.values(), key=lambda s: s.title.lower())


def form_catalogue(session: Session) -> list[FormSpec]:
    """Every blank form, in the order the Reports tab and ``form --list`` show them."""
    areas = _observation_areas()
    forms = [
        FormSpec(
            name=f"observation-{slug(a.name)}",
            title=f"Practice observation: {a.name}",
            kind=OBSERVATION,
            description="One observation of practice, with this area's prompts.",
            areas=(a,),
            choices={"shift": tuple(s.value for s in Shift)},
        )
        for a in areas
    ]
    forms.append(
        FormSpec(
            name=OBSERVATION_ALL,
            title="Practice observation: every area",
            kind=OBSERVATION,
            description="One observation form per area, one page each.",
            areas=tuple(areas),
            choices={"shift": tuple(s.value for s in Shift)},
        )
    )
    forms += audit_forms(session)
    forms.append(
        FormSpec(
            name=INCIDENT_REVIEW,
            title="Incident and management review",
            kind=INCIDENT_REVIEW,
            description="Same-day management review, notifications, family informed and the "
            "learning point, checked within 7 days.",
            choices={
                "incident_type": tuple(t.value for t in IncidentType),
                "severity": tuple(s.value for s in Severity),
                "cqc_notification": tuple(n.value for n in CqcNotification),
                "shift": tuple(s.value for s in Shift),
            },
        )
    )
    forms.append(
        FormSpec(
            name=HANDOVER,
            title="Handover learning record",
            kind=HANDOVER,
            description="The learning point shared at handover, the staff present with their "
            "signatures, and how understanding was checked.",
            choices={"shift": tuple(s.value for s in Shift)},
        )
    )
    return forms


def find_form(session: Session, name: str) -> FormSpec:
    forms = form_catalogue(session)
    wanted = name.strip().lower()
    for form in forms:
        if form.name == wanted:
            return form
    raise NotFound(
        f"There is no form called '{name.strip()}'. Forms: {', '.join(f.name for f in forms)}."
    )
