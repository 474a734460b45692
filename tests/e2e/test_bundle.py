"""The self-contained folder a care home installs: built with PyInstaller from this tree, then
run with no Python anywhere on PATH, from a folder unrelated to the source."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from cqc_desktop import __version__

pytestmark = pytest.mark.bundle
REPO = Path(__file__).resolve().parents[2]


# A bundle built already (the Windows workflow builds once, then tests that very folder).
ENV_BUNDLE = "CQC_TEST_BUNDLE"


def _executable(folder: Path) -> Path:
    return folder / ("cqc-desktop.exe" if os.name == "nt" else "cqc-desktop")


def _check_contents(folder: Path) -> None:
    """Only the Qt the app uses: no WebEngine, QML/Quick, 3D, Multimedia and the like."""
    unused = ("WebEngine", "Qt6Quick", "Qt6Qml", "Qt63D", "Multimedia", "Designer", "numpy")
    carried = [p.name for p in folder.rglob("*") if any(u in p.name for u in unused)]
    assert carried == []
    assert (
        folder / "_internal" / "cqc_desktop" / "resources" / "fonts" / "DejaVuSans.ttf"
    ).is_file()


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if os.environ.get(ENV_BUNDLE):
        folder = Path(os.environ[ENV_BUNDLE])
        _check_contents(folder)
        return _executable(folder)
    pytest.importorskip("PyInstaller", reason='needs python -m pip install -e ".[build]"')
    work = tmp_path_factory.mktemp("bundle")
    built = subprocess.run(
        [
            sys.executable,
            str(REPO / "installer" / "build.py"),
            "--dist",
            str(work / "dist"),
            "--work",
            str(work / "build"),
        ],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    assert "Bundle size: " in built.stdout
    folder = work / "dist" / "cqc-desktop"
    assert _executable(folder).is_file()
    _check_contents(folder)
    return _executable(folder)


def test_the_bundle_runs_without_python(bundle: Path, tmp_path: Path) -> None:
    # PATH holds one empty folder: no python, nothing else; no PYTHON* variables either.
    empty = tmp_path / "empty-path"
    empty.mkdir()
    home = tmp_path / "home"
    keep = ("SYSTEMROOT", "WINDIR", "TEMP", "TMP", "LANG", "LC_ALL")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(
        PATH=str(empty),
        HOME=str(home),
        USERPROFILE=str(home),
        LOCALAPPDATA=str(home / "AppData" / "Local"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_STATE_HOME=str(home / "state"),
        XDG_CONFIG_HOME=str(home / "config"),
        QT_QPA_PLATFORM="offscreen",
        # The demo has the README's sign-in users; commands after it sign in as the administrator.
        CQC_DESKTOP_USER="admin",
        CQC_DESKTOP_PASSWORD="admin-demo",
    )
    here = tmp_path / "office"
    here.mkdir()

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [str(bundle), *args], capture_output=True, text=True, env=env, cwd=here, timeout=300
        )
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr
        return done

    assert run("--version").stdout.strip() == f"CQC Desktop {__version__}"
    made = run("demo", "--db", "demo.sqlite3", "--today", "2026-11-26")
    assert "Demo data created" in made.stdout
    assert "observation-medicines-round" in run("--db", "demo.sqlite3", "form", "--list").stdout

    run("--db", "demo.sqlite3", "--today", "2026-11-26", "--screenshot", "shots")
    shots = sorted(p.name for p in (here / "shots").glob("*.png"))
    assert "dashboard.png" in shots and "reports.png" in shots and len(shots) >= 9
    assert all((here / "shots" / name).stat().st_size > 10_000 for name in shots)

    run(
        "--db", "demo.sqlite3", "--today", "2026-11-26",
        "report", "monthly", "--month", "2026-11", "-o", "monthly.pdf",
    )  # fmt: skip
    text = "\n".join(
        p.extract_text() for p in PdfReader(io.BytesIO((here / "monthly.pdf").read_bytes())).pages
    )
    assert "Monthly quality assurance report" in text and "Willow Court Care Home" in text
    run("--db", "demo.sqlite3", "backup", "-o", "backup.zip")
    run("--db", "demo.sqlite3", "check")
    if os.name != "nt":  # (Windows finds the user's folders without these variables)
        # The bundle's own log, in the user's log folder.
        assert list(home.rglob("cqc-desktop.log"))
