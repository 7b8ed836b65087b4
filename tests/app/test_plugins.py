"""A third-party plugin, installed as its own package, adds a detector and a report format."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.project import REPO, write_tree


@pytest.fixture(scope="module")
def plugin_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """examples/plugin installed (really built and installed by pip) into a directory of its own."""
    target = tmp_path_factory.mktemp("site")
    build = tmp_path_factory.mktemp("build")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--no-index", "--target", str(target), str(REPO / "examples" / "plugin")],
        check=True, capture_output=True, text=True, env={**os.environ, "TMPDIR": str(build)},
    )
    assert any(p.name.startswith("model_risk_modelfile") and p.suffix == ".dist-info" for p in target.iterdir())
    return target


def _model_risk(*args: str, site: Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site)}
    return subprocess.run([sys.executable, "-m", "model_risk", *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=120)


def test_plugin_is_listed(plugin_site: Path):
    proc = _model_risk("plugins", site=plugin_site)
    assert proc.returncode == 0, proc.stderr
    assert "modelfile  (model-risk-modelfile 0.1.0): register_detectors, register_reporters" in proc.stdout
    assert "ollama-modelfile" in proc.stdout and "csv" in proc.stdout


def test_plugin_detector_and_reporter_work_in_a_scan(plugin_site: Path, tmp_path: Path):
    root = write_tree(tmp_path / "proj", {
        "Modelfile": "FROM hf.co/bartowski/Qwen2.5-7B-Instruct-GGUF:Q4_K_M\nPARAMETER temperature 0.2\n",
        "app.py": 'from transformers import AutoModel\nAutoModel.from_pretrained("Qwen/Qwen2.5-7B-Instruct")\n',
    })
    proc = _model_risk("scan", str(root), "--offline", "--format", "json", "--fail-on", "never", site=plugin_site)
    assert proc.returncode == 0, proc.stderr
    import json

    refs = {(r["model"], r["path"], r["line"], r["column"], r["detector"]) for r in json.loads(proc.stdout)["references"]}
    assert ("bartowski/Qwen2.5-7B-Instruct-GGUF", "Modelfile", 1, 12, "ollama-modelfile") in refs
    csv_proc = _model_risk("scan", str(root), "--offline", "--format", "csv", "--fail-on", "never", site=plugin_site)
    lines = csv_proc.stdout.splitlines()
    assert lines[0] == "model,status,license,osi,commercial,vendor,root_vendor"
    assert any(line.startswith("bartowski/Qwen2.5-7B-Instruct-GGUF,unresolved") for line in lines)


def test_a_broken_plugin_is_one_clear_error(tmp_path: Path):
    site = write_tree(tmp_path / "site", {
        "broken_plugin.py": "raise ImportError('needs a library that is not installed')\n",
        "broken_plugin-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: broken-plugin\nVersion: 1.0\n",
        "broken_plugin-1.0.dist-info/entry_points.txt": "[model_risk]\nbroken = broken_plugin\n",
    })
    proc = _model_risk("rules", site=site)
    assert proc.returncode == 2
    assert proc.stderr.strip() == ("model-risk: error: plugin 'broken' (broken_plugin) failed to load: "
                                   "ImportError: needs a library that is not installed")
