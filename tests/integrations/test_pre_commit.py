"""The real pre-commit framework runs this repository's hooks on a temporary git repository.

pre-commit builds the hook's environment with ``pip install .`` of this repository (it may fetch
dependencies from the package registry); the models come from the stand-in Hub.
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

SHA = "1c7aa6e0b97e7d18a3e1e8e4a5d9f8b9c0d1e2f3"


def _git(root: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)


def _try_repo(root: Path, home: Path, *files: str) -> subprocess.CompletedProcess[str]:
    """Both hooks of this repository on ``files``. try-repo builds a fresh hook environment each run
    (about 15 s), so the test makes two runs and checks both hooks in each."""
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "--verbose", "--files", *files],
        cwd=root, capture_output=True, text=True, env=env, timeout=900,
    )


def test_hooks_pass_a_clean_locked_reference_and_block_a_non_commercial_unlocked_one(tmp_path, hub):
    hub.models["acme/permissive"] = model("acme/permissive", license="apache-2.0", sha=SHA)
    hub.models["acme/research-only"] = model("acme/research-only", license="cc-by-nc-4.0", sha=SHA)
    root = write_tree(tmp_path / "project", {
        "clean.py": f'from transformers import AutoModel\n'
                    f'AutoModel.from_pretrained("acme/permissive", revision="{SHA}")\n',
    })
    subprocess.run([sys.executable, "-m", "model_risk", "lock", str(root)], check=True, capture_output=True)
    _git(root, "init", "-q")
    _git(root, "add", "-A")

    clean = _try_repo(root, tmp_path / "home", "clean.py")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert clean.stdout.count("Passed") == 2, clean.stdout

    (root / "risky.py").write_text(f'from transformers import AutoModel\n'
                                   f'AutoModel.from_pretrained("acme/research-only", revision="{SHA}")\n')
    _git(root, "add", "-A")
    risky = _try_repo(root, tmp_path / "home2", "risky.py")
    assert risky.returncode == 1, risky.stdout + risky.stderr
    assert risky.stdout.count("Failed") == 2, risky.stdout
    assert "non-commercial-license" in risky.stdout and "acme/research-only" in risky.stdout
    assert "not locked: acme/research-only" in risky.stdout
    print(risky.stdout)  # what a developer sees, shown with pytest -s
