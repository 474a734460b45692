"""What each step of a demo scenario does (the ``"do"`` of an event in resources/demo/*.json),
through the same services a user's actions go through. Events run in file order, which is date
order per action, because each review sets the action's next review date.

Incidents carry the scenario's own rules: each is reviewed, shared at a handover and its actions
completed; a repeat fall reopens the first fall and the action; the incident measure is counted
from the incidents; every weekly meeting notes the last seven days' incidents.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...models import MeetingItem
from ...models.enums import MeetingDecision, ReviewLevel, Shift
from ..governance.audit_runs import record_audit_run
from ..governance.meetings import add_meeting_item
from ..governance.minutes import record_item_minute
from ..plans.actions import close_with_override, record_review, reopen_action
from ..plans.evidence import EvidenceInput, add_evidence
from ..plans.measure_data import record_point
from ..records import incidents as inc_service
from ..records.incidents import learning_within_days
from ..records.logs import (
    ObservationInput,
    add_log_entry,
    add_observation,
    observation_prompts,
    record_handover,
)
from ..records.trackers import add_tracker_entry
from .data import action_title

if TYPE_CHECKING:
    from .loader import DemoContext

CARE_PLAN_ACTION = action_title("care_plan_reviews", "care_plans")
INCIDENT_ACTION = action_title("incident_learning", "incidents")
RATING_ACTION = action_title("smaller_actions", "rating")
SUPERVISION_ACTION = action_title("smaller_actions", "supervision")
NOT_NOTIFIED = "Not required"

Event = dict[str, Any]


def _meeting_key(event: Event) -> str:
    kind: str = event["meeting"]
    return f"weekly:{event['weeks_ago']}" if kind == "weekly" else kind


def _minute(
    ctx: DemoContext, e: Event, title: str, kind: str, text: str, decision: str, about: Any = None
) -> MeetingItem | None:
    """An item at the event's meeting, minuted (None: the meeting is after today)."""
    meeting = ctx.meetings.get(_meeting_key(e))
    if meeting is None:
        return None
    item = add_meeting_item(ctx.session, meeting.id, title, kind, action_id=about and about.id)
    owner, due = e.get("owner"), e.get("due")
    said = (text, e.get("challenge", ""), e.get("assurance", ""), decision)
    owner_id = ctx.pid(owner) if owner else None
    due_date = ctx.when(due, due=True) if due else None
    record_item_minute(ctx.session, item.id, *said, owner_id=owner_id, due_date=due_date)
    return item


def _review_item(ctx: DemoContext, e: Event, text: str, decision: str) -> MeetingItem | None:
    """The action's own item at the meeting, kept for evidence that cites the minute."""
    title = f"{ctx.action.reference} {ctx.action.title}"
    item = _minute(ctx, e, title, "Action review", text, decision, ctx.action)
    if item is not None:
        ctx.items[(_meeting_key(e), ctx.key)] = item
    return item


def points(ctx: DemoContext, e: Event) -> None:
    """A weekly series from ``first``: plain ``values``, or ``numerators`` over a ``denominator``
    recorded as a percentage."""
    first, whole = ctx.when(e["first"]), e.get("denominator")
    for i, part in enumerate(e["numerators"] if whole else e["values"]):
        value = round(part / whole * 100, 1) if whole else part
        shares = {"numerator": part, "denominator": whole} if whole else {}
        week = first + timedelta(weeks=i)
        record_point(ctx.session, ctx.measure.id, week, value, e.get("note", ""), **shares)


def tracker_rows(ctx: DemoContext, e: Event) -> None:
    tracker = ctx.trackers[e["tracker"]]
    for row in e["rows"]:
        values = {k: ctx.cal.value(k, v) for k, v in row["values"].items()}
        add_tracker_entry(ctx.session, tracker.id, values, recorded_by_id=ctx.pid(row["by"]))


def audit(ctx: DemoContext, e: Event) -> None:
    """An audit run: "Yes" to every question but those under ``no`` and ``not_applicable``."""
    template = ctx.templates[e["template"]]
    questions = [q["key"] for sec in template.definition["sections"] for q in sec["questions"]]
    answers = {k: "No" if k in e.get("no", ()) else "Yes" for k in questions}
    answers.update(dict.fromkeys(e.get("not_applicable", ()), "N/A"))
    comments = {k: ctx.cal.text(v) for k, v in e.get("comments", {}).items()}
    who = (ctx.service.id, ctx.when(e["on"]), ctx.pid(e["by"]))
    extra = {"sample_size": e.get("sample_size"), "notes": e.get("notes", "")}
    run = record_audit_run(ctx.session, template.id, *who, answers, comments, **extra)
    # record_audit_run has no action parameter, so the link is set on the model directly.
    run.action_id = ctx.action.id
    ctx.session.flush()
    ctx.refs[e["key"]] = run


