"""Governance meeting minutes: attendance, each item's discussion, challenge, assurance and
decision, and any dated addenda added after approval."""

from __future__ import annotations

from datetime import datetime

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Spacer

from ..services.reporting.docs import MinuteItem, MinutesDoc
from .blocks import heading, muted, title_block
from .layout import PORTRAIT_WIDTH, DocumentInfo, build_pdf
from .styles import style
from .tables import Cell, boxed, data_table, kv_table
from .text import para, when

W = PORTRAIT_WIDTH
DRAFT = "Draft: not yet approved"


def render_minutes(doc: MinutesDoc, generated_at: datetime) -> bytes:
    info = DocumentInfo(
        title=f"Minutes: {doc.meeting_type}",
        service=doc.home,
        period=when(doc.held_on),
        generated_at=generated_at,
        subject=f"{doc.meeting_type} held on {when(doc.held_on)}",
        footer_note="" if doc.approved else DRAFT,
    )
    return build_pdf(minutes_story(doc), info)


def minutes_story(doc: MinutesDoc) -> list[Flowable]:
    approval = (
        f"Approved by {doc.approved_by or 'unknown'} on {when(doc.approved_on)}"
        if doc.approved
        else DRAFT
    )
    story: list[Flowable] = title_block(
        f"{doc.meeting_type}: minutes",
        [f"{doc.home} · held on {when(doc.held_on)}", approval],
    )
    if not doc.approved:
        story.append(
            boxed(
                [
                    para(
                        "These minutes are a draft. They become the record only when approved; "
                        "check them against the app before relying on them.",
                        style("BodyTight"),
                    )
                ],
                total_width=W,
                warning=True,
            )
        )
    story.append(
        kv_table(
            [
                ("Chair", doc.chair or "—"),
                ("Present", "; ".join(doc.attendees) or "—"),
                ("Also present", doc.other_attendees or "—"),
                ("Apologies", doc.apologies or "None"),
            ],
            total_width=W,
            label_width=0.2,
        )
    )
    story.append(heading("Items"))
    if not doc.items:
        story.append(muted("No items were minuted at this meeting."))
    for item in doc.items:
        story += _item(item)
    decisions = [i for i in doc.items if i.decision and i.decision != "Note"]
    story.append(heading("Decisions and actions arising", 2))
    if decisions:
        story.append(
            data_table(
                ["Item", "Decision", "Owner", "Due"],
                [
                    [f"{i.number}. {i.title}", i.decision, i.owner or "—", when(i.due)]
                    for i in decisions
                ],
                [0.5, 0.17, 0.2, 0.13],
                total_width=W,
            )
        )
    else:
        story.append(muted("No decisions other than notes were recorded."))
    if doc.addenda:
        story.append(heading("Addenda (corrections after approval)", 2))
        for a in doc.addenda:
            story.append(para(f"{when(a.added_on)} — {a.author or 'unknown'}", style("H3")))
            story.append(para(a.text, style("Body")))
    return story


def _item(item: MinuteItem) -> list[Flowable]:
    pairs: list[tuple[str, Cell]] = []
    if item.action_label:
        pairs.append(("Action", item.action_label))
    if item.detail:
        pairs.append(("Background", item.detail))
    pairs += [
        ("Discussion", item.discussion or ("Carried forward" if item.carried_forward else "—")),
        ("Challenge", item.challenge or "—"),
        ("Assurance", item.assurance or "—"),
    ]
    decision = item.decision or "—"
    if item.owner or item.due:
        decision += f" (owner: {item.owner or '—'}, due {when(item.due)})"
    pairs.append(("Decision", decision))
    return [
        CondPageBreak(35 * mm),
        para(f"{item.number}. {item.title}", style("H3")),
        para(item.kind + (" · carried forward" if item.carried_forward else ""), style("Small")),
        Spacer(1, 1 * mm),
        kv_table(pairs, total_width=W, label_width=0.18),
    ]
