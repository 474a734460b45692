"""Demo data, continued: scenarios 2 (care plans) and 3 (incident learning), the smaller actions,
routine logs and the governance meetings. Called from ``demo.seed_demo`` in date order per action,
because each review sets the action's next review date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from ...models import Action, AuditRun, Incident, Meeting, Observation
from ...models.enums import (
    CqcNotification,
    Decision,
    Direction,
    IncidentType,
    KeyQuestion,
    LogKind,
    MeetingDecision,
    MeetingType,
    ObservationArea,
    Origin,
    Outcome,
    Rag,
    ReviewFrequency,
    ReviewLevel,
    RiskArea,
    Severity,
    Shift,
    TargetKind,
)
from ..governance.audit_runs import record_audit_run
from ..governance.meetings import add_meeting_item, approve_minutes, create_meeting
from ..governance.minutes import record_item_minute
from ..plans.actions import (
    ActionInput,
    StepInput,
    close_with_override,
    create_action,
    record_review,
    reopen_action,
)
from ..plans.evidence import EvidenceInput, add_evidence
from ..plans.measure_data import MeasureInput, create_measure, record_point
from ..plans.plans import FindingInput, PlanInput, create_finding, create_plan
from ..records.incidents import (
    complete_incident_actions,
    learning_within_days,
    log_incident,
    reopen_incident,
    review_incident,
    share_incident_at_handover,
)
from ..records.logs import add_log_entry, record_handover, record_observation
from ..records.trackers import add_tracker_entry

if TYPE_CHECKING:
    from .loader import DemoContext

CARE_PLAN_ACTION = "Review high-risk care plans and check them against practice"
INCIDENT_ACTION = "Make incident learning reviewed, shared and checked within 7 days"
SUPERVISION_ACTION = "Bring staff supervision up to date"
RATING_ACTION = "Display the CQC rating in reception and on the website"
FLOOR_STAFF = (
    "Bethan Hughes",
    "José Fernandes",
    "Gareth Llewellyn",
    "Chidi Okafor",
    "Łukasz Nowak",
    "Agnieszka Zielińska (agency)",
    "Tomás Ó Briain (bank)",
)


def _d(day: date, n: int) -> date:
    return day + timedelta(days=n)


# --- meetings ----------------------------------------------------------------------------------


def create_meetings(ctx: DemoContext) -> None:
    """Meetings are made first (as drafts) so each scenario can minute its own items."""
    s, sid = ctx.session, ctx.service.id
    regulars = [
        ctx.pid(k)
        for k in ("deputy", "care_coordinator", "medicines_lead", "quality_lead", "duty_manager")
    ]
    for i, monday in enumerate(ctx.weeks):
        held = _d(monday, 1)  # Tuesdays
        if held > ctx.today:
            continue
        apologies = ctx.name("duty_manager") + " (on leave)" if i in (4, 5) else ""
        attendees = [p for p in regulars if not (apologies and p == ctx.pid("duty_manager"))]
        ctx.weekly_meetings[i] = create_meeting(
            s,
            MeetingType.WEEKLY_GOVERNANCE.value,
            held,
            sid,
            ctx.pid("rm"),
            attendees,
            apologies=apologies,
        )
    ctx.quality_meeting = create_meeting(
        s,
        MeetingType.MONTHLY_QUALITY.value,
        ctx.on(8, 3),
        sid,
        ctx.pid("quality_lead"),
        [ctx.pid(k) for k in ("rm", "deputy", "care_coordinator", "key_worker", "senior_carer")],
        other_attendees="Mrs D. Patel (relatives' forum)",
    )
    ctx.provider_meeting = create_meeting(
        s,
        MeetingType.PROVIDER_GOVERNANCE.value,
        ctx.on(7, 3),
        None,
        ctx.pid("governance_lead"),
        [ctx.pid("nominated_individual"), ctx.pid("rm")],
        other_attendees="Registered managers of Ashby House and The Larches",
    )


def approve_meetings(ctx: DemoContext) -> None:
    """Every meeting's minutes are approved except the latest weekly one, still being typed up."""
    s = ctx.session
    latest = max(ctx.weekly_meetings)
    for i, meeting in ctx.weekly_meetings.items():
        if i != latest:
            approve_minutes(s, meeting.id, ctx.pid("rm"), _d(meeting.held_on, 1))
    if ctx.quality_meeting is not None:
        approve_minutes(
            s, ctx.quality_meeting.id, ctx.pid("quality_lead"), _d(ctx.quality_meeting.held_on, 1)
        )
    if ctx.provider_meeting is not None:
        approve_minutes(
            s,
            ctx.provider_meeting.id,
            ctx.pid("nominated_individual"),
            _d(ctx.provider_meeting.held_on, 6),
        )


def _note_item(
    ctx: DemoContext,
    meeting: Meeting,
    title: str,
    kind: str,
    minute: str,
    action: Action | None = None,
) -> None:
    item = add_meeting_item(
        ctx.session, meeting.id, title, kind, action_id=action.id if action else None
    )
    record_item_minute(ctx.session, item.id, minute, "", "", MeetingDecision.NOTE.value)


# --- scenario 2: care plan reviews after inconsistent support ----------------------------------

CARE_PLANS = 22
# High-risk plans reviewed, updated and checked against practice, cumulative, by week.
CARE_PLAN_DONE = (9, 10, 12, 13, 15, 16, 17, 18, 19, 19, 20, 20)
ROOMS = (
    ("Room 1 (A.K.)", "Mobility"),
    ("Room 2 (H.M.)", "Communication"),
    ("Room 3 (E.W.)", "Nutrition"),
    ("Room 4 (N.E.)", "Mobility"),
    ("Room 5 (B.L.)", "Mobility"),
    ("Room 6 (L.F.)", "Communication"),
    ("Room 7 (J.P.)", "Mobility"),
    ("Room 8 (S.A.)", "Nutrition"),
    ("Room 9 (A.S.)", "Communication"),
    ("Room 10 (K.B.)", "Mobility"),
    ("Room 11 (F.N.)", "Nutrition"),
    ("Room 12 (M.O.)", "Mobility"),
    ("Room 13 (I.J.)", "Communication"),
    ("Room 14 (V.C.)", "Mobility"),
    ("Room 15 (D.K.)", "Nutrition"),
    ("Room 16 (T.Y.)", "Mobility"),
    ("Room 17 (W.G.)", "Communication"),
    ("Room 18 (G.H.)", "Mobility"),
    ("Room 19 (P.D.)", "Mobility"),
    ("Room 20 (C.R.)", "Nutrition"),
    ("Room 21 (R.T.)", "Communication"),
    ("Room 22 (O.P.)", "Mobility"),
)
AREA_FOR = {
    "Mobility": ObservationArea.MOVING_AND_HANDLING,
    "Communication": ObservationArea.COMMUNICATION,
    "Nutrition": ObservationArea.NUTRITION,
}


