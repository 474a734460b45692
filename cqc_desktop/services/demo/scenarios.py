"""What each step of a demo scenario does (the ``"do"`` of an event in resources/demo/*.json),
through the same services a user's actions go through. Events run in file order, which is date
order per action, because each review sets the action's next review date.

Incidents carry the scenario's own rules: each is reviewed, shared at a handover and its actions
completed; a repeat fall reopens the first fall and the action; the incident measure is counted
from the incidents.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...models import Action, MeetingItem
from ...models.enums import MeetingDecision
from ..governance.audit_runs import record_audit_run
from ..governance.meetings import add_meeting_item
from ..governance.minutes import record_item_minute
from ..plans.actions import close_with_override, record_review, reopen_action
from ..plans.evidence import EvidenceInput, add_evidence
from ..plans.measure_data import record_point
from ..plans.measure_reading import record_change
from ..records import incidents, logs
from ..records.trackers import add_tracker_entry
from .data import action_title

if TYPE_CHECKING:
    from .loader import DemoContext

CARE_PLAN_ACTION = action_title("care_plan_reviews", "care_plans")
INCIDENT_ACTION = action_title("incident_learning", "incidents")
RATING_ACTION = action_title("smaller_actions", "rating")
SUPERVISION_ACTION = action_title("smaller_actions", "supervision")
CLOSE, NOTE = MeetingDecision.CLOSE.value, MeetingDecision.NOTE.value

Event = dict[str, Any]


def _meeting_key(event: Event) -> str:
    kind: str = event["meeting"]
    return f"weekly:{event['weeks_ago']}" if kind == "weekly" else kind


def _minute(
    ctx: DemoContext, e: Event, title: str, kind: str, text: str, decision: str, about: Any = None
) -> MeetingItem | None:
    """An item at the event's meeting, minuted (None: that meeting is after today)."""
    meeting = ctx.meetings.get(_meeting_key(e))
    if meeting is None:
        return None
    item = add_meeting_item(ctx.session, meeting.id, title, kind, action_id=about and about.id)
    owner, due = e.get("owner"), e.get("due")
    said = (text, e.get("challenge", ""), e.get("assurance", ""), decision)
    owner_id = ctx.pid(owner) if owner else None
    due_date = ctx.date(due, due=True) if due else None
    record_item_minute(ctx.session, item.id, *said, owner_id=owner_id, due_date=due_date)
    if about is ctx.action:  # kept for evidence that cites the minute
        ctx.items[(_meeting_key(e), ctx.key)] = item
    return item


def points(ctx: DemoContext, e: Event) -> None:
    """A weekly series from ``first``: plain ``values``, or ``numerators`` over a ``denominator``
    recorded as a percentage."""
    first, whole = ctx.date(e["first"]), e.get("denominator")
    for i, part in enumerate(e["numerators"] if whole else e["values"]):
        value = round(part / whole * 100, 1) if whole else part
        shares = {"numerator": part, "denominator": whole} if whole else {}
        week = first + timedelta(weeks=i)
        record_point(ctx.session, ctx.measure.id, week, value, e.get("note", ""), **shares)


def change(ctx: DemoContext, e: Event) -> None:
    """The date the change was made, from the step that made it: the measure's limits are worked
    out afresh from there once the points show a sustained shift."""
    step = sorted(ctx.action.steps, key=lambda s: s.id)[e["step"]]
    record_change(ctx.session, ctx.measure.id, ctx.today, "", step_id=step.id, today=ctx.today)


def tracker_rows(ctx: DemoContext, e: Event) -> None:
    tracker = ctx.trackers[e["tracker"]]
    for row in e["rows"]:
        values = {k: ctx.value(k, v) for k, v in row["values"].items()}
        add_tracker_entry(ctx.session, tracker.id, values, recorded_by_id=ctx.pid(row["by"]))


