"""The floor every scan benchmark compares against, and the way both are timed.

The floor is the strongest plain-Python scanner that still looks at every byte: walk the tree, read
each file as bytes (no decoding), run one regular expression that starts with a literal (so the
engine skips ahead with a fast search), one process. A scan that keeps up with it does no work it
could avoid; on two cores it can beat it.

Timings run each command in a fresh interpreter, alternating scan and floor so that both see the same
load, and the tables show medians. Wall time is what a user waits; CPU time (user + system, workers
included) is the work done, and moves much less when other jobs share the machine. On two cores a
scan's wall time can be about half its CPU time; the floor's wall time is its CPU time.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

FLOOR = r'''
import os, re, sys
SHAPE = re.compile(rb"/[A-Za-z0-9][\w.-]*")
found = 0
for directory, dirs, names in os.walk(sys.argv[1]):
    dirs[:] = [d for d in dirs if d != ".git"]
    for name in names:
        with open(os.path.join(directory, name), "rb") as handle:
            found += len(SHAPE.findall(handle.read()))
print(found)
'''


def floor_command(root: str) -> list[str]:
    return [sys.executable, "-c", FLOOR, root]


def scan_command(root: str, output: str = "/dev/null") -> list[str]:
    return [sys.executable, "-m", "model_risk", "scan", root, "--offline", "--format", "json",
            "--output", output, "--fail-on", "never", "--quiet"]


def empty_cache(directory: str) -> Callable[[], None]:
    """Point scans at ``directory`` as their cache (``MODEL_RISK_CACHE_DIR``) and return what empties it:
    a cold scan finds nothing kept, and pays for keeping what it finds, as a first scan does."""
    import shutil

    os.environ["MODEL_RISK_CACHE_DIR"] = directory

    def empty() -> None:
        shutil.rmtree(directory, ignore_errors=True)

    return empty


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants, in KiB."""
    total = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/status", encoding="ascii") as handle:
                total += next((int(line.split()[1]) for line in handle if line.startswith("VmRSS:")), 0)
            with open(f"/proc/{current}/task/{current}/children", encoding="ascii") as handle:
                stack.extend(int(child) for child in handle.read().split())
        except (OSError, ValueError):
            continue
    return total


def timed(command: Sequence[str], timeout: float | None = None) -> tuple[float, int, float]:
    """Wall time of a command, the peak resident memory of its process tree (KiB) and the CPU time
    (user + system) of the command and the children it waited for. A command that runs past
    ``timeout`` is killed and reported as taking ``inf``."""
    peak = 0
    start = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(list(command), stdout=subprocess.DEVNULL, stderr=errors)
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, _tree_rss_kb(process.pid))
                done.wait(0.01)

        killer = threading.Timer(timeout, process.kill) if timeout else None
        if killer:
            killer.start()
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        # wait4 gives the CPU time of the process and of the workers it reaped: less sensitive to
        # other jobs on the machine than wall time.
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        done.set()
        sampler.join()
        if killer:
            killer.cancel()
        if process.returncode < 0 and timeout and elapsed >= timeout:
            return float("inf"), peak, float("inf")
        if process.returncode not in (0, 1):
            errors.seek(0)
            raise RuntimeError(f"{command[:4]} failed ({process.returncode}): {errors.read().decode()[-500:]}")
    return elapsed, peak, usage.ru_utime + usage.ru_stime


def side_by_side(scan: Sequence[str], floor: Sequence[str], repeat: int, timeout: float | None = None,
                 prepare: Callable[[], object] | None = None) -> Measured:
    """Scan and floor, alternating after one warm-up of each: medians of wall and CPU time, and the
    scan's peak memory. ``prepare()`` runs, untimed, before each scan (to empty its cache, say)."""
    timed(floor)  # warm the page cache
    scans, floors, peaks, scan_cpu, floor_cpu = [], [], [], [], []
    for _ in range(repeat):
        if prepare is not None:
            prepare()
        seconds, peak, cpu = timed(scan, timeout)
        scans.append(seconds)
        scan_cpu.append(cpu)
        peaks.append(peak)
        floor_seconds, _, floor_seconds_cpu = timed(floor)
        floors.append(floor_seconds)
        floor_cpu.append(floor_seconds_cpu)
        if seconds == float("inf"):
            break
    return Measured(statistics.median(scans), statistics.median(floors), max(peaks),
                    statistics.median(scan_cpu), statistics.median(floor_cpu))


@dataclass(frozen=True)
class Measured:
    scan: float
    floor: float
    peak_kb: int
    scan_cpu: float
    floor_cpu: float

    @property
    def ratio(self) -> float:
        return self.scan / self.floor

    @property
    def cpu_ratio(self) -> float:
        return self.scan_cpu / self.floor_cpu
