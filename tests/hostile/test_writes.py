"""Writes stay where they belong, and never replace what is not a regular file.

Reports go through device files, FIFOs and symlinks instead of renaming over them; the lockfile and
baseline a repository's config names stay inside the project; what an interrupted write leaves behind is
git-ignored, recognisable, and cleaned by the next run.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from support.project import write_tree

LOAD = 'from transformers import AutoModel\nAutoModel.from_pretrained("{}")\n'


def _null_device(path: Path) -> Path:
    """A private /dev/null (same device numbers): the test never touches the machine's own."""
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, AttributeError, OSError):
        pytest.skip("needs mknod (root)")
    return path


def test_output_to_a_null_device_writes_through_and_leaves_it_a_device(cli, project, tmp_path: Path):
    root = project({"app.py": LOAD.format("acme/x")})
    null = _null_device(tmp_path / "null")
    run = cli("scan", root, "--offline", "--format", "json", "--output", null, "--fail-on", "never")
    assert run.code == 0, run.stderr
    assert stat.S_ISCHR(os.stat(null).st_mode)
    assert not (tmp_path / ".model-risk-tmp").exists()


def test_output_to_dev_stdout_writes_through(tmp_path: Path):
    root = write_tree(tmp_path / "p", {"app.py": LOAD.format("acme/x")})
    run = subprocess.run([sys.executable, "-m", "model_risk", "scan", str(root), "--offline", "--format", "json",
                          "--output", "/dev/stdout", "--fail-on", "never"], capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["references"][0]["model"] == "acme/x"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_output_to_a_fifo_reaches_its_reader_or_is_an_error_without_one(cli, project, tmp_path: Path):
    root = project({"app.py": LOAD.format("acme/x")})
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    no_reader = cli("scan", root, "--offline", "--format", "json", "--output", fifo, "--fail-on", "never")
    assert no_reader.code == 2
    assert "a FIFO with no reader" in no_reader.stderr
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    try:
        for _ in range(100):  # until the reader has opened its end
            run = cli("scan", root, "--offline", "--format", "json", "--output", fifo, "--fail-on", "never")
            if run.code == 0:
                break
    finally:
        reader.join(timeout=30)
    assert run.code == 0, run.stderr
    assert json.loads(received[0])["references"][0]["model"] == "acme/x"
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_output_to_a_symlink_updates_its_target_and_keeps_the_link(cli, project, tmp_path: Path):
    root = project({"app.py": LOAD.format("acme/x")})
    target = tmp_path / "reports" / "real.json"
    target.parent.mkdir()
    target.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    run = cli("scan", root, "--offline", "--format", "json", "--output", link, "--fail-on", "never")
    assert run.code == 0, run.stderr
    assert link.is_symlink()
    assert json.loads(target.read_text())["references"][0]["model"] == "acme/x"


@pytest.mark.parametrize("setting", ["lockfile: ../../stolen.lock", "lockfile: /tmp/stolen.lock",
                                     "baseline: ../outside.json", "lockfile: link/model-risk.lock"])
def test_a_repository_config_cannot_point_writes_outside_the_project(cli, project, tmp_path: Path, setting):
    root = project({"app.py": LOAD.format("acme/x"), ".model-risk.yaml": setting + "\n"})
    (tmp_path / "elsewhere").mkdir()
    (root / "link").symlink_to(tmp_path / "elsewhere")
    for command in (["lock", str(root), "--offline"], ["baseline", str(root), "--offline"]):
        run = cli(*command)
        assert run.code == 2, run.stderr
        assert "is outside the project" in run.stderr and ".model-risk.yaml:1:" in run.stderr
    assert not list((tmp_path / "elsewhere").iterdir()) and not Path("/tmp/stolen.lock").exists()


_CRASH_DURING_WRITE = """
import os
_real_fsync = os.fsync
def _fsync(fd):
    if ".model-risk.lock." in os.readlink(f"/proc/self/fd/{fd}"):
        os._exit(9)
    _real_fsync(fd)
os.fsync = _fsync
"""


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir() or shutil.which("git") is None, reason="needs /proc, git")
def test_an_interrupted_write_leaves_a_git_ignored_temp_file_that_the_next_run_removes(tmp_path: Path, hub):
    root = write_tree(tmp_path / "p", {"app.py": LOAD.format("gpt2")})
    subprocess.run(["git", "-C", str(root), "init", "-q"], check=True)
    env = {**os.environ, "MODEL_RISK_CACHE_DIR": str(tmp_path / "cache")}
    crash = write_tree(tmp_path / "crash", {"sitecustomize.py": _CRASH_DURING_WRITE})
    killed = subprocess.run([sys.executable, "-m", "model_risk", "lock", str(root)], capture_output=True,
                            env={**env, "PYTHONPATH": str(crash)}, timeout=120)
    assert killed.returncode == 9
    left = list((root / ".model-risk-tmp").glob(".model-risk.lock.*.tmp"))
    assert len(left) == 1  # recognisable: which file, which process
    status = subprocess.run(["git", "-C", str(root), "status", "--porcelain"], capture_output=True, text=True)
    assert ".model-risk-tmp" not in status.stdout and "app.py" in status.stdout
    again = subprocess.run([sys.executable, "-m", "model_risk", "lock", str(root)], capture_output=True, env=env,
                           timeout=120)
    assert again.returncode == 0, again.stderr
    assert not (root / ".model-risk-tmp").exists()
    assert json.loads((root / "model-risk.lock").read_text())["models"]


_CRASH_DURING_CACHE_WRITE = """
import os
_real_replace = os.replace
def _replace(src, dst, *args, **kwargs):
    if "/models/" in str(dst):
        os._exit(9)  # the cache entry is written to its temporary file, not renamed
    return _real_replace(src, dst, *args, **kwargs)
os.replace = _replace
"""


def test_an_interrupted_cache_write_is_cleaned_by_the_next_run(tmp_path: Path, hub):
    root = write_tree(tmp_path / "p", {"app.py": LOAD.format("gpt2")})
    cache = tmp_path / "cache"
    env = {**os.environ, "MODEL_RISK_CACHE_DIR": str(cache)}
    crash = write_tree(tmp_path / "crash", {"sitecustomize.py": _CRASH_DURING_CACHE_WRITE})
    killed = subprocess.run([sys.executable, "-m", "model_risk", "scan", str(root), "--fail-on", "never"],
                            capture_output=True, env={**env, "PYTHONPATH": str(crash)}, timeout=120)
    assert killed.returncode == 9
    assert list((cache / ".model-risk-tmp").glob("*.tmp"))
    again = subprocess.run([sys.executable, "-m", "model_risk", "scan", str(root), "--fail-on", "never"],
                           capture_output=True, env=env, timeout=120)
    assert again.returncode == 0, again.stderr
    assert not list((cache / ".model-risk-tmp").glob("*.tmp"))
    assert list((cache / "models").rglob("*.json"))
