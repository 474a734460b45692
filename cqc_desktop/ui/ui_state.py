"""Window geometry, the last tab and the last care home chosen, remembered between sessions
(QSettings, typed helpers)."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings

from .. import APP_NAME

ORG = "CQC Desktop"


def settings() -> QSettings:
    return QSettings(ORG, APP_NAME)


def load_bytes(key: str) -> QByteArray | None:
    value = settings().value(key)
    return value if isinstance(value, QByteArray) else None


def save_bytes(key: str, value: QByteArray) -> None:
    settings().setValue(key, value)


def load_int(key: str, default: int = 0) -> int:
    value = settings().value(key, default)
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default


def save_int(key: str, value: int) -> None:
    settings().setValue(key, value)


def load_str(key: str, default: str = "") -> str:
    value = settings().value(key, default)
    return value if isinstance(value, str) else default


def save_str(key: str, value: str) -> None:
    settings().setValue(key, value)


# --- the care home last chosen -------------------------------------------------------------------

LAST_HOME_KEY = "homes/last"


def last_home() -> int | None:
    """The care home last picked anywhere a home matters (staff list, new plan, …), or None."""
    value = load_int(LAST_HOME_KEY, 0)
    return value or None


def remember_home(home_id: int | None) -> None:
    if home_id:
        save_int(LAST_HOME_KEY, int(home_id))
