"""Privacy by default: people receiving care by reference, not name; redaction for exports."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from cqc_desktop.db import Database
from cqc_desktop.models.enums import Role
from cqc_desktop.services.errors import NotAllowed, Problems
from cqc_desktop.services.records import incidents
from cqc_desktop.services.setup import people
from cqc_desktop.services.trust import privacy
from cqc_desktop.services.trust.permissions import Actor


@pytest.mark.parametrize(
    ("text", "is_name"),
    [
        ("Mary Smith", True),
        ("Mrs Smith", True),
        ("Zoë Hart", True),
        ("Mary", True),
        ("MS", False),
        ("M.S.", False),
        ("Room 12", False),
        ("MS rm 4", False),
        ("JB (room 14)", False),
        ("Resident in the lounge", False),
        ("", False),
    ],
)
def test_what_looks_like_a_name(text: str, is_name: bool) -> None:
    assert privacy.looks_like_name(text) is is_name


def test_names_are_refused_unless_an_administrator_allows_them(db: Database) -> None:
    with db.unit_of_work() as s:
        p = Problems()
        privacy.check_person_ref(s, p, "person_ref", "Mary Ann Smith")
        assert "initials or room number" in p.errors["person_ref"]
        assert "for example MAS" in p.errors["person_ref"]
        ok = Problems()
        privacy.check_person_ref(s, ok, "person_ref", "MAS rm 12")
        assert ok.errors == {}
    manager = Actor(user_id=None, username="zoe", role=Role.MANAGER)
    with pytest.raises(NotAllowed), db.unit_of_work(manager) as s:
        privacy.set_names_allowed(s, True)
    admin = Actor(user_id=None, username="admin", role=Role.ADMINISTRATOR)
    with db.unit_of_work(admin) as s:
        privacy.set_names_allowed(s, True)
    with db.unit_of_work() as s:
        allowed = Problems()
        privacy.check_person_ref(s, allowed, "person_ref", "Mary Ann Smith")
        assert allowed.errors == {} and privacy.names_allowed(s)


def test_redaction_gives_stable_pseudonyms_and_scrubs_free_text() -> None:
    redactor = privacy.Redactor(["MS", "JB rm 14"])
    assert redactor.ref("MS") == "Person 1"
    assert redactor.ref("JB rm 14") == "Person 2"
    assert redactor.ref("ms ") == "Person 1"  # the same person, however it was typed
    text = "MS fell twice; Mrs Jones found JB rm 14 on the floor. Reviewed in 20 ms."
    assert redactor.text(text) == (
        "Person 1 fell twice; [withheld] found Person 2 on the floor. Reviewed in 20 ms."
    )
    assert privacy.redact_person_ref("MS") == "[withheld]" and privacy.redact_person_ref(" ") == ""


def test_known_person_references_are_collected_for_redaction(db: Database) -> None:
    with db.unit_of_work() as s:
        home = people.create_service(s, "Willow Court")
        for ref in ("MS", "Rm 12"):
            incidents.log_incident(
                s,
                home.id,
                occurred_at=datetime(2026, 11, 20, 14, 0),
                incident_type="Fall",
                severity="No harm",
                person_ref=ref,
                today=date(2026, 11, 26),
            )
        assert privacy.known_person_refs(s) >= {"MS", "Rm 12"}
