"""Starting the app from the command line parses its options without loading the sub-commands."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

from cqc_desktop.cli import main as cli


def test_app_options_alone_are_parsed_quickly() -> None:
    args = cli._app_args(["--db", "care.sqlite3", "--demo", "--today", "2026-11-26"])
    assert args is not None
    assert (args.db, args.demo, args.today) == ("care.sqlite3", True, date(2026, 11, 26))
    assert getattr(args, "handler", None) is None  # no sub-command: the app starts


def test_sub_commands_help_and_mistakes_go_to_the_full_parser() -> None:
    assert cli._app_args(["--db", "care.sqlite3", "demo"]) is None
    assert cli._app_args(["--help"]) is None
    assert cli._app_args(["--today", "yesterday"]) is None
    assert cli._app_args(["--no-such-option"]) is None
    full = cli.build_parser().parse_args(["--db", "care.sqlite3", "demo"])
    assert full.handler is cli.cmd_demo


def test_starting_the_app_does_not_import_the_sub_commands() -> None:
    code = (
        "import sys; from cqc_desktop.cli import main as cli; "
        "cli.run_gui = lambda args: 0; "
        "assert cli.main(['--db', 'x.sqlite3']) == 0; "
        "print(sorted(m for m in sys.modules if m.startswith('cqc_desktop.cli.') and m != 'cqc_desktop.cli.main'))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
