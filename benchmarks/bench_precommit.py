"""One-file pre-commit latency: the hook's command against a bare Python start-up.

The hook (``.pre-commit-hooks.yaml``) runs ``model-risk scan --per-file --quiet --helper -- FILES``;
offline, as a commit without network access would, that is
``model-risk scan --per-file --quiet --helper --offline -- FILE``. Measured twice: as shipped, where a
warm helper process answers once the first commit has started it, and in the process
(``MODEL_RISK_HELPER=0``, as with an ``entry`` without ``--helper``). Each runs as a fresh process
alternately with ``python -c pass``, ``RUNS`` times; the table shows the medians of wall time and of CPU
time (user and system of the command's own process, from ``wait4``; a helper's work is in its own
process), and the overhead is the difference of the wall-time medians. The file is the kind a commit
touches: a Python module loading a model that is in the project's lockfile.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import statistics
import struct
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


def _helper_sockets(runtime: Path) -> list[Path]:
    folder = runtime / "model-risk"
    return sorted(folder.glob("*.sock")) if folder.is_dir() else []


def _wait_for_helper(runtime: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not _helper_sockets(runtime):
        time.sleep(0.1)
    time.sleep(0.5)  # listening, and done loading


def _stop_helpers(runtime: Path) -> None:
    """Stop the helpers this benchmark started (each socket tells its helper's pid)."""
    for path in _helper_sockets(runtime):
        try:
            with socket.socket(socket.AF_UNIX) as connection:
                connection.connect(str(path))
                credentials = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
            os.kill(struct.unpack("3i", credentials)[0], signal.SIGTERM)
        except OSError:
            pass


def _measure(scan: list[str], project: Path, env: dict[str, str]) -> tuple[tuple[float, float], tuple[float, float]]:
    bare = [sys.executable, "-c", "pass"]
    scans, bares = [], []
    for _ in range(RUNS):
        scans.append(_time(scan, project, env))
        bares.append(_time(bare, project, env))
    return ((statistics.median(t[0] for t in scans), statistics.median(t[1] for t in scans)),
            (statistics.median(t[0] for t in bares), statistics.median(t[1] for t in bares)))


def _row(label: str, scan: tuple[float, float], bare: tuple[float, float], target: bool) -> Row:
    overhead = scan[0] - bare[0]
    return Row(
        benchmark=f"pre-commit: scan --per-file --offline -- FILE, {label}, median of {RUNS}",
        measured=f"{scan[0] * 1000:.0f} ms wall, {scan[1] * 1000:.0f} ms CPU",
        baseline=f"python -c pass {bare[0] * 1000:.0f} ms wall, {bare[1] * 1000:.0f} ms CPU",
        ratio=f"+{overhead * 1000:.0f} ms wall, +{(scan[1] - bare[1]) * 1000:.0f} ms CPU",
        target=f"overhead <= {TARGET_OVERHEAD * 1000:.0f} ms" if target else "informational",
        ok=overhead <= TARGET_OVERHEAD or not target,
    )


def run() -> list[Row]:
    executable = shutil.which("model-risk") or str(Path(sys.executable).with_name("model-risk"))
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "project"
        shutil.copytree(EXAMPLE, project)
        # The helper's socket folder (a short path: a socket's is limited to 107 bytes).
        runtime = Path(tempfile.mkdtemp(prefix="mr-bench-"))
        env = {**os.environ, "MODEL_RISK_CACHE_DIR": str(Path(tmp) / "cache"), "XDG_RUNTIME_DIR": str(runtime)}
        # An installed tool has its bytecode compiled (pip does it at install time); a session that
        # sets PYTHONDONTWRITEBYTECODE would otherwise measure compiling model-risk on every run.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env.pop("MODEL_RISK_HELPER", None)
        hook = [executable, "scan", "--per-file", "--quiet", "--helper", "--offline", "--", "app/llm.py"]
        try:
            _time(hook, project, env)  # the first commit: writes .pyc files and starts the helper
            _wait_for_helper(runtime)
            _time(hook, project, env)  # the helper's first request loads what it had not
            shipped = _measure(hook, project, env)
            in_process = _measure(hook, project, {**env, "MODEL_RISK_HELPER": "0"})
        finally:
            _stop_helpers(runtime)
            shutil.rmtree(runtime, ignore_errors=True)
    return [_row("as the hook runs it (warm helper)", *shipped, target=True),
            _row("in the process (MODEL_RISK_HELPER=0)", *in_process, target=False)]
