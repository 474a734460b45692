"""The plans list: filters, SQL sorting, keyset paging and the per-row figures."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from cqc_desktop.services.plans import actions, dashboard, plans
from cqc_desktop.services.plans.actions import ActionInput, StepInput
from cqc_desktop.services.plans.evidence import EvidenceInput, add_evidence
from cqc_desktop.services.plans.listing import STATUS_OPEN, PlanFilters, action_page, count_actions
from cqc_desktop.services.plans.measure_data import MeasureInput, create_measure, record_point
from cqc_desktop.services.plans.tree import leads, plan_tree
from cqc_desktop.services.setup import people

TODAY = date(2026, 11, 26)


@pytest.fixture
def data(session: Session) -> dict[str, int]:
    home = people.create_service(session, "Willow Court")
    other = people.create_service(session, "Oak House")
    zoe = people.create_person(session, "Zoë Hart", "Registered manager", service_id=home.id)
    priya = people.create_person(session, "Priya Raman", "Care coordinator", service_id=home.id)
    plan = plans.create_plan(
        session,
        plans.PlanInput(home.id, "CQC inspection", "CQC inspection", report_date=TODAY),
    )
    meds = plans.create_finding(
        session,
        plan.id,
        plans.FindingInput("Late medicines", "Safe", "Medicines", 4, 4, statement_codes=["S8"]),
    )
    care = plans.create_finding(
        session,
        plan.id,
        plans.FindingInput("Care plans out of date", "Responsive", "Care planning", 3, 3),
    )
    a1 = actions.create_action(
        session,
        meds.id,
        ActionInput("Protect the medicines round", zoe.id, TODAY + timedelta(days=30)),
        today=TODAY - timedelta(days=20),  # weekly review, now 13 days overdue
    )
    a2 = actions.create_action(
        session,
        care.id,
        ActionInput(
            "Review high-risk care plans",
            priya.id,
            TODAY + timedelta(days=40),
            steps=[StepInput("List high-risk people")],
        ),
        today=TODAY,
    )
    other_plan = plans.create_plan(
        session, plans.PlanInput(other.id, "Mock inspection", "Mock inspection")
    )
    other_finding = plans.create_finding(
        session,
        other_plan.id,
        plans.FindingInput("Falls not reviewed", "Safe", "Safety", 2, 2),
    )
    a3 = actions.create_action(
        session,
        other_finding.id,
        ActionInput("Review falls within a week", zoe.id, TODAY - timedelta(days=1)),
        today=TODAY,
    )
    measure = create_measure(
        session,
        a1.id,
        MeasureInput("Late entries per week", "lower", 10, "relative", -80),
    )
    for i, value in enumerate((9, 5, 2)):
        record_point(session, measure.id, TODAY - timedelta(days=7 * (3 - i)), value)
    for title, kind in (
        ("Round observed", "staff_observation"),
        ("Second round observed", "staff_observation"),
        ("Resident feedback", "peoples_feedback"),
    ):
        add_evidence(session, a1.id, EvidenceInput(title, kind, TODAY - timedelta(days=2)))
    session.flush()
    return {
        "home": home.id,
        "other": other.id,
        "plan": plan.id,
        "meds": meds.id,
        "a1": a1.id,
        "a2": a2.id,
        "a3": a3.id,
        "zoe": zoe.id,
        "priya": priya.id,
    }


def _titles(session: Session, filters: PlanFilters, **kw: object) -> list[str]:
    return [r.title for r in action_page(session, filters, TODAY, **kw).rows]  # type: ignore[arg-type]


def test_row_figures_come_from_sql(session: Session, data: dict[str, int]) -> None:
    rows = {r.action_id: r for r in action_page(session, PlanFilters(), TODAY).rows}
    meds = rows[data["a1"]]
    assert meds.lead == "Zoë Hart" and meds.rag == "Red"
    assert meds.measure_status == "At target (2; target 2)"
    assert meds.measure_short == "✔ 2 (target 2)"
    assert meds.evidence_total == 3
    assert meds.evidence_by_type == {"Staff observation": 2, "People's feedback": 1}
    assert meds.review_overdue and meds.next_review == TODAY - timedelta(days=13)
    care = rows[data["a2"]]
    assert care.measure_status == "No measure" and care.evidence_summary == "None"
    assert not care.review_overdue
    assert rows[data["a3"]].due_overdue


def test_filters(session: Session, data: dict[str, int]) -> None:
    assert _titles(session, PlanFilters(service_id=data["other"])) == ["Review falls within a week"]
    assert _titles(session, PlanFilters(risk_area="Care planning")) == [
        "Review high-risk care plans"
    ]
    assert sorted(_titles(session, PlanFilters(lead_id=data["zoe"]))) == [
        "Protect the medicines round",
        "Review falls within a week",
    ]
    assert _titles(session, PlanFilters(statement_code="S8")) == ["Protect the medicines round"]
    assert len(_titles(session, PlanFilters(key_question="Safe"))) == 2
    assert sorted(_titles(session, PlanFilters(overdue_only=True))) == [
        "Protect the medicines round",
        "Review falls within a week",
    ]
    assert _titles(session, PlanFilters(text="HIGH-risk")) == ["Review high-risk care plans"]
    assert _titles(session, PlanFilters(text="priya")) == ["Review high-risk care plans"]
    assert _titles(session, PlanFilters(text="50%_")) == []
    assert _titles(session, PlanFilters(finding_id=data["meds"])) == ["Protect the medicines round"]
    assert count_actions(session, PlanFilters(plan_id=data["plan"]), TODAY) == 2


def test_status_and_archive_filters(session: Session, data: dict[str, int]) -> None:
    action = actions.get_action(session, data["a2"])
    actions.archive_action(session, action)
    assert "Review high-risk care plans" not in _titles(session, PlanFilters())
    archived = _titles(session, PlanFilters(include_archived=True))
    assert "Review high-risk care plans" in archived
    assert len(_titles(session, PlanFilters(status=STATUS_OPEN))) == 2
    assert _titles(session, PlanFilters(status="Closed")) == []


def test_sorting_and_keyset_paging(session: Session, data: dict[str, int]) -> None:
    by_due = _titles(session, PlanFilters(), sort="due")
    assert by_due[0] == "Review falls within a week"
    assert _titles(session, PlanFilters(), sort="due", descending=True) == by_due[::-1]
    assert _titles(session, PlanFilters(), sort="rag")[0] == "Protect the medicines round"
    assert _titles(session, PlanFilters(), sort="evidence", descending=True)[0] == (
        "Protect the medicines round"
    )
    first = action_page(session, PlanFilters(), TODAY, sort="lead", limit=2)
    assert first.more and len(first.rows) == 2
    rest = action_page(session, PlanFilters(), TODAY, sort="lead", after=first.last_key, limit=2)
    assert not rest.more
    leads_in_order = [r.lead for r in first.rows + rest.rows]
    assert leads_in_order == sorted(leads_in_order)
    with pytest.raises(ValueError):
        action_page(session, PlanFilters(), TODAY, sort="nonsense")


def test_queries_per_page_do_not_grow_with_rows(session: Session, data: dict[str, int]) -> None:
    """Measure and evidence figures come from grouped SQL over the page, not a query per row."""
    statements: list[str] = []
    engine = session.get_bind()

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    def queries() -> int:
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            action_page(session, PlanFilters(), TODAY)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    few = queries()
    for i in range(20):
        actions.create_action(
            session,
            data["meds"],
            ActionInput(f"Extra action {i}", data["zoe"], TODAY + timedelta(days=i)),
            today=TODAY,
        )
    assert queries() == few == 3


def test_tree_counts_and_dashboard_figures(session: Session, data: dict[str, int]) -> None:
    tree = plan_tree(session, data["home"])
    assert [p.title for p in tree] == ["CQC inspection"]
    assert tree[0].open_actions == 2
    assert [(f.reference, f.open_actions) for f in tree[0].findings] == [
        ("CQC-F1", 1),
        ("CQC-F2", 1),
    ]
    plans.archive_plan(session, data["plan"])
    assert plan_tree(session, data["home"]) == []
    assert plan_tree(session, data["home"], include_archived=True)[0].archived
    assert dashboard.snapshot(session, TODAY).counts == {("Safe", "Green"): 1}
    assert [name for _, name in leads(session)] == ["Priya Raman", "Zoë Hart"]


def test_page_figures_match_the_whole_table_summaries(
    session: Session, data: dict[str, int]
) -> None:
    """The page's figures (one seek per measure, evidence grouped over the page) agree with the
    grouped summaries over every action that sorting by measure or evidence uses."""
    from sqlalchemy import select

    from cqc_desktop.services.plans.listing import _evidence_summary, _measure_summary

    # A second action with two measures: one at target, one with only a future point.
    both = create_measure(
        session, data["a2"], MeasureInput("Plans reviewed", "higher", 0, "absolute", 10)
    )
    record_point(session, both.id, TODAY - timedelta(days=7), 12)
    later = create_measure(
        session, data["a2"], MeasureInput("Audits passed", "higher", 50, "relative", 20)
    )
    record_point(session, later.id, TODAY + timedelta(days=7), 99)
    add_evidence(session, data["a3"], EvidenceInput("Falls log", "care_records", TODAY))
    session.flush()

    measures = _measure_summary(TODAY)
    expected_measures = {r[0]: r[1:] for r in session.execute(select(measures))}
    evidence = _evidence_summary()
    expected_evidence = {r[0]: r[1:] for r in session.execute(select(evidence))}
    rows = action_page(session, PlanFilters(), TODAY).rows
    assert len(rows) == 3
    for row in rows:
        n, with_data, at_target, latest, target = expected_measures.get(
            row.action_id, (0, 0, 0, None, None)
        )
        assert (row.measures, row.measures_with_data, row.measures_at_target) == (
            n,
            with_data or 0,
            at_target or 0,
        )
        if n == 1:
            assert (row.latest_value, row.target) == (latest, target)
        total, by_type = expected_evidence.get(row.action_id, (0, ""))
        assert row.evidence_total == total
        assert sum(row.evidence_by_type.values()) == total
        assert len(row.evidence_by_type) == (len(by_type.split(",")) if by_type else 0)
    a2 = next(r for r in rows if r.action_id == data["a2"])
    assert a2.measure_status == "1 of 2 at target"
    assert next(r for r in rows if r.action_id == data["a3"]).evidence_by_type == {
        "Care records": 1
    }
