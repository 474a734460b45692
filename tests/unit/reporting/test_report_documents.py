"""Every document made from the demo data, read back with pypdf: the figures agree with the
services, the override closure is flagged, and the evidence index matches the files on disk."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cqc_desktop.config import DataLocation
from cqc_desktop.db import Database
from cqc_desktop.formatting import uk_date
from cqc_desktop.models import (
    Action,
    ActionStep,
    Attachment,
    Finding,
    Incident,
    Measure,
    Meeting,
    Plan,
)
from cqc_desktop.models.enums import Origin
from cqc_desktop.reports.catalogue import (
    ACTION_PLAN,
    COMMISSIONER,
    INSPECTION,
    MINUTES,
    MONTHLY,
    PROVIDER,
    DocumentRequest,
    generate,
    refresh_alerts,
)
from cqc_desktop.services.demo.loader import seed_demo
from cqc_desktop.services.errors import NotFound, ValidationError
from cqc_desktop.services.plans import dashboard
from cqc_desktop.services.plans.evidence import sha256_of
from cqc_desktop.services.plans.measure_data import measure_progress
from cqc_desktop.services.plans.measure_reading import measure_reading
from cqc_desktop.services.plans.spc import spc_rules
from cqc_desktop.services.records.incidents import learning_within_days
from cqc_desktop.services.reporting.common import ActionLine, action_lines, date_range, month_period

TODAY = date(2026, 11, 26)
NOVEMBER = month_period("2026-11")


@pytest.fixture(scope="module")
def demo(
    make_shared_location: Callable[..., DataLocation],
) -> Iterator[tuple[Database, DataLocation]]:
    location = make_shared_location("reports")
    database = Database(location)
    with database.unit_of_work() as session:
        seed_demo(session, TODAY, location.attachments_dir)
    yield database, location
    database.dispose()


@pytest.fixture
def s(demo: tuple[Database, DataLocation]) -> Iterator[Session]:
    with demo[0].reading() as session:
        yield session


def text_of(pdf: bytes) -> str:
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]
    return "\n".join(pages).replace("\u00a0", " ")


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def make(s: Session, location: DataLocation, request: DocumentRequest) -> str:
    pdf = generate(s, request, today=TODAY, attachments_dir=location.attachments_dir)
    assert pdf.startswith(b"%PDF")
    return text_of(pdf)


def home_id(s: Session) -> int:
    return s.scalars(select(Plan.service_id)).first()  # type: ignore[return-value]


def measure(s: Session, name_start: str) -> Measure:
    found = s.scalar(select(Measure).where(Measure.name.like(f"{name_start}%")))
    assert found is not None
    return found


def test_monthly_report_figures_match_the_services(
    s: Session, demo: tuple[Database, DataLocation]
) -> None:
    text = make(s, demo[1], DocumentRequest(MONTHLY, service_id=home_id(s), period=NOVEMBER))
    # Late medicines: the reduction on the baseline, as services/measures works it out.
    medicines = measure(s, "Late medicines")
    med = measure_progress(medicines)
    assert med.change_percent is not None and med.change_percent < -80
    assert flat(f"{abs(med.change_percent):.1f} % below the baseline of 15") in flat(text)
    # The plain-English reading under the chart, from the same analysis the app shows.
    reading = measure_reading(medicines, NOVEMBER.end, spc_rules(s))
    assert flat(reading.sentence) in flat(text)
    # Before the change 15, 13, 16, 14, 14, 12 (mean 14); after it ten weeks averaging 1.2.
    assert reading.sentence.startswith(
        "Late medicines entries per week fell from about 14 to about 1.2 after the change on"
    )
    # Care plans: the latest percentage reviewed and checked.
    care = measure_progress(measure(s, "% high-risk care plans"))
    assert care.latest is not None
    assert f"Latest {care.latest:g} %" in text
    # Incidents: the 7-day learning rate for November, by incidents.learning_within_days.
    start = datetime.combine(NOVEMBER.start, time.min)
    end = datetime.combine(NOVEMBER.end + timedelta(days=1), time.min)
    incidents = s.scalars(
        select(Incident).where(Incident.occurred_at >= start, Incident.occurred_at < end)
    ).all()
    ok = sum(1 for i in incidents if learning_within_days(i))
    assert incidents
    assert f"{ok} of {len(incidents)} ({ok / len(incidents) * 100:.1f} %)" in text
    # Summary tiles agree with the dashboard.
    summary = dashboard.snapshot(s, TODAY, home_id(s)).summary
    assert f"{summary.open_actions}Openactions" in flat(text)
    overdue = dashboard.overdue_reviews(s, TODAY, home_id(s))
    assert overdue and f"{len(overdue)}Overduereviews" in flat(text)
    assert overdue[0].title in text


def test_monthly_report_flags_the_override_closure(
    s: Session, demo: tuple[Database, DataLocation]
) -> None:
    text = make(s, demo[1], DocumentRequest(MONTHLY, service_id=home_id(s), period=NOVEMBER))
    assert "⚑ Closed without full evidence (1)" in text
    assert flat(
        "Display the CQC rating in reception and on the website — closed 22/09/2026"
    ) in flat(text)
    # In the action register too, under the action itself.
    assert flat(
        "Display the CQC rating in reception and on the website ⚑ Closed without full evidence (closed 22/09/2026)"
    ) in flat(text)


def test_monthly_report_says_plainly_when_a_month_has_no_data(
    s: Session, demo: tuple[Database, DataLocation]
) -> None:
    text = make(
        s, demo[1], DocumentRequest(MONTHLY, service_id=home_id(s), period=month_period("2026-01"))
    )
    for phrase in (
        "No incidents were recorded in January 2026.",
        "No practice observations were recorded in January 2026.",
        "No audits had been carried out by the end of January 2026.",
        "No governance meetings were held in January 2026.",
        "No alerts were raised in January 2026.",
    ):
        assert phrase in text


def test_provider_roll_up_lists_every_home_and_the_flag(
    s: Session, demo: tuple[Database, DataLocation]
) -> None:
    text = make(s, demo[1], DocumentRequest(PROVIDER, period=NOVEMBER))
    assert "Provider quality roll-up" in text
    assert "Willow Court Care Home" in text
    assert "⚑ Closed without full evidence (1)" in text
    assert "Late medicines entries per week" in text


def test_inspection_pack_evidence_index_matches_the_files(
    s: Session, demo: tuple[Database, DataLocation]
) -> None:
    location = demo[1]
    text = make(s, location, DocumentRequest(INSPECTION, service_id=home_id(s)))
    attachments = s.scalars(select(Attachment)).all()
    assert attachments
    for attachment in attachments:
        on_disk = sha256_of(location.attachments_dir / attachment.stored_name)
        assert on_disk == attachment.sha256
        assert on_disk in flat(text)
        assert attachment.original_name in text
    assert f"{len(attachments)} files; {len(attachments)} matched" in text
    for heading in ("Contents", "Safe", "S8 Medicines optimisation", "Appendix: evidence index"):
        assert heading in text
    assert "Governance oversight" in text and "Measures and outcomes" in text
    assert "Closed without full evidence" in text


def test_inspection_pack_shows_a_file_that_was_altered(
    s: Session, demo: tuple[Database, DataLocation]
) -> None:
    location = demo[1]
    attachment = s.scalars(select(Attachment)).first()
    assert attachment is not None
    path: Path = location.attachments_dir / attachment.stored_name
    original = path.read_bytes()
    try:
        path.write_bytes(original + b"edited later\n")
        text = make(s, location, DocumentRequest(INSPECTION, service_id=home_id(s)))
    finally:
        path.write_bytes(original)
    assert flat("Does not match: the file has changed") in flat(text)
    total = len(s.scalars(select(Attachment)).all())
    cover = text.split("Contents")[0]
    assert flat(
        f"1 of {total} evidence files does not match the hash recorded when it was added "
        f"({attachment.original_name})"
    ) in flat(cover)
    assert flat(f"⚠ {attachment.original_name}: changed") in flat(text)  # on its evidence row


def test_commissioner_pack_links_safeguarding_and_flags_the_override(
    s: Session, demo: tuple[Database, DataLocation]
) -> None:
    period = date_range(date(2026, 9, 1), TODAY)
    text = make(s, demo[1], DocumentRequest(COMMISSIONER, service_id=home_id(s), period=period))
    referred = s.scalars(select(Incident).where(Incident.safeguarding_referral.is_(True))).all()
    assert referred
    for incident in referred:
        assert incident.reference in flat(text)
    for heading in (
        "Trend data",
        "Action updates",
        "Safeguarding and notifications",
        "Complaint themes",
        "Staffing-related actions",
        "Outcomes",
        "Where progress is partial, and why",
    ):
        assert heading in text
    assert "Bring staff supervision up to date" in text  # the staffing action
    assert "No findings were raised from complaints" in text
    assert "Closed without full evidence" in text


def test_action_plan_answers_the_five_questions_per_regulation(
    s: Session, demo: tuple[Database, DataLocation]
) -> None:
    plan = s.scalar(select(Plan).where(Plan.origin == Origin.CQC_INSPECTION.value))
    assert plan is not None and plan.report_date is not None
    text = make(s, demo[1], DocumentRequest(ACTION_PLAN, plan_id=plan.id))
    for heading in (
        "Regulation 9: Person-centred care",
        "Regulation 12: Safe care and treatment",
        "Regulation 17: Good governance",
        "Regulation 20A",
    ):
        assert heading in text
    for label in (
        "What is not being met",
        "What we will do",
        "Who is responsible",
        "By when",
        "How we will monitor it",
    ):
        assert flat(text).count(flat(label)) >= 4  # labels wrap in their narrow column
    assert f"To be sent to CQC by {uk_date(plan.report_date + timedelta(days=28))}" in text
    assert "Nguyễn Thị Lan" in text and "Łukasz Nowak" in text
    assert "Closed without full evidence" in text


def test_minutes_show_approval_or_draft(s: Session, demo: tuple[Database, DataLocation]) -> None:
    meetings = s.scalars(select(Meeting).order_by(Meeting.held_on)).all()
    approved = next(m for m in meetings if m.status == "Approved")
    draft = next(m for m in meetings if m.status == "Draft")
    text = make(s, demo[1], DocumentRequest(MINUTES, meeting_id=approved.id))
    assert f"Approved by Zoë Hart on {uk_date(approved.approved_on)}" in text
    for item in approved.items:
        assert flat(item.title) in flat(text)
    assert "Decisions and actions arising" in text
    draft_text = make(s, demo[1], DocumentRequest(MINUTES, meeting_id=draft.id))
    assert "Draft: not yet approved" in draft_text


def test_monthly_report_lists_the_alerts_the_triggers_raised(
    s: Session, demo: tuple[Database, DataLocation]
) -> None:
    request = DocumentRequest(MONTHLY, service_id=home_id(s), period=NOVEMBER)
    raised = refresh_alerts(demo[0], request, TODAY)
    assert raised > 0
    assert refresh_alerts(demo[0], request, TODAY) == 0  # each alert is raised once
    with demo[0].reading() as fresh:
        text = make(fresh, demo[1], request)
    assert "No alerts were raised in November 2026." not in text
    for kind in ("Review overdue", "Repeat incident"):
        assert kind in text
    assert flat("The review due on 22/11/2026 has not been recorded") in flat(text)


def test_missing_records_and_bad_months_are_explained(
    s: Session, demo: tuple[Database, DataLocation]
) -> None:
    with pytest.raises(NotFound, match="no plan with ID 999"):
        make(s, demo[1], DocumentRequest(ACTION_PLAN, plan_id=999))
    with pytest.raises(NotFound, match="no meeting with ID 999"):
        make(s, demo[1], DocumentRequest(MINUTES, meeting_id=999))
    with pytest.raises(ValidationError, match="YYYY-MM"):
        month_period("11/2026")
    with pytest.raises(ValidationError, match="before its start"):
        date_range(TODAY, date(2026, 1, 1))


REF = re.compile(r"(?<![\w-])([A-Z][A-Z0-9]{1,5}-[AF]\d+)\b")
BARE_REF = re.compile(r"(?<![\w-])[AF]\d+\b(?!-)")


def test_references_are_unique_in_every_document(
    s: Session, demo: tuple[Database, DataLocation]
) -> None:
    """Each plan's findings and actions carry its code: no two are "A1" or "F1" on paper."""
    refs = [a.reference for a in s.scalars(select(Action))] + [
        f.reference for f in s.scalars(select(Finding))
    ]
    assert len(refs) == len(set(refs))
    codes = {p.code for p in s.scalars(select(Plan))}
    assert len(codes) == s.scalar(select(func.count()).select_from(Plan)) >= 2
    for request in (
        DocumentRequest(MONTHLY, service_id=home_id(s), period=NOVEMBER),
        DocumentRequest(INSPECTION, service_id=home_id(s)),
    ):
        text = make(s, demo[1], request)
        assert BARE_REF.findall(text) == []
        printed = set(REF.findall(text))
        assert {r.split("-")[0] for r in printed} == codes
        assert printed <= set(refs)
    pack = make(s, demo[1], DocumentRequest(INSPECTION, service_id=home_id(s)))
    assert "EV-1" in pack and not re.search(r"(?<![\w-])E\d+\b(?! [A-Z][a-z])", pack)