def _pct(done: int) -> float:
    return round(done / CARE_PLANS * 100, 1)


def care_plan_scenario(ctx: DemoContext) -> None:
    s, w = ctx.session, ctx.weeks
    assert ctx.cqc_plan is not None
    finding = create_finding(
        s,
        ctx.cqc_plan.id,
        FindingInput(
            title="Care plans did not match the support people received",
            key_question=KeyQuestion.RESPONSIVE.value,
            risk_area=RiskArea.CARE_PLANNING.value,
            likelihood=3,
            impact=4,
            statement_codes=["R1", "E1"],
            breached_regulation="9",
            description="Inspectors saw two people moved in ways their plans did not describe; "
            "communication guidance was out of date after a hearing assessment.",
            root_cause="Reviews were a monthly tick-box; physiotherapy and speech and language "
            "advice went into daily notes but not into the care plans.",
            immediate_control="Every high-risk person listed the same day and their current mobility "
            "and communication guidance added to the handover sheet.",
        ),
    )
    action = create_action(
        s,
        finding.id,
        ActionInput(
            title=CARE_PLAN_ACTION,
            accountable_lead_id=ctx.pid("care_coordinator"),
            due_date=_d(w[0], 42),
            review_frequency=ReviewFrequency.WEEKLY.value,
            description="Review every high-risk plan with the person or their representative, then "
            "check that the support given matches it.",
            early_warning_signs="Staff unsure of the current guidance when asked; daily notes that "
            "contradict the plan; relatives raising the same concern twice.",
            escalation_route=f"{ctx.name('care_coordinator')} to {ctx.name('rm')} weekly; to "
            f"{ctx.name('governance_lead')} if any high-risk review is more than 7 days overdue.",
            oversight_plan="Once at 95 % for three weeks: monthly care record audit of ten plans by "
            "the registered manager, and the quality lead compares feedback with audits quarterly.",
            triggers="Outdated guidance; poor staff knowledge; conflicting records; feedback showing "
            "inconsistent support.",
            steps=[
                StepInput(
                    "List the high-risk people (mobility, communication, nutrition)",
                    ctx.pid("care_coordinator"),
                    "Care planning improvement tracker",
                    _d(w[0], 4),
                    _d(w[0], 3),
                ),
                StepInput(
                    "Agree changes with each person or their representative",
                    ctx.pid("key_worker"),
                    "Care plan review section",
                    _d(w[6], 4),
                    ctx.on(10, 2),
                ),
                StepInput(
                    "Observe one interaction per updated plan",
                    ctx.pid("senior_carer"),
                    "Practice observation log",
                    _d(w[6], 4),
                ),
                StepInput(
                    "Sample ten plans",
                    ctx.pid("rm"),
                    "Monthly care record audit",
                    _d(w[8], 4),
                    ctx.on(8, 0),
                ),
                StepInput(
                    "Compare feedback with audit findings",
                    ctx.pid("quality_lead"),
                    "Governance meeting minutes",
                    _d(w[8], 4),
                    ctx.on(8, 3),
                ),
            ],
        ),
        today=w[0],
    )
    ctx.actions["care_plans"] = action
    measure = create_measure(
        s,
        action.id,
        MeasureInput(
            name="% high-risk care plans reviewed, updated and checked against practice",
            direction=Direction.HIGHER.value,
            baseline_value=40,
            target_kind=TargetKind.ABSOLUTE.value,
            target_value=95,
            unit="%",
            target_date=_d(w[0], 42),
            baseline_period="High-risk plans at the inspection",
            data_source="Care planning improvement tracker",
        ),
    )
    for i, week in enumerate(w):
        record_point(
            s,
            measure.id,
            week,
            _pct(CARE_PLAN_DONE[i]),
            numerator=CARE_PLAN_DONE[i],
            denominator=CARE_PLANS,
        )
    observations = _care_plan_rows(ctx, action)
    run = _care_record_audit(ctx, action)
    _care_plan_reviews(ctx, action)
    met = next(o for o in observations if o.outcome == Outcome.MET and o.observed_at.date() >= w[6])
    not_met = next(o for o in observations if o.outcome == Outcome.NOT_MET)
    for data in (
        EvidenceInput(
            "Observed moving and handling matched the updated plan",
            "staff_observation",
            met.observed_at.date(),
            observation_id=met.id,
            tested_by_id=ctx.pid("care_coordinator"),
            tested_on=_d(met.observed_at.date(), 1),
        ),
        EvidenceInput(
            "Care record audit: guidance specific, two plans not matching practice",
            "audit",
            run.run_on,
            supports="Partly",
            audit_run_id=run.id,
            tested_by_id=ctx.pid("quality_lead"),
            tested_on=_d(run.run_on, 2),
        ),
        EvidenceInput(
            "Residents' meeting: staff now help people the way their plan says",
            "peoples_feedback",
            ctx.on(8, 2),
            tested_by_id=ctx.pid("quality_lead"),
            tested_on=ctx.on(8, 3),
        ),
        EvidenceInput(
            "Observation not met: communication guidance not followed",
            "staff_observation",
            not_met.observed_at.date(),
            supports="No",
            observation_id=not_met.id,
            tested_by_id=ctx.pid("care_coordinator"),
            tested_on=not_met.observed_at.date(),
        ),
    ):
        add_evidence(s, action.id, data, today=ctx.today)


