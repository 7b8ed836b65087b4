"""A repository cannot switch the pre-commit gate off by committing a file whose name looks like an option.

pre-commit appends file names after the hook's entry; the hooks end their options with ``--``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support.fakehub import model
from support.project import REPO, write_tree

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")

OPTION_NAMES = ["--fail-on=never", "--offline", "--format=json", "--output=hijacked.txt"]


def test_a_file_named_like_an_option_is_a_file_and_the_gate_still_fails(tmp_path: Path, hub):
    hub.models["acme/research-only"] = model("acme/research-only", license="cc-by-nc-4.0")
    root = write_tree(tmp_path / "project", {
        "risky.py": 'from transformers import AutoModel\nAutoModel.from_pretrained("acme/research-only")\n',
        **{name: "" for name in OPTION_NAMES},
    })
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "home"), "PRE_COMMIT_COLOR": "never",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    for args in (["init", "-q"], ["add", "-A"]):
        subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)
    run = subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "model-risk", "--verbose",
                          "--all-files"], cwd=root, capture_output=True, text=True, env=env, timeout=900)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Failed" in run.stdout and "non-commercial-license" in run.stdout, run.stdout
    assert not (root / "hijacked.txt").exists()


def test_an_option_after_the_double_dash_is_named_as_a_missing_file(cli, project):
    root = project({"app.py": "x = 1\n"})
    run = cli("scan", "--offline", "--", "--fail-on", "never", cwd=root)
    assert run.code == 2
    assert "no such file or directory: --fail-on (arguments after `--` are paths" in run.stderr
