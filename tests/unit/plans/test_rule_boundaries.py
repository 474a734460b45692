"""The rules a manager relies on, at their edges: each row of each table is one boundary, with where
its number comes from. A rule that drifts by one day, one point or one score fails a row here.

Expected values are worked out by hand in the tables, never by calling the code under test."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cqc_desktop.models.enums import ReviewFrequency, RiskArea, RiskLevel
from cqc_desktop.services.plans.closure import (
    EvidenceFact,
    GateFacts,
    GateSettings,
    MeasureFact,
    evaluate_gate,
)
from cqc_desktop.services.plans.measures import progress, target_value, worsening_run
from cqc_desktop.services.plans.scheduling import (
    default_review_frequency,
    frequency_allowed,
    next_review_date,
    risk_level,
    risk_score,
    slowest_allowed,
)
from cqc_desktop.services.plans.spc import (
    RULE_SHIFT,
    RULE_TREND,
    Assurance,
    SpcRules,
    Variation,
    analyse,
    xmr_limits,
)

TODAY = date(2026, 11, 26)
SETTINGS = GateSettings(sustained_points=3, evidence_weeks=8, min_source_types=3)
WINDOW_START = TODAY - timedelta(weeks=8)  # 01/10/2026: the first day that still counts


def _facts(evidence: list[EvidenceFact]) -> GateFacts:
    return GateFacts(
        steps_total=2,
        steps_done=2,
        measures=(MeasureFact("Late entries", (1.0, 1.0, 1.0), 3.0, "lower"),),
        evidence=tuple(evidence),
        oversight_plan="Weekly MAR audit for three months",
        today=TODAY,
        signed_off_by="Zoë Hart",
        signer_is_manager=True,
        rationale="Held for eight weeks",
    )


def _three_sources_on(day: date) -> list[EvidenceFact]:
    """An observation, feedback and an audit, all on one day: enough for every evidence condition."""
    return [
        EvidenceFact("staff_observation", "Yes", day),
        EvidenceFact("relatives_comments", "Yes", day),
        EvidenceFact("audit", "Yes", day),
    ]


# --- closure gate: the evidence window (DESIGN: evidence from the last 8 weeks, tested) ------------

WINDOW_ROWS = [
    # (day the evidence was collected, does it count?)  — the window is [today − 8 weeks, today]
    pytest.param(WINDOW_START, True, id="first day of the window (today − 56 days) counts"),
    pytest.param(WINDOW_START - timedelta(days=1), False, id="the day before the window does not"),
    pytest.param(TODAY, True, id="evidence collected today counts"),
    pytest.param(TODAY + timedelta(days=1), False, id="evidence dated tomorrow is not evidence"),
    pytest.param(
        TODAY + timedelta(days=60), False, id="evidence far in the future is not evidence"
    ),
]


@pytest.mark.parametrize(("collected_on", "counts"), WINDOW_ROWS)
def test_the_evidence_window_includes_both_ends_and_nothing_after_today(
    collected_on: date, counts: bool
) -> None:
    result = evaluate_gate(_facts(_three_sources_on(collected_on)), SETTINGS)
    for key in ("sources", "observation", "feedback"):
        assert result.condition(key).met is counts, key
    assert result.passed is counts


def test_the_window_follows_the_setting() -> None:
    four_weeks = GateSettings(sustained_points=3, evidence_weeks=4, min_source_types=3)
    first_day = TODAY - timedelta(weeks=4)
    assert evaluate_gate(_facts(_three_sources_on(first_day)), four_weeks).passed
    day_before = first_day - timedelta(days=1)
    assert not evaluate_gate(_facts(_three_sources_on(day_before)), four_weeks).passed


# --- closure gate: contradicting evidence ("No newer evidence contradicts it") ---------------------

CONTRADICTION_ROWS = [
    # (days after the latest supporting evidence that a "does not support" item is dated, met?)
    pytest.param(-1, True, id="older contrary evidence is outweighed by newer support"),
    pytest.param(0, False, id="contrary evidence on the same day as the latest support blocks"),
    pytest.param(1, False, id="newer contrary evidence blocks"),
]


@pytest.mark.parametrize(("offset", "met"), CONTRADICTION_ROWS)
def test_contrary_evidence_on_or_after_the_latest_support_blocks_closure(
    offset: int, met: bool
) -> None:
    support_day = TODAY - timedelta(days=10)
    evidence = [
        *_three_sources_on(support_day),
        EvidenceFact("audit", "No", support_day + timedelta(days=offset)),
    ]
    condition = evaluate_gate(_facts(evidence), SETTINGS).condition("contradiction")
    assert condition.met is met
    if not met:
        day = support_day + timedelta(days=offset)
        assert f"{day:%d/%m/%Y}" in condition.why


# --- closure gate: sources and the sustained measure ----------------------------------------------

SOURCE_ROWS = [
    # (distinct supporting source types, met?) — the setting asks for 3
    pytest.param(("staff_observation", "relatives_comments"), False, id="2 types: one short"),
    pytest.param(("staff_observation", "relatives_comments", "audit"), True, id="3 types: enough"),
    pytest.param(
        ("staff_observation", "staff_observation", "relatives_comments"),
        False,
        id="3 items of 2 types: types count, not items",
    ),
]


@pytest.mark.parametrize(("types", "met"), SOURCE_ROWS)
def test_source_spread_counts_types(types: tuple[str, ...], met: bool) -> None:
    evidence = [EvidenceFact(t, "Yes", TODAY - timedelta(days=3)) for t in types]
    assert evaluate_gate(_facts(evidence), SETTINGS).condition("sources").met is met


def test_evidence_that_does_not_support_is_not_a_source() -> None:
    day = TODAY - timedelta(days=3)
    evidence = [
        EvidenceFact("staff_observation", "Yes", day),
        EvidenceFact("relatives_comments", "Yes", day),
        EvidenceFact("audit", "No", day - timedelta(days=1)),
    ]
    assert not evaluate_gate(_facts(evidence), SETTINGS).condition("sources").met
    partly = [*evidence[:2], EvidenceFact("audit", "Partly", day)]
    assert evaluate_gate(_facts(partly), SETTINGS).condition("sources").met


MEASURE_ROWS = [
    # (values, target, direction, met?) — "sustained" is the SPC reading: the process limits lie
    # wholly on the right side of the target (consistently passing), with at least 3 points here
    pytest.param((3.0, 3.0, 3.0), 3.0, "lower", True, id="lower: flat on target, limits = 3"),
    pytest.param((1.0, 1.0, 3.5), 3.0, "lower", False, id="lower: limits reach past the target"),
    # 2,1,1,1,2,1,1: mean 9/7 = 1.29, mean moving range 3/6 = 0.5, upper limit 1.29 + 1.33 = 2.62
    pytest.param((2.0, 1.0, 1.0, 1.0, 2.0, 1.0, 1.0), 3.0, "lower", True, id="lower: 2.62 ≤ 3"),
    pytest.param((1.0, 1.0), 3.0, "lower", False, id="2 points when 3 are needed"),
    pytest.param((95.0, 95.0, 95.0), 95.0, "higher", True, id="higher: flat on target"),
    pytest.param((96.0, 94.9, 96.0), 95.0, "higher", False, id="higher: limits straddle"),
]


@pytest.mark.parametrize(("values", "target", "direction", "met"), MEASURE_ROWS)
def test_the_measure_must_hold_for_the_last_points(
    values: tuple[float, ...], target: float, direction: str, met: bool
) -> None:
    facts = _facts(_three_sources_on(TODAY))
    facts = GateFacts(
        **{**facts.__dict__, "measures": (MeasureFact("m", values, target, direction),)}
    )
    assert evaluate_gate(facts, SETTINGS).condition("measure").met is met


# --- review scheduling: risk bands and area ceilings (scheduling.py; 5 × 5 matrix) ----------------

BAND_ROWS = [
    # (score, level) — 1–7 low, 8–14 medium, 15–25 high
    pytest.param(1, RiskLevel.LOW, id="1: lowest score is low"),
    pytest.param(7, RiskLevel.LOW, id="7: top of low"),
    pytest.param(8, RiskLevel.MEDIUM, id="8: bottom of medium"),
    pytest.param(14, RiskLevel.MEDIUM, id="14: top of medium"),
    pytest.param(15, RiskLevel.HIGH, id="15: bottom of high"),
    pytest.param(25, RiskLevel.HIGH, id="25: highest score is high"),
]


@pytest.mark.parametrize(("score", "level"), BAND_ROWS)
def test_risk_bands(score: int, level: RiskLevel) -> None:
    assert risk_level(score) is level


FREQUENCY_ROWS = [
    # (score, risk area, review frequency) — high weekly, medium fortnightly, low monthly, but a
    # safety-critical area (medicines, safeguarding, …) is never slower than fortnightly
    pytest.param(7, RiskArea.DIGNITY, ReviewFrequency.MONTHLY, id="7 ordinary area: monthly"),
    pytest.param(8, RiskArea.DIGNITY, ReviewFrequency.FORTNIGHTLY, id="8: fortnightly"),
    pytest.param(14, RiskArea.DIGNITY, ReviewFrequency.FORTNIGHTLY, id="14: fortnightly"),
    pytest.param(15, RiskArea.DIGNITY, ReviewFrequency.WEEKLY, id="15: weekly"),
    pytest.param(7, RiskArea.MEDICINES, ReviewFrequency.FORTNIGHTLY, id="7 medicines: fortnightly"),
    pytest.param(15, RiskArea.MEDICINES, ReviewFrequency.WEEKLY, id="15 medicines: weekly"),
]


@pytest.mark.parametrize(("score", "area", "frequency"), FREQUENCY_ROWS)
def test_default_review_frequency(score: int, area: RiskArea, frequency: ReviewFrequency) -> None:
    assert default_review_frequency(score, area.value) is frequency


def test_area_ceilings() -> None:
    assert slowest_allowed(RiskArea.MEDICINES.value) is ReviewFrequency.FORTNIGHTLY
    assert not frequency_allowed(ReviewFrequency.MONTHLY, RiskArea.MEDICINES.value)
    assert frequency_allowed(ReviewFrequency.FORTNIGHTLY, RiskArea.MEDICINES.value)
    assert frequency_allowed(ReviewFrequency.MONTHLY, RiskArea.DIGNITY.value)
    # An area the framework does not know (an old file, a typo) is not treated as safety-critical.
    assert slowest_allowed("Gardening") is ReviewFrequency.MONTHLY
    assert default_review_frequency(7, "Gardening") is ReviewFrequency.MONTHLY


SCORE_ROWS = [
    # (likelihood, impact, score, or the message refusing it) — each on a 1–5 scale
    pytest.param(1, 1, 1, id="1 × 1"),
    pytest.param(5, 5, 25, id="5 × 5"),
    pytest.param(0, 3, "Likelihood must be between 1 and 5.", id="likelihood 0 refused"),
    pytest.param(3, 6, "Impact must be between 1 and 5.", id="impact 6 refused"),
]


@pytest.mark.parametrize(("likelihood", "impact", "expected"), SCORE_ROWS)
def test_risk_score_scale(likelihood: int, impact: int, expected: int | str) -> None:
    if isinstance(expected, str):
        with pytest.raises(ValueError) as refused:
            risk_score(likelihood, impact)
        assert str(refused.value) == expected
    else:
        assert risk_score(likelihood, impact) == expected


def test_next_review_is_one_cycle_after_the_last() -> None:
    start = date(2026, 11, 2)
    assert next_review_date(None, ReviewFrequency.WEEKLY, start) == date(2026, 11, 9)
    assert next_review_date(date(2026, 11, 20), ReviewFrequency.WEEKLY, start) == date(2026, 11, 27)


# --- SPC: baselines, rule lengths and assurance (DESIGN: "Measures and SPC") ---------------------


def test_a_baseline_of_exactly_two_points_fixes_the_limits() -> None:
    # Baseline 10, 14: mean 12, average moving range 4, limits 12 ± 2.66 × 4 = 1.36 … 22.64.
    result = analyse([10, 14, 30, 30], "lower", baseline_count=2)
    assert result.limits is not None
    assert result.limits.mean == pytest.approx(12.0)
    assert result.limits.upper == pytest.approx(22.64)
    assert result.limits.lower == pytest.approx(1.36)
    # 30 is above the baseline's upper limit: special cause, and worse for a "lower" measure.
    assert result.points[2].variation is Variation.CONCERN


def test_one_point_is_too_few_for_limits() -> None:
    assert xmr_limits([5.0]) is None
    assert xmr_limits([5.0, 7.0]) is not None
    assert analyse([5.0], "lower", target=3).assurance is Assurance.TOO_FEW_POINTS


# A shift of 7 on one side of the mean: 7 flags, 6 does not. The series is built so the mean sits
# between the low and high values: first the "other side" points, then the run, then one far point
# on the other side to pull the mean (hand-checked: mean lies between 1 and 9 in each series).
@pytest.mark.parametrize(
    ("run", "flagged"),
    [pytest.param(6, False, id="6 on one side: not a shift"), pytest.param(7, True, id="7: shift")],
)
def test_shift_length(run: int, flagged: bool) -> None:
    values = [9.0] * run + [1.0] * run
    result = analyse(values, "lower", rules=SpcRules(shift_length=7, two_of_three=False))
    assert any(RULE_SHIFT in p.rules for p in result.points) is flagged


@pytest.mark.parametrize(
    ("length", "flagged"),
    [
        pytest.param(6, False, id="6 points falling: not a trend"),
        pytest.param(7, True, id="7 points falling: a trend"),
    ],
)
def test_trend_length(length: int, flagged: bool) -> None:
    falling = [float(20 - i) for i in range(length)]
    # Padding that neither rises nor falls in a run, so only the falling run can be a trend.
    values = [10.0, 12.0, 10.0, *falling, 25.0, 24.0]
    result = analyse(values, "lower", rules=SpcRules(trend_length=7, two_of_three=False))
    assert any(RULE_TREND in p.rules for p in result.points) is flagged


ASSURANCE_ROWS = [
    # (values, target, direction, assurance). Flat series have both limits on the mean, so the
    # reading is the mean against the target (spc._assurance).
    pytest.param([3.0, 3.0, 3.0], 3.0, "lower", Assurance.PASS, id="lower: upper limit = target"),
    pytest.param([3.5, 3.5, 3.5], 3.0, "lower", Assurance.FAIL, id="lower: lower limit > target"),
    pytest.param([95.0] * 3, 95.0, "higher", Assurance.PASS, id="higher: lower limit = target"),
    pytest.param([94.0] * 3, 95.0, "higher", Assurance.FAIL, id="higher: upper limit < target"),
    # 2, 4, 2, 4: mean 3, mMR 2, limits 3 ± 5.32 straddle a target of 3 → hit and miss
    pytest.param([2.0, 4.0, 2.0, 4.0], 3.0, "lower", Assurance.INCONSISTENT, id="straddles"),
]


@pytest.mark.parametrize(("values", "target", "direction", "assurance"), ASSURANCE_ROWS)
def test_assurance_boundaries(
    values: list[float], target: float, direction: str, assurance: Assurance
) -> None:
    assert analyse(values, direction, target=target).assurance is assurance


# --- measures: relative targets, progress and the "two worsening points" trigger ------------------

TARGET_ROWS = [
    # (baseline, kind, target, absolute target) — a relative target is a % change from baseline
    pytest.param(15.0, "relative", -80.0, 3.0, id="15 a week, −80 % → 3"),
    pytest.param(7.0, "relative", -50.0, 3.5, id="7, −50 % → 3.5 (not rounded to a whole number)"),
    pytest.param(10.0, "relative", -80.0, 2.0, id="10, −80 % → exactly 2 (no float noise)"),
    pytest.param(60.0, "absolute", 95.0, 95.0, id="absolute targets are taken as written"),
]


@pytest.mark.parametrize(("baseline", "kind", "target", "goal"), TARGET_ROWS)
def test_target_value(baseline: float, kind: str, target: float, goal: float) -> None:
    assert target_value(baseline, kind, target) == goal


def test_progress_with_no_points_has_no_fraction_of_the_goal() -> None:
    empty = progress([], baseline=15, direction="lower", target_kind="relative", target=-80)
    assert empty.fraction_of_goal is None and empty.latest is None and not empty.at_target
    flat = progress([5.0], baseline=5, direction="lower", target_kind="absolute", target=5)
    assert flat.fraction_of_goal is None  # the goal is the baseline: no way to go


WORSENING_ROWS = [
    # (values, direction, two worsening changes in a row?) — needs 3 points for 2 changes
    pytest.param([1.0, 5.0], "lower", False, id="2 points: one change only"),
    pytest.param([1.0, 3.0, 5.0], "lower", True, id="lower: rising twice is worse"),
    pytest.param([5.0, 3.0, 1.0], "lower", False, id="lower: falling is better"),
    pytest.param([95.0, 90.0, 85.0], "higher", True, id="higher: falling twice is worse"),
    pytest.param([90.0, 90.0, 90.0], "higher", False, id="higher: level is not worse"),
    pytest.param([1.0, 1.0, 1.0], "lower", False, id="lower: level is not worse"),
]


@pytest.mark.parametrize(("values", "direction", "worse"), WORSENING_ROWS)
def test_worsening_run(values: list[float], direction: str, worse: bool) -> None:
    assert worsening_run(values, direction) is worse
