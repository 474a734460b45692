"""The search boxes over the audit trail, incidents and observations: answered from the trigram
indexes (migration 0002), they find exactly the rows the old LIKE scan found."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from cqc_desktop.db import Database
from cqc_desktop.models import AuditLog, Incident, Person, Service
from cqc_desktop.models.enums import Role
from cqc_desktop.models.search_index import (
    AUDIT_SEARCH,
    INCIDENT_SEARCH,
    OBSERVATION_SEARCH,
    is_search_index_table,
    postgres_index_name,
)
from cqc_desktop.services.listing import like_any
from cqc_desktop.services.records import listing as rl
from cqc_desktop.services.records.incidents import IncidentDetails, log_incident, update_incident
from cqc_desktop.services.records.log_listing import ObservationQuery, observation_page
from cqc_desktop.services.records.logs import ObservationInput, add_observation
from cqc_desktop.services.text_search import contains, phrase
from cqc_desktop.services.trust import audit_history
from cqc_desktop.services.trust.permissions import Actor

TODAY = date(2026, 11, 26)
ADMIN = Actor(user_id=None, username="admin", role=Role.ADMINISTRATOR)
# What a manager types: whole words, the start or middle of a word, any case, a room number,
# a date, punctuation, and text with LIKE's own wildcards in it.
SEARCHES = [
    "room 17",
    "ROOM 1",
    "oom 17",
    "fall",
    "Unwitnessed",
    "witness",
    "agency nurse",
    "o'brien",
    '"quoted"',
    "50%",
    "a_b",
    "17",  # too short for the index: scanned, as before
    "zz",
    "Zoë",
    "2026-11",
]
TEXTS = [
    "Unwitnessed fall in room 17, found by agency nurse",
    "Fall in Room 170 at night",
    "Resident in room 1 said the bedroom 17 door sticks",
    "Mrs O'Brien's family were told",
    'She said "quoted" words',
    "50% of the checks were late",
    "a_b and ab are different",
    "Zoë Hart reviewed on 2026-11-20",
    "Nothing to see",
]


@pytest.fixture
def incidents(session: Session) -> Service:
    home = Service(name="Willow Court")
    session.add(home)
    session.flush()
    for n, words in enumerate(TEXTS):
        log_incident(
            session,
            home.id,
            occurred_at=datetime(2026, 11, 1 + n, 9),
            incident_type="Fall",
            severity="No harm",
            person_ref=f"Rm {n}",
            description=words,
            today=TODAY,
        )
    return home


def _on_server(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _indexes(session: Session) -> set[str]:
    if _on_server(session):
        return set(session.execute(text("SELECT indexname FROM pg_indexes")).scalars())
    return set(
        session.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'")).scalars()
    )


def test_a_new_database_has_the_search_indexes(session: Session) -> None:
    found = _indexes(session)
    for index in (AUDIT_SEARCH, INCIDENT_SEARCH, OBSERVATION_SEARCH):
        if _on_server(session):
            # pg_trgm: one trigram index per searched column.
            assert {postgres_index_name(index, c) for c in index.columns} <= found
        else:
            assert index.name in found
            assert is_search_index_table(index.name)
            assert is_search_index_table(index.name + "_data")
    assert not is_search_index_table("incident")


def test_postgresql_answers_the_search_from_the_trigram_index(
    session: Session, incidents: Service
) -> None:
    if not _on_server(session):
        pytest.skip("pg_trgm is PostgreSQL's; SQLite's FTS5 index is tested below")
    session.execute(text("SET LOCAL enable_seqscan = off"))  # a small table would be scanned
    condition = contains(session, INCIDENT_SEARCH, Incident.id, [Incident.description], "room")
    query = select(Incident.id).where(condition)
    compiled = query.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    plan = "\n".join(session.execute(text(f"EXPLAIN {compiled}")).scalars())
    assert postgres_index_name(INCIDENT_SEARCH, "description") in plan


@pytest.mark.parametrize("words", SEARCHES)
def test_incident_search_finds_what_like_finds(
    session: Session, incidents: Service, words: str
) -> None:
    columns = [
        Incident.reference,
        Incident.person_ref,
        Incident.location,
        Incident.description,
        Incident.learning_point,
        Incident.reported_by,
    ]
    scanned = set(session.scalars(select(Incident.id).where(like_any(columns, words))))
    indexed = set(
        session.scalars(
            select(Incident.id).where(
                contains(session, INCIDENT_SEARCH, Incident.id, columns, words)
            )
        )
    )
    assert indexed == scanned
    query = rl.IncidentQuery(incidents.id, TODAY, search=words)
    listed = {r.id for r in rl.incident_page(session, query).rows}
    assert listed == scanned
    assert rl.incident_count(session, query) == len(scanned)


def test_the_index_answers_when_the_words_are_long_enough(session: Session) -> None:
    if _on_server(session):
        pytest.skip("on PostgreSQL the trigram index answers LIKE itself (test above)")
    condition = contains(session, INCIDENT_SEARCH, Incident.id, [Incident.description], "room")
    assert "MATCH" in str(condition.compile())
    short = contains(session, INCIDENT_SEARCH, Incident.id, [Incident.description], "rm")
    assert "MATCH" not in str(short.compile()) and "LIKE" in str(short.compile())
    assert phrase('say "hi"') == '"say ""hi"""'


