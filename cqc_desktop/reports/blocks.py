"""Building blocks several documents share: the title block, a measure with its chart and
reading, the action register, and "where progress is partial and why"."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer

from ..formatting import number
from ..models.enums import Direction, TargetKind
from ..services.reporting.common import ActionLine, ProgressGap
from ..services.reporting.evidence import StepLine
from ..services.reporting.measures import MeasureSeries
from .charts import spc_chart
from .layout import PORTRAIT_WIDTH, keep_with_next
from .spc_icons import IconKey
from .styles import style
from .tables import boxed, data_table, rag_cell
from .text import escape, para, pct, plural, when


def due_phrase(a: ActionLine, as_of: date) -> tuple[str, bool]:
    """When an action is due, in words that match its state, and whether it is overdue:
    "due 19/10/2026", "completed on 02/11/2026" (the real date) or "overdue: due …, 12 days late"."""
    if a.closed:
        return f"completed on {when(a.closed_on)}", False
    late = a.overdue_days(as_of)
    if late:
        return f"overdue: due {when(a.due_date)}, {plural(late, 'day')} late", True
    return f"due {when(a.due_date)}", False


def step_phrase(s: StepLine, as_of: date) -> tuple[str, bool]:
    """A step's state: "done 03/11/2026", "due 30/11/2026" or "not done, 5 days overdue"."""
    if s.done_on is not None:
        return f"done {when(s.done_on)}", False
    late = s.overdue_days(as_of)
    if late:
        return f"not done, {plural(late, 'day')} overdue", True
    return (f"due {when(s.due_date)}" if s.due_date else "not done"), False


def title_block(title: str, lines: Sequence[str]) -> list[Flowable]:
    """The document's own title and the facts under it (home, period, as-at date)."""
    out: list[Flowable] = [para(title, style("Title"))]
    out += [para(line, style("Subtitle")) for line in lines if line]
    return out


def heading(text: str, level: int = 1) -> Paragraph:
    return para(text, style(f"H{level}"))


def body(text: str) -> Paragraph:
    return para(text, style("Body"))


def muted(text: str) -> Paragraph:
    return para(text, style("Muted"))


def bullets(items: Sequence[str], style_name: str = "Bullet") -> list[Flowable]:
    return [Paragraph(escape(item), style(style_name), bulletText="•") for item in items]


# --- measures ----------------------------------------------------------------------------------


