"""Tracker definitions (built-in and managers' own) and their rows.

Every function takes the caller's session and only adds and flushes: the grid saves each row in its
own unit of work, so one mistake rolls back that row only. After a row changes, the measures
worked out from this tracker are brought up to date in the same transaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, object_session

from ...config import RESOURCES
from ...models import Person, Tracker, TrackerEntry
from ..errors import NotAllowed, NotFound, Problems, ValidationError
from ..setup.people import works_at
from ..trust import withdrawals
from ..trust.conflicts import conflict
from ..trust.permissions import Permission, require
from . import derived_measures
from .common import check_action, check_person, load_json, require_service
from .tracker_values import COLUMN_TYPES, PeopleIndex, convert_row, search_text

TRACKERS = RESOURCES / "trackers"
INCIDENT_TRACKER_NAME = "Incident improvement tracker"
_KEY = re.compile(r"[a-z][a-z0-9_]{0,59}")


# --- definitions ------------------------------------------------------------------------------


def load_tracker_definitions() -> list[dict[str, Any]]:
    """The built-in trackers shipped in resources/trackers, one JSON file each, in file order."""
    return [load_json(path) for path in sorted(TRACKERS.glob("*.json"))]


def install_builtin_trackers(session: Session, service_id: int) -> list[Tracker]:
    """Give a home the built-in trackers it lacks, and bring older ones up to the shipped version.

    Running it again adds nothing. Returns the home's tracker for every definition.
    """
    require(session, Permission.EDIT_PLANS)
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
                builtin=True,
                archived=False,
                definition_version=0,
            )
            session.add(tracker)
        if tracker.definition_version < definition["version"]:
            # A newer shipped version may add columns or choices; keys never change meaning.
            tracker.name = definition["name"]
            tracker.description = definition.get("description", "")
            tracker.columns = check_columns(definition["columns"])
            tracker.definition_version = definition["version"]
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
        if column.get("auto"):
            tidy["auto"] = column["auto"]
        keys.add(key)
        labels.add(label.lower())
        clean.append(tidy)
    for n, column in enumerate(clean, start=1):
        auto = column.get("auto")
        if auto is None:
            continue
        sources = auto.get("minutes_between") if isinstance(auto, dict) else None
        times = {c["key"] for c in clean if c["type"] == "time"}
        if column["type"] != "number" or not sources or not set(sources) <= times:
            p.add(f"columns.{n}", f"{column['label']}: an automatic value needs two time columns.")
    if columns and not any(c["type"] == "date" for c in clean):
        # The first date column dates each row, which weekly counts and paging depend on.
        p.add("columns", "A tracker needs at least one date column so rows can be counted by week.")
    p.raise_if_any()
    return clean


def _check_name(
    p: Problems, session: Session, service_id: int, name: str, exclude_id: int | None = None
) -> None:
    p.require("name", name, "Give the tracker a name.")
    stmt = (
        select(func.count())
        .select_from(Tracker)
        .where(
            Tracker.service_id == service_id,
            Tracker.archived.is_(False),
            func.lower(Tracker.name) == name.lower(),
        )
    )
    if exclude_id is not None:
        stmt = stmt.where(Tracker.id != exclude_id)
    if name and (session.scalar(stmt) or name.lower() == INCIDENT_TRACKER_NAME.lower()):
        p.add("name", f"This home already has a tracker called {name}.")


def _columns_into(p: Problems, columns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    try:
        return check_columns(columns)
    except ValidationError as error:
        p.errors.update({k: v for k, v in error.errors.items() if k not in p.errors})
        return []


def create_custom_tracker(
    session: Session,
    service_id: int,
    name: str,
    columns: list[dict[str, Any]],
    action_id: int | None = None,
    description: str = "",
) -> Tracker:
    """A manager's own tracker. Names are unique among the home's trackers still in use."""
    require(session, Permission.EDIT_PLANS)
    require_service(session, service_id)
    p = Problems()
    name = name.strip()
    _check_name(p, session, service_id, name)
    check_action(p, session, "action_id", action_id, service_id)
    clean = _columns_into(p, columns)
    p.raise_if_any()
    tracker = Tracker(
        service_id=service_id,
        key=_unique_key(session, service_id, _slug(name) or "tracker"),
        name=name,
        description=description.strip(),
        builtin=False,
        columns=clean,
        action_id=action_id,
        archived=False,
    )
    session.add(tracker)
    session.flush()
    return tracker


def update_custom_tracker(
    session: Session,
    tracker_id: int,
    name: str,
    columns: list[dict[str, Any]],
    description: str = "",
) -> Tracker:
    """Rename a custom tracker or change its columns. A column that already holds values keeps its
    type and cannot be removed, so no row ever loses what was recorded in it."""
    require(session, Permission.EDIT_PLANS)
    tracker = get_tracker(session, tracker_id)
    if tracker.builtin:
        raise NotAllowed(
            f"The {tracker.name} is built in; make a custom tracker to change columns."
        )
    p = Problems()
    name = name.strip()
    _check_name(p, session, tracker.service_id, name, exclude_id=tracker.id)
    clean = _columns_into(p, columns)
    new = {c["key"]: c for c in clean}
    for old in tracker.columns if clean else []:
        if not _column_in_use(session, tracker.id, old["key"]):
            continue
        if old["key"] not in new:
            p.add("columns", f"{old['label']} has values in some rows, so it cannot be removed.")
        elif new[old["key"]]["type"] != old["type"]:
            p.add("columns", f"{old['label']} has values in some rows, so its type cannot change.")
    p.raise_if_any()
    tracker.name = name
    tracker.description = description.strip()
    tracker.columns = clean
    session.flush()
    return tracker


def _column_in_use(session: Session, tracker_id: int, key: str) -> bool:
    stmt = select(TrackerEntry.id).where(
        TrackerEntry.tracker_id == tracker_id, TrackerEntry.values[key].as_string().is_not(None)
    )
    return session.scalar(stmt.limit(1)) is not None


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


def find_tracker(session: Session, name_or_key: str, service_id: int | None = None) -> Tracker:
    """A tracker by its name or key (any case), for the command line."""
    wanted = name_or_key.strip().lower()
    stmt = select(Tracker).where(
        or_(func.lower(Tracker.name) == wanted, func.lower(Tracker.key) == wanted)
    )
    if service_id is not None:
        stmt = stmt.where(Tracker.service_id == service_id)
    found = list(session.scalars(stmt.order_by(Tracker.archived, Tracker.id)))
    if not found:
        raise NotFound(f"There is no tracker called {name_or_key}.")
    if len({t.service_id for t in found}) > 1:
        raise ValidationError.single(
            "home", f"Several care homes have a tracker called {name_or_key}; say which home."
        )
    return found[0]


def list_trackers(
    session: Session, service_id: int, *, include_archived: bool = False
) -> list[Tracker]:
    """Built-in trackers first, then the home's own, by name."""
    stmt = select(Tracker).where(Tracker.service_id == service_id)
    if not include_archived:
        stmt = stmt.where(Tracker.archived.is_(False))
    return list(session.scalars(stmt.order_by(Tracker.builtin.desc(), Tracker.name)))


