"""Blank forms to print and fill in by hand, then type into the app.

Each form carries the home's name printed in, tick boxes and ruled lines sized for a pen, and
signature and date lines. Questions and prompts come from the same templates as the app.
"""

from __future__ import annotations

from datetime import datetime

from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from ..services.reporting.forms import AUDIT, HANDOVER, INCIDENT_REVIEW, FormSpec, ObservationArea
from .blocks import heading
from .form_parts import choices, fields, signatures, tick_table, writing_area
from .layout import LANDSCAPE_WIDTH, PORTRAIT_WIDTH, DocumentInfo, build_pdf, landscape_pages
from .styles import style
from .tables import boxed
from .text import escape, para

W = PORTRAIT_WIDTH
GRID_RECORDS = 10  # the sample a registered manager audits during recovery


def render_form(spec: FormSpec, home_name: str, generated_at: datetime) -> bytes:
    """``home_name`` is printed in; pass "" to leave a line to write the home on."""
    if spec.kind == AUDIT:
        story = audit_story(spec, home_name)
    elif spec.kind == INCIDENT_REVIEW:
        story = incident_story(spec, home_name)
    elif spec.kind == HANDOVER:
        story = handover_story(spec, home_name)
    else:
        story = []
        for n, area in enumerate(spec.areas):
            if n:
                story.append(PageBreak())
            story += observation_story(area, spec, home_name)
    version = f"Form version {spec.version}" if spec.version is not None else "Blank form"
    info = DocumentInfo(
        title=spec.title,
        service=home_name or "Care home: ____________",
        period=version,
        generated_at=generated_at,
        subject=spec.description,
        footer_note="Type the completed form into CQC Desktop",
    )
    return build_pdf(story, info)


def _intro(title: str, text: str) -> list[Flowable]:
    return [para(title, style("Title")), para(text, style("Subtitle"))]


# --- practice observation ----------------------------------------------------------------------


def observation_story(area: ObservationArea, spec: FormSpec, home: str) -> list[Flowable]:
    story = _intro(
        f"Practice observation: {area.name}",
        "Watch the care being given. Tick Yes, No or N/A for each prompt, note what you saw, "
        "then give feedback to the member of staff straight away.",
    )
    story.append(
        fields(
            [
                [("Home", home), ("Date", "")],
                [("Time", ""), ("Observer", "")],
                [("Staff observed", ""), ("Care plan ref.", "")],
            ],
            width=W,
            label_width=32 * mm,
        )
    )
    story += [Spacer(1, 2 * mm), _choice_line("Shift", spec.choices.get("shift", ()))]
    story.append(Spacer(1, 3 * mm))
    rows = [[str(n), prompt, "", "", "", None] for n, prompt in enumerate(area.prompts, start=1)]
    story.append(
        tick_table(
            ["#", "Prompt", "Yes", "No", "N/A", "Note"],
            rows,
            [0.04, 0.5, 0.07, 0.07, 0.07, 0.25],
            (2, 3, 4),
            width=W,
            min_height=10.5 * mm,
        )
    )
    story += [Spacer(1, 3 * mm), _choice_line("Overall outcome", ("Met", "Partly met", "Not met"))]
    story += writing_area("What was seen", 3)
    story += writing_area("Feedback given to the member of staff", 3)
    story += writing_area("Follow-up needed (and by when)", 2)
    story += [Spacer(1, 2 * mm), signatures(["Observer", "Staff member"], width=W)]
    return story


