"""Kill test: a writer saving records through the services is killed with SIGKILL at random
moments, again and again; afterwards every record it acknowledged must be there, the audit trail
must verify, and ``PRAGMA integrity_check`` must say ok.

    python bench/kill_test.py                  # 100 kills in a temporary database
    python bench/kill_test.py --kills 500 --db /tmp/kill.sqlite3 --seed 7

The writer prints "ack <table> <id>" only after its unit of work has committed, so anything
acknowledged was promised to the user as saved. On POSIX a "zygote" process imports the app once
and forks a fresh writer for each round, which keeps 100 rounds down to seconds; elsewhere each
writer is a new process. ``tests/e2e/test_crash_safety.py`` runs 20 rounds of the same thing.
"""

from __future__ import annotations

import argparse
import os
import queue
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

TODAY = date(2026, 11, 26)
ROUND_TIMEOUT = (
    120.0  # seconds for one round to report; generous, as a busy machine is slow to start Python
)


def setup_database(path: Path) -> None:
    """A home, a manager and a finding for the writer to add to."""
    from cqc_desktop.config import resolve
    from cqc_desktop.db import Database
    from cqc_desktop.services.plans import plans
    from cqc_desktop.services.setup import people

    db = Database(resolve(str(path)))
    try:
        with db.unit_of_work() as s:
            home = people.create_service(s, "Kill Test Care Home")
            people.create_person(s, "Zoë Hart", "Registered manager", service_id=home.id)
            plan = plans.create_plan(s, plans.PlanInput(home.id, "Kill test", "Internal audit"))
            plans.create_finding(
                s, plan.id, plans.FindingInput("Late medicines", "Safe", "Medicines", 4, 4)
            )
    finally:
        db.dispose()


def _one_of_each(path: Path) -> None:
    from cqc_desktop.config import resolve
    from cqc_desktop.db import Database

    db = Database(resolve(str(path)))
    try:
        saves = _saves(db)
        for _ in range(3):
            next(saves)
        saves.close()
    finally:
        db.dispose()


def write_forever(path: Path) -> None:
    """The writer: one user action after another, each acknowledged once committed."""
    from cqc_desktop.config import resolve
    from cqc_desktop.db import Database

    db = Database(resolve(str(path)))
    print(f"start {os.getpid()}", flush=True)
    for table, record_id in _saves(db):
        print(f"ack {table} {record_id}", flush=True)


def _saves(db: object) -> Iterator[tuple[str, int]]:
    """Save records through the services, one unit of work each, yielding each once committed."""
    from sqlalchemy import select

    from cqc_desktop.db import Database
    from cqc_desktop.models import Finding, Person, Service
    from cqc_desktop.models.enums import Role
    from cqc_desktop.services.plans import actions, plans
    from cqc_desktop.services.records import logs
    from cqc_desktop.services.trust.permissions import Actor

    assert isinstance(db, Database)
    actor = Actor(user_id=None, username="writer", role=Role.MANAGER)
    with db.reading() as s:
        home = s.scalar(select(Service.id))
        zoe = s.scalar(select(Person.id))
        finding = s.scalar(select(Finding.id))
    assert home is not None and zoe is not None and finding is not None
    n = 0
    while True:
        n += 1
        with db.unit_of_work(actor) as s:
            if n % 3 == 0:
                table = "action"
                record_id = actions.create_action(
                    s,
                    finding,
                    actions.ActionInput(
                        f"Action {n}",
                        zoe,
                        TODAY,
                        steps=[actions.StepInput("Review MAR"), actions.StepInput("Observe")],
                    ),
                    today=TODAY,
                ).id
            elif n % 3 == 1:
                table = "log_entry"
                record_id = logs.add_log_entry(
                    s, home, "Daily governance log", TODAY, zoe, f"Entry {n}"
                ).id
            else:
                table = "plan"
                record_id = plans.create_plan(
                    s, plans.PlanInput(home, f"Plan {n}", "Internal audit")
                ).id
        yield table, record_id


def zygote(path: Path) -> None:
    """Import once, then fork a writer for each "go" line; report each writer's end."""
    # Warm everything a writer needs before forking: imports, mapper configuration and compiled
    # SQL, by doing the writer's work once in a throwaway database in memory. (Never the real
    # database: a forked child must not share an open SQLite connection with its parent.)
    with tempfile.TemporaryDirectory(prefix="cqc-warm-") as warm:
        setup_database(Path(warm) / "warm.sqlite3")
        _one_of_each(Path(warm) / "warm.sqlite3")

    for line in sys.stdin:
        if line.strip() != "go":
            break
        pid = os.fork()
        if pid == 0:
            try:
                write_forever(path)
            finally:
                os._exit(1)
        _, status = os.waitpid(pid, 0)
        print(f"done {pid} {status}", flush=True)


