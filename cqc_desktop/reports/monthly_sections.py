"""The monthly QA report's sections after the summary: evidence coverage, incidents,
observations, audits, governance, alerts and escalations, and next month's priorities."""

from __future__ import annotations

from reportlab.platypus import Flowable

from ..formatting import number
from ..services.reporting.monthly import OUTCOMES, MonthlyReport
from .blocks import (
    body,
    heading,
    muted,
)
from .layout import (
    LANDSCAPE_WIDTH,
    PORTRAIT_WIDTH,
    keep_with_next,
)
from .tables import data_table
from .text import pct, plural, when

W = PORTRAIT_WIDTH


def coverage_section(r: MonthlyReport) -> list[Flowable]:
    coverage = r.live_coverage
    left_out = len(r.coverage) - len(coverage)
    out: list[Flowable] = [
        heading("Annex: evidence coverage by source type"),
        muted(
            f"Evidence items per action up to {when(r.as_of)}, by source type; 'Strands' counts the "
            "four triangulation strands covered (records, staff accounts, people's and relatives' "
            "experience, management oversight). Open actions and those closed in "
            f"{r.period.label}"
            + (
                f"; the {plural(left_out, 'action')} closed before then "
                f"{'is' if left_out == 1 else 'are'} in the inspection pack."
                if left_out
                else "."
            )
        ),
    ]
    if not r.coverage:
        return [*out, muted("There are no actions yet.")]
    if not coverage:
        return out
    codes = [code for code, _ in r.source_types]
    names = [name for _, name in r.source_types]
    # Source-type names are printed whole (7 pt), so each column is wide enough for the longest
    # word; the action title takes what is left.
    each = 0.068
    first = max(0.12, 1 - each * len(codes) - 0.105)
    rows = [
        [
            f"{c.action.reference} {c.action.title}",
            *[str(c.counts.get(code, "")) for code in codes],
            f"{c.strands} of 4",
            f"{c.total} ({c.tested})",
        ]
        for c in coverage
    ]
    out.append(
        data_table(
            ["Action", *names, "Strands", "Items (tested)"],
            rows,
            [first, *[each] * len(codes), 0.048, 0.057],
            total_width=LANDSCAPE_WIDTH,
            align_right=tuple(range(1, len(codes) + 3)),
            head_style="SmallHead",
            padding=2,
            column_styles=("CellSmall", *["Cell"] * (len(codes) + 2)),
        )
    )
    return out


def incidents_section(r: MonthlyReport) -> list[Flowable]:
    inc = r.incidents
    out: list[Flowable] = [heading("Incidents")]
    if not inc.total:
        return [*out, muted(f"No incidents were recorded in {r.period.label}.")]
    out.append(
        body(
            f"{plural(inc.total, 'incident')} in {r.period.label}. 7-day learning rate: "
            f"{inc.learning_within_7} of {inc.total} ({pct(inc.learning_rate)}) showed a review, a "
            "learning point and completed actions within 7 days."
            + (
                f" {plural(inc.still_in_window, 'incident')} still inside the 7 days."
                if inc.still_in_window
                else ""
            )
        )
    )
    out.append(
        data_table(
            [
                "Type",
                "Incidents",
                "Reviewed same day",
                "Learning within 7 days",
                "Safeguarding referrals",
                "CQC notifications",
            ],
            [
                [
                    row.incident_type,
                    str(row.count),
                    str(row.reviewed_same_day),
                    str(row.learning_within_7),
                    str(row.safeguarding_referrals),
                    str(row.cqc_notifications),
                ]
                for row in inc.rows
            ],
            [0.24, 0.12, 0.16, 0.16, 0.16, 0.16],
            total_width=W,
            align_right=(1, 2, 3, 4, 5),
        )
    )
    return out


def observations_section(r: MonthlyReport) -> list[Flowable]:
    out: list[Flowable] = [heading("Practice observations")]
    if not r.observations:
        return [*out, muted(f"No practice observations were recorded in {r.period.label}.")]
    rows = [
        [o.area, *[str(o.counts.get(k, 0)) for k in OUTCOMES], str(o.total)] for o in r.observations
    ]
    totals = [sum(o.counts.get(k, 0) for o in r.observations) for k in OUTCOMES]
    rows.append(["All areas", *[str(t) for t in totals], str(sum(totals))])
    out.append(
        data_table(
            ["Area", *OUTCOMES, "Total"],
            rows,
            [0.4, 0.15, 0.15, 0.15, 0.15],
            total_width=W,
            align_right=(1, 2, 3, 4),
        )
    )
    return out


