"""Priming the shared cache before a fan-out: entries about to expire are fetched once, the rest not."""

from __future__ import annotations

import json
import time
from pathlib import Path

from support.project import run_cli, write_tree
from support.scanning import FAST_HUB, loader

from model_risk.resolve import cache_prime

MODELS = ["google-bert/bert-base-uncased", "microsoft/phi-4", "BAAI/bge-m3", "acme-missing/nothing-here"]


def age(cache_dir: Path, model_id: str, seconds: float) -> None:
    for entry in (cache_dir / "models").glob("*/*.json"):
        data = json.loads(entry.read_text(encoding="utf-8"))
        if data["request"]["id"] == model_id:
            data["fetched_at"] = time.time() - seconds
            entry.write_text(json.dumps(data), encoding="utf-8")
            return
    raise AssertionError(f"no cache entry for {model_id}")


def test_priming_refreshes_only_what_expires_within_the_margin(tmp_path: Path, hub, cache_dir: Path):
    project = write_tree(tmp_path / "repo", {"app.py": loader(*MODELS), ".model-risk.yaml": FAST_HUB})
    assert run_cli("scan", project, "--no-drift", "--fail-on", "never", "--quiet").code == 0
    # a day later: bert's entry expires in two hours, the missing repo's answer in half an hour
    age(cache_dir, "google-bert/bert-base-uncased", 86400 - 7200)
    age(cache_dir, "acme-missing/nothing-here", 3600 - 1800)
    hub.reset_log()

    prime = tmp_path / "prime"
    assert cache_prime.main([str(prime), "--margin", str(6 * 3600)]) == 0
    listed = (prime / "models.py").read_text(encoding="utf-8")
    assert all(f'"{m}"' in listed for m in MODELS)
    (prime / ".model-risk.yaml").write_text((prime / ".model-risk.yaml").read_text() + FAST_HUB.replace("hub:\n", ""))
    assert run_cli("scan", prime, "--no-drift", "--fail-on", "never", "--quiet").code == 0
    # the entries expiring within six hours, and nothing else (phi-4 and bge-m3 are fresh for a day)
    assert sorted(p.split("?")[0] for p in hub.model_requests()) == ["/api/models/acme-missing/nothing-here",
                                                                     "/api/models/google-bert/bert-base-uncased"]

    # the fan-out's jobs, with the real TTLs, now find everything fresh
    hub.reset_log()
    assert run_cli("scan", project, "--no-drift", "--fail-on", "never", "--quiet").code == 0
    assert hub.model_requests() == []


def test_an_empty_or_damaged_cache_lists_nothing_it_cannot_read(tmp_path: Path, cache_dir: Path):
    assert cache_prime.cached_lookups(cache_dir) == []
    broken = cache_dir / "models" / "ab" / "abc.json"
    broken.parent.mkdir(parents=True)
    broken.write_text("{not json", encoding="utf-8")
    assert cache_prime.cached_lookups(cache_dir) == []
