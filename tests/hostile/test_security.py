"""Security properties: untrusted Hub text cannot drive the terminal, reports write only where asked,
and lockfile and cache writes are atomic."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.fakehub import model
from support.project import write_tree

HOSTILE_NAME = "evil\x1b]0;pwned\x07\x1b[2J\x1b[31mred\x1b[0m\rOVERWRITE\x08"


def _tree_snapshot(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def test_terminal_output_strips_escape_sequences_from_hub_text(cli, hub, project):
    hub.models["acme/evil"] = model("acme/evil", license="other", card={"license_name": HOSTILE_NAME})
    root = project({"app.py": 'from transformers import AutoModel\nAutoModel.from_pretrained("acme/evil")\n'})
    run = cli("scan", root, "--no-color", "--fail-on", "never")
    assert "evil" in run.stdout
    for control in ("\x1b", "\x07", "\r", "\x08"):
        assert control not in run.stdout + run.stderr
    explained = cli("explain", "acme/evil")
    assert "\x1b" not in explained.stdout and "\x07" not in explained.stdout


def test_a_report_writes_nothing_outside_its_output(cli, hub, project, tmp_path: Path, cache_dir: Path):
    root = project({"app.py": 'from transformers import AutoModel\nAutoModel.from_pretrained("gpt2")\n'})
    out_dir = tmp_path / "reports"
    out_dir.mkdir()
    before_root, before_out = _tree_snapshot(root), _tree_snapshot(out_dir)
    run = cli("scan", root, "--format", "json", "--output", out_dir / "r.json", "--fail-on", "never", cwd=root)
    assert run.code == 0, run.stderr
    assert _tree_snapshot(root) == before_root
    assert _tree_snapshot(out_dir) == before_out | {"r.json"}
    assert not list(out_dir.glob(".*.tmp"))


_CRASH_DURING_LOCK_WRITE = """
import os
_real_fsync = os.fsync
def _fsync(fd):
    if ".model-risk.lock." in os.readlink(f"/proc/self/fd/{fd}"):
        os._exit(9)  # the process dies with the new lockfile written to a temporary file, not renamed
    _real_fsync(fd)
os.fsync = _fsync
"""


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to tell the files apart")
def test_a_crash_while_writing_the_lockfile_keeps_the_old_one(hub, tmp_path: Path):
    root = write_tree(tmp_path / "p", {
        "app.py": 'from transformers import AutoModel\nAutoModel.from_pretrained("Qwen/Qwen2.5-7B-Instruct")\n'})
    env = {**os.environ, "MODEL_RISK_CACHE_DIR": str(tmp_path / "cache")}
    subprocess.run([sys.executable, "-m", "model_risk", "lock", str(root)], check=True, env=env,
                   capture_output=True)
    lockfile = root / "model-risk.lock"
    before = lockfile.read_bytes()
    (root / "app.py").write_text((root / "app.py").read_text() + 'AutoModel.from_pretrained("gpt2")\n')
    crash = write_tree(tmp_path / "crash", {"sitecustomize.py": _CRASH_DURING_LOCK_WRITE})
    proc = subprocess.run([sys.executable, "-m", "model_risk", "lock", str(root)], capture_output=True,
                          env={**env, "PYTHONPATH": str(crash)})
    assert proc.returncode == 9
    assert lockfile.read_bytes() == before
    json.loads(before)  # still a whole, valid lockfile
    cached = list((tmp_path / "cache").rglob("*.json"))
    assert len(cached) >= 2  # the cache entries written before the crash are whole too
    for entry in cached:
        json.loads(entry.read_text())
