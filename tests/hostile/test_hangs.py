"""Nothing hangs: rule-pack regular expressions, .gitignore files and special files cannot stall a scan.

Each scan that could hang runs in a child process with a watchdog, so a regression fails the test instead
of stalling the suite.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support.fakehub import model
from support.project import write_tree

LOAD = 'from transformers import AutoModel\nAutoModel.from_pretrained("{}")\n'


def _model_risk(*args: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None,
                timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "model_risk", *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, cwd=cwd, timeout=timeout)


def _pack(pattern: str) -> str:
    return json.dumps({"pack": "team", "version": 1, "rules": [{
        "code": "TEAM001", "name": "odd-license", "severity": "high", "scope": "model", "summary": "odd",
        "message": "{id} has an odd license name", "when": {"field": "license.name", "matches": pattern}}]})


def test_a_backtracking_pattern_runs_in_linear_time(tmp_path: Path, hub):
    """``(a|aa)+$`` against 'aaa...a!' takes Python's re longer than the age of the universe; RE2 is linear."""
    hub.models["acme/aaa"] = model("acme/aaa", license="other", card={"license_name": "a" * 200 + "!"})
    hub.models["acme/bbb"] = model("acme/bbb", license="other", card={"license_name": "a" * 200})
    root = write_tree(tmp_path / "p", {"app.py": LOAD.format("acme/aaa") + LOAD.format("acme/bbb").split("\n", 1)[1],
                                       "team.yaml": _pack("^(a|aa)+$"),
                                       ".model-risk.yaml": "rules:\n  extra-packs: [team.yaml]\n"})
    run = _model_risk("scan", root, "--format", "json", "--fail-on", "never", env={"HF_ENDPOINT": hub.url})
    assert run.returncode == 0, run.stderr
    flagged = [f["model"] for f in json.loads(run.stdout)["findings"] if f["rule"] == "odd-license"]
    assert flagged == ["acme/bbb"]


@pytest.mark.parametrize("pattern, why", [
    (r"(a)\1", "invalid escape sequence"),
    (r"(?=apache)", "invalid perl operator"),
    ("x" * 1001, "longer than 1000 characters"),
    (r"((a{100}){100}){100}", "invalid repetition size"),
])
def test_a_pattern_the_linear_engine_cannot_run_is_refused_naming_the_rule(cli, project, pattern, why):
    root = project({"team.yaml": _pack(pattern), ".model-risk.yaml": "rules:\n  extra-packs: [team.yaml]\n",
                    "app.py": "x = 1\n"})
    run = cli("scan", root, "--offline")
    assert run.code == 2, run.stderr
    assert "rule odd-license" in run.stderr and why in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1, run.stderr


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_huge_gitignore_costs_about_what_git_status_costs(tmp_path: Path):
    lines = [f"build-{i}/**/*.tmp{i}" for i in range(100_000)] + ["secret-dir/"]
    root = write_tree(tmp_path / "p", {".gitignore": "\n".join(lines) + "\n", "app.py": LOAD.format("acme/kept"),
                                       "secret-dir/app.py": LOAD.format("acme/ignored")})
    subprocess.run(["git", "-C", str(root), "init", "-q"], check=True)
    # pathspec took 32 s to compile this file and 40 ms per path to apply it; git takes about a second.
    run = _model_risk("scan", root, "--offline", "--format", "json", "--fail-on", "never", timeout=60)
    assert run.returncode == 0, run.stderr
    assert [r["model"] for r in json.loads(run.stdout)["references"]] == ["acme/kept"]


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_pattern_git_matches_slowly_is_cut_off_with_a_note(tmp_path: Path):
    """git 2.39 needs a minute for ``*a*a*a*a*a*a*a*b`` against a 60-character name, and longer than anyone
    waits for 200; after ten seconds model-risk stops it and applies the file with RE2 (linear)."""
    root = write_tree(tmp_path / "p", {".gitignore": "*a*a*a*a*a*a*a*b.py\n",
                                       ("a" * 200 + "b.py"): LOAD.format("acme/ignored"),
                                       ("a" * 200 + "c.py"): LOAD.format("acme/kept")})
    subprocess.run(["git", "-C", str(root), "init", "-q"], check=True)
    run = _model_risk("scan", root, "--offline", "--format", "json", "--fail-on", "never", timeout=60)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert [r["model"] for r in report["references"]] == ["acme/kept"]
    assert any("model-risk applied them itself" in n["message"] for n in report["notes"])


def test_a_pathological_exclude_pattern_is_instant_on_a_long_name(cli, project):
    root = project({".model-risk.yaml": "exclude: ['*a*a*a*a*a*a*a*b']\n", ("a" * 240 + ".py"): LOAD.format("acme/x")})
    run = cli("scan", root, "--offline", "--format", "json", "--fail-on", "never")
    assert run.code == 0, run.stderr
    assert [r["model"] for r in run.json()["references"]] == ["acme/x"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("what, args, expected", [
    ("config", ["scan", "--offline", "--config", "{fifo}"], "cannot read the config file: not a regular file"),
    ("lockfile", ["scan", "--offline"], "cannot read the lockfile: not a regular file"),
    ("baseline", ["scan", "--offline", "--baseline", "{fifo}"], "cannot read the baseline: not a regular file"),
    ("rule pack", ["scan", "--offline"], "cannot read rule pack: not a regular file"),
    ("saved report", ["report", "{fifo}"], "cannot read the report: not a regular file"),
])
def test_a_fifo_where_a_file_belongs_is_a_one_line_error(tmp_path: Path, what, args, expected):
    root = write_tree(tmp_path / "p", {"app.py": "x = 1\n"})
    fifo = root / ("model-risk.lock" if what == "lockfile" else "special")
    os.mkfifo(fifo)
    if what == "rule pack":
        (root / ".model-risk.yaml").write_text("rules:\n  extra-packs: [special]\n")
    run = _model_risk(*[a.format(fifo=fifo) for a in args], cwd=root, timeout=60)
    assert run.returncode == 2, run.stderr
    assert expected in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1, run.stderr


def test_a_device_as_lockfile_is_refused(cli, project):
    root = project({"app.py": "x = 1\n", ".model-risk.yaml": "lockfile: /dev/zero\n"})
    run = cli("scan", root, "--offline")
    assert run.code == 2
    assert "lockfile" in run.stderr
