"""Reference data loaded from versioned files in ``resources/`` (never hard-coded).

The CQC framework is replaceable: CQC is consulting on a successor to the 2023 single assessment
framework, and a new file can be dropped in beside the old one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ..config import RESOURCES
from ..models.enums import AuditAnswerValue

REFERENCE = RESOURCES / "reference"
FRAMEWORK_FILE = "cqc_saf_2023.json"


@dataclass(frozen=True)
class QualityStatement:
    code: str
    name: str
    key_question: str


@dataclass(frozen=True)
class SourceType:
    code: str
    name: str
    category: str
    strand: str  # triangulation strand: records, staff accounts, people's experience, oversight


@dataclass(frozen=True)
class Framework:
    id: str
    title: str
    version: str
    key_questions: tuple[str, ...]
    statements: tuple[QualityStatement, ...]
    evidence_categories: tuple[str, ...]
    ratings: tuple[str, ...]
    regulations: tuple[tuple[str, str], ...]  # (code, name)
    action_plan_due_days: int

    def statement(self, code: str) -> QualityStatement | None:
        return next((s for s in self.statements if s.code == code), None)

    def statements_for(self, key_question: str) -> list[QualityStatement]:
        return [s for s in self.statements if s.key_question == key_question]

    def regulation_name(self, code: str) -> str | None:
        return dict(self.regulations).get(code)


def _load(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


@cache
def framework() -> Framework:
    raw = _load(REFERENCE / FRAMEWORK_FILE)
    statements = tuple(
        QualityStatement(code=s["code"], name=s["name"], key_question=kq["name"])
        for kq in raw["key_questions"]
        for s in kq["quality_statements"]
    )
    return Framework(
        id=raw["id"],
        title=raw["title"],
        version=raw["version"],
        key_questions=tuple(kq["name"] for kq in raw["key_questions"]),
        statements=statements,
        evidence_categories=tuple(raw["evidence_categories"]),
        ratings=tuple(raw["ratings"]),
        regulations=tuple((r["code"], r["name"]) for r in raw["regulations"]),
        action_plan_due_days=int(raw["action_plan"]["due_days_after_report"]),
    )


@cache
def source_types() -> tuple[SourceType, ...]:
    raw = _load(REFERENCE / "evidence_sources.json")
    return tuple(
        SourceType(code=s["code"], name=s["name"], category=s["category"], strand=s["strand"])
        for s in raw["source_types"]
    )


def source_type(code_or_name: str) -> SourceType | None:
    """Look a source type up by its code ("staff_observation") or its name ("Staff observation")."""
    wanted = code_or_name.strip().lower()
    return next(
        (s for s in source_types() if wanted in (s.code, s.name.lower())),
        None,
    )


TRIANGULATION_STRANDS = (
    "records",
    "staff accounts",
    "people's and relatives' experience",
    "management oversight",
)


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


def normalise_answer(value: str) -> str | None:
    """ "y", "N", "a", "n/a", "Yes" … → "Yes", "No" or "N/A"; None if it is not an answer."""
    answer = _ANSWERS.get(value.strip().lower())
    return answer.value if answer is not None else None
