"""Scan time on inputs hostile to the design, and on a real repository, against the strong floor.

For each tree of :mod:`hostile_trees`, at 1x and 4x: ``model-risk scan DIR --offline`` (all cores, cold:
its cache emptied before each run)
and the floor of :mod:`floor` (one process, bytes, one regex), alternating, medians of ``REPEAT``
runs. The table shows the ratio at 4x (wall time and CPU time) and how much the scan's CPU time grows
from 1x to 4x (linear work grows 4x; a little more is start-up noise, much more is a cost that is
not linear).

The real repository is huggingface/diffusers at a pinned commit, extracted from the bare mirror in
``$MODEL_RISK_MIRROR`` (default ``/work/.mirror``) at ``huggingface+diffusers/repo``; the row is
skipped when the mirror or the commit is not there.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from floor import empty_cache, floor_command, scan_command, side_by_side
from hostile_trees import TREES
from run import Row

RATIO_TARGET = 1.5
GROWTH_TARGET = 4.5
#: Runs per measurement and the time after which a scan is stopped and reported as a miss
#: (overridable to measure an old version, whose scans can take many minutes).
REPEAT = int(os.environ.get("MODEL_RISK_BENCH_REPEAT", "3"))
TIMEOUT = float(os.environ.get("MODEL_RISK_BENCH_TIMEOUT", "300"))
DIFFUSERS = ("huggingface+diffusers", "58eb52c0803ea9af3abec60841c2a093bdf1f951")


def diffusers_tree(tmp: Path) -> Path | None:
    """huggingface/diffusers at the pinned commit, extracted into ``tmp/diffusers`` (None without the mirror)."""
    mirror = Path(os.environ.get("MODEL_RISK_MIRROR", "/work/.mirror")) / DIFFUSERS[0] / "repo"
    if not mirror.is_dir():
        return None
    target = tmp / "diffusers"
    target.mkdir()
    archive = subprocess.run(["git", "--git-dir", str(mirror), "archive", DIFFUSERS[1]],
                             capture_output=True, check=False)
    if archive.returncode != 0:
        return None
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return target


def _size(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def run() -> list[Row]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="model-risk-hostile-") as tmp_name:
        tmp = Path(tmp_name)
        cold = empty_cache(str(tmp / "cache"))  # every scan here is a first scan
        for key, (description, generate) in TREES.items():
            times = {}
            for scale in (1, 4):
                root = tmp / f"{key}-{scale}x"
                size = generate(root, scale)
                times[scale] = side_by_side(scan_command(str(root)), floor_command(str(root)), REPEAT, TIMEOUT,
                                            prepare=cold)
            one, four = times[1], times[4]
            growth = four.scan_cpu / one.scan_cpu
            rows.append(Row(
                f"hostile {key}: {description} (4x: {size / 1e6:.1f} MB)",
                f"{four.scan:.2f}s wall, {four.scan_cpu:.2f}s CPU (1x {one.scan_cpu:.2f}s CPU: growth {growth:.1f}x; "
                f"{four.peak_kb / 1024:.0f} MB)",
                f"floor {four.floor:.2f}s", f"{four.ratio:.2f}x wall, {four.cpu_ratio:.2f}x CPU",
                f"<= {RATIO_TARGET}x, growth <= {GROWTH_TARGET}x",
                four.ratio <= RATIO_TARGET and growth <= GROWTH_TARGET))
        repository = diffusers_tree(tmp)
        if repository is None:
            rows.append(Row("real repository: huggingface/diffusers", "skipped (no mirror)", "-", "-", "-", True))
        else:
            measured = side_by_side(scan_command(str(repository)), floor_command(str(repository)), REPEAT, TIMEOUT,
                                    prepare=cold)
            rows.append(Row(
                f"real repository: huggingface/diffusers @{DIFFUSERS[1][:10]} ({_size(repository) / 1e6:.0f} MB)",
                f"{measured.scan:.2f}s wall, {measured.scan_cpu:.2f}s CPU ({measured.peak_kb / 1024:.0f} MB)",
                f"floor {measured.floor:.2f}s", f"{measured.ratio:.2f}x wall, {measured.cpu_ratio:.2f}x CPU",
                f"<= {RATIO_TARGET}x", measured.ratio <= RATIO_TARGET))
    return rows
