"""The monthly quality-assurance report for one home."""

from __future__ import annotations

from datetime import datetime

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from ..services.reporting.common import ActionLine
from ..services.reporting.measures import MeasureSeries
from ..services.reporting.monthly import RAGS, STATUSES, MonthlyReport
from . import monthly_sections as sections
from .blocks import (
    body,
    gaps_section,
    heading,
    measure_block,
    muted,
    override_box,
    register_table,
    title_block,
    value_text,
)
from .layout import (
    PORTRAIT_WIDTH,
    DocumentInfo,
    build_pdf,
    keep_with_next,
    landscape_pages,
)
from .styles import style
from .tables import data_table, figure_tiles, rag_cell
from .text import para, plural, when
from .voices import voices_sections

W = PORTRAIT_WIDTH


def render_monthly(report: MonthlyReport, generated_at: datetime) -> bytes:
    info = DocumentInfo(
        title="Monthly QA report",
        service=report.home.name,
        period=report.period.label,
        generated_at=generated_at,
        audit_anchor=report.audit_anchor.footer() if report.audit_anchor else "",
        subject=f"Monthly quality assurance report, {report.period.label}",
    )
    return build_pdf(monthly_story(report), info)


def monthly_story(r: MonthlyReport) -> list[Flowable]:
    home = r.home
    story: list[Flowable] = title_block(
        "Monthly quality assurance report",
        [
            f"{home.name} · {r.period.label} · figures as at {when(r.as_of)}",
            " · ".join(
                x
                for x in (
                    home.provider_name,
                    f"CQC location {home.cqc_location_id}" if home.cqc_location_id else "",
                    f"Current rating: {home.current_rating}",
                )
                if x
            ),
        ],
    )
    story += _summary(r)
    story += _measures(r)
    story.append(heading("Action register"))
    story.append(
        muted(
            f"RAG is the rating given at each action's latest review on or before {when(r.as_of)}."
        )
    )
    story.append(register_table(r.actions, r.as_of, width=W))
    story += sections.incidents_section(r)
    story += voices_sections(r.voices, W)
    story += sections.observations_section(r)
    story += sections.audits_section(r)
    story += sections.governance_section(r)
    story += sections.alerts_section(r)
    story += sections.record_notes_section(r)
    story.append(heading("Where progress is partial, and why"))
    story.append(
        muted(
            "In the closure gate's own words: what still stands between each open action and closing."
        )
    )
    story += gaps_section(r.gaps)
    story += sections.priorities_section(r)
    # The coverage grid needs the width of a landscape page, so it closes the report as an annex.
    story += landscape_pages(sections.coverage_section(r), at_end=True)
    return story


def _measures(r: MonthlyReport) -> list[Flowable]:
    out: list[Flowable] = [heading("Measures against baseline and target")]
    if not r.measures:
        return [*out, muted("No measures have been set for this home's actions yet.")]
    live, settled = r.live_measures, r.settled_measures
    if live:
        out.append(
            keep_with_next(
                muted(
                    "Measures of open actions, of actions closed in "
                    f"{r.period.label} and of any measure recorded in {r.period.label}. "
                    "Each chart is an XmR chart (Making Data Count): grey points are ordinary "
                    "variation, blue special-cause improvement and orange special-cause concern."
                )
            )
        )
        for m in live:
            out += measure_block(m)
    else:
        out.append(
            muted(f"No measure belongs to an open action or was recorded in {r.period.label}.")
        )
    if settled:
        out.append(heading(f"Measures of actions closed before {r.period.label}", 2))
        out.append(
            keep_with_next(
                muted(
                    "Their latest reading, with no new point this month; each one's chart is in "
                    "the inspection pack."
                )
            )
        )
        out.append(settled_table(settled))
    return out


def settled_table(settled: list[tuple[MeasureSeries, ActionLine]]) -> Flowable:
    rows = []
    for m, a in settled:
        point = m.latest_point
        rows.append(
            [
                f"{m.name} ({m.action_reference})",
                when(a.closed_on),
                value_text(m.baseline, m.unit),
                value_text(m.target, m.unit),
                f"{value_text(point.value, m.unit)} ({when(point.period_start)})"
                if point
                else "No points",
                m.progress_label,
                m.variation,
            ]
        )
    return data_table(
        ["Measure (action)", "Closed", "Baseline", "Target", "Latest", "Progress", "SPC"],
        rows,
        [0.24, 0.115, 0.09, 0.075, 0.16, 0.17, 0.15],
        total_width=W,
        align_right=(2, 3),
    )


