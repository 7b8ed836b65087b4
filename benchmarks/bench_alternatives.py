"""What suggesting replacements adds to an online scan: 40 models with a non-commercial license behind a
Hub that takes 100 ms per request.

Each flagged model has its own size, so each needs its own list query; then the facts a migration
needs: the model's config files and variants, each candidate's config files, the variants of the ones
suggested (the candidates' roots are known from their names, no base models to follow). That is four
round trips per model at the least, about nine requests. ``model-risk scan`` runs in a subprocess with
a fresh cache, as in bench_resolve. Measured: the median of three scans with alternatives, minus the
median of three without (``alternatives: {enabled: false}``). Baseline: the same requests one after
another. Target: at most 4 s added (before the facts were read, one list query per model: +1 s).
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path

from bench_resolve import timed_scan, write_project
from run import Row
from support.fakehub import FakeHub, model

FLAGGED = 40
CANDIDATES = 60
LATENCY = 0.1
RUNS = 3
TARGET_SECONDS = 4.0


def _sized(model_id: str, parameters: int, license_id: str, downloads: int) -> dict:
    return model(model_id, license=license_id, pipeline_tag="text-generation", library_name="transformers",
                 downloads=downloads, safetensors={"parameters": {"BF16": parameters}, "total": parameters})


def synthetic_models() -> tuple[list[str], list[dict]]:
    flagged = [_sized(f"nc-lab/chat-{i:02d}", (i + 1) * 10**9, "cc-by-nc-4.0", 1000) for i in range(FLAGGED)]
    candidates = [_sized(f"open-{i % 12:02d}/chat-{i:02d}", (i + 1) * 700_000_000, "apache-2.0", 10**6 - i)
                  for i in range(CANDIDATES)]
    return [e["id"] for e in flagged], flagged + candidates


def run() -> list[Row]:
    names, entries = synthetic_models()
    with tempfile.TemporaryDirectory() as tmp, FakeHub({e["id"]: e for e in entries}, snapshot=False,
                                                       latency=LATENCY) as hub:
        work = Path(tmp)
        on = write_project(work / "on", names)
        off = write_project(work / "off", names, "alternatives:\n  enabled: false\n")
        with_alternatives, without = [], []
        for _ in range(RUNS):
            hub.reset_log()
            elapsed, _, report = timed_scan(on, hub, work)
            with_alternatives.append(elapsed)
            assert sum(1 for m in report["models"] if m["alternatives"]) == FLAGGED
            assert len([q for q in hub.list_requests() if "pipeline_tag=" in q]) == FLAGGED
            asked = len([p for p in hub.requests if not p.startswith("/api/models/")])  # not the scan's own
            without.append(timed_scan(off, hub, work)[0])
    added = statistics.median(with_alternatives) - statistics.median(without)
    baseline = asked * LATENCY
    return [Row(
        benchmark=f"alternatives for {FLAGGED} flagged models ({asked} requests: listings, files, variants), "
                  f"Hub at {LATENCY * 1000:.0f} ms/request",
        measured=f"+{added:.2f} s (scan {statistics.median(with_alternatives):.2f} s vs "
                 f"{statistics.median(without):.2f} s without)",
        baseline=f"+{baseline:.1f} s (one request at a time)",
        ratio=f"{baseline / added:.1f}x" if added > 0 else "-",
        target=f"<= +{TARGET_SECONDS:.0f} s",
        ok=added <= TARGET_SECONDS,
    )]