def audit(ctx: DemoContext, e: Event) -> None:
    """An audit run: "Yes" to every question but those under ``no`` and ``not_applicable``."""
    template = ctx.templates[e["template"]]
    questions = [q["key"] for sec in template.definition["sections"] for q in sec["questions"]]
    answers = {k: "No" if k in e.get("no", ()) else "Yes" for k in questions}
    answers.update(dict.fromkeys(e.get("not_applicable", ()), "N/A"))
    comments = {k: ctx.text(v) for k, v in e.get("comments", {}).items()}
    run = record_audit_run(
        ctx.session,
        template.id,
        ctx.service.id,
        answers=answers,
        comments=comments,
        **ctx.args(e["run"]),
    )
    # record_audit_run has no action parameter, so the link is set on the model directly.
    run.action_id = ctx.action.id
    ctx.session.flush()
    ctx.refs[e["key"]] = run


def observation(ctx: DemoContext, e: Event) -> None:
    """An observation; ``prompts_not_seen`` lists the area's prompts that were not met."""
    results: dict[str, str | bool] | None = None
    if "prompts_not_seen" in e:
        results = {p: p not in e["prompts_not_seen"] for p in logs.observation_prompts(e["area"])}
    at = datetime.combine(ctx.date(e["on"]), time.fromisoformat(e["time"]))
    data = ctx.inputs(
        logs.ObservationInput, e, observed_at=at, prompt_results=results, action_id=ctx.action.id
    )
    ctx.refs[e["key"]] = logs.add_observation(ctx.session, ctx.service.id, data)


def log(ctx: DemoContext, e: Event) -> None:
    _log(ctx, e["kind"], ctx.date(e["on"]), e["by"], ctx.text(e["text"]), ctx.action)


def _log(ctx: DemoContext, kind: str, on: date, by: str, text: str, about: Action | None) -> None:
    link = about.id if about else None
    logs.add_log_entry(ctx.session, ctx.service.id, kind, on, ctx.pid(by), text, link)


def review(ctx: DemoContext, e: Event) -> None:
    """A review minuted at a meeting and linked to its item, or on a day of its own. A weekly
    meeting after today has not happened, so its review is left out. A "Close" decision closes
    the action with a recorded override of the closure gate."""
    text, item = ctx.text(e["progress"], e.get("dates")), None
    if "meeting" in e:
        if _meeting_key(e) not in ctx.meetings:
            return
        if _meeting_key(e) == ctx.latest_weekly:
            text += e.get("progress_when_latest", "")
        title = f"{ctx.action.reference} {ctx.action.title}"
        item = _minute(ctx, e, title, "Action review", text, e["decision"], ctx.action)
    on = item.meeting.held_on if item else ctx.date(e["on"])
    link: dict[str, Any] = {"meeting_item_id": item.id if item else None}
    if e["decision"] == CLOSE:
        by = ctx.people[e["reviewer"]]
        close_with_override(
            ctx.session, ctx.action, signed_off_by=by, reason=text, today=on, **link
        )
        return
    said = ctx.args({k: e[k] for k in ("reviewer", "rag", "decision", "level") if k in e})
    record_review(
        ctx.session, ctx.action.id, review_date=on, progress=text, today=ctx.today, **link, **said
    )


def note(ctx: DemoContext, e: Event) -> None:
    """A noted item at a meeting, about another action where ``action`` names one."""
    about = ctx.actions[e["action"]] if "action" in e else None
    _minute(ctx, e, e["title"], e["kind"], e["minute"], NOTE, about)


def evidence(ctx: DemoContext, e: Event) -> None:
    """Evidence, linked to what it rests on; files are attached when the app keeps them."""
    links = {
        f"{k}_id": ctx.refs[e[k]].id for k in ("observation", "incident", "audit_run") if k in e
    }
    if "minute_of" in e:
        links["meeting_item_id"] = ctx.items[(_meeting_key(e["minute_of"]), ctx.key)].id
    folder = ctx.attachments_dir
    files = [_file(ctx, ctx.data["files"][name]) for name in e.get("files", ()) if folder]
    add_evidence(
        ctx.session,
        ctx.action.id,
        ctx.inputs(EvidenceInput, e, **links),
        files=files or None,
        attachments_dir=folder if files else None,
        today=ctx.today,
    )