def value_text(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    return f"{number(value)}\u00a0%" if unit.strip() == "%" else number(value)


def target_text(m: MeasureSeries) -> str:
    text = value_text(m.target, m.unit)
    if m.target_kind == TargetKind.RELATIVE.value:
        sign = "−" if m.target_setting < 0 else "+"
        text += f" ({sign}{number(abs(m.target_setting))} % on the baseline)"
    if m.target_date is not None:
        text += f" by {when(m.target_date)}"
    return text


def change_text(m: MeasureSeries) -> str:
    """How far the latest point is from the baseline, the way a manager would say it."""
    if m.latest is None:
        return "No points recorded yet."
    if m.unit.strip() == "%":
        diff = m.latest - m.baseline
        word = "up" if diff >= 0 else "down"
        return f"{word} {number(abs(diff))} percentage points on the baseline of {number(m.baseline)} %"
    if m.change_percent is None:
        return f"baseline {number(m.baseline)}"
    word = "below" if m.change_percent < 0 else "above"
    return f"{pct(abs(m.change_percent))} {word} the baseline of {number(m.baseline)}"


def reading_text(m: MeasureSeries) -> str:
    point = m.latest_point
    if point is None:
        return "No points have been recorded for this measure yet, so there is no chart."
    parts = [
        m.reading.sentence,
        f"Latest {value_text(point.value, m.unit)} (period starting {when(point.period_start)}): "
        f"{change_text(m)}.",
        f"Progress: {m.progress_label}.",
    ]
    return " ".join(parts)


def measure_block(m: MeasureSeries, width: float = PORTRAIT_WIDTH) -> list[Flowable]:
    """Heading, facts, chart and reading, kept together on one page (and with a heading before
    them: KeepTogether would not join a preceding keep-with-next heading, so each part is marked
    keep-with-next instead)."""
    better = "lower" if m.direction == Direction.LOWER.value else "higher"
    facts = (
        f"Baseline {value_text(m.baseline, m.unit)}"
        + (f" {m.unit}" if m.unit and m.unit.strip() != "%" else "")
        + (f" ({m.baseline_period})" if m.baseline_period else "")
        + f" · Target {target_text(m)} · {better.capitalize()} is better"
        + (f" · Source: {m.data_source}" if m.data_source else "")
    )
    parts: list[Flowable] = [
        para(f"{m.name} ({m.action_reference})", style("H3")),
        para(facts, style("Small")),
        Spacer(1, 2 * mm),
    ]
    if m.points:
        parts.append(IconKey(m.reading))
        parts.append(spc_chart(m, width))
    for part in parts:
        keep_with_next(part)
    parts.append(para(reading_text(m), style("Body")))
    if m.points and m.reading.caption:
        parts.append(para(m.reading.caption, style("Small")))
    return parts


# --- actions -----------------------------------------------------------------------------------


def action_cell(a: ActionLine, *, show_finding: bool = False) -> list[Flowable]:
    cell: list[Flowable] = [para(a.title, style("Cell"))]
    if show_finding:
        cell.append(para(f"{a.finding_reference} {a.finding_title}", style("CellSmall")))
    if a.flag:
        cell.append(para(f"⚑ {a.flag} (closed {when(a.closed_on)})", style("CellFlag")))
    if a.reopen_count and not a.closed:
        cell.append(para(f"Reopened {when(a.reopened_on)} ({a.reopen_count}×)", style("CellFlag")))
    return cell


def register_table(lines: Sequence[ActionLine], as_of: date, *, width: float) -> Flowable:
    if not lines:
        return muted("There are no actions on any plan yet.")
    rows = []
    for a in lines:
        review = when(a.next_review) if not a.closed else "—"
        overdue = a.review_overdue_days(as_of)
        if overdue:
            review += f" ({overdue} days overdue)"
        rows.append(
            [
                a.reference,
                # Just the title (a plain string when it fits) unless there is a flag to show.
                action_cell(a) if a.flag or (a.reopen_count and not a.closed) else a.title,
                f"{a.lead}\n{a.lead_role}".strip(),
                a.status if not a.closed else f"Closed {when(a.closed_on)}",
                rag_cell(a.rag),
                review,
                when(a.due_date),
                f"{a.steps_done} of {a.steps_total}",
            ]
        )
    return data_table(
        ["Ref", "Action", "Accountable lead", "Status", "RAG", "Next review", "Due", "Steps"],
        rows,
        [0.075, 0.26, 0.155, 0.11, 0.09, 0.115, 0.115, 0.08],
        total_width=width,
    )


def override_box(lines: Sequence[ActionLine], *, width: float) -> Flowable | None:
    """Every action closed without full evidence, in a red-edged box with who and why."""
    flagged = [a for a in lines if a.flag]
    if not flagged:
        return None
    parts: list[Flowable] = [
        para(f"⚑ Closed without full evidence ({len(flagged)})", style("Flag"))
    ]
    for a in flagged:
        parts.append(
            para(
                f"{a.label} — closed {when(a.closed_on)} by {a.closed_by or 'unknown'}. "
                f"Reason recorded: {a.override_reason or a.closure_rationale or 'none'}",
                style("BodyTight"),
            )
        )
    return boxed(parts, total_width=width, warning=True)


def gaps_section(gaps: Sequence[ProgressGap]) -> list[Flowable]:
    if not gaps:
        return [muted("There are no open actions.")]
    out: list[Flowable] = []
    for gap in gaps:
        a = gap.action
        out.append(para(f"{a.label} — {a.lead}", style("H3")))
        if not gap.unmet:
            out.append(
                body(
                    "Every closure condition is met apart from the manager's sign-off: "
                    "this action is ready to close."
                )
            )
            continue
        out += bullets([f"{label}: {why}" for label, why in gap.unmet])
    return out
