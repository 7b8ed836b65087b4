"""Reports to merge: real scans saved as JSON, then edited the way time and history edit them."""

from __future__ import annotations

import copy
import json
import os
import shutil
from pathlib import Path
from typing import Any

from support.project import EXAMPLE, REPO, run_cli

FIXTURE = REPO / "tests" / "fixtures" / "report-project"
GITHUB_VARIABLES = ("GITHUB_ACTIONS", "GITHUB_REPOSITORY", "GITHUB_WORKSPACE")


def real_scans(base: Path) -> dict[str, dict[str, Any]]:
    """Two real reports, as documents: the example project and the report fixture (offline, from their
    lockfiles), scanned from copies so they name no repository but their folder."""
    saved = {name: os.environ.pop(name) for name in GITHUB_VARIABLES if name in os.environ}
    try:
        out = {}
        for name, source in (("support-bot", EXAMPLE), ("report-project", FIXTURE)):
            tree = base / name
            shutil.copytree(source, tree)
            target = base / f"{name}.json"
            run = run_cli("scan", tree, "--offline", "--format", "json", "--output", target, "--fail-on", "never")
            assert run.code == 0, run.stderr
            out[name] = json.loads(target.read_text(encoding="utf-8"))
        return out
    finally:
        os.environ.update(saved)


def as_repository(document: dict[str, Any], name: str | None, *, started: str = "2026-11-28T12:00:00Z",
                  commit: str | None = None) -> dict[str, Any]:
    """``document`` as a report of repository ``name`` scanned at ``started`` (None: a report from before
    the repository fields existed)."""
    doc = copy.deepcopy(document)
    doc["scan"].update(repository=name, started_at=started, commit=commit,
                       remote_url=f"https://github.com/{name}" if name else None)
    if name is None:
        for key in ("repository", "remote_url", "commit", "branch"):
            doc["scan"].pop(key, None)
    return doc


def write(directory: Path, name: str, document: dict[str, Any]) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document), encoding="utf-8")
    return path
