"""One-file pre-commit latency: `model-risk scan FILE --offline` against a bare Python start-up.

Both run as fresh processes, alternately, many times; the table shows medians. The file is the kind a
commit touches: a Python module loading two models, both in the project's lockfile.
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

RUNS = 21
TARGET_OVERHEAD = 0.15
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "support-bot"


def _time(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def run() -> list[Row]:
    executable = shutil.which("model-risk") or str(Path(sys.executable).with_name("model-risk"))
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "project"
        shutil.copytree(EXAMPLE, project)
        env = {**os.environ, "MODEL_RISK_CACHE_DIR": str(Path(tmp) / "cache")}
        # An installed tool has its bytecode compiled (pip does it at install time); a session that
        # sets PYTHONDONTWRITEBYTECODE would otherwise measure compiling model-risk on every run.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        scan = [executable, "scan", "app/llm.py", "--offline", "--fail-on", "never", "--quiet"]
        bare = [sys.executable, "-c", "pass"]
        _time(scan, project, env)  # the first run writes .pyc files and the validation memo
        scans, bares = [], []
        for _ in range(RUNS):
            scans.append(_time(scan, project, env))
            bares.append(_time(bare, project, env))
    scan_median, bare_median = statistics.median(scans), statistics.median(bares)
    overhead = scan_median - bare_median
    return [Row(
        benchmark="pre-commit: scan one file --offline",
        measured=f"{scan_median * 1000:.0f} ms",
        baseline=f"python -c pass {bare_median * 1000:.0f} ms",
        ratio=f"+{overhead * 1000:.0f} ms",
        target=f"overhead <= {TARGET_OVERHEAD * 1000:.0f} ms",
        ok=overhead <= TARGET_OVERHEAD,
    )]