def _care_plan_rows(ctx: DemoContext, action: Action) -> list[Observation]:
    """One tracker row per high-risk plan, and a practice observation for each plan checked."""
    rng, tracker, w = ctx.rng, ctx.trackers["care_planning_improvement"], ctx.weeks
    weeks_done = [
        i for i in range(1, len(w)) for _ in range(CARE_PLAN_DONE[i] - CARE_PLAN_DONE[i - 1])
    ]
    observations: list[Observation] = []
    for n, (ref, risk) in enumerate(ROOMS):
        values: dict[str, object] = {
            "person_ref": ref,
            "risk_area": risk,
            "key_worker": ctx.name("key_worker"),
        }
        outcome: Outcome | None = Outcome.MET
        if n < CARE_PLAN_DONE[0]:  # already reviewed and checked before the inspection
            reviewed = _d(ctx.report_date, -rng.randint(5, 30))
            observed: date | None = _d(reviewed, 3)
        elif n - CARE_PLAN_DONE[0] < len(weeks_done):
            week = weeks_done[n - CARE_PLAN_DONE[0]]
            observed = ctx.on(week, rng.randrange(ctx.days_in(week)))
            reviewed = _d(observed, -rng.randint(2, 5))
            outcome = Outcome.PARTLY_MET if n in (12, 16) else Outcome.MET
        elif n == CARE_PLANS - 2:
            reviewed, observed, outcome = ctx.on(9, 0), ctx.on(9, 2), Outcome.NOT_MET
        else:  # reviewed with the person, observation still to do
            reviewed, observed, outcome = ctx.on(10, 2), None, None
        values.update(
            {
                "review_due": _d(reviewed, -rng.randint(0, 3)),
                "reviewed_on": reviewed,
                "changes_agreed": True,
                "observed_on": observed,
                "observation_outcome": outcome.value if outcome else None,
                "audited": outcome in (Outcome.MET, Outcome.PARTLY_MET),
            }
        )
        add_tracker_entry(
            ctx.session, tracker.id, values, recorded_by_id=ctx.pid("care_coordinator")
        )
        if observed is not None and outcome is not None and n >= CARE_PLAN_DONE[0]:
            observations.append(_care_plan_observation(ctx, action, ref, risk, observed, outcome))
    return observations


def _care_plan_observation(
    ctx: DemoContext, action: Action, ref: str, risk: str, on: date, outcome: Outcome
) -> Observation:
    staff = ctx.rng.choice(FLOOR_STAFF[:4])
    seen = {
        Outcome.MET: "Support matched the updated plan; the person was asked and given time.",
        Outcome.PARTLY_MET: "Right equipment used, but the carer could not describe the new "
        "guidance without looking it up.",
        Outcome.NOT_MET: "Hearing aids not in and picture cards not used, although the updated "
        "plan asks for both.",
    }[outcome]
    return record_observation(
        ctx.session,
        ctx.service.id,
        datetime.combine(on, time(10, 30)),
        AREA_FOR[risk].value,
        outcome.value,
        ctx.pid("senior_carer"),
        staff,
        seen,
        "Talked through the plan together afterwards.",
        follow_up="" if outcome == Outcome.MET else "Re-observe after supervision on the plan.",
        follow_up_due=None if outcome == Outcome.MET else _d(on, 14),
        shift=Shift.EARLY.value,
        action_id=action.id,
        care_plan_ref=ref,
    )


def _care_record_audit(ctx: DemoContext, action: Action) -> AuditRun:
    template = ctx.templates["care_record_audit"]
    keys = [q["key"] for sec in template.definition["sections"] for q in sec["questions"]]
    noes = {
        "guidance_matches_practice": "Rooms 6 and 21: communication guidance not what staff "
        "described.",
        "daily_notes_specific": "Three records still say “all care given”.",
    }
    answers = {k: "No" if k in noes else "Yes" for k in keys}
    answers["dols_current"] = "N/A"  # none of the ten sampled has a DoLS in place
    run = record_audit_run(
        ctx.session,
        template.id,
        ctx.service.id,
        ctx.on(8, 0),
        ctx.pid("rm"),
        answers,
        noes,
        sample_size=10,
        notes="Ten high-risk plans sampled.",
    )
    # record_audit_run has no action parameter, so the link is set on the model directly.
    run.action_id = action.id
    ctx.session.flush()
    return run


def _care_plan_reviews(ctx: DemoContext, action: Action) -> None:
    for i in range(len(ctx.weeks)):
        meeting = ctx.weekly_meetings.get(i)
        if meeting is not None:
            done = CARE_PLAN_DONE[max(i - 1, 0)]
            progress = (
                f"{_pct(done):g} % of high-risk plans reviewed, updated and checked "
                f"({done} of {CARE_PLANS}) against a target of 95 %."
            )
            decision, owner, due = Decision.CONTINUE, None, None
            if i == 9:
                decision, owner, due = (
                    Decision.CHANGE_CONTROLS,
                    "senior_carer",
                    _d(meeting.held_on, 7),
                )
                progress += " One observation not met: supervision on the plan and re-observe."
            ctx.minute_and_review(
                meeting,
                action,
                decision=decision,
                progress=progress,
                rag=Rag.RED if done < 13 else Rag.AMBER,
                reviewer="rm",
                challenge="Why are two plans still not checked after the target date?"
                if i >= 7
                else "",
                owner=owner,
                due=due,
            )
        if i == 8 and ctx.quality_meeting is not None:
            ctx.minute_and_review(
                ctx.quality_meeting,
                action,
                decision=Decision.CONTINUE,
                rag=Rag.AMBER,
                reviewer="quality_lead",
                progress="Residents' meeting feedback agrees with the care record audit: guidance "
                "is more specific, but two plans still do not match practice.",
                assurance="Care record audit of ten plans; residents' meeting notes.",
            )
            _note_item(
                ctx,
                ctx.quality_meeting,
                "Medicines: late administration trend",
                "Quality report",
                "Late entries held at or below 3 a week for a month.",
                ctx.actions.get("medicines"),
            )


