"""What each Hub answer becomes, through the real huggingface_hub client and the stand-in Hub."""

from __future__ import annotations

from support.fakehub import Fault, model
from support.scanning import FAST_HUB, findings_of, loader, models_by_id


def scan_json(cli, root):
    run = cli("scan", root, "--format", "json", "--fail-on", "never")
    assert run.code == 0, run.stderr
    assert "Traceback" not in run.stderr
    return run.json()


def test_online_scan_resolves_and_follows_redirects(cli, hub, project):
    root = project({"app.py": loader("Qwen/Qwen2.5-7B-Instruct", "gpt2")})
    report = scan_json(cli, root)
    models = models_by_id(report)
    qwen = models["Qwen/Qwen2.5-7B-Instruct"]
    assert (qwen["status"], qwen["source"], qwen["vendor"]) == ("resolved", "hub", "Alibaba")
    assert qwen["license"]["spdx"] == "Apache-2.0" and qwen["license"]["osi"] is True
    gpt2 = models["openai-community/gpt2"]
    assert gpt2["aliases"] == ["gpt2"] and gpt2["redirected_from"] == ["gpt2"] and gpt2["vendor"] == "OpenAI"
    assert "renamed-model" not in {f["rule"] for f in report["findings"] if f["model"] != gpt2["id"]}
    assert "openai-community/gpt2" in findings_of(report, "renamed-model")
    assert hub.model_requests("gpt2")[0].startswith("/api/models/gpt2?")


def test_renamed_repo_keeps_every_spelling_as_an_alias(cli, hub, project):
    hub.models["acme/new-name"] = model("acme/new-name", license="mit")
    hub.redirects["acme/old-name"] = "acme/new-name"
    root = project({"app.py": loader("acme/old-name", "acme/new-name")})
    report = scan_json(cli, root)
    facts = models_by_id(report)["acme/new-name"]
    assert facts["status"] == "resolved"
    assert facts["aliases"] == ["acme/old-name"] and facts["redirected_from"] == ["acme/old-name"]
    assert len(report["models"]) == 1


def test_missing_repos_are_not_found(cli, hub, project):
    # Anonymous lookups of a missing repo get 401 + RepoNotFound, authenticated ones 404 + RepoNotFound.
    hub.models["acme/deleted"] = {**model("acme/deleted"), "_status": "gone"}
    root = project({"app.py": loader("acme/never-existed", "acme/deleted")})
    report = scan_json(cli, root)
    models = models_by_id(report)
    for name in ("acme/never-existed", "acme/deleted"):
        assert models[name]["status"] == "not-found"
        assert "not found" in models[name]["reason"]
        assert name in findings_of(report, "model-not-found")
    assert len(hub.model_requests("acme/never-existed")) == 1, "a definite answer is not retried"


def test_disabled_repo(cli, hub, project):
    hub.models["acme/taken-down"] = {**model("acme/taken-down"), "_status": "disabled"}
    root = project({"app.py": loader("acme/taken-down")})
    report = scan_json(cli, root)
    facts = models_by_id(report)["acme/taken-down"]
    assert facts["status"] == "disabled" and facts["reason"] == "repository disabled on the Hub"
    assert "acme/taken-down" in findings_of(report, "model-not-found")


def test_unknown_revision(cli, hub, project):
    missing = "0123456789abcdef0123456789abcdef01234567"
    known = "929d90a7473be218ae132181708d94dbf08a0420"
    root = project({"a.py": loader("Qwen/Qwen2.5-7B-Instruct", revision=missing),
                    "b.py": loader("Qwen/Qwen2.5-7B-Instruct", revision=known)})
    report = scan_json(cli, root)
    by_revision = {m["revision"]: m for m in report["models"]}
    assert by_revision[missing]["status"] == "revision-not-found"
    assert by_revision[known]["status"] == "resolved" and by_revision[known]["sha"] == known
    assert f"/api/models/Qwen/Qwen2.5-7B-Instruct/revision/{missing}" in \
        [p.split("?")[0] for p in hub.model_requests()]


