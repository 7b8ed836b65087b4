"""Every hook of the plugin contract is documented in docs/plugins.md and exercised by a test."""

from __future__ import annotations

import inspect
import re

from support.project import REPO

from model_risk.contract import hookspecs


def _hook_names() -> list[str]:
    return sorted(name for name, function in inspect.getmembers(hookspecs, inspect.isfunction)
                  if hasattr(function, "model_risk_spec"))


def test_the_contract_has_the_hooks_the_docs_promise():
    assert _hook_names() == ["register_commands", "register_conditions", "register_detectors",
                             "register_reporters", "register_rule_packs", "resolve_model"]


def test_every_hook_has_a_section_in_the_plugin_docs():
    docs = (REPO / "docs" / "plugins.md").read_text(encoding="utf-8")
    headings = [line for line in docs.splitlines() if line.startswith("#")]
    missing = [name for name in _hook_names() if not any(re.search(rf"\b{name}\b", h) for h in headings)]
    assert missing == [], f"hooks without a heading in docs/plugins.md: {missing}"


def test_every_hook_is_exercised_by_a_test():
    """Implemented by a test's plugin, or by an example plugin that the tests install and run."""
    here = inspect.getsourcefile(test_every_hook_is_exercised_by_a_test)
    files = [*(REPO / "tests").rglob("test_*.py"), *(REPO / "examples").rglob("*.py"),
             *(REPO / "docs").rglob("*.py")]
    sources = [p.read_text(encoding="utf-8") for p in files if str(p) != here and "corpus" not in p.parts]
    missing = [name for name in _hook_names() if not any(f"def {name}(" in text for text in sources)]
    assert missing == [], f"hooks no test implements: {missing}"