# --- scenario 3: incident learning --------------------------------------------------------------


@dataclass(frozen=True)
class _Spec:
    week: int
    day: int
    hour: int
    kind: IncidentType
    severity: Severity
    person: str
    location: str
    what: str
    learning: str
    review_after: int = 0  # days from the incident to the management review
    done_after: int = 3  # days from the incident to the actions being completed
    family: bool = True
    notify: CqcNotification = CqcNotification.NONE
    safeguarding: bool = False


REPEAT_FALLER = "Room 12 (M.O.)"
# One incident per row: week, day, hour, type, severity, person, location, what happened, learning,
# then days to the review and to the actions being done (over 7 is late). A data table, so kept
# one incident to a few lines rather than one field per line.
# fmt: off
INCIDENTS = (
    _Spec(0, 0, 14, IncidentType.FALL, Severity.NO_HARM, "Room 7 (J.P.)", "Lounge",
          "Slipped from the chair reaching for the walking frame.",
          "Keep walking frames within reach after moving people.", 4, 11, family=False),
    _Spec(0, 2, 18, IncidentType.MEDICATION, Severity.NO_HARM, "Room 3 (E.W.)", "Oak unit",
          "Evening Levodopa given 70 minutes late.",
          "Time-critical medicines first on the evening round.", 0, 2),
    _Spec(0, 5, 3, IncidentType.FALL, Severity.LOW, "Room 15 (D.K.)", "Bedroom",
          "Found on the floor beside the bed; small graze to the elbow.",
          "Check the bed height is set low at the last night check.", 3, 9),
    _Spec(1, 1, 16, IncidentType.BEHAVIOUR, Severity.NO_HARM, "Room 9 (A.S.)", "Dining room",
          "Became distressed and pushed another resident's chair at tea.",
          "Offer a quieter table at busy mealtimes as the plan says.", 2, 8),
    _Spec(1, 4, 11, IncidentType.FALL, Severity.NO_HARM, "Room 21 (R.T.)", "Corridor",
          "Tripped on a loose mat outside the bathroom.",
          "Report loose mats straight away; maintenance fixes the same day.", 0, 3),
    _Spec(2, 0, 9, IncidentType.FALL, Severity.LOW, "Room 18 (G.H.)", "Bathroom",
          "Lost balance while standing to wash; bruised hip.",
          "Use the perching stool when washing, as in the updated plan.", 0, 5),
    _Spec(2, 3, 15, IncidentType.PRESSURE_DAMAGE, Severity.LOW, "Room 5 (B.L.)", "Bedroom",
          "Category 2 pressure ulcer found on the heel.",
          "Heels off-loaded in bed and checked at every repositioning.", 1, 6),
    _Spec(2, 5, 20, IncidentType.MEDICATION, Severity.NO_HARM, "Room 11 (F.N.)", "Beech unit",
          "Evening eye drops not given; gap on the MAR.",
          "Sign the MAR at the time of each dose, not at the end of the round.", 2, 9),
    _Spec(3, 1, 7, IncidentType.SAFEGUARDING, Severity.LOW, "Room 14 (V.C.)", "Bedroom",
          "Resident said an agency carer handled her roughly during the night.",
          "Agency staff are paired with a regular carer for personal care at night.", 0, 5,
          notify=CqcNotification.REG18, safeguarding=True),
    _Spec(3, 4, 13, IncidentType.FALL, Severity.NO_HARM, "Room 2 (H.M.)", "Garden",
          "Fell on the uneven path in the garden.",
          "Walk with people on the garden path until it is repaired.", 0, 4),
    _Spec(4, 2, 22, IncidentType.FALL, Severity.NO_HARM, "Room 19 (P.D.)", "Bedroom",
          "Found sitting on the floor; said she slid from the bed.",
          "Sensor mat on when the person is in bed.", 0, 3),
    _Spec(4, 5, 17, IncidentType.MEDICATION, Severity.NO_HARM, "Room 8 (S.A.)", "Oak unit",
          "Paracetamol offered 3 hours after the last dose.",
          "Check the time of the last PRN dose on the MAR before offering.", 0, 4),
    _Spec(5, 1, 10, IncidentType.FALL, Severity.LOW, "Room 10 (K.B.)", "Lounge",
          "Fell when standing without the walking frame; skin tear to the shin.",
          "Remind people to use their frame and keep it in reach.", 0, 4),
    _Spec(5, 3, 14, IncidentType.INJURY, Severity.NO_HARM, "Room 6 (L.F.)", "Bedroom",
          "Skin tear to the forearm during a transfer.",
          "Wear long sleeves or pad the wheelchair arm during transfers.", 0, 3),
    _Spec(6, 2, 2, IncidentType.FALL, Severity.LOW, REPEAT_FALLER, "Bedroom",
          "Unwitnessed fall from bed at night; sensor mat was switched off.",
          "Check the sensor mat is plugged in and switched on at every night check.", 0, 3),
    _Spec(6, 4, 19, IncidentType.BEHAVIOUR, Severity.NO_HARM, "Room 9 (A.S.)", "Lounge",
          "Shouted at a visitor when the television was turned off.",
          "Ask before changing the lounge television.", 0, 2),
    _Spec(7, 0, 12, IncidentType.FALL, Severity.NO_HARM, "Room 20 (C.R.)", "Dining room",
          "Slipped on a spilt drink.",
          "Wipe spills at once and put out the wet-floor sign.", 0, 3),
    _Spec(7, 3, 8, IncidentType.MEDICATION, Severity.NO_HARM, "Room 3 (E.W.)", "Oak unit",
          "Morning inhaler given 40 minutes late during handover.",
          "Morning medicines lead starts after a short handover.", 0, 2),
    _Spec(8, 1, 15, IncidentType.FALL, Severity.NO_HARM, "Room 16 (T.Y.)", "Corridor",
          "Lost balance turning in the corridor.",
          "Physiotherapy referral for turning practice.", 0, 2),
    _Spec(9, 0, 3, IncidentType.FALL, Severity.MODERATE, REPEAT_FALLER, "Bedroom",
          "Second fall from bed at night; sensor mat unplugged again. Fractured wrist; "
          "taken to hospital.",
          "Night staff sign the sensor-mat check on the room chart at every check.", 0, 4,
          notify=CqcNotification.REG18),
    _Spec(9, 2, 16, IncidentType.FALL, Severity.NO_HARM, "Room 4 (N.E.)", "Lounge",
          "Slid from the armchair.", "Use the chair raiser recorded in the plan.", 2, 9),
    _Spec(9, 5, 18, IncidentType.MEDICATION, Severity.NO_HARM, "Room 17 (W.G.)", "Beech unit",
          "Tablets left on the table and found later.",
          "Stay with the person until the medicine is taken.", 0, 2),
    _Spec(10, 1, 21, IncidentType.FALL, Severity.NO_HARM, "Room 19 (P.D.)", "Bedroom",
          "Found kneeling by the bed; no injury.", "Night checks hourly for two weeks.", 0, 3),
    _Spec(10, 3, 9, IncidentType.SAFEGUARDING, Severity.LOW, "Room 22 (O.P.)", "Bedroom",
          "Unexplained bruise to the upper arm found during personal care.",
          "Body map any mark at once and tell the senior.", 0, 4,
          notify=CqcNotification.REG18, safeguarding=True),
    _Spec(11, 0, 10, IncidentType.FALL, Severity.NO_HARM, "Room 13 (I.J.)", "Lounge",
          "Sat down heavily, missing the chair.",
          "Guide people to sit with a hand on the arm.", 0, 0),
)
# fmt: on


