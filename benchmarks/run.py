"""model-risk benchmarks: generate inputs, measure side by side, print one table.

    python benchmarks/run.py            # every benchmark
    python benchmarks/run.py scan       # only those whose name contains "scan"

Each ``bench_*.py`` module beside this file defines ``run() -> list[Row]``. Benchmarks are run by hand
(they are not part of the test suite); docs/performance.md records the results.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))  # the stand-in Hub lives with the tests


@dataclass(frozen=True)
class Row:
    benchmark: str
    measured: str
    baseline: str
    ratio: str
    target: str
    ok: bool


def main(argv: list[str]) -> int:
    wanted = argv[1:] or [""]
    modules = sorted(p.stem for p in HERE.glob("bench_*.py"))
    rows: list[Row] = []
    for name in modules:
        if not any(w in name for w in wanted):
            continue
        module = importlib.import_module(name)
        print(f"running {name} ...", file=sys.stderr, flush=True)
        rows.extend(module.run())
    headers = ("benchmark", "measured", "baseline", "ratio", "target", "ok")
    table = [headers] + [(r.benchmark, r.measured, r.baseline, r.ratio, r.target, "yes" if r.ok else "NO")
                         for r in rows]
    widths = [max(len(str(row[i])) for row in table) for i in range(len(headers))]
    for i, row in enumerate(table):
        print(" | ".join(str(c).ljust(w) for c, w in zip(row, widths)))
        if i == 0:
            print("-+-".join("-" * w for w in widths))
    return 0 if all(r.ok for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
