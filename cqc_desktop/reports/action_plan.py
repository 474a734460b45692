"""The action plan: for each breached regulation, what is not being met, what will be done,
who is responsible, by when, and how it will be monitored.

Only a plan raised from a CQC inspection is "the CQC action plan" with a date it must reach CQC;
any other plan (a provider visit, an audit, a complaint) is the home's own improvement plan.
Each action's "by when" follows its state: due, completed on the real date, or overdue (red)."""

from __future__ import annotations

from datetime import date, datetime

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Paragraph, Spacer

from ..services.reporting.docs import ActionPlanDoc, PlanAction, PlanFinding
from .blocks import due_phrase, heading, muted, step_phrase, target_text, title_block, value_text
from .form_parts import signatures
from .layout import PORTRAIT_WIDTH, DocumentInfo, build_pdf
from .styles import style
from .tables import boxed, kv_table
from .text import escape, para, when

W = PORTRAIT_WIDTH


def render_action_plan(doc: ActionPlanDoc, generated_at: datetime) -> bytes:
    info = DocumentInfo(
        title="CQC action plan" if doc.for_cqc else "Improvement action plan",
        service=doc.home.name,
        period=f"{'Report' if doc.for_cqc else 'Raised'} {when(doc.report_date)}",
        generated_at=generated_at,
        subject=f"Action plan: {doc.title}",
    )
    return build_pdf(action_plan_story(doc), info)


def action_plan_story(doc: ActionPlanDoc) -> list[Flowable]:
    if not doc.for_cqc:
        raised = f", {when(doc.report_date)}" if doc.report_date else ""
        due = (
            f"The home's own improvement plan (raised from: {doc.origin}{raised}); "
            "it is not sent to CQC"
        )
    elif doc.due:
        due = (
            f"To be sent to CQC by {when(doc.due)} (28 days after the report of "
            f"{when(doc.report_date)})"
        )
    else:
        due = "No report date is recorded for this plan, so no due date can be worked out"
    story: list[Flowable] = title_block(
        f"Action plan: {doc.title}",
        [
            f"{doc.home.name}"
            + (f" · CQC location {doc.home.cqc_location_id}" if doc.home.cqc_location_id else ""),
            f"{doc.origin}" + (f" · rated {doc.rating}" if doc.rating else ""),
            due,
        ],
    )
    if doc.summary:
        story.append(para(doc.summary, style("Body")))
    story.append(
        boxed(
            [
                para(
                    "For each regulation that is not being met, this plan sets out what is not "
                    "being met, what we will do about it, who is responsible, by when, and how we "
                    "will monitor that the improvement is made and sustained.",
                    style("BodyTight"),
                )
            ],
            total_width=W,
        )
    )
    if not doc.regulations:
        story.append(heading("Breached regulations"))
        story.append(
            muted("No breached regulations are recorded against the findings in this plan.")
        )
    tables: list[tuple[list[Flowable], list[tuple[str, list[Flowable]]]]] = []
    for section in doc.regulations:
        name = section.name or "regulation not in the reference list"
        tables.append(
            (
                [CondPageBreak(60 * mm), heading(f"Regulation {section.code}: {name}")],
                _rows(section.findings, doc.as_of),
            )
        )
    if doc.other_findings:
        tables.append(
            (
                [
                    CondPageBreak(60 * mm),
                    heading("Other improvements in this plan"),
                    muted("Findings that do not breach a regulation, with the same detail."),
                ],
                _rows(doc.other_findings, doc.as_of),
            )
        )
    approval: list[Flowable] = [
        Spacer(1, 8 * mm),
        heading("Approval", 2),
        signatures(["Registered manager", "Nominated individual"], width=W),
    ]
    for n, (head, rows) in enumerate(tables):
        story += head
        if n < len(tables) - 1:
            story.append(kv_table(rows, total_width=W, label_width=0.22))
            continue
        # The approval block never stands alone on the last page: the last row of the last
        # table ("How we will monitor it") goes with it.
        story.append(kv_table(rows[:-1], total_width=W, label_width=0.22))
        approval = [kv_table(rows[-1:], total_width=W, label_width=0.22), *approval]
    story.append(KeepTogether(approval))
    return story