def _by_when(line: ActionLine) -> str:
    if line.closed:
        return f"{line.reference}: completed on {uk_date(line.closed_on)}"
    if line.due_date < TODAY:
        late = (TODAY - line.due_date).days
        return f"{line.reference}: overdue: due {uk_date(line.due_date)}, {late} days late"
    return f"{line.reference}: due {uk_date(line.due_date)}"


def test_action_plan_wording_follows_origin_and_each_action(
    s: Session, demo: tuple[Database, DataLocation]
) -> None:
    seen_states = set()
    for plan in s.scalars(select(Plan)):
        text = make(s, demo[1], DocumentRequest(ACTION_PLAN, plan_id=plan.id))
        if plan.origin == Origin.CQC_INSPECTION.value:
            assert "CQC action plan" in text and "To be sent to CQC by" in text
        else:
            assert "To be sent to CQC" not in text and "CQC action plan" not in text
            assert flat("it is not sent to CQC") in flat(text)
        assert "completed by" not in text
        for line in action_lines(s, TODAY, plan_id=plan.id):
            assert flat(_by_when(line)) in flat(text)
            seen_states.add("closed" if line.closed else line.due_date < TODAY)
    assert seen_states == {"closed", True, False}  # closed, overdue and due all checked


def test_inspection_pack_flags_overdue_actions_and_steps(
    s: Session, demo: tuple[Database, DataLocation]
) -> None:
    text = flat(make(s, demo[1], DocumentRequest(INSPECTION, service_id=home_id(s))))
    late_actions = [
        a for a in action_lines(s, TODAY, service_ids=[home_id(s)]) if a.overdue_days(TODAY)
    ]
    assert late_actions
    for a in late_actions:
        assert (
            flat(f"Overdue: due {uk_date(a.due_date)}, {a.overdue_days(TODAY)} days late") in text
        )
    late_steps = s.scalars(
        select(ActionStep).where(ActionStep.done_on.is_(None), ActionStep.due_date < TODAY)
    ).all()
    assert late_steps
    for step in late_steps:
        assert step.due_date is not None
        assert flat(f"Not yet: {(TODAY - step.due_date).days} days overdue") in text
    assert flat("What will be done —") not in text


