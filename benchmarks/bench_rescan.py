"""Re-scans of a real repository with the detection cache, against the strong floor.

huggingface/diffusers at the pinned commit (:func:`bench_scan_hostile.diffusers_tree`) is scanned once
to fill a private cache, then again with 0, 1 and 50 of its files changed before each run: a comment
line appended to Python files spread evenly over the tree, so that each run finds exactly that many
files different from what the cache holds. Each re-scan alternates with the floor of :mod:`floor`;
the table gives medians of ``REPEAT`` runs of wall time and of CPU time (the scan and its workers, from
``wait4``), and the ratio of CPU times, which moves least when other jobs share the machine.

Every re-scan is checked: its JSON report must equal, but for the start time, the report of a scan of
the same files with ``--no-cache``. The cold scan is measured too, with an empty cache (it computes
every file's SHA-256 and writes the record) beside the same scan with ``--no-cache``.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

from bench_scan_hostile import DIFFUSERS, diffusers_tree
from floor import empty_cache, floor_command, scan_command, side_by_side
from run import Row

REPEAT = int(os.environ.get("MODEL_RISK_BENCH_REPEAT", "5"))
#: Files changed before each re-scan -> the most CPU time it may take, in floors.
TARGETS = {0: 3.0, 1: 3.5, 50: 8.0}


def _python_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.py"))


def _spread(files: list[Path], count: int) -> list[Path]:
    """``count`` files evenly spread over ``files`` (the middle one for one)."""
    return [files[int((i + 0.5) * len(files) / count)] for i in range(count)]


class _Editor:
    """Appends a new comment line to the same files before each run."""

    def __init__(self, files: list[Path]) -> None:
        self.files = files
        self.runs = 0

    def __call__(self) -> None:
        self.runs += 1
        for path in self.files:
            with open(path, "a", encoding="utf-8") as handle:
                handle.write(f"# edited before re-scan {self.runs}\n")


def _report(root: Path, *extra: str) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json") as output:
        subprocess.run([*scan_command(str(root), output.name), *extra], check=True)
        document = json.loads(Path(output.name).read_text(encoding="utf-8"))
    document["scan"].pop("started_at", None)
    return document


def run() -> list[Row]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="model-risk-rescan-") as tmp_name:
        tmp = Path(tmp_name)
        root = diffusers_tree(tmp)
        if root is None:
            return [Row("re-scan: huggingface/diffusers", "skipped (no mirror)", "-", "-", "-", True)]
        what = f"huggingface/diffusers @{DIFFUSERS[1][:10]}"
        floor = floor_command(str(root))
        cold = side_by_side(scan_command(str(root)), floor, REPEAT, prepare=empty_cache(str(tmp / "cold-cache")))
        uncached = side_by_side([*scan_command(str(root)), "--no-cache"], floor, REPEAT)
        rows.append(Row(f"cold scan of {what}, empty cache (hashes every file, writes the record)",
                        f"{cold.scan:.2f}s wall, {cold.scan_cpu:.2f}s CPU",
                        f"--no-cache {uncached.scan:.2f}s wall, {uncached.scan_cpu:.2f}s CPU; floor {cold.floor_cpu:.3f}s CPU",
                        f"{cold.scan_cpu / uncached.scan_cpu:.2f}x --no-cache CPU", "informational", True))
        empty_cache(str(tmp / "cache"))
        subprocess.run(scan_command(str(root)), check=True)
        time.sleep(2.5)  # files extracted a moment ago are "racily clean" in the first record: hashed again
        subprocess.run(scan_command(str(root)), check=True)
        files = _python_files(root)
        for changed, target in TARGETS.items():
            editor = _Editor(_spread(files, changed) if changed else [])
            measured = side_by_side(scan_command(str(root)), floor, REPEAT, prepare=editor)
            editor()
            identical = _report(root) == _report(root, "--no-cache")
            ok = measured.cpu_ratio <= target and identical
            rows.append(Row(
                f"re-scan of {what}, {changed} file{'s' if changed != 1 else ''} changed",
                f"{measured.scan:.2f}s wall, {measured.scan_cpu:.3f}s CPU ({measured.peak_kb / 1024:.0f} MB); "
                f"report {'identical to' if identical else 'DIFFERENT from'} --no-cache",
                f"floor {measured.floor:.2f}s wall, {measured.floor_cpu:.3f}s CPU",
                f"{measured.ratio:.2f}x wall, {measured.cpu_ratio:.2f}x CPU", f"<= {target}x CPU, same report", ok))
    return rows
