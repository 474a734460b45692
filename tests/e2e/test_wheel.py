"""The project as a care home gets it: a wheel, installed into a fresh environment, run from a
folder that has nothing to do with the source tree.

The wheel is built from a copy of the working tree (so what is tested is what is checked out,
and the tree is left clean). The environment sees the machine's packages (PySide6 is large) but
the app itself must come from the wheel: a missing resource file fails here, not on a care
home's PC.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from pypdf import PdfReader

from cqc_desktop import __version__

REPO = Path(__file__).resolve().parents[2]
COPY_IGNORE = shutil.ignore_patterns(
    ".git", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis", ".data"
)


def _run(cmd: list[str | Path], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # type: ignore[call-overload,no-any-return]
        [str(c) for c in cmd], capture_output=True, text=True, timeout=600, **kwargs
    )


def _bin(env_dir: Path, name: str) -> Path:
    folder = env_dir / ("Scripts" if os.name == "nt" else "bin")
    return folder / (f"{name}.exe" if os.name == "nt" else name)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], Path]:
    """(python of the fresh environment, its environment variables, an unrelated folder)."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    shutil.copytree(REPO, source, ignore=COPY_IGNORE)
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", work / "dist", source])
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = (work / "dist").glob("cqc_desktop-*.whl")
    assert wheel.name.startswith(f"cqc_desktop-{__version__}-")

    env_dir = work / "venv"
    venv.EnvBuilder(system_site_packages=True, with_pip=True).create(env_dir)
    python = _bin(env_dir, "python")
    # --no-deps: the dependencies come from the machine's packages (no download); the app
    # itself is installed from the wheel even though an editable copy is installed there too.
    done = _run([python, "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", wheel])
    assert done.returncode == 0, done.stdout + done.stderr

    elsewhere = work / "elsewhere"
    home = elsewhere / "home"
    home.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "CQC_DESKTOP"))}
    env.update(
        QT_QPA_PLATFORM="offscreen",
        HOME=str(home),
        USERPROFILE=str(home),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_STATE_HOME=str(home / "state"),
        # The demo has the README's sign-in users; commands after it sign in as the administrator.
        CQC_DESKTOP_USER="admin",
        CQC_DESKTOP_PASSWORD="admin-demo",
    )
    return python, env, elsewhere


def test_the_wheel_carries_every_resource_file(
    installed: tuple[Path, dict[str, str], Path],
) -> None:
    python, env, elsewhere = installed
    where = _run(
        [
            python,
            "-c",
            "import cqc_desktop, cqc_desktop.config as c; "
            "print(cqc_desktop.__file__); print(c.RESOURCES)",
        ],
        cwd=elsewhere,
        env=env,
    )
    assert where.returncode == 0, where.stderr
    package_file, resources = (Path(line) for line in where.stdout.splitlines())
    env_dir = python.parent.parent
    assert package_file.is_relative_to(env_dir), package_file  # not the source tree
    assert resources == package_file.parent / "resources"
    shipped = sorted(p.relative_to(resources) for p in resources.rglob("*") if p.is_file())
    wanted = sorted(
        p.relative_to(REPO / "resources")
        for p in (REPO / "resources").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    )
    assert shipped == wanted


def test_demo_form_and_report_run_from_an_unrelated_folder(
    installed: tuple[Path, dict[str, str], Path],
) -> None:
    python, env, elsewhere = installed
    app = _bin(python.parent.parent, "cqc-desktop")

    version = _run([app, "--version"], cwd=elsewhere, env=env)
    assert version.stdout.strip() == f"CQC Desktop {__version__}", version.stderr

    demo = _run(
        [app, "demo", "--db", "demo.sqlite3", "--today", "2026-11-26"], cwd=elsewhere, env=env
    )
    assert demo.returncode == 0, demo.stderr
    assert "Demo data created" in demo.stdout

    forms = _run(
        [python, "-m", "cqc_desktop", "--db", "demo.sqlite3", "form", "--list"],
        cwd=elsewhere,
        env=env,
    )
    assert forms.returncode == 0, forms.stderr
    assert "observation-medicines-round" in forms.stdout and "medication-audit" in forms.stdout

    report = _run(
        [
            app,
            "--db",
            "demo.sqlite3",
            "--today",
            "2026-11-26",
            "report",
            "monthly",
            "--month",
            "2026-11",
            "-o",
            "monthly.pdf",
        ],
        cwd=elsewhere,
        env=env,
    )
    assert report.returncode == 0, report.stderr
    pdf = PdfReader(io.BytesIO((elsewhere / "monthly.pdf").read_bytes()))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert "Monthly quality assurance report" in text and "Willow Court Care Home" in text
