"""Trackers, practice observations, handovers and logs: what staff fill in after a shift.

Every function takes the caller's session and only adds and flushes: the dialog's Save owns the
transaction, so one mistake rolls the whole form back. Tracker values arrive from a grid, a paste or
a CSV as text, so they are converted here, column by column, with messages naming the column.
Incidents live in ``incidents.py``.
"""

from __future__ import annotations

import json
import math
import re
from datetime import date, datetime, time
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, object_session

from ..config import RESOURCES
from ..models import HandoverRecord, LogEntry, Observation, Person, Service, Tracker, TrackerEntry
from ..models.enums import LogKind, ObservationArea, Outcome, Shift
from .errors import NotAllowed, NotFound, Problems, ValidationError
from .governance import normalise_answer

TRACKERS = RESOURCES / "trackers"
OBSERVATION_AREAS_FILE = RESOURCES / "observation_areas.json"
COLUMN_TYPES = ("date", "time", "text", "number", "yes/no", "choice", "person")
_KEY = re.compile(r"[a-z][a-z0-9_]{0,59}")
_UK_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_TIME = re.compile(r"(\d{1,2})[:.](\d{2})")
_YES = frozenset({"yes", "y", "true"})
_NO = frozenset({"no", "n", "false"})


# --- shared helpers (incidents.py uses these too) -------------------------------------------


def uk_date(value: date) -> str:
    """Dates are shown to users as dd/mm/yyyy, never in ISO or US order."""
    return value.strftime("%d/%m/%Y")


def require_service(session: Session, service_id: int) -> Service:
    service = session.get(Service, service_id)
    if service is None:
        raise NotFound("That care home could not be found.")
    return service


def check_person(
    p: Problems,
    session: Session,
    field: str,
    person_id: int | None,
    message: str,
    *,
    required: bool = True,
) -> None:
    """Add ``message`` when the person is missing (if required) or not on the staff list."""
    if person_id is None:
        if required:
            p.add(field, message)
    elif session.get(Person, person_id) is None:
        p.add(field, message)


