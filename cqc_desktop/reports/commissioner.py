"""The commissioner contract-monitoring pack for a date range."""

from __future__ import annotations

from datetime import datetime

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from ..services.reporting.commissioner import ActionUpdate, CommissionerPack, SafeguardingLine
from ..services.reporting.common import CLOSED_WITHOUT_EVIDENCE
from .blocks import (
    body,
    bullets,
    gaps_section,
    heading,
    measure_block,
    muted,
    override_box,
    register_table,
    title_block,
)
from .layout import PORTRAIT_WIDTH, DocumentInfo, build_pdf, keep_with_next
from .tables import Cell, data_table, figure_tiles, rag_cell
from .text import pct, plural, when
from .voices import (
    complaints_section,
    feedback_section,
    notifications_section,
    supervision_section,
)

W = PORTRAIT_WIDTH


def render_commissioner(pack: CommissionerPack, generated_at: datetime) -> bytes:
    info = DocumentInfo(
        title="Contract monitoring pack",
        service=pack.home.name,
        period=pack.period.label,
        generated_at=generated_at,
        audit_anchor=pack.audit_anchor.footer() if pack.audit_anchor else "",
        subject=f"Commissioner contract-monitoring pack, {pack.period.label}",
    )
    return build_pdf(commissioner_story(pack), info)


