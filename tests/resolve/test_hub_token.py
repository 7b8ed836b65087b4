"""HF_TOKEN: sent to the Hub, and nowhere else: not printed, not cached, not locked, not reported."""

from __future__ import annotations

from pathlib import Path

from support.fakehub import Fault, model
from support.scanning import loader, models_by_id

SECRET = "hf_SECRETtoken1234567890abcdef"


def everything_written(*roots: Path) -> str:
    return "\n".join(p.read_bytes().decode("utf-8", "replace") for root in roots for p in root.rglob("*")
                     if p.is_file())


def test_token_is_sent_and_never_written(cli, hub, project, cache_dir, monkeypatch):
    monkeypatch.setenv("HF_TOKEN", SECRET)
    hub.models["acme/private"] = model("acme/private", license="mit", base_model="Qwen/Qwen2.5-7B-Instruct")
    root = project({"app.py": loader("acme/private")})
    runs = [cli("lock", root),
            cli("scan", root, "--format", "json", "--fail-on", "never"),
            cli("scan", root, "--format", "text", "--verbose", "--fail-on", "never"),
            cli("explain", "acme/private", "--format", "json"),
            cli("explain", "acme/private")]
    assert all(run.code == 0 for run in runs), [run.stderr for run in runs]
    assert hub.authorization and set(hub.authorization) == {f"Bearer {SECRET}"}
    for run in runs:
        assert SECRET not in run.stdout and SECRET not in run.stderr
    assert (root / "model-risk.lock").is_file() and list(cache_dir.rglob("*.json"))
    assert SECRET not in everything_written(root, cache_dir)


def test_a_rejected_token_is_reported_without_the_token(cli, hub, project, monkeypatch):
    monkeypatch.setenv("HF_TOKEN", SECRET)
    hub.fail("Qwen/Qwen2.5-7B-Instruct", Fault(401, {"X-Error-Message": "Invalid credentials in Authorization header"},
                                                times=None))
    root = project({"app.py": loader("Qwen/Qwen2.5-7B-Instruct")})
    run = cli("scan", root, "--format", "json", "--fail-on", "never")
    facts = models_by_id(run.json())["Qwen/Qwen2.5-7B-Instruct"]
    assert facts["status"] == "unresolved" and facts["reason"] == "unauthorised (HTTP 401): check HF_TOKEN"
    assert SECRET not in run.stdout + run.stderr


def test_no_token_sends_no_authorization(cli, hub, project):
    cli("scan", project({"app.py": loader("Qwen/Qwen2.5-7B-Instruct")}), "--fail-on", "never")
    assert hub.authorization and set(hub.authorization) == {None}