def _load(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


# --- tracker definitions ----------------------------------------------------------------------


def load_tracker_definitions() -> list[dict[str, Any]]:
    """The built-in trackers shipped in resources/trackers, one JSON file each, in file order."""
    return [_load(path) for path in sorted(TRACKERS.glob("*.json"))]


def install_builtin_trackers(session: Session, service_id: int) -> list[Tracker]:
    """Give a home the built-in trackers it lacks; running it again adds nothing.

    Returns the home's tracker for every definition, whether it was just made or already there.
    """
    require_service(session, service_id)
    existing = {
        t.key: t
        for t in session.scalars(
            select(Tracker).where(Tracker.service_id == service_id, Tracker.builtin.is_(True))
        )
    }
    trackers = []
    for definition in load_tracker_definitions():
        tracker = existing.get(definition["key"])
        if tracker is None:
            tracker = Tracker(
                service_id=service_id,
                key=definition["key"],
                name=definition["name"],
                builtin=True,
                columns=check_columns(definition["columns"]),
                archived=False,
            )
            session.add(tracker)
        trackers.append(tracker)
    session.flush()
    return trackers


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return f"c_{slug}" if slug[:1].isdigit() else slug


def check_columns(columns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Validate a tracker's columns and return them tidied (keys made from labels if missing)."""
    p = Problems()
    clean: list[dict[str, Any]] = []
    keys: set[str] = set()
    labels: set[str] = set()
    if not columns:
        p.add("columns", "Add at least one column.")
    for n, column in enumerate(columns, start=1):
        field = f"columns.{n}"
        label = str(column.get("label") or "").strip()
        key = str(column.get("key") or "").strip() or _slug(label)
        kind = str(column.get("type") or "").strip().lower()
        if not label:
            p.add(field, f"Column {n} needs a label.")
        elif label.lower() in labels:
            p.add(field, f"Two columns are called {label}; give each column its own label.")
        if label and not _KEY.fullmatch(key):
            p.add(
                field,
                f"Column {n}: the key {key!r} must start with a letter and use only "
                "lower-case letters, digits and underscores.",
            )
        elif key in keys:
            p.add(field, f"Column {n}: another column already uses the key {key!r}.")
        if kind not in COLUMN_TYPES:
            p.add(field, f"Column {n}: choose a type from the list ({', '.join(COLUMN_TYPES)}).")
        tidy: dict[str, Any] = {
            "key": key,
            "label": label,
            "type": kind,
            "required": bool(column.get("required", False)),
        }
        choices = [str(c).strip() for c in column.get("choices") or []]
        if kind == "choice":
            if len(choices) < 2 or not all(choices):
                p.add(field, f"{label or f'Column {n}'} needs at least two choices, none blank.")
            elif len({c.lower() for c in choices}) != len(choices):
                p.add(field, f"{label} lists the same choice twice.")
            tidy["choices"] = choices
        elif choices:
            p.add(field, f"{label or f'Column {n}'}: only a choice column can have choices.")
        keys.add(key)
        labels.add(label.lower())
        clean.append(tidy)
    if columns and not any(c["type"] == "date" for c in clean):
        # The first date column dates each row, which weekly counts and paging depend on.
        p.add("columns", "A tracker needs at least one date column so rows can be counted by week.")
    p.raise_if_any()
    return clean


def create_custom_tracker(
    session: Session,
    service_id: int,
    name: str,
    columns: list[dict[str, Any]],
    action_id: int | None = None,
) -> Tracker:
    """A manager's own tracker. Names are unique among the home's trackers still in use."""
    require_service(session, service_id)
    p = Problems()
    name = name.strip()
    p.require("name", name, "Give the tracker a name.")
    clash = session.scalar(
        select(func.count())
        .select_from(Tracker)
        .where(
            Tracker.service_id == service_id,
            Tracker.archived.is_(False),
            func.lower(Tracker.name) == name.lower(),
        )
    )
    if name and clash:
        p.add("name", f"This home already has a tracker called {name}.")
    try:
        clean = check_columns(columns)
    except ValidationError as error:
        p.errors.update({k: v for k, v in error.errors.items() if k not in p.errors})
    p.raise_if_any()
    tracker = Tracker(
        service_id=service_id,
        key=_unique_key(session, service_id, _slug(name) or "tracker"),
        name=name,
        builtin=False,
        columns=clean,
        action_id=action_id,
        archived=False,
    )
    session.add(tracker)
    session.flush()
    return tracker


def _unique_key(session: Session, service_id: int, base: str) -> str:
    # Built-in keys are reserved so installing the built-ins later never meets a custom twin.
    taken = set(session.scalars(select(Tracker.key).where(Tracker.service_id == service_id)))
    taken |= {d["key"] for d in load_tracker_definitions()}
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


def get_tracker(session: Session, tracker_id: int) -> Tracker:
    tracker = session.get(Tracker, tracker_id)
    if tracker is None:
        raise NotFound("That tracker no longer exists.")
    return tracker


def archive_tracker(session: Session, tracker_id: int) -> Tracker:
    """Archive rather than delete, so past rows still back the measures that counted them."""
    tracker = get_tracker(session, tracker_id)
    tracker.archived = True
    session.flush()
    return tracker


# --- tracker values ---------------------------------------------------------------------------


class _Bad(Exception):
    """A value that cannot be converted; the message is shown beside the column."""


def _to_date(label: str, raw: object) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = str(raw).strip()
    if m := _UK_DATE.fullmatch(text):
        day, month, year = int(m[1]), int(m[2]), int(m[3])
        year += 2000 if len(m[3]) == 2 else 0  # "26/11/26": care records are never 19xx
    elif m := _ISO_DATE.fullmatch(text):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    else:
        raise _Bad(f"{label} must be a date, for example 26/11/2026.")
    try:
        return date(year, month, day)
    except ValueError:
        raise _Bad(f"{label}: {text} is not a real date. Check the day and month.") from None


def _to_time(label: str, raw: object) -> time:
    if isinstance(raw, time):
        return raw.replace(second=0, microsecond=0)
    m = _TIME.fullmatch(str(raw).strip())
    if m and int(m[1]) < 24 and int(m[2]) < 60:
        return time(int(m[1]), int(m[2]))
    raise _Bad(f"{label} must be a time on the 24-hour clock, for example 18:30.")


def _to_number(label: str, raw: object) -> int | float:
    number: float | None = None
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        number = float(raw)
    elif isinstance(raw, str):
        try:
            number = float(raw.strip().replace(",", ""))
        except ValueError:
            number = None
    if number is None or not math.isfinite(number):
        raise _Bad(f"{label} must be a number, for example 35.")
    return int(number) if number.is_integer() else number


def _to_person(label: str, raw: object, session: Session | None, service_id: int) -> str:
    """Stored as the person's name so exports and reports read without a lookup.

    A name not on the staff list is kept as typed: agency and bank staff often are not listed.
    """
    if isinstance(raw, Person):
        return raw.name
    text = str(raw).strip()
    if (isinstance(raw, int) and not isinstance(raw, bool)) or text.isdigit():
        person = session.get(Person, int(text)) if session is not None else None
        if person is None:
            raise _Bad(f"{label}: choose someone from the staff list.")
        return person.name
    if session is not None:
        person = session.scalars(
            select(Person).where(
                func.lower(Person.name) == text.lower(),
                or_(Person.service_id == service_id, Person.service_id.is_(None)),
            )
        ).first()
        if person is not None:
            return person.name
    return text


def _convert(column: dict[str, Any], raw: object, session: Session | None, service_id: int) -> Any:
    label, kind = column["label"], column["type"]
    if kind == "date":
        return _to_date(label, raw).isoformat()
    if kind == "time":
        return _to_time(label, raw).strftime("%H:%M")
    if kind == "number":
        return _to_number(label, raw)
    if kind == "yes/no":
        if isinstance(raw, bool):
            return raw
        word = str(raw).strip().lower()
        if word in _YES | _NO:
            return word in _YES
        raise _Bad(f"{label} must be Yes or No.")
    if kind == "choice":
        wanted = str(raw).strip().lower()
        for choice in column["choices"]:
            if choice.lower() == wanted:
                return choice
        raise _Bad(f"{label} must be one of: {', '.join(column['choices'])}.")
    if kind == "person":
        return _to_person(label, raw, session, service_id)
    return str(raw).strip()


def validate_tracker_values(
    tracker: Tracker, values: dict[str, Any], *, session: Session | None = None
) -> dict[str, Any]:
    """Convert one row's values by column type, reporting every bad cell at once.

    The result is JSON-safe (ISO dates, "HH:MM" times, booleans for yes/no) and has every column
    key, blank cells as None, so rows always have the same shape.
    """
    session = session or object_session(tracker)
    p = Problems()
    known = {column["key"] for column in tracker.columns}
    for key in values:
        if key not in known:
            p.add(key, f"This tracker has no column called {key!r}.")
    clean: dict[str, Any] = {}
    for column in tracker.columns:
        key, raw = column["key"], values.get(column["key"])
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            clean[key] = None
            if column.get("required"):
                p.add(key, f"{column['label']} must be filled in.")
            continue
        try:
            clean[key] = _convert(column, raw, session, tracker.service_id)
        except _Bad as bad:
            p.add(key, str(bad))
    p.raise_if_any()
    return clean


def _entry_date(tracker: Tracker, clean: dict[str, Any]) -> date:
    column = next((c for c in tracker.columns if c["type"] == "date"), None)
    if column is None:
        raise ValidationError.single("columns", "This tracker has no date column to date the row.")
    if clean[column["key"]] is None:
        message = f"{column['label']} must be filled in: it dates the row in weekly counts."
        raise ValidationError.single(column["key"], message)
    return date.fromisoformat(clean[column["key"]])


def _writable(tracker: Tracker) -> None:
    if tracker.archived:
        raise NotAllowed(f"The {tracker.name} is archived, so its rows can no longer be changed.")


def add_tracker_entry(
    session: Session, tracker_id: int, values: dict[str, Any], recorded_by_id: int | None = None
) -> TrackerEntry:
    tracker = get_tracker(session, tracker_id)
    _writable(tracker)
    p = Problems()
    check_person(
        p,
        session,
        "recorded_by_id",
        recorded_by_id,
        "Choose who recorded this row from the staff list.",
        required=False,
    )
    p.raise_if_any()
    clean = validate_tracker_values(tracker, values, session=session)
    entry = TrackerEntry(
        tracker_id=tracker.id,
        entry_date=_entry_date(tracker, clean),
        values=clean,
        recorded_by_id=recorded_by_id,
    )
    session.add(entry)
    session.flush()
    return entry


def _get_entry(session: Session, entry_id: int) -> TrackerEntry:
    entry = session.get(TrackerEntry, entry_id)
    if entry is None:
        raise NotFound("That tracker row no longer exists.")
    _writable(entry.tracker)
    return entry


def update_tracker_entry(session: Session, entry_id: int, values: dict[str, Any]) -> TrackerEntry:
    """Change some cells of a row; cells not given keep their value."""
    entry = _get_entry(session, entry_id)
    clean = validate_tracker_values(entry.tracker, {**entry.values, **values}, session=session)
    entry.entry_date = _entry_date(entry.tracker, clean)
    entry.values = clean  # a new dict, so SQLAlchemy sees the JSON change
    session.flush()
    return entry


def delete_tracker_entry(session: Session, entry_id: int) -> None:
    session.delete(_get_entry(session, entry_id))
    session.flush()


# --- observations, handovers and logs ---------------------------------------------------------


@cache
def _observation_prompts() -> dict[str, tuple[str, ...]]:
    raw = _load(OBSERVATION_AREAS_FILE)
    return {area["name"]: tuple(area["prompts"]) for area in raw["areas"]}


def observation_prompts(area: str) -> list[str]:
    """What a senior checks for an area, as printed on the blank observation form."""
    try:
        return list(_observation_prompts()[area])
    except KeyError:
        raise ValidationError.single(
            "area", f"Choose an observation area from the list ({', '.join(ObservationArea)})."
        ) from None


def record_observation(
    session: Session,
    service_id: int,
    observed_at: datetime,
    area: str,
    outcome: str,
    observer_id: int | None,
    staff_observed: str,
    what_was_seen: str,
    feedback_given: str,
    follow_up: str = "",
    follow_up_due: date | None = None,
    shift: str = "",
    prompt_results: dict[str, str | bool] | None = None,
    action_id: int | None = None,
    care_plan_ref: str = "",
) -> Observation:
    """An observation is only useful if the staff member heard the feedback and any shortfall
    has a dated follow-up, so those are required as well as what was seen."""
    require_service(session, service_id)
    p = Problems()
    # Problems.choice says "a …", which reads wrongly before these two words.
    if area not in list(ObservationArea):
        p.add("area", f"Choose an observation area from the list ({', '.join(ObservationArea)}).")
    if outcome not in list(Outcome):
        p.add("outcome", f"Choose an outcome from the list ({', '.join(Outcome)}).")
    if shift:
        p.choice("shift", shift, Shift, "shift")
    check_person(p, session, "observer_id", observer_id, "Choose the observer from the staff list.")
    p.require("staff_observed", staff_observed, "Enter who was observed.")
    p.require("what_was_seen", what_was_seen, "Describe what was seen.")
    p.require("feedback_given", feedback_given, "Record the feedback given to the staff member.")
    if outcome in (Outcome.PARTLY_MET, Outcome.NOT_MET):
        p.require(
            "follow_up",
            follow_up,
            f"The outcome was {outcome.lower()}: say what follow-up will happen.",
        )
        if follow_up_due is None:
            p.add("follow_up_due", "Enter the date the follow-up is due.")
    if follow_up_due is not None and follow_up_due < observed_at.date():
        p.add("follow_up_due", "The follow-up cannot be due before the observation.")
    results: dict[str, str] = {}
    prompts = _observation_prompts().get(area, ())
    for prompt, value in (prompt_results or {}).items():
        if isinstance(value, bool):
            answer: str | None = "Yes" if value else "No"
        else:
            answer = normalise_answer(value)
        if prompt not in prompts:
            p.add("prompt_results", f"{prompt!r} is not a prompt for {area}.")
        elif answer is None:
            p.add("prompt_results", f"Answer {prompt!r} with Yes, No or N/A.")
        else:
            results[prompt] = answer
    p.raise_if_any()
    observation = Observation(
        service_id=service_id,
        observed_at=observed_at,
        shift=shift,
        observer_id=observer_id,
        staff_observed=staff_observed.strip(),
        area=area,
        outcome=outcome,
        prompt_results=results,
        what_was_seen=what_was_seen.strip(),
        feedback_given=feedback_given.strip(),
        follow_up=follow_up.strip(),
        follow_up_due=follow_up_due,
        care_plan_ref=care_plan_ref.strip(),
        action_id=action_id,
    )
    session.add(observation)
    session.flush()
    return observation


def record_handover(
    session: Session,
    service_id: int,
    handover_date: date,
    shift: str,
    lead_id: int | None,
    staff_present: str,
    learning_points: str,
    understanding_checked: bool,
    action_id: int | None = None,
) -> HandoverRecord:
    """Names of staff present are required: they show who heard the learning (scenario 3)."""
    require_service(session, service_id)
    p = Problems()
    p.choice("shift", shift, Shift, "shift")
    check_person(p, session, "lead_id", lead_id, "Choose who led the handover from the staff list.")
    p.require("staff_present", staff_present, "List the staff present at the handover.")
    p.require("learning_points", learning_points, "Record the learning points shared.")
    p.raise_if_any()
    handover = HandoverRecord(
        service_id=service_id,
        handover_date=handover_date,
        shift=shift,
        lead_id=lead_id,
        staff_present=staff_present.strip(),
        learning_points=learning_points.strip(),
        understanding_checked=understanding_checked,
        action_id=action_id,
    )
    session.add(handover)
    session.flush()
    return handover


def add_log_entry(
    session: Session,
    service_id: int,
    kind: str,
    entry_date: date,
    author_id: int | None,
    text: str,
    action_id: int | None = None,
) -> LogEntry:
    """Governance log, rota note or communication book entry."""
    require_service(session, service_id)
    p = Problems()
    p.choice("kind", kind, LogKind, "log")
    check_person(p, session, "author_id", author_id, "Choose who wrote this from the staff list.")
    p.require("text", text, "Write the entry.")
    p.raise_if_any()
    entry = LogEntry(
        service_id=service_id,
        kind=kind,
        entry_date=entry_date,
        author_id=author_id,
        text=text.strip(),
        action_id=action_id,
    )
    session.add(entry)
    session.flush()
    return entry
