"""Golden files: every format rendered from one scan of the fixture project, compared byte for byte.

The scan is saved as JSON, its volatile fields (start time, tool version, where the checkout lives) are
set to fixed values, and each format is rendered from that with ``model-risk report``; a round-trip test
in test_report_cli.py shows that rendering from the JSON equals rendering during the scan.

Regenerate after an intended change with::

    MODEL_RISK_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_report_golden.py

and review the diff of tests/golden/.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from support.project import REPO, validate_report

FIXTURE = REPO / "tests" / "fixtures" / "report-project"
GOLDEN = REPO / "tests" / "golden"
UPDATE = bool(os.environ.get("MODEL_RISK_UPDATE_GOLDEN"))

#: format -> golden file name
FORMATS = {
    "json": "report-project.json",
    "text": "report-project.txt",
    "sarif": "report-project.sarif",
    "html": "report-project.html",
    "markdown": "report-project.md",
    "cyclonedx": "report-project.cdx.json",
}


#: The repository the golden scan says it is of: fixed through the GitHub Actions variables, so the golden
#: files do not depend on this checkout's remote, commit or branch.
GITHUB_ENV = {"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "acme/report-project",
              "GITHUB_SHA": "0123456789abcdef0123456789abcdef01234567", "GITHUB_REF_NAME": "main",
              "GITHUB_SERVER_URL": "https://github.com"}


@pytest.fixture(scope="module")
def saved_scan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from support.project import run_cli

    base = tmp_path_factory.mktemp("golden")
    # A copy outside this checkout: the scan sees no git work tree, only the workspace named below.
    project = base / "report-project"
    shutil.copytree(FIXTURE, project)
    out = base / "scan.json"
    with pytest.MonkeyPatch.context() as patch:
        for name, value in {**GITHUB_ENV, "GITHUB_WORKSPACE": str(project)}.items():
            patch.setenv(name, value)
        run = run_cli("scan", project, "--offline", "--format", "json", "--output", out)
    assert run.code == 1, run.stderr  # the fixture has high findings
    document = json.loads(out.read_text(encoding="utf-8"))
    validate_report(document)
    document["tool"]["version"] = "VERSION"
    document["scan"]["started_at"] = "2026-11-28T12:00:00Z"
    document["scan"]["repository_path"] = "tests/fixtures/report-project"
    document["scan"]["project"] = "model-risk"  # the work tree's directory name differs per checkout
    # The knowledge version is a digest of the bundled tables: any table correction would change every
    # golden file. Its presence and shape are checked in tests/knowledge/test_knowledge_overlays.py.
    assert document["scan"]["knowledge"]["version"]
    document["scan"]["knowledge"]["version"] = "KNOWLEDGE"
    out.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return out


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_golden(cli, saved_scan: Path, fmt: str):
    run = cli("report", saved_scan, "--format", fmt)
    assert run.code == 0, run.stderr
    golden = GOLDEN / FORMATS[fmt]
    if UPDATE:
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(run.stdout, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden.name}: run with MODEL_RISK_UPDATE_GOLDEN=1"
    expected = golden.read_text(encoding="utf-8")
    assert run.stdout == expected, (
        f"{fmt} output differs from tests/golden/{golden.name}; if the change is intended, regenerate with "
        "MODEL_RISK_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_report_golden.py and review the diff")
