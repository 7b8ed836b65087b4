"""Diff-aware scans on a temporary git repository with two commits: what a pull request adds."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from support.fakehub import model
from support.project import write_tree


def _git(root: Path, *args: str) -> str:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.invalid", "HOME": str(root), "PATH": "/usr/bin:/bin"}
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True,
                          env=env).stdout.strip()


BEFORE = {
    "app.py": """
        from transformers import AutoModel

        chat = AutoModel.from_pretrained("Qwen/Qwen2.5-7B-Instruct")
        judge = AutoModel.from_pretrained("meta-llama/Llama-3.1-8B-Instruct")
        """,
    "legacy.py": """
        from transformers import AutoModel

        old = AutoModel.from_pretrained("acme/old-nc-model")
        """,
    "rag.yaml": "embedding_model: BAAI/bge-m3\nreranker: mistralai/Mistral-7B-Instruct-v0.3\n",
}


@pytest.fixture
def repo(tmp_path: Path, hub) -> Path:
    hub.models["acme/old-nc-model"] = model("acme/old-nc-model", license="cc-by-nc-4.0")
    hub.models["acme/new-nc-model"] = model("acme/new-nc-model", license="cc-by-nc-4.0")
    root = write_tree(tmp_path / "repo", BEFORE)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "before")
    return root


def _findings(report) -> set[tuple]:
    return {(f["rule"], f["model"] or f["vendor"], tuple((x["path"], x["line"]) for x in f["locations"]))
            for f in report["findings"] if f["suppressed"] is None}


def test_only_findings_on_changed_lines_are_reported(cli, repo):
    app = repo / "app.py"
    app.write_text(app.read_text() + 'extra = AutoModel.from_pretrained("acme/new-nc-model")\n')
    _git(repo, "commit", "-qam", "add a model")
    report = cli("scan", repo, "--diff-base", "HEAD~1", "--format", "json").json()
    assert report["scan"]["diff_base"] == "HEAD~1"
    assert _findings(report) == {
        ("non-commercial-license", "acme/new-nc-model", (("app.py", 5),)),
        ("non-osi-license", "acme/new-nc-model", (("app.py", 5),)),
        ("unpinned-revision", "acme/new-nc-model", (("app.py", 5),)),
    }
    # The whole inventory is still there; only the findings are narrowed.
    assert {m["id"] for m in report["models"]} >= {"acme/old-nc-model", "acme/new-nc-model"}
    full = cli("scan", repo, "--format", "json").json()
    assert ("non-commercial-license", "acme/old-nc-model", (("legacy.py", 3),)) in _findings(full)


def test_uncommitted_and_untracked_changes_count(cli, repo):
    (repo / "new_service.py").write_text('from transformers import AutoModel\n'
                                         'AutoModel.from_pretrained("acme/new-nc-model")\n')
    run = cli("scan", repo, "--diff-base", "main", "--format", "json")
    assert run.code == 1  # a new non-commercial model: high
    assert ("non-commercial-license", "acme/new-nc-model", (("new_service.py", 2),)) in _findings(run.json())


def test_a_change_that_tips_vendor_concentration_is_reported(cli, repo):
    # Before: Alibaba is 1 of 5 models. After: 4 of 8.
    (repo / "qwen.py").write_text(
        "from transformers import AutoModel\n"
        'a = AutoModel.from_pretrained("Qwen/Qwen3-8B")\n'
        'b = AutoModel.from_pretrained("bartowski/Qwen2.5-7B-Instruct-GGUF")\n'
        'c = AutoModel.from_pretrained("deepseek-ai/DeepSeek-R1-Distill-Qwen-7B")\n')
    (repo / ".model-risk.yaml").write_text("rules:\n  params:\n    single-vendor-weights: {threshold: 0.45}\n")
    report = cli("scan", repo, "--diff-base", "HEAD", "--format", "json", "--fail-on", "never").json()
    vendor = [f for f in _findings(report) if f[0] == "single-vendor-weights"]
    assert vendor == [("single-vendor-weights", "Alibaba", (("qwen.py", 2), ("qwen.py", 3), ("qwen.py", 4)))]


def test_unchanged_concentration_is_not_reported_again(cli, repo):
    (repo / ".model-risk.yaml").write_text(
        "rules:\n  params:\n    single-vendor-weights: {threshold: 0.1, min_models: 2}\n")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "config")
    (repo / "README.md").write_text("docs only\n")
    report = cli("scan", repo, "--diff-base", "HEAD", "--format", "json", "--fail-on", "never").json()
    assert _findings(report) == set()


def test_bad_reference_and_non_git_directory_are_usage_errors(cli, repo, project):
    run = cli("scan", repo, "--diff-base", "no-such-branch")
    assert run.code == 2 and "'no-such-branch' is not a commit" in run.stderr
    assert "Traceback" not in run.stderr
    run = cli("scan", project({"a.py": "x = 1\n"}), "--diff-base", "HEAD", "--offline")
    assert run.code == 2 and "needs a git work tree" in run.stderr


def test_a_changed_call_counts_although_the_id_is_written_on_an_unchanged_line(cli, repo):
    """The PR gate counts causes: `MODEL = "Qwen/..."` stays, the call that loads it gains
    trust_remote_code=True. The finding is new, and it names the call's line."""
    code = repo / "service.py"
    code.write_text('from transformers import AutoModel\n\nMODEL = "Qwen/Qwen2.5-7B-Instruct"\n\n'
                    'model = AutoModel.from_pretrained(\n    MODEL,\n    revision="main",\n)\n')
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "a service")
    code.write_text(code.read_text().replace('revision="main",', 'revision="main",\n    trust_remote_code=True,'))
    _git(repo, "commit", "-qam", "trust the remote code")
    run = cli("scan", repo, "--diff-base", "HEAD~1", "--format", "json")
    assert run.code == 1, run.stderr
    findings = _findings(run.json())
    assert ("trust-remote-code", "Qwen/Qwen2.5-7B-Instruct", (("service.py", 5),)) in findings
    assert all(f[1] == "Qwen/Qwen2.5-7B-Instruct" for f in findings), "only what the change caused"
    # Without the change, nothing is new.
    assert _findings(cli("scan", repo, "--diff-base", "HEAD", "--format", "json").json()) == set()