def incident_scenario(ctx: DemoContext) -> None:
    s, w = ctx.session, ctx.weeks
    assert ctx.cqc_plan is not None
    finding = create_finding(
        s,
        ctx.cqc_plan.id,
        FindingInput(
            title="Incident forms completed but learning not shared or checked",
            key_question=KeyQuestion.SAFE.value,
            risk_area=RiskArea.GOVERNANCE.value,
            likelihood=3,
            impact=4,
            statement_codes=["S1", "W5"],
            breached_regulation="17",
            description="Incident forms were filled in, but reviews were late, families not always "
            "told, and staff could not say what had changed after a fall.",
            root_cause="No same-day management review and no routine for sharing learning at handover.",
            immediate_control="Duty manager reviews every incident the same day from the day of "
            "feedback.",
        ),
    )
    action = create_action(
        s,
        finding.id,
        ActionInput(
            title=INCIDENT_ACTION,
            accountable_lead_id=ctx.pid("rm"),
            due_date=_d(w[0], 56),
            description="Same-day review, one learning point at handover, actions checked within "
            "7 days, monthly themes to the provider.",
            early_warning_signs="Reviews slipping past the same day; handover records without names; "
            "families not told.",
            escalation_route=f"Duty manager to {ctx.name('rm')}; safeguarding and Reg 18 incidents to "
            f"{ctx.name('nominated_individual')} the same day.",
            oversight_plan=f"{ctx.name('nominated_individual')} reviews incident themes monthly at "
            "the provider governance meeting; the registered manager audits ten incidents a month.",
            triggers="Repeat incidents; late reviews; missing family communication; weak action "
            "evidence; staff not understanding the learning.",
            steps=[
                StepInput(
                    "Review last month's incidents (safeguarding, falls, medication first)",
                    ctx.pid("rm"),
                    "Incident improvement tracker",
                    _d(w[0], 7),
                    _d(w[0], 4),
                ),
                StepInput(
                    "Same-day management review: controls, notifications, family told",
                    ctx.pid("duty_manager"),
                    "Incident form – management review",
                    _d(w[3], 4),
                    _d(w[3], 1),
                ),
                StepInput(
                    "Share one learning point at handover and check understanding",
                    ctx.pid("team_leader"),
                    "Handover record (names of staff present)",
                    _d(w[4], 4),
                    _d(w[4], 2),
                ),
                StepInput(
                    "Check actions are done within 7 days; reopen where practice has not changed",
                    ctx.pid("rm"),
                    "Incident log",
                    _d(w[6], 4),
                    _d(w[6], 4),
                ),
                StepInput(
                    "Review monthly incident themes",
                    ctx.pid("nominated_individual"),
                    "Provider governance minutes",
                    _d(w[7], 4),
                    ctx.on(7, 3),
                ),
            ],
        ),
        today=w[0],
    )
    ctx.actions["incidents"] = action
    measure = create_measure(
        s,
        action.id,
        MeasureInput(
            name="% incidents showing review, action and learning within 7 days",
            direction=Direction.HIGHER.value,
            baseline_value=35,
            target_kind=TargetKind.ABSOLUTE.value,
            target_value=100,
            unit="%",
            target_date=_d(w[0], 56),
            baseline_period="Incidents in the month before the inspection",
            data_source="Incident log",
        ),
    )
    # Date order matters: reviews up to the closure, the closure, then the repeat fall reopens it.
    incidents = _log_incidents(ctx, action, [x for x in INCIDENTS if x.week < 9], [])
    for i in (1, 3, 5, 7):
        _pre_close_review(ctx, action, i)
    _pre_close_review(ctx, action, None)
    _close_with_override(ctx, action)
    incidents += _log_incidents(ctx, action, [x for x in INCIDENTS if x.week >= 9], incidents)
    _post_reopen_reviews(ctx, action)
    for week in w:
        mine = [inc for inc in incidents if week <= inc.occurred_at.date() < _d(week, 7)]
        ok = sum(1 for inc in mine if learning_within_days(inc))
        if mine:
            reopened = any(inc.reopened_on for inc in mine)
            note = "Recounted after a repeat fall reopened an incident." if reopened else ""
            record_point(
                s,
                measure.id,
                week,
                round(ok / len(mine) * 100, 1),
                note,
                numerator=ok,
                denominator=len(mine),
            )
    _incident_notes(ctx, incidents)
    repeat = next(inc for inc in reversed(incidents) if inc.person_ref == REPEAT_FALLER)
    for data in (
        EvidenceInput(
            "Handover check: night staff could describe the falls learning",
            "staff_feedback",
            ctx.on(5, 2),
            tested_by_id=ctx.pid("rm"),
            tested_on=ctx.on(5, 3),
        ),
        EvidenceInput(
            "Incident log: reviewed, actioned and shared within 7 days for a month",
            "incident_review",
            ctx.on(7, 4),
            tested_by_id=ctx.pid("quality_lead"),
            tested_on=ctx.on(8, 0),
        ),
        EvidenceInput(
            f"Repeat fall for {REPEAT_FALLER}: sensor-mat learning not embedded",
            "incident_review",
            repeat.occurred_at.date(),
            supports="No",
            incident_id=repeat.id,
            tested_by_id=ctx.pid("rm"),
            tested_on=repeat.occurred_at.date(),
        ),
        EvidenceInput(
            "Night handover observed: sensor-mat check explained and understood",
            "staff_observation",
            ctx.on(10, 2),
            tested_by_id=ctx.pid("duty_manager"),
            tested_on=ctx.on(10, 3),
        ),
    ):
        add_evidence(s, action.id, data, today=ctx.today)


