"""The provider roll-up of the monthly QA report: every home side by side for the month."""

from __future__ import annotations

from datetime import datetime

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable

from ..services.reporting.monthly import MonthlyReport, ProviderReport
from .blocks import bullets, change_text, heading, muted, title_block, value_text
from .layout import LANDSCAPE_WIDTH, DocumentInfo, build_pdf
from .styles import style
from .tables import boxed, data_table
from .text import para, pct, when

W = LANDSCAPE_WIDTH


def render_provider(report: ProviderReport, generated_at: datetime) -> bytes:
    info = DocumentInfo(
        title="Provider QA roll-up",
        service=report.provider_name,
        period=report.period.label,
        generated_at=generated_at,
        subject=f"Provider quality roll-up across all homes, {report.period.label}",
    )
    # Every table here is wide (one column per figure), so the whole roll-up is landscape.
    return build_pdf(provider_story(report), info, first="landscape")


def provider_story(r: ProviderReport) -> list[Flowable]:
    story: list[Flowable] = title_block(
        "Provider quality roll-up",
        [
            f"{r.provider_name} · {len(r.homes)} home{'s' if len(r.homes) != 1 else ''} · "
            f"{r.period.label} · figures as at {when(r.as_of)}"
        ],
    )
    if not r.homes:
        return [*story, muted("There are no care homes in this database yet.")]
    story += [heading("Homes at a glance"), _glance(r.homes)]
    story += _overrides(r.homes)
    story += [heading("Measures across homes"), _measures(r.homes)]
    story.append(heading("Provider-wide governance decisions"))
    if r.provider_decisions:
        story.append(
            data_table(
                ["Date", "Meeting", "Item", "Decision", "Owner and due"],
                [
                    [
                        when(d.held_on),
                        d.meeting_type,
                        d.item_title,
                        d.decision,
                        ", ".join(x for x in (d.owner, when(d.due, "")) if x) or "—",
                    ]
                    for d in r.provider_decisions
                ],
                [0.09, 0.2, 0.43, 0.12, 0.16],
                total_width=W,
            )
        )
    else:
        story.append(muted(f"No provider-wide decisions were minuted in {r.period.label}."))
    for home in r.homes:
        story += _home(home)
    return story


def _glance(homes: tuple[MonthlyReport, ...]) -> Flowable:
    rows = []
    for h in homes:
        rags = h.rag_counts()
        observed = sum(o.total for o in h.observations)
        met = sum(o.counts.get("Met", 0) for o in h.observations)
        audits = "; ".join(f"{t.name} {pct(t.latest.score)}" for t in h.audits if t.run_in_period)
        rows.append(
            [
                h.home.name,
                f"{len(h.open_actions)} ({rags['Red']} R, {rags['Amber']} A, {rags['Green']} G)",
                str(len(h.overdue_reviews)),
                str(len(h.closed_sustained)),
                para(
                    str(len(h.closed_override)), style("CellFlag" if h.closed_override else "Cell")
                ),
                str(h.incidents.total),
                pct(h.incidents.learning_rate),
                f"{met} of {observed}" if observed else "None",
                audits or "None this month",
            ]
        )
    return data_table(
        [
            "Home",
            "Open actions",
            "Overdue reviews",
            "Closed sustained",
            "Closed without full evidence",
            "Incidents",
            "Learning in 7 days",
            "Observations met",
            "Audits this month",
        ],
        rows,
        [0.15, 0.12, 0.07, 0.08, 0.09, 0.07, 0.08, 0.09, 0.25],
        total_width=W,
    )


def _overrides(homes: tuple[MonthlyReport, ...]) -> list[Flowable]:
    flagged = [(h.home.name, a) for h in homes for a in h.closed_override]
    if not flagged:
        return [muted("No action at any home is closed without full evidence.")]
    parts: list[Flowable] = [
        para(f"⚑ Closed without full evidence ({len(flagged)})", style("Flag"))
    ]
    for home, a in flagged:
        parts.append(
            para(
                f"{home}: {a.label} — closed {when(a.closed_on)} by {a.closed_by or 'unknown'}. "
                f"Reason: {a.override_reason or '—'}",
                style("BodyTight"),
            )
        )
    return [CondPageBreak(20 * mm), boxed(parts, total_width=W, warning=True)]


def _measures(homes: tuple[MonthlyReport, ...]) -> Flowable:
    rows = [
        [
            h.home.name,
            f"{m.name} ({m.action_reference})",
            value_text(m.latest, m.unit),
            change_text(m),
            value_text(m.target, m.unit),
            m.variation,
            m.assurance,
        ]
        for h in homes
        for m in h.measures
    ]
    if not rows:
        return muted("No measures have been set at any home yet.")
    return data_table(
        ["Home", "Measure", "Latest", "Against baseline", "Target", "SPC reading", "Assurance"],
        rows,
        [0.13, 0.24, 0.06, 0.19, 0.06, 0.14, 0.18],
        total_width=W,
    )


def _home(h: MonthlyReport) -> list[Flowable]:
    out: list[Flowable] = [CondPageBreak(50 * mm), heading(h.home.name)]
    partial = [g for g in h.gaps if g.unmet]
    if partial:
        out.append(para("Where progress is partial, and why", style("H3")))
        out += bullets(
            [f"{g.action.label}: " + " ".join(why for _, why in g.unmet) for g in partial]
        )
    else:
        out.append(muted("No open action has unmet closure conditions."))
    out.append(para("Priorities for next month", style("H3")))
    if h.priorities:
        out += bullets(
            [
                f"{p.heading}: {p.text}"
                + (f" ({p.who}" if p.who else "")
                + (f", {when(p.due)})" if p.due else (")" if p.who else ""))
                for p in h.priorities
            ]
        )
    else:
        out.append(muted("Nothing is overdue or falling due next month."))
    return out
