"""Practice observations, handover records and the daily logs (governance log, rota notes and the
staff communication book).

Functions add and flush but never commit: the dialog's Save owns the transaction. An observation
linked to an action is evidence for it (source: staff observation): ``plans.evidence`` counts it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from sqlalchemy.orm import Session

from ...config import RESOURCES
from ...models import HandoverRecord, LogEntry, Observation
from ...models.enums import LogKind, ObservationArea, Outcome, Shift
from ..errors import NotFound, Problems, ValidationError
from ..reference import normalise_answer
from ..trust.permissions import Permission, require
from . import derived_measures
from .common import check_action, check_person, load_json, require_service

OBSERVATION_AREAS_FILE = RESOURCES / "observation_areas.json"


# --- observations -----------------------------------------------------------------------------


@cache
def _observation_prompts() -> dict[str, tuple[str, ...]]:
    raw = load_json(OBSERVATION_AREAS_FILE)
    return {area["name"]: tuple(area["prompts"]) for area in raw["areas"]}


def observation_prompts(area: str) -> list[str]:
    """What a senior checks for an area, as printed on the blank observation form."""
    try:
        return list(_observation_prompts()[area])
    except KeyError:
        raise ValidationError.single(
            "area", f"Choose an observation area from the list ({', '.join(ObservationArea)})."
        ) from None


@dataclass
class ObservationInput:
    observed_at: datetime
    area: str
    outcome: str
    observer_id: int | None
    staff_observed: str
    what_was_seen: str
    feedback_given: str
    follow_up: str = ""
    follow_up_due: date | None = None
    shift: str = ""
    prompt_results: dict[str, str | bool] | None = None
    action_id: int | None = None
    care_plan_ref: str = ""


def _check_observation(session: Session, service_id: int, data: ObservationInput) -> dict[str, str]:
    """An observation is only useful if the staff member heard the feedback and any shortfall
    has a dated follow-up, so those are required as well as what was seen."""
    p = Problems()
    # Problems.choice says "a …", which reads wrongly before these two words.
    if data.area not in list(ObservationArea):
        p.add("area", f"Choose an observation area from the list ({', '.join(ObservationArea)}).")
    if data.outcome not in list(Outcome):
        p.add("outcome", f"Choose an outcome from the list ({', '.join(Outcome)}).")
    if data.shift:
        p.choice("shift", data.shift, Shift, "shift")
    check_person(
        p, session, "observer_id", data.observer_id, "Choose the observer from the staff list."
    )
    p.require("staff_observed", data.staff_observed, "Enter who was observed.")
    p.require("what_was_seen", data.what_was_seen, "Describe what was seen.")
    p.require(
        "feedback_given", data.feedback_given, "Record the feedback given to the staff member."
    )
    if data.outcome in (Outcome.PARTLY_MET, Outcome.NOT_MET):
        p.require(
            "follow_up",
            data.follow_up,
            f"The outcome was {data.outcome.lower()}: say what follow-up will happen.",
        )
        if data.follow_up_due is None:
            p.add("follow_up_due", "Enter the date the follow-up is due.")
    if data.follow_up_due is not None and data.follow_up_due < data.observed_at.date():
        p.add("follow_up_due", "The follow-up cannot be due before the observation.")
    check_action(p, session, "action_id", data.action_id, service_id)
    results: dict[str, str] = {}
    prompts = _observation_prompts().get(data.area, ())
    for prompt, value in (data.prompt_results or {}).items():
        if isinstance(value, bool):
            answer: str | None = "Yes" if value else "No"
        else:
            answer = normalise_answer(value)
        if prompt not in prompts:
            p.add("prompt_results", f"{prompt!r} is not a prompt for {data.area}.")
        elif answer is None:
            p.add("prompt_results", f"Answer {prompt!r} with Yes, No or N/A.")
        else:
            results[prompt] = answer
    p.raise_if_any()
    return results


def _apply_observation(
    observation: Observation, data: ObservationInput, results: dict[str, str]
) -> None:
    observation.observed_at = data.observed_at
    observation.shift = data.shift
    observation.observer_id = data.observer_id
    observation.staff_observed = data.staff_observed.strip()
    observation.area = data.area
    observation.outcome = data.outcome
    observation.prompt_results = results
    observation.what_was_seen = data.what_was_seen.strip()
    observation.feedback_given = data.feedback_given.strip()
    observation.follow_up = data.follow_up.strip()
    observation.follow_up_due = data.follow_up_due
    observation.care_plan_ref = data.care_plan_ref.strip()
    observation.action_id = data.action_id


def add_observation(
    session: Session, service_id: int, data: ObservationInput, *, today: date | None = None
) -> Observation:
    require(session, Permission.RECORD)
    require_service(session, service_id)
    results = _check_observation(session, service_id, data)
    observation = Observation(service_id=service_id)
    _apply_observation(observation, data, results)
    session.add(observation)
    session.flush()
    derived_measures.records_changed(session, "observations", service_id, today)
    return observation


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
    *,
    today: date | None = None,
) -> Observation:
    """``add_observation`` with the fields as arguments (the demo and older callers use this)."""
    data = ObservationInput(
        observed_at,
        area,
        outcome,
        observer_id,
        staff_observed,
        what_was_seen,
        feedback_given,
        follow_up,
        follow_up_due,
        shift,
        prompt_results,
        action_id,
        care_plan_ref,
    )
    return add_observation(session, service_id, data, today=today)


def get_observation(session: Session, observation_id: int) -> Observation:
    observation = session.get(Observation, observation_id)
    if observation is None:
        raise NotFound("That observation no longer exists.")
    return observation


def update_observation(
    session: Session, observation_id: int, data: ObservationInput, *, today: date | None = None
) -> Observation:
    require(session, Permission.RECORD)
    observation = get_observation(session, observation_id)
    results = _check_observation(session, observation.service_id, data)
    _apply_observation(observation, data, results)
    session.flush()
    derived_measures.records_changed(session, "observations", observation.service_id, today)
    return observation


# --- handovers --------------------------------------------------------------------------------


def _check_handover(
    session: Session,
    service_id: int,
    shift: str,
    lead_id: int | None,
    staff_present: str,
    learning_points: str,
    action_id: int | None,
) -> None:
    """Names of staff present are required: they show who heard the learning (scenario 3)."""
    p = Problems()
    p.choice("shift", shift, Shift, "shift")
    check_person(p, session, "lead_id", lead_id, "Choose who led the handover from the staff list.")
    p.require("staff_present", staff_present, "List the staff present at the handover.")
    p.require("learning_points", learning_points, "Record the learning points shared.")
    check_action(p, session, "action_id", action_id, service_id)
    p.raise_if_any()


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
    require(session, Permission.RECORD)
    require_service(session, service_id)
    _check_handover(session, service_id, shift, lead_id, staff_present, learning_points, action_id)
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


def get_handover(session: Session, handover_id: int) -> HandoverRecord:
    handover = session.get(HandoverRecord, handover_id)
    if handover is None:
        raise NotFound("That handover record no longer exists.")
    return handover


def update_handover(
    session: Session,
    handover_id: int,
    handover_date: date,
    shift: str,
    lead_id: int | None,
    staff_present: str,
    learning_points: str,
    understanding_checked: bool,
    action_id: int | None = None,
) -> HandoverRecord:
    require(session, Permission.RECORD)
    handover = get_handover(session, handover_id)
    _check_handover(
        session, handover.service_id, shift, lead_id, staff_present, learning_points, action_id
    )
    handover.handover_date = handover_date
    handover.shift = shift
    handover.lead_id = lead_id
    handover.staff_present = staff_present.strip()
    handover.learning_points = learning_points.strip()
    handover.understanding_checked = understanding_checked
    handover.action_id = action_id
    session.flush()
    return handover


# --- governance log, rota notes, communication book ------------------------------------------


def _check_log(
    session: Session,
    service_id: int,
    kind: str,
    author_id: int | None,
    text: str,
    action_id: int | None,
) -> None:
    p = Problems()
    p.choice("kind", kind, LogKind, "log")
    check_person(p, session, "author_id", author_id, "Choose who wrote this from the staff list.")
    p.require("text", text, "Write the entry.")
    check_action(p, session, "action_id", action_id, service_id)
    p.raise_if_any()


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
    require(session, Permission.RECORD)
    require_service(session, service_id)
    _check_log(session, service_id, kind, author_id, text, action_id)
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


def get_log_entry(session: Session, entry_id: int) -> LogEntry:
    entry = session.get(LogEntry, entry_id)
    if entry is None:
        raise NotFound("That log entry no longer exists.")
    return entry


def update_log_entry(
    session: Session,
    entry_id: int,
    kind: str,
    entry_date: date,
    author_id: int | None,
    text: str,
    action_id: int | None = None,
) -> LogEntry:
    require(session, Permission.RECORD)
    entry = get_log_entry(session, entry_id)
    _check_log(session, entry.service_id, kind, author_id, text, action_id)
    entry.kind = kind
    entry.entry_date = entry_date
    entry.author_id = author_id
    entry.text = text.strip()
    entry.action_id = action_id
    session.flush()
    return entry
