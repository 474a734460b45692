"""The inspection pack: cover, contents, then for each key question and quality statement the
chain from finding to action, evidence, measures and oversight, and an evidence index with the
SHA-256 of every attached file."""

from __future__ import annotations

from datetime import date, datetime

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, PageBreak, Spacer

from ..formatting import number
from ..services.reporting.evidence import EvidenceLine, StepLine
from ..services.reporting.inspection import (
    HASH_DIFFERS,
    HASH_MATCHES,
    HASH_MISSING,
    InspectionPack,
    PackAction,
    PackFinding,
)
from .blocks import action_cell, due_phrase, measure_block, muted
from .layout import (
    LANDSCAPE_WIDTH,
    PORTRAIT_WIDTH,
    DocumentInfo,
    build_pdf,
    contents_heading,
    contents_table,
    landscape_pages,
)
from .styles import style
from .tables import Cell, boxed, data_table, kv_table, rag_cell
from .text import para, plural, when

W = PORTRAIT_WIDTH


def render_inspection_pack(pack: InspectionPack, generated_at: datetime) -> bytes:
    info = DocumentInfo(
        title="Inspection evidence pack",
        service=pack.home.name,
        period=f"As at {when(pack.as_of)}",
        generated_at=generated_at,
        audit_anchor=pack.audit_anchor.footer() if pack.audit_anchor else "",
        subject="Findings, actions, tested evidence, measures and oversight",
    )
    return build_pdf(inspection_story(pack), info)


def inspection_story(pack: InspectionPack) -> list[Flowable]:
    story = _cover(pack)
    story += [
        PageBreak(),
        para("Contents", style("Title")),
        contents_table(),
    ]
    for kq in pack.key_questions:
        # A key question with findings starts a page; one with only "no findings" or a
        # cross-reference is a few lines, and follows on rather than taking a page to itself.
        full = bool(kq.unlinked) or any(st.findings for st in kq.statements)
        story += [
            PageBreak() if full else CondPageBreak(60 * mm),
            Spacer(1, 0 if full else 6 * mm),
            contents_heading(para(kq.name, style("H1")), 0),
        ]
        if kq.empty:
            story.append(muted(f"No findings under {kq.name} in the current plans."))
            continue
        for st in kq.statements:
            # A statement heading never sits alone at the foot of a page.
            story.append(CondPageBreak(60 * mm))
            story.append(contents_heading(para(f"{st.code} {st.name}", style("H2")), 1))
            for finding in st.findings:
                story += _finding(finding, pack.as_of)
            for finding, where in st.see_also:
                story.append(
                    muted(
                        f"Also relevant here: {finding.reference} {finding.title} "
                        f"({finding.plan_title}), set out under {where}."
                    )
                )
        if kq.unlinked:
            story.append(
                contents_heading(para("Not linked to a quality statement", style("H2")), 1)
            )
            for finding in kq.unlinked:
                story += _finding(finding, pack.as_of)
    story += landscape_pages(_evidence_index(pack), at_end=True)
    return story


def _cover(pack: InspectionPack) -> list[Flowable]:
    home = pack.home
    story: list[Flowable] = [
        Spacer(1, 30 * mm),
        para("Inspection evidence pack", style("CoverTitle")),
        Spacer(1, 4 * mm),
        para(home.name, style("CoverSub")),
        para(home.address, style("Muted")),
        Spacer(1, 6 * mm),
        kv_table(
            [
                ("Provider", home.provider_name or "—"),
                ("CQC location ID", home.cqc_location_id or "—"),
                ("Current rating", home.current_rating),
                ("Prepared", when(pack.as_of)),
                ("Framework", pack.framework_title),
                ("Evidence items", str(pack.evidence_count)),
                ("Attached files", str(len(pack.evidence_index))),
            ],
            total_width=W,
        ),
        Spacer(1, 6 * mm),
    ]
    check = pack.file_check
    if check.problems:
        story += [
            boxed(
                [
                    para("Evidence files have changed", style("H3")),
                    para(check.describe(), style("CellFlag")),
                    para(
                        "The file on disk is not the one that was added as evidence. Each is "
                        "marked on its evidence row and in the evidence index at the end.",
                        style("BodyTight"),
                    ),
                ],
                total_width=W,
                warning=True,
            ),
            Spacer(1, 6 * mm),
        ]
    story.append(para("Plans covered", style("H2")))
    if pack.plans:
        story.append(
            data_table(
                ["Plan", "Raised from", "Report date", "Rating"],
                [[t, o, when(d), r or "—"] for t, o, d, r in pack.plans],
                [0.45, 0.2, 0.15, 0.2],
                total_width=W,
            )
        )
    else:
        story.append(muted("There are no improvement plans for this home yet."))
    story += [
        Spacer(1, 6 * mm),
        boxed(
            [
                para("How to read this pack", style("H3")),
                para(
                    "Each finding is followed by what was done about it: the actions (one "
                    "accountable lead each), the evidence that each action worked (dated, by "
                    "source type, with who tested it), the measure against its baseline and "
                    "target, and the governance oversight that followed. Evidence is numbered "
                    "EV-1, EV-2 …; the evidence index at the end lists every attached file with its "
                    "SHA-256 fingerprint, so anyone can check that no file has been altered.",
                    style("BodyTight"),
                ),
            ],
            total_width=W,
        ),
    ]
    return story