def test_other_client_errors_are_unresolved_with_the_status(cli, hub, project):
    hub.models["acme/a"] = model("acme/a")
    hub.models["acme/b"] = model("acme/b")
    hub.fail("acme/a", Fault(401, times=None))  # no X-Error-Code: a rejected token, not a missing repo
    hub.fail("acme/b", Fault(400, times=None))
    root = project({"app.py": loader("acme/a", "acme/b")})
    models = models_by_id(scan_json(cli, root))
    assert models["acme/a"]["status"] == "unresolved" and "HTTP 401" in models["acme/a"]["reason"]
    assert models["acme/b"]["status"] == "unresolved" and models["acme/b"]["reason"] == "Hub answered HTTP 400"
    assert len(hub.model_requests("acme/a")) == len(hub.model_requests("acme/b")) == 1


def test_lookups_ask_only_for_the_properties_used(cli, hub, project):
    root = project({"app.py": loader("openai-community/gpt2")})
    scan_json(cli, root)
    query = hub.model_requests("openai-community/gpt2")[0].split("?", 1)[1]
    expanded = {part.split("=", 1)[1] for part in query.split("&") if part.startswith("expand=")}
    assert {"cardData", "gated", "sha", "siblings", "tags"} <= expanded
    assert not expanded & {"spaces", "widgetData", "model-index", "evalResults"}


def test_rate_limit_is_retried_until_resolved(cli, hub, project):
    root = project({"app.py": loader("Qwen/Qwen2.5-7B-Instruct"), ".model-risk.yaml": FAST_HUB})
    hub.fail("Qwen/Qwen2.5-7B-Instruct", Fault(429, {"Retry-After": "0"}), Fault(429, {"Retry-After": "0"}))
    report = scan_json(cli, root)
    assert models_by_id(report)["Qwen/Qwen2.5-7B-Instruct"]["status"] == "resolved"
    assert len(hub.model_requests("Qwen/Qwen2.5-7B-Instruct")) == 3


def test_retry_after_is_honoured(cli, hub, project):
    import time

    root = project({"app.py": loader("openai-community/gpt2"), ".model-risk.yaml": FAST_HUB})
    hub.fail("openai-community/gpt2", Fault(429, {"Retry-After": "1"}))
    started = time.monotonic()
    report = scan_json(cli, root)
    assert time.monotonic() - started >= 1.0, "the retry came before the Hub's Retry-After"
    assert models_by_id(report)["openai-community/gpt2"]["status"] == "resolved"


def test_a_retry_after_longer_than_max_wait_gives_up_at_once(cli, hub, project):
    root = project({"app.py": loader("openai-community/gpt2"),
                    ".model-risk.yaml": FAST_HUB + "  max-wait: 5\n"})
    hub.fail("openai-community/gpt2", Fault(429, {"Retry-After": "3600"}, times=None))
    facts = models_by_id(scan_json(cli, root))["openai-community/gpt2"]
    assert facts["status"] == "unresolved"
    assert facts["reason"] == "rate limited by the Hub (HTTP 429); the Hub asks to wait 3600s"
    assert len(hub.model_requests("openai-community/gpt2")) == 1


def test_odd_model_card_fields_cost_the_field_not_the_model(cli, hub, project):
    hub.models["acme/odd"] = model("acme/odd", license=None, card={
        "license": ["mit", 5, None], "license_name": ["not", "a", "name"], "license_link": {"url": "x"},
        "base_model": {"id": "acme/base"}, "base_model_relation": ["finetune"],
        "language": [None, "en", 3], "datasets": "acme/data"},
        downloads="many", likes=None, library_name=["transformers"], tags=["license:apache-2.0", 7])
    models = models_by_id(scan_json(cli, project({"app.py": loader("acme/odd")})))
    facts = models["acme/odd"]
    assert facts["status"] == "resolved"
    assert facts["license"]["hub"] == "mit" and facts["license"]["spdx"] == "MIT"
    assert facts["license"]["declared_name"] is None and facts["license"]["link"] is None
    assert facts["base_models"] == [] and facts["base_relation"] is None
    assert facts["card"]["languages"] == ["en"] and facts["card"]["datasets"] == ["acme/data"]
    assert facts["downloads"] is None and facts["library_name"] is None
