"""The on-disk cache of Hub answers: reuse, offline scans, freshness, damage, and where it lives."""

from __future__ import annotations

import json
from pathlib import Path

from support.fakehub import Fault
from support.scanning import FAST_HUB, loader, models_by_id

QWEN = "Qwen/Qwen2.5-7B-Instruct"
GGUF = "bartowski/Qwen2.5-7B-Instruct-GGUF"


def scan_json(cli, root, *extra):
    run = cli("scan", root, "--format", "json", "--fail-on", "never", *extra)
    assert run.code == 0, run.stderr
    return run.json()


def cache_entries(cache_dir: Path) -> list[Path]:
    return sorted((cache_dir / "models").rglob("*.json"))


def test_second_scan_makes_no_hub_request(cli, hub, project):
    root = project({"app.py": loader(QWEN, GGUF, "gpt2", "acme/missing")})
    first = scan_json(cli, root)
    assert hub.model_requests()
    hub.reset_log()
    second = scan_json(cli, root)
    assert hub.requests == []
    assert {m["source"] for m in second["models"]} == {"cache"}
    # The cached answers give the same facts, lineage included.
    strip = lambda report: [{k: v for k, v in m.items() if k != "source"} for m in report["models"]]  # noqa: E731
    assert strip(first) == strip(second)


def test_offline_scan_makes_no_request_and_uses_the_cache(cli, hub, project):
    root = project({"app.py": loader(QWEN)})
    scan_json(cli, root)
    (root / "more.py").write_text(loader("openai-community/gpt2"))
    hub.reset_log()
    report = scan_json(cli, root, "--offline")
    assert hub.requests == []
    models = models_by_id(report)
    assert models[QWEN]["status"] == "resolved" and models[QWEN]["source"] == "cache"
    gpt2 = models["openai-community/gpt2"]
    assert gpt2["status"] == "unresolved" and gpt2["reason"] == "offline: not in the lockfile or the cache"
    assert report["scan"]["offline"] is True


def test_offline_in_the_config_file(cli, hub, project):
    root = project({"app.py": loader(QWEN), ".model-risk.yaml": "offline: true\n"})
    report = scan_json(cli, root)
    assert hub.requests == [] and models_by_id(report)[QWEN]["status"] == "unresolved"


def test_missing_models_expire_sooner_than_resolved_ones(cli, hub, project):
    root = project({"app.py": loader("openai-community/gpt2", "acme/missing"),
                    ".model-risk.yaml": "hub:\n  cache-ttl: 3600\n  negative-cache-ttl: 0\n"})
    scan_json(cli, root)
    hub.reset_log()
    scan_json(cli, root)
    assert hub.model_requests("openai-community/gpt2") == []
    assert len(hub.model_requests("acme/missing")) == 1


def test_stale_entries_are_fetched_again(cli, hub, project, cache_dir):
    root = project({"app.py": loader("openai-community/gpt2")})
    scan_json(cli, root)
    for path in cache_entries(cache_dir):
        entry = json.loads(path.read_text())
        entry["fetched_at"] -= 2 * 24 * 3600  # older than the default one-day TTL
        path.write_text(json.dumps(entry))
    hub.reset_log()
    report = scan_json(cli, root)
    assert len(hub.model_requests("openai-community/gpt2")) == 1
    assert models_by_id(report)["openai-community/gpt2"]["source"] == "hub"


def test_failed_lookups_are_not_cached(cli, hub, project):
    root = project({"app.py": loader("openai-community/gpt2"), ".model-risk.yaml": FAST_HUB})
    hub.fail("openai-community/gpt2", Fault(503, times=3))
    assert models_by_id(scan_json(cli, root))["openai-community/gpt2"]["status"] == "unresolved"
    report = scan_json(cli, root)
    assert models_by_id(report)["openai-community/gpt2"]["status"] == "resolved"


def test_a_corrupt_cache_is_rebuilt(cli, hub, project, cache_dir):
    root = project({"app.py": loader(QWEN, "openai-community/gpt2")})
    scan_json(cli, root)
    entries = cache_entries(cache_dir)
    assert entries
    damage = [b"", b"{not json", b"\xff\xfe\x00garbage", b'{"version": 1, "record": {"id": 5}}',
              b'{"version": 1, "fetched_at": "soon", "record": {}}', b"[]"]
    for index, path in enumerate(entries):
        path.write_bytes(damage[index % len(damage)])
    hub.reset_log()
    run = cli("scan", root, "--format", "json", "--fail-on", "never")
    assert run.code == 0 and "Traceback" not in run.stderr
    assert {m["status"] for m in run.json()["models"]} == {"resolved"}
    assert hub.model_requests()
    for path in cache_entries(cache_dir):  # rewritten whole
        assert json.loads(path.read_text())["version"] == 1
    assert not [p for p in (cache_dir / "models").rglob("*") if p.name.endswith(".tmp")]


def test_an_unusable_cache_directory_does_not_stop_the_scan(cli, hub, project, monkeypatch, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    monkeypatch.setenv("MODEL_RISK_CACHE_DIR", str(blocker))
    root = project({"app.py": loader(QWEN)})
    report = scan_json(cli, root)
    assert models_by_id(report)[QWEN]["status"] == "resolved"


def test_cache_directory_from_the_environment(cli, hub, project, monkeypatch, tmp_path):
    chosen = tmp_path / "chosen"
    monkeypatch.setenv("MODEL_RISK_CACHE_DIR", str(chosen))
    scan_json(cli, project({"app.py": loader(QWEN)}))
    assert cache_entries(chosen)


def test_cache_directory_defaults_to_xdg_then_home(cli, hub, project, monkeypatch, tmp_path):
    monkeypatch.delenv("MODEL_RISK_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    root = project({"app.py": loader(QWEN)})
    scan_json(cli, root)
    assert cache_entries(tmp_path / "xdg" / "model-risk")

    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    scan_json(cli, root)
    assert cache_entries(tmp_path / "home" / ".cache" / "model-risk")


def test_answers_from_another_endpoint_are_not_reused(cli, hub, project, monkeypatch):
    from support.fakehub import FakeHub

    root = project({"app.py": loader(QWEN)})
    scan_json(cli, root)
    with FakeHub() as mirror:
        monkeypatch.setenv("HF_ENDPOINT", mirror.url)
        report = scan_json(cli, root)
        assert len(mirror.model_requests(QWEN)) == 1
    assert models_by_id(report)[QWEN]["source"] == "hub"


def test_a_missing_repo_is_asked_again_once_a_token_is_set(cli, hub, project, monkeypatch):
    from support.fakehub import model

    root = project({"app.py": loader("acme/private")})
    assert models_by_id(scan_json(cli, root))["acme/private"]["status"] == "not-found"
    # The repo is private: with a token the Hub shows it.
    hub.models["acme/private"] = model("acme/private", license="mit")
    monkeypatch.setenv("HF_TOKEN", "hf_tokenthatseesprivaterepos")
    hub.reset_log()
    assert models_by_id(scan_json(cli, root))["acme/private"]["status"] == "resolved"
    hub.reset_log()
    scan_json(cli, root)
    assert hub.requests == [], "answers given to a token are reused while the token is set"
