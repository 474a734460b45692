"""Helpers shared by the record services (trackers, logs, incidents): homes, people and actions."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Action, Finding, Person, Plan, Service
from ..errors import NotFound, Problems


def uk_date(value: date) -> str:
    """Dates are shown to users as dd/mm/yyyy, never in ISO or US order."""
    return value.strftime("%d/%m/%Y")


def load_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


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


def action_service_id(session: Session, action_id: int) -> int | None:
    """The home an action belongs to (through its finding and plan), or None if it is gone."""
    return session.scalar(
        select(Plan.service_id)
        .join(Finding, Finding.plan_id == Plan.id)
        .join(Action, Action.finding_id == Finding.id)
        .where(Action.id == action_id)
    )


def check_action(
    p: Problems, session: Session, field: str, action_id: int | None, service_id: int
) -> None:
    """A record may be linked to an action of the same home only."""
    if action_id is None:
        return
    home = action_service_id(session, action_id)
    if home is None:
        p.add(field, "That action no longer exists; choose another or leave it blank.")
    elif home != service_id:
        p.add(field, "Choose an action from this care home's plan.")
