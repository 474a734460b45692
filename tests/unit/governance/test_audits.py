"""Audit templates, scored runs, comparison, schedules, trends and actions raised from a "No"."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from cqc_desktop.models import (
    Action,
    AuditAnswer,
    AuditRun,
    AuditTemplate,
    Base,
    Finding,
    Person,
    Plan,
    Service,
)
from cqc_desktop.models.enums import Role
from cqc_desktop.services.errors import NotAllowed, ValidationError
from cqc_desktop.services.governance.audit_actions import (
    link_run_as_evidence,
    raise_action_from_answer,
    suggest_action,
)
from cqc_desktop.services.governance.audit_runs import (
    compare_with_previous,
    previous_run,
    record_audit_run,
)
from cqc_desktop.services.governance.audit_schedule import (
    add_months,
    audit_plan,
    due_audits,
    last_runs,
    last_scores,
    latest_runs,
    next_due,
    schedule_overview,
    schedules_for,
    score_trend,
    set_audit_schedule,
    stable_hint,
)
from cqc_desktop.services.governance.audits import (
    ScoreResult,
    SectionScore,
    check_definition,
    install_builtin_audit_templates,
    load_audit_definitions,
    new_template_version,
    percent_text,
    score_answers,
)
from cqc_desktop.services.governance.listing import AuditRunFilter, audit_run_page
from cqc_desktop.services.plans.plans import FindingInput, PlanInput, create_finding, create_plan
from cqc_desktop.services.trust.permissions import SESSION_KEY, Actor

TODAY = date(2026, 11, 26)
KEYS = ["q1", "q2", "q3", "q4", "q5"]
TWO_SECTIONS: dict[str, Any] = {
    "sections": [
        {
            "title": "Records",
            "questions": [
                {"key": "q1", "text": "MAR signed"},
                {"key": "q2", "text": "Allergies recorded"},
                {"key": "q3", "text": "Photo present (every chart)"},
            ],
        },
        {
            "title": "Covert",
            "questions": [
                {"key": "q4", "text": "Best interests decision"},
                {"key": "q5", "text": "Pharmacist advice"},
            ],
        },
    ],
    "record_sample": False,
    "risk_area": "Medicines",
    "key_question": "Safe",
}


@pytest.fixture
def session() -> Iterator[Session]:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        service = Service(name="Oak Lodge")
        s.add(service)
        s.flush()
        s.add(Person(name="Sam Okafor", role="Registered manager", service_id=service.id))
        s.flush()
        yield s


@pytest.fixture
def service(session: Session) -> Service:
    return session.scalars(select(Service)).one()


@pytest.fixture
def manager(session: Session) -> Person:
    return session.scalars(select(Person)).one()


@pytest.fixture
def template(session: Session) -> AuditTemplate:
    t = AuditTemplate(
        key="mini",
        name="Mini audit",
        version=1,
        current=True,
        definition=check_definition(TWO_SECTIONS),
        schedule="weekly",
    )
    session.add(t)
    session.flush()
    return t


def _errors(call: Any, *args: Any, **kwargs: Any) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    return caught.value.errors


def _run(
    session: Session,
    template: AuditTemplate,
    on: date,
    answers: dict[str, str],
    service_id: int = 1,
) -> AuditRun:
    return record_audit_run(session, template.id, service_id, on, 1, answers)


# --- templates ----------------------------------------------------------------------------------


def test_shipped_audits_are_valid() -> None:
    definitions = {d["key"]: d for d in load_audit_definitions()}
    assert set(definitions) == {
        "medication_audit",
        "care_record_audit",
        "infection_control_audit",
        "falls_audit",
    }
    for definition in definitions.values():
        clean = check_definition(definition)
        assert definition["version"] == 1 and definition["schedule"] in ("weekly", "monthly")
        assert clean["risk_area"] == definition["risk_area"]
    medication = definitions["medication_audit"]
    assert [s["title"] for s in medication["sections"]] == [
        "MAR completeness",
        "Administration times",
        "PRN records",
        "Controlled drugs",
        "Stock and storage",
        "Covert and when-required protocols",
        "Signatures",
    ]
    assert medication["schedule"] == "weekly" and medication["risk_area"] == "Medicines"
    care = definitions["care_record_audit"]
    assert care["schedule"] == "monthly" and care["record_sample"] is True
    keys = {q["key"] for s in care["sections"] for q in s["questions"]}
    assert {
        "review_in_date",
        "risks_current",
        "preferences_recorded",
        "guidance_matches_practice",
        "daily_notes_specific",
        "consent_recorded",
    } <= keys


def test_install_is_idempotent_by_key_and_version(session: Session) -> None:
    first = install_builtin_audit_templates(session)
    second = install_builtin_audit_templates(session)
    assert len(first) == 4 and [t.id for t in first] == [t.id for t in second]
    assert session.scalar(select(func.count()).select_from(AuditTemplate)) == 4
    assert all(t.current for t in first)


def test_new_version_keeps_old_runs_template_and_question_keys(
    session: Session, service: Service, template: AuditTemplate
) -> None:
    run = _run(session, template, date(2026, 11, 1), dict.fromkeys(KEYS, "y"))
    edited = {
        **TWO_SECTIONS,
        "name": "Mini audit v2",
        "sections": [
            {
                "title": "Records",
                "questions": [
                    {"key": "q1", "text": "MAR signed at the time of each dose"},
                    {"key": "", "text": "Fridge temperature recorded today"},
                ],
            }
        ],
    }
    v2 = new_template_version(session, template.id, edited)
    assert (v2.version, v2.current, template.current) == (2, True, False)
    assert v2.key == "mini" and v2.name == "Mini audit v2" and v2.schedule == "weekly"
    assert [q["key"] for q in v2.definition["sections"][0]["questions"]] == [
        "q1",
        "fridge_temperature_recorded_today",
    ]
    session.expire_all()
    assert run.template.version == 1 and len(run.template.definition["sections"]) == 2
    install_builtin_audit_templates(session)
    assert session.get(AuditTemplate, v2.id) is not None


def test_invalid_definition_is_rejected(session: Session, template: AuditTemplate) -> None:
    errors = _errors(
        new_template_version,
        session,
        template.id,
        {
            "sections": [
                {"title": "", "questions": [{"key": "a", "text": "A"}, {"key": "a", "text": "B"}]},
                {"title": "Empty", "questions": []},
                {"title": "Blank", "questions": [{"key": "c", "text": "  "}]},
            ],
            "risk_area": "Gardening",
        },
    )
    assert errors == {
        "sections.1": "Section 1 needs a title.",
        "sections.1.2": "The question key 'a' is used twice.",
        "sections.2": "Empty needs at least one question.",
        "sections.3.1": "Blank, question 1 needs wording.",
        "risk_area": errors["risk_area"],
    }
    assert errors["risk_area"].startswith("Choose a risk area from the list (Medicines,")


def test_staff_cannot_edit_a_template(session: Session, template: AuditTemplate) -> None:
    session.info[SESSION_KEY] = Actor(1, "jo", Role.STAFF)
    with pytest.raises(NotAllowed):
        new_template_version(session, template.id, TWO_SECTIONS)
    # ... but records audits: that is floor work.
    run = _run(session, template, date(2026, 11, 1), dict.fromkeys(KEYS, "y"))
    assert run.score_percent == 100.0
    session.info[SESSION_KEY] = Actor(2, "visitor", Role.VIEWER)
    with pytest.raises(NotAllowed):
        _run(session, template, date(2026, 11, 2), dict.fromkeys(KEYS, "y"))


# --- scoring ------------------------------------------------------------------------------------


def test_score_excludes_na() -> None:
    # Records: Yes, Yes, No → 2/3; Covert: Yes, N/A → 1/1. Overall 3 Yes, 1 No → 75 %.
    result = score_answers(
        TWO_SECTIONS, {"q1": "Yes", "q2": "Yes", "q3": "No", "q4": "Yes", "q5": "N/A"}
    )
    records, covert = result.sections
    assert (records.title, records.yes, records.no, records.na) == ("Records", 2, 1, 0)
    assert records.percent == pytest.approx(200 / 3)
    assert covert == SectionScore("Covert", 1, 0, 1, 100.0)
    assert (result.yes, result.no, result.na, result.percent) == (3, 1, 1, 75.0)
    assert isinstance(result, ScoreResult)
    assert percent_text(records.percent) == "66.7 %" and percent_text(75.0) == "75 %"


def test_all_na_section_scores_none() -> None:
    result = score_answers(TWO_SECTIONS, {"q1": "y", "q2": "n", "q3": "a", "q4": "na", "q5": "n/a"})
    assert result.sections[0].percent == 50.0
    assert result.sections[1].percent is None and result.sections[1].na == 2
    assert result.percent == 50.0
    all_na = score_answers(TWO_SECTIONS, dict.fromkeys(KEYS, "N/A"))
    assert all_na.percent is None and percent_text(all_na.percent) == "n/a"


# --- runs ---------------------------------------------------------------------------------------


def test_keyboard_answers_are_stored_in_full(
    session: Session, service: Service, manager: Person, template: AuditTemplate
) -> None:
    run = record_audit_run(
        session,
        template.id,
        service.id,
        date(2026, 11, 1),
        manager.id,
        {"q1": "y", "q2": "Y", "q3": "n", "q4": "YES", "q5": "a"},
        comments={"q3": "  Photo missing for Rm 4 "},
        evidence_notes={"q1": "MARs for rooms 1–10"},
        notes="Evening MARs",
    )
    assert [(a.section, a.question_key, a.answer) for a in run.answers] == [
        ("Records", "q1", "Yes"),
        ("Records", "q2", "Yes"),
        ("Records", "q3", "No"),
        ("Covert", "q4", "Yes"),
        ("Covert", "q5", "N/A"),
    ]
    assert run.answers[2].comment == "Photo missing for Rm 4"
    assert run.answers[0].evidence_note == "MARs for rooms 1–10"
    assert run.score_percent == 75.0


def test_incomplete_run_is_rejected(
    session: Session, service: Service, template: AuditTemplate
) -> None:
    errors = _errors(
        record_audit_run,
        session,
        template.id,
        service.id,
        date(2026, 11, 30),
        None,
        {"q1": "y", "q2": "maybe", "q4": "", "zz": "y"},
        today=TODAY,
    )
    assert errors == {
        "auditor_id": "Choose who carried out the audit from the staff list.",
        "run_on": "An audit cannot be dated in the future.",
        "zz": "'zz' is not a question on version 1 of this audit.",
        "q2": "Records, question 2: 'maybe' is not an answer: use Yes, No or N/A "
        "(Y, N or A on the keyboard).",
        "q3": "Records, question 3 needs an answer: Yes, No or N/A.",
        "q4": "Covert, question 1 needs an answer: Yes, No or N/A.",
        "q5": "Covert, question 2 needs an answer: Yes, No or N/A.",
    }
    assert session.scalar(select(func.count()).select_from(AuditRun)) == 0


def test_sampled_audit_needs_sample_size(
    session: Session, service: Service, manager: Person
) -> None:
    care = next(t for t in install_builtin_audit_templates(session) if t.key == "care_record_audit")
    keys = [q["key"] for s in care.definition["sections"] for q in s["questions"]]
    errors = _errors(
        record_audit_run,
        session,
        care.id,
        service.id,
        date(2026, 11, 30),
        manager.id,
        dict.fromkeys(keys, "y"),
    )
    assert errors == {"sample_size": "Enter how many records were sampled."}
    run = record_audit_run(
        session,
        care.id,
        service.id,
        date(2026, 11, 30),
        manager.id,
        dict.fromkeys(keys, "y"),
        sample_size=10,
    )
    assert run.score_percent == 100.0 and run.sample_size == 10


def test_previous_run_and_comparison_span_versions_and_ignore_other_homes(
    session: Session, service: Service, template: AuditTemplate
) -> None:
    first = _run(session, template, date(2026, 10, 1), {**dict.fromkeys(KEYS, "y"), "q2": "n"})
    v2 = new_template_version(session, template.id, TWO_SECTIONS)
    other = Service(name="Elm House")
    session.add(other)
    session.flush()
    _run(session, v2, date(2026, 10, 15), dict.fromkeys(KEYS, "n"), other.id)
    latest = _run(
        session, v2, date(2026, 11, 1), {"q1": "n", "q2": "y", "q3": "y", "q4": "a", "q5": "a"}
    )
    assert previous_run(session, latest) is first
    assert previous_run(session, first) is None
    comparison = compare_with_previous(session, latest)
    # Before: Records 2/3, Covert 2/2 → 4/5 = 80 %. Now: Records 2/3, Covert all N/A → 66.7 %.
    assert comparison.before == 80.0 and comparison.now == pytest.approx(200 / 3)
    assert [(s.title, s.now, s.before) for s in comparison.sections] == [
        ("Records", pytest.approx(200 / 3), pytest.approx(200 / 3)),
        ("Covert", None, 100.0),
    ]
    assert comparison.newly_failed == ("MAR signed",)
    assert comparison.put_right == ("Allergies recorded",)
    assert comparison.summary() == "Last run 01/10/2026: 80 % (down 13.3 points)."
    assert compare_with_previous(session, first).summary() == (
        "First run of this audit at this home."
    )


# --- schedule, due list and trend ---------------------------------------------------------------


def test_next_due_weekly_monthly_and_never_run() -> None:
    assert next_due(date(2026, 11, 18), "weekly", TODAY) == date(2026, 11, 25)
    assert next_due(date(2026, 1, 31), "monthly", TODAY) == date(2026, 2, 28)
    assert next_due(None, "monthly", TODAY) == TODAY
    assert next_due(date(2026, 11, 1), "off", TODAY) is None
    assert add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)


def test_due_audits_follow_each_homes_schedule(
    session: Session, service: Service, template: AuditTemplate
) -> None:
    _run(session, template, date(2026, 11, 18), dict.fromkeys(KEYS, "y"))
    (due,) = due_audits(session, TODAY, service.id)
    assert (due.name, due.frequency_label, due.due_on, due.days_overdue) == (
        "Mini audit",
        "Weekly (during recovery)",
        date(2026, 11, 25),
        1,
    )
    set_audit_schedule(session, service.id, "mini", "monthly")
    assert schedules_for(session, service.id) == {"mini": "monthly"}
    assert due_audits(session, TODAY, service.id) == []  # due 18/12, beyond the week ahead
    (planned,) = audit_plan(session, TODAY, service.id)
    assert planned.due_on == date(2026, 12, 18)
    set_audit_schedule(session, service.id, "mini", "off")
    assert audit_plan(session, TODAY) == []
    errors = _errors(set_audit_schedule, session, service.id, "mini", "daily")
    assert errors == {"frequency": "Choose weekly, monthly or not scheduled."}


def test_trend_runs_across_versions_for_one_home(
    session: Session, service: Service, template: AuditTemplate
) -> None:
    _run(session, template, date(2026, 10, 1), {**dict.fromkeys(KEYS, "y"), "q1": "n"})
    v2 = new_template_version(session, template.id, TWO_SECTIONS)
    _run(session, v2, date(2026, 10, 8), dict.fromkeys(KEYS, "y"))
    _run(session, v2, date(2026, 10, 15), dict.fromkeys(KEYS, "y"))
    _run(session, v2, date(2026, 10, 22), dict.fromkeys(KEYS, "y"))
    trend = score_trend(session, "mini", service.id)
    assert [(p.run_on.day, p.percent, p.version) for p in trend] == [
        (1, 80.0, 1),
        (8, 100.0, 2),
        (15, 100.0, 2),
        (22, 100.0, 2),
    ]
    assert stable_hint(trend, "weekly").startswith("The last three runs scored 95 % or more")
    assert stable_hint(trend[:3], "weekly") == ""


def test_last_runs_and_scores_take_the_newest_run_across_versions_and_homes(
    session: Session, service: Service, template: AuditTemplate
) -> None:
    other = Service(name="Elm House")
    session.add(other)
    session.flush()
    _run(session, template, date(2026, 10, 1), dict.fromkeys(KEYS, "n"))
    v2 = new_template_version(session, template.id, TWO_SECTIONS)
    # Two runs on the same day at Oak Lodge: the one recorded last is the latest.
    _run(session, v2, date(2026, 11, 2), {**dict.fromkeys(KEYS, "y"), "q1": "n"})
    _run(session, v2, date(2026, 11, 2), dict.fromkeys(KEYS, "y"))
    _run(session, template, date(2026, 10, 20), dict.fromkeys(KEYS, "n"), other.id)
    assert last_runs(session) == {
        (service.id, "mini"): date(2026, 11, 2),
        (other.id, "mini"): date(2026, 10, 20),
    }
    assert last_runs(session, other.id) == {(other.id, "mini"): date(2026, 10, 20)}
    assert last_scores(session) == {"mini": 100.0}
    assert last_scores(session, other.id) == {"mini": 0.0}
    # Read once and shared, as the audits tab does, the answers are the same.
    latest = latest_runs(session, service.id)
    assert last_scores(session, service.id, latest=latest) == {"mini": 100.0}
    assert audit_plan(session, TODAY, service.id, last=last_runs(session, latest=latest)) == (
        audit_plan(session, TODAY, service.id)
    )
    assert last_scores(session, 999) == {} and last_runs(session, 999) == {}


def test_schedule_overview_reads_the_same_figures_once(
    session: Session, service: Service, template: AuditTemplate
) -> None:
    other = Service(name="Elm House")
    session.add(other)
    session.flush()
    _run(session, template, date(2026, 11, 18), dict.fromkeys(KEYS, "y"))
    _run(session, template, date(2026, 11, 2), dict.fromkeys(KEYS, "n"), other.id)
    set_audit_schedule(session, other.id, "mini", "monthly")
    for sid in (None, service.id, other.id):
        seen = schedule_overview(session, TODAY, sid)
        assert [t.key for t in seen.templates] == ["mini"]
        assert seen.plan == audit_plan(session, TODAY, sid)
        assert seen.last == last_runs(session, sid)
        assert seen.scores == last_scores(session, sid)
        assert seen.frequencies == (schedules_for(session, sid) if sid is not None else {})
    assert schedule_overview(session, TODAY, other.id).frequencies == {"mini": "monthly"}


# --- actions and evidence from a run ------------------------------------------------------------


def _no_answer(run: AuditRun, key: str) -> AuditAnswer:
    return next(a for a in run.answers if a.question_key == key)


def test_raise_action_from_a_no_creates_finding_in_internal_audit_plan(
    session: Session, service: Service, template: AuditTemplate
) -> None:
    run = record_audit_run(
        session,
        template.id,
        service.id,
        date(2026, 11, 20),
        1,
        {**dict.fromkeys(KEYS, "y"), "q3": "n"},
        comments={"q3": "No photo for rooms 4 and 9"},
    )
    answer = _no_answer(run, "q3")
    with pytest.raises(NotAllowed, match="Only a question answered “No”"):
        suggest_action(session, _no_answer(run, "q1").id, TODAY)
    suggestion = suggest_action(session, answer.id, TODAY)
    data = suggestion.data
    assert (data.title, data.accountable_lead_id, data.due_date, data.finding_id) == (
        "Photo present",
        1,
        date(2026, 12, 10),
        None,
    )
    assert data.description == (
        "Raised from the Mini audit on 20/11/2026 (Records, question 3): Photo present "
        "(every chart)\nAuditor's comment: No photo for rooms 4 and 9"
    )
    assert (data.risk_area, data.key_question) == ("Medicines", "Safe")
    action = raise_action_from_answer(session, answer.id, data, today=TODAY)
    assert answer.action_id == action.id and action.title == "Photo present"
    finding = session.get_one(Finding, action.finding_id)
    assert finding.title == "Mini audit: Photo present (not met)"
    assert (finding.plan.title, finding.plan.origin) == ("Internal audits", "Internal audit")
    with pytest.raises(NotAllowed, match="already raised from this answer: IA-A1 Photo present"):
        raise_action_from_answer(session, answer.id, data, today=TODAY)
    # A second "No" goes to the same plan, and the form now offers the finding just made.
    run2 = _run(session, template, date(2026, 11, 25), {**dict.fromkeys(KEYS, "y"), "q1": "n"})
    second = suggest_action(session, _no_answer(run2, "q1").id, TODAY)
    assert second.data.finding_id == finding.id
    assert [c.finding_id for c in second.findings] == [finding.id]
    raise_action_from_answer(session, _no_answer(run2, "q1").id, second.data, today=TODAY)
    assert session.scalar(select(func.count()).select_from(Plan)) == 1
    assert session.scalar(select(func.count()).select_from(Action)) == 2


def test_raise_action_validates_both_finding_and_action(
    session: Session, service: Service, template: AuditTemplate
) -> None:
    run = _run(session, template, date(2026, 11, 20), {**dict.fromkeys(KEYS, "y"), "q3": "n"})
    data = suggest_action(session, _no_answer(run, "q3").id, TODAY).data
    data.likelihood = 9
    errors = _errors(raise_action_from_answer, session, _no_answer(run, "q3").id, data, today=TODAY)
    assert errors == {"finding.likelihood": "Likelihood must be a whole number from 1 to 5."}
    other = Service(name="Elm House")
    session.add(other)
    session.flush()
    plan = create_plan(session, PlanInput(other.id, "Elm audits", "Internal audit"))
    elsewhere = create_finding(session, plan.id, FindingInput("x", "Safe", "Medicines", 2, 2))
    data.likelihood, data.finding_id = 3, elsewhere.id
    errors = _errors(raise_action_from_answer, session, _no_answer(run, "q3").id, data, today=TODAY)
    assert errors == {"finding_id": "Choose a finding at this care home."}
    data.finding_id, data.accountable_lead_id = None, None
    errors = _errors(raise_action_from_answer, session, _no_answer(run, "q3").id, data, today=TODAY)
    assert set(errors) == {"accountable_lead"}
    assert _no_answer(run, "q3").action_id is None


def test_run_links_as_audit_evidence(
    session: Session, service: Service, template: AuditTemplate
) -> None:
    run = record_audit_run(
        session,
        template.id,
        service.id,
        date(2026, 11, 20),
        1,
        {**dict.fromkeys(KEYS, "y"), "q3": "n", "q5": "a"},
        sample_size=8,
    )
    action = raise_action_from_answer(
        session,
        _no_answer(run, "q3").id,
        suggest_action(session, _no_answer(run, "q3").id, TODAY).data,
        today=TODAY,
    )
    evidence = link_run_as_evidence(session, run.id, action.id, supports="Partly", today=TODAY)
    assert (evidence.source_type, evidence.audit_run_id, evidence.supports) == (
        "audit",
        run.id,
        "Partly",
    )
    assert evidence.title == "Mini audit 20/11/2026: 75 %"
    assert evidence.description == (
        "Mini audit (version 1) on 20/11/2026: 75 % overall (3 yes, 1 no, 1 N/A not scored). "
        "Sample of 8. Records 66.7 %; Covert 100 %."
    )
    assert run.action_id == action.id
    with pytest.raises(NotAllowed, match="already linked"):
        link_run_as_evidence(session, run.id, action.id, today=TODAY)


# --- the run list -------------------------------------------------------------------------------


def test_run_list_shows_previous_score_and_noes_and_pages(
    session: Session, service: Service, template: AuditTemplate
) -> None:
    for day, noes in ((1, ["q1", "q2"]), (8, ["q1"]), (15, [])):
        _run(session, template, date(2026, 10, day), {k: "n" if k in noes else "y" for k in KEYS})
    first = audit_run_page(session, AuditRunFilter(service_id=service.id), limit=2)
    assert [(r.run_on.day, r.score, r.previous, r.noes) for r in first.rows] == [
        (15, 100.0, 80.0, 0),
        (8, 80.0, 60.0, 1),
    ]
    assert first.more
    rest = audit_run_page(session, AuditRunFilter(service_id=service.id), after=first.last_key)
    assert [(r.run_on.day, r.previous) for r in rest.rows] == [(1, None)] and not rest.more
    by_score = audit_run_page(
        session, AuditRunFilter(template_key="mini"), sort="score", descending=False
    )
    assert [r.score for r in by_score.rows] == [60.0, 80.0, 100.0]
    assert audit_run_page(session, AuditRunFilter(text="no such")).rows == []
