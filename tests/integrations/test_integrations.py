"""The GitHub Action, this repository's workflow and the pre-commit manifest: valid and injection-safe."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from support.project import REPO

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"
ACTION = REPO / "action.yml"
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
HOOKS = REPO / ".pre-commit-hooks.yaml"


def _check_jsonschema(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "check_jsonschema", *args], capture_output=True, text=True)


def test_action_matches_the_schemastore_schema_and_the_builtin_one():
    for args in (("--schemafile", str(SCHEMAS / "github-action.json")), ("--builtin-schema", "vendor.github-actions")):
        proc = _check_jsonschema(*args, str(ACTION))
        assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_workflows_match_the_builtin_schema(workflow):
    proc = _check_jsonschema("--builtin-schema", "vendor.github-workflows", str(workflow))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_pre_commit_manifest_matches_its_schema():
    proc = _check_jsonschema("--schemafile", str(SCHEMAS / "pre-commit-hooks.json"), str(HOOKS))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    hooks = {h["id"]: h for h in yaml.safe_load(HOOKS.read_text())}
    assert set(hooks) == {"model-risk", "model-risk-lock"}
    assert all(h["language"] == "python" and h["entry"].startswith("model-risk ") for h in hooks.values())


def _steps(path: Path) -> list[dict]:
    document = yaml.safe_load(path.read_text())
    if "runs" in document:
        return document["runs"]["steps"]
    return [step for job in document["jobs"].values() for step in job.get("steps", [])]


@pytest.mark.parametrize("path", [ACTION, *WORKFLOWS], ids=lambda p: p.name)
def test_no_expression_is_spliced_into_a_shell_script(path):
    for step in _steps(path):
        if "run" in step:
            assert "${{" not in step["run"], f"{path.name}: step {step.get('name')!r} puts an expression in run:"


def test_every_run_step_of_the_action_sets_its_shell():
    for step in _steps(ACTION):
        if "run" in step:
            assert step.get("shell") == "bash", step.get("name")


@pytest.mark.parametrize("path", [ACTION, *WORKFLOWS], ids=lambda p: p.name)
def test_third_party_actions_are_pinned_by_commit(path):
    for step in _steps(path):
        uses = step.get("uses")
        if uses and not uses.startswith("./"):
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", uses), uses


def test_the_workflow_uses_this_repositorys_action():
    uses = [step.get("uses") for workflow in WORKFLOWS for step in _steps(workflow)]
    assert "./" in uses


def test_action_inputs_and_outputs_are_documented():
    action = yaml.safe_load(ACTION.read_text())
    docs = (REPO / "docs" / "github-action.md").read_text()
    for name in [*action["inputs"], *action["outputs"]]:
        assert f"`{name}`" in docs, f"docs/github-action.md does not mention {name}"
    json.dumps(action)  # plain data only
