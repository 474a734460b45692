"""Users and roles: the first administrator, signing in, passwords, and what each role may do."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from cqc_desktop.db import Database
from cqc_desktop.models import AuditLog, Incident, Person, User
from cqc_desktop.models.enums import Role
from cqc_desktop.services.errors import NotAllowed, ValidationError
from cqc_desktop.services.plans import actions, evidence, plans
from cqc_desktop.services.records import incidents, logs
from cqc_desktop.services.setup import people
from cqc_desktop.services.trust import users
from cqc_desktop.services.trust.permissions import Actor, Permission
from cqc_desktop.services.trust.users import SignInFailed, UserInput

TODAY = date(2026, 11, 26)
GOOD = "correct horse 1"


def _admin(db: Database) -> Actor:
    with db.unit_of_work() as s:
        users.create_first_administrator(s, "admin", "Office administrator", GOOD, GOOD)
    with db.unit_of_work() as s:
        return users.authenticate(s, "admin", GOOD)


def test_first_administrator_only_while_there_are_no_users(db: Database) -> None:
    with db.reading() as s:
        assert not users.has_users(s)
    admin = _admin(db)
    assert admin.role is Role.ADMINISTRATOR and admin.username == "admin"
    with pytest.raises(NotAllowed, match="already has an administrator"), db.unit_of_work() as s:
        users.create_first_administrator(s, "sneaky", "", GOOD, GOOD)


def test_passwords_are_salted_scrypt_hashes_never_plain_text(db: Database) -> None:
    admin = _admin(db)
    with db.unit_of_work(admin) as s:
        users.create_user(s, UserInput("sam", "Sam", "staff"), GOOD, GOOD)
    with db.reading() as s:
        hashes = [u.password_hash for u in users.list_users(s)]
        raw = s.connection().exec_driver_sql("SELECT * FROM app_user").all()
    assert all(h.startswith("scrypt$32768$8$1$") for h in hashes)
    assert hashes[0].split("$")[4] != hashes[1].split("$")[4]  # same password, different salt
    assert GOOD not in repr(raw)
    assert users.password_matches(GOOD, hashes[0])
    assert not users.password_matches("wrong password", hashes[0])
    assert not users.password_matches(GOOD, "not-a-hash")


def test_sign_in_failures_do_not_say_which_part_was_wrong(db: Database) -> None:
    _admin(db)
    for name, password in (("admin", "wrong password"), ("nobody", GOOD), ("", "")):
        with pytest.raises(SignInFailed) as caught, db.unit_of_work() as s:
            users.authenticate(s, name, password)
        assert str(caught.value) == (
            "That username and password do not match. Check them and try again."
        )


def test_sign_in_is_case_insensitive_for_the_username_and_records_the_time(db: Database) -> None:
    _admin(db)
    with db.unit_of_work() as s:
        actor = users.authenticate(s, "  ADMIN ", GOOD)
    assert actor.username == "admin"
    with db.reading() as s:
        user = s.scalar(select(User))
        assert user is not None and user.last_login is not None
        signed_in = s.scalar(
            select(AuditLog).where(AuditLog.field == "last_login").order_by(AuditLog.id.desc())
        )
        assert signed_in is not None and signed_in.username == "admin"


def test_password_rules_and_confirmation_are_explained_beside_the_fields(db: Database) -> None:
    admin = _admin(db)
    cases = [
        ("short", "short", "password", "at least 10 characters"),
        ("password123", "password123", "password", "commonest passwords"),
        ("sam", "sam", "password", "at least 10 characters"),
        ("different 1", "different 2", "confirm", "not the same"),
    ]
    for password, confirm, field, words in cases:
        with pytest.raises(ValidationError) as caught, db.unit_of_work(admin) as s:
            users.create_user(s, UserInput("sam", "Sam", "staff"), password, confirm)
        assert words in caught.value.errors[field]


def test_usernames_are_unique_and_tidy(db: Database) -> None:
    admin = _admin(db)
    with pytest.raises(ValidationError) as caught, db.unit_of_work(admin) as s:
        users.create_user(s, UserInput("Admin", "", "staff"), GOOD, GOOD)
    assert "already a user called admin" in caught.value.errors["username"]
    with pytest.raises(ValidationError) as caught, db.unit_of_work(admin) as s:
        users.create_user(s, UserInput("sam smith", "", "boss"), GOOD, GOOD)
    assert "no spaces" in caught.value.errors["username"]
    assert "role" in caught.value.errors


def test_the_last_administrator_cannot_be_demoted_or_switched_off(db: Database) -> None:
    admin = _admin(db)
    with db.reading() as s:
        admin_id = users.list_users(s)[0].id
    for role, active in ((Role.MANAGER.value, True), (Role.ADMINISTRATOR.value, False)):
        # Nobody changes their own role; and the app itself never leaves no administrator.
        with pytest.raises(NotAllowed, match="your own role"), db.unit_of_work(admin) as s:
            users.update_user(s, admin_id, UserInput("admin", "", role, None, active))
        refused = pytest.raises(ValidationError, match="only active administrator")
        with refused, db.unit_of_work() as s:
            users.update_user(s, admin_id, UserInput("admin", "", role, None, active))
    with db.unit_of_work(admin) as s:
        users.create_user(s, UserInput("deputy", "", "administrator"), GOOD, GOOD)
    with db.unit_of_work() as s:
        deputy = users.authenticate(s, "deputy", GOOD)
    with db.unit_of_work(deputy) as s:
        users.update_user(s, admin_id, UserInput("admin", "", "manager"))


def test_a_switched_off_user_cannot_sign_in(db: Database) -> None:
    admin = _admin(db)
    with db.unit_of_work(admin) as s:
        sam = users.create_user(s, UserInput("sam", "Sam", "staff"), GOOD, GOOD)
        users.update_user(s, sam.id, UserInput("sam", "Sam", "staff", None, False))
    with pytest.raises(NotAllowed, match="switched off"), db.unit_of_work() as s:
        users.authenticate(s, "sam", GOOD)


def test_everyone_can_change_their_own_password_with_the_current_one(db: Database) -> None:
    admin = _admin(db)
    with db.unit_of_work(admin) as s:
        users.create_user(s, UserInput("viv", "Visiting inspector", "viewer"), GOOD, GOOD)
    with db.unit_of_work() as s:
        viewer = users.authenticate(s, "viv", GOOD)
    with pytest.raises(SignInFailed), db.unit_of_work(viewer) as s:
        users.change_own_password(s, "not my password", "new secret 22", "new secret 22")
    with db.unit_of_work(viewer) as s:
        users.change_own_password(s, GOOD, "new secret 22", "new secret 22")
    with db.unit_of_work() as s:
        assert users.authenticate(s, "viv", "new secret 22").role is Role.VIEWER
    with db.reading() as s:
        assert users.confirm_password(s, viewer, "new secret 22")
        assert not users.confirm_password(s, viewer, GOOD)


def test_demo_users_one_per_role_with_the_documented_passwords(db: Database) -> None:
    with db.unit_of_work() as s:
        people.create_person(s, "Zoë Hart", "Registered manager")
        made = users.create_demo_users(s)
        again = users.create_demo_users(s)
    assert len(made) == 4 and again == []
    for username, password, role, _display, _person in users.DEMO_USERS:
        with db.unit_of_work() as s:
            actor = users.authenticate(s, username, password)
        assert actor.role is role
    with db.reading() as s:
        manager = users.find_user(s, users.DEMO_MANAGER)
        zoe = s.scalar(select(Person).where(Person.name == "Zoë Hart"))
        assert manager is not None and zoe is not None and manager.person_id == zoe.id


# --- each role, at the service level ----------------------------------------------------------------


def _setup(db: Database) -> dict[str, int]:
    with db.unit_of_work() as s:
        home = people.create_service(s, "Willow Court")
        zoe = people.create_person(s, "Zoë Hart", "Registered manager", service_id=home.id)
        plan = plans.create_plan(s, plans.PlanInput(home.id, "Audit", "Internal audit"))
        finding = plans.create_finding(
            s, plan.id, plans.FindingInput("Late medicines", "Safe", "Medicines", 4, 4)
        )
        action = actions.create_action(
            s, finding.id, actions.ActionInput("Protected round", zoe.id, TODAY), today=TODAY
        )
    return {"home": home.id, "zoe": zoe.id, "finding": finding.id, "action": action.id}


def _actor(role: Role) -> Actor:
    return Actor(user_id=None, username=role.value, role=role)


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_what_each_role_may_do_is_enforced_in_the_services(db: Database, role: Role) -> None:
    ids = _setup(db)
    actor = _actor(role)

    def attempt(work: object) -> bool:
        try:
            with db.unit_of_work(actor) as s:
                work(s)  # type: ignore[operator]
        except NotAllowed:
            return False
        return True

    def log(s: object) -> None:
        logs.add_log_entry(s, ids["home"], "Rota note", TODAY, ids["zoe"], "Protected time")  # type: ignore[arg-type]

    def incident(s: object) -> None:
        incidents.log_incident(
            s,  # type: ignore[arg-type]
            ids["home"],
            occurred_at=TODAY_AT,
            incident_type="Fall",
            severity="No harm",
            person_ref="MS",
            today=TODAY,
        )

    def add_evidence(s: object) -> None:
        evidence.add_evidence(
            s,  # type: ignore[arg-type]
            ids["action"],
            evidence.EvidenceInput("MAR audit", "audit", TODAY),
            today=TODAY,
        )

    def edit_plan(s: object) -> None:
        plans.create_plan(s, plans.PlanInput(ids["home"], "Mock inspection", "Mock inspection"))  # type: ignore[arg-type]

    def override(s: object) -> None:
        from cqc_desktop.models import Action

        actions.close_with_override(
            s,  # type: ignore[arg-type]
            s.get(Action, ids["action"]),  # type: ignore[attr-defined]
            signed_off_by=s.get(Person, ids["zoe"]),  # type: ignore[attr-defined]
            reason="Poster displayed",
            today=TODAY,
        )

    def add_user(s: object) -> None:
        users.create_user(s, UserInput(f"u{role.value}", "", "staff"), GOOD, GOOD)  # type: ignore[arg-type]

    allowed = {
        "record a log entry": attempt(log),
        "log an incident": attempt(incident),
        "add evidence": attempt(add_evidence),
        "change a plan": attempt(edit_plan),
        "close with override": attempt(override),
        "add a user": attempt(add_user),
    }
    expected = {
        Role.ADMINISTRATOR: set(allowed),
        Role.MANAGER: set(allowed) - {"add a user"},
        Role.STAFF: {"record a log entry", "log an incident", "add evidence"},
        Role.VIEWER: set(),
    }[role]
    assert {k for k, v in allowed.items() if v} == expected
    with db.reading() as s:
        saved_incidents = len(list(s.scalars(select(Incident.id))))
    assert saved_incidents == (1 if role is not Role.VIEWER else 0)


TODAY_AT = __import__("datetime").datetime(2026, 11, 25, 14, 30)


def test_permission_table_matches_the_issue() -> None:
    staff, viewer = _actor(Role.STAFF), _actor(Role.VIEWER)
    assert staff.can(Permission.RECORD) and not staff.can(Permission.CLOSE_ACTIONS)
    assert not staff.can(Permission.OVERRIDE_CLOSURE) and not staff.can(Permission.APPROVE_MINUTES)
    assert viewer.read_only and not any(viewer.can(p) for p in Permission)
    assert _actor(Role.MANAGER).can(Permission.BACKUP)
    assert not _actor(Role.MANAGER).can(Permission.MANAGE)