def _choice_line(label: str, options: tuple[str, ...] | list[str]) -> Flowable:
    table = Table(
        [[Paragraph(escape(label), style("FormLabel")), choices(options, width=W - 38 * mm)]],
        colWidths=[38 * mm, W - 38 * mm],
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


# --- audits ------------------------------------------------------------------------------------


def audit_story(spec: FormSpec, home: str) -> list[Flowable]:
    story = _intro(spec.title, spec.description or "Tick Yes, No or N/A for every question.")
    top: list[list[tuple[str, str]]] = [
        [("Home", home), ("Date", "")],
        [("Auditor", ""), ("Unit / area", "")],
    ]
    if spec.record_sample:
        top.append([("Records sampled", ""), ("Action ref.", "")])
    story.append(fields(top, width=W, label_width=30 * mm))
    story.append(Spacer(1, 3 * mm))
    story.append(
        boxed(
            [
                para(
                    "Answer every question: Yes, No or N/A (not applicable). Score = Yes ÷ (Yes + "
                    "No) × 100; N/A answers are left out. Record every No as an exception at the "
                    "end, with the reason, the immediate action and who was informed.",
                    style("BodyTight"),
                )
            ],
            total_width=W,
        )
    )
    for s_no, section in enumerate(spec.sections, start=1):
        story.append(heading(f"{s_no}. {section.title}", 2))
        rows = [
            [f"{s_no}.{q_no}", text, "", "", "", None]
            for q_no, (_, text) in enumerate(section.questions, start=1)
        ]
        story.append(
            tick_table(
                ["No.", "Question", "Yes", "No", "N/A", "Comment"],
                rows,
                [0.06, 0.54, 0.065, 0.065, 0.065, 0.205],
                (2, 3, 4),
                width=W,
            )
        )
    story += [CondPageBreak(70 * mm), heading("Score", 2)]
    story.append(
        fields(
            [[("Yes total", ""), ("No total", "")], [("N/A total", ""), ("Score (%)", "")]],
            width=W,
        )
    )
    story += [CondPageBreak(90 * mm), heading("Exceptions and actions", 2)]
    story.append(
        tick_table(
            ["No.", "What was found", "Reason", "Immediate action", "Person informed"],
            [[None, None, None, None, None] for _ in range(5)],
            [0.08, 0.28, 0.22, 0.24, 0.18],
            width=W,
            min_height=13 * mm,
        )
    )
    story += [Spacer(1, 4 * mm), signatures(["Auditor", "Checked by manager"], width=W)]
    if spec.record_sample:
        story += landscape_pages(_sample_grid(spec), at_end=True)
    return story


def _sample_grid(spec: FormSpec) -> list[Flowable]:
    """One column per sampled record, so each question can be checked record by record."""
    story: list[Flowable] = [
        para(f"{spec.title}: record-by-record grid", style("H1")),
        para(
            "Write each record's room or initials at the top of its column, then mark ✓ (meets "
            "the standard), ✗ (does not) or N/A for each question. Answer Yes on the audit only "
            "if every record sampled meets the standard.",
            style("Muted"),
        ),
    ]
    question_width = 0.42
    each = (1 - 0.05 - question_width - 0.06) / GRID_RECORDS
    headers = ["No.", "Question", *[f"Rec.\n{n}" for n in range(1, GRID_RECORDS + 1)], "All met?"]
    rows: list[list[str | None]] = [
        ["", "Room / initials →", *[None] * GRID_RECORDS, ""],
    ]
    for s_no, section in enumerate(spec.sections, start=1):
        for q_no, (_, text) in enumerate(section.questions, start=1):
            rows.append([f"{s_no}.{q_no}", text, *[None] * GRID_RECORDS, None])
    story.append(
        tick_table(
            headers,
            rows,
            [0.05, question_width, *[each] * GRID_RECORDS, 0.06],
            width=LANDSCAPE_WIDTH,
            min_height=8 * mm,
            head_style="SmallHead",
            cell_style="CellSmall",
            header_rows=2,  # "Room / initials" repeats with the headings on every page
        )
    )
    return story


# --- incident review ---------------------------------------------------------------------------


def incident_story(spec: FormSpec, home: str) -> list[Flowable]:
    c = spec.choices
    story = _intro(
        "Incident and management review",
        "Part A when it happens; part B the same day (duty manager); part C within 7 days. "
        "Learning counts as on time when the review, a learning point and the actions are all "
        "done within 7 days of the incident.",
    )
    story.append(heading("A. The incident", 2))
    story.append(
        fields(
            [
                [("Home", home), ("Incident ref.", "")],
                [("Date", ""), ("Time", "")],
                [("Person (initials or room)", ""), ("Location", "")],
                [("Reported by", ""), ("Action ref.", "")],
            ],
            width=W,
            label_width=34 * mm,
        )
    )
    story += [Spacer(1, 2 * mm), _choice_line("Type", c.get("incident_type", ()))]
    story.append(_choice_line("Severity", c.get("severity", ())))
    story += writing_area("What happened", 5)
    story += writing_area("Immediate action taken", 4)
    story += [CondPageBreak(120 * mm), heading("B. Same-day management review", 2)]
    story.append(fields([[("Reviewed on", ""), ("Reviewer", "")]], width=W, label_width=34 * mm))
    story += writing_area("Immediate controls put in place", 3)
    story.append(para("Notifications and communication", style("FormLabel")))
    story.append(_choice_line("CQC notification", c.get("cqc_notification", ())))
    story.append(fields([[("Date notified", ""), ("By", "")]], width=W, label_width=34 * mm))
    for label in ("Safeguarding referral", "RIDDOR report", "Family / representative informed"):
        story.append(_choice_line(label, ("Yes", "No")))
        story.append(fields([[("Date", ""), ("By", "")]], width=W, label_width=34 * mm))
    story += [CondPageBreak(110 * mm), heading("C. Learning, checked within 7 days", 2)]
    story += writing_area("Learning point (one sentence staff can act on)", 3)
    story.append(
        fields(
            [
                [("Shared at handover on", ""), ("Shift", "")],
                [("Actions completed on", ""), ("Reopened on", "")],
            ],
            width=W,
            label_width=40 * mm,
        )
    )
    story += writing_area("Evidence that practice has changed", 3)
    story += [Spacer(1, 3 * mm), signatures(["Reviewer", "Registered manager"], width=W)]
    return story


# --- handover learning record ------------------------------------------------------------------


def handover_story(spec: FormSpec, home: str) -> list[Flowable]:
    story = _intro(
        "Handover learning record",
        "Share one learning point at handover. Everyone present signs to show they heard it; "
        "the handover lead checks that staff understood it.",
    )
    story.append(
        fields(
            [
                [("Home", home), ("Date", "")],
                [("Handover lead", ""), ("Incident / action ref.", "")],
            ],
            width=W,
            label_width=36 * mm,
        )
    )
    story += [Spacer(1, 2 * mm), _choice_line("Shift", spec.choices.get("shift", ()))]
    story += writing_area("Learning point shared", 3)
    story.append(para("Staff present", style("FormLabel")))
    story.append(
        tick_table(
            ["Name", "Role", "Signature"],
            [[None, None, None] for _ in range(10)],
            [0.38, 0.24, 0.38],
            width=W,
            min_height=10 * mm,
        )
    )
    story += [Spacer(1, 2 * mm), _choice_line("Understanding checked", ("Yes", "No"))]
    story += writing_area("How it was checked (e.g. two staff explained the change back)", 2)
    story += [Spacer(1, 2 * mm), signatures(["Handover lead"], width=W)]
    return story
