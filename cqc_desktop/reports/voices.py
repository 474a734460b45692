"""The report sections on complaints, feedback, notifications and the duty of candour, and
supervision, shared by the monthly QA report and the commissioner pack."""

from __future__ import annotations

from reportlab.platypus import Flowable

from ..services.reporting.voices import Voices
from .blocks import body, heading, muted
from .tables import data_table
from .text import plural, when


def complaints_section(v: Voices, width: float) -> list[Flowable]:
    c = v.complaints
    out: list[Flowable] = [heading("Complaint themes and response times")]
    if not c.received:
        out.append(
            body(
                f"No complaints were received in this period; compliments logged: {c.compliments}."
            )
        )
        return out
    typical = (
        f" The median time to a full response was {c.median_working_days:g} working days."
        if c.median_working_days is not None
        else ""
    )
    out.append(
        body(
            f"{plural(c.received, 'complaint')} received and {plural(c.compliments, 'compliment')} "
            f"logged. {c.acknowledged_on_time} of {c.received} acknowledged within 3 working days; "
            f"{c.answered_on_time} of {c.answered} answered within 20 working days."
            f"{typical} {c.upheld} of {c.answered} answered were upheld or partly upheld; "
            f"{c.overdue_now} {'has' if c.overdue_now == 1 else 'have'} a reply overdue."
        )
    )
    out.append(
        data_table(
            ["Theme (category)", "Complaints"],
            [[category, str(n)] for category, n in c.themes],
            [0.75, 0.25],
            total_width=width * 0.6,
            align_right=(1,),
        )
    )
    return out


def feedback_section(v: Voices, width: float) -> list[Flowable]:
    f = v.feedback
    out: list[Flowable] = [heading("Feedback from people, relatives, staff and partners")]
    if not f.total:
        return [*out, body("No feedback was recorded in this period.")]
    feel = ", ".join(
        f"{f.by_sentiment.get(s, 0)} {s.lower()}" for s in ("Positive", "Mixed", "Negative")
    )
    out.append(
        body(
            f"{plural(f.total, 'piece')} of feedback ({feel}); {f.partners} from partners, which "
            "count as evidence in CQC's “Feedback from partners” category."
        )
    )
    out.append(
        data_table(
            ["From", "Entries"],
            [[source, str(n)] for source, n in sorted(f.by_source.items(), key=lambda kv: -kv[1])],
            [0.75, 0.25],
            total_width=width * 0.6,
            align_right=(1,),
        )
    )
    return out


def notifications_section(v: Voices, width: float) -> list[Flowable]:
    out: list[Flowable] = [heading("Notifications and duty of candour on time")]
    if not v.notifications:
        return [
            *out,
            body("No incident in this period needed a statutory notification or candour."),
        ]
    out.append(
        body(
            f"{v.notifications_on_time} of {len(v.notifications)} made on time; "
            f"{v.notifications_late_or_missing} late or missing. Due dates follow the "
            "notification rules shipped with the app (CQC: by the day after the incident; "
            "candour: 10 working days)."
        )
    )
    out.append(
        data_table(
            ["Incident", "Notification", "Due", "Made", "On time?"],
            [
                [
                    f"{n.reference}\n{when(n.occurred_on)}",
                    n.name,
                    when(n.due),
                    when(n.done_on, "—"),
                    n.state,
                ]
                for n in v.notifications
            ],
            [0.17, 0.43, 0.13, 0.13, 0.14],
            total_width=width,
        )
    )
    return out


def supervision_section(v: Voices) -> list[Flowable]:
    s = v.supervision
    out: list[Flowable] = [heading("Supervision", 2)]
    if not s.people:
        return [*out, muted("No supervision has been recorded yet.")]
    done = s.people - s.overdue
    return [
        *out,
        body(
            f"Supervisions and competency checks held in the period: {s.held_in_period}; "
            f"{done} of {s.people} up to date ({round(100 * done / s.people)}%); "
            f"{s.overdue} overdue."
        ),
    ]


def voices_sections(v: Voices, width: float) -> list[Flowable]:
    return [
        *complaints_section(v, width),
        *feedback_section(v, width),
        *notifications_section(v, width),
        *supervision_section(v),
    ]
