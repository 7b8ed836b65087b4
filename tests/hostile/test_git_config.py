"""A scanned repository's git configuration runs nothing: every git call on a scanned tree (the walk's
``ls-files``, ``scan --diff-base``'s ``rev-parse``, ``diff``, ``ls-files`` and ``archive``, the Action's
fetch of the base branch) goes through one helper (``common/git.py``) that turns off each setting that
names a program. One test per setting: each plants a program that leaves a mark, and checks that no mark
is left while the scan still gives the right answer."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from support.project import write_tree

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

LOAD = 'from transformers import AutoModel\nAutoModel.from_pretrained("{}")\n'
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.invalid"}


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env={**os.environ, **GIT_ENV})


def _program(tmp_path: Path, name: str) -> tuple[Path, Path]:
    """A program that leaves a mark when run, and passes its input through (a usable filter)."""
    marks = tmp_path / "marks"
    marks.mkdir(exist_ok=True)
    program = tmp_path / f"{name}.sh"
    program.write_text(f'#!/bin/sh\ntouch "{marks / name}"\nexec cat "$@" 2>/dev/null\n')
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    return program, marks / name


def _repository(tmp_path: Path, config: str, attributes: str = "") -> Path:
    """A repository with one commit, the given .gitattributes, a hostile .git/config section added
    after the commit, and a change in the working tree: acme/new is added to app.py."""
    root = write_tree(tmp_path / "repo", {"app.py": LOAD.format("acme/old"), ".gitattributes": attributes})
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "base")
    with open(root / ".git" / "config", "a", encoding="utf-8") as handle:
        handle.write(config)
    (root / "app.py").write_text(LOAD.format("acme/old") + LOAD.format("acme/new").split("\n", 1)[1])
    return root


def _diff_scan(cli, root: Path) -> dict:
    run = cli("scan", root, "--offline", "--diff-base", "main", "--format", "json", "--fail-on", "never")
    assert run.code == 0, run.stderr
    return run.json()


def _added(report: dict) -> set[str]:
    return {r["model"] for r in report["references"]}


def test_core_fsmonitor_is_not_run(cli, tmp_path: Path):
    program, mark = _program(tmp_path, "fsmonitor")
    root = _repository(tmp_path, f"[core]\n\tfsmonitor = {program}\n")
    assert _added(_diff_scan(cli, root)) == {"acme/old", "acme/new"}
    assert not mark.exists()


@pytest.mark.parametrize("driver, attributes", [
    ('[filter "evil"]\n\tclean = {program}\n', "*.py filter=evil\n"),
    ('[filter "evil"]\n\tsmudge = {program}\n', "*.py filter=evil\n"),  # git archive smudges
    ('[filter "evil"]\n\tprocess = {program}\n', "*.py filter=evil\n"),
    # required: git would stop when the filter does not run; it is turned off with the program
    ('[filter "evil"]\n\tclean = {program}\n\trequired = true\n', "*.py filter=evil\n"),
    # ``-c filter.a=b.clean=`` would set ``filter.a``: the helper passes settings in the environment
    ('[filter "a=b"]\n\tclean = {program}\n', "*.py filter=a=b\n"),
], ids=["clean", "smudge", "process", "required", "name with ="])
def test_filter_drivers_are_not_run(cli, tmp_path: Path, driver: str, attributes: str):
    program, mark = _program(tmp_path, "filter")
    root = _repository(tmp_path, driver.format(program=program), attributes)
    assert _added(_diff_scan(cli, root)) == {"acme/old", "acme/new"}
    assert not mark.exists()


def test_textconv_drivers_are_not_run(cli, tmp_path: Path):
    program, mark = _program(tmp_path, "textconv")
    root = _repository(tmp_path, f'[diff "evil"]\n\ttextconv = {program}\n', "*.py diff=evil\n")
    report = _diff_scan(cli, root)
    assert not mark.exists()
    assert report["references"]


@pytest.mark.parametrize("config, attributes", [
    ("[diff]\n\texternal = {program}\n", ""),
    ('[diff "evil"]\n\tcommand = {program}\n', "*.py diff=evil\n"),
], ids=["diff.external", "diff.driver.command"])
def test_external_diff_programs_are_not_run(cli, tmp_path: Path, config: str, attributes: str):
    program, mark = _program(tmp_path, "external")
    root = _repository(tmp_path, config.format(program=program), attributes)
    _diff_scan(cli, root)
    assert not mark.exists()


def test_settings_from_an_included_file_are_not_run(cli, tmp_path: Path):
    program, mark = _program(tmp_path, "included")
    included = tmp_path / "included.gitconfig"
    included.write_text(f'[filter "inc"]\n\tclean = {program}\n[core]\n\tfsmonitor = {program}\n')
    root = _repository(tmp_path, f"[include]\n\tpath = {included}\n", "*.py filter=inc\n")
    assert "acme/new" in _added(_diff_scan(cli, root))
    assert not mark.exists()


def test_the_walk_runs_no_fsmonitor_or_filter(cli, tmp_path: Path):
    program, mark = _program(tmp_path, "walk")
    root = _repository(tmp_path, f'[core]\n\tfsmonitor = {program}\n[filter "evil"]\n\tclean = {program}\n',
                       "*.py filter=evil\n")
    run = cli("scan", root, "--offline", "--format", "json", "--fail-on", "never")
    assert run.code == 0, run.stderr
    assert not mark.exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_the_system_git_config_is_not_read(tmp_path: Path):
    """GIT_CONFIG_NOSYSTEM: a machine-wide config (here a FIFO, which git would wait on for ever) plays no
    part in a scan's git calls."""
    root = _repository(tmp_path, "")
    fifo = tmp_path / "system.gitconfig"
    os.mkfifo(fifo)
    run = subprocess.run([sys.executable, "-m", "model_risk", "scan", str(root), "--offline", "--diff-base", "main",
                          "--fail-on", "never"], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "GIT_CONFIG_SYSTEM": str(fifo)})
    assert run.returncode == 0, run.stderr


