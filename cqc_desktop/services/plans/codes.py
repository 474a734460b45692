"""References a person sees: unique within a database, on screen and on paper.

Every plan has a short code ("MED", "CP") chosen when it is created: suggested from the title and
editable until the plan has findings. Findings and actions are numbered within their plan and carry
the code ("MED-F1", "MED-A2"), so two plans' first actions are never both "A1". Evidence items in a
pack are "EV-12" and quality statements are printed with their name ("S8 Medicines optimisation"),
so "E1" (an Effective quality statement) is never confused with an evidence item.

Every place that makes one of these references calls a function here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

CODE_MIN, CODE_MAX = 2, 6
_CODE = re.compile(rf"^[A-Z][A-Z0-9]{{{CODE_MIN - 1},{CODE_MAX - 1}}}$")
_SKIP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "at",
        "by",
        "for",
        "from",
        "in",
        "into",
        "of",
        "on",
        "or",
        "the",
        "to",
        "with",
        "after",
        "before",
        "plan",
        "plans",
        "improvement",
        "recovery",
        "action",
        "actions",
    ]
)
_MONTHS = frozenset(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
    ]
)
# Words that already have a short form everyone in care uses.
_KNOWN = {
    "medicines": "MED",
    "medicine": "MED",
    "medication": "MED",
    "cqc": "CQC",
    "safeguarding": "SG",
    "incident": "INC",
    "incidents": "INC",
    "complaint": "COMP",
    "complaints": "COMP",
    "supervision": "SUP",
    "supervisions": "SUP",
    "falls": "FALL",
    "infection": "IPC",
}


def normalise_code(text: str) -> str:
    return text.strip().upper()


def code_problem(code: str) -> str | None:
    """Why ``code`` cannot be a plan code, in plain English, or None when it can."""
    if not _CODE.match(code):
        return (
            f"A plan code is {CODE_MIN} to {CODE_MAX} capital letters or digits starting with a "
            "letter, for example MED or CP2."
        )
    return None


def suggest_code(title: str, taken: Iterable[str] = ()) -> str:
    """A short code from the plan's title, not already in ``taken``.

    "Late medicines administration" gives "MED"; "Care plan reviews" gives "CPR"; a one-word title
    gives its first three letters. A clash gets a number ("MI2").
    """
    used = {normalise_code(t) for t in taken}
    words = [w for w in re.findall(r"[A-Za-z]+", title)]
    known = next((_KNOWN[w.lower()] for w in words if w.lower() in _KNOWN), None)
    if known is None and "care plan" in " ".join(words).lower():
        known = "CP"
    meaningful = [w for w in words if w.lower() not in _SKIP_WORDS | _MONTHS]
    if known is not None:
        base = known
    elif len(meaningful) >= 2:
        base = "".join(w[0] for w in meaningful[:4]).upper()
    elif meaningful:
        base = meaningful[0][:3].upper()
    else:
        base = "PL"
    if len(base) < CODE_MIN:
        base = (base + "X")[:CODE_MIN]
    base = base[: CODE_MAX - 1]
    if base not in used:
        return base
    n = 2
    while f"{base}{n}" in used:
        n += 1
    return f"{base}{n}"


def item_ref(plan_code: str, kind: str, number: int) -> str:
    """A finding's ("F") or action's ("A") reference: "MED-A2"."""
    return f"{plan_code}-{kind}{number}" if plan_code else f"{kind}{number}"


def with_code(plan_code: str, reference: str) -> str:
    """Put the plan code in front of a reference typed without it ("A3" in plan MED → "MED-A3")."""
    reference = reference.strip()
    if not reference or not plan_code or reference.upper().startswith(f"{plan_code}-"):
        return reference
    return f"{plan_code}-{reference}"


def evidence_ref(number: int) -> str:
    """An evidence item's number in a pack: "EV-12" (never "E12", which reads as a statement)."""
    return f"EV-{number}"


def statement_label(code: str, name: str) -> str:
    """A quality statement as printed: code and name together, "S8 Medicines optimisation"."""
    return f"{code} {name}".strip()
