"""Which part of a project a file belongs to: code, config, docs, tests or examples.

A model named in a test fixture or a tutorial is worth knowing about, but it is not what the product
ships. Each reference gets a scope from its path; the configuration (``scopes:``) can add patterns, and
says which scopes fail the build and which count towards vendor concentration (by default docs and tests
do neither).

Conventions, checked in this order (the first that matches wins):

* tests: a folder named ``tests``, ``test``, ``testing``, ``__tests__``, ``spec`` or ``specs``; files named
  ``test_*.py``, ``*_test.py``, ``conftest.py``, ``*.test.*``, ``*.spec.*``;
* examples: a folder named ``examples``, ``example``, ``samples``, ``sample``, ``demo``, ``demos``,
  ``notebooks``, ``cookbook``, ``cookbooks``, ``tutorials``;
* docs: a folder named ``docs``, ``doc`` or ``documentation``; Markdown, reStructuredText and text files;
* config: YAML, JSON, TOML, INI files, Dockerfiles, ``.env`` files;
* code: everything else.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

SCOPES = ("code", "config", "docs", "tests", "examples")
#: By default references in these scopes fail the build and count towards vendor concentration.
DEFAULT_ACTIVE = ("code", "config", "examples")

_TEST_DIRS = frozenset({"tests", "test", "testing", "__tests__", "spec", "specs"})
_EXAMPLE_DIRS = frozenset({"examples", "example", "samples", "sample", "demo", "demos", "notebooks",
                           "cookbook", "cookbooks", "tutorials"})
_DOC_DIRS = frozenset({"docs", "doc", "documentation"})
_DOC_SUFFIXES = (".md", ".mdx", ".markdown", ".rst", ".rest", ".txt", ".adoc")
_CONFIG_SUFFIXES = (".yaml", ".yml", ".json", ".jsonc", ".toml", ".cfg", ".ini", ".conf", ".env")


@dataclass(frozen=True)
class ScopeSettings:
    #: scope -> fnmatch patterns of root-relative paths (``*`` crosses ``/``), checked before the conventions.
    paths: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    fail_build: tuple[str, ...] = DEFAULT_ACTIVE
    concentration: tuple[str, ...] = DEFAULT_ACTIVE

    def scope_of(self, path: str) -> str:
        for scope, patterns in self.paths.items():
            if any(fnmatch.fnmatchcase(path, pattern) for pattern in patterns):
                return scope
        return conventional_scope(path)

    def fails_build(self, scope: str) -> bool:
        return scope in self.fail_build

    def counts_for_concentration(self, scope: str) -> bool:
        return scope in self.concentration


def conventional_scope(path: str) -> str:
    parts = path.split("/")
    folders, name = [p.lower() for p in parts[:-1]], parts[-1]
    lowered = name.lower()
    if any(f in _TEST_DIRS for f in folders) or lowered == "conftest.py" \
            or (lowered.startswith("test_") and lowered.endswith(".py")) or lowered.endswith("_test.py") \
            or ".test." in lowered or ".spec." in lowered:
        return "tests"
    if any(f in _EXAMPLE_DIRS for f in folders):
        return "examples"
    if any(f in _DOC_DIRS for f in folders) or lowered.endswith(_DOC_SUFFIXES):
        return "docs"
    if lowered.endswith(_CONFIG_SUFFIXES) or lowered.startswith(("dockerfile", "containerfile", ".env")) \
            or lowered.endswith(".dockerfile"):
        return "config"
    return "code"


def settings_from(data: Mapping[str, object] | None) -> ScopeSettings:
    """The ``scopes:`` section of the configuration (already validated against the schema)."""
    if not data:
        return ScopeSettings()
    paths = data.get("paths") or {}
    assert isinstance(paths, Mapping)
    fail: Sequence[str] = data.get("fail-build", DEFAULT_ACTIVE)  # type: ignore[assignment]
    concentration: Sequence[str] = data.get("concentration", DEFAULT_ACTIVE)  # type: ignore[assignment]
    return ScopeSettings({str(k): tuple(v) for k, v in paths.items()}, tuple(fail), tuple(concentration))
