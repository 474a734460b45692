"""Day one from the command line: set up a new database, add a second home, add and import staff,
and link a sign-in user to a person. Every refusal is one line and a non-zero exit."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

ADMIN = "zoe.hart"
PASSWORD = "willow court 2026"


def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", **env}
    full_env.pop("CQC_DESKTOP_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "cqc_desktop", *args],
        capture_output=True,
        text=True,
        timeout=240,
        env=full_env,
        stdin=subprocess.DEVNULL,
    )


def as_admin(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run(*args, "--db", str(db), CQC_DESKTOP_USER=ADMIN, CQC_DESKTOP_PASSWORD=PASSWORD)


def one_line_error(result: subprocess.CompletedProcess[str], *words: str) -> str:
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("cqc-desktop: error: ")
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def set_up(db: Path) -> None:
    result = run(
        "setup",
        "--db",
        str(db),
        "--provider",
        "Willow Care Ltd",
        "--home",
        "Willow Court",
        "--cqc-location-id",
        "1-123456789",
        "--registered-manager",
        "Zoë Hart",
        "--beds",
        "40",
        "--admin",
        ADMIN,
        "--admin-name",
        "Zoë Hart",
        CQC_DESKTOP_NEW_PASSWORD=PASSWORD,
    )
    assert result.returncode == 0, result.stderr
    assert "Set up Willow Care Ltd with Willow Court" in result.stdout
    assert "Recovery code:" in result.stdout  # shown once, to print and lock away


@pytest.fixture
def home(tmp_path: Path) -> Path:
    db = tmp_path / "willow.sqlite3"
    set_up(db)
    return db


def staff_names(db: Path, *args: str) -> list[str]:
    listing = as_admin(db, "staff", "list", *args)
    assert listing.returncode == 0, listing.stderr
    return [line[:28].strip() for line in listing.stdout.splitlines()]


def test_a_new_database_accepts_nothing_but_setup(tmp_path: Path) -> None:
    db = tmp_path / "new.sqlite3"
    one_line_error(run("homes", "list", "--db", str(db)), "has not been set up", "setup")
    one_line_error(
        run(
            "users",
            "add",
            "boss",
            "--role",
            "administrator",
            "--db",
            str(db),
            CQC_DESKTOP_NEW_PASSWORD=PASSWORD,
        ),
        "has not been set up",
    )
    one_line_error(run("check", "--db", str(db)), "has not been set up")
    set_up(db)
    again = run(
        "setup",
        "--db",
        str(db),
        "--provider",
        "X",
        "--home",
        "Y",
        "--admin",
        "someone",
        CQC_DESKTOP_NEW_PASSWORD=PASSWORD,
    )
    one_line_error(again, "already has data")
    one_line_error(run("homes", "list", "--db", str(db)), "--user")
    listing = as_admin(db, "homes", "list")
    assert listing.returncode == 0, listing.stderr
    assert "Provider: Willow Care Ltd" in listing.stdout
    assert "Willow Court  (CQC 1-123456789, manager Zoë Hart, 40 beds)" in listing.stdout
    # The registered manager is on the staff list, and is the administrator's person.
    assert staff_names(db) == ["Zoë Hart"]


def test_setup_refuses_a_weak_password_and_writes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "weak.sqlite3"
    weak = run(
        "setup",
        "--db",
        str(db),
        "--provider",
        "Willow Care Ltd",
        "--home",
        "Willow Court",
        "--admin",
        ADMIN,
        CQC_DESKTOP_NEW_PASSWORD="short",
    )
    one_line_error(weak, "password")
    set_up(db)  # nothing was half-made: set-up still works


def test_demo_command_makes_the_readme_sign_in_users(tmp_path: Path) -> None:
    db = tmp_path / "demo.sqlite3"
    made = run("demo", "--db", str(db), "--today", "2026-11-26")
    assert made.returncode == 0, made.stderr
    assert "manager / manager-demo" in made.stdout
    for user, password in (("admin", "admin-demo"), ("manager", "manager-demo")):
        listing = run(
            "homes",
            "list",
            "--db",
            str(db),
            CQC_DESKTOP_USER=user,
            CQC_DESKTOP_PASSWORD=password,
        )
        assert listing.returncode == 0, listing.stderr
    staff_only = run(
        "homes",
        "add",
        "Birch Lodge",
        "--db",
        str(db),
        CQC_DESKTOP_USER="staff",
        CQC_DESKTOP_PASSWORD="staff-demo",
    )
    one_line_error(staff_only, "does not allow")


def test_second_home_staff_and_a_linked_user(home: Path, tmp_path: Path) -> None:
    added = as_admin(home, "homes", "add", "Oak House", "--cqc-location-id", "1-987654321")
    assert added.returncode == 0, added.stderr
    one_line_error(as_admin(home, "homes", "add", "oak house"), "already a care home")
    person = as_admin(
        home,
        "staff",
        "add",
        "Łukasz Nowak",
        "--job-title",
        "Senior carer",
        "--home",
        "Oak House",
        "--start-date",
        "03/11/2025",
    )
    assert person.returncode == 0, person.stderr
    one_line_error(
        as_admin(home, "staff", "add", "Amara", "--job-title", "Carer", "--home", "Elm"),
        "no care home called Elm",
    )
    assert staff_names(home, "--home", "Oak House") == ["Łukasz Nowak"]
    assert staff_names(home, "--home", "Willow Court") == ["Zoë Hart"]

    user_env = {"CQC_DESKTOP_NEW_PASSWORD": "nights at oak 7"}
    user = run(
        "users",
        "add",
        "lukasz",
        "--role",
        "staff",
        "--person",
        "łukasz nowak",
        "--db",
        str(home),
        CQC_DESKTOP_USER=ADMIN,
        CQC_DESKTOP_PASSWORD=PASSWORD,
        **user_env,
    )
    assert user.returncode == 0, user.stderr
    listing = as_admin(home, "users", "list")
    assert "Łukasz Nowak" in listing.stdout  # the person's name, from the staff list
    one_line_error(
        run(
            "users",
            "add",
            "ghost",
            "--role",
            "staff",
            "--person",
            "Nobody Here",
            "--db",
            str(home),
            CQC_DESKTOP_USER=ADMIN,
            CQC_DESKTOP_PASSWORD=PASSWORD,
            **user_env,
        ),
        "nobody called Nobody Here",
    )
    left = as_admin(home, "staff", "left", "Łukasz Nowak", "--date", "01/12/2026")
    assert left.returncode == 0, left.stderr
    current = as_admin(home, "staff", "list", "--home", "Oak House", "--current")
    assert current.stdout.startswith("No staff yet")
    assert "Left   from 03/11/2025 left 01/12/2026" in as_admin(home, "staff", "list").stdout


def write_cp1252_semicolon(path: Path, rows: list[str]) -> Path:
    path.write_bytes("\r\n".join(rows).encode("cp1252"))
    return path


def test_windows_1252_semicolon_csv_is_imported_and_a_repeat_merged(
    home: Path, tmp_path: Path
) -> None:
    source = write_cp1252_semicolon(
        tmp_path / "staff list.csv",
        [
            "Name;Job title;Start date;Leaving date;Email",
            "Amara Okafor;Deputy manager;01/02/2024;;amara@willow.example",
            "José Müller;Carer;28/02/2025;;",
            "Zoë Hart;Registered manager;;;",  # already listed: merged, not duplicated
            ";;;;",
        ],
    )
    result = as_admin(home, "staff", "import", str(source), "--home", "Willow Court")
    assert result.returncode == 0, result.stderr
    assert "2 added, 1 already listed (merged, not added again)" in result.stdout
    assert staff_names(home) == ["Amara Okafor", "José Müller", "Zoë Hart"]
    again = as_admin(home, "staff", "import", str(source), "--home", "Willow Court")
    assert "0 added, 3 already listed" in again.stdout
    assert staff_names(home) == ["Amara Okafor", "José Müller", "Zoë Hart"]


@pytest.mark.parametrize(
    ("bad_row", "words"),
    [
        (";Carer;01/03/2025;;", ("Row 3", "name is blank")),
        ("Priya Shah;Carer;31/02/2025;;", ("Row 3", "31/02/2025 is not a real date")),
        ("Priya Shah;Carer;01/03/2025;01/01/2025;", ("Row 3", "leaving date is before")),
    ],
)
def test_a_bad_row_refuses_the_whole_file(
    home: Path, tmp_path: Path, bad_row: str, words: tuple[str, ...]
) -> None:
    source = write_cp1252_semicolon(
        tmp_path / "bad.csv",
        [
            "Name;Job title;Start date;Leaving date;Email",
            "Amara Okafor;Deputy;01/02/2024;;",
            bad_row,
            "Tom Price;Carer;01/04/2025;;",
        ],
    )
    result = as_admin(home, "staff", "import", str(source), "--home", "Willow Court")
    one_line_error(result, "was not imported", "nothing was added", *words)
    assert staff_names(home) == ["Zoë Hart"]  # nobody from the file, not even the good rows


def test_utf8_bom_comma_csv_and_an_xlsx(home: Path, tmp_path: Path) -> None:
    csv_file = tmp_path / "from excel.csv"
    csv_file.write_bytes(
        "\ufeffName,Job title,Start date\r\nChloé Dubois,Night senior,05/06/2023\r\n".encode()
    )
    result = as_admin(home, "staff", "import", str(csv_file), "--home", "Willow Court")
    assert result.returncode == 0, result.stderr
    book = Workbook()
    sheet = book.active
    sheet.append(["Full name", "Role", "Date started", "E-mail"])
    sheet.append(["Grace Mensah", "Activities lead", date(2022, 9, 1), "grace@example.org"])
    sheet.append(["Huw Jones", "Cook", "14/10/2024", None])
    xlsx = tmp_path / "staff.xlsx"
    book.save(xlsx)
    checked = as_admin(home, "staff", "import", str(xlsx), "--home", "Willow Court", "--check")
    assert checked.returncode == 0, checked.stderr
    assert "Checked, nothing added" in checked.stdout and "2 new" in checked.stdout
    assert "Grace Mensah" not in staff_names(home)
    result = as_admin(home, "staff", "import", str(xlsx), "--home", "Willow Court")
    assert result.returncode == 0, result.stderr
    listing = as_admin(home, "staff", "list").stdout
    assert "Grace Mensah" in listing and "from 01/09/2022" in listing
    assert "Huw Jones" in listing and "from 14/10/2024" in listing
    assert "Chloé Dubois" in listing

    sheet.append(["Ivy Bell", "Carer", "2024-13-40", None])
    book.save(xlsx)
    one_line_error(
        as_admin(home, "staff", "import", str(xlsx), "--home", "Willow Court"),
        "Row 4",
        "2024-13-40 is not a real date",
    )
