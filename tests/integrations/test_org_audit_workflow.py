"""The fan-out on GitHub Actions: the reusable workflow and its documented example.

Both are validated against GitHub's workflow schema (SchemaStore's github-workflow.json, vendored in
tests/schemas). The plan step's batching script and the merge step's script are run here as the
runner would run them, on real reports.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from support.project import EXAMPLE, REPO, run_cli

WORKFLOW = REPO / ".github" / "workflows" / "org-audit.yml"
EXAMPLE_CALLER = REPO / "examples" / "org-audit" / "org-audit.yml"
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def load(path: Path) -> dict[str, Any]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in document:  # YAML 1.1 reads the key `on` as true
        document["on"] = document.pop(True)
    return document


def schema_errors(document: dict[str, Any]) -> list[str]:
    import jsonschema

    schema = json.loads((REPO / "tests" / "schemas" / "github-workflow.json").read_text(encoding="utf-8"))
    return [f"{list(e.absolute_path)}: {e.message[:200]}"
            for e in jsonschema.Draft7Validator(schema).iter_errors(document)]


@pytest.mark.parametrize("path", [WORKFLOW, EXAMPLE_CALLER], ids=["reusable", "example"])
def test_workflows_match_githubs_schema(path: Path):
    assert schema_errors(load(path)) == []


def test_the_schema_catches_broken_workflows():
    """The validation has teeth: the same workflow, broken in ways GitHub would reject, fails it."""
    broken = copy.deepcopy(load(WORKFLOW))
    del broken["jobs"]["scan"]["runs-on"]
    broken["jobs"]["merge"]["steps"][0]["uses-typo"] = "x"
    broken["on"]["workflow_call"]["inputs"]["batch-size"]["type"] = "integer"
    assert len(schema_errors(broken)) >= 3


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return job["steps"]


def uses(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [s for s in steps(job) if s.get("uses", "").startswith(action + "@")]


def test_reusable_workflow_fans_out_shares_the_cache_and_merges():
    workflow = load(WORKFLOW)
    assert set(workflow["on"]) == {"workflow_call"}
    jobs = workflow["jobs"]
    assert list(jobs) == ["plan", "scan", "merge"]
    scan = jobs["scan"]
    assert scan["needs"] == "plan"
    assert scan["strategy"]["matrix"]["batch"] == "${{ fromJSON(needs.plan.outputs.batches) }}"
    assert scan["strategy"]["fail-fast"] is False
    # the cache: restored by every job under one run key (with older runs as fallback), saved by plan and merge
    for name in ("plan", "scan", "merge"):
        restore = uses(jobs[name], "actions/cache/restore")
        assert len(restore) == 1 and restore[0]["with"]["restore-keys"] == "${{ env.CACHE_PREFIX }}"
    saved = [uses(jobs[name], "actions/cache/save")[0]["with"]["key"] for name in ("plan", "merge")]
    assert all("${{ github.run_id }}" in key for key in saved) and len(set(saved)) == 2
    assert workflow["env"]["MODEL_RISK_CACHE_DIR"].endswith("/.model-risk-cache")
    # each job's JSON reports are an artifact; the merge job downloads them all
    uploads = [s["with"]["name"] for s in uses(scan, "actions/upload-artifact")]
    assert "model-risk-report-${{ strategy.job-index }}" in uploads
    downloads = [s["with"]["pattern"] for s in uses(jobs["merge"], "actions/download-artifact")]
    assert downloads == ["model-risk-report-*", "model-risk-cache-*"]
    merge_script = next(s["run"] for s in steps(jobs["merge"]) if s.get("name") == "Merge")
    for fmt in ("html", "markdown", "sqlite"):
        assert f"--format {fmt}" in merge_script
    assert '>> "$GITHUB_STEP_SUMMARY"' in merge_script


def test_every_action_is_pinned_and_no_input_is_spliced_into_a_script():
    for path in (WORKFLOW, REPO / ".github" / "workflows" / "model-risk.yml"):
        for job in load(path)["jobs"].values():
            for step in job.get("steps", []):
                if "uses" in step and not step["uses"].startswith("./"):
                    assert PINNED.match(step["uses"].split(" ")[0]), step["uses"]
                # expressions in run: would be code injection; values travel through env
                assert "${{" not in step.get("run", ""), step.get("name")


def _step(job: str, name: str) -> dict[str, Any]:
    return next(s for s in load(WORKFLOW)["jobs"][job]["steps"] if s.get("name") == name)


def _plan(tmp_path: Path, repositories: str, batch_size: int) -> subprocess.CompletedProcess[str]:
    step = _step("plan", "Split the repositories into batches")
    assert step["shell"] == "python"
    output = tmp_path / "github_output"
    output.write_text("", encoding="utf-8")
    env = {**os.environ, "MR_REPOSITORIES": repositories, "MR_BATCH_SIZE": str(batch_size),
           "GITHUB_OUTPUT": str(output)}
    return subprocess.run([sys.executable, "-c", step["run"]], env=env, capture_output=True, text=True, timeout=60)


def test_plan_batches_repositories_within_the_matrix_limit(tmp_path: Path):
    names = [f"acme/repo-{i:04d}" for i in range(1000)]
    run = _plan(tmp_path, "\n".join(reversed(names)) + "\nacme/repo-0001\n", 4)
    assert run.returncode == 0, run.stderr
    line = (tmp_path / "github_output").read_text(encoding="utf-8").strip()
    batches = json.loads(line.removeprefix("batches="))
    assert len(batches) == 250 and all(len(b.split()) == 4 for b in batches)
    assert sorted(n for b in batches for n in b.split()) == names  # each once, duplicates dropped

    too_many = _plan(tmp_path, "\n".join(names), 3)  # 334 jobs
    assert too_many.returncode != 0
    assert "a matrix has at most 256: set batch-size to 4 or more" in too_many.stderr

    injected = _plan(tmp_path, "acme/ok\n$(touch /tmp/pwned)", 10)
    assert injected.returncode != 0 and "not owner/name" in injected.stderr


@pytest.mark.parametrize("name", ["acme/..", "../acme", "acme/.", "-acme/repo", "acme/-repo", "acme/a/b",
                                  "ac_me/repo"])
def test_plan_refuses_names_that_are_not_github_repositories(tmp_path: Path, name: str):
    """A path out of the clone folder (``..``) or an option to git (a leading ``-``) is no repository."""
    run = _plan(tmp_path, f"acme/ok\n{name}", 10)
    assert run.returncode != 0 and "not owner/name" in run.stderr


def test_plan_accepts_github_repository_names(tmp_path: Path):
    run = _plan(tmp_path, "acme/.github acme/repo_1.x-y a-b/c..d", 10)
    assert run.returncode == 0, run.stderr


def test_merge_step_script_writes_the_three_outputs_and_the_summary(tmp_path: Path):
    reports = tmp_path / "reports"
    reports.mkdir()
    assert run_cli("scan", EXAMPLE, "--offline", "--format", "json", "--output", reports / "acme--support-bot.json",
                   "--fail-on", "never").code == 0
    summary = tmp_path / "summary.md"
    env = {**os.environ, "MR_NAME": "Acme", "GITHUB_STEP_SUMMARY": str(summary),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    run = subprocess.run(["bash", "-e", "-c", _step("merge", "Merge")["run"]], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert {p.name for p in (tmp_path / "org").iterdir()} == {"org.html", "summary.md", "org.db", "org.json"}
    assert summary.read_text(encoding="utf-8").startswith("## Model risk across Acme")
    assert json.loads((tmp_path / "org" / "org.json").read_text(encoding="utf-8"))["summary"]["repositories"] == 1


def test_scan_job_uploads_only_the_cache_entries_it_fetched(tmp_path: Path):
    models = tmp_path / ".model-risk-cache" / "models"
    for shard, name in (("aa", "old"), ("bb", "new"), ("bb", "other-old")):
        (models / shard).mkdir(parents=True, exist_ok=True)
        (models / shard / f"{name}.json").write_text("{}", encoding="utf-8")
    for old in ("aa/old.json", "bb/other-old.json"):  # restored from the archive with its old times
        os.utime(models / old, (1_700_000_000, 1_700_000_000))
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    (runner_temp / "restored").touch()
    os.utime(runner_temp / "restored", (1_800_000_000, 1_800_000_000))
    os.utime(models / "bb" / "new.json", (1_800_000_100, 1_800_000_100))  # written by this job's scans
    run = subprocess.run(["bash", "-e", "-c", _step("scan", "Collect the cache entries this job fetched")["run"]],
                         cwd=tmp_path, env={**os.environ, "RUNNER_TEMP": str(runner_temp)},
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert sorted(p.relative_to(tmp_path / "fetched").as_posix()
                  for p in (tmp_path / "fetched").rglob("*.json")) == ["bb/new.json"]


def test_plan_step_refreshes_the_expiring_cache_entries(tmp_path: Path, hub, cache_dir: Path):
    from support.project import write_tree
    from support.scanning import FAST_HUB, loader

    project = write_tree(tmp_path / "repo", {"app.py": loader("microsoft/phi-4", "BAAI/bge-m3"),
                                             ".model-risk.yaml": FAST_HUB})
    assert run_cli("scan", project, "--no-drift", "--fail-on", "never", "--quiet").code == 0
    entry = next(e for e in (cache_dir / "models").rglob("*.json")
                 if json.loads(e.read_text(encoding="utf-8"))["request"]["id"] == "BAAI/bge-m3")
    data = json.loads(entry.read_text(encoding="utf-8"))
    data["fetched_at"] -= 86400 - 3600  # expires in an hour, within the six-hour margin
    entry.write_text(json.dumps(data), encoding="utf-8")
    hub.reset_log()
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    env = {**os.environ, "RUNNER_TEMP": str(runner_temp), "MR_MARGIN": "21600", "MR_TTL": "86400",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    step = _step("plan", "Refresh the entries that would expire during this run")
    run = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    assert [p.split("?")[0] for p in hub.model_requests()] == ["/api/models/BAAI/bge-m3"]
