"""Build the self-contained CQC Desktop folder with PyInstaller, then say how big it is.

    python -m pip install -e ".[build]"
    python installer/build.py [--dist DIR] [--work DIR]

The result is ``DIR/cqc-desktop/`` (default ``dist/cqc-desktop/`` at the top of the repository)
holding ``cqc-desktop`` (``cqc-desktop.exe`` on Windows), which runs the app and every
sub-command on a PC without Python. ``installer/cqc-desktop.iss`` wraps that folder in a
Windows installer.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SPEC = HERE / "cqc-desktop.spec"
NAME = "cqc-desktop"


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def executable(bundle: Path) -> Path:
    return bundle / (f"{NAME}.exe" if os.name == "nt" else NAME)


def build(dist: Path, work: Path) -> Path:
    """Run PyInstaller on the spec; returns the bundle folder."""
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        raise SystemExit(
            'build.py: error: PyInstaller is not installed; run python -m pip install -e ".[build]"'
        ) from None
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--clean",
        "--log-level",
        "WARN",
        "--distpath",
        str(dist),
        "--workpath",
        str(work),
        str(SPEC),
    ]
    # The app is taken from this source tree (PYTHONPATH first), whatever copy is installed.
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    done = subprocess.run(command, cwd=ROOT, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"build.py: error: PyInstaller failed (exit status {done.returncode})")
    bundle = dist / NAME
    if not executable(bundle).is_file():
        raise SystemExit(f"build.py: error: no {executable(bundle).name} in {bundle}")
    return bundle


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the one-folder CQC Desktop bundle.")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="where the bundle goes")
    parser.add_argument(
        "--work",
        type=Path,
        default=ROOT / "build" / "pyinstaller",
        help="PyInstaller's work folder",
    )
    args = parser.parse_args(argv)
    bundle = build(args.dist.resolve(), args.work.resolve())
    size = folder_size(bundle)
    files = sum(1 for p in bundle.rglob("*") if p.is_file())
    print(f"Bundle: {bundle}")
    print(f"Executable: {executable(bundle)}")
    print(f"Bundle size: {size / 1024 / 1024:.0f} MiB in {files} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
