"""Conditions for derived measures ("Minutes late is more than 30"), checked once and then tested
either in SQL (tracker rows, stored as JSON) or in Python (incidents and observations).

Both evaluators follow the same rules: text compares without regard to case, a blank value never
passes a comparison, and "is not" includes blanks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_

from ...models import TrackerEntry
from ..errors import Problems
from .tracker_values import BadValue, convert, display

OPERATORS = {
    "=": "is",
    "!=": "is not",
    ">": "is more than",
    ">=": "is at least",
    "<": "is less than",
    "<=": "is at most",
    "contains": "contains",
    "blank": "is blank",
    "filled": "is filled in",
}
_ORDERED = ("=", "!=", ">", ">=", "<", "<=", "blank", "filled")
OPS_BY_TYPE: dict[str, tuple[str, ...]] = {
    "number": _ORDERED,
    "date": _ORDERED,
    "time": _ORDERED,
    "text": ("=", "!=", "contains", "blank", "filled"),
    "person": ("=", "!=", "contains", "blank", "filled"),
    "choice": ("=", "!=", "blank", "filled"),
    "yes/no": ("=", "!=", "blank", "filled"),
}
NO_VALUE = frozenset({"blank", "filled"})
# A getter's answer meaning "not known yet" (an incident whose 7 days are still running).
UNKNOWN: Any = type("Unknown", (), {"__repr__": lambda self: "UNKNOWN"})()


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    type: str
    choices: tuple[str, ...] = ()

    def as_column(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "type": self.type,
            "choices": list(self.choices),
        }


@dataclass(frozen=True)
class Rule:
    field: str
    op: str
    value: Any = None

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "op": self.op, "value": self.value}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Rule:
        return cls(str(raw["field"]), str(raw["op"]), raw.get("value"))


def check_rules(
    p: Problems, name: str, rules: Sequence[Rule], specs: dict[str, FieldSpec]
) -> tuple[Rule, ...]:
    """Each rule's field must exist, its operator suit the field, and its value convert."""
    clean = []
    for n, rule in enumerate(rules, start=1):
        where = f"{name}.{n}"
        spec = specs.get(rule.field)
        if spec is None:
            p.add(where, f"Condition {n}: choose a field from the list.")
            continue
        allowed = OPS_BY_TYPE[spec.type]
        if rule.op not in allowed:
            words = ", ".join(OPERATORS[o] for o in allowed)
            p.add(where, f"Condition {n}: {spec.label} can be tested with: {words}.")
            continue
        if rule.op in NO_VALUE:
            clean.append(Rule(rule.field, rule.op, None))
            continue
        if rule.value is None or (isinstance(rule.value, str) and not rule.value.strip()):
            p.add(where, f"Condition {n}: enter the value to compare {spec.label} with.")
            continue
        try:
            value = convert(spec.as_column(), rule.value, None)
        except BadValue as bad:
            p.add(where, f"Condition {n}: {bad}")
            continue
        clean.append(Rule(rule.field, rule.op, value))
    return tuple(clean)


def describe_rules(rules: Sequence[Rule], specs: dict[str, FieldSpec]) -> str:
    parts = []
    for rule in rules:
        spec = specs.get(rule.field)
        label = spec.label if spec else rule.field
        if rule.op in NO_VALUE:
            parts.append(f"{label} {OPERATORS[rule.op]}")
        else:
            shown = display(spec.as_column(), rule.value) if spec else str(rule.value)
            parts.append(f"{label} {OPERATORS[rule.op]} {shown}")
    return " and ".join(parts)


# --- Python -----------------------------------------------------------------------------------


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _norm(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return value.strip().lower()
    return value


def matches(rule: Rule, value: Any) -> bool:
    if rule.op == "blank":
        return _blank(value)
    if rule.op == "filled":
        return not _blank(value)
    if rule.op == "!=":
        return _blank(value) or _norm(value) != _norm(rule.value)
    if _blank(value):
        return False
    have, want = _norm(value), _norm(rule.value)
    if rule.op == "=":
        return bool(have == want)
    if rule.op == "contains":
        return str(want) in str(have)
    try:
        return bool(
            {
                ">": have > want,
                ">=": have >= want,
                "<": have < want,
                "<=": have <= want,
            }[rule.op]
        )
    except TypeError:
        return False


def matches_all(rules: Sequence[Rule], value_of: Callable[[str], Any]) -> bool | None:
    """True if every rule holds, False if one fails, None if the answer is not known yet."""
    unknown = False
    for rule in rules:
        value = value_of(rule.field)
        if value is UNKNOWN:
            unknown = True
        elif not matches(rule, value):
            return False
    return None if unknown else True


def known(value: bool | None) -> Any:
    """Wrap a rule that answers None for "not yet" so conditions treat it as unknown."""
    return UNKNOWN if value is None else value


# --- SQL (tracker rows, values kept as JSON) -----------------------------------------------------


def tracker_condition(column: dict[str, Any], rule: Rule) -> ColumnElement[bool]:
    node = TrackerEntry.values[column["key"]]
    kind = column["type"]
    raw = node.as_string()
    if rule.op == "blank":
        return or_(raw.is_(None), raw == "")
    if rule.op == "filled":
        return and_(raw.is_not(None), raw != "")
    typed: ColumnElement[Any]
    want: Any
    if kind == "number":
        typed, want = node.as_float(), float(rule.value)
    elif kind == "yes/no":
        typed, want = node.as_boolean(), bool(rule.value)
    else:
        typed, want = func.lower(raw), str(rule.value).lower()
    if rule.op == "!=":
        return or_(raw.is_(None), typed != want)
    if rule.op == "contains":
        escaped = str(want).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return typed.like(f"%{escaped}%", escape="\\")
    comparisons: dict[str, Callable[[], ColumnElement[bool]]] = {
        "=": lambda: typed == want,
        ">": lambda: typed > want,
        ">=": lambda: typed >= want,
        "<": lambda: typed < want,
        "<=": lambda: typed <= want,
    }
    return and_(raw.is_not(None), comparisons[rule.op]())