def _log_incidents(
    ctx: DemoContext, action: Action, specs: list[_Spec], earlier: list[Incident]
) -> list[Incident]:
    s, sid = ctx.session, ctx.service.id
    incidents: list[Incident] = []
    for spec in specs:
        n = INCIDENTS.index(spec)
        on = ctx.on(spec.week, spec.day)
        inc = log_incident(
            s,
            sid,
            occurred_at=datetime.combine(on, time(spec.hour)),
            incident_type=spec.kind.value,
            severity=spec.severity.value,
            person_ref=spec.person,
            location=spec.location,
            description=spec.what,
            reported_by=FLOOR_STAFF[n % len(FLOOR_STAFF)],
            immediate_action="Checked for injury, made comfortable and observed.",
            action_id=action.id,
            today=ctx.today,
        )
        reviewed = min(_d(on, spec.review_after), ctx.today)
        done = min(_d(on, spec.done_after), ctx.today)
        notified = spec.notify != CqcNotification.NONE
        review_incident(
            s,
            inc.id,
            ctx.pid("rm" if spec.safeguarding else "duty_manager"),
            reviewed,
            "Risk assessment and care plan reviewed; controls in place from this shift.",
            spec.notify.value,
            cqc_notified_on=reviewed if notified else None,
            safeguarding_referral=spec.safeguarding,
            safeguarding_referred_on=on if spec.safeguarding else None,
            family_informed=spec.family,
            family_informed_on=on if spec.family else None,
            learning_point=spec.learning,
        )
        late = spec.done_after > 7
        handover = record_handover(
            s,
            sid,
            done if late else reviewed,
            (Shift.EARLY, Shift.LATE, Shift.NIGHT)[n % 3],
            ctx.pid("team_leader"),
            ", ".join(ctx.rng.sample(FLOOR_STAFF, 4)),
            f"{inc.reference}: {spec.learning}",
            understanding_checked=n != 0,
            action_id=action.id,
        )
        share_incident_at_handover(s, inc.id, handover.id)
        complete_incident_actions(
            s,
            inc.id,
            done,
            "Care plan updated and the change seen in practice by the senior on the next shift.",
        )
        before = [
            x
            for x in earlier + incidents
            if x.person_ref == spec.person
            and spec.kind == IncidentType.FALL
            and x.incident_type == IncidentType.FALL
            and (on - x.occurred_at.date()).days <= 30
        ]
        if before:
            # A repeat fall within 30 days shows the first fall's learning did not stick.
            first = before[-1]
            reopen_incident(s, first.id, on)
            complete_incident_actions(
                s,
                first.id,
                _d(on, 3),
                "Sensor-mat check now signed on the room chart; checked nightly for two weeks.",
            )
            _reopen_action(ctx, action, first, inc)
        incidents.append(inc)
    return incidents


def _close_with_override(ctx: DemoContext, action: Action) -> None:
    """Closed too early: the measure was at target but the gate was not fully met."""
    s, meeting = ctx.session, ctx.weekly_meetings[8]
    item = add_meeting_item(
        s, meeting.id, f"{action.reference} {action.title}", "Action review", action_id=action.id
    )
    reason = (
        "Measure at 100 % for four weeks; no practice observation of a handover yet, but "
        "the provider governance meeting agreed to close with monthly oversight."
    )
    record_item_minute(
        s,
        item.id,
        reason,
        "Quality lead noted the closure gate is not fully met.",
        "Incident log and provider governance minutes.",
        MeetingDecision.CLOSE.value,
    )
    close_with_override(
        s,
        action,
        signed_off_by=ctx.people["rm"],
        reason=reason,
        today=meeting.held_on,
        meeting_item_id=item.id,
    )


def _reopen_action(ctx: DemoContext, action: Action, first: Incident, repeat: Incident) -> None:
    s, on = ctx.session, repeat.occurred_at.date()
    reopen_action(
        s,
        action,
        by=ctx.people["rm"],
        today=on,
        reason=(
            f"Repeat fall for {repeat.person_ref} on {on:%d/%m/%Y}, "
            f"{(on - first.occurred_at.date()).days} days after the fall on "
            f"{first.occurred_at.date():%d/%m/%Y}: the sensor-mat learning was not embedded. "
            "Back on weekly review."
        ),
    )
    add_log_entry(
        s,
        ctx.service.id,
        LogKind.COMMUNICATION_BOOK.value,
        on,
        ctx.pid("rm"),
        f"Sensor mats ({repeat.person_ref} and everyone with one): check plugged in and "
        "switched on at every night check and sign the room chart.",
        action_id=action.id,
    )


