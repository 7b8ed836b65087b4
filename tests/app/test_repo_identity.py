"""Each report says which repository it is: scan.repository, remote_url, commit and branch."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from support.project import validate_report, write_tree

from model_risk.app.repo_identity import name_from_remote, strip_credentials

GITHUB_VARIABLES = ("GITHUB_ACTIONS", "GITHUB_REPOSITORY", "GITHUB_SHA", "GITHUB_REF_NAME", "GITHUB_WORKSPACE",
                    "GITHUB_SERVER_URL")


@pytest.fixture(autouse=True)
def not_in_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    """The suite itself may run in GitHub Actions: its variables must not leak into these scans."""
    for name in GITHUB_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def git(cwd: Path, *args: str) -> str:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "HOME": str(cwd), "PATH": "/usr/bin:/bin"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True,
                          text=True).stdout.strip()


def repository(root: Path, remote: str | None = None) -> str:
    write_tree(root, {"app.py": 'from transformers import AutoModel\nAutoModel.from_pretrained("gpt2")\n'})
    git(root, "init", "-q", "-b", "trunk")
    if remote:
        git(root, "remote", "add", "origin", remote)
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "first")
    return git(root, "rev-parse", "HEAD")


def scan_info(cli, root: Path) -> dict:
    run = cli("scan", root, "--offline", "--format", "json", "--fail-on", "never")
    assert run.code == 0, run.stderr
    document = run.json()
    validate_report(document)
    return document["scan"]


def test_git_work_tree_names_remote_commit_and_branch_without_credentials(cli, tmp_path: Path):
    root = tmp_path / "checkout"
    sha = repository(root, "https://x-access-token:ghs_secret123@github.com/acme/widgets.git")
    info = scan_info(cli, root)
    assert info["repository"] == "acme/widgets"
    assert info["remote_url"] == "https://github.com/acme/widgets.git"
    assert info["commit"] == sha
    assert info["branch"] == "trunk"
    assert "ghs_secret123" not in cli("scan", root, "--offline", "--format", "json", "--fail-on", "never").stdout


def test_detached_head_has_a_commit_and_no_branch(cli, tmp_path: Path):
    root = tmp_path / "checkout"
    sha = repository(root, "git@gitlab.example.com:platform/ml/serving.git")
    git(root, "checkout", "-q", "--detach")
    git(root, "pack-refs", "--all")  # the sha now lives in packed-refs only
    info = scan_info(cli, root)
    assert (info["repository"], info["commit"], info["branch"]) == ("platform/ml/serving", sha, None)
    assert info["remote_url"] == "git@gitlab.example.com:platform/ml/serving.git"


def test_without_remote_or_git_the_scan_root_folder_names_it(cli, tmp_path: Path):
    root = tmp_path / "no-remote"
    sha = repository(root)
    info = scan_info(cli, root)
    assert (info["repository"], info["remote_url"], info["commit"]) == ("no-remote", None, sha)
    plain = write_tree(tmp_path / "plain-folder", {"a.py": "x = 1\n"})
    info = scan_info(cli, plain)
    assert info["repository"] == "plain-folder"
    assert info["remote_url"] is info["commit"] is info["branch"] is None


def test_linked_work_tree(cli, tmp_path: Path):
    root = tmp_path / "main"
    repository(root, "https://github.com/acme/widgets")
    git(root, "worktree", "add", "-q", "-b", "feature", str(tmp_path / "feature"))
    info = scan_info(cli, tmp_path / "feature")
    assert (info["repository"], info["branch"]) == ("acme/widgets", "feature")
    assert info["commit"] == git(root, "rev-parse", "HEAD")


def test_github_actions_variables_win_for_the_workflow_checkout_only(cli, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch):
    workspace = tmp_path / "workspace"
    repository(workspace, "https://github.com/acme/local-name")
    other = tmp_path / "workspace" / "targets" / "other"
    other_sha = repository(other, "https://github.com/acme/other")
    for name, value in {"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "acme/audit", "GITHUB_REF_NAME": "pr/7",
                        "GITHUB_SHA": "f" * 40, "GITHUB_WORKSPACE": str(workspace)}.items():
        monkeypatch.setenv(name, value)
    info = scan_info(cli, workspace)
    assert info == {**info, "repository": "acme/audit", "remote_url": "https://github.com/acme/audit",
                    "commit": "f" * 40, "branch": "pr/7"}
    # a fan-out job checks other repositories out below the workspace: they keep their own identity
    info = scan_info(cli, other)
    assert (info["repository"], info["commit"]) == ("acme/other", other_sha)


@pytest.mark.parametrize(("url", "stripped", "name"), [
    ("https://user:pa%40ss@github.com/o/r.git", "https://github.com/o/r.git", "o/r"),
    ("https://TOKEN@github.com:8443/o/r/", "https://github.com:8443/o/r/", "o/r"),
    ("ssh://git@[::1]:22/srv/o/r.git", "ssh://[::1]:22/srv/o/r.git", "srv/o/r"),
    ("git@github.com:o/r.git", "git@github.com:o/r.git", "o/r"),
    ("/srv/git/project.git", "/srv/git/project.git", "project"),
    ("file:///srv/git/project.git", "file:///srv/git/project.git", "project"),
])
def test_remote_urls(url: str, stripped: str, name: str):
    assert strip_credentials(url) == stripped
    assert name_from_remote(stripped) == name
