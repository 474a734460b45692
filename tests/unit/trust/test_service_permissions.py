"""Attack: a role gap in the services. Every public service function (a module-level function in
``cqc_desktop/services/**`` whose first parameter is a ``Session``) has a permission decision in
the table below, and each role is tried against it: a role the decision refuses must get
NotAllowed before anything else happens, and a role it allows must never get NotAllowed.

A new service function without a line here fails ``test_every_service_function_has_a_decision``:
decide who may call it, and add it.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import cqc_desktop.services as services_package
from cqc_desktop.db import Database
from cqc_desktop.models.enums import Role
from cqc_desktop.services.errors import NotAllowed
from cqc_desktop.services.trust import users
from cqc_desktop.services.trust.permissions import (
    ROLE_PERMISSIONS,
    SESSION_KEY,
    Actor,
    Permission,
)

ALL_ROLES = frozenset(Role)


def needs(permission: Permission) -> frozenset[Role]:
    """Refused for every role without ``permission``."""
    return frozenset(r for r in Role if permission not in ROLE_PERMISSIONS[r])


READ: frozenset[Role] = frozenset()
"""Only reads: any signed-in role, a viewer included."""
UPKEEP: frozenset[Role] = frozenset()
"""Keeps derived rows (alerts, derived measure points) in step with the records; refuses nobody
itself, because it runs inside another service's already-checked change or as the app at start.
Whatever it writes still passes the before-flush guard (a viewer changes nothing)."""
SIGN_IN: frozenset[Role] = frozenset()
"""Signing in, or recovering with the one-time code: nobody is signed in yet."""
OWN_ACCOUNT: frozenset[Role] = frozenset()
"""The signed-in user's own password: every role."""
NO_USERS_YET = ALL_ROLES
"""The first administrator: refused for everyone once the database has users (it has here)."""
WITHDRAW = frozenset({Role.VIEWER, Role.STAFF})
"""Withdrawing a record: a manager; staff only a row they entered in the last 30 minutes
(tests/unit/trust/test_insider.py tries that)."""
WITHDRAW_ROW = frozenset({Role.VIEWER})
"""A tracker row: as WITHDRAW, but the row is looked up before the manager check, so with no
real row staff get "not found" here; test_insider.py tries staff against a real row."""


