"""Scans sharing one MODEL_RISK_CACHE_DIR at once: no corrupted or lost entry, one Hub request per model.

Eight real ``model-risk scan`` processes start together against the stand-in Hub, which answers slowly
enough that they all miss the cache at the same time. Without the per-model lock each of them would
ask the Hub for every model (eight requests per model); with it, one asks and seven read its answer.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from support.project import write_tree
from support.scanning import FAST_HUB, loader

SCANS = 8
#: Models the project loads; the GGUF quantisation's lineage adds its bases (Qwen2.5-7B-Instruct, Qwen2.5-7B).
MODELS = ["google-bert/bert-base-uncased", "bartowski/Qwen2.5-7B-Instruct-GGUF", "meta-llama/Llama-3.1-8B-Instruct",
          "microsoft/phi-4", "BAAI/bge-m3", "openai-community/gpt2", "acme-missing/no-such-model"]


def test_eight_concurrent_scans_share_one_cache(tmp_path: Path, hub, cache_dir: Path):
    hub.latency = 0.3  # every answer takes a while: the scans overlap while they wait
    root = write_tree(tmp_path / "project", {"app.py": loader(*MODELS),
                                             ".model-risk.yaml": FAST_HUB.replace("deadline: 20", "deadline: 60")})
    env = {**os.environ, "HF_ENDPOINT": hub.url, "MODEL_RISK_CACHE_DIR": str(cache_dir)}
    processes = [
        subprocess.Popen([sys.executable, "-m", "model_risk", "scan", str(root), "--format", "json", "--no-drift",
                          "--fail-on", "never"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(SCANS)]
    outputs = [p.communicate(timeout=240) for p in processes]
    assert [p.returncode for p in processes] == [0] * SCANS, [err for _, err in outputs]
    reports = [json.loads(out) for out, _ in outputs]

    # one request per model (and per base model found through lineage), not one per scan
    requested = hub.model_requests()
    lookups = {path.split("?")[0] for path in requested}
    assert len(requested) == len(lookups), sorted(requested)
    assert {f"/api/models/{m}" for m in MODELS} <= lookups
    assert "/api/models/Qwen/Qwen2.5-7B" in lookups  # the lineage root, fetched once too

    # every scan saw the same facts, whether it fetched them or read another scan's answer
    facts = [{m["id"]: (m["status"], m["sha"], m["lineage"]) for m in r["models"]} for r in reports]
    assert all(f == facts[0] for f in facts)
    assert facts[0]["acme-missing/no-such-model"][0] == "not-found"
    sources = sorted(m["source"] for r in reports for m in r["models"] if m["id"] == "microsoft/phi-4")
    assert sources.count("hub") == 1 and sources.count("cache") == SCANS - 1

    # one complete, readable entry per lookup; nothing half-written left behind
    entries = sorted((cache_dir / "models").rglob("*.json"))
    assert len(entries) == len(lookups)
    for entry in entries:
        data = json.loads(entry.read_text(encoding="utf-8"))
        assert data["version"] == 1 and data["record"]["status"] in ("resolved", "not-found")
    assert {json.loads(e.read_text(encoding="utf-8"))["request"]["id"] for e in entries} == {
        p.removeprefix("/api/models/") for p in lookups}
    assert not [p for p in (cache_dir / "models").rglob("*") if p.name.endswith(".tmp")]

    # a later scan, alone, asks the Hub nothing
    hub.reset_log()
    again = subprocess.run([sys.executable, "-m", "model_risk", "scan", str(root), "--format", "json", "--no-drift",
                            "--fail-on", "never"], env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert hub.model_requests() == []