def _p(text: str, style_name: str = "Cell") -> Paragraph:
    return para(text, style(style_name))


def _b(label: str, text: str) -> Paragraph:
    return Paragraph(f"<b>{escape(label)}</b> {escape(text)}", style("Cell"))


def _rows(findings: tuple[PlanFinding, ...], as_of: date) -> list[tuple[str, list[Flowable]]]:
    not_met: list[Flowable] = []
    will_do: list[Flowable] = []
    who: list[Flowable] = []
    when_: list[Flowable] = []
    monitor: list[Flowable] = []
    for f in findings:
        not_met.append(_b(f"{f.reference} {f.title}.", f.description))
        if f.statements:
            not_met.append(_p("Quality statements: " + "; ".join(f.statements), "CellSmall"))
        if f.immediate_control:
            will_do.append(_b(f"Immediately ({f.reference}):", f.immediate_control))
        if not f.actions:
            will_do.append(_p(f"No actions have been set for {f.reference} yet."))
        for a in f.actions:
            will_do += _what(a)
            who += _who(a)
            when_ += _when(a, as_of)
            monitor += _monitor(a)
    return [
        ("What is not being met", not_met),
        ("What we will do", will_do),
        ("Who is responsible", who or [_p("—")]),
        ("By when", when_ or [_p("—")]),
        ("How we will monitor it", monitor or [_p("—")]),
    ]


def _what(a: PlanAction) -> list[Flowable]:
    out: list[Flowable] = [_b(f"{a.line.reference} {a.line.title}.", a.description)]
    if not a.description and not a.steps:
        out.append(_p("No steps have been set for this action yet.", "CellSmall"))
    out += [Paragraph(escape(s.description), style("CellSmall"), bulletText="•") for s in a.steps]
    if a.line.flag:
        out.append(
            _p(f"⚑ {a.line.flag} on {when(a.line.closed_on)}: {a.line.override_reason}", "CellFlag")
        )
    return out


def _who(a: PlanAction) -> list[Flowable]:
    lead = f"{a.line.lead} ({a.line.lead_role})" if a.line.lead_role else a.line.lead
    out: list[Flowable] = [_b(f"{a.line.reference}:", f"{lead}, accountable lead")]
    owners = sorted({s.owner for s in a.steps if s.owner and s.owner != a.line.lead})
    if owners:
        out.append(_p("Steps also owned by " + ", ".join(owners), "CellSmall"))
    return out


def _when(a: PlanAction, as_of: date) -> list[Flowable]:
    text, late = due_phrase(a.line, as_of)
    ref = escape(a.line.reference)
    out: list[Flowable] = [
        Paragraph(f"<b>{ref}:</b> {escape(text)}", style("CellFlag" if late else "Cell"))
    ]
    for s in a.steps:
        state, step_late = step_phrase(s, as_of)
        out.append(_p(f"{s.description}: {state}", "CellFlag" if step_late else "CellSmall"))
    return out


def _monitor(a: PlanAction) -> list[Flowable]:
    line = a.line
    out: list[Flowable] = [
        _b(f"{line.reference}:", f"reviewed {line.review_frequency.lower()} by {line.lead}.")
    ]
    for m in a.measures:
        latest = (
            f"; latest {value_text(m.latest, m.unit)} ({m.progress_label.lower()})"
            if m.latest is not None
            else "; no points recorded yet"
        )
        out.append(
            _p(
                f"Measure: {m.name}, from a baseline of {value_text(m.baseline, m.unit)} to a "
                f"target of {target_text(m)}{latest}."
            )
        )
    if not a.measures:
        out.append(_p("No measure is set for this action."))
    if a.oversight_plan:
        out.append(_b("Oversight:", a.oversight_plan))
    if a.escalation_route:
        out.append(_b("Escalation:", a.escalation_route))
    if a.triggers:
        out.append(_b("Reopened if:", a.triggers))
    status = line.status if not line.closed else f"Closed {when(line.closed_on)}"
    out.append(_p(f"Status now: {status}, RAG {line.rag}.", "CellSmall"))
    return out
