"""Files under the size limit shaped to cost memory or time (issue 24): each scanned alone, in a child
process measured with ``resource`` (peak resident memory, CPU), against 2 s and 300 MB.

* An 8 MB notebook whose display-data output is a list of a million short lines (it took 1.9 GB: every
  string of the notebook was read with its position, about 0.75 KB each), and the same budget met by
  code-cell lines, Markdown lines, stream output and 140,000 one-line cells.
* An 8 MB line of ``/`` in every kind of file (0.77 s of CPU per MB where the free-text search looked at
  each slash on its own).

    python benchmarks/run.py hostile_memory
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from run import Row

EIGHT_MB = 8 * 1024 * 1024 - 4096
SECONDS_TARGET = 2.0
MEMORY_TARGET_MB = 300
HEAD = {"cell_type": "code", "source": ["from transformers import AutoModel\n",
                                        'AutoModel.from_pretrained("acme/x")\n'], "outputs": []}
NOTEBOOKS = {
    "display-data output lines": [dict(HEAD, outputs=[{"output_type": "display_data",
                                                       "data": {"text/plain": ["x\n"] * 1_000_000}}])],
    "stream output lines": [dict(HEAD, outputs=[{"output_type": "stream", "text": ["x\n"] * 1_000_000}])],
    "code-cell lines": [HEAD, {"cell_type": "code", "source": ["x\n"] * 1_000_000, "outputs": []}],
    "Markdown lines": [HEAD, {"cell_type": "markdown", "source": ["x\n"] * 1_000_000}],
    "one-line cells": [HEAD] + [{"cell_type": "code", "source": "x\n", "outputs": []}] * 140_000,
}
SLASH_FILES = ["app.py", "app.js", "app.ts", "README.md", "index.rst", "config.yaml", "config.json",
               "pyproject.toml", "run.sh", "Dockerfile", "nb.ipynb"]


def _measure(label: str, root: Path) -> Row:
    from support.measure import measured_run

    started = time.perf_counter()
    run = measured_run("scan", root, "--offline", "--format", "json", "--fail-on", "never", timeout=600)
    seconds = time.perf_counter() - started
    ok = run.code == 0 and seconds < SECONDS_TARGET and run.peak_mb < MEMORY_TARGET_MB
    return Row(label, f"{seconds:.2f}s wall, {run.cpu:.2f}s CPU, {run.peak_mb:.0f} MB", "-", "-",
               f"< {SECONDS_TARGET:g} s, < {MEMORY_TARGET_MB} MB", ok)


def run() -> list[Row]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="model-risk-hostile-memory-") as tmp_name:
        tmp = Path(tmp_name)
        for index, (shape, cells) in enumerate(NOTEBOOKS.items()):
            root = tmp / f"notebook-{index}"
            root.mkdir()
            text = json.dumps({"cells": cells, "nbformat": 4, "metadata": {}})
            assert len(text) < EIGHT_MB, shape
            (root / "big.ipynb").write_text(text)
            rows.append(_measure(f"8 MB notebook: {shape} ({len(text) / 2**20:.1f} MiB)", root))
        for name in SLASH_FILES:
            root = tmp / f"slashes-{name}"
            root.mkdir()
            (root / name).write_text("/" * EIGHT_MB)
            rows.append(_measure(f"8 MB line of '/' in {name}", root))
    return rows
