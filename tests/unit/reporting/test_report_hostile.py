"""Hostile text through every document: markup, ampersands, very long words, a 5,000-character
paragraph and names in several scripts must print literally and never stop a report."""

from __future__ import annotations

import copy
import io
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from cqc_desktop.config import DataLocation
from cqc_desktop.db import Database
from cqc_desktop.models import AuditTemplate
from cqc_desktop.reports.catalogue import (
    ACTION_PLAN,
    COMMISSIONER,
    FORM,
    INSPECTION,
    MINUTES,
    MONTHLY,
    PROVIDER,
    DocumentRequest,
    generate,
)
from cqc_desktop.services.errors import ValidationError
from cqc_desktop.services.governance import audits
from cqc_desktop.services.governance.meetings import (
    add_addendum,
    add_meeting_item,
    approve_minutes,
    create_meeting,
)
from cqc_desktop.services.governance.minutes import record_item_minute
from cqc_desktop.services.plans import actions, plans
from cqc_desktop.services.plans.evidence import EvidenceInput, add_evidence
from cqc_desktop.services.plans.measure_data import MeasureInput, create_measure, record_point
from cqc_desktop.services.records import incidents, logs
from cqc_desktop.services.reporting.common import date_range, find_home, month_period
from cqc_desktop.services.reporting.forms import form_catalogue
from cqc_desktop.services.setup import people

TODAY = date(2026, 11, 26)
MARKUP = '<b>not bold</b> & <font color="red">not red</font> &amp; <br/> </para>'
AMP = "Tea & toast & <i>jam</i>"
LONG = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 16  # 720 letters, no spaces
ESSAY = "Care note. " + " ".join(f"sentence{n} & <tag{n}>" for n in range(260))  # 5,000+ characters
HOME = "Zoë's <Home> & Co"
NAMES = ("Zoë Hart", "Siobhán Murphy", "Łukasz Nowak", "Nguyễn Thị Lan")


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text.replace("\u00a0", " "))


def body_text(pdf: bytes) -> str:
    """All pages without their running header and footer, so wrapped text reads on."""
    lines: list[str] = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        lines += page.extract_text().splitlines()[4:-1]
    return "\n".join(lines)


@pytest.fixture(scope="module")
def hostile(
    tmp_path_factory: pytest.TempPathFactory,
    make_shared_location: Callable[..., DataLocation],
) -> Iterator[tuple[Database, DataLocation, dict[str, int]]]:
    folder = tmp_path_factory.mktemp("hostile")
    location = make_shared_location("hostile")
    db = Database(location)
    with db.unit_of_work() as s:
        ids = _seed(s, folder, location.attachments_dir)
    yield db, location, ids
    db.dispose()


