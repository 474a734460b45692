"""Settings kept in the database (shared by every PC using it), with typed defaults."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from ...models import Setting
from .permissions import Permission, require

DEFAULTS: dict[str, Any] = {
    "gate.sustained_points": 6,
    "gate.evidence_weeks": 8,
    "gate.min_source_types": 3,
    "spc.shift_length": 7,
    "spc.trend_length": 7,
    "spc.two_of_three": True,
    "security.idle_lock_minutes": 10,
    "privacy.allow_names": False,
    "provider.name": "",
    # Per tracker (id as text): {column key: {value in a file: the tracker's choice}}.
    "import.value_maps": {},
}


def get(session: Session, key: str) -> Any:
    row = session.get(Setting, key)
    if row is None:
        return DEFAULTS.get(key)
    return json.loads(row.value)


def put(session: Session, key: str, value: Any) -> None:
    """Change a shared setting: an administrator's act (the closure gate's thresholds, the SPC
    rules, the idle lock and privacy all change what the app proves)."""
    require(session, Permission.MANAGE)
    _store(session, key, value)


# Settings that record what people do rather than change what the app proves: the service that
# writes one checks its own permission (remembering an import's value map needs RECORD).
_BOOKKEEPING = frozenset({"import.value_maps"})


def keep(session: Session, key: str, value: Any) -> None:
    """Store a bookkeeping setting; the calling service has already checked who may."""
    if key not in _BOOKKEEPING:
        raise KeyError(f"{key} is changed with settings.put, by an administrator")
    _store(session, key, value)


def _store(session: Session, key: str, value: Any) -> None:
    if key not in DEFAULTS:
        raise KeyError(f"Unknown setting {key}")
    row = session.get(Setting, key)
    text = json.dumps(value)
    if row is None:
        session.add(Setting(key=key, value=text))
    else:
        row.value = text
    session.flush()
