"""Crash safety: a writer saving through the services is killed with SIGKILL at random moments,
20 times; every save it acknowledged survives, with its audit entries, and nothing is damaged.

The writer and the killing live in ``bench/kill_test.py`` (which does the same 100 times); this
test makes its own checks of the result.
"""

from __future__ import annotations

import importlib.util
import sqlite3
import sys
from contextlib import closing
from pathlib import Path
from types import ModuleType

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from cqc_desktop.services.trust.audit_verify import verify_chain

BENCH = Path(__file__).resolve().parents[2] / "bench" / "kill_test.py"
KILLS = 20
RECORD_TYPES = {"action": "Action", "log_entry": "LogEntry", "plan": "Plan"}


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("kill_test", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("kill_test", module)  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_every_acknowledged_save_survives_sigkill(tmp_path: Path) -> None:
    bench = _bench()
    path = tmp_path / "kill.sqlite3"
    bench.setup_database(path)
    outcome = bench.kill_rounds(path, KILLS, seed=20261126)
    assert outcome.rounds == KILLS
    acknowledged: list[tuple[str, int]] = outcome.acknowledged
    assert len(acknowledged) >= KILLS  # the writer got plenty done between kills

    with closing(sqlite3.connect(path)) as conn:
        assert [r[0] for r in conn.execute("PRAGMA integrity_check")] == ["ok"]
        for table, record_id in acknowledged:
            row = conn.execute(f"SELECT id FROM {table} WHERE id = ?", (record_id,)).fetchone()
            assert row is not None, f"acknowledged {table} {record_id} was lost"
            # Saved in the same transaction as the record: its audit entries survived too.
            logged = conn.execute(
                "SELECT COUNT(*) FROM audit_log WHERE record_type = ? AND record_id = ? "
                "AND operation = 'insert' AND username = 'writer'",
                (RECORD_TYPES[table], record_id),
            ).fetchone()[0]
            assert logged > 0, f"{table} {record_id} has no audit entry"
        # ...and no audit entry describes a record whose save was cut off by a kill.
        for table, record_type in RECORD_TYPES.items():
            orphans = conn.execute(
                f"SELECT COUNT(*) FROM audit_log a WHERE a.record_type = ? AND a.operation = "
                f"'insert' AND NOT EXISTS (SELECT 1 FROM {table} t WHERE t.id = a.record_id)",
                (record_type,),
            ).fetchone()[0]
            assert orphans == 0

    engine = create_engine(f"sqlite:///{path}")
    try:
        with Session(engine) as session:
            report = verify_chain(session)
    finally:
        engine.dispose()
    assert report.ok, report.problem
    assert bench.problems_after(path, acknowledged) == []
