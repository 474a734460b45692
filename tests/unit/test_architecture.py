"""The domain layer must import without Qt (STYLE.md: models and services never touch the UI)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import cqc_desktop.services

BLOCK_QT = """
import builtins, importlib, pkgutil, sys
real = builtins.__import__
def guard(name, *a, **k):
    if name.split(".")[0] in ("PySide6", "shiboken6"):
        raise ImportError("Qt is blocked in this test")
    return real(name, *a, **k)
builtins.__import__ = guard
import cqc_desktop.models, cqc_desktop.services, cqc_desktop.db, cqc_desktop.cli
for mod in {modules!r}:
    importlib.import_module(mod)
assert not any(m.startswith("PySide6") for m in sys.modules), "Qt was imported"
print("ok")
"""


def test_models_and_services_import_without_qt() -> None:
    modules = [
        f"cqc_desktop.services.{m.name}"
        for m in pkgutil.iter_modules(cqc_desktop.services.__path__)
    ]
    assert "cqc_desktop.services.closure" in modules
    result = subprocess.run(
        [sys.executable, "-c", BLOCK_QT.format(modules=modules)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
