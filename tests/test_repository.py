"""Promises the repository makes to a new user: the README's commands and what CI runs."""

from __future__ import annotations

import re

from support.project import REPO


def _quick_start_commands() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section, flags=re.S)


def test_quick_start_has_exactly_two_commands():
    commands = _quick_start_commands()
    assert len(commands) == 2
    assert all("\n" not in c for c in commands)
    assert "model-risk scan examples/" in commands[0] and "--offline" in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert _quick_start_commands()[1] in ci.splitlines()


def test_plugin_docs_point_at_both_example_packages():
    # The files of docs/examples/acme-plugins are compared with the page in tests/test_plugin_examples.py.
    docs = (REPO / "docs" / "plugins.md").read_text(encoding="utf-8")
    assert "](../examples/plugin)" in docs and "](examples/acme-plugins)" in docs
    assert (REPO / "examples" / "plugin" / "pyproject.toml").is_file()
