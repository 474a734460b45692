"""Blank forms: every form prints, with the same questions and prompts as the app, and editing
an audit template changes its printout."""

from __future__ import annotations

import copy
import io
import json
import re
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from cqc_desktop.config import RESOURCES
from cqc_desktop.models import AuditTemplate
from cqc_desktop.models.enums import CqcNotification, IncidentType, Severity
from cqc_desktop.reports.catalogue import FORM, DocumentRequest, generate
from cqc_desktop.services.errors import NotFound
from cqc_desktop.services.governance import audits
from cqc_desktop.services.reporting.forms import find_form, form_catalogue
from cqc_desktop.services.setup import people

TODAY = date(2026, 11, 26)


def text_of(pdf: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(p.extract_text() for p in reader.pages).replace("\u00a0", " "), len(
        reader.pages
    )


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def form_text(session: Session, name: str, service_id: int | None = None) -> tuple[str, int]:
    pdf = generate(session, DocumentRequest(FORM, form=name, service_id=service_id), today=TODAY)
    return text_of(pdf)


def test_every_form_prints_on_an_empty_database(session: Session) -> None:
    forms = form_catalogue(session)
    names = [f.name for f in forms]
    # Audit forms come from the shipped templates even before they are installed.
    for expected in (
        "observation-medicines-round",
        "observation-all",
        "medication-audit",
        "care-record-audit",
        "infection-control-audit",
        "falls-audit",
        "incident-review",
        "handover-learning",
    ):
        assert expected in names
    for form in forms:
        text, pages = form_text(session, form.name)
        assert pages >= 1
        assert "Care home: ____________" in text  # no home to print, so a line to write it on
        assert "Date" in text


def test_observation_form_has_the_areas_prompts_and_the_home(session: Session) -> None:
    home = people.create_service(session, "Willow Court Care Home")
    raw = json.loads((RESOURCES / "observation_areas.json").read_text(encoding="utf-8"))
    area = next(a for a in raw["areas"] if a["name"] == "Moving and handling")
    text, pages = form_text(session, "observation-moving-and-handling", home.id)
    assert pages == 1  # one sheet to carry on the floor
    assert "Willow Court Care Home" in text
    for prompt in area["prompts"]:
        assert flat(prompt) in flat(text)
    for word in ("Met", "Partly met", "Not met", "Observer", "Staff member", "Date"):
        assert word in text
    _all, pages = form_text(session, "observation-all", home.id)
    assert pages == len(raw["areas"])


def test_audit_form_follows_the_template_and_its_edits(session: Session) -> None:
    audits.install_builtin_audit_templates(session)
    template = session.scalar(
        select(AuditTemplate).where(
            AuditTemplate.key == "infection_control_audit", AuditTemplate.current.is_(True)
        )
    )
    assert template is not None
    text, _ = form_text(session, "infection-control-audit")
    for section in template.definition["sections"]:
        assert flat(section["title"]) in flat(text)
        for question in section["questions"]:
            assert flat(question["text"]) in flat(text)
    assert f"Form version {template.version}" in text
    edited = copy.deepcopy(template.definition)
    edited["sections"][0]["questions"].append(
        {
            "key": "sharps_signed_dated",
            "text": "Sharps bins are signed, dated and less than ¾ full.",
        }
    )
    new = audits.new_template_version(session, template.id, edited)
    text, _ = form_text(session, "infection-control-audit")
    assert flat("Sharps bins are signed, dated and less than ¾ full.") in flat(text)
    assert f"Form version {new.version}" in text


def test_sampled_audits_print_a_record_by_record_grid(session: Session) -> None:
    text, _ = form_text(session, "care-record-audit")
    assert "Monthly care record audit: record-by-record grid" in text
    assert "Rec." in text and "10" in text
    assert flat("Records sampled") in flat(text)
    assert "Exceptions and actions" in text and "Person informed" in text


def test_incident_and_handover_forms_list_the_apps_choices(session: Session) -> None:
    text, _ = form_text(session, "incident-review")
    for choice in (*IncidentType, *Severity, *CqcNotification):
        assert flat(choice.value) in flat(text)
    for phrase in (
        "Same-day management review",
        "Safeguarding referral",
        "Family / representative informed",
        "Learning point",
        "within 7 days",
    ):
        assert flat(phrase) in flat(text)  # labels wrap in their column
    handover, pages = form_text(session, "handover-learning")
    assert pages == 1
    for phrase in ("Learning point shared", "Staff present", "Signature", "Understanding checked"):
        assert flat(phrase) in flat(handover)


def test_unknown_form_lists_the_valid_names(session: Session) -> None:
    with pytest.raises(NotFound) as error:
        find_form(session, "fire-drill")
    message = str(error.value)
    assert "no form called 'fire-drill'" in message
    assert "medication-audit" in message and "handover-learning" in message


LONG_HOME = (
    "The Sir Bartholomew and Lady Henrietta Fothergill-Wainwright Memorial Residential and "
    "Nursing Home, Upper Slaughter (GL)"
)


def _overlaps(words: list[dict[str, float]]) -> list[tuple[str, str]]:
    """Pairs of words whose boxes overlap: text printed over other text."""
    found = []
    ordered = sorted(words, key=lambda w: w["top"])
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if b["top"] >= a["bottom"] - 0.5:
                break
            x = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
            y = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
            if x > 0.5 and y > 0.5:
                found.append((str(a["text"]), str(b["text"])))
    return found


@pytest.mark.parametrize("length", [61, 120])
def test_a_long_home_name_never_overprints_or_leaves_the_page(
    session: Session, length: int
) -> None:
    import pdfplumber

    name = LONG_HOME[:length].strip()
    assert len(LONG_HOME) == 120
    home = people.create_service(session, name)
    for form in form_catalogue(session):
        pdf = generate(
            session, DocumentRequest(FORM, form=form.name, service_id=home.id), today=TODAY
        )
        with pdfplumber.open(io.BytesIO(pdf)) as doc:
            text = ""
            for number, page in enumerate(doc.pages, start=1):
                words = page.extract_words()
                where = f"{form.name} page {number}"
                assert _overlaps(words) == [], where
                for ch in page.chars:
                    assert ch["x0"] >= 0 and ch["x1"] <= page.width, where
                    assert ch["top"] >= 0 and ch["bottom"] <= page.height, where
                text += page.extract_text() or ""
        # Printed in full, not cut off (its lines may sit either side of the "Home" label).
        words = iter(text.split())
        assert all(w in words for w in name.split()), form.name


def test_the_audit_grid_repeats_its_room_row_on_every_page(session: Session) -> None:
    forms = [f for f in form_catalogue(session) if f.kind == "audit" and f.record_sample]
    assert forms
    longest = 0
    for form in forms:
        pdf = generate(session, DocumentRequest(FORM, form=form.name), today=TODAY)
        texts = [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]
        grid_pages = [t for t in texts if "Rec." in t]
        assert grid_pages, form.name
        for page_text in grid_pages:
            assert "Room / initials" in page_text, form.name
        longest = max(longest, len(grid_pages))
    assert longest > 1  # at least one grid runs onto a second page
