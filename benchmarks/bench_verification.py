"""How many requests verifying a real repository's candidates costs: huggingface/diffusers, online.

The repository is extracted as for ``bench_scan_hostile`` (skipped without the mirror). It is scanned
offline once to learn its references; the stand-in Hub (tests/support/fakehub.py, with its snapshot of
popular models) is then given every id that a ``certain`` reference names, as the real Hub serves
nearly all of them, and nothing else: the candidates below ``certain`` exist only when the snapshot
holds them. Then ``model-risk scan`` runs online twice in fresh processes, first with an empty cache,
then with the cache the first scan left.

Replacements (``alternatives``) are turned off: they have their own benchmark, and they look sizes up
uncached. Reported: the scan's own count of Hub requests (``summary.verification.hub_requests``, every
HTTP request its client sent, retries and listings included), the stand-in's count, and what
verification did. Targets: candidate lookups never exceed ``hub.verify-limit``, and the second scan
sends no request.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_scan_hostile import _diffusers
from run import Row
from support.fakehub import FakeHub, model

VERIFY_LIMIT = 300


def _scan(root: Path, work: Path, env: dict[str, str], *extra: str) -> dict:
    output = work / "report.json"
    subprocess.run([sys.executable, "-m", "model_risk", "scan", str(root), "--format", "json", "--output",
                    str(output), "--fail-on", "never", "--quiet", *extra], env=env, check=False)
    return json.loads(output.read_text())


def run() -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="model-risk-verify-") as tmp:
        work = Path(tmp)
        root = _diffusers(work)
        if root is None:
            return [Row("verification requests: huggingface/diffusers", "skipped (no mirror)", "-", "-", "-", True)]
        env = {**os.environ, "MODEL_RISK_CACHE_DIR": str(work / "cache"), "HF_HOME": str(work / "hf"),
               "HF_HUB_DISABLE_TELEMETRY": "1"}
        env.pop("HF_TOKEN", None)
        (root / ".model-risk.yaml").write_text("alternatives:\n  enabled: false\n", encoding="utf-8")
        offline = _scan(root, work, env, "--offline")
        certain = {r["lookup_id"] or r["model"] for r in offline["references"]
                   if r["kind"] == "hub" and r["confidence"] == "certain"}
        doubtful = {r["lookup_id"] or r["model"] for r in offline["references"]
                    if r["kind"] == "hub" and r["confidence"] != "certain"} - certain
        with FakeHub() as hub:
            for model_id in certain:
                hub.models.setdefault(model_id, model(model_id, license="apache-2.0"))
            env["HF_ENDPOINT"] = hub.url
            cold = _scan(root, work, env)
            cold_seen = len(hub.requests)
            hub.reset_log()
            warm = _scan(root, work, env)
            warm_seen = len(hub.requests)
    verification = cold["summary"]["verification"]
    candidate_lookups = verification["checked"] + verification["dropped"] - verification["skipped"]
    return [Row(
        benchmark=(f"verification requests: huggingface/diffusers online, {len(certain)} certain ids, "
                   f"{len(doubtful)} candidate ids below certain"),
        measured=(f"cold cache: {verification['hub_requests']} requests (stand-in saw {cold_seen}); "
                  f"{verification['checked']} candidate references checked, {verification['dropped']} dropped, "
                  f"{verification['listings']} listings, {verification['skipped']} ids over the limit; "
                  f"warm cache: {warm['summary']['verification']['hub_requests']} requests (stand-in saw {warm_seen})"),
        baseline=f"hub.verify-limit {VERIFY_LIMIT}",
        ratio="-",
        target="candidate ids looked up <= verify-limit; warm scan sends none",
        ok=len(doubtful) - verification["skipped"] <= VERIFY_LIMIT and warm_seen == 0 and candidate_lookups >= 0,
    )]