def record_notes_section(r: MonthlyReport) -> list[Flowable]:
    """What people wrote: incidents, observations not fully met, audit comments, handover
    learning and the governance log (the most recent of each kind)."""
    out: list[Flowable] = [heading("What the records say")]
    notes = r.notes
    if notes is None or not notes.notes:
        return [*out, muted(f"Nothing was written in the records in {r.period.label}.")]
    more = "; ".join(f"{n} more {kind.lower()} entries" for kind, n in notes.left_out.items())
    out.append(
        keep_with_next(
            muted(
                "Incidents, observations that were not fully met, audit comments, learning shared "
                "at handover and the governance log, in the words recorded. People receiving care "
                "appear by their reference."
                + (f" The most recent of each are shown; the app holds {more}." if more else "")
            )
        )
    )
    out.append(
        data_table(
            ["Date", "Record", "Who", "What was written"],
            [
                [when(n.on), f"{n.kind}\n{n.source}", n.who or "—", n.text or "—"]
                for n in notes.notes
            ],
            [0.11, 0.24, 0.14, 0.51],
            total_width=W,
        )
    )
    return out


def audits_section(r: MonthlyReport) -> list[Flowable]:
    out: list[Flowable] = [heading("Audit scores and trend")]
    if not r.audits:
        return [*out, muted(f"No audits had been carried out by the end of {r.period.label}.")]
    out.append(
        muted(
            "Score = Yes ÷ (Yes + No); N/A answers are left out. The last few runs are shown, oldest first."
        )
    )
    rows = []
    for t in r.audits:
        history = ", ".join(f"{when(run.run_on)}: {pct(run.score)}" for run in t.runs)
        change = t.change
        trend = (
            "First run"
            if len(t.runs) == 1
            else "—"
            if change is None
            else (
                f"Up {number(change)} points"
                if change > 0
                else f"Down {number(-change)} points"
                if change < 0
                else "No change"
            )
        )
        rows.append(
            [
                t.name,
                pct(t.latest.score),
                when(t.latest.run_on) + ("" if t.run_in_period else " (earlier month)"),
                trend,
                history,
            ]
        )
    out.append(
        data_table(
            ["Audit", "Latest score", "Latest run", "Trend", "Runs"],
            rows,
            [0.2, 0.1, 0.19, 0.14, 0.37],
            total_width=W,
        )
    )
    return out


def governance_section(r: MonthlyReport) -> list[Flowable]:
    out: list[Flowable] = [heading("Governance")]
    if r.meetings:
        out.append(
            data_table(
                ["Date", "Meeting", "Chair", "Items", "Minutes"],
                [
                    [
                        when(m.held_on),
                        m.meeting_type + (" (all homes)" if m.provider_wide else ""),
                        m.chair,
                        str(m.items),
                        m.status,
                    ]
                    for m in r.meetings
                ],
                [0.115, 0.385, 0.22, 0.1, 0.18],
                total_width=W,
            )
        )
    else:
        out.append(muted(f"No governance meetings were held in {r.period.label}."))
    out.append(heading("Decisions of the month", 2))
    if r.decisions:
        out.append(
            data_table(
                ["Date", "Meeting", "Item", "Decision", "Owner and due"],
                [
                    [
                        when(d.held_on),
                        f"{d.meeting_type}{'' if d.minutes_status == 'Approved' else ' (draft minutes)'}",
                        d.item_title,
                        d.decision,
                        ", ".join(x for x in (d.owner, when(d.due, "")) if x) or "—",
                    ]
                    for d in r.decisions
                ],
                [0.115, 0.19, 0.365, 0.13, 0.2],
                total_width=W,
            )
        )
    else:
        out.append(muted(f"No decisions were minuted in {r.period.label}."))
    return out


def alerts_section(r: MonthlyReport) -> list[Flowable]:
    out: list[Flowable] = [heading("Alerts and escalations"), heading("Alerts raised", 2)]
    if r.alerts:
        out.append(
            data_table(
                ["Raised", "Alert", "Message", "Acknowledged"],
                [
                    [
                        when(a.raised_on),
                        a.kind,
                        a.message,
                        ("Yes: " + a.note) if a.acknowledged else "Not yet",
                    ]
                    for a in r.alerts
                ],
                [0.115, 0.22, 0.445, 0.22],
                total_width=W,
            )
        )
    else:
        out.append(muted(f"No alerts were raised in {r.period.label}."))
    out.append(heading("Escalated or reopened", 2))
    if r.escalations:
        out.append(
            data_table(
                ["Date", "What happened", "Action", "By", "Detail"],
                [[when(e.on), e.kind, e.action_label, e.by, e.text] for e in r.escalations],
                [0.115, 0.15, 0.26, 0.14, 0.335],
                total_width=W,
            )
        )
    else:
        out.append(muted(f"No actions were escalated or reopened in {r.period.label}."))
    return out


def priorities_section(r: MonthlyReport) -> list[Flowable]:
    out: list[Flowable] = [heading("Priorities for next month")]
    if not r.priorities:
        return [*out, muted("Nothing is overdue or falling due next month.")]
    out.append(
        keep_with_next(
            muted(
                "Worked out from the records: overdue reviews and steps, targets due, meeting "
                "decisions and follow-ups."
            )
        )
    )
    out.append(
        data_table(
            ["Priority", "What", "Who", "Due"],
            [[p.heading, p.text, p.who or "—", when(p.due)] for p in r.priorities],
            [0.19, 0.5, 0.195, 0.115],
            total_width=W,
        )
    )
    return out
