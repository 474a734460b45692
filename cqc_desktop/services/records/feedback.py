"""Feedback from people using the service, relatives, staff and partners (GP, district nurse, social
worker, commissioner).

Linked to an action, an entry becomes evidence for it straight away, under the source type its
source belongs to: a partner's feedback is "Partners' feedback", in CQC's "Feedback from partners"
category, so the closure gate's source-spread condition counts it. How it felt sets whether it
supports the action (positive yes, mixed partly, negative no). Functions flush but never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session, aliased

from ...models import Action, Evidence, Feedback, Person
from ...models.enums import FeedbackMethod, FeedbackSource, Sentiment, Supports
from ..errors import NotFound, Problems
from ..listing import PAGE_SIZE, Page, like_any
from ..plans.evidence import EvidenceInput, add_evidence
from ..trust import settings
from ..trust.permissions import Permission, require
from .common import check_action, check_person, require_service, uk_date
from .incidents import looks_like_full_name
from .listing import in_dates, sorted_page

PARTNERS = frozenset(
    {
        FeedbackSource.GP,
        FeedbackSource.DISTRICT_NURSE,
        FeedbackSource.SOCIAL_WORKER,
        FeedbackSource.COMMISSIONER,
        FeedbackSource.OTHER_PARTNER,
    }
)
SOURCE_TYPE = {
    FeedbackSource.PERSON.value: "peoples_feedback",
    FeedbackSource.RELATIVE.value: "relatives_comments",
    FeedbackSource.STAFF.value: "staff_feedback",
} | {p.value: "partners_feedback" for p in PARTNERS}
SUPPORTS = {
    Sentiment.POSITIVE.value: Supports.YES.value,
    Sentiment.MIXED.value: Supports.PARTLY.value,
    Sentiment.NEGATIVE.value: Supports.NO.value,
}


@dataclass
class FeedbackInput:
    received_on: date
    source: str
    method: str
    what_was_said: str
    sentiment: str
    from_ref: str = ""
    recorded_by_id: int | None = None
    action_id: int | None = None


def get_feedback(session: Session, feedback_id: int) -> Feedback:
    found = session.get(Feedback, feedback_id)
    if found is None:
        raise NotFound("That feedback entry no longer exists.")
    return found


def _check(p: Problems, session: Session, service_id: int, d: FeedbackInput, today: date) -> None:
    p.choice("source", d.source, FeedbackSource, "source")
    p.choice("method", d.method, FeedbackMethod, "method")
    p.choice("sentiment", d.sentiment, Sentiment, "sentiment")
    p.require("what_was_said", d.what_was_said, "Write down what was said.")
    if d.received_on > today:
        p.add("received_on", "The feedback cannot be dated in the future.")
    if looks_like_full_name(d.from_ref) and not settings.get(session, "privacy.allow_names"):
        p.add(
            "from_ref",
            'Use initials, a room number or a role ("district nurse"), not a full name '
            "(names are turned off in the privacy settings).",
        )
    check_person(
        p,
        session,
        "recorded_by_id",
        d.recorded_by_id,
        "Choose someone from the staff list.",
        required=False,
    )
    check_action(p, session, "action_id", d.action_id, service_id)


def _apply(f: Feedback, d: FeedbackInput) -> None:
    f.received_on = d.received_on
    f.source = d.source
    f.method = d.method
    f.what_was_said = d.what_was_said.strip()
    f.sentiment = d.sentiment
    f.from_ref = " ".join(d.from_ref.split())
    f.recorded_by_id = d.recorded_by_id
    f.action_id = d.action_id


def link_as_evidence(session: Session, f: Feedback, today: date | None) -> None:
    """Add the entry as evidence for its action, once per action."""
    require(session, Permission.RECORD)
    if f.action_id is None or session.scalar(
        select(func.count())
        .select_from(Evidence)
        .where(Evidence.action_id == f.action_id, Evidence.feedback_id == f.id)
    ):
        return
    who = f.source + (f" ({f.from_ref})" if f.from_ref else "")
    add_evidence(
        session,
        f.action_id,
        EvidenceInput(
            title=f"Feedback: {who}, {f.method.lower()} on {uk_date(f.received_on)}",
            source_type=SOURCE_TYPE[f.source],
            collected_on=f.received_on,
            supports=SUPPORTS[f.sentiment],
            description=f.what_was_said,
            feedback_id=f.id,
        ),
        today=today,
    )


def record_feedback(
    session: Session, service_id: int, data: FeedbackInput, *, today: date | None = None
) -> Feedback:
    require(session, Permission.RECORD)
    require_service(session, service_id)
    p = Problems()
    _check(p, session, service_id, data, today or date.today())
    p.raise_if_any()
    entry = Feedback(service_id=service_id)
    _apply(entry, data)
    session.add(entry)
    session.flush()
    link_as_evidence(session, entry, today)
    return entry


def update_feedback(
    session: Session, feedback_id: int, data: FeedbackInput, *, today: date | None = None
) -> Feedback:
    """Correct an entry. Linking it to another action adds it as evidence there too; evidence
    already given for an action stays (it was tested and may have been relied on)."""
    require(session, Permission.RECORD)
    entry = get_feedback(session, feedback_id)
    p = Problems()
    _check(p, session, entry.service_id, data, today or date.today())
    p.raise_if_any()
    _apply(entry, data)
    session.flush()
    link_as_evidence(session, entry, today)
    return entry


@dataclass(frozen=True)
class FeedbackSummary:
    """Feedback received in a period: how many from each source, and how it felt."""

    total: int
    by_source: dict[str, int]
    by_sentiment: dict[str, int]
    partners: int


def summary(
    session: Session,
    service_id: int | None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> FeedbackSummary:
    stmt = select(Feedback.source, Feedback.sentiment, func.count()).group_by(
        Feedback.source, Feedback.sentiment
    )
    if service_id is not None:
        stmt = stmt.where(Feedback.service_id == service_id)
    if date_from is not None:
        stmt = stmt.where(Feedback.received_on >= date_from)
    if date_to is not None:
        stmt = stmt.where(Feedback.received_on <= date_to)
    by_source: dict[str, int] = {}
    by_sentiment: dict[str, int] = {}
    for source, sentiment, n in session.execute(stmt):
        by_source[source] = by_source.get(source, 0) + n
        by_sentiment[sentiment] = by_sentiment.get(sentiment, 0) + n
    return FeedbackSummary(
        sum(by_source.values()),
        by_source,
        by_sentiment,
        sum(n for s, n in by_source.items() if s in PARTNERS),
    )


# --- the list -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedbackQuery:
    service_id: int | None
    source: str = ""
    sentiment: str = ""
    search: str = ""
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True)
class FeedbackRow:
    id: int
    received_on: date
    source: str
    from_ref: str
    method: str
    sentiment: str
    what_was_said: str
    recorded_by: str
    action_ref: str
    action_id: int | None

    @property
    def evidence_category(self) -> str:
        return CATEGORY_OF.get(self.source, "")


CATEGORY_OF = {
    FeedbackSource.PERSON.value: "People's experience",
    FeedbackSource.RELATIVE.value: "People's experience",
    FeedbackSource.STAFF.value: "Feedback from staff and leaders",
} | {p.value: "Feedback from partners" for p in PARTNERS}

_RECORDER = aliased(Person, name="feedback_recorder")
FEEDBACK_SORTS: dict[str, ColumnElement[Any]] = {
    "received": Feedback.received_on,  # type: ignore[dict-item]
    "source": Feedback.source,  # type: ignore[dict-item]
    "sentiment": Feedback.sentiment,  # type: ignore[dict-item]
}


def feedback_page(
    session: Session,
    query: FeedbackQuery,
    sort: str = "received",
    descending: bool = True,
    after: tuple[Any, int] | None = None,
    limit: int = PAGE_SIZE,
) -> Page:
    expr = FEEDBACK_SORTS.get(sort, FEEDBACK_SORTS["received"])
    columns: list[Any] = [
        Feedback.id,
        Feedback.received_on,
        Feedback.source,
        Feedback.from_ref,
        Feedback.method,
        Feedback.sentiment,
        Feedback.what_was_said,
        func.coalesce(_RECORDER.name, ""),
        func.coalesce(Action.reference, ""),
        Feedback.action_id,
        expr,
        Feedback.id,
    ]
    stmt: Select[Any] = (
        select(*columns)
        .outerjoin(_RECORDER, _RECORDER.id == Feedback.recorded_by_id)
        .outerjoin(Action, Action.id == Feedback.action_id)
    )
    if query.service_id is not None:
        stmt = stmt.where(Feedback.service_id == query.service_id)
    if query.source:
        stmt = stmt.where(Feedback.source == query.source)
    if query.sentiment:
        stmt = stmt.where(Feedback.sentiment == query.sentiment)
    stmt = stmt.where(*in_dates(Feedback.received_on, query.date_from, query.date_to))
    if query.search.strip():
        stmt = stmt.where(like_any([Feedback.from_ref, Feedback.what_was_said], query.search))
    return sorted_page(
        session,
        stmt,
        expr,
        Feedback.id,
        FeedbackRow,
        descending=descending,
        after=after,
        limit=limit,
    )
