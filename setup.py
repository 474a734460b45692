"""Build step that ships ``resources/`` inside the package (everything else is in pyproject.toml).

The reference data, form definitions, demo scenarios and fonts stay at the top of the repository
in ``resources/``, where people edit them; a wheel (and so the Windows bundle) carries every file
under it, recursively, as ``cqc_desktop/resources``. ``pip install -e .`` needs no copy: the
package reads ``resources/`` from the source tree (see ``cqc_desktop.config.RESOURCES``).
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "resources"
SKIP_DIRS = {"__pycache__"}
SKIP_SUFFIXES = {".pyc", ".pyo"}


def resource_files() -> list[Path]:
    """Every file under resources/, whatever folders are added to it later."""
    return sorted(
        path
        for path in SOURCE.rglob("*")
        if path.is_file()
        and not SKIP_DIRS.intersection(path.relative_to(SOURCE).parts)
        and path.suffix not in SKIP_SUFFIXES
    )


class BuildWithResources(build_py):
    """build_py, plus resources/ copied to cqc_desktop/resources in the build folder."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "cqc_desktop" / "resources"
        for path in resource_files():
            dest = target / path.relative_to(SOURCE)
            self.mkpath(str(dest.parent))
            self.copy_file(str(path), str(dest))

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = list(super().get_outputs(include_bytecode))
        if not getattr(self, "editable_mode", False):
            target = Path(self.build_lib) / "cqc_desktop" / "resources"
            outputs += [str(target / p.relative_to(SOURCE)) for p in resource_files()]
        return outputs


setup(cmdclass={"build_py": BuildWithResources})