def _file(ctx: DemoContext, spec: dict[str, Any]) -> Path:
    """A small text file standing in for a scanned summary a home would attach; a line per point
    of the action's measure where ``line_per_point`` asks for one."""
    lines = [ctx.text(line, spec.get("dates")) for line in spec["lines"]]
    for p in sorted(ctx.measure.points, key=lambda p: p.period_start):
        if "line_per_point" in spec:
            lines.append(ctx.text(spec["line_per_point"], week=p.period_start, value=p.value))
    path: Path = ctx.scratch / spec["name"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- incidents ---------------------------------------------------------------------------------


def incident(ctx: DemoContext, e: Event) -> None:
    """Logged, given its management review, shared at a handover and its actions completed."""
    s, sid, usual, on = (
        ctx.session,
        ctx.service.id,
        ctx.data["incident_defaults"],
        ctx.date(e["on"]),
    )
    inc = incidents.log_incident(
        s,
        sid,
        occurred_at=datetime.combine(on, time(e["hour"])),
        immediate_action=usual["immediate_action"],
        action_id=ctx.action.id,
        today=ctx.today,
        **ctx.args(e["logged"]),
    )
    controls = usual["immediate_controls"]
    incidents.review_incident(s, inc.id, immediate_controls=controls, **ctx.args(e["review"]))
    lead, learning = ctx.pid(usual["handover_lead"]), f"{inc.reference}: {inc.learning_point}"
    handover = logs.record_handover(
        s,
        sid,
        lead_id=lead,
        learning_points=learning,
        action_id=ctx.action.id,
        **ctx.args(e["handover"]),
    )
    incidents.share_incident_at_handover(s, inc.id, handover.id)
    done = ctx.date(e["actions_completed_on"])
    incidents.complete_incident_actions(s, inc.id, done, usual["closure_evidence"])
    if "repeat_of" in e:
        _repeat(ctx, e, on)
    ctx.refs[e["key"]] = inc
    ctx.incidents.append(inc)


def _repeat(ctx: DemoContext, e: Event, on: date) -> None:
    """A repeat shows the first incident's learning did not stick: it and the action reopen."""
    s, repeat = ctx.session, e["repeat_of"]
    first = ctx.refs[repeat["incident"]]
    first_on = first.occurred_at.date()
    incidents.reopen_incident(s, first.id, on)
    later = on + timedelta(days=repeat["completed_days_later"])
    incidents.complete_incident_actions(s, first.id, later, repeat["closure_evidence"])
    facts = {"person_ref": e["logged"]["person_ref"], "on": on, "first": first_on}
    reason = ctx.text(repeat["reopen_reason"], days=(on - first_on).days, **facts)
    reopen_action(s, ctx.action, by=ctx.people[repeat["by"]], today=on, reason=reason)
    text = ctx.text(repeat["log"]["text"], **facts)
    _log(ctx, repeat["log"]["kind"], on, repeat["by"], text, ctx.action)


def points_from_incidents(ctx: DemoContext, e: Event) -> None:
    """Each week's share of incidents reviewed, actioned and shared within 7 days."""
    for week in ctx.weeks:
        mine = [i for i in ctx.incidents if week <= i.occurred_at.date() < week + timedelta(7)]
        if mine:
            ok = sum(1 for i in mine if incidents.learning_within_days(i))
            note = e["note_when_reopened"] if any(i.reopened_on for i in mine) else ""
            value = round(ok / len(mine) * 100, 1)
            record_point(
                ctx.session, ctx.measure.id, week, value, note, numerator=ok, denominator=len(mine)
            )


_RECORDS = (points, change, tracker_rows, audit, observation, log, evidence)
_INCIDENTS = (incident, points_from_incidents)
STEPS: dict[str, Callable[[DemoContext, Event], None]] = {
    step.__name__: step for step in (*_RECORDS, review, note, *_INCIDENTS)
}
