"""What the reports do to stay quick on a large home, checked on the demo data read back with
pypdf: the monthly report charts the live measures and lists the settled ones with the same
figures, the inspection pack's contents points at the right pages after its single measuring
pass, short table cells print as plain strings (still literally), and a chart's marks."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime

import pytest
from pypdf import PdfReader
from reportlab.platypus import Paragraph
from sqlalchemy import delete, select

from cqc_desktop.config import DataLocation
from cqc_desktop.db import Database
from cqc_desktop.formatting import number
from cqc_desktop.models import Action, Measure, MeasurePoint, Plan
from cqc_desktop.models.enums import ActionStatus
from cqc_desktop.reports.catalogue import INSPECTION, MONTHLY, DocumentRequest, generate
from cqc_desktop.reports.charts import spc_chart, spc_marks
from cqc_desktop.reports.layout import PORTRAIT_WIDTH, DocumentInfo, build_pdf
from cqc_desktop.reports.styles import SPC_TARGET, style
from cqc_desktop.reports.tables import data_table, kv_table, plain_text
from cqc_desktop.services.demo.loader import seed_demo
from cqc_desktop.services.plans.closure import closure_gate, gate_settings
from cqc_desktop.services.reporting.common import action_lines, month_period, progress_gaps
from cqc_desktop.services.reporting.monthly import monthly_report

TODAY = date(2026, 11, 26)
NOVEMBER = month_period("2026-11")
TODAY_AT = datetime(2026, 11, 26, 9, 0)
CLOSED_ON = date(2026, 10, 20)
MARKUP = '<b>not bold</b> & <font color="red">x</font>'


@pytest.fixture(scope="module")
def demo(
    make_shared_location: Callable[..., DataLocation],
) -> Iterator[tuple[Database, DataLocation]]:
    """The demo, with the care-plans action closed in October and no point since."""
    location = make_shared_location("scale")
    database = Database(location)
    with database.unit_of_work() as session:
        seed_demo(session, TODAY, location.attachments_dir)
    with database.unit_of_work() as session:
        measure = session.scalar(select(Measure).where(Measure.name.like("% high-risk care%")))
        assert measure is not None
        action = session.get(Action, measure.action_id)
        assert action is not None
        action.status = ActionStatus.CLOSED.value
        action.closed_on = CLOSED_ON
        action.closure_rationale = "Sustained for eight weeks"
        session.execute(
            delete(MeasurePoint).where(
                MeasurePoint.measure_id == measure.id, MeasurePoint.period_start >= NOVEMBER.start
            )
        )
    yield database, location
    database.dispose()


def text_of(pdf: bytes) -> list[str]:
    return [
        (p.extract_text() or "").replace("\u00a0", " ") for p in PdfReader(io.BytesIO(pdf)).pages
    ]


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def home_id(db: Database) -> int:
    with db.reading() as s:
        found = s.scalars(select(Plan.service_id)).first()
    assert found is not None
    return found


def test_monthly_report_charts_live_measures_and_lists_settled_ones(
    demo: tuple[Database, DataLocation],
) -> None:
    db, location = demo
    with db.reading() as s:
        report = monthly_report(s, home_id(db), NOVEMBER, TODAY)
        pdf = generate(
            s,
            DocumentRequest(MONTHLY, service_id=home_id(db), period=NOVEMBER),
            today=TODAY,
            attachments_dir=location.attachments_dir,
        )
    settled = [m for m, _ in report.settled_measures]
    assert [m.name for m in settled] == [
        m.name for m in report.measures if m.name.startswith("% high-risk care")
    ]
    live = report.live_measures
    assert live and all(not m.name.startswith("% high-risk care") for m in live)
    assert len(live) + len(settled) == len(report.measures)  # nothing dropped
    text = "\n".join(text_of(pdf))
    care = settled[0]
    point = care.latest_point
    assert point is not None
    # Listed, with the figures the chart's reading would have given, and not charted.
    assert "Measures of actions closed before November 2026" in text
    row = flat(
        f"{care.name} ({care.action_reference}) 20/10/2026 {number(care.baseline)} % "
        f"{number(care.target)} % {number(point.value)} % ({point.period_start:%d/%m/%Y})"
    )
    assert row in flat(text)
    assert flat(care.progress_label) in flat(text)
    assert flat(f"Latest {number(point.value)} % (period starting") not in flat(text)
    # Each live measure still has its chart's reading.
    for m in live:
        assert m.latest_point is not None
        assert flat(f"{m.name} ({m.action_reference})") in flat(text)
        assert flat(m.reading.sentence) in flat(text)


def test_a_measure_closed_in_the_month_or_still_recorded_stays_charted(
    demo: tuple[Database, DataLocation],
) -> None:
    db, _ = demo
    with db.reading() as s:
        october = monthly_report(s, home_id(db), month_period("2026-10"), TODAY)
    # Closed on 20/10/2026: the October report charts it as the evidence the change held.
    assert not october.settled_measures
    assert any(m.name.startswith("% high-risk care") for m in october.live_measures)


def test_inspection_contents_points_at_the_pages_the_headings_are_on(
    demo: tuple[Database, DataLocation],
) -> None:
    db, location = demo
    with db.reading() as s:
        pdf = generate(
            s,
            DocumentRequest(INSPECTION, service_id=home_id(db)),
            today=TODAY,
            attachments_dir=location.attachments_dir,
        )
    pages = text_of(pdf)
    contents = pages[1].split("Contents", 1)[1]
    lines = [line.strip() for line in contents.splitlines() if line.strip()]
    numbers = [int(line.rsplit(" ", 1)[1]) for line in lines if line.startswith(".")]
    titles = [line for line in lines if not line.startswith(".") and "Page " not in line]
    titles = [t for t in titles if not t.startswith("Generated")]
    assert len(numbers) == len(titles) >= 5
    for title, page in zip(titles, numbers, strict=True):
        assert title in pages[page - 1], f"{title!r} is not on page {page}"
    # The PDF's bookmarks agree with the contents.
    reader = PdfReader(io.BytesIO(pdf))
    marks: dict[str, int] = {}

    def walk(items: list[object]) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                marks[item.title] = reader.get_destination_page_number(item) + 1  # type: ignore[attr-defined]

    walk(reader.outline)
    assert {t: p for t, p in zip(titles, numbers, strict=True)} == {
        t: p for t, p in marks.items() if t in titles
    }
    assert "Appendix: evidence index" in marks


def test_short_cells_are_plain_strings_and_still_print_literally() -> None:
    long_text = "A care note that is far too long for a narrow column " * 3
    table = data_table(
        ["Ref", "Note"],
        [[MARKUP, long_text], ["A\u00a0B", "Line one\nLine  two "]],
        [0.5, 0.5],
        total_width=440,
    )
    cells = table._cellvalues  # type: ignore[attr-defined]
    assert cells[1][0] == MARKUP  # fits: handed over as it is, no markup parsing
    assert isinstance(cells[1][1], Paragraph)  # needs wrapping
    assert cells[2][1] == "Line one\nLine two"  # spaces collapsed as a paragraph would
    assert plain_text("x" * 500, style("Cell"), 100) is None
    pdf = build_pdf(
        [table, kv_table([("Label", MARKUP)], total_width=300)],
        DocumentInfo("T", "Home", "Period", TODAY_AT),
    )
    text = "\n".join(text_of(pdf))
    assert text.count(MARKUP) == 2
    assert flat(long_text) in flat(text)


def test_chart_marks_follow_the_measure(demo: tuple[Database, DataLocation]) -> None:
    db, _ = demo
    with db.reading() as s:
        report = monthly_report(s, home_id(db), NOVEMBER, TODAY)
    m = report.live_measures[0]
    marks = spc_marks(m, PORTRAIT_WIDTH, 170)
    # One dot per point (then the legend's three), ordered left to right, higher values higher.
    dots = marks.dots[: len(m.points)]
    assert len(marks.dots) == len(m.points) + 3
    assert [d.x for d in dots] == sorted(d.x for d in dots)
    for i in range(len(dots) - 1):
        a, b = m.points[i].value, m.points[i + 1].value
        assert (a < b) == (dots[i].y < dots[i + 1].y) or a == b
    assert any(line.colour == SPC_TARGET for line in marks.lines)
    labels = [label.text for label in marks.labels]
    assert f"Target {number(m.target)}" in labels
    assert f"Baseline {number(m.baseline)}" in labels
    # The labels are real text in the PDF.
    pdf = build_pdf([spc_chart(m, PORTRAIT_WIDTH)], DocumentInfo("T", "H", "P", TODAY_AT))
    text = text_of(pdf)[0]
    for label in ("Common cause", "Improvement", f"Target {number(m.target)}", "Week starting"):
        assert label in text


def test_progress_gaps_read_in_bulk_match_the_closure_gate(
    demo: tuple[Database, DataLocation],
) -> None:
    db, _ = demo
    with db.reading() as s:
        lines = action_lines(s, TODAY, service_ids=[home_id(db)])
        gaps = progress_gaps(s, lines, TODAY)
    assert gaps and len(gaps) == sum(1 for line in lines if not line.closed)
    for gap in gaps:
        with db.reading() as fresh:  # the gate on its own, action by action
            action = fresh.get(Action, gap.action.id)
            assert action is not None
            result = closure_gate(fresh, action, TODAY, settings=gate_settings(fresh))
        assert gap.unmet == tuple((c.label, c.why) for c in result.unmet if c.key != "sign_off")
        assert gap.ready_for_sign_off == result.ready_for_sign_off
    assert any(gap.unmet for gap in gaps)


def test_coverage_annex_lists_live_actions_and_counts_the_rest(
    demo: tuple[Database, DataLocation],
) -> None:
    db, location = demo
    with db.reading() as s:
        report = monthly_report(s, home_id(db), NOVEMBER, TODAY)
        pdf = generate(
            s,
            DocumentRequest(MONTHLY, service_id=home_id(db), period=NOVEMBER),
            today=TODAY,
            attachments_dir=location.attachments_dir,
        )
    live = report.live_coverage
    settled = [c for c in report.coverage if c not in live]
    assert live and settled  # the care-plans action (closed 20/10) and the demo's A4 (22/09)
    assert all(c.action.closed and c.action.closed_on < NOVEMBER.start for c in settled)
    annex = flat("\n".join(text_of(pdf)).split("Annex: evidence coverage by source type")[1])
    assert (
        flat(f"the {len(settled)} actions closed before then are in the inspection pack") in annex
    )
    for c in live:
        assert flat(f"{c.action.reference} {c.action.title}")[:25] in annex
        assert flat(f"{c.strands} of 4 {c.total} ({c.tested})") in annex
    for c in settled:
        assert flat(f"{c.action.reference} {c.action.title}") not in annex
