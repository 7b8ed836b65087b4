"""The floor every scan benchmark compares against, and the way both are timed.

The floor is the strongest plain-Python scanner that still looks at every byte: walk the tree, read
each file as bytes (no decoding), run one regular expression that starts with a literal (so the
engine skips ahead with a fast search), one process. A scan that keeps up with it does no work it
could avoid; on two cores it can beat it.

Timings run each command in a fresh interpreter, alternating scan and floor so that both see the same
load, and the tables show medians. Other jobs on the machine move single runs by 10-30 %; the medians
of alternated runs move much less.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Sequence

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


def scan_command(root: str) -> list[str]:
    return [sys.executable, "-m", "model_risk", "scan", root, "--offline", "--format", "json",
            "--output", "/dev/null", "--fail-on", "never", "--quiet"]


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


def timed(command: Sequence[str], timeout: float | None = None) -> tuple[float, int]:
    """Wall time of a command and the peak resident memory of its process tree (KiB). A command that
    runs past ``timeout`` is killed and reported as taking ``inf``."""
    peak = 0
    start = time.perf_counter()
    process = subprocess.Popen(list(command), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kb(process.pid))
            done.wait(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        _, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        done.set()
        sampler.join()
        return float("inf"), peak
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    if process.returncode not in (0, 1):
        raise RuntimeError(f"{command[:4]} failed ({process.returncode}): {stderr.decode()[-500:]}")
    return elapsed, peak


def side_by_side(scan: Sequence[str], floor: Sequence[str], repeat: int, timeout: float | None = None
                 ) -> tuple[float, float, int]:
    """Median scan time, median floor time (alternating runs, after one warm-up of each) and the
    scan's peak memory in KiB."""
    timed(floor)  # warm the page cache
    scans, floors, peaks = [], [], []
    for _ in range(repeat):
        seconds, peak = timed(scan, timeout)
        scans.append(seconds)
        peaks.append(peak)
        floors.append(timed(floor)[0])
        if seconds == float("inf"):
            break
    return statistics.median(scans), statistics.median(floors), max(peaks)