def _summary(r: MonthlyReport) -> list[Flowable]:
    rags, statuses = r.rag_counts(), r.status_counts()
    override = r.closed_override
    tiles = [
        (
            str(len(r.open_actions)),
            "Open actions",
            f"{rags['Red']} red, {rags['Amber']} amber, {rags['Green']} green",
        ),
        (str(len(r.overdue_reviews)), "Overdue reviews", f"as at {when(r.as_of)}"),
        (str(len(r.new_findings)), "New findings", f"raised in {r.period.label}"),
        (
            str(len(r.closed_sustained)),
            "Closed as sustained",
            "through the closure gate this month",
        ),
        (str(len(override)), "Closed without full evidence", "flagged; any month"),
    ]
    out: list[Flowable] = [
        heading("Summary"),
        figure_tiles(tiles, total_width=W),
        Spacer(1, 3 * mm),
    ]
    rows = [[rag_cell(rag), str(rags[rag])] for rag in RAGS]
    out.append(
        data_table(
            ["Open actions by RAG", "Number", "Actions by status", "Number"],
            [[*rows[i], s, str(statuses[s])] for i, s in enumerate(STATUSES)],
            [0.3, 0.2, 0.3, 0.2],
            total_width=W * 0.7,
            align_right=(1, 3),
        )
    )
    box = override_box(r.actions, width=W)
    if box is not None:
        out += [Spacer(1, 3 * mm), box]
    if r.closed_override:
        in_month = [a for a in override if a.closed_on and r.period.contains(a.closed_on)]
        out.append(
            muted(
                f"{plural(len(in_month), 'action')} closed without full evidence in "
                f"{r.period.label}; {plural(len(override), 'action')} in all still closed that way."
            )
        )
    out.append(heading("Overdue reviews", 2))
    if r.overdue_reviews:
        out.append(
            data_table(
                ["Ref", "Action", "Lead", "Review was due", "Overdue by"],
                [
                    [
                        a.reference,
                        a.title,
                        a.lead,
                        when(a.next_review),
                        plural(a.review_overdue_days(r.as_of) or 0, "day"),
                    ]
                    for a in r.overdue_reviews
                ],
                [0.095, 0.425, 0.2, 0.15, 0.13],
                total_width=W,
            )
        )
    else:
        out.append(muted(f"No action reviews were overdue on {when(r.as_of)}."))
    out.append(heading("New findings", 2))
    if r.new_findings:
        out.append(
            data_table(
                ["Ref", "Finding", "From", "Key question", "Regulation", "RAG"],
                [
                    [
                        f.reference,
                        f.title,
                        f"{f.plan_title} ({when(f.raised_on)})",
                        f.key_question,
                        f.regulation or "—",
                        rag_cell(f.rag),
                    ]
                    for f in r.new_findings
                ],
                [0.095, 0.325, 0.24, 0.12, 0.11, 0.11],
                total_width=W,
            )
        )
    else:
        out.append(muted(f"No new findings were raised in {r.period.label}."))
    out.append(heading("Closed this month", 2))
    closed = r.closed_in_period
    if closed:
        out.append(
            data_table(
                ["Ref", "Action", "Closed", "By", "How"],
                [
                    [
                        a.reference,
                        a.title,
                        when(a.closed_on),
                        a.closed_by,
                        para(a.flag, style("CellFlag"))
                        if a.flag
                        else "Through the closure gate (sustained)",
                    ]
                    for a in closed
                ],
                [0.095, 0.375, 0.115, 0.17, 0.245],
                total_width=W,
            )
        )
    else:
        out.append(muted(f"No actions were closed in {r.period.label}."))
    out.append(
        body(
            f"Evidence: {plural(r.evidence_added, 'item')} collected in {r.period.label}, "
            f"{r.evidence_tested} of them tested."
        )
    )
    return out
