"""``cqc-desktop form`` and ``cqc-desktop report`` run as a user would run them."""

from __future__ import annotations

import hashlib
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader


def run(*args: str) -> subprocess.CompletedProcess[str]:
    # The demo's manager (README "Demo sign-in"): `demo` makes the same users as --demo.
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "CQC_DESKTOP_USER": "manager",
        "CQC_DESKTOP_PASSWORD": "manager-demo",
    }
    env.pop("CQC_DESKTOP_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "cqc_desktop", *args],
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
    )


def one_line_error(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("cqc-desktop: error: ")
    for word in words:
        assert word in lines[0]


def pdf_text(path: Path) -> str:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return "\n".join(p.extract_text() for p in reader.pages).replace("\u00a0", " ")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("cli-reports") / "demo.sqlite3"
    result = run("demo", "--db", str(db), "--today", "2026-11-26")
    assert result.returncode == 0, result.stderr
    return db


def cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run("--db", str(db), "--today", "2026-11-26", *args)


def test_forms_are_listed_and_printed(demo: Path, tmp_path: Path) -> None:
    listed = cli(demo, "form", "--list")
    assert listed.returncode == 0, listed.stderr
    for name in ("observation-medicines-round", "medication-audit", "incident-review"):
        assert name in listed.stdout
    out = tmp_path / "medication audit.pdf"
    made = cli(demo, "form", "medication-audit", "-o", str(out))
    assert made.returncode == 0, made.stderr
    assert str(out) in made.stdout
    text = pdf_text(out)
    assert "Medication audit" in text and "Willow Court Care Home" in text
    one_line_error(cli(demo, "form", "fire-drill", "-o", str(out)), "no form called", "falls-audit")


def test_monthly_report_and_roll_up(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "monthly.pdf"
    made = cli(demo, "report", "monthly", "--month", "2026-11", "-o", str(out))
    assert made.returncode == 0, made.stderr
    text = pdf_text(out)
    assert "Monthly quality assurance report" in text
    assert "93.3 % below the baseline of 15" in " ".join(text.split())
    assert "Closed without full evidence" in text
    assert "Review overdue" in text  # the triggers were checked before the report was made
    roll_up = tmp_path / "provider.pdf"
    made = cli(demo, "report", "monthly", "--month", "2026-11", "--all-homes", "-o", str(roll_up))
    assert made.returncode == 0, made.stderr
    assert "Provider quality roll-up" in pdf_text(roll_up)
    one_line_error(cli(demo, "report", "monthly", "--month", "Nov-2026", "-o", str(out)), "YYYY-MM")
    one_line_error(cli(demo, "report", "monthly", "--month", "2026-11"), "-o FILE.pdf")


def test_inspection_pack_hashes_match_the_files(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "pack.pdf"
    made = cli(demo, "report", "inspection-pack", "-o", str(out))
    assert made.returncode == 0, made.stderr
    text = re.sub(r"\s+", "", pdf_text(out))
    files = [p for p in (demo.parent / "demo-files" / "attachments").rglob("*") if p.is_file()]
    assert files
    for path in files:
        assert hashlib.sha256(path.read_bytes()).hexdigest() in text


def test_a_changed_evidence_file_is_on_the_cover_and_fails_the_command(
    demo: Path, tmp_path: Path
) -> None:
    files = sorted(
        p for p in (demo.parent / "demo-files" / "attachments").rglob("*") if p.is_file()
    )
    changed = files[0]
    original = changed.read_bytes()
    out = tmp_path / "pack.pdf"
    try:
        changed.write_bytes(original + b"edited after it was added\n")
        made = cli(demo, "report", "inspection-pack", "-o", str(out))
        allowed = cli(demo, "report", "inspection-pack", "--allow-mismatch", "-o", str(out))
    finally:
        changed.write_bytes(original)
    assert made.returncode == 3
    assert "Traceback" not in made.stderr
    assert str(out) in made.stdout  # the pack is still saved, and says so on its cover
    warning = f"1 of {len(files)} evidence files does not match the hash recorded when it was added"
    assert warning in made.stderr
    assert allowed.returncode == 0 and warning in allowed.stderr
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    cover = re.sub(r"\s+", " ", reader.pages[0].extract_text())
    assert "Evidence files have changed" in cover and warning in cover
    body = re.sub(r"\s+", "", pdf_text(out))
    assert "changed" in body and re.sub(r"\s+", "", "⚠") in body


def test_commissioner_action_plan_and_minutes(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "doc.pdf"
    made = cli(
        demo, "report", "commissioner", "--from", "2026-09-01", "--to", "2026-11-26", "-o", str(out)
    )
    assert made.returncode == 0, made.stderr
    assert "Contract monitoring pack" in pdf_text(out)
    listed = cli(demo, "report", "action-plan", "--list")
    assert listed.returncode == 0 and "CQC inspection" in listed.stdout
    made = cli(demo, "report", "action-plan", "--plan", "1", "-o", str(out))
    assert made.returncode == 0, made.stderr
    assert "Regulation 12: Safe care and treatment" in pdf_text(out)
    one_line_error(
        cli(demo, "report", "action-plan", "--plan", "99", "-o", str(out)), "no plan with ID 99"
    )
    made = cli(demo, "report", "minutes", "--meeting", "1", "-o", str(out))
    assert made.returncode == 0, made.stderr
    assert "Weekly governance: minutes" in pdf_text(out)
