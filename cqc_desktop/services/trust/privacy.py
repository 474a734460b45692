"""Privacy by default: people receiving care are recorded by a reference (initials or room), not
by name, unless an administrator turns on the ``privacy.allow_names`` setting; exports and packs
can be produced with those references redacted.

Names of staff are not touched: they are accountable leads and reviewers, and inspectors need them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import Problems
from ..trust import settings
from .permissions import Permission, require

SETTING = "privacy.allow_names"
WITHHELD = "[withheld]"
# Words that start with a capital in references but are not names ("Room 12", "Lounge").
_NOT_NAMES = frozenset(
    [
        "room",
        "rm",
        "bed",
        "bedroom",
        "flat",
        "floor",
        "wing",
        "unit",
        "suite",
        "lounge",
        "garden",
        "dining",
        "kitchen",
        "bathroom",
        "corridor",
        "hall",
        "lift",
        "office",
        "upstairs",
        "downstairs",
        "ground",
        "first",
        "second",
        "third",
        "north",
        "south",
        "east",
        "west",
        "resident",
        "person",
        "service",
        "user",
        "client",
        "individual",
        "gentleman",
        "lady",
        "male",
        "female",
        "unknown",
        "none",
        "the",
        "and",
        "of",
        "in",
        "at",
        "on",
        "by",
        "with",
        "near",
    ]
)
_HONORIFIC = r"(?:Mr|Mrs|Miss|Ms|Mx|Dr|Sir|Dame|Lady|Lord)\.?"
_HONORIFIC_NAME = re.compile(rf"\b{_HONORIFIC}\s+[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")


def names_allowed(session: Session) -> bool:
    return bool(settings.get(session, SETTING))


def set_names_allowed(session: Session, allowed: bool) -> None:
    """An administrator's decision, e.g. for a home whose residents asked to be named."""
    require(session, Permission.MANAGE)
    settings.put(session, SETTING, bool(allowed))


def looks_like_name(text: str) -> bool:
    """True for "Mary Smith", "Mrs Smith" or "Mary"; false for "MS", "M.S.", "Room 12", "MS rm 4".

    Deliberately simple: it catches the usual slip (typing the person's name into the reference
    box) without refusing the initials-and-room references homes already use.
    """
    if _HONORIFIC_NAME.search(text):
        return True
    for word in _WORD.findall(text):
        plain = word.replace("’", "'")
        if plain.lower() in _NOT_NAMES:
            continue
        letters = [c for c in plain if c.isalpha()]
        if len(letters) >= 3 and letters[0].isupper() and any(c.islower() for c in letters[1:]):
            return True
    return False


def initials(name: str) -> str:
    """ "Mary Ann Smith" → "MAS": a suggestion for the reference box."""
    words = _WORD.findall(re.sub(rf"\b{_HONORIFIC}\s", " ", name))
    return "".join(w[0].upper() for w in words if w.lower() not in _NOT_NAMES)


def check_person_ref(session: Session, p: Problems, field: str, value: str) -> None:
    """Validation for a "person reference" field: refuse something that looks like a name
    unless the home allows names."""
    if value.strip() and not names_allowed(session) and looks_like_name(value):
        suggestion = initials(value)
        hint = f", for example {suggestion}" if suggestion else ""
        p.add(
            field,
            "Record the person by initials or room number, not by name"
            f"{hint}. (An administrator can allow names in the privacy settings.)",
        )


def redact_person_ref(ref: str) -> str:
    """A person reference as printed in a redacted export: withheld, blanks stay blank."""
    return WITHHELD if ref.strip() else ""


class Redactor:
    """Redaction for one export or pack.

    ``ref()`` gives each distinct person reference a stable pseudonym ("Person 1", "Person 2"),
    so a reader still sees that three falls were the same person without learning who; ``text()``
    replaces those references and "Mrs Smith"-style names inside free text. Pseudonyms are
    numbered in order of first use, so they never reveal the reference and differ between exports.
    """

    def __init__(self, known_refs: Iterable[str] = ()) -> None:
        self._names: dict[str, str] = {}
        refs = sorted({r.strip() for r in known_refs if r and r.strip()}, key=len, reverse=True)
        self._patterns: list[tuple[re.Pattern[str], str]] = []
        for ref in refs:
            # Short references ("MS") match only in capitals so the word "ms" is left alone.
            flags = 0 if len(ref) <= 3 else re.IGNORECASE
            self._patterns.append((re.compile(rf"(?<!\w){re.escape(ref)}(?!\w)", flags), ref))

    def ref(self, ref: str) -> str:
        key = ref.strip().lower()
        if not key:
            return ""
        if key not in self._names:
            self._names[key] = f"Person {len(self._names) + 1}"
        return self._names[key]

    def text(self, text: str) -> str:
        for pattern, ref in self._patterns:
            text = pattern.sub(self.ref(ref), text) if pattern.search(text) else text
        return _HONORIFIC_NAME.sub(WITHHELD, text)


def known_person_refs(session: Session) -> set[str]:
    """Every person reference recorded anywhere (incidents, observations, tracker rows), for a
    Redactor to find in free text."""
    from ...models import Incident, Observation, TrackerEntry

    refs: set[str] = set(session.scalars(select(Incident.person_ref).distinct()))
    refs |= set(session.scalars(select(Observation.care_plan_ref).distinct()))
    for values in session.scalars(select(TrackerEntry.values)):
        refs |= _tracker_refs(values)
    return {r for r in refs if r and r.strip()}


def _tracker_refs(values: Any) -> set[str]:
    if not isinstance(values, dict):
        return set()
    return {
        str(v)
        for k, v in values.items()
        if isinstance(v, str) and k in ("person_ref", "person_reference")
    }
