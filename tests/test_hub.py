"""Resolution against the stand-in Hub through the real huggingface_hub client."""

from __future__ import annotations

from fakehub import Fault, model

FAST = "hub:\n  backoff: 0.01\n  retries: 2\n"


def _loader(*models: str) -> str:
    lines = ["from transformers import AutoModel"]
    lines += [f'AutoModel.from_pretrained("{m}")' for m in models]
    return "\n".join(lines) + "\n"


def _models(report) -> dict[str, dict]:
    return {m["id"]: m for m in report["models"]}


def test_online_scan_resolves_and_follows_redirects(cli, hub, project):
    root = project({"app.py": _loader("Qwen/Qwen2.5-7B-Instruct", "gpt2", "acme/does-not-exist")})
    report = cli("scan", root, "--format", "json", "--fail-on", "never").json()
    models = _models(report)
    assert models["Qwen/Qwen2.5-7B-Instruct"]["status"] == "resolved"
    assert models["Qwen/Qwen2.5-7B-Instruct"]["source"] == "hub"
    gpt2 = models["openai-community/gpt2"]
    assert gpt2["aliases"] == ["gpt2"] and gpt2["redirected_from"] == ["gpt2"] and gpt2["vendor"] == "OpenAI"
    assert models["acme/does-not-exist"]["status"] == "not-found"
    rules = {(f["rule"], f["model"]) for f in report["findings"]}
    assert ("renamed-model", "openai-community/gpt2") in rules
    assert ("model-not-found", "acme/does-not-exist") in rules


def test_second_scan_is_served_from_the_cache(cli, hub, project):
    root = project({"app.py": _loader("Qwen/Qwen2.5-7B-Instruct", "bartowski/Qwen2.5-7B-Instruct-GGUF")})
    cli("scan", root, "--fail-on", "never")
    assert hub.model_requests()
    hub.reset_log()
    report = cli("scan", root, "--format", "json", "--fail-on", "never").json()
    assert hub.model_requests() == []
    assert {m["source"] for m in report["models"]} == {"cache"}


def test_rate_limit_is_retried_until_resolved(cli, hub, project):
    root = project({"app.py": _loader("Qwen/Qwen2.5-7B-Instruct"), ".model-risk.yaml": FAST})
    hub.fail("Qwen/Qwen2.5-7B-Instruct", Fault(429, {"Retry-After": "0"}), Fault(429, {"Retry-After": "0"}))
    report = cli("scan", root, "--format", "json", "--fail-on", "never").json()
    assert _models(report)["Qwen/Qwen2.5-7B-Instruct"]["status"] == "resolved"
    assert len(hub.model_requests("Qwen/Qwen2.5-7B-Instruct")) >= 3


def test_server_errors_are_retried_a_bounded_number_of_times(cli, hub, project):
    root = project({"app.py": _loader("Qwen/Qwen2.5-7B-Instruct"), ".model-risk.yaml": FAST})
    hub.fail("Qwen/Qwen2.5-7B-Instruct", Fault(503, times=None))
    run = cli("scan", root, "--format", "json", "--fail-on", "never")
    facts = _models(run.json())["Qwen/Qwen2.5-7B-Instruct"]
    assert facts["status"] == "unresolved"
    assert facts["reason"] == "Hub server error (HTTP 503) (gave up after 3 attempts)"
    assert len(hub.model_requests("Qwen/Qwen2.5-7B-Instruct")) == 3
    assert "Traceback" not in run.stderr


def test_token_is_sent_but_never_printed(cli, hub, project, monkeypatch):
    secret = "hf_SECRETtoken1234567890"
    monkeypatch.setenv("HF_TOKEN", secret)
    hub.models["acme/private"] = model("acme/private", license="mit")
    root = project({"app.py": _loader("acme/private")})
    run = cli("scan", root, "--format", "json", "--fail-on", "never")
    assert f"Bearer {secret}" in hub.authorization
    assert secret not in run.stdout and secret not in run.stderr