def test_commissioner_pack_says_what_happened_in_each_safeguarding_incident(
    s: Session, demo: tuple[Database, DataLocation]
) -> None:
    period = date_range(date(2026, 9, 1), TODAY)
    text = flat(
        make(s, demo[1], DocumentRequest(COMMISSIONER, service_id=home_id(s), period=period))
    )
    referred = s.scalars(select(Incident).where(Incident.safeguarding_referral.is_(True))).all()
    assert referred
    for incident in referred:
        assert incident.description and flat(incident.description) in text
        assert flat(f"Immediate action: {incident.immediate_action}") in text
        assert flat(incident.location) in text
        assert flat(f"Reported by {incident.reported_by}") in text


def test_monthly_report_prints_what_the_records_say(
    s: Session, demo: tuple[Database, DataLocation]
) -> None:
    from cqc_desktop.models import HandoverRecord, LogEntry

    text = flat(make(s, demo[1], DocumentRequest(MONTHLY, service_id=home_id(s), period=NOVEMBER)))
    assert flat("What the records say") in text
    start = datetime.combine(NOVEMBER.start, time.min)
    incidents = s.scalars(select(Incident).where(Incident.occurred_at >= start)).all()
    assert incidents
    for incident in incidents:
        assert flat(incident.description) in text
    handover = s.scalars(
        select(HandoverRecord)
        .where(HandoverRecord.handover_date >= NOVEMBER.start, HandoverRecord.learning_points != "")
        .order_by(HandoverRecord.handover_date.desc())
    ).first()
    assert handover is not None and flat(handover.learning_points) in text
    log = s.scalars(
        select(LogEntry)
        .where(LogEntry.entry_date.between(NOVEMBER.start, NOVEMBER.end))
        .order_by(LogEntry.entry_date.desc(), LogEntry.id.desc())
    ).first()
    assert log is not None and flat(log.text) in text


@pytest.mark.parametrize(
    ("kind", "made_by"),
    [
        (MONTHLY, "printed the monthly QA report"),
        (INSPECTION, "printed the inspection pack"),
        (COMMISSIONER, "printed the commissioner pack"),
    ],
)
def test_reports_print_the_audit_anchor_and_keep_it_beside_the_database(
    s: Session, demo: tuple[Database, DataLocation], kind: str, made_by: str
) -> None:
    from cqc_desktop.services.trust import anchors
    from cqc_desktop.services.trust.audit_history import trail_size

    location = demo[1]
    before = len(anchors.read_anchors(location))
    request = DocumentRequest(kind, service_id=home_id(s), period=NOVEMBER)
    pdf = generate(
        s, request, today=TODAY, attachments_dir=location.attachments_dir, location=location
    )
    kept = anchors.read_anchors(location)
    assert len(kept) == before + 1 and kept[-1].made_by == made_by
    entries = trail_size(s)
    assert kept[-1].entries == entries
    footer = f"Audit trail: {entries:,} entries, head {kept[-1].head[:4]}…{kept[-1].head[-4:]}"
    assert footer in text_of(pdf)
