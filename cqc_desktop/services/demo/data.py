"""Reading the demo's data files (resources/demo/*.json) and turning their relative dates, person
keys and text templates into the values the services take."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any, TypeVar

from ...config import RESOURCES
from ...models import Person
from ..errors import ServiceError

DEMO_DIR = RESOURCES / "demo"
VERSION = 1
# Due dates may lie ahead of today; every other date in the files is something that has happened,
# so it is never later than today.
DUE_KEYS = frozenset({"due_date", "target_date", "due", "follow_up_due"})
# Keys naming a person (by their key in home.json) where the service takes the person's id.
PERSON_KEYS = frozenset(
    {"accountable_lead", "owner", "tested_by", "observer", "reviewer", "auditor"}
)

T = TypeVar("T")


class DemoDataError(ServiceError):
    """A demo data file is missing, malformed or of a version this app does not read."""


@cache
def read(name: str) -> dict[str, Any]:
    """The parsed file ``resources/demo/<name>.json``, its version checked."""
    path = DEMO_DIR / f"{name}.json"
    where = f"The demo data file resources/demo/{path.name}"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DemoDataError(f"{where} is missing; reinstall the app.") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DemoDataError(f"{where} is not valid JSON ({exc}).") from None
    if not isinstance(data, dict) or "version" not in data:
        raise DemoDataError(f"{where} has no version number.")
    if data["version"] != VERSION:
        raise DemoDataError(
            f"{where} is version {data['version']}; this app reads version {VERSION}."
        )
    return data


def action_title(name: str, key: str) -> str:
    """The title of the action ``key`` in scenario file ``name`` (tests and callers name it)."""
    title: str = next(
        a["action"]["title"] for a in read(name)["actions"] if a["action"]["key"] == key
    )
    return title


@dataclass
class Calendar:
    """Dates written relative to today: ``{"weeks_ago": 3, "day": 1}`` is the Tuesday three weeks
    before this week; ``{"days_before_today": 18}`` is eighteen days ago. People are named by
    their key in home.json, in text as ``{key}``."""

    today: date
    people: dict[str, Person]
    home: str  # the home's name, ``{home}`` in text

    @property
    def monday(self) -> date:
        return self.today - timedelta(days=self.today.weekday())

    def pid(self, key: str) -> int:
        return self.people[key].id

    def date(self, spec: dict[str, int], *, due: bool = False) -> date:
        if "days_before_today" in spec:
            day = self.today - timedelta(days=spec["days_before_today"])
        else:
            day = self.monday - timedelta(weeks=spec["weeks_ago"]) + timedelta(days=spec["day"])
        return day if due else min(day, self.today)

    def text(self, template: str, dates: dict[str, Any] | None = None, **more: Any) -> str:
        """``template`` with people's names, ``{home}``, the given dates and ``more`` filled in."""
        if "{" not in template:
            return template
        values: dict[str, Any] = {key: person.name for key, person in self.people.items()}
        values.update({k: self.date(v) for k, v in (dates or {}).items()}, home=self.home)
        return str(template.format_map(values | more))

    def value(self, key: str, value: Any, dates: dict[str, Any] | None = None) -> Any:
        """One field from a file as the service wants it: a date, or text with names filled in."""
        if isinstance(value, dict) and ("weeks_ago" in value or "days_before_today" in value):
            return self.date(value, due=key in DUE_KEYS)
        return self.text(value, dates) if isinstance(value, str) else value

    def args(self, data: dict[str, Any]) -> dict[str, Any]:
        """Keyword arguments for a service from the file's fields (person keys become ids)."""
        dates = data.get("dates")
        return {
            f"{key}_id" if key in PERSON_KEYS else key: self.pid(value)
            if key in PERSON_KEYS
            else self.value(key, value, dates)
            for key, value in data.items()
            if key != "dates"
        }

    def inputs(self, cls: type[T], data: dict[str, Any], **extra: Any) -> T:
        """A service input dataclass from those of the file's fields it has."""
        names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        ours = {k for k in data if k in names or (k in PERSON_KEYS and f"{k}_id" in names)}
        return cls(**self.args({k: data[k] for k in ours | {"dates"} if k in data}) | extra)