def _finding(f: PackFinding, as_of: date) -> list[Flowable]:
    regulation = (
        f"Regulation {f.regulation} {f.regulation_name}".strip() if f.regulation else "None"
    )
    story: list[Flowable] = [
        CondPageBreak(50 * mm),
        para(f"Finding {f.reference}: {f.title}", style("H2")),
        kv_table(
            [
                ("Raised from", f"{f.plan_title} ({f.origin}, {when(f.report_date)})"),
                ("Breached regulation", regulation),
                ("Risk", rag_cell(f.rag, suffix=f"(score {f.score})")),
                ("What was found", f.description or "—"),
                ("Root cause", f.root_cause or "—"),
                ("Immediate control", f.immediate_control or "—"),
            ],
            total_width=W,
        ),
    ]
    if not f.actions:
        story.append(muted("No actions have been set for this finding yet."))
    for a in f.actions:
        story += _action(a, as_of)
    return story


def _action(a: PackAction, as_of: date) -> list[Flowable]:
    line = a.line
    status = (
        line.status if not line.closed else f"Closed {when(line.closed_on)} by {line.closed_by}"
    )
    due, late = due_phrase(line, as_of)
    late_steps = sum(1 for s in a.steps if s.overdue_days(as_of))
    pairs: list[tuple[str, Cell]] = [
        ("Accountable lead", f"{line.lead} ({line.lead_role})" if line.lead_role else line.lead),
        ("Status", status),
        (
            "RAG",
            rag_cell(line.rag, suffix="— past its due date" if late else ""),
        ),
        ("Due", para(due[0].upper() + due[1:], style("CellFlag" if late else "Cell"))),
        ("Reviewed", f"{line.review_frequency}; next review {when(line.next_review)}"),
        ("What will be done", a.description or _steps_summary(a)),
        ("Ongoing oversight", a.oversight_plan or "—"),
    ]
    if line.closed:
        pairs.append(("Why it was closed", line.override_reason or line.closure_rationale or "—"))
    story: list[Flowable] = [
        Spacer(1, 3 * mm),
        CondPageBreak(40 * mm),
        para(f"Action {line.reference}", style("H3")),
        *action_cell(line),
        kv_table(pairs, total_width=W),
    ]
    overdue = f"; {late_steps} overdue" if late_steps else ""
    story.append(
        para(f"Steps ({line.steps_done} of {line.steps_total} done{overdue})", style("H3"))
    )
    if a.steps:
        story.append(
            data_table(
                ["Step", "Owner", "Recorded in", "Due", "Done"],
                [
                    [
                        s.description,
                        s.owner,
                        s.recorded_in,
                        when(s.due_date),
                        _step_done(s, as_of),
                    ]
                    for s in a.steps
                ],
                [0.37, 0.16, 0.24, 0.115, 0.115],
                total_width=W,
            )
        )
    else:
        story.append(muted("No steps recorded."))
    story.append(para(f"Evidence ({len(a.evidence)})", style("H3")))
    if a.evidence:
        story.append(
            data_table(
                ["No.", "Collected", "Source type", "Evidence", "Supports", "Tested by", "Files"],
                [
                    [
                        e.number,
                        when(e.collected_on),
                        f"{e.source_type}\n{e.category}",
                        f"{e.title}\n{e.description}".strip(),
                        e.supports,
                        f"{e.tested_by}, {when(e.tested_on)}" if e.tested_by else "Not tested",
                        _files_cell(e),
                    ]
                    for e in a.evidence
                ],
                [0.075, 0.115, 0.16, 0.305, 0.095, 0.18, 0.07],
                total_width=W,
            )
        )
    else:
        story.append(muted("No evidence has been added for this action yet."))
    story.append(para("Measures and outcomes", style("H3")))
    if a.measures:
        for m in a.measures:
            story += measure_block(m)
    else:
        story.append(muted("No measure is set for this action."))
    story.append(para("Governance oversight", style("H3")))
    if a.oversight:
        story.append(
            data_table(
                ["Date", "Forum", "Who", "Decision", "RAG", "Notes"],
                [
                    [
                        when(o.on),
                        o.forum,
                        o.who,
                        o.decision or "—",
                        rag_cell(o.rag) if o.rag else "—",
                        o.text,
                    ]
                    for o in a.oversight
                ],
                [0.115, 0.19, 0.14, 0.11, 0.095, 0.35],
                total_width=W,
            )
        )
    else:
        story.append(muted("No reviews or meeting discussions are recorded for this action yet."))
    return story


