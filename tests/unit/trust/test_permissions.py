"""Roles are enforced in the services, whatever front end calls them."""

from __future__ import annotations

from datetime import date

import pytest

from cqc_desktop.db import Database
from cqc_desktop.models.enums import Role
from cqc_desktop.services.errors import NotAllowed
from cqc_desktop.services.plans import actions, plans
from cqc_desktop.services.setup import people
from cqc_desktop.services.trust.permissions import ROLE_PERMISSIONS, Actor, Permission

TODAY = date(2026, 11, 26)


def actor(role: Role) -> Actor:
    return Actor(user_id=None, username=role.value, role=role)


def test_role_table() -> None:
    assert ROLE_PERMISSIONS[Role.VIEWER] == frozenset()
    assert ROLE_PERMISSIONS[Role.STAFF] == {Permission.RECORD}
    assert Permission.CLOSE_ACTIONS in ROLE_PERMISSIONS[Role.MANAGER]
    assert Permission.MANAGE not in ROLE_PERMISSIONS[Role.MANAGER]
    assert ROLE_PERMISSIONS[Role.ADMINISTRATOR] == frozenset(Permission)


def test_staff_cannot_create_a_plan_and_nothing_is_saved(db: Database) -> None:
    with db.unit_of_work() as s:
        home = people.create_service(s, "Willow Court")
    refused = r"Your role \(staff\) does not allow you to change plans"
    with pytest.raises(NotAllowed, match=refused), db.unit_of_work(actor(Role.STAFF)) as s:
        plans.create_plan(s, plans.PlanInput(home.id, "Audit", "Internal audit"))
    with db.reading() as s:
        assert plans.list_plans(s) == []


def test_viewer_cannot_close_and_manager_can_override(db: Database) -> None:
    with db.unit_of_work() as s:
        home = people.create_service(s, "Willow Court")
        zoe = people.create_person(s, "Zoë Hart", "Registered manager", service_id=home.id)
        plan = plans.create_plan(s, plans.PlanInput(home.id, "Audit", "Internal audit"))
        finding = plans.create_finding(
            s, plan.id, plans.FindingInput("Rating not displayed", "Well-led", "Governance", 1, 2)
        )
        action = actions.create_action(
            s, finding.id, actions.ActionInput("Display the rating", zoe.id, TODAY), today=TODAY
        )
    for role in (Role.VIEWER, Role.STAFF):
        with pytest.raises(NotAllowed), db.unit_of_work(actor(role)) as s:
            actions.close_with_override(
                s,
                s.get(type(action), action.id),
                signed_off_by=s.get(type(zoe), zoe.id),
                reason="Done",
                today=TODAY,
            )
    with db.unit_of_work(actor(Role.MANAGER)) as s:
        a = s.get(type(action), action.id)
        actions.close_with_override(
            s,
            a,
            signed_off_by=s.get(type(zoe), zoe.id),
            reason="Poster displayed; no measure applies",
            today=TODAY,
        )
        assert a.closed_with_override
