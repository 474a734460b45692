"""Oversight records in one import: audits (``audits``, ``audit_runs``, ``audit_schedule``,
``audit_actions``) and governance meetings (``meetings``, ``minutes``, ``agenda``, ``minute_drafts``).

Kept so code written against the single module (the demo builder, records) keeps working; new code
imports from the focused modules.
"""

from __future__ import annotations

from .agenda import AgendaEntry, apply_agenda, build_agenda
from .audit_actions import (
    RaiseActionInput,
    link_run_as_evidence,
    raise_action_from_answer,
    suggest_action,
)
from .audit_runs import compare_with_previous, previous_run, record_audit_run
from .audit_schedule import DueAudit, due_audits, score_trend, set_audit_schedule
from .audits import (
    AUDITS,
    SCHEDULES,
    ScoreResult,
    SectionScore,
    check_definition,
    get_template,
    install_builtin_audit_templates,
    load_audit_definitions,
    new_template_version,
    normalise_answer,
    score_answers,
)
from .meetings import (
    add_addendum,
    add_meeting_item,
    approve_minutes,
    create_meeting,
    ensure_editable,
    get_meeting,
    previous_meeting,
    update_meeting,
)
from .minutes import MinuteInput, link_minute_as_evidence, record_item_minute, record_minute

__all__ = [
    "AUDITS",
    "SCHEDULES",
    "AgendaEntry",
    "DueAudit",
    "MinuteInput",
    "RaiseActionInput",
    "ScoreResult",
    "SectionScore",
    "add_addendum",
    "add_meeting_item",
    "apply_agenda",
    "approve_minutes",
    "build_agenda",
    "check_definition",
    "compare_with_previous",
    "create_meeting",
    "due_audits",
    "ensure_editable",
    "get_meeting",
    "get_template",
    "install_builtin_audit_templates",
    "link_minute_as_evidence",
    "link_run_as_evidence",
    "load_audit_definitions",
    "new_template_version",
    "normalise_answer",
    "previous_meeting",
    "previous_run",
    "raise_action_from_answer",
    "record_audit_run",
    "record_item_minute",
    "record_minute",
    "score_answers",
    "score_trend",
    "set_audit_schedule",
    "suggest_action",
    "update_meeting",
]
