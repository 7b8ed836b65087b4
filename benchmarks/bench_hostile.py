"""Detectors on hostile single-line files: time grows linearly with size.

Each adversarial file of tests/test_hostile_input.py (unterminated strings and comments, quotes and
escapes, one enormous line) is run through every detector that accepts it, at 1 MB and at 8 MB.
A linear detector takes about 8 times as long on the larger file; a quadratic one would take 64.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from run import Row

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

SMALL = 1024 * 1024
LARGE = 8 * SMALL
GROWTH_TARGET = 1.5  # at most this much above linear


def _seconds(name: str, text: str) -> float:
    from model_risk.app.plugins import load_plugins
    from model_risk.contract.source import SourceFile
    from model_risk.detect.runner import detect_file

    detectors = [d for d in load_plugins().detectors.values() if d.accepts(name)]
    start = time.perf_counter()
    detect_file(SourceFile(name, text), detectors)
    return time.perf_counter() - start


def run() -> list[Row]:
    from hostile.test_hostile_input import _adversarial_files

    small, large = _adversarial_files(SMALL), _adversarial_files(LARGE)
    rows = []
    for name in small:
        small_s = min(_seconds(name, small[name]) for _ in range(3))
        large_s = _seconds(name, large[name])
        growth = large_s / max(small_s * LARGE / SMALL, 1e-6)
        rows.append(Row(f"hostile {name}, 8 MB one line", f"{large_s:.2f}s", f"8 x {small_s:.3f}s",
                        f"{growth:.2f}x", f"<= {GROWTH_TARGET}x linear", growth <= GROWTH_TARGET))
    return rows