DECISIONS: dict[str, frozenset[Role]] = {
    # Complaints, feedback, supervision, candour (records staff keep) and raising an action.
    "records.candour.record_candour": needs(Permission.RECORD),
    "records.complaints.record_complaint": needs(Permission.RECORD),
    "records.complaints.update_complaint": needs(Permission.RECORD),
    "records.feedback.record_feedback": needs(Permission.RECORD),
    "records.feedback.update_feedback": needs(Permission.RECORD),
    "records.feedback.link_as_evidence": needs(Permission.RECORD),
    "records.supervision.record_supervision": needs(Permission.RECORD),
    "records.supervision.update_supervision": needs(Permission.RECORD),
    "records.supervision.link_as_evidence": needs(Permission.RECORD),
    "records.raise_action.raise_action": needs(Permission.EDIT_PLANS),
    "records.raise_action.suggest": READ,
    "records.complaint_listing.complaint_page": READ,
    "records.complaint_listing.themes": READ,
    "records.complaints.get_complaint": READ,
    "records.complaints.next_reference": READ,
    "records.complaints.overdue": READ,
    "records.feedback.feedback_page": READ,
    "records.feedback.get_feedback": READ,
    "records.feedback.summary": READ,
    "records.notifications.overdue": READ,
    "records.spreadsheets.complaints_table": READ,
    "records.spreadsheets.feedback_table": READ,
    "records.supervision.due_list": READ,
    "records.supervision.get_supervision": READ,
    "records.supervision.supervision_page": READ,
    "reporting.voices.voices": READ,
    # Measure changes (the SPC phases): recorded and removed by those who edit plans.
    "plans.measure_reading.record_change": needs(Permission.EDIT_PLANS),
    "plans.measure_reading.delete_change": needs(Permission.EDIT_PLANS),
    # Plan codes: suggestions and look-ups; the code itself is saved with the plan.
    "plans.plans.code_is_fixed": READ,
    "plans.plans.suggest_plan_code": READ,
    "plans.plans.taken_codes": READ,
    # Importing into a tracker: what is already there, and the value map kept for next time.
    "records.import_values.already_in_tracker": READ,
    "records.import_values.saved_value_map": READ,
    "records.import_values.remember_value_map": needs(Permission.RECORD),
    "records.listing.sorted_page": READ,
    "reporting.common.free_text_scrubber": READ,
    "reporting.record_notes.record_notes": READ,
    # Set-up: only a database nobody can sign in to yet (it has users here, so all refused).
    "setup.first_run.has_data": READ,
    "setup.first_run.needs_setting_up": READ,
    "setup.first_run.preview_staff_list": NO_USERS_YET,
    "setup.first_run.set_up": NO_USERS_YET,
    # Homes and the provider's name: an administrator's.
    "setup.homes.add_home": needs(Permission.MANAGE),
    "setup.homes.edit_home": needs(Permission.MANAGE),
    "setup.homes.set_archived": needs(Permission.MANAGE),
    "setup.homes.set_provider_name": needs(Permission.MANAGE),
    "setup.homes.find_home": READ,
    "setup.homes.get_home": READ,
    "setup.homes.home_problems": READ,
    "setup.homes.list_homes": READ,
    "setup.homes.provider_name": READ,
    # Staff lists: administrators and managers.
    "setup.staff.add_staff": frozenset({Role.STAFF, Role.VIEWER}),
    "setup.staff.edit_staff": frozenset({Role.STAFF, Role.VIEWER}),
    "setup.staff.mark_left": frozenset({Role.STAFF, Role.VIEWER}),
    "setup.staff.rejoin": frozenset({Role.STAFF, Role.VIEWER}),
    "setup.staff_import.import_staff": frozenset({Role.STAFF, Role.VIEWER}),
    "setup.staff.homes_of": READ,
    "setup.staff.list_staff": READ,
    "setup.staff.staff_input_of": READ,
    "setup.staff_import.preview_file": READ,
    "setup.staff_import.preview_sheet": READ,
    # Optimistic locking: helpers inside another service's checked change.
    "trust.conflicts.check_version": UPKEEP,
    "trust.conflicts.conflict": UPKEEP,
    "trust.conflicts.last_change": READ,
    # Bookkeeping settings (an import's value map): the calling service checks its own permission.
    "trust.settings.keep": UPKEEP,
    "demo.loader.seed_demo": needs(Permission.MANAGE),
    "governance.agenda.build_agenda": READ,
    "governance.agenda.apply_agenda": needs(Permission.RECORD),
    "governance.audit_actions.suggest_action": READ,
    "governance.audit_actions.raise_action_from_answer": needs(Permission.EDIT_PLANS),
    "governance.audit_actions.link_run_as_evidence": needs(Permission.RECORD),
    "governance.audit_runs.record_audit_run": needs(Permission.RECORD),
    "governance.audit_runs.get_run": READ,
    "governance.audit_runs.previous_run": READ,
    "governance.audit_runs.compare_with_previous": READ,
    "governance.audit_schedule.schedules_for": READ,
    "governance.audit_schedule.set_audit_schedule": needs(Permission.EDIT_PLANS),
    "governance.audit_schedule.latest_runs": READ,
    "governance.audit_schedule.last_runs": READ,
    "governance.audit_schedule.last_scores": READ,
    "governance.audit_schedule.audit_plan": READ,
    "governance.audit_schedule.schedule_overview": READ,
    "governance.audit_schedule.due_audits": READ,
    "governance.audit_schedule.score_trend": READ,
    "governance.audits.install_builtin_audit_templates": needs(Permission.EDIT_PLANS),
    "governance.audits.get_template": READ,
    "governance.audits.current_templates": READ,
    "governance.audits.new_template_version": needs(Permission.EDIT_PLANS),
    "governance.listing.meeting_page": READ,
    "governance.listing.audit_run_page": READ,
    "governance.meetings.get_meeting": READ,
    "governance.meetings.get_item": READ,
    "governance.meetings.create_meeting": needs(Permission.RECORD),
    "governance.meetings.update_meeting": needs(Permission.RECORD),
    "governance.meetings.add_meeting_item": needs(Permission.RECORD),
    "governance.meetings.remove_meeting_item": needs(Permission.RECORD),
    "governance.meetings.move_meeting_item": needs(Permission.RECORD),
    "governance.meetings.approve_minutes": needs(Permission.APPROVE_MINUTES),
    "governance.meetings.add_addendum": needs(Permission.RECORD),
    "governance.meetings.previous_meeting": READ,
    "governance.minute_drafts.save_draft": needs(Permission.RECORD),
    "governance.minute_drafts.drafts_for": READ,
    "governance.minute_drafts.discard_drafts": needs(Permission.RECORD),
    "governance.minutes.record_item_minute": needs(Permission.RECORD),
    "governance.minutes.item_review": READ,
    "governance.minutes.record_minute": needs(Permission.RECORD),
    "governance.minutes.link_minute_as_evidence": needs(Permission.RECORD),
    "listing.keyset_page": READ,
    "plans.actions.get_action": READ,
    "plans.actions.create_action": needs(Permission.EDIT_PLANS),
    "plans.actions.update_action": needs(Permission.EDIT_PLANS),
    "plans.actions.set_step_done": needs(Permission.RECORD),
    "plans.actions.record_review": needs(Permission.EDIT_PLANS),
    "plans.actions.close_action": needs(Permission.CLOSE_ACTIONS),
    "plans.actions.close_with_override": needs(Permission.OVERRIDE_CLOSURE),
    "plans.actions.reopen_action": needs(Permission.CLOSE_ACTIONS),
    "plans.actions.archive_action": needs(Permission.EDIT_PLANS),
    "plans.actions.restore_action": needs(Permission.EDIT_PLANS),
    "plans.alert_triggers.candidates": READ,
    "plans.alerts.scan": UPKEEP,
    "plans.alerts.open_alerts": READ,
    "plans.alerts.open_alert_count": READ,
    "plans.alerts.acknowledged_alerts": READ,
    "plans.alerts.acknowledge": needs(Permission.EDIT_PLANS),
    "plans.closure.gather_facts": READ,
    "plans.closure.closure_gate": READ,
    "plans.closure.gate_settings": READ,
    "plans.dashboard.overdue_reviews": READ,
    "plans.dashboard.snapshot": READ,
    "plans.dashboard.staff": READ,
    "plans.evidence.add_evidence": needs(Permission.RECORD),
    "plans.evidence.attach_file": needs(Permission.RECORD),
    "plans.evidence.evidence_counts": READ,
    "plans.evidence.triangulation": READ,
    "plans.evidence.evidence_for": READ,
    "plans.evidence.link_choices": READ,
    "plans.evidence.linked_label": READ,
    "plans.evidence.linked_observation_evidence": READ,
    "plans.listing.action_page": READ,
    "plans.listing.count_actions": READ,
    "plans.measure_data.create_measure": needs(Permission.EDIT_PLANS),
    "plans.measure_data.record_point": needs(Permission.EDIT_PLANS),
    "plans.measure_data.get_measure": READ,
    "plans.measure_data.update_measure": needs(Permission.EDIT_PLANS),
    "plans.measure_data.withdraw_point": needs(Permission.EDIT_PLANS),
    "plans.measure_data.measures_for": READ,
    "plans.plans.create_plan": needs(Permission.EDIT_PLANS),
    "plans.plans.update_plan": needs(Permission.EDIT_PLANS),
    "plans.plans.get_plan": READ,
    "plans.plans.list_plans": READ,
    "plans.plans.create_finding": needs(Permission.EDIT_PLANS),
    "plans.plans.update_finding": needs(Permission.EDIT_PLANS),
    "plans.plans.get_finding": READ,
    "plans.plans.archive_plan": needs(Permission.EDIT_PLANS),
    "plans.plans.restore_plan": needs(Permission.EDIT_PLANS),
    "plans.plans.delete_finding": needs(Permission.EDIT_PLANS),
    "plans.spc.spc_rules": READ,
    "plans.tree.plan_tree": READ,
    "plans.tree.leads": READ,
    "records.common.require_service": READ,
    "records.common.action_service_id": READ,
    "records.derived_fields.fields_for": READ,
    "records.derived_measures.check_derivation": READ,
    "records.derived_measures.describe": READ,
    "records.derived_measures.recompute": UPKEEP,
    "records.derived_measures.tracker_changed": UPKEEP,
    "records.derived_measures.records_changed": UPKEEP,
    "records.derived_measures.bring_up_to_date": UPKEEP,
    "records.derived_measures.needs_update": READ,
    "records.derived_measures.create_derived_measure": needs(Permission.EDIT_PLANS),
    "records.derived_measures.set_derivation": needs(Permission.EDIT_PLANS),
    "records.derived_measures.summaries": READ,
    "records.importers.check_import": READ,
    "records.importers.import_rows": needs(Permission.RECORD),
    "records.incidents.get_incident": READ,
    "records.incidents.next_reference": READ,
    "records.incidents.log_incident": needs(Permission.RECORD),
    "records.incidents.update_incident": needs(Permission.RECORD),
    "records.incidents.review_incident": needs(Permission.RECORD),
    "records.incidents.share_incident_at_handover": needs(Permission.RECORD),
    "records.incidents.complete_incident_actions": needs(Permission.RECORD),
    "records.incidents.reopen_incident": needs(Permission.RECORD),
    "records.incidents.add_incident_as_evidence": needs(Permission.RECORD),
    "records.incidents.possible_repeats": READ,
    "records.listing.tracker_page": READ,
    "records.listing.tracker_count": READ,
    "records.listing.incident_page": READ,
    "records.listing.action_choices": READ,
    "records.listing.incident_counts": READ,
    "records.listing.incident_count": READ,
    "records.log_listing.observation_page": READ,
    "records.log_listing.handover_page": READ,
    "records.log_listing.log_page": READ,
    "records.logs.add_observation": needs(Permission.RECORD),
    "records.logs.record_observation": needs(Permission.RECORD),
    "records.logs.get_observation": READ,
    "records.logs.update_observation": needs(Permission.RECORD),
    "records.logs.record_handover": needs(Permission.RECORD),
    "records.logs.get_handover": READ,
    "records.logs.update_handover": needs(Permission.RECORD),
    "records.logs.add_log_entry": needs(Permission.RECORD),
    "records.logs.get_log_entry": READ,
    "records.logs.update_log_entry": needs(Permission.RECORD),
    "records.spreadsheets.tracker_table": READ,
    "records.spreadsheets.incidents_table": READ,
    "records.spreadsheets.observations_table": READ,
    "records.spreadsheets.handovers_table": READ,
    "records.spreadsheets.logs_table": READ,
    "records.tracker_import.bulk_add_entries": needs(Permission.RECORD),
    "records.trackers.install_builtin_trackers": needs(Permission.EDIT_PLANS),
    "records.trackers.create_custom_tracker": needs(Permission.EDIT_PLANS),
    "records.trackers.update_custom_tracker": needs(Permission.EDIT_PLANS),
    "records.trackers.get_tracker": READ,
    "records.trackers.find_tracker": READ,
    "records.trackers.list_trackers": READ,
    "records.trackers.archive_tracker": needs(Permission.EDIT_PLANS),
    "records.trackers.restore_tracker": needs(Permission.EDIT_PLANS),
    "records.trackers.link_tracker_to_action": needs(Permission.EDIT_PLANS),
    "records.trackers.people_index": READ,
    "records.trackers.add_tracker_entry": needs(Permission.RECORD),
    "records.trackers.get_entry": READ,
    "records.trackers.update_tracker_entry": needs(Permission.RECORD),
    "records.trackers.withdraw_tracker_entry": WITHDRAW_ROW,
    "records.trackers.entry_values": READ,
    "reporting.commissioner.commissioner_pack": READ,
    "reporting.common.homes": READ,
    "reporting.common.find_home": READ,
    "reporting.common.get_home": READ,
    "reporting.common.action_lines": READ,
    "reporting.common.progress_gaps": READ,
    "reporting.common.open_steps": READ,
    "reporting.docs.action_plan": READ,
    "reporting.docs.minutes": READ,
    "reporting.docs.document_choices": READ,
    "reporting.evidence.step_lines": READ,
    "reporting.evidence.evidence_lines": READ,
    "reporting.evidence.oversight_lines": READ,
    "reporting.forms.audit_forms": READ,
    "reporting.forms.form_catalogue": READ,
    "reporting.forms.find_form": READ,
    "reporting.inspection.inspection_pack": READ,
    "reporting.measures.measure_series": READ,
    "reporting.monthly.monthly_report": READ,
    "reporting.monthly.incident_summary": READ,
    "reporting.monthly.provider_report": READ,
    "reporting.oversight.new_findings": READ,
    "reporting.oversight.audit_trends": READ,
    "reporting.oversight.meetings_held": READ,
    "reporting.oversight.decisions": READ,
    "reporting.oversight.alerts": READ,
    "reporting.oversight.escalations": READ,
    "setup.people.create_service": needs(Permission.MANAGE),
    "setup.people.create_person": needs(Permission.EDIT_PLANS),
    "setup.people.get_person": READ,
    "setup.people.list_services": READ,
    "setup.people.list_people": READ,
    "setup.people.find_person": READ,
    "text_search.contains": READ,
    "trust.anchors.take_anchor": READ,
    "trust.anchors.record_anchor": READ,
    "trust.anchors.locked_without_users": READ,
    "trust.anchors.compare_with_anchors": READ,
    "trust.audit_history.person_names": READ,
    "trust.audit_history.history": READ,
    "trust.audit_history.search": needs(Permission.MANAGE),
    "trust.audit_history.usernames": READ,
    "trust.audit_history.record_types": READ,
    "trust.audit_history.trail_size": READ,
    "trust.audit_verify.verify_chain": READ,
    "trust.audit_replay.verify_state": READ,
    "trust.permissions.current_actor": READ,
    "trust.permissions.can": READ,
    "trust.permissions.who": READ,
    "trust.permissions.require": UPKEEP,
    "trust.permissions.check_changes_allowed": UPKEEP,
    "trust.privacy.names_allowed": READ,
    "trust.privacy.set_names_allowed": needs(Permission.MANAGE),
    "trust.privacy.check_person_ref": READ,
    "trust.privacy.known_person_refs": READ,
    "trust.restore.check_database": READ,
    "trust.settings.get": READ,
    "trust.settings.put": needs(Permission.MANAGE),
    "trust.users.has_users": READ,
    "trust.users.list_users": READ,
    "trust.users.get_user": READ,
    "trust.users.find_user": READ,
    "trust.users.create_first_administrator": NO_USERS_YET,
    "trust.users.ever_had_users": READ,
    "trust.users.issue_recovery_code": needs(Permission.MANAGE),
    "trust.users.recover_administrator": SIGN_IN,
    "trust.users.create_user": needs(Permission.MANAGE),
    "trust.users.update_user": needs(Permission.MANAGE),
    "trust.users.reset_password": needs(Permission.MANAGE),
    "trust.users.change_own_password": OWN_ACCOUNT,
    "trust.users.authenticate": SIGN_IN,
    "trust.users.unlock_sign_in": needs(Permission.MANAGE),
    "trust.users.confirm_password": OWN_ACCOUNT,
    "trust.users.set_idle_lock_minutes": needs(Permission.MANAGE),
    "trust.users.idle_lock_minutes": READ,
    "trust.users.create_demo_users": needs(Permission.MANAGE),
    "trust.withdrawals.withdraw": WITHDRAW,
    "trust.withdrawals.withdrawals": READ,
}