def _seed(s: Session, folder: Path, attachments: Path) -> dict[str, int]:
    home = people.create_service(s, HOME, provider_name=AMP, address=MARKUP)
    zoe, siobhan, lukasz, lan = (
        people.create_person(s, name, role, service_id=home.id)
        for name, role in zip(
            NAMES,
            ("Registered manager", "Deputy manager", "Evening senior", "Medicines lead"),
            strict=True,
        )
    )
    plan = plans.create_plan(
        s,
        plans.PlanInput(
            home.id,
            f"CQC inspection {AMP}",
            "CQC inspection",
            TODAY - timedelta(weeks=8),
            "Requires improvement",
            ESSAY,
        ),
    )
    finding = plans.create_finding(
        s,
        plan.id,
        plans.FindingInput(
            title=f"Finding {MARKUP}",
            key_question="Safe",
            risk_area="Staffing",
            likelihood=4,
            impact=4,
            statement_codes=["S8", "S6"],
            breached_regulation="12",
            description=ESSAY,
            root_cause=LONG,
            immediate_control=AMP,
        ),
    )
    start = TODAY - timedelta(weeks=8)
    action = actions.create_action(
        s,
        finding.id,
        actions.ActionInput(
            title=f"Action {MARKUP}",
            accountable_lead_id=zoe.id,
            due_date=TODAY + timedelta(days=30),
            description=ESSAY,
            oversight_plan=AMP,
            escalation_route=LONG,
            triggers=MARKUP,
            steps=[actions.StepInput(f"Step {AMP}", lukasz.id, LONG, start + timedelta(days=7))],
        ),
        today=start,
    )
    closed = actions.create_action(
        s,
        finding.id,
        actions.ActionInput(f"Closed {AMP}", siobhan.id, TODAY, oversight_plan=MARKUP),
        today=start,
    )
    actions.close_with_override(
        s, closed, signed_off_by=zoe, reason=f"Override {MARKUP}", today=TODAY - timedelta(days=3)
    )
    measure = create_measure(
        s,
        action.id,
        MeasureInput(
            f"Measure {AMP}",
            "lower",
            15,
            "relative",
            -80,
            unit="entries",
            baseline_period=MARKUP,
            data_source=LONG,
        ),
    )
    for week, value in enumerate((14, 12, 9, 7, 5, 4, 3, 2)):
        record_point(s, measure.id, start + timedelta(weeks=week), value, note=MARKUP)
    odd_file = (
        folder / "Zoë & Łukasz's MAR scan.txt"
    )  # & and accents; < > are not allowed on Windows
    odd_file.write_text("a scanned MAR summary", encoding="utf-8")
    add_evidence(
        s,
        action.id,
        EvidenceInput(
            f"Evidence {MARKUP}",
            "care_records",
            TODAY - timedelta(days=5),
            description=ESSAY,
            tested_by_id=lan.id,
            tested_on=TODAY - timedelta(days=4),
        ),
        files=[odd_file],
        attachments_dir=attachments,
        today=TODAY,
    )
    meeting = create_meeting(
        s,
        "Weekly governance",
        TODAY - timedelta(days=2),
        home.id,
        zoe.id,
        [siobhan.id, lan.id],
        other_attendees=AMP,
        apologies=MARKUP,
    )
    item = add_meeting_item(s, meeting.id, f"Item {MARKUP}", "Action review", action_id=action.id)
    record_item_minute(
        s,
        item.id,
        ESSAY,
        LONG,
        AMP,
        "Change controls",
        owner_id=lukasz.id,
        due_date=TODAY + timedelta(days=7),
    )
    approve_minutes(s, meeting.id, zoe.id, TODAY - timedelta(days=1))
    add_addendum(s, meeting.id, zoe.id, TODAY, f"Correction {MARKUP}")
    actions.record_review(
        s,
        action.id,
        review_date=TODAY - timedelta(days=2),
        reviewer_id=zoe.id,
        progress=f"Review {ESSAY}",
        rag="Amber",
        decision="Continue",
        meeting_item_id=item.id,
        today=TODAY,
    )
    incident = incidents.log_incident(
        s,
        home.id,
        occurred_at=datetime.combine(TODAY - timedelta(days=10), time(9)),
        incident_type="Safeguarding",
        severity="Low harm",
        person_ref=f"Room <1> & {LONG[:40]}",
        description=ESSAY,
        reported_by=AMP,
        today=TODAY,
    )
    incidents.review_incident(
        s,
        incident.id,
        siobhan.id,
        TODAY - timedelta(days=10),
        MARKUP,
        "Reg 18 (other incident)",
        cqc_notified_on=TODAY - timedelta(days=10),
        safeguarding_referral=True,
        safeguarding_referred_on=TODAY - timedelta(days=10),
        learning_point=f"Learning {MARKUP}",
    )
    logs.record_observation(
        s,
        home.id,
        datetime.combine(TODAY - timedelta(days=3), time(18)),
        "Medicines round",
        "Partly met",
        lukasz.id,
        AMP,
        ESSAY,
        MARKUP,
        follow_up=f"Follow up {AMP}",
        follow_up_due=TODAY + timedelta(days=7),
        action_id=action.id,
    )
    audits.install_builtin_audit_templates(s)
    template = s.scalar(
        select(AuditTemplate).where(
            AuditTemplate.key == "falls_audit", AuditTemplate.current.is_(True)
        )
    )
    assert template is not None
    edited = copy.deepcopy(template.definition)
    edited["sections"][0]["title"] = f"Section {AMP}"
    edited["sections"][0]["questions"].append(
        {"key": "hostile_q", "text": f"Question {MARKUP} {LONG}"}
    )
    audits.new_template_version(s, template.id, edited)
    # A second home with nothing in it yet: the roll-up must cover it and say so plainly.
    people.create_service(s, "Ashby House & Annexe")
    return {"home": home.id, "plan": plan.id, "meeting": meeting.id}  # fmt: skip


def make(db: Database, location: DataLocation, request: DocumentRequest) -> str:
    with db.reading() as s:
        pdf = generate(s, request, today=TODAY, attachments_dir=location.attachments_dir)
    return flat(body_text(pdf))


def needles(*texts: str) -> list[str]:
    return [flat(t) for t in texts]


def reads_in_order(needle: str, text: str) -> bool:
    """Every word of ``needle`` appears literally and in order. A table row split over two pages
    repeats the table's header between its halves, so a long cell is not one unbroken run."""
    position = 0
    for word in needle.split():
        found = text.find(word, position)
        if found < 0:
            return False
        position = found + len(word)
    return True


