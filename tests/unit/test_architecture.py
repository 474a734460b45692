"""The shape of the code: packages by capability, one direction of dependency, no import cycles,
and a domain (models and services) that imports without Qt (STYLE.md, DESIGN.md "Architecture")."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "cqc_desktop"

# The service capabilities, lowest first. A module may import from its own capability and from any
# capability listed before it, never from one after it (function-level imports included, so a
# "knot" of late imports cannot hide a cycle between capabilities).
SERVICE_LAYERS = ("core", "trust", "setup", "plans", "records", "governance", "reporting", "demo")

BLOCK_QT = """
import builtins, importlib, sys
real = builtins.__import__
def guard(name, *a, **k):
    if name.split(".")[0] in ("PySide6", "shiboken6"):
        raise ImportError("Qt is blocked in this test")
    return real(name, *a, **k)
builtins.__import__ = guard
for mod in {modules!r}:
    importlib.import_module(mod)
assert not any(m.startswith("PySide6") for m in sys.modules), "Qt was imported"
print("ok")
"""


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


MODULES = all_modules()


def imports_of(name: str, path: Path, *, top_level_only: bool) -> set[str]:
    """The project modules ``name`` imports (``from x import y`` counts y when y is a module).
    With top_level_only, imports inside functions and under ``if TYPE_CHECKING`` are left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name in MODULES)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base_parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(base_parts + ([node.module] if node.module else []))
                else:
                    base = node.module or ""
                if base in MODULES:
                    found.add(base)
                for alias in node.names:
                    if f"{base}.{alias.name}" in MODULES:
                        found.add(f"{base}.{alias.name}")
            elif isinstance(node, ast.If):
                test = node.test
                if isinstance(test, ast.Name) and test.id == "TYPE_CHECKING" and top_level_only:
                    continue
                visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
                visit(node.orelse)
                visit(node.finalbody)
                for handler in node.handlers:
                    visit(handler.body)
            elif not top_level_only and hasattr(node, "body"):
                visit(node.body)  # type: ignore[attr-defined]
                visit(getattr(node, "orelse", []))

    visit(tree.body)
    # Importing a.b.c runs a/__init__ and a/b/__init__ too: count them as imports as well.
    for mod in list(found):
        parts = mod.split(".")
        for i in range(2, len(parts)):
            parent = ".".join(parts[:i])
            if parent in MODULES and not name.startswith(parent + "."):
                found.add(parent)
    # A module's own packages are already being imported when it runs (``from . import x``).
    return {m for m in found if m != name and not name.startswith(m + ".")}


def service_layer(name: str) -> str | None:
    parts = name.split(".")
    if parts[:2] != ["cqc_desktop", "services"]:
        return None
    if len(parts) == 2 or (len(parts) == 3 and MODULES[name].name != "__init__.py"):
        return "core"
    return parts[2]


def test_models_and_services_import_without_qt() -> None:
    domain = [
        m
        for m in MODULES
        if m.startswith(("cqc_desktop.models", "cqc_desktop.services", "cqc_desktop.reports"))
    ]
    domain += ["cqc_desktop.db", "cqc_desktop.cli.main"]
    assert "cqc_desktop.services.plans.closure" in domain
    result = subprocess.run(
        [sys.executable, "-c", BLOCK_QT.format(modules=domain)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_no_module_level_import_cycles() -> None:
    graph = {m: imports_of(m, p, top_level_only=True) for m, p in MODULES.items()}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)
    assert cycles == [], "import cycles: " + "; ".join(" → ".join(c) for c in cycles)


def test_service_capabilities_depend_one_way() -> None:
    wrong = []
    for name, path in MODULES.items():
        layer = service_layer(name)
        if layer is None:
            continue
        for target in imports_of(name, path, top_level_only=False):
            if target.startswith("cqc_desktop.ui") or target.startswith("cqc_desktop.cli"):
                wrong.append(f"{name} imports {target}")
            other = service_layer(target)
            if other is None or other == layer:
                continue
            if SERVICE_LAYERS.index(other) > SERVICE_LAYERS.index(layer):
                wrong.append(f"{name} ({layer}) imports {target} ({other})")
    assert wrong == []


def test_models_and_reports_sit_below_the_ui() -> None:
    wrong = []
    for name, path in MODULES.items():
        if not name.startswith(("cqc_desktop.models", "cqc_desktop.reports")):
            continue
        for target in imports_of(name, path, top_level_only=False):
            if target.startswith(("cqc_desktop.ui", "cqc_desktop.cli")):
                wrong.append(f"{name} imports {target}")
            if name.startswith("cqc_desktop.models") and target.startswith(
                ("cqc_desktop.services", "cqc_desktop.reports")
            ):
                wrong.append(f"{name} imports {target}")
    assert wrong == []


def test_shared_widgets_know_no_capability() -> None:
    wrong = []
    for name, path in MODULES.items():
        if not name.startswith("cqc_desktop.ui.widgets"):
            continue
        for target in imports_of(name, path, top_level_only=False):
            parts = target.split(".")
            if parts[:2] == ["cqc_desktop", "ui"] and len(parts) > 3 and parts[2] != "widgets":
                wrong.append(f"{name} imports {target}")
    assert wrong == []


def test_folders_are_small_and_say_what_they_hold() -> None:
    for folder in [PACKAGE, *(p for p in PACKAGE.rglob("*") if p.is_dir())]:
        if folder.name == "__pycache__" or "migrations" in folder.parts:
            continue
        modules = [p for p in folder.glob("*.py") if p.name != "__init__.py"]
        assert len(modules) <= 25, f"{folder} holds {len(modules)} modules"
        init = folder / "__init__.py"
        assert init.exists(), f"{folder} is not a package"
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and len(doc) > 40, f"{init} should say what lives there and what it may import"
