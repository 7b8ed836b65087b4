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
    proc = _check_jsonschema("--schemafile", str(SCHEMAS / "github-workflow.json"), str(workflow))
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


def _docs_workflow() -> str:
    docs = (REPO / "docs" / "github-action.md").read_text(encoding="utf-8")
    section = docs.split("## A complete workflow", 1)[1]
    return re.search(r"```yaml\n(.+?)\n```", section, flags=re.S).group(1) + "\n"


@pytest.mark.parametrize("schema", ["vendored", "builtin"])
def test_the_documented_workflow_matches_githubs_workflow_schema(schema: str, tmp_path: Path):
    workflow = tmp_path / "model-risk.yml"
    workflow.write_text(_docs_workflow())
    args = (("--schemafile", str(SCHEMAS / "github-workflow.json")) if schema == "vendored"
            else ("--builtin-schema", "vendor.github-workflows"))
    proc = _check_jsonschema(*args, str(workflow))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_documented_workflow_grants_exactly_the_permissions_its_features_need():
    document = yaml.safe_load(_docs_workflow())
    assert document["permissions"] == {"contents": "read"}
    (job,) = document["jobs"].values()
    assert job["permissions"] == {"contents": "read", "security-events": "write", "actions": "read",
                                  "pull-requests": "write"}
    step = next(s for s in job["steps"] if s.get("uses", "").startswith("model-risk/model-risk@"))
    assert step["with"]["comment"] == "true"  # the comment is used, so pull-requests: write is needed
    action = yaml.safe_load(ACTION.read_text())
    assert action["inputs"]["upload-sarif"]["default"] == "true"  # SARIF upload is on by default
    docs = (REPO / "docs" / "github-action.md").read_text(encoding="utf-8")
    table = docs.split("## Permissions, feature by feature", 1)[1].split("\n## ", 1)[0]
    for permission, level in job["permissions"].items():
        assert f"`{permission}: {level}`" in table, permission


def test_workflow_schema_is_the_one_check_jsonschema_ships():
    """tests/schemas/github-workflow.json is SchemaStore's schema as check-jsonschema vendors it."""
    import hashlib

    expected = (SCHEMAS / "SOURCES.md").read_text(encoding="utf-8")
    digest = hashlib.sha256((SCHEMAS / "github-workflow.json").read_bytes()).hexdigest()
    assert digest in expected


def test_every_action_input_reaches_the_check_and_scan_steps():
    """The Python check validates what the steps pass it: each input goes to both steps' env."""
    action = yaml.safe_load(ACTION.read_text())
    steps = {step.get("id"): step for step in action["runs"]["steps"]}
    for step_id in ("check", "scan"):
        passed = " ".join(str(v) for v in steps[step_id]["env"].values())
        for name in action["inputs"]:
            assert f"inputs.{name} }}}}" in passed, f"{step_id} step does not get input {name}"
