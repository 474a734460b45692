from __future__ import annotations

from datetime import date

import pytest

from cqc_desktop.models.enums import Rag, ReviewFrequency, RiskLevel
from cqc_desktop.services.plans.scheduling import (
    default_review_frequency,
    frequency_allowed,
    next_review_date,
    risk_level,
    risk_rag,
    risk_score,
)


@pytest.mark.parametrize(
    ("likelihood", "impact", "score", "level", "rag"),
    [
        (5, 5, 25, RiskLevel.HIGH, Rag.RED),
        (3, 5, 15, RiskLevel.HIGH, Rag.RED),
        (2, 4, 8, RiskLevel.MEDIUM, Rag.AMBER),
        (3, 4, 12, RiskLevel.MEDIUM, Rag.AMBER),
        (1, 5, 5, RiskLevel.LOW, Rag.GREEN),
    ],
)
def test_score_level_and_rag(
    likelihood: int, impact: int, score: int, level: RiskLevel, rag: Rag
) -> None:
    assert risk_score(likelihood, impact) == score
    assert risk_level(score) is level
    assert risk_rag(score) is rag


def test_score_outside_the_matrix_is_refused() -> None:
    with pytest.raises(ValueError, match="between 1 and 5"):
        risk_score(0, 3)


@pytest.mark.parametrize(
    ("score", "area", "expected"),
    [
        (20, "Care planning", ReviewFrequency.WEEKLY),
        (10, "Care planning", ReviewFrequency.FORTNIGHTLY),
        (4, "Care planning", ReviewFrequency.MONTHLY),
        # Safety-critical areas never drop to monthly, however low the score.
        (4, "Medicines", ReviewFrequency.FORTNIGHTLY),
        (4, "Safeguarding", ReviewFrequency.FORTNIGHTLY),
        (4, "Safety", ReviewFrequency.FORTNIGHTLY),
        (4, "Staffing", ReviewFrequency.FORTNIGHTLY),
        (4, "Governance", ReviewFrequency.FORTNIGHTLY),
        (20, "Medicines", ReviewFrequency.WEEKLY),
    ],
)
def test_review_frequency_follows_risk(score: int, area: str, expected: ReviewFrequency) -> None:
    assert default_review_frequency(score, area) is expected


def test_monthly_not_allowed_for_medicines_but_allowed_for_care_planning() -> None:
    assert not frequency_allowed(ReviewFrequency.MONTHLY, "Medicines")
    assert frequency_allowed(ReviewFrequency.FORTNIGHTLY, "Medicines")
    assert frequency_allowed(ReviewFrequency.MONTHLY, "Care planning")


def test_next_review_follows_last_review() -> None:
    start = date(2026, 11, 2)
    assert next_review_date(None, ReviewFrequency.WEEKLY, start) == date(2026, 11, 9)
    assert next_review_date(date(2026, 11, 20), ReviewFrequency.FORTNIGHTLY, start) == date(
        2026, 12, 4
    )
    assert next_review_date(date(2026, 11, 20), ReviewFrequency.MONTHLY, start) == date(
        2026, 12, 18
    )