@dataclass
class Outcome:
    rounds: int = 0
    acknowledged: list[tuple[str, int]] = field(default_factory=list)
    seconds: float = 0.0


class _Lines:
    """Lines from a pipe, read by a thread so waiting for one can time out."""

    def __init__(self, stream: object) -> None:
        self.queue: queue.Queue[str] = queue.Queue()
        thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        thread.start()

    def _pump(self, stream: object) -> None:
        for line in stream:  # type: ignore[attr-defined]
            self.queue.put(line.strip())
        self.queue.put("")

    def get(self) -> str:
        line = self.queue.get(timeout=ROUND_TIMEOUT)
        if not line:
            raise RuntimeError("the writer process ended unexpectedly")
        return line

    def until_end(self, zygote: bool) -> list[str]:
        """The rest of a killed writer's lines: up to the zygote's "done", or to end of file."""
        rest = []
        while True:
            line = self.queue.get(timeout=ROUND_TIMEOUT)
            if (zygote and line.startswith("done ")) or (not zygote and not line):
                return rest
            rest.append(line)


def kill_rounds(path: Path, rounds: int, seed: int = 1) -> Outcome:
    """Start writers and SIGKILL each at a random moment: after 0-4 acknowledged saves and a
    random pause, which lands kills before, during and after commits."""
    rng = random.Random(seed)
    outcome = Outcome()
    started = time.perf_counter()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    use_fork = hasattr(os, "fork")
    script = str(Path(__file__).resolve())
    zyg = None
    if use_fork:
        zyg = subprocess.Popen(
            [sys.executable, script, "--zygote", str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        lines = _Lines(zyg.stdout)
    try:
        for _ in range(rounds):
            if zyg is not None:
                assert zyg.stdin is not None
                zyg.stdin.write("go\n")
                zyg.stdin.flush()
                proc = None
            else:
                proc = subprocess.Popen(
                    [sys.executable, script, "--writer", str(path)],
                    stdout=subprocess.PIPE,
                    text=True,
                    env=env,
                )
                lines = _Lines(proc.stdout)
            line = lines.get()
            while not line.startswith("start "):
                line = lines.get()
            pid = int(line.split()[1])
            wanted = rng.randint(0, 4)
            got = 0
            while got < wanted:
                line = lines.get()
                if line.startswith("ack "):
                    _, table, record_id = line.split()
                    outcome.acknowledged.append((table, int(record_id)))
                    got += 1
            time.sleep(rng.uniform(0, 0.02))
            os.kill(pid, signal.SIGKILL if hasattr(signal, "SIGKILL") else signal.SIGTERM)
            # Acknowledgements already in the pipe before the kill still count.
            if proc is not None:
                proc.wait()
            for line in lines.until_end(proc is None):
                if line.startswith("ack "):
                    _, table, record_id = line.split()
                    outcome.acknowledged.append((table, int(record_id)))
            outcome.rounds += 1
    finally:
        if zyg is not None:
            assert zyg.stdin is not None
            zyg.stdin.close()
            zyg.wait(timeout=ROUND_TIMEOUT)
    outcome.seconds = time.perf_counter() - started
    return outcome


def problems_after(path: Path, acknowledged: list[tuple[str, int]]) -> list[str]:
    """Everything that is wrong with the database after the kills (empty when all is well)."""
    import sqlite3

    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from cqc_desktop.services.trust.audit_verify import verify_chain

    found: list[str] = []
    with closing(sqlite3.connect(path)) as conn:
        integrity = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        if integrity != ["ok"]:
            found.append(f"integrity_check: {integrity[:3]}")
        for table, record_id in acknowledged:
            if conn.execute(f"SELECT 1 FROM {table} WHERE id = ?", (record_id,)).fetchone() is None:
                found.append(f"acknowledged {table} {record_id} is missing")
    engine = create_engine(f"sqlite:///{path}")
    try:
        with Session(engine) as session:
            chain = verify_chain(session)
    finally:
        engine.dispose()
    if not chain.ok:
        found.append(chain.problem)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--zygote", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--writer", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.zygote:
        zygote(args.zygote)
        return 0
    if args.writer:
        write_forever(args.writer)
        return 0
    with tempfile.TemporaryDirectory(prefix="cqc-kill-") as tmp:
        path = args.db or Path(tmp) / "kill.sqlite3"
        if not path.exists():
            setup_database(path)
        outcome = kill_rounds(path, args.kills, args.seed)
        found = problems_after(path, outcome.acknowledged)
    print(
        f"{outcome.rounds} kills in {outcome.seconds:.1f} s; "
        f"{len(outcome.acknowledged)} acknowledged saves checked."
    )
    for problem in found:
        print(f"PROBLEM: {problem}")
    print(
        "OK: every acknowledged record present, audit trail verified, integrity ok."
        if not found
        else f"FAILED: {len(found)} problem(s)."
    )
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