def assert_printed(text: str, *wanted: str) -> None:
    for needle in wanted:
        assert flat(needle) in text or reads_in_order(needle, text), needle[:80]


def test_monthly_and_provider_reports(
    hostile: tuple[Database, DataLocation, dict[str, int]],
) -> None:
    db, location, ids = hostile
    text = make(
        db,
        location,
        DocumentRequest(MONTHLY, service_id=ids["home"], period=month_period("2026-11")),
    )
    assert_printed(
        text,
        HOME,
        f"Action {MARKUP}",
        f"Measure {AMP}",
        f"Override {MARKUP}",
        f"Item {MARKUP}",
        "Zoë Hart",
        "Siobhán Murphy",
        LONG,
    )
    roll_up = make(db, location, DocumentRequest(PROVIDER, period=month_period("2026-11")))
    assert flat("Ashby House & Annexe") in roll_up and flat("2 homes") in roll_up
    assert_printed(roll_up, HOME, AMP, f"Override {MARKUP}", f"Measure {AMP}")


def test_inspection_pack(hostile: tuple[Database, DataLocation, dict[str, int]]) -> None:
    db, location, ids = hostile
    text = make(db, location, DocumentRequest(INSPECTION, service_id=ids["home"]))
    assert_printed(
        text,
        HOME,
        MARKUP,
        f"Finding {MARKUP}",
        ESSAY,
        LONG,
        f"Evidence {MARKUP}",
        "Zoë & Łukasz's MAR scan.txt",
        f"Review {ESSAY}",
        "Nguyễn Thị Lan",
        "Łukasz Nowak",
        f"Step {AMP}",
    )


def test_commissioner_pack(hostile: tuple[Database, DataLocation, dict[str, int]]) -> None:
    db, location, ids = hostile
    period = date_range(TODAY - timedelta(weeks=12), TODAY)
    text = make(db, location, DocumentRequest(COMMISSIONER, service_id=ids["home"], period=period))
    assert_printed(
        text, HOME, f"Action {MARKUP}", f"Learning {MARKUP}", f"Review {ESSAY}", "Room <1> &"
    )


def test_action_plan(hostile: tuple[Database, DataLocation, dict[str, int]]) -> None:
    db, location, ids = hostile
    text = make(db, location, DocumentRequest(ACTION_PLAN, plan_id=ids["plan"]))
    assert_printed(
        text,
        f"CQC inspection {AMP}",
        ESSAY,
        f"Finding {MARKUP}",
        f"Step {AMP}",
        LONG,
        f"Override {MARKUP}",
        "Łukasz Nowak",
    )


def test_minutes(hostile: tuple[Database, DataLocation, dict[str, int]]) -> None:
    db, location, ids = hostile
    text = make(db, location, DocumentRequest(MINUTES, meeting_id=ids["meeting"]))
    assert_printed(
        text,
        HOME,
        f"Item {MARKUP}",
        ESSAY,
        LONG,
        AMP,
        MARKUP,
        f"Correction {MARKUP}",
        "Nguyễn Thị Lan (Medicines lead)",
    )


def test_every_blank_form(hostile: tuple[Database, DataLocation, dict[str, int]]) -> None:
    db, location, ids = hostile
    with db.reading() as s:
        names = [f.name for f in form_catalogue(s)]
    for name in names:
        text = make(db, location, DocumentRequest(FORM, form=name, service_id=ids["home"]))
        assert flat(HOME) in text
    falls = make(db, location, DocumentRequest(FORM, form="falls-audit", service_id=ids["home"]))
    assert flat(f"Section {AMP}") in falls
    assert flat(f"Question {MARKUP} {LONG}") in falls


def test_an_empty_home_says_so_and_several_homes_need_choosing(
    hostile: tuple[Database, DataLocation, dict[str, int]],
) -> None:
    db, location, _ids = hostile
    with db.reading() as s:
        with pytest.raises(ValidationError, match="2 care homes"):
            find_home(s, None)
        empty = find_home(s, "ashby house & annexe")
    text = make(
        db, location, DocumentRequest(MONTHLY, service_id=empty.id, period=month_period("2026-11"))
    )
    assert_printed(
        text,
        "There are no actions on any plan yet.",
        "No measures have been set for this home's actions yet.",
        "No incidents were recorded in November 2026.",
    )
    pack = make(db, location, DocumentRequest(INSPECTION, service_id=empty.id))
    assert_printed(pack, "No findings under Safe in the current plans.", "No files are attached")
