"""One-file pre-commit latency: the hook's command against a bare Python start-up.

The hook (``.pre-commit-hooks.yaml``) runs ``model-risk scan --per-file --quiet -- FILES``; offline, as
a commit without network access would, that is ``model-risk scan --per-file --quiet --offline -- FILE``.
It and ``python -c pass`` run as fresh processes, alternately, ``RUNS`` times; the table shows the
medians of wall time and of CPU time (user and system, from ``wait4``), and the overhead is the
difference of the medians. The file is the kind a commit touches: a Python module loading a model that
is in the project's lockfile.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from run import Row

RUNS = int(os.environ.get("MODEL_RISK_BENCH_PRECOMMIT_RUNS", "11"))
TARGET_OVERHEAD = 0.06
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "support-bot"


def _time(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU time of one run."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(process.pid, 0)
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime


def run() -> list[Row]:
    executable = shutil.which("model-risk") or str(Path(sys.executable).with_name("model-risk"))
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "project"
        shutil.copytree(EXAMPLE, project)
        env = {**os.environ, "MODEL_RISK_CACHE_DIR": str(Path(tmp) / "cache")}
        # An installed tool has its bytecode compiled (pip does it at install time); a session that
        # sets PYTHONDONTWRITEBYTECODE would otherwise measure compiling model-risk on every run.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        scan = [executable, "scan", "--per-file", "--quiet", "--offline", "--", "app/llm.py"]
        bare = [sys.executable, "-c", "pass"]
        _time(scan, project, env)  # the first run writes .pyc files and the validation memo
        scans, bares = [], []
        for _ in range(RUNS):
            scans.append(_time(scan, project, env))
            bares.append(_time(bare, project, env))
    scan_wall, bare_wall = (statistics.median(t[0] for t in runs) for runs in (scans, bares))
    scan_cpu, bare_cpu = (statistics.median(t[1] for t in runs) for runs in (scans, bares))
    overhead = scan_wall - bare_wall
    return [Row(
        benchmark=f"pre-commit: scan --per-file --offline -- FILE, median of {RUNS}",
        measured=f"{scan_wall * 1000:.0f} ms wall, {scan_cpu * 1000:.0f} ms CPU",
        baseline=f"python -c pass {bare_wall * 1000:.0f} ms wall, {bare_cpu * 1000:.0f} ms CPU",
        ratio=f"+{overhead * 1000:.0f} ms wall, +{(scan_cpu - bare_cpu) * 1000:.0f} ms CPU",
        target=f"overhead <= {TARGET_OVERHEAD * 1000:.0f} ms",
        ok=overhead <= TARGET_OVERHEAD,
    )]