def observation(ctx: DemoContext, e: Event) -> None:
    """An observation; ``prompts_not_seen`` lists the area's prompts that were not met."""
    results: dict[str, str | bool] | None = None
    if "prompts_not_seen" in e:
        results = {p: p not in e["prompts_not_seen"] for p in observation_prompts(e["area"])}
    at = datetime.combine(ctx.when(e["on"]), time.fromisoformat(e["time"]))
    data = ctx.inputs(
        ObservationInput, e, observed_at=at, prompt_results=results, action_id=ctx.action.id
    )
    ctx.refs[e["key"]] = add_observation(ctx.session, ctx.service.id, data)


def log(ctx: DemoContext, e: Event) -> None:
    text, on = ctx.cal.text(e["text"]), ctx.when(e["on"])
    add_log_entry(ctx.session, ctx.service.id, e["kind"], on, ctx.pid(e["by"]), text, ctx.action.id)


def review(ctx: DemoContext, e: Event) -> None:
    """A review minuted at a meeting and linked to its item, or on a day of its own. A weekly
    meeting after today has not happened, so its review is left out."""
    progress, item = ctx.cal.text(e["progress"]), None
    if "meeting" in e:
        if _meeting_key(e) not in ctx.meetings:
            return
        if _meeting_key(e) == ctx.latest_weekly:
            progress += e.get("progress_when_latest", "")
        item = _review_item(ctx, e, progress, e["decision"])
    on = item.meeting.held_on if item else ctx.when(e["on"])
    level = e.get("level", ReviewLevel.MANAGER.value)
    said = {"progress": progress, "rag": e["rag"], "decision": e["decision"], "level": level}
    link = {"meeting_item_id": item.id if item else None, "today": ctx.today}
    by = {"review_date": on, "reviewer_id": ctx.pid(e["reviewer"])}
    record_review(ctx.session, ctx.action.id, **by, **said, **link)


def note(ctx: DemoContext, e: Event) -> None:
    """A noted item at a meeting, about another action where ``action`` names one."""
    about = ctx.actions[e["action"]] if "action" in e else None
    _minute(ctx, e, e["title"], e["kind"], e["minute"], MeetingDecision.NOTE.value, about)


def close(ctx: DemoContext, e: Event) -> None:
    """Closed at a meeting with a recorded override of the closure gate."""
    reason = ctx.cal.text(e["reason"], e.get("dates"))
    item = _review_item(ctx, e, reason, MeetingDecision.CLOSE.value)
    assert item is not None, "an action is only closed at a meeting that has happened"
    how = {"signed_off_by": ctx.people[e["signed_off_by"]], "reason": reason}
    at = {"today": item.meeting.held_on, "meeting_item_id": item.id}
    close_with_override(ctx.session, ctx.action, **how, **at)


def evidence(ctx: DemoContext, e: Event) -> None:
    """Evidence, linked to what it rests on; files are attached when the app keeps them."""
    links = {
        f"{k}_id": ctx.refs[e[k]].id for k in ("observation", "incident", "audit_run") if k in e
    }
    if "minute_of" in e:
        links["meeting_item_id"] = ctx.items[(_meeting_key(e["minute_of"]), ctx.key)].id
    folder = ctx.attachments_dir
    files = [_file(ctx, ctx.data["files"][name]) for name in e.get("files", ()) if folder]
    data = ctx.inputs(EvidenceInput, e, **links)
    kept = {"files": files, "attachments_dir": folder} if files else {}
    add_evidence(ctx.session, ctx.action.id, data, **kept, today=ctx.today)