def test_hooks_are_not_run(tmp_path: Path):
    """core.hooksPath points nowhere: a commit made through the helper (model-risk makes none) runs no
    pre-commit hook; git runs hooks on its own in fetch and index updates."""
    from model_risk.common.git import run_git

    program, mark = _program(tmp_path, "hook")
    root = _repository(tmp_path, f"[core]\n\thooksPath = {program.parent / 'hooks'}\n")
    (program.parent / "hooks").mkdir()
    shutil.copy(program, program.parent / "hooks" / "pre-commit")
    done = run_git(root, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qam", "x",
                   timeout=30)
    assert done.returncode == 0, done.stderr
    assert not mark.exists()


def test_the_pager_is_cat(tmp_path: Path):
    from model_risk.common.git import run_git

    program, _ = _program(tmp_path, "pager")
    root = _repository(tmp_path, f"[core]\n\tpager = {program}\n")
    assert run_git(root, "var", "GIT_PAGER", timeout=30).stdout.strip() == b"cat"


def test_the_actions_fetch_speaks_only_https_and_runs_no_hook(tmp_path: Path):
    """The Action fetches the pull request's base branch when the checkout lacks it. Through the helper,
    a remote on another transport (here a local path) is refused, so no hook of the checkout runs."""
    upstream = write_tree(tmp_path / "upstream", {"app.py": LOAD.format("acme/old")})
    _git(upstream, "init", "-q", "-b", "main")
    _git(upstream, "add", "-A")
    _git(upstream, "commit", "-qm", "base")
    _git(upstream, "checkout", "-qb", "release")
    checkout = tmp_path / "checkout"
    _git(tmp_path, "clone", "-q", "--single-branch", "--branch", "main", str(upstream), str(checkout))
    program, mark = _program(tmp_path, "reference-transaction")
    hooks = checkout / ".git" / "hooks"
    shutil.copy(program, hooks / "reference-transaction")
    env = {**os.environ, "GITHUB_EVENT_NAME": "pull_request", "GITHUB_BASE_REF": "release",
           "MR_OFFLINE": "true", "MR_FORMATS": "json", "GITHUB_OUTPUT": str(tmp_path / "out")}
    run = subprocess.run([sys.executable, "-m", "model_risk.github_action", "scan"], cwd=checkout, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "could not fetch the base branch release" in run.stdout
    assert not mark.exists()
