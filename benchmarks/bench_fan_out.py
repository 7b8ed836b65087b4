"""A hostile Hub's lineage fan-out, at full scale: online, then offline from the cache it filled.

The stand-in Hub answers ``fan/root`` and every model below it with 200 base models, 8 generations deep
(the red-team case of issue 24: 34,652 lookups, 264 s against the 120 s deadline, 4.8 GB, a 415 MB cache;
the offline re-scan did not finish in 180 s). Each scan runs in a child process measured with
``resource``: wall time, peak memory, the Hub's request count and the cache's size.

    python benchmarks/run.py fan_out
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from run import Row

WIDTH, DEPTH = 200, 8
#: The scan's deadline (hub.deadline's default) and the memory bound of issue 24.
DEADLINE = 120.0
MEMORY_TARGET_MB = 500


def _cache_mb(directory: Path) -> float:
    return sum(p.stat().st_size for p in directory.rglob("*") if p.is_file()) / 1e6


def run() -> list[Row]:
    from support.fakehub import FakeHub
    from support.measure import measured_run

    rows = []
    with tempfile.TemporaryDirectory(prefix="model-risk-fan-out-") as tmp_name, FakeHub(snapshot=False) as hub:
        tmp = Path(tmp_name)
        hub.fan_out("fan/root", WIDTH, DEPTH, license="apache-2.0")
        project = tmp / "project"
        project.mkdir()
        (project / "app.py").write_text('from transformers import AutoModel\n'
                                        'AutoModel.from_pretrained("fan/root")\n')
        env = {"HF_ENDPOINT": hub.url, "MODEL_RISK_CACHE_DIR": str(tmp / "cache"), "HF_HOME": str(tmp / "hf")}
        for mode in ("online", "offline"):
            hub.reset_log()
            started = time.perf_counter()
            run = measured_run("scan", project, "--format", "json", "--fail-on", "never", "--no-drift",
                               *(["--offline"] if mode == "offline" else []),
                               env={**os.environ, **env}, timeout=DEADLINE * 3)
            seconds = time.perf_counter() - started
            requests = len(hub.model_requests())
            ok = run.code == 0 and seconds < DEADLINE and run.peak_mb < MEMORY_TARGET_MB
            rows.append(Row(f"hostile Hub fan-out {WIDTH} wide, {DEPTH} deep, {mode}",
                            f"{seconds:.1f}s, {run.peak_mb:.0f} MB, {requests} Hub requests, "
                            f"cache {_cache_mb(tmp / 'cache'):.1f} MB",
                            "issue 24: 264 s, 4.8 GB, 34,652 requests, cache 415 MB", "-",
                            f"< {DEADLINE:.0f} s, < {MEMORY_TARGET_MB} MB", ok))
    return rows