def _incident_notes(ctx: DemoContext, incidents: list[Incident]) -> None:
    for _, meeting in sorted(ctx.weekly_meetings.items()):
        last = [
            inc
            for inc in incidents
            if _d(meeting.held_on, -7) <= inc.occurred_at.date() < meeting.held_on
        ]
        same_day = sum(1 for inc in last if inc.reviewed_on == inc.occurred_at.date())
        _note_item(
            ctx,
            meeting,
            "Incidents and safeguarding in the last 7 days",
            "Incidents",
            f"{len(last)} incident(s); {same_day} reviewed the same day."
            if last
            else "No incidents.",
        )


def _pre_close_review(ctx: DemoContext, action: Action, week: int | None) -> None:
    if week is None:
        assert ctx.provider_meeting is not None
        ctx.minute_and_review(
            ctx.provider_meeting,
            action,
            decision=Decision.CONTINUE,
            rag=Rag.GREEN,
            reviewer="nominated_individual",
            level=ReviewLevel.PROVIDER,
            progress="Monthly themes: night falls on the Beech unit; learning shared at nine of "
            "ten handovers. Agreed to close at the next weekly meeting, overseen monthly.",
        )
        return
    change = week == 3
    ctx.minute_and_review(
        ctx.weekly_meetings[week],
        action,
        rag=(Rag.RED, Rag.AMBER, Rag.AMBER, Rag.GREEN)[(week - 1) // 2],
        reviewer="rm",
        decision=Decision.CHANGE_CONTROLS if change else Decision.CONTINUE,
        progress="Same-day reviews now routine; learning shared at handover with names."
        if week >= 5
        else "Reviews still late on some shifts; learning not yet shared at every handover.",
        owner="duty_manager" if change else None,
        due=_d(ctx.weekly_meetings[week].held_on, 7) if change else None,
    )


def _post_reopen_reviews(ctx: DemoContext, action: Action) -> None:
    for i in (9, 10, 11):
        meeting = ctx.weekly_meetings.get(i)
        if meeting is None:
            continue
        change = i == 9
        ctx.minute_and_review(
            meeting,
            action,
            rag=Rag.RED if change else Rag.AMBER,
            reviewer="rm",
            decision=Decision.CHANGE_CONTROLS if change else Decision.CONTINUE,
            progress="Reopened after the repeat fall: sensor-mat check added to the night chart "
            "and shared at every handover."
            if change
            else "Sensor-mat checks signed every night; learning shared at handover with names.",
            owner="team_leader" if change else None,
            due=_d(meeting.held_on, 7) if change else None,
        )


# --- smaller actions: a closure with override and an overdue review -----------------------------


def smaller_actions(ctx: DemoContext) -> None:
    _rating_action(ctx)
    _supervision_action(ctx)


def _rating_action(ctx: DemoContext) -> None:
    """A display requirement has nothing to measure, so it is closed with a recorded override."""
    s, w = ctx.session, ctx.weeks
    assert ctx.cqc_plan is not None
    finding = create_finding(
        s,
        ctx.cqc_plan.id,
        FindingInput(
            title="Current rating not displayed on the website",
            key_question=KeyQuestion.WELL_LED.value,
            risk_area=RiskArea.GOVERNANCE.value,
            likelihood=2,
            impact=2,
            statement_codes=["W5"],
            breached_regulation="20A",
            description="The poster in reception showed the previous rating and the website had none.",
            root_cause="Nobody was named to update the display after an inspection.",
            immediate_control="New rating poster printed and put up in reception on the day.",
        ),
    )
    action = create_action(
        s,
        finding.id,
        ActionInput(
            title=RATING_ACTION,
            accountable_lead_id=ctx.pid("deputy"),
            due_date=_d(w[0], 14),
            oversight_plan="Quality lead checks the poster and website at each monthly walk-round.",
            steps=[
                StepInput(
                    "Put the current rating poster up in reception",
                    ctx.pid("deputy"),
                    "Evidence: photograph",
                    _d(w[0], 2),
                    _d(w[0], 1),
                ),
                StepInput(
                    "Add the CQC rating widget to the home's web page",
                    ctx.pid("governance_lead"),
                    "Evidence: website screenshot",
                    _d(w[1], 4),
                    _d(w[1], 2),
                ),
            ],
        ),
        today=w[0],
    )
    add_evidence(
        s,
        action.id,
        EvidenceInput(
            "Photograph of the poster and screenshot of the website",
            "care_records",
            _d(w[1], 3),
            tested_by_id=ctx.pid("quality_lead"),
            tested_on=_d(w[1], 3),
        ),
        today=ctx.today,
    )
    ctx.minute_and_review(
        ctx.weekly_meetings[1],
        action,
        decision=Decision.CONTINUE,
        rag=Rag.AMBER,
        reviewer="rm",
        progress="Poster up; website widget added this week.",
    )
    meeting = ctx.weekly_meetings[2]
    reason = (
        f"Rating on display in reception and on the website since {_d(w[1], 2):%d/%m/%Y}, "
        "checked by the quality lead. A display requirement has no measure, observation or "
        "feedback to gather, so it is closed without the full evidence set."
    )
    item = add_meeting_item(
        s, meeting.id, f"{action.reference} {action.title}", "Action review", action_id=action.id
    )
    record_item_minute(
        s, item.id, reason, "", "Photograph and website screenshot.", MeetingDecision.CLOSE.value
    )
    close_with_override(
        s,
        action,
        signed_off_by=ctx.people["rm"],
        reason=reason,
        today=meeting.held_on,
        meeting_item_id=item.id,
    )
    ctx.actions["rating"] = action


SUPERVISED = (58, 61, 64, 67, 70, 72, 75, 76, 78, 79)  # % of care staff, weeks 2–11


def _supervision_action(ctx: DemoContext) -> None:
    """From the provider's quality visit; its last review was missed, so it shows as overdue."""
    s, w = ctx.session, ctx.weeks
    visit = ctx.on(1, 3)
    plan = create_plan(
        s,
        PlanInput(
            service_id=ctx.service.id,
            title=f"Provider quality visit {visit:%B %Y}",
            origin=Origin.INTERNAL_AUDIT.value,
            report_date=visit,
            summary="Provider governance lead's quality visit: supervision and appraisal records.",
        ),
    )
    finding = create_finding(
        s,
        plan.id,
        FindingInput(
            title="Staff supervisions overdue",
            key_question=KeyQuestion.WELL_LED.value,
            risk_area=RiskArea.STAFFING.value,
            likelihood=3,
            impact=3,
            statement_codes=["W2", "S6"],
            breached_regulation="18",
            description="Four in ten care staff had no supervision in the last three months.",
            root_cause="Supervisions were cancelled whenever a shift was short and never rebooked.",
            immediate_control="Night staff supervised first; supervision protected on the rota.",
        ),
    )
    action = create_action(
        s,
        finding.id,
        ActionInput(
            title=SUPERVISION_ACTION,
            accountable_lead_id=ctx.pid("deputy"),
            due_date=_d(visit, 70),
            oversight_plan="Supervision matrix reviewed monthly by the "
            "registered manager and reported in the monthly QA report.",
            triggers="A supervision cancelled twice; any member of staff over 12 weeks.",
            steps=[
                StepInput(
                    "Draw up a supervision matrix for all care staff",
                    ctx.pid("deputy"),
                    "Supervision matrix",
                    _d(w[2], 4),
                    _d(w[2], 0),
                ),
                StepInput(
                    "Book overdue supervisions, night staff first",
                    ctx.pid("deputy"),
                    "Rota notes",
                    _d(w[3], 4),
                    _d(w[3], 2),
                ),
                StepInput(
                    "Supervise the seniors and team leaders",
                    ctx.pid("rm"),
                    "Supervision records",
                    _d(w[8], 4),
                ),
                StepInput(
                    "Supervise care assistants on the late shift",
                    ctx.pid("senior_carer"),
                    "Supervision records",
                    _d(w[9], 4),
                ),
            ],
        ),
        today=visit,
    )
    ctx.actions["supervision"] = action
    measure = create_measure(
        s,
        action.id,
        MeasureInput(
            name="% care staff supervised in the last 8 weeks",
            direction=Direction.HIGHER.value,
            baseline_value=58,
            target_kind=TargetKind.ABSOLUTE.value,
            target_value=100,
            unit="%",
            target_date=_d(visit, 70),
            data_source="Supervision matrix",
        ),
    )
    for i, value in enumerate(SUPERVISED, start=2):
        record_point(s, measure.id, w[i], value)
    add_log_entry(
        s,
        ctx.service.id,
        LogKind.ROTA_NOTE.value,
        _d(w[3], 2),
        ctx.pid("deputy"),
        "Supervision sessions booked on the rota as protected time (Tuesdays 14:00).",
        action_id=action.id,
    )
    add_evidence(
        s,
        action.id,
        EvidenceInput(
            "Supervision notes sampled: themes recorded and actions set",
            "supervision_notes",
            ctx.on(5, 2),
            tested_by_id=ctx.pid("rm"),
            tested_on=ctx.on(5, 3),
        ),
        today=ctx.today,
    )
    for i in (3, 5, 7):
        pct = SUPERVISED[i - 2]
        ctx.minute_and_review(
            ctx.weekly_meetings[i],
            action,
            decision=Decision.CONTINUE,
            rag=Rag.AMBER,
            reviewer="rm",
            progress=f"{pct} % of care staff supervised in the last 8 weeks.",
        )
    # The last review was outside a meeting; the next one (a fortnight later) has been missed.
    last = _d(ctx.today, -18)
    record_review(
        s,
        action.id,
        review_date=last,
        reviewer_id=ctx.pid("rm"),
        progress="Supervision matrix checked: night staff up to date, the late shift still behind.",
        rag=Rag.AMBER.value,
        decision=Decision.CONTINUE.value,
        today=ctx.today,
    )


# --- routine logs -------------------------------------------------------------------------------

GOVERNANCE_NOTES = (
    "Walk-round: medicines room tidy, fridge temperatures recorded.",
    "Checked yesterday's incidents: all reviewed the same day.",
    "Call bell response sampled at tea time: all answered within 5 minutes.",
    "Agency induction checklist completed for the night shift.",
    "Checked handover sheet: mobility guidance current for high-risk people.",
    "Lounge and dining room walk-round: drinks within reach for everyone.",
)
COMMUNICATION_NOTES = (
    "Please sign the MAR at the time of each dose, not at the end of the round.",
    "Reminder: tell the senior about any mark or bruise at once and body-map it.",
    "Updated care plans are in the blue folder; read them before your shift.",
    "Residents' meeting on Thursday at 14:00 – please help people attend.",
)


def routine_logs(ctx: DemoContext) -> None:
    """The daily governance log, rota notes and communication book a home keeps every week."""
    s, sid, rng = ctx.session, ctx.service.id, ctx.rng
    medicines = ctx.actions["medicines"]
    staff_pairs = (("medicines_lead", "evening_senior"), ("evening_senior", "medicines_lead"))
    for i in range(len(ctx.weeks)):
        for day in sorted({0, min(3, ctx.days_in(i) - 1)}):
            author = "rm" if day == 0 else "duty_manager"
            add_log_entry(
                s,
                sid,
                LogKind.GOVERNANCE_LOG.value,
                ctx.on(i, day),
                ctx.pid(author),
                rng.choice(GOVERNANCE_NOTES),
            )
        if i >= 2 and i % 2 == 0:
            first, second = staff_pairs[(i // 2) % 2]
            add_log_entry(
                s,
                sid,
                LogKind.ROTA_NOTE.value,
                ctx.on(i, 0),
                ctx.pid("deputy"),
                f"Protected medicines lead this week: {ctx.name(first)} (Mon–Wed), "
                f"{ctx.name(second)} (Thu–Sun).",
                action_id=medicines.id,
            )
        if i % 3 == 1:
            add_log_entry(
                s,
                sid,
                LogKind.COMMUNICATION_BOOK.value,
                ctx.on(i, 1),
                ctx.pid("rm"),
                COMMUNICATION_NOTES[(i // 3) % len(COMMUNICATION_NOTES)],
            )