def _files_cell(e: EvidenceLine) -> Cell:
    """How many files, and in red any that no longer match or are missing."""
    if not e.attachments:
        return "—"
    bad = [x for x in e.attachments if x.check in (HASH_DIFFERS, HASH_MISSING)]
    if not bad:
        return str(len(e.attachments))
    words = "; ".join(
        f"{x.original_name}: {'changed' if x.check == HASH_DIFFERS else 'missing'}" for x in bad
    )
    return para(f"{len(e.attachments)} ⚠ {words}", style("CellFlag"))


def _steps_summary(a: PackAction) -> str:
    """ "What will be done" when the action has no summary: its steps, in order."""
    if not a.steps:
        return "—"
    return "\n".join(f"• {s.description}" for s in a.steps)


def _step_done(s: StepLine, as_of: date) -> Cell:
    if s.done_on is not None:
        return when(s.done_on)
    late = s.overdue_days(as_of)
    if late:
        return para(f"Not yet: {plural(late, 'day')} overdue", style("CellFlag"))
    return "Not yet"


def _evidence_index(pack: InspectionPack) -> list[Flowable]:
    story: list[Flowable] = [
        contents_heading(para("Appendix: evidence index", style("H1")), 0),
        para(
            "Every file attached to the evidence above, with the SHA-256 fingerprint recorded "
            "when it was added. To check a file: on Windows run  certutil -hashfile FILE SHA256; "
            "on macOS or Linux run  shasum -a 256 FILE. The fingerprint must match exactly. "
            f"The last column is the check made when this pack was produced ({when(pack.as_of)}).",
            style("Muted"),
        ),
    ]
    if not pack.evidence_index:
        return [*story, muted("No files are attached to the evidence in this pack.")]
    ok = sum(1 for x in pack.evidence_index if x.check == HASH_MATCHES)
    story.append(
        para(
            f"{plural(len(pack.evidence_index), 'file')}; {ok} matched their recorded "
            "fingerprint when this pack was produced.",
            style("Body"),
        )
    )
    story.append(
        data_table(
            ["Evidence", "Action", "Evidence title", "File", "Size", "SHA-256", "Check"],
            [
                [
                    x.evidence_number,
                    x.action_reference,
                    x.evidence_title,
                    x.original_name,
                    f"{number(x.size_bytes / 1024)} KB",
                    para(x.sha256, style("Hash")),
                    para(x.check, style("Cell" if x.check == HASH_MATCHES else "CellFlag")),
                ]
                for x in pack.evidence_index
            ],
            [0.07, 0.065, 0.16, 0.16, 0.055, 0.37, 0.12],
            total_width=LANDSCAPE_WIDTH,
        )
    )
    return story
