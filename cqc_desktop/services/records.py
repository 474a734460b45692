"""Trackers, practice observations, handovers and logs: what staff fill in after a shift.

The work is split by seam: ``trackers`` (definitions and rows), ``tracker_values`` (turning typed or
imported text into values), ``logs`` (observations, handovers, governance log, rota notes,
communication book) and ``record_common`` (helpers the incident services share). This module keeps
the names importable from one place for the callers that predate the split (the demo, the tests).
"""

from __future__ import annotations

from .logs import (
    OBSERVATION_AREAS_FILE,
    LinkedEvidence,
    ObservationInput,
    add_log_entry,
    add_observation,
    get_handover,
    get_log_entry,
    get_observation,
    linked_observation_evidence,
    observation_prompts,
    record_handover,
    record_observation,
    update_handover,
    update_log_entry,
    update_observation,
)
from .record_common import check_person, require_service, uk_date
from .tracker_values import COLUMN_TYPES
from .trackers import (
    TRACKERS,
    add_tracker_entry,
    archive_tracker,
    check_columns,
    create_custom_tracker,
    delete_tracker_entry,
    get_tracker,
    install_builtin_trackers,
    link_tracker_to_action,
    list_trackers,
    load_tracker_definitions,
    restore_tracker,
    update_custom_tracker,
    update_tracker_entry,
    validate_tracker_values,
)

__all__ = [
    "COLUMN_TYPES",
    "OBSERVATION_AREAS_FILE",
    "TRACKERS",
    "LinkedEvidence",
    "ObservationInput",
    "add_log_entry",
    "add_observation",
    "add_tracker_entry",
    "archive_tracker",
    "check_columns",
    "check_person",
    "create_custom_tracker",
    "delete_tracker_entry",
    "get_handover",
    "get_log_entry",
    "get_observation",
    "get_tracker",
    "install_builtin_trackers",
    "link_tracker_to_action",
    "linked_observation_evidence",
    "list_trackers",
    "load_tracker_definitions",
    "observation_prompts",
    "record_handover",
    "record_observation",
    "require_service",
    "restore_tracker",
    "uk_date",
    "update_custom_tracker",
    "update_handover",
    "update_log_entry",
    "update_observation",
    "update_tracker_entry",
    "validate_tracker_values",
]