def archive_tracker(session: Session, tracker_id: int) -> Tracker:
    """Archive rather than delete, so past rows still back the measures that counted them."""
    require(session, Permission.EDIT_PLANS)
    tracker = get_tracker(session, tracker_id)
    tracker.archived = True
    session.flush()
    return tracker


def restore_tracker(session: Session, tracker_id: int) -> Tracker:
    require(session, Permission.EDIT_PLANS)
    tracker = get_tracker(session, tracker_id)
    p = Problems()
    _check_name(p, session, tracker.service_id, tracker.name, exclude_id=tracker.id)
    p.raise_if_any()
    tracker.archived = False
    session.flush()
    return tracker


def link_tracker_to_action(session: Session, tracker_id: int, action_id: int | None) -> Tracker:
    """Say which action a tracker's rows are evidence for (None removes the link)."""
    require(session, Permission.EDIT_PLANS)
    tracker = get_tracker(session, tracker_id)
    p = Problems()
    check_action(p, session, "action_id", action_id, tracker.service_id)
    p.raise_if_any()
    tracker.action_id = action_id
    session.flush()
    return tracker


# --- rows -------------------------------------------------------------------------------------


def people_index(session: Session, service_id: int) -> PeopleIndex:
    """The home's staff and the provider-level people, for person columns."""
    rows = session.execute(select(Person.id, Person.name).where(works_at(service_id)))
    return PeopleIndex.of((pid, name) for pid, name in rows)


