"""Resolution speed: 300 distinct models behind a Hub that takes 100 ms per request.

``model-risk scan`` runs in a subprocess, as users run it, against the stand-in Hub (tests/fakehub.py)
with a fresh cache each time. One model in five is a fine-tune of one of 20 base models, so lineage adds
lookups that can only start once their child is answered. Looking the models up one at a time would
take at least 300 x 100 ms = 30 s; the target is 3 s.

Measured: the median of three scans. Baseline: the same scan with ``hub: concurrency: 1`` on 30 of the
models, its time per lookup (after start-up) scaled to all the lookups of the full scan.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from run import Row
from support.fakehub import FakeHub, model

MODELS = 300
BASES = 20
LATENCY = 0.1
TARGET_SECONDS = 3.0
RUNS = 3
BASELINE_SAMPLE = 30


def synthetic_models() -> tuple[list[str], list[dict]]:
    bases = [f"base-lab/base-{i:02d}" for i in range(BASES)]
    entries = [model(b, license="apache-2.0") for b in bases]
    names = []
    for i in range(MODELS):
        name = f"org-{i % 37:02d}/model-{i:03d}"
        base = bases[(i // 5) % BASES] if i % 5 == 0 else None
        entries.append(model(name, license="mit", base_model=base, sha=f"{i:040x}"))
        names.append(name)
    return names, entries


def write_project(root: Path, names: list[str], config: str = "") -> Path:
    root.mkdir()
    lines = ["from transformers import AutoModel"] + [f'AutoModel.from_pretrained("{n}")' for n in names]
    (root / "app.py").write_text("\n".join(lines) + "\n")
    if config:
        (root / ".model-risk.yaml").write_text(config)
    return root


def timed_scan(project: Path, hub: FakeHub, work: Path) -> tuple[float, int, dict]:
    """(seconds, Hub lookups, JSON report) of one scan in a fresh process with a fresh cache."""
    env = {**os.environ, "HF_ENDPOINT": hub.url, "MODEL_RISK_CACHE_DIR": tempfile.mkdtemp(dir=work),
           "HF_HOME": str(work / "hf"), "HF_HUB_DISABLE_TELEMETRY": "1"}
    env.pop("HF_TOKEN", None)
    output = work / "report.json"
    hub.reset_log()
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "model_risk", "scan", str(project), "--format", "json",
                    "--output", str(output), "--fail-on", "never", "--quiet"], env=env, check=True)
    elapsed = time.perf_counter() - started
    return elapsed, len(hub.model_requests()), json.loads(output.read_text())


def run() -> list[Row]:
    names, entries = synthetic_models()
    with tempfile.TemporaryDirectory() as tmp, FakeHub({e["id"]: e for e in entries}, snapshot=False,
                                                       latency=LATENCY) as hub:
        work = Path(tmp)
        full = write_project(work / "full", names)
        times = []
        for _ in range(RUNS):
            elapsed, lookups, report = timed_scan(full, hub, work)
            times.append(elapsed)
            assert {m["status"] for m in report["models"]} == {"resolved"} and len(report["models"]) == MODELS
            assert {m["root_vendor"] for m in report["models"] if m["base_models"]} == {"base-lab"}

        startup, _, _ = timed_scan(write_project(work / "empty", []), hub, work)
        one_at_a_time = write_project(work / "sample", names[:BASELINE_SAMPLE], "hub:\n  concurrency: 1\n")
        sequential, sample_lookups, _ = timed_scan(one_at_a_time, hub, work)
        baseline = startup + (sequential - startup) / sample_lookups * lookups
    measured = statistics.median(times)
    return [Row(
        benchmark=f"resolve {MODELS} models ({lookups} lookups), Hub at {LATENCY * 1000:.0f} ms/request",
        measured=f"{measured:.2f} s (median of {RUNS}: {', '.join(f'{t:.2f}' for t in times)})",
        baseline=f"{baseline:.1f} s (one at a time)",
        ratio=f"{baseline / measured:.1f}x",
        target=f"<= {TARGET_SECONDS:.0f} s",
        ok=measured <= TARGET_SECONDS,
    )]
