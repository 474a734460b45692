"""The report framework on its own: escaping, fonts, page numbering, splitting tables, charts."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta

from pypdf import PdfReader

from cqc_desktop.reports.charts import ChartMarks, spc_marks
from cqc_desktop.reports.layout import (
    PORTRAIT_WIDTH,
    DocumentInfo,
    build_pdf,
    landscape_pages,
)
from cqc_desktop.reports.styles import SPC_CONCERN, SPC_IMPROVEMENT, SPC_TARGET, style
from cqc_desktop.reports.tables import data_table
from cqc_desktop.reports.text import clean, escape, para
from cqc_desktop.services.plans.measure_reading import read_series
from cqc_desktop.services.plans.measures import progress
from cqc_desktop.services.reporting.measures import MeasureSeries, PointData

NAMES = ("Zoë Hart", "Siobhán Murphy", "Łukasz Nowak", "Nguyễn Thị Lan")
MARKUP = '<b>not bold</b> & <font color="red">not red</font> &amp; <br/> <para>'
LONG_WORD = "Supercalifragilistic" * 40  # 800 letters, no spaces


def pages_text(pdf: bytes) -> list[str]:
    return [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text.replace("\u00a0", " "))


def body(pages: list[str]) -> str:
    """The pages' text without the running header and footer, so text flowing over a page
    break reads continuously."""
    out = []
    for page in pages:
        lines = page.splitlines()
        out += lines[4:-1]  # service, title, period, "Generated …" … "Page x of y"
    return "\n".join(out)


def info(title: str = "Test document") -> DocumentInfo:
    return DocumentInfo(title, "Willow Court", "November 2026", datetime(2026, 11, 26, 9, 30))


def test_escape_makes_markup_literal() -> None:
    assert escape("<b>&</b>") == "&lt;b&gt;&amp;&lt;/b&gt;"
    assert escape("line one\nline two") == "line one<br/>line two"
    assert clean("bell\x07 and\x00 null") == "bell and null"


def test_hostile_text_prints_literally_in_the_bundled_font() -> None:
    essay = "Paragraph " + " ".join(f"word{n}" for n in range(700))  # about 5,000 characters
    assert len(essay) > 5000
    story = [para(text, style("Body")) for text in (*NAMES, MARKUP, LONG_WORD, essay)]
    pdf = build_pdf(story, info())
    text = body(pages_text(pdf))
    for name in NAMES:
        assert name in text
    flat = squash(text)
    assert squash(MARKUP) in flat
    assert LONG_WORD in flat  # broken across lines, not cut off or lost
    assert squash(essay) in flat


def test_every_page_says_page_x_of_y_and_when_it_was_made() -> None:
    story = [para(f"Line {n}", style("Body")) for n in range(300)]
    pages = pages_text(build_pdf(story, info()))
    assert len(pages) > 3
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert "Generated 26/11/2026 09:30 by CQC Desktop" in text
        assert "Willow Court" in text and "November 2026" in text


def test_long_table_repeats_its_header_and_one_huge_cell_still_fits() -> None:
    rows = [[str(n), f"Action {n}", "Zoë Hart"] for n in range(150)]
    rows.append(["151", "x " * 4000, LONG_WORD])  # one cell taller than a page
    table = data_table(["Ref", "Action", "Lead"], rows, [0.1, 0.6, 0.3], total_width=PORTRAIT_WIDTH)
    pages = pages_text(build_pdf([table], info()))
    assert len(pages) > 3
    assert all("Ref" in page and "Action" in page and "Lead" in page for page in pages)
    assert LONG_WORD in squash(body(pages))


def test_landscape_pages_are_wider_than_tall() -> None:
    story = [para("Portrait", style("Body")), *landscape_pages([para("Wide", style("Body"))])]
    story.append(para("Portrait again", style("Body")))
    reader = PdfReader(io.BytesIO(build_pdf(story, info())))
    shapes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]
    assert [w > h for w, h in shapes] == [False, True, False]


def _series(
    values: list[float],
    *,
    direction: str,
    target: float,
    unit: str = "entries",
    changes: tuple[tuple[int, str], ...] = (),
) -> MeasureSeries:
    prog = progress(
        values, baseline=values[0], direction=direction, target_kind="absolute", target=target
    )
    starts = [date(2026, 9, 7) + timedelta(weeks=i) for i in range(len(values))]
    reading = read_series(
        name="Late medicines entries per week",
        unit=unit,
        direction=direction,
        frequency="weekly",
        baseline=values[0],
        target=prog.target,
        periods=starts,
        values=values,
        changes=[(starts[i], label) for i, label in changes],
    )
    result = reading.result
    return MeasureSeries(
        id=1, action_id=1, action_reference="A1", action_title="Stop late medicines",
        name="Late medicines entries per week", unit=unit, direction=direction,
        frequency="weekly", baseline=values[0], baseline_period="", target=prog.target,
        target_kind="absolute", target_setting=target, target_date=None, data_source="",
        points=tuple(
            PointData(d, v, r.variation.value, r.rules, "")
            for d, v, r in zip(starts, values, result.points, strict=True)
        ),
        limits=result.phases[-1].limits, variation=result.variation.value,
        assurance=result.assurance.value,
        latest=prog.latest, change_percent=prog.change_percent, at_target=prog.at_target,
        sustained_points=prog.sustained_points, fraction_of_goal=prog.fraction_of_goal,
        progress_label=prog.label, reading=reading,
    )  # fmt: skip


def _fills(marks: ChartMarks) -> list[object]:
    return [dot.colour for dot in marks.dots]


def test_chart_colours_special_cause_the_making_data_count_way() -> None:
    falling = _series([14, 12, 10, 8, 6, 4, 3, 2, 3, 2, 1, 1], direction="lower", target=3)
    marks = spc_marks(falling, PORTRAIT_WIDTH, 170)
    fills = _fills(marks)[: len(falling.points)]
    expected = [
        SPC_IMPROVEMENT if p.variation == "special cause improvement" else None
        for p in falling.points
    ]
    assert any(e is not None for e in expected)
    for fill, want in zip(fills, expected, strict=True):
        if want is not None:
            assert fill == want
    # The same fall is a concern when higher is better.
    rising_is_good = _series([14, 12, 10, 8, 6, 4, 3, 2, 3, 2, 1, 1], direction="higher", target=20)
    assert SPC_CONCERN in _fills(spc_marks(rising_is_good, PORTRAIT_WIDTH, 170))
    # Mean, two limits, target and baseline are drawn; the target in red.
    assert any(line.colour == SPC_TARGET for line in marks.lines)


def test_percentage_chart_stays_within_0_and_100_with_no_off_scale_note() -> None:
    # Limits 21.99 to 149.67 worked out; the upper one is held at 100 (test_spc_phases).
    series = _series([90, 100, 60, 100, 95, 70], direction="higher", target=95, unit="%")
    marks = spc_marks(series, PORTRAIT_WIDTH, 170)
    _x, bottom, _w, height = marks.frame
    legend_y = 8.5  # the key's line samples, under the axis labels
    plotted = [line for line in marks.lines if line.y1 != legend_y]
    assert all(bottom - 0.01 <= y <= bottom + height + 0.01 for m in plotted for y in (m.y1, m.y2))
    texts = [label.text for label in marks.labels]
    assert "Upper limit 100" in texts and "100" in texts and "120" not in texts
    assert not any("Off scale" in t for t in texts)
    assert series.reading.caption.endswith("because a percentage cannot go outside that range.")


def test_chart_draws_limits_per_phase_and_marks_the_change() -> None:
    values = [10, 12, 11, 13, 10, 12, 5, 6, 4, 5, 6, 5, 4]
    series = _series(values, direction="lower", target=9, changes=((6, "Protected round"),))
    marks = spc_marks(series, PORTRAIT_WIDTH, 170)
    texts = [label.text for label in marks.labels]
    assert "Protected round" in texts
    assert "Mean 5" in texts  # the current phase's mean, not 9.6 over every point
    verticals = [m for m in marks.lines if m.x1 == m.x2]
    assert len(verticals) == 1
    means = [m for m in marks.lines if m.dash is None and m.y1 == m.y2 and m.width == 0.9]
    assert len(means) == 2 and means[0].x2 <= means[1].x1 + 0.01


def test_measure_block_prints_the_icons_and_the_plain_reading() -> None:
    from cqc_desktop.reports.blocks import measure_block

    values = [10, 12, 11, 13, 10, 12, 5, 6, 4, 5, 6, 5, 4]
    series = _series(values, direction="lower", target=9, changes=((6, "Protected round"),))
    text = squash(" ".join(pages_text(build_pdf(measure_block(series), info()))))
    assert (
        squash(
            "Late medicines entries per week fell from about 11 to about 5 after the change on "
            "19/10/2026 and has stayed at or below the target of 9 entries for 7 weeks."
        )
        in text
    )
    assert squash("Assurance: consistently passing the target") in text
    assert squash("Common cause: no signal") in text
    # The jargon is in the key only, never in the sentence a manager reads.
    assert not {"special cause", "assurance", "limit"} & set(
        re.findall(r"special cause|assurance|limit", series.reading.sentence.lower())
    )
