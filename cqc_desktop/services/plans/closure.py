"""The closure gate: an action is finished only when the evidence shows the change has stuck.

``evaluate_gate`` is a pure function over plain facts, so every condition can be tested on its own;
``gather_facts`` reads them from the database for one action.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from ...models import Action, Evidence, Measure, MeasureChange, MeasurePoint, Person
from ...models.enums import Supports
from ..setup.people import is_manager
from ..trust import settings
from .evidence import OBSERVATION_SOURCE, linked_observation_evidence
from .measure_reading import MeasureReading, change_label, read_series
from .measures import target_value
from .spc import DEFAULT_RULES, Assurance, SpcRules, spc_rules
from .spc_phases import BreakStatus

FEEDBACK_SOURCES = frozenset({"peoples_feedback", "relatives_comments", "staff_feedback"})


@dataclass(frozen=True)
class GateSettings:
    # "Sustained" is the SPC reading: the current phase consistently passing, with this many points.
    sustained_points: int = 6
    evidence_weeks: int = 8
    min_source_types: int = 3
    spc: SpcRules = DEFAULT_RULES


@dataclass(frozen=True)
class EvidenceFact:
    source_type: str
    supports: str
    collected_on: date


@dataclass(frozen=True)
class MeasureFact:
    name: str
    values: tuple[float, ...]
    target: float  # absolute, already worked out from a relative target
    direction: str
    periods: tuple[date, ...] = ()  # one per value; weekly from an arbitrary Monday if not given
    changes: tuple[tuple[date, str], ...] = ()  # recorded changes (recalculation points)
    baseline: float | None = None
    unit: str = ""
    frequency: str = "weekly"

    def reading(self, rules: SpcRules) -> MeasureReading:
        periods = self.periods or tuple(
            date(2026, 1, 5) + timedelta(weeks=i) for i in range(len(self.values))
        )
        return read_series(
            name=self.name,
            unit=self.unit,
            direction=self.direction,
            frequency=self.frequency,
            baseline=self.baseline if self.baseline is not None else self.values[0],
            target=self.target,
            periods=periods,
            values=self.values,
            changes=self.changes,
            rules=rules,
        )


@dataclass(frozen=True)
class GateFacts:
    steps_total: int
    steps_done: int
    measures: tuple[MeasureFact, ...]
    evidence: tuple[EvidenceFact, ...]
    oversight_plan: str
    today: date
    signed_off_by: str | None = None  # name of the manager signing off, if one is
    signer_is_manager: bool = False
    rationale: str = ""


@dataclass(frozen=True)
class Condition:
    key: str
    label: str
    met: bool
    why: str


@dataclass(frozen=True)
class GateResult:
    conditions: tuple[Condition, ...] = field(default_factory=tuple)

    @property
    def passed(self) -> bool:
        return all(c.met for c in self.conditions)

    @property
    def ready_for_sign_off(self) -> bool:
        """Everything but the sign-off is met: the Close button can be offered."""
        return all(c.met for c in self.conditions if c.key != "sign_off")

    @property
    def unmet(self) -> list[Condition]:
        return [c for c in self.conditions if not c.met]

    def condition(self, key: str) -> Condition:
        return next(c for c in self.conditions if c.key == key)


def evaluate_gate(facts: GateFacts, settings: GateSettings | None = None) -> GateResult:
    settings = settings or GateSettings()
    window_start = facts.today - timedelta(weeks=settings.evidence_weeks)
    recent = [e for e in facts.evidence if window_start <= e.collected_on <= facts.today]
    supporting = [e for e in recent if e.supports != Supports.NO]
    return GateResult(
        (
            _steps(facts),
            _measure(facts, settings),
            _source_spread(supporting, settings),
            _has_observation(supporting, settings),
            _has_feedback(supporting, settings),
            _no_contradiction(facts.evidence, supporting),
            _oversight(facts),
            _sign_off(facts),
        )
    )


def _steps(f: GateFacts) -> Condition:
    label = "All steps done"
    if f.steps_total == 0:
        return Condition("steps", label, False, "The action has no steps yet.")
    left = f.steps_total - f.steps_done
    if left:
        return Condition("steps", label, False, f"{left} of {f.steps_total} steps not done.")
    return Condition("steps", label, True, f"All {f.steps_total} steps done.")


def _measure(f: GateFacts, s: GateSettings) -> Condition:
    label = f"Measure consistently passing its target ({s.sustained_points}+ points)"
    if not f.measures:
        return Condition("measure", label, False, "No measure is set for this action.")
    held: list[str] = []
    for m in f.measures:
        if not m.values:
            return Condition("measure", label, False, f"{m.name}: no points recorded yet.")
        reading = m.reading(s.spc)
        phase = reading.result.current
        assert phase is not None
        since = (
            f"since the change on {reading.periods[phase.start]:%d/%m/%Y}"
            if phase.start
            else "so far"
        )
        if phase.size < s.sustained_points:
            return Condition(
                "measure",
                label,
                False,
                f"{m.name}: only {phase.size} point(s) {since}; {s.sustained_points} needed.",
            )
        waiting = [
            b
            for b in reading.result.breaks
            if b.status is BreakStatus.PENDING and b.points_after and b.index > phase.start
        ]
        if waiting:
            return Condition(
                "measure",
                label,
                False,
                f"{m.name}: the change on {reading.periods[waiting[0].index]:%d/%m/%Y} needs "
                f"{s.spc.shift_length} points after it to show it has lasted "
                f"({waiting[0].points_after} so far).",
            )
        limits = phase.limits
        assert limits is not None  # at least two points in the phase
        expected = f"expected between {_num(limits.lower)} and {_num(limits.upper)}"
        if reading.result.assurance is Assurance.FAIL:
            return Condition(
                "measure",
                label,
                False,
                f"{m.name}: as it runs now it will not meet the target of {_num(m.target)} "
                f"({expected}).",
            )
        if reading.result.assurance is not Assurance.PASS:
            return Condition(
                "measure",
                label,
                False,
                f"{m.name}: not yet consistently passing — as it runs now it will sometimes "
                f"miss the target of {_num(m.target)} ({expected}).",
            )
        held.append(f"{m.name}: consistently passing for {phase.size} points {since}")
    return Condition("measure", label, True, "; ".join(held) + ".")


def _source_spread(supporting: list[EvidenceFact], s: GateSettings) -> Condition:
    label = f"Evidence from {s.min_source_types}+ source types in the last {s.evidence_weeks} weeks"
    kinds = {e.source_type for e in supporting}
    met = len(kinds) >= s.min_source_types
    why = f"{len(kinds)} source type(s) in the last {s.evidence_weeks} weeks"
    return Condition(
        "sources", label, met, why + ("." if met else f"; {s.min_source_types} needed.")
    )


def _has_observation(supporting: list[EvidenceFact], s: GateSettings) -> Condition:
    label = "Includes a practice observation"
    dates = [e.collected_on for e in supporting if e.source_type == OBSERVATION_SOURCE]
    if dates:
        return Condition("observation", label, True, f"Latest observation {max(dates):%d/%m/%Y}.")
    return Condition(
        "observation",
        label,
        False,
        f"No supporting practice observation in the last {s.evidence_weeks} weeks.",
    )


def _has_feedback(supporting: list[EvidenceFact], s: GateSettings) -> Condition:
    label = "Includes feedback from people, relatives or staff"
    dates = [e.collected_on for e in supporting if e.source_type in FEEDBACK_SOURCES]
    if dates:
        return Condition("feedback", label, True, f"Latest feedback {max(dates):%d/%m/%Y}.")
    return Condition(
        "feedback", label, False, f"No supporting feedback in the last {s.evidence_weeks} weeks."
    )


def _no_contradiction(
    all_evidence: tuple[EvidenceFact, ...], supporting: list[EvidenceFact]
) -> Condition:
    label = "No newer evidence contradicts it"
    latest_support = max((e.collected_on for e in supporting), default=None)
    contrary = [
        e
        for e in all_evidence
        if e.supports == Supports.NO
        and (latest_support is None or e.collected_on >= latest_support)
    ]
    if contrary:
        newest = max(e.collected_on for e in contrary)
        return Condition(
            "contradiction",
            label,
            False,
            f"Evidence dated {newest:%d/%m/%Y} does not support the change.",
        )
    return Condition("contradiction", label, True, "Nothing newer says otherwise.")


def _oversight(f: GateFacts) -> Condition:
    label = "Ongoing-oversight plan written"
    if f.oversight_plan.strip():
        return Condition("oversight", label, True, "Oversight plan recorded.")
    return Condition("oversight", label, False, "Say who will keep checking, how and how often.")


def _sign_off(f: GateFacts) -> Condition:
    label = "Signed off by a manager with a rationale"
    if not f.signed_off_by:
        return Condition("sign_off", label, False, "A manager signs off when closing.")
    if not f.signer_is_manager:
        return Condition("sign_off", label, False, f"{f.signed_off_by} is not a manager.")
    if not f.rationale.strip():
        return Condition("sign_off", label, False, "Write why the change is sustained.")
    return Condition("sign_off", label, True, f"Signed off by {f.signed_off_by}.")


def _num(value: float) -> str:
    return f"{round(value, 2):g}"


@dataclass
class _MeasureRows:
    name: str
    baseline: float
    target_kind: str
    target: float
    direction: str
    unit: str
    frequency: str
    periods: list[date] = field(default_factory=list)
    values: list[float] = field(default_factory=list)


def gather_facts(
    session: Session,
    action: Action,
    today: date,
    *,
    signed_off_by: Person | None = None,
    rationale: str = "",
) -> GateFacts:
    # Each measure with its points up to today, in one query (rather than one query for the
    # measures and one more for each measure's points); measures in id order, points by period.
    measure_rows = session.execute(
        select(
            Measure.id,
            Measure.name,
            Measure.baseline_value,
            Measure.target_kind,
            Measure.target_value,
            Measure.direction,
            Measure.unit,
            Measure.frequency,
            MeasurePoint.period_start,
            MeasurePoint.value,
        )
        .outerjoin(
            MeasurePoint,
            and_(MeasurePoint.measure_id == Measure.id, MeasurePoint.period_start <= today),
        )
        .where(Measure.action_id == action.id)
        .order_by(Measure.id, MeasurePoint.period_start)
    ).all()
    measures: dict[int, _MeasureRows] = {}
    for (
        mid,
        name,
        baseline,
        kind,
        target,
        direction,
        unit,
        frequency,
        period,
        value,
    ) in measure_rows:
        rows = measures.setdefault(
            mid, _MeasureRows(name, baseline, kind, target, direction, unit, frequency)
        )
        if value is not None:
            rows.periods.append(period)
            rows.values.append(value)
    changes: dict[int, list[tuple[date, str]]] = {}
    for change in session.scalars(
        select(MeasureChange)
        .where(MeasureChange.measure_id.in_(list(measures)), MeasureChange.changed_on <= today)
        .order_by(MeasureChange.changed_on)
    ):
        changes.setdefault(change.measure_id, []).append((change.changed_on, change_label(change)))
    evidence = [
        (e.source_type, e.supports, e.collected_on)
        for e in session.execute(
            select(Evidence.source_type, Evidence.supports, Evidence.collected_on).where(
                Evidence.action_id == action.id
            )
        )
    ]
    # An observation recorded against the action is evidence without being entered twice.
    evidence += [
        (o.source_type, o.supports, o.collected_on)
        for o in linked_observation_evidence(session, action.id)
    ]
    return GateFacts(
        steps_total=len(action.steps),
        steps_done=sum(1 for s in action.steps if s.done),
        measures=tuple(
            MeasureFact(
                name=m.name,
                values=tuple(m.values),
                target=target_value(m.baseline, m.target_kind, m.target),
                direction=m.direction,
                periods=tuple(m.periods),
                changes=tuple(changes.get(mid, ())),
                baseline=m.baseline,
                unit=m.unit,
                frequency=m.frequency,
            )
            for mid, m in measures.items()
        ),
        evidence=tuple(EvidenceFact(*e) for e in evidence),
        oversight_plan=action.oversight_plan,
        today=today,
        signed_off_by=signed_off_by.name if signed_off_by else None,
        signer_is_manager=signed_off_by is not None and is_manager(signed_off_by),
        rationale=rationale,
    )


def closure_gate(
    session: Session,
    action: Action,
    today: date,
    *,
    signed_off_by: Person | None = None,
    rationale: str = "",
    settings: GateSettings | None = None,
) -> GateResult:
    facts = gather_facts(session, action, today, signed_off_by=signed_off_by, rationale=rationale)
    return evaluate_gate(facts, settings)


def gate_settings(session: Session) -> GateSettings:
    """The gate's thresholds as this database's settings have them."""
    return GateSettings(
        sustained_points=int(settings.get(session, "gate.sustained_points")),
        evidence_weeks=int(settings.get(session, "gate.evidence_weeks")),
        min_source_types=int(settings.get(session, "gate.min_source_types")),
        spc=spc_rules(session),
    )
