"""Homes, the staff list and set-up, through the services (no Qt)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from cqc_desktop.db import Database
from cqc_desktop.models.enums import Role
from cqc_desktop.services.errors import NotAllowed, ValidationError
from cqc_desktop.services.setup import first_run, homes, people, staff, staff_import
from cqc_desktop.services.setup.homes import HomeInput
from cqc_desktop.services.setup.staff import StaffInput
from cqc_desktop.services.spreadsheets import read_sheet
from cqc_desktop.services.trust import users
from cqc_desktop.services.trust.permissions import SESSION_KEY, Actor

PASSWORD = "willow court 2026"


def set_up(session: Session, **extra: object) -> first_run.SetUpResult:
    data = first_run.SetUpInput(
        provider="Willow Care Ltd",
        home=HomeInput("Willow Court", "1-123456789", "Zoë Hart", 40, "Care home with nursing"),
        username="zoe.hart",
        display_name="Zoë Hart",
        password=PASSWORD,
        confirm=PASSWORD,
        **extra,  # type: ignore[arg-type]
    )
    return first_run.set_up(session, data)


def as_role(session: Session, role: Role) -> None:
    session.info[SESSION_KEY] = Actor(user_id=99, username=role.value, role=role)


def test_set_up_makes_provider_home_manager_and_linked_administrator(session: Session) -> None:
    assert first_run.needs_setting_up(session)
    result = set_up(session)
    assert not first_run.needs_setting_up(session)
    assert homes.provider_name(session) == "Willow Care Ltd"
    home = homes.get_home(session, result.home_id)
    assert (home.cqc_location_id, home.registered_manager, home.beds) == (
        "1-123456789",
        "Zoë Hart",
        40,
    )
    manager = people.get_person(session, result.person_id or 0)
    assert (manager.name, manager.role) == ("Zoë Hart", "Registered manager")
    actor = users.authenticate(session, "zoe.hart", PASSWORD)
    assert actor.role is Role.ADMINISTRATOR and actor.person_id == manager.id
    with pytest.raises(NotAllowed, match="already been set up"):
        set_up(session)


def test_set_up_is_all_or_nothing(db: Database) -> None:
    with pytest.raises(ValidationError) as caught, db.unit_of_work() as s:
        data = first_run.SetUpInput(
            "Willow Care Ltd", HomeInput("Willow Court", beds=0), "zoe.hart", "", "x", "y"
        )
        first_run.set_up(s, data)
    assert "beds" in caught.value.errors
    with db.reading() as s:
        assert not first_run.has_data(s)


def test_homes_are_for_administrators_and_archived_not_deleted(session: Session) -> None:
    first = set_up(session).home_id
    as_role(session, Role.MANAGER)
    with pytest.raises(NotAllowed, match="manager"):
        homes.add_home(session, HomeInput("Oak House"))
    as_role(session, Role.ADMINISTRATOR)
    oak = homes.add_home(session, HomeInput("  Oak   House ", "1-987654321"))
    assert oak.name == "Oak House" and oak.provider_name == "Willow Care Ltd"
    with pytest.raises(ValidationError, match="already a care home called Oak House"):
        homes.add_home(session, HomeInput("oak house"))
    homes.edit_home(session, oak.id, HomeInput("Oak House", beds=22))
    homes.set_archived(session, oak.id, True)
    assert [h.name for h in homes.list_homes(session)] == ["Willow Court"]
    with pytest.raises(ValidationError, match="only open care home"):
        homes.set_archived(session, first, True)


def test_staff_in_two_homes_left_but_kept(session: Session) -> None:
    willow = set_up(session).home_id
    oak = homes.add_home(session, HomeInput("Oak House")).id
    amara = staff.add_staff(
        session, StaffInput("Amara Okafor", "Deputy manager", [willow, oak], date(2024, 2, 1))
    )
    assert [p.name for p in people.list_people(session, service_id=oak)] == ["Amara Okafor"]
    row = next(r for r in staff.list_staff(session) if r.name == "Amara Okafor")
    assert row.homes == ("Willow Court", "Oak House")
    with pytest.raises(ValidationError, match="leaving date is before"):
        staff.mark_left(session, amara.id, date(2023, 1, 1))
    staff.mark_left(session, amara.id, date(2026, 11, 30))
    assert people.list_people(session, service_id=oak) == []
    assert [r.status for r in staff.list_staff(session, service_id=oak)] == ["Left"]
    with pytest.raises(ValidationError, match="not an email address"):
        staff.add_staff(session, StaffInput("Tom", email="tom at home"))


def _csv(path: Path, lines: list[str], encoding: str = "cp1252") -> Path:
    path.write_bytes("\r\n".join(lines).encode(encoding))
    return path


def test_import_refuses_the_whole_file_naming_every_bad_row(
    session: Session, tmp_path: Path
) -> None:
    home = set_up(session).home_id
    source = _csv(
        tmp_path / "staff.csv",
        [
            "Name;Job title;Start date;Leaving date",
            "Amara Okafor;Deputy manager;01/02/2024;",
            ";Carer;01/03/2025;",
            "Priya Shah;Carer;31/02/2025;",
        ],
    )
    preview = staff_import.preview_file(session, home, source)
    assert preview.problems == [
        "Row 3: the name is blank; every row needs a name.",
        "Row 4: Start date 31/02/2025 is not a real date; write it as dd/mm/yyyy, e.g. 03/11/2025.",
    ]
    with pytest.raises(ValidationError, match="nothing was added"):
        staff_import.import_staff(session, preview)
    assert [p.name for p in people.list_people(session)] == ["Zoë Hart"]


def test_import_merges_repeats_and_fills_blanks(session: Session, tmp_path: Path) -> None:
    home = set_up(session).home_id
    source = _csv(
        tmp_path / "staff.csv",
        [
            "Name,Job title,Start date,Email",
            "Zoë Hart,Registered manager,01/04/2019,",  # the manager set-up added: fills a blank
            "José Müller,Carer,28/02/2025,",
            "josé müller,carer,28/02/2025,",  # the same line twice: added once
        ],
        "utf-8-sig",
    )
    preview = staff_import.preview_file(session, home, source)
    assert preview.ok, preview.problems
    assert [r.outcome for r in preview.rows] == ["already listed", "new", "already listed"]
    result = staff_import.import_staff(session, preview)
    assert (result.added, result.merged) == (1, 2)
    names = [(r.name, r.start_date) for r in staff.list_staff(session)]
    assert names == [("José Müller", date(2025, 2, 28)), ("Zoë Hart", date(2019, 4, 1))]
    clash = _csv(tmp_path / "clash.csv", ["Name;Job title", "Zoë Hart;Cook"])
    refused = staff_import.preview_file(session, home, clash)
    assert (
        "Row 2: Zoë Hart is already on the staff list with different details"
        in (refused.problems[0])
    )


def test_set_up_with_a_staff_list_imports_it_in_the_same_step(db: Database, tmp_path: Path) -> None:
    source = _csv(tmp_path / "staff.csv", ["Name;Job title", "Tom Price;Cook"])
    sheet = read_sheet(source)
    with db.reading() as s:
        data = first_run.SetUpInput(
            "Willow Care Ltd", HomeInput("Willow Court"), "office", "", PASSWORD, PASSWORD
        )
        assert first_run.preview_staff_list(s, data, sheet).count("new") == 1
    with db.reading() as s:
        assert not first_run.has_data(s)  # the preview left nothing behind
    with db.unit_of_work() as s:
        result = set_up(s, staff_list=sheet)
        assert result.staff is not None and result.staff.added == 1
    with db.reading() as s:
        assert [r.name for r in staff.list_staff(s)] == ["Tom Price", "Zoë Hart"]


def test_an_hr_export_with_first_name_and_surname_columns(session: Session, tmp_path: Path) -> None:
    home = set_up(session).home_id
    source = _csv(
        tmp_path / "hr.csv",
        ["Forename,Surname,Position,Date started", "Tom,Price,Senior carer,03/11/2025"],
    )
    preview = staff_import.preview_file(session, home, source)
    assert preview.ok, preview.problems
    [row] = preview.rows
    assert (row.data.name, row.data.job_title, row.data.start_date) == (
        "Tom Price",
        "Senior carer",
        date(2025, 11, 3),
    )