def _file(ctx: DemoContext, spec: dict[str, Any]) -> Path:
    """A small text file standing in for a scanned summary a home would attach; a line per point
    of the action's measure where ``line_per_point`` asks for one."""
    lines = [ctx.cal.text(line, spec.get("dates")) for line in spec["lines"]]
    if "line_per_point" in spec:
        shown = sorted(ctx.measure.points, key=lambda p: p.period_start)
        lines += [
            ctx.cal.text(spec["line_per_point"], week=p.period_start, value=p.value) for p in shown
        ]
    path = ctx.scratch / spec["name"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- incidents ---------------------------------------------------------------------------------


def incident(ctx: DemoContext, e: Event) -> None:
    """Logged, reviewed by the manager, shared at a handover and its actions completed."""
    s, sid, usual, on = (
        ctx.session,
        ctx.service.id,
        ctx.data["incident_defaults"],
        ctx.when(e["on"]),
    )
    what = {k: e[k] for k in ("incident_type", "severity", "person_ref", "location", "description")}
    by = {"reported_by": ctx.cal.text(e["reported_by"]), "action_id": ctx.action.id}
    at = datetime.combine(on, time(e["hour"]))
    first_aid = usual["immediate_action"]
    inc = inc_service.log_incident(
        s, sid, occurred_at=at, immediate_action=first_aid, today=ctx.today, **what, **by
    )
    reviewed = min(on + timedelta(days=e["review_days"]), ctx.today)
    done = min(on + timedelta(days=e["done_days"]), ctx.today)
    notify = e.get("cqc_notification", NOT_NOTIFIED)
    family, safeguarding = e.get("family_informed", True), e.get("safeguarding", False)
    told = {
        "cqc_notified_on": reviewed if notify != NOT_NOTIFIED else None,
        "safeguarding_referral": safeguarding,
        "safeguarding_referred_on": on if safeguarding else None,
        "family_informed": family,
        "family_informed_on": on if family else None,
        "learning_point": e["learning_point"],
    }
    reviewer, controls = ctx.pid(e["reviewed_by"]), usual["immediate_controls"]
    inc_service.review_incident(s, inc.id, reviewer, reviewed, controls, notify, **told)
    shared = e["handover"]
    lead, staff = ctx.pid(usual["handover_lead"]), ctx.cal.text(shared["staff_present"])
    learning = f"{inc.reference}: {e['learning_point']}"
    checked = shared.get("understanding_checked", True)
    handover = record_handover(
        s, sid, done if e["done_days"] > 7 else reviewed, Shift(shared["shift"]), lead, staff,
        learning, understanding_checked=checked, action_id=ctx.action.id,
    )  # fmt: skip
    inc_service.share_incident_at_handover(s, inc.id, handover.id)
    inc_service.complete_incident_actions(s, inc.id, done, usual["closure_evidence"])
    if "repeat_of" in e:
        _repeat(ctx, e, on)
    ctx.refs[e["key"]] = inc
    ctx.incidents.append(inc)


def _repeat(ctx: DemoContext, e: Event, on: date) -> None:
    """A repeat shows the first incident's learning did not stick: it and the action reopen."""
    s, repeat = ctx.session, e["repeat_of"]
    first = ctx.refs[repeat["incident"]]
    first_on = first.occurred_at.date()
    inc_service.reopen_incident(s, first.id, on)
    later = on + timedelta(days=repeat["completed_days_later"])
    inc_service.complete_incident_actions(s, first.id, later, repeat["closure_evidence"])
    facts = {"person_ref": e["person_ref"], "on": on, "first": first_on}
    reason = ctx.cal.text(repeat["reopen_reason"], days=(on - first_on).days, **facts)
    reopen_action(s, ctx.action, by=ctx.people[repeat["by"]], today=on, reason=reason)
    text = ctx.cal.text(repeat["log"]["text"], **facts)
    by, kind = ctx.pid(repeat["by"]), repeat["log"]["kind"]
    add_log_entry(s, ctx.service.id, kind, on, by, text, ctx.action.id)


def points_from_incidents(ctx: DemoContext, e: Event) -> None:
    """Each week's share of incidents reviewed, actioned and shared within 7 days."""
    for week in ctx.weeks:
        mine = [i for i in ctx.incidents if week <= i.occurred_at.date() < week + timedelta(7)]
        if mine:
            ok = sum(1 for i in mine if learning_within_days(i))
            note = e["note_when_reopened"] if any(i.reopened_on for i in mine) else ""
            value = round(ok / len(mine) * 100, 1)
            shares = {"numerator": ok, "denominator": len(mine)}
            record_point(ctx.session, ctx.measure.id, week, value, note, **shares)


def incident_notes(ctx: DemoContext, e: Event) -> None:
    """Every weekly meeting notes the incidents of the seven days before it."""
    for key, meeting in sorted(ctx.meetings.items(), key=lambda km: km[1].held_on):
        if key.startswith("weekly:"):
            since = meeting.held_on - timedelta(days=7)
            last = [i for i in ctx.incidents if since <= i.occurred_at.date() < meeting.held_on]
            same_day = sum(1 for i in last if i.reviewed_on == i.occurred_at.date())
            text = e["minute"].format(count=len(last), same_day=same_day) if last else e["none"]
            week = {"meeting": "weekly", "weeks_ago": int(key.split(":")[1])}
            _minute(ctx, week, e["title"], e["kind"], text, MeetingDecision.NOTE.value)


_RECORDS = (points, tracker_rows, audit, observation, log, evidence)
_MEETINGS = (review, note, close)
_INCIDENTS = (incident, points_from_incidents, incident_notes)
STEPS: dict[str, Callable[[DemoContext, Event], None]] = {
    step.__name__: step for step in (*_RECORDS, *_MEETINGS, *_INCIDENTS)
}