def validate_tracker_values(
    tracker: Tracker,
    values: dict[str, Any],
    *,
    session: Session | None = None,
    people: PeopleIndex | None = None,
) -> dict[str, Any]:
    """Convert one row's values by column type, reporting every bad cell at once.

    The result is JSON-safe (ISO dates, "HH:MM" times, booleans for yes/no) and has every column
    key, blank cells as None, so rows always have the same shape.
    """
    session = session or object_session(tracker)
    if people is None and session is not None and tracker.service_id is not None:
        people = people_index(session, tracker.service_id)
    clean, errors = convert_row(tracker.columns, values, people)
    if errors:
        raise ValidationError(errors)
    return clean


def date_column(tracker: Tracker) -> dict[str, Any]:
    column = next((c for c in tracker.columns if c["type"] == "date"), None)
    if column is None:
        raise ValidationError.single("columns", "This tracker has no date column to date the row.")
    return column


def entry_date_of(tracker: Tracker, clean: dict[str, Any]) -> date:
    """The first date column dates the row for weekly counts; it must be filled in."""
    column = date_column(tracker)
    if clean[column["key"]] is None:
        message = f"{column['label']} must be filled in: it dates the row in weekly counts."
        raise ValidationError.single(column["key"], message)
    return date.fromisoformat(clean[column["key"]])


def _writable(tracker: Tracker) -> None:
    if tracker.archived:
        raise NotAllowed(f"The {tracker.name} is archived, so its rows can no longer be changed.")


def add_tracker_entry(
    session: Session,
    tracker_id: int,
    values: dict[str, Any],
    recorded_by_id: int | None = None,
    *,
    today: date | None = None,
) -> TrackerEntry:
    require(session, Permission.RECORD)
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
        entry_date=entry_date_of(tracker, clean),
        values=clean,
        recorded_by_id=recorded_by_id,
        search_text=search_text(tracker.columns, clean),
    )
    session.add(entry)
    session.flush()
    derived_measures.tracker_changed(session, tracker.id, [entry.entry_date], today)
    return entry


def get_entry(session: Session, entry_id: int) -> TrackerEntry:
    entry = session.get(TrackerEntry, entry_id)
    if entry is None:
        raise NotFound("That tracker row no longer exists.")
    return entry


def _writable_entry(session: Session, entry_id: int) -> TrackerEntry:
    entry = get_entry(session, entry_id)
    _writable(entry.tracker)
    return entry


def update_tracker_entry(
    session: Session,
    entry_id: int,
    values: dict[str, Any],
    *,
    today: date | None = None,
    seen_version: int | None = None,
    seen_values: dict[str, Any] | None = None,
) -> TrackerEntry:
    """Change some cells of a row; cells not given keep their value (so two PCs editing
    different cells of one row both keep their change).

    ``seen_values`` (the changed cells as the user saw them): if someone else has changed one of
    those cells since, the save is refused with a ConflictError; changes to other cells are kept.
    ``seen_version`` without ``seen_values`` refuses any change to the row since that version.
    Two saves racing each other are refused by the row's version check (a ConflictError too)."""
    require(session, Permission.RECORD)
    entry = _writable_entry(session, entry_id)
    if seen_values is not None:
        current = entry.values or {}
        if any(current.get(k) != v for k, v in seen_values.items()):
            raise conflict(session, entry, "tracker row")
    elif seen_version is not None and entry.version != seen_version:
        raise conflict(session, entry, "tracker row")
    before = entry.entry_date
    clean = validate_tracker_values(entry.tracker, {**entry.values, **values}, session=session)
    entry.entry_date = entry_date_of(entry.tracker, clean)
    entry.values = clean  # a new dict, so SQLAlchemy sees the JSON change
    entry.search_text = search_text(entry.tracker.columns, clean)
    session.flush()
    derived_measures.tracker_changed(session, entry.tracker_id, [before, entry.entry_date], today)
    return entry


def withdraw_tracker_entry(
    session: Session, entry_id: int, reason: str, *, today: date | None = None
) -> None:
    """Take a row out of the tracker (and every measure worked out from it), keeping its values
    and the reason in the withdrawals register. A manager's act, except a row the user entered
    themselves in the last 30 minutes (the grid's Undo)."""
    require(session, Permission.RECORD)
    entry = _writable_entry(session, entry_id)
    tracker_id, day = entry.tracker_id, entry.entry_date
    withdrawals.withdraw(session, entry, reason)
    derived_measures.tracker_changed(session, tracker_id, [day], today)


def entry_values(session: Session, entry_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Current values of some rows (the grid keeps them to undo a change)."""
    ids = list(entry_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(TrackerEntry.id, TrackerEntry.values).where(TrackerEntry.id.in_(ids))
    )
    return {rid: dict(values) for rid, values in rows}