def _service_functions() -> Iterator[tuple[str, Callable[..., Any]]]:
    for info in pkgutil.walk_packages(services_package.__path__, "cqc_desktop.services."):
        module = importlib.import_module(info.name)
        for name, fn in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(fn):
                continue
            if fn.__module__ != module.__name__:
                continue
            params = list(inspect.signature(fn).parameters.values())
            if params and params[0].annotation in ("Session", "sqlalchemy.orm.Session"):
                yield f"{module.__name__.removeprefix('cqc_desktop.services.')}.{name}", fn


FUNCTIONS = dict(_service_functions())


def test_every_service_function_has_a_decision() -> None:
    missing = sorted(set(FUNCTIONS) - set(DECISIONS))
    assert not missing, f"decide who may call these, and add them to DECISIONS: {missing}"
    gone = sorted(set(DECISIONS) - set(FUNCTIONS))
    assert not gone, f"these are no longer service functions: {gone}"


@pytest.fixture(scope="module")
def with_a_user(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    from cqc_desktop.config import resolve

    db = Database(resolve(str(tmp_path_factory.mktemp("walk") / "walk.sqlite3")))
    with db.unit_of_work() as s:
        users.create_first_administrator(s, "admin", "", "correct horse 1", "correct horse 1")
    yield db
    db.dispose()


def _refused(db: Database, fn: Callable[..., Any], role: Role) -> bool:
    """Call ``fn`` as ``role`` with nothing real to work on: a role check comes first, so a
    refusal shows as NotAllowed; any other failure means the role got past the check."""
    params = list(inspect.signature(fn).parameters.values())[1:]
    args = [None for p in params if p.default is p.empty and p.kind is p.POSITIONAL_OR_KEYWORD]
    kwargs = {p.name: None for p in params if p.default is p.empty and p.kind is p.KEYWORD_ONLY}
    session = db.sessions()
    session.info[SESSION_KEY] = Actor(user_id=999, username=f"walk-{role.value}", role=role)
    try:
        fn(session, *args, **kwargs)
    except NotAllowed:
        return True
    except Exception:  # anything else is past the role check, which is the point
        return False
    finally:
        session.rollback()
        session.close()
    return False


@pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")
@pytest.mark.parametrize("name", sorted(DECISIONS))
def test_each_role_gets_the_decision_in_the_table(with_a_user: Database, name: str) -> None:
    fn = FUNCTIONS[name]
    refused = {role for role in Role if _refused(with_a_user, fn, role)}
    assert refused == set(DECISIONS[name]), (
        f"{name}: refused {sorted(r.value for r in refused)}, "
        f"the table says {sorted(r.value for r in DECISIONS[name])}"
    )