def test_a_changed_or_deleted_incident_is_found_by_its_new_words_only(
    session: Session, incidents: Service
) -> None:
    def found(words: str) -> set[int]:
        query = rl.IncidentQuery(incidents.id, TODAY, search=words)
        return {r.id for r in rl.incident_page(session, query).rows}

    first = session.scalars(select(Incident).order_by(Incident.id)).first()
    assert first is not None and first.id in found("unwitnessed")
    update_incident(
        session,
        first.id,
        IncidentDetails(
            first.occurred_at,
            "Fall",
            "No harm",
            "Rm 0",
            description="Slipped on a wet floor in the dining room",
        ),
        today=TODAY,
    )
    assert first.id not in found("unwitnessed")
    assert found("wet floor") == {first.id}
    session.delete(first)
    session.flush()
    assert found("wet floor") == set()


def test_observation_search_uses_the_index_and_finds_the_same(session: Session) -> None:
    home = Service(name="Oak House")
    session.add(home)
    session.flush()
    observer = Person(name="Zoë Hart", role="Deputy manager", service_id=home.id)
    session.add(observer)
    session.flush()
    for n, words in enumerate(TEXTS):
        add_observation(
            session,
            home.id,
            ObservationInput(
                datetime(2026, 11, 1 + n, 9),
                "Communication",
                "Met",
                observer.id,
                f"Carer {n}",
                words,
                "Given",
            ),
            today=TODAY,
        )
    for words in SEARCHES:
        listed = {
            r.what_was_seen
            for r in observation_page(session, ObservationQuery(home.id, search=words)).rows
        }
        assert listed == {t for t in TEXTS if _like(words, t)}, words


def _like(words: str, value: str) -> bool:
    """What SQLite's LIKE '%words%' says (ASCII case-insensitive), for the expected results."""
    with sqlite3.connect(":memory:") as conn:
        pattern = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        row = conn.execute("SELECT ? LIKE ? ESCAPE '\\'", (value, pattern)).fetchone()
    return bool(row[0])


def test_audit_trail_search_finds_what_like_finds_newest_first(db: Database) -> None:
    with db.unit_of_work() as s:
        home = Service(name="Willow Court")
        s.add(home)
        s.flush()
        for n, words in enumerate(TEXTS):
            log_incident(
                s,
                home.id,
                occurred_at=datetime(2026, 11, 1 + n, 9),
                incident_type="Fall",
                severity="No harm",
                person_ref=f"Rm {n}",
                description=words,
                today=TODAY,
            )
    with db.reading() as s:
        s.info["user"] = ADMIN
        columns = [
            AuditLog.username,
            AuditLog.record_type,
            AuditLog.field,
            AuditLog.old_value,
            AuditLog.new_value,
        ]
        for words in [*SEARCHES, "Incident", "description", "admin"]:
            scanned = list(
                s.scalars(
                    select(AuditLog.id).where(like_any(columns, words)).order_by(AuditLog.id.desc())
                )
            )
            filters = audit_history.TrailFilter(text=words)
            found, after = [], None
            while True:
                page = audit_history.search(s, filters, after=after, limit=3)
                found += [e.id for e in page.rows]
                if not page.more:
                    break
                after = page.last_key
            assert found == scanned, words


def test_the_trail_index_follows_every_new_entry(db: Database) -> None:
    """Entries are only ever added (the chain is unchanged); each is searchable at once."""
    with db.unit_of_work() as s:
        s.add(Service(name="Lime Tree Lodge"))
    with db.reading() as s:
        s.info["user"] = ADMIN
        rows = audit_history.search(s, audit_history.TrailFilter(text="lime tree")).rows
        assert [e.new for e in rows] == ["Lime Tree Lodge"]
        from cqc_desktop.services.trust.audit_verify import verify_chain

        assert verify_chain(s).ok


@pytest.mark.parametrize("state", ["", "late", "open", "met"])
@pytest.mark.parametrize("words", ["", "room 17", "fall"])
def test_the_summary_counts_agree_with_counting_each_list(
    session: Session, incidents: Service, state: str, words: str
) -> None:
    """The Incidents tab's line "N shown, M with 7-day learning late" read in one pass is the
    same as counting the list shown and the late list (at the same home, search and dates)."""
    query = rl.IncidentQuery(incidents.id, TODAY, search=words, state=state)
    late = rl.IncidentQuery(incidents.id, TODAY, search=words, state="late")
    assert rl.incident_counts(session, query) == (
        rl.incident_count(session, query),
        rl.incident_count(session, late),
    )
    assert rl.incident_counts(session, rl.IncidentQuery(incidents.id, TODAY))[1] > 0
