"""Demo data: one care home twelve weeks into a CQC recovery plan, built from the worked scenarios.

The content is data (resources/demo/*.json: ``home.json`` and one file per scenario); this module
reads it and enters everything through the same services the app uses (validation on), so the demo
cannot hold data the app itself would refuse. All dates are relative to ``today``, so the same
``today`` always gives the same database. Nothing is committed here: the caller (the CLI's
``--demo``) owns the transaction. ``scenarios`` holds what each step of a scenario does.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ... import models
from ..errors import ServiceError
from ..governance.audits import install_builtin_audit_templates
from ..governance.meetings import approve_minutes, create_meeting
from ..plans.actions import ActionInput, StepInput, create_action
from ..plans.measure_data import MeasureInput, create_measure
from ..plans.plans import FindingInput, PlanInput, create_finding, create_plan
from ..records.logs import add_log_entry
from ..records.trackers import install_builtin_trackers
from ..setup.people import create_person, create_service
from ..trust.permissions import Permission, require
from . import scenarios
from .data import Calendar, DemoDataError, action_title, read

MEDICINES_ACTION = action_title("late_medicines", "medicines")


class DatabaseNotEmpty(ServiceError):
    def __init__(self) -> None:
        super().__init__(
            "This database already has data in it; the demo is only loaded into an empty "
            "database. Use a new file with --db."
        )


@dataclass(frozen=True)
class DemoSummary:
    """What was created, counted from the database, for the CLI to print."""

    homes: int
    people: int
    plans: int
    findings: int
    actions: int
    reviews: int
    measures: int
    measure_points: int
    evidence: int
    attachments: int
    tracker_entries: int
    observations: int
    incidents: int
    handovers: int
    log_entries: int
    audit_runs: int
    meetings: int

    def describe(self) -> str:
        def plural(name: str) -> str:
            n, (one, many) = getattr(self, name), WORDS[name]
            return f"{n} {one if n == 1 else many}"

        parts = [plural(f.name) for f in fields(self) if f.name != "measure_points"]
        parts[6] += f" ({plural('measure_points')})"
        return "Demo data created: " + ", ".join(parts) + "."


# Each DemoSummary field: the table it counts and how one and many are said.
COUNTED: dict[str, tuple[type[models.Base], str, str]] = {
    "homes": (models.Service, "home", "homes"),
    "people": (models.Person, "person", "people"),
    "plans": (models.Plan, "plan", "plans"),
    "findings": (models.Finding, "finding", "findings"),
    "actions": (models.Action, "action", "actions"),
    "reviews": (models.Review, "review", "reviews"),
    "measures": (models.Measure, "measure", "measures"),
    "measure_points": (models.MeasurePoint, "point", "points"),
    "evidence": (models.Evidence, "evidence item", "evidence items"),
    "attachments": (models.Attachment, "attached file", "attached files"),
    "tracker_entries": (models.TrackerEntry, "tracker row", "tracker rows"),
    "observations": (models.Observation, "observation", "observations"),
    "incidents": (models.Incident, "incident", "incidents"),
    "handovers": (models.HandoverRecord, "handover", "handovers"),
    "log_entries": (models.LogEntry, "log entry", "log entries"),
    "audit_runs": (models.AuditRun, "audit run", "audit runs"),
    "meetings": (models.Meeting, "meeting", "meetings"),
}
WORDS = {name: (one, many) for name, (_, one, many) in COUNTED.items()}


@dataclass(kw_only=True)
class DemoContext(Calendar):
    """The shared state of one demo build: the home, its meetings, what the scenarios have made
    so far (by the keys the data files give them) and the action being built."""

    session: Session
    service: models.Service
    # Mondays of the plan's weeks, oldest first; the last is the week containing ``today``.
    weeks: list[date]
    trackers: dict[str, models.Tracker]
    templates: dict[str, models.AuditTemplate]
    scratch: Path  # where files are written before evidence copies them
    attachments_dir: Path | None = None
    # "weekly:<weeks_ago>", "quality", "provider"; a weekly meeting due after today is not made.
    meetings: dict[str, models.Meeting] = field(default_factory=dict)
    plans: dict[str, models.Plan] = field(default_factory=dict)
    actions: dict[str, models.Action] = field(default_factory=dict)
    measures: dict[str, models.Measure] = field(default_factory=dict)
    refs: dict[str, Any] = field(default_factory=dict)  # observations, audit runs, incidents
    items: dict[tuple[str, str], models.MeetingItem] = field(default_factory=dict)
    incidents: list[models.Incident] = field(default_factory=list)
    key: str = ""  # the action being built, and the file it comes from
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def action(self) -> models.Action:
        return self.actions[self.key]

    @property
    def measure(self) -> models.Measure:
        return self.measures[self.key]

    @property
    def latest_weekly(self) -> str:
        weekly = [k for k in self.meetings if k.startswith("weekly:")]
        return max(weekly, key=lambda k: self.meetings[k].held_on)


def seed_demo(session: Session, today: date, attachments_dir: Path | None = None) -> DemoSummary:
    """Fill an empty database with the demo home. Raises DatabaseNotEmpty if any home exists."""
    require(session, Permission.MANAGE)
    if session.scalar(select(func.count()).select_from(models.Service)):
        raise DatabaseNotEmpty()
    home = read("home")
    with tempfile.TemporaryDirectory(prefix="cqc-demo-") as tmp:
        ctx = _guarded("home", lambda: _home(session, today, home, Path(tmp)))
        ctx.attachments_dir = attachments_dir
        for name in home["scenarios"]:
            _guarded(name, lambda name=name: _scenario(ctx, read(name)))
    _guarded("home", lambda: _after(ctx, home))
    count = {
        name: session.scalar(select(func.count()).select_from(m)) or 0
        for name, (m, *_) in COUNTED.items()
    }
    return DemoSummary(**count)


def _guarded(name: str, build: Any) -> Any:
    """Run ``build``, naming the file when its data lacks something the loader needs."""
    try:
        return build()
    except (KeyError, TypeError, IndexError, AttributeError) as exc:
        raise DemoDataError(
            f"The demo data file resources/demo/{name}.json is malformed: {exc!r} is missing or "
            "of the wrong kind."
        ) from exc


def _home(session: Session, today: date, home: dict[str, Any], scratch: Path) -> DemoContext:
    about = dict(home["home"])  # a copy: read() keeps the file's data for the next build
    service = create_service(session, about.pop("name"), **about)
    people = {
        p["key"]: create_person(
            session, p["name"], p["role"], service_id=None if p["provider_level"] else service.id
        )
        for p in home["people"]
    }
    monday = today - timedelta(days=today.weekday())
    ctx = DemoContext(
        today=today,
        people=people,
        home=service.name,
        session=session,
        service=service,
        weeks=[monday - timedelta(weeks=n) for n in reversed(range(home["weeks"]))],
        trackers={t.key: t for t in install_builtin_trackers(session, service.id)},
        templates={t.key: t for t in install_builtin_audit_templates(session) if t.current},
        scratch=scratch,
    )
    _plans(ctx, home)
    _meetings(ctx, home["meetings"])
    return ctx


def _plans(ctx: DemoContext, data: dict[str, Any]) -> None:
    for plan in data.get("plans", []):
        spec = {**plan, "dates": {"report_date": plan["report_date"]}}
        ctx.plans[plan["key"]] = create_plan(
            ctx.session, ctx.inputs(PlanInput, spec, service_id=ctx.service.id)
        )


def _meetings(ctx: DemoContext, meetings: dict[str, Any]) -> None:
    """Meetings are made first (as drafts) so each scenario can minute its own items; a weekly
    meeting whose day is after today is not made."""
    weekly, away = meetings["weekly"], meetings["weekly"]["apologies"]
    weeks = reversed(range(len(ctx.weeks)))
    made = [(f"weekly:{n}", weekly, {"weeks_ago": n, "day": weekly["day"]}) for n in weeks]
    made += [(key, meetings[key], meetings[key]["on"]) for key in ("quality", "provider")]
    for key, m, held in made:
        if ctx.date(held, due=True) <= ctx.today:
            off = away["person"] if m is weekly and held["weeks_ago"] in away["weeks_ago"] else ""
            home = None if m.get("provider_level") else ctx.service.id
            chair, present = ctx.pid(m["chair"]), [ctx.pid(k) for k in m["attendees"] if k != off]
            others = {"other_attendees": m.get("other_attendees", "")}
            others["apologies"] = ctx.text(away["text"]) if off else ""
            on = ctx.date(held)
            ctx.meetings[key] = create_meeting(
                ctx.session, m["meeting_type"], on, home, chair, present, **others
            )


def _scenario(ctx: DemoContext, data: dict[str, Any]) -> None:
    _plans(ctx, data)
    for item in data["actions"]:
        finding = create_finding(
            ctx.session, ctx.plans[item["plan"]].id, ctx.inputs(FindingInput, item["finding"])
        )
        spec = item["action"]
        steps = [ctx.inputs(StepInput, step) for step in spec["steps"]]
        ctx.key, ctx.data = spec["key"], data
        ctx.actions[ctx.key] = action = create_action(
            ctx.session,
            finding.id,
            ctx.inputs(ActionInput, spec, steps=steps),
            today=ctx.date(spec["created_on"]),
        )
        if "measure" in item:
            measure = ctx.inputs(MeasureInput, item["measure"])
            ctx.measures[ctx.key] = create_measure(ctx.session, action.id, measure)
        for event in item["events"]:
            scenarios.STEPS[event["do"]](ctx, event)


def _after(ctx: DemoContext, home: dict[str, Any]) -> None:
    """The routine logs a home keeps every week, then the minutes approved: every meeting's but
    the latest weekly one, still being typed up."""
    written: set[tuple[str, date]] = set()
    for entry in home["routine_logs"]:
        # Early in the current week a later entry lands on today; one of a kind a day is enough.
        on, kind = ctx.date(entry["on"]), entry["kind"]
        if (kind, on) not in written:
            written.add((kind, on))
            link = ctx.actions[entry["action"]].id if "action" in entry else None
            text, by = ctx.text(entry["text"]), ctx.pid(entry["by"])
            add_log_entry(ctx.session, ctx.service.id, kind, on, by, text, link)
    for key, meeting in ctx.meetings.items():
        rule = home["meetings"][key.split(":")[0]]
        if key != ctx.latest_weekly or not rule.get("latest_left_in_draft"):
            approved = meeting.held_on + timedelta(days=rule["approved_days_later"])
            approve_minutes(ctx.session, meeting.id, ctx.pid(rule["approved_by"]), approved)