def commissioner_story(p: CommissionerPack) -> list[Flowable]:
    home = p.home
    story: list[Flowable] = title_block(
        "Contract monitoring pack",
        [
            f"{home.name} · {p.period.label} · figures as at {when(p.as_of)}",
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
    open_actions = [a for a in p.actions if not a.closed]
    sustained = [a for a in p.closed_in_period if not a.closed_with_override]
    inc = p.incidents
    story += [
        heading("Summary"),
        figure_tiles(
            [
                (str(len(open_actions)), "Open actions", f"as at {when(p.as_of)}"),
                (str(len(sustained)), "Closed as sustained", "in the period"),
                (str(len(p.safeguarding)), "Safeguarding / notified", "incidents in the period"),
                (pct(inc.learning_rate), "Learning within 7 days", plural(inc.total, "incident")),
            ],
            total_width=W,
        ),
        Spacer(1, 3 * mm),
    ]
    box = override_box(p.actions, width=W)
    if box is not None:
        story.append(box)
    story += _trends(p)
    story += _updates(p)
    story += _safeguarding(p)
    story += complaints_section(p.voices, W)
    story += _complaints(p)
    story += feedback_section(p.voices, W)
    story += notifications_section(p.voices, W)
    story += supervision_section(p.voices)
    story += _staffing(p)
    story += _outcomes(p)
    story.append(heading("Where progress is partial, and why"))
    story += gaps_section(p.gaps)
    story.append(heading("Action register", 2))
    story.append(register_table(p.actions, p.as_of, width=W))
    return story


def _trends(p: CommissionerPack) -> list[Flowable]:
    out: list[Flowable] = [heading("Trend data")]
    if not p.measures:
        return [*out, muted("No measures have been set for this home's actions yet.")]
    out.append(
        keep_with_next(
            muted(
                f"Points recorded from {when(p.period.start)} to {when(p.as_of)}; limits and "
                "readings are worked out from the points in this period only."
            )
        )
    )
    for m in p.measures:
        out += measure_block(m)
    return out


def _update_rows(updates: tuple[ActionUpdate, ...] | list[ActionUpdate]) -> list[list[Cell]]:
    """One row per review; the action is named on its first row only, so the table reads as
    a timeline per action."""
    rows: list[list[Cell]] = []
    for u in updates:
        a = u.action
        label = a.label + (f" — {CLOSED_WITHOUT_EVIDENCE}" if a.flag else "")
        if not u.reviews:
            rows.append([a.reference, label, "—", "—", "No review in this period."])
        for n, r in enumerate(u.reviews):
            rows.append(
                [
                    a.reference,
                    label if n == 0 else "",
                    when(r.on),
                    rag_cell(r.rag),
                    f"{r.decision}: {r.progress}",
                ]
            )
    return rows


def _updates(p: CommissionerPack) -> list[Flowable]:
    out: list[Flowable] = [heading("Action updates")]
    rows = _update_rows(p.updates)
    if not rows:
        return [*out, muted("No actions were open or reviewed in this period.")]
    out.append(
        data_table(
            ["Ref", "Action", "Reviewed", "RAG", "Decision and progress"],
            rows,
            [0.095, 0.235, 0.115, 0.1, 0.455],
            total_width=W,
        )
    )
    return out


def _safeguarding(p: CommissionerPack) -> list[Flowable]:
    out: list[Flowable] = [heading("Safeguarding and notifications")]
    if not p.safeguarding:
        return [
            *out,
            muted(
                "No incidents in this period needed a safeguarding referral or a CQC notification."
            ),
        ]
    # The heading and its note stay with the table rather than ending a page on their own.
    out[0] = keep_with_next(out[0])
    out.append(
        keep_with_next(
            muted(
                "Incidents with a safeguarding referral, of the safeguarding type, or notified "
                "to CQC."
            )
        )
    )
    out.append(
        data_table(
            [
                "Incident",
                "What happened",
                "Type and severity",
                "Person",
                "Referral, CQC and family",
                "Learning",
            ],
            [
                [
                    f"{s.reference}\n{when(s.occurred_at.date())}"
                    + (f"\n{s.location}" if s.location else "")
                    + (f"\nReported by {s.reported_by}" if s.reported_by else ""),
                    _what_happened(s),
                    f"{s.incident_type}\n{s.severity}",
                    s.person_ref,
                    f"Referral: {when(s.referral_on, 'none')}\n"
                    f"CQC: {s.cqc_notification} {when(s.cqc_notified_on, '')}".strip()
                    + f"\nFamily told: {when(s.family_informed_on, 'no')}",
                    f"{s.learning_point or 'No learning point yet.'}\n"
                    + (
                        "Reviewed, actioned and shared within 7 days."
                        if s.learning_within_7
                        else "Not within 7 days."
                    ),
                ]
                for s in p.safeguarding
            ],
            [0.165, 0.24, 0.13, 0.085, 0.185, 0.195],
            total_width=W,
        )
    )
    return out


def _what_happened(s: SafeguardingLine) -> str:
    parts = [s.description or "No description recorded."]
    if s.immediate_action:
        parts.append(f"Immediate action: {s.immediate_action}")
    if s.reopened_on:
        parts.append(f"Reopened {when(s.reopened_on)}: {s.reopen_reason or 'no reason given'}")
    return "\n".join(parts)


def _complaints(p: CommissionerPack) -> list[Flowable]:
    out: list[Flowable] = [
        heading("Findings raised from complaints", 2),
        muted(
            "Plan findings raised from complaints in the period, and earlier ones still being "
            "acted on."
        ),
    ]
    if not p.complaints:
        return [*out, body("No findings were raised from complaints, and none are still open.")]
    themes: dict[str, int] = {}
    for f in p.complaints:
        themes[f.key_question] = themes.get(f.key_question, 0) + 1
    out.append(
        body(
            "Themes by key question: "
            + ", ".join(f"{k} {n}" for k, n in sorted(themes.items()))
            + "."
        )
    )
    out.append(
        data_table(
            ["Ref", "Finding", "Plan", "Raised", "RAG"],
            [
                [f.reference, f.title, f.plan_title, when(f.raised_on), rag_cell(f.rag)]
                for f in p.complaints
            ],
            [0.095, 0.375, 0.28, 0.145, 0.105],
            total_width=W,
        )
    )
    return out


def _staffing(p: CommissionerPack) -> list[Flowable]:
    out: list[Flowable] = [
        heading("Staffing-related actions"),
        muted(
            "Actions answering findings about staffing (risk area, Regulations 18 and 19, or the staffing quality statements)."
        ),
    ]
    rows = _update_rows(p.staffing)
    if not rows:
        return [*out, body("There are no staffing-related actions.")]
    out.append(
        data_table(
            ["Ref", "Action", "Reviewed", "RAG", "Decision and progress"],
            rows,
            [0.095, 0.235, 0.115, 0.1, 0.455],
            total_width=W,
        )
    )
    return out


def _outcomes(p: CommissionerPack) -> list[Flowable]:
    out: list[Flowable] = [heading("Outcomes")]
    at_target = [m for m in p.measures if m.at_target]
    lines = [
        f"{plural(len(at_target), 'measure')} of {len(p.measures)} at target at the end of the period"
        + (
            ": " + "; ".join(f"{m.name} ({m.action_reference})" for m in at_target)
            if at_target
            else "."
        ),
    ]
    closed = p.closed_in_period
    if closed:
        lines += [
            f"{a.label}: closed {when(a.closed_on)}"
            + (
                f" — {CLOSED_WITHOUT_EVIDENCE}."
                if a.flag
                else " through the closure gate (sustained)."
            )
            for a in closed
        ]
    else:
        lines.append("No actions were closed in the period.")
    inc = p.incidents
    if inc.total:
        lines.append(
            f"Incidents: {inc.total}; {inc.learning_within_7} ({pct(inc.learning_rate)}) reviewed, "
            "actioned and shared within 7 days."
        )
    else:
        lines.append("No incidents were recorded in the period.")
    out += bullets(lines)
    return out
