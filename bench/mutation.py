"""Mutation testing of the rules the product stands on, with mutmut.

mutmut changes one small thing at a time in a rule module (``<`` for ``<=``, 8 for 7, a dropped
condition, another string) and runs the tests that reach that code; a change no test notices
"survives" and shows a rule the suite does not really pin down. Not part of the test run: it takes
minutes per module. Usage::

    python -m pip install -e ".[test,mutation]"
    python bench/mutation.py                   # every rule module
    python bench/mutation.py closure spc       # some of them (names from RULE_MODULES)
    python bench/mutation.py --show            # also print each survivor's diff

It works in a throw-away copy of the project (mutmut writes a ``mutants/`` folder), prints killed
and survived per module and ends with ``mutants killed: K/N``; the exit status is 1 when any rule
module is below the target. Equivalent survivors (changes no test could ever notice) are listed in
bench/README.md with one line each on why.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 0.95

# name → (module file, the tests that reach it). Qt-free unit tests only: mutmut runs them in its
# own process, which a QApplication's teardown would disturb; each module's own capability folder
# keeps a run to minutes.
RULE_MODULES: dict[str, tuple[str, str]] = {
    "closure": ("cqc_desktop/services/plans/closure.py", "tests/unit/plans/"),
    "scheduling": ("cqc_desktop/services/plans/scheduling.py", "tests/unit/plans/"),
    "measures": ("cqc_desktop/services/plans/measures.py", "tests/unit/plans/"),
    "spc": ("cqc_desktop/services/plans/spc.py", "tests/unit/plans/"),
    "permissions": ("cqc_desktop/services/trust/permissions.py", "tests/unit/trust/"),
    "audit_trail": ("cqc_desktop/services/trust/audit_trail.py", "tests/unit/trust/"),
    "audit_verify": ("cqc_desktop/services/trust/audit_verify.py", "tests/unit/trust/"),
    "tracker_values": ("cqc_desktop/services/records/tracker_values.py", "tests/unit/records/"),
    "tracker_import": ("cqc_desktop/services/records/tracker_import.py", "tests/unit/records/"),
}
IGNORE = shutil.ignore_patterns(".git", ".data", "mutants", "__pycache__", "*.egg-info", ".venv")


def _config(path: str, tests: str) -> str:
    return (
        "\n[tool.mutmut]\n"
        f'source_paths = ["{path}"]\n'
        f'pytest_add_cli_args_test_selection = ["{tests}"]\n'
        'also_copy = ["resources", "cqc_desktop"]\n'
    )


def _results(work: Path) -> dict[str, str]:
    """mutant name → status, from ``mutmut results --all true``."""
    done = subprocess.run(
        [sys.executable, "-m", "mutmut", "results", "--all", "true"],
        cwd=work,
        capture_output=True,
        text=True,
        check=True,
    )
    found = {}
    for line in done.stdout.splitlines():
        match = re.match(r"\s*(\S+):\s*(.+?)\s*$", line)
        if match:
            found[match.group(1)] = match.group(2)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", metavar="MODULE", help=", ".join(RULE_MODULES))
    parser.add_argument("--show", action="store_true", help="print each survivor's diff")
    parser.add_argument("--children", type=int, default=2, help="mutants tested at once")
    args = parser.parse_args(argv)
    names = args.modules or list(RULE_MODULES)
    unknown = [n for n in names if n not in RULE_MODULES]
    if unknown:
        parser.error(
            f"no rule module called {', '.join(unknown)}; choose from {', '.join(RULE_MODULES)}"
        )
    try:
        tool = f"mutmut {version('mutmut')}"
    except PackageNotFoundError:
        print('mutmut is not installed: python -m pip install -e ".[test,mutation]"')
        return 2
    print(f"Mutation testing with {tool}, Python {sys.version.split()[0]}", flush=True)
    print(f"\n{'module':<16}{'killed':>8}{'survived':>10}{'other':>7}{'score':>8}", flush=True)
    total_killed = total = 0
    below: list[str] = []
    for name in names:
        path, tests = RULE_MODULES[name]
        with tempfile.TemporaryDirectory(prefix="cqc-mutation-") as tmp:
            work = Path(tmp) / "project"
            shutil.copytree(ROOT, work, ignore=IGNORE)
            with (work / "pyproject.toml").open("a", encoding="utf-8") as fh:
                fh.write(_config(path, tests))
            run = subprocess.run(
                [sys.executable, "-m", "mutmut", "run", "--max-children", str(args.children)],
                cwd=work,
                capture_output=True,
                text=True,
            )
            if run.returncode != 0:
                print(run.stdout[-3000:], run.stderr[-3000:], sep="\n")
                print(f"mutmut run failed on {name}")
                return 2
            mine = _results(work)
            killed = sum(1 for s in mine.values() if s == "killed")
            survived = [m for m, s in mine.items() if s == "survived"]
            other = len(mine) - killed - len(survived)
            score = killed / len(mine) if mine else 1.0
            total_killed += killed
            total += len(mine)
            if score < TARGET:
                below.append(name)
            print(f"{name:<16}{killed:>8}{len(survived):>10}{other:>7}{score:>8.0%}", flush=True)
            for mutant in survived:
                print(f"    survived: {mutant}")
                if args.show:
                    shown = subprocess.run(
                        [sys.executable, "-m", "mutmut", "show", mutant],
                        cwd=work,
                        capture_output=True,
                        text=True,
                    )
                    print("      " + shown.stdout.strip().replace("\n", "\n      "), flush=True)
    print(f"\nmutants killed: {total_killed}/{total}")
    if below:
        print(f"below {TARGET:.0%}: {', '.join(below)}")
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main())
