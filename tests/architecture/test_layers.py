"""The architecture is checked, not hoped for: layers, independent stages, no import cycle, types."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def test_import_contracts_hold():
    """.importlinter: faces -> app -> stages -> knowledge -> common -> contract, stages independent."""
    lint = Path(sys.executable).with_name("lint-imports")
    run = subprocess.run([str(lint) if lint.exists() else "lint-imports", "--no-cache"], cwd=REPO,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 kept, 0 broken" in run.stdout


def test_no_import_cycle_in_src():
    """Counting imports made only for type checking: a cycle there is still two modules that need each
    other to be understood."""
    import grimp

    graph = grimp.build_graph("model_risk", exclude_type_checking_imports=False, cache_dir=None)
    cycles = _strongly_connected(graph)
    assert cycles == [], f"import cycles: {cycles}"


def test_no_module_imports_the_package_root():
    """The version lives in a leaf module (contract/version.py); importing ``model_risk`` itself would tie
    a module to everything the root re-exports."""
    import grimp

    graph = grimp.build_graph("model_risk", exclude_type_checking_imports=False, cache_dir=None)
    importers = {m for m in graph.modules if "model_risk" in graph.find_modules_directly_imported_by(m)}
    assert importers == set()


def test_no_plugin_imports_another_plugin():
    """Built-in plugins register like third-party ones and can be blocked one by one, so none may depend
    on another: shared heuristics live in modules that are not plugins. Nothing imports a plugin module
    (the plugin manager loads them by name)."""
    import grimp

    from model_risk.app.plugins import DEFAULT_PLUGINS

    graph = grimp.build_graph("model_risk", exclude_type_checking_imports=False, cache_dir=None)
    imported = {plugin: graph.find_modules_directly_imported_by(plugin) & set(DEFAULT_PLUGINS)
                for plugin in DEFAULT_PLUGINS}
    assert {p: i for p, i in imported.items() if i} == {}
    importers = {plugin: graph.find_modules_that_directly_import(plugin) for plugin in DEFAULT_PLUGINS}
    assert {p: i for p, i in importers.items() if i} == {}


def test_contract_imports_nothing_else_of_model_risk():
    """Not even for type annotations: the contract names Protocols where it needs another layer's object."""
    import grimp

    graph = grimp.build_graph("model_risk", exclude_type_checking_imports=False, cache_dir=None)
    outside = {
        (module, imported)
        for module in graph.find_children("model_risk.contract") | {"model_risk.contract"}
        for imported in graph.find_modules_directly_imported_by(module)
        if imported.startswith("model_risk") and not imported.startswith("model_risk.contract")
    }
    assert outside == set()


@pytest.mark.skipif(shutil.which("mypy") is None and not Path(sys.executable).with_name("mypy").exists(),
                    reason="mypy is not installed (pip install '.[test]')")
def test_src_is_clean_under_mypy(tmp_path):
    mypy = Path(sys.executable).with_name("mypy")
    run = subprocess.run([str(mypy), "--cache-dir", str(tmp_path / "mypy-cache")], cwd=REPO,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def _strongly_connected(graph) -> list[list[str]]:
    """Tarjan's algorithm over the module graph: every group of modules that import each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = [0]

    def visit(module: str) -> None:
        index[module] = low[module] = counter[0]
        counter[0] += 1
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return groups
