"""Risk scoring and review scheduling.

The review cycle follows the risk: high → weekly, medium → fortnightly, low → monthly. Actions about
safety, safeguarding, medicines, staffing or governance are never reviewed less often than
fortnightly, because those are where harm happens between reviews.
"""

from __future__ import annotations

from datetime import date, timedelta

from ...models.enums import FAST_REVIEW_AREAS, Rag, ReviewFrequency, RiskArea, RiskLevel

SCORE_MIN, SCORE_MAX = 1, 5


def risk_score(likelihood: int, impact: int) -> int:
    """Likelihood × impact on the usual 5 × 5 matrix (1–25)."""
    for name, value in (("likelihood", likelihood), ("impact", impact)):
        if not SCORE_MIN <= value <= SCORE_MAX:
            raise ValueError(f"{name.capitalize()} must be between 1 and 5.")
    return likelihood * impact


def risk_level(score: int) -> RiskLevel:
    """15–25 high, 8–14 medium, 1–7 low (the banding most care providers' risk matrices use)."""
    if score >= 15:
        return RiskLevel.HIGH
    if score >= 8:
        return RiskLevel.MEDIUM
    return RiskLevel.LOW


def risk_rag(score: int) -> Rag:
    return {RiskLevel.HIGH: Rag.RED, RiskLevel.MEDIUM: Rag.AMBER, RiskLevel.LOW: Rag.GREEN}[
        risk_level(score)
    ]


def default_review_frequency(score: int, risk_area: str) -> ReviewFrequency:
    level = risk_level(score)
    frequency = {
        RiskLevel.HIGH: ReviewFrequency.WEEKLY,
        RiskLevel.MEDIUM: ReviewFrequency.FORTNIGHTLY,
        RiskLevel.LOW: ReviewFrequency.MONTHLY,
    }[level]
    if frequency is ReviewFrequency.MONTHLY and _is_fast_area(risk_area):
        return ReviewFrequency.FORTNIGHTLY
    return frequency


def slowest_allowed(risk_area: str) -> ReviewFrequency:
    """The least frequent cycle a manager may choose for this risk area."""
    return ReviewFrequency.FORTNIGHTLY if _is_fast_area(risk_area) else ReviewFrequency.MONTHLY


def frequency_allowed(frequency: ReviewFrequency, risk_area: str) -> bool:
    return frequency.days <= slowest_allowed(risk_area).days


def next_review_date(last_review: date | None, frequency: ReviewFrequency, start: date) -> date:
    """The next review falls one cycle after the last review (or after the action was set)."""
    return (last_review or start) + timedelta(days=frequency.days)


def _is_fast_area(risk_area: str) -> bool:
    try:
        return RiskArea(risk_area) in FAST_REVIEW_AREAS
    except ValueError:
        return False


def cadence_proposal(
    current: str,
    risk_area: str,
    *,
    passing_points: int,
    slipped: bool,
    needed: int,
    period_word: str = "weeks",
) -> str | None:
    """What the review cycle could become now the measure reads as it does, or None.

    Consistently passing for ``needed`` points or more: reviews can slow to the slowest cycle the
    risk area allows. A slip (the latest point a special-cause concern) on a slower cycle: back
    to weekly. The manager decides; this only proposes.
    """
    try:
        frequency = ReviewFrequency(current)
    except ValueError:
        return None
    if slipped:
        if frequency is ReviewFrequency.WEEKLY:
            return None
        return (
            f"The latest point is a concern: reviews could go back from "
            f"{frequency.value.lower()} to weekly."
        )
    slowest = slowest_allowed(risk_area)
    if passing_points >= needed and frequency.days < slowest.days:
        return (
            f"Consistently passing for {passing_points} {period_word}: reviews could move from "
            f"{frequency.value.lower()} to {slowest.value.lower()}."
        )
    return None
