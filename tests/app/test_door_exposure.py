"""Every door to a vendor's weights: a project that uses Qwen through Ollama (CLI, Modelfile, client),
ModelScope, OpenRouter, Together and Bedrock, scanned through the CLI against the stand-in Hub (and the
stand-in Ollama registry)."""

from __future__ import annotations

import pytest
from support.fakehub import model
from support.fakeollama import FakeOllamaRegistry
from support.project import validate_report
from support.scanning import findings_of, models_by_id

SEVEN_WAYS = {
    "app/local.py": """
        import ollama

        reply = ollama.chat(model="qwen2.5-coder:7b", messages=[{"role": "user", "content": "hi"}])
    """,
    "Modelfile": """
        FROM qwen2.5:7b
        PARAMETER temperature 0.2
        SYSTEM You are a support bot.
    """,
    "scripts/setup.sh": """
        #!/bin/sh
        ollama pull qwen2.5:7b
        ollama create support-bot -f Modelfile
        ollama run support-bot
    """,
    "app/ms.py": """
        from modelscope import snapshot_download

        path = snapshot_download("Qwen/Qwen2.5-7B-Instruct")
    """,
    "app/router.py": """
        import os
        from openai import OpenAI

        client = OpenAI(base_url="https://openrouter.ai/api/v1", api_key=os.environ["OPENROUTER_API_KEY"])
        answer = client.chat.completions.create(model="qwen/qwen-2.5-72b-instruct", messages=[])
    """,
    "app/together_client.py": """
        from together import Together

        client = Together()
        answer = client.chat.completions.create(model="Qwen/Qwen2.5-72B-Instruct-Turbo", messages=[])
    """,
    "app/bedrock.py": """
        import boto3

        client = boto3.client("bedrock-runtime", region_name="us-east-1")
        answer = client.converse(modelId="qwen.qwen3-32b-v1:0", messages=[])
    """,
}


def _with_weights(hub) -> None:
    """The stand-in Hub holds the weights behind the seven uses (the snapshot lacks two of them)."""
    hub.models["Qwen/Qwen2.5-Coder-7B-Instruct"] = model("Qwen/Qwen2.5-Coder-7B-Instruct", license="apache-2.0",
                                                         base_model="Qwen/Qwen2.5-Coder-7B")
    hub.models["Qwen/Qwen2.5-Coder-7B"] = model("Qwen/Qwen2.5-Coder-7B", license="apache-2.0")
    hub.models["Qwen/Qwen3-32B"] = model("Qwen/Qwen3-32B", license="apache-2.0")


def test_exposure_lists_all_seven_uses_the_hosted_ones_in_their_group(cli, hub, project):
    _with_weights(hub)
    root = project(SEVEN_WAYS)
    run = cli("exposure", "Alibaba", root, "--format", "json")
    assert run.code == 0, run.stderr
    doc = run.json()
    groups = {g["level"]: sorted((r["path"], r["line"], r["written"]) for r in g["references"]) for g in doc["groups"]}
    assert groups["hosted"] == [("app/bedrock.py", 4, "qwen.qwen3-32b-v1:0"),
                                ("app/router.py", 5, "qwen/qwen-2.5-72b-instruct"),
                                ("app/together_client.py", 4, "Qwen/Qwen2.5-72B-Instruct-Turbo")]
    assert groups["unpinned"] == [("Modelfile", 1, "qwen2.5:7b"), ("app/local.py", 3, "qwen2.5-coder:7b"),
                                  ("app/ms.py", 3, "Qwen/Qwen2.5-7B-Instruct"), ("scripts/setup.sh", 2, "qwen2.5:7b")]
    assert doc["references"] == 7 and not groups["api"] and not groups["derived"]
    hosted = {r["written"]: r for r in next(g for g in doc["groups"] if g["level"] == "hosted")["references"]}
    assert hosted["qwen/qwen-2.5-72b-instruct"]["provider"] == "OpenRouter"
    assert hosted["Qwen/Qwen2.5-72B-Instruct-Turbo"]["provider"] == "Together AI"
    assert hosted["qwen.qwen3-32b-v1:0"]["provider"] == "Amazon Bedrock"
    assert hosted["qwen/qwen-2.5-72b-instruct"]["lineage"][1:] == ["Qwen/Qwen2.5-72B-Instruct", "Qwen/Qwen2.5-72B"]
    # `ollama create support-bot` makes a model of the project's own: `ollama run support-bot` is not Qwen's
    assert all(r["written"] != "support-bot" for g in doc["groups"] for r in g["references"])

    text = cli("exposure", "Alibaba", root).stdout
    assert "Open weights served by a third-party API (the provider may keep serving an old release; " \
           "new releases stop with the vendor): 3" in text
    assert "[hosted by OpenRouter; Qwen License Agreement]  serves Qwen/Qwen2.5-72B-Instruct" in text
    assert "packages Qwen/Qwen2.5-7B-Instruct" in text and "mirrors Qwen/Qwen2.5-7B-Instruct" in text
    assert cli("exposure", "Alibaba", root, "--fail-on-exposure", "hosted").code == 1


def test_no_finding_calls_a_door_model_missing_from_the_hub_or_unpinned(cli, hub, project):
    _with_weights(hub)
    root = project(SEVEN_WAYS)
    run = cli("scan", root, "--format", "json", "--fail-on", "never")
    assert run.code == 0, run.stderr
    report = run.json()
    validate_report(report)
    assert not findings_of(report, "model-not-found") and not findings_of(report, "unpinned-revision")
    kinds = {(r["path"], r["model"]): (r["door"], r["kind"], r["provider"]) for r in report["references"]}
    # `kind` keeps report version 1's meaning (what the written name is), `door` says the route: a
    # ModelScope id that is the Hub repo id of its weights is a Hub id; a tag or a provider's own id is not.
    assert kinds[("Modelfile", "qwen2.5:7b")] == ("ollama", "api", "Ollama")
    assert kinds[("app/ms.py", "Qwen/Qwen2.5-7B-Instruct")] == ("modelscope", "hub", "ModelScope")
    assert kinds[("app/bedrock.py", "qwen.qwen3-32b-v1:0")] == ("hosted", "api", "Amazon Bedrock")
    assert all(kind in ("hub", "api", "internal") for _door, kind, _provider in kinds.values())
    # a door's name is vouched for by the weights behind it, which the Hub has; never asked of the Hub itself
    verified = {(r["path"], r["model"]): r["verified_by"] for r in report["references"]}
    assert verified[("Modelfile", "qwen2.5:7b")] == verified[("app/bedrock.py", "qwen.qwen3-32b-v1:0")] == "door"
    models = models_by_id(report)
    ollama = models["ollama:qwen2.5:7b"]
    assert (ollama["kind"], ollama["status"], ollama["vendor"], ollama["root_vendor"]) == ("ollama", "resolved",
                                                                                          "Alibaba", "Alibaba")
    assert ollama["base_models"] == ["Qwen/Qwen2.5-7B-Instruct"] and ollama["license"]["spdx"] == "Apache-2.0"
    assert models["openrouter:qwen/qwen-2.5-72b-instruct"]["effective_license"]["name"] == "Qwen License Agreement"
    assert "openrouter:qwen/qwen-2.5-72b-instruct" in findings_of(report, "non-osi-license")
    # the providers' ids were never asked of the Hub; the weights behind them were
    assert not hub.model_requests("qwen/qwen-2.5-72b-instruct")
    assert not hub.model_requests("Qwen/Qwen2.5-72B-Instruct-Turbo")
    assert hub.model_requests("Qwen/Qwen2.5-72B-Instruct")
    # one vendor entry, the same weights through several doors counted once
    alibaba = next(v for v in report["vendors"] if v["vendor"] == "Alibaba")
    assert alibaba["exposure"]["hosted"] == 3 and alibaba["exposure"]["unpinned"] == 4
    assert alibaba["open_weight_models"] == 4  # 7B, Coder-7B, 72B, Qwen3-32B


def test_offline_the_doors_still_name_the_vendor_from_the_tables(cli, project):
    run = cli("exposure", "Alibaba", project(SEVEN_WAYS), "--format", "json", "--offline")
    assert run.code == 0, run.stderr
    doc = run.json()
    assert doc["references"] == 7
    assert sum(1 for g in doc["groups"] if g["level"] == "hosted" for _ in g["references"]) == 3


def test_a_distillation_served_by_ollama_is_derived_for_the_base_vendor(cli, hub, project):
    root = project({"app.py": 'import ollama\nollama.chat(model="deepseek-r1:7b", messages=[])\n'})
    alibaba = cli("exposure", "Alibaba", root, "--format", "json").json()
    derived = next(g for g in alibaba["groups"] if g["level"] == "derived")["references"]
    assert [(r["model"], r["vendor"]) for r in derived] == [("ollama:deepseek-r1:7b", "DeepSeek")]
    deepseek = cli("exposure", "DeepSeek", root, "--format", "json").json()
    assert [r["model"] for g in deepseek["groups"] if g["level"] == "unpinned" for r in g["references"]] == \
        ["ollama:deepseek-r1:7b"]


@pytest.fixture
def registry(monkeypatch):
    server = FakeOllamaRegistry().start()
    monkeypatch.setenv("MODEL_RISK_OLLAMA_REGISTRY", server.url)
    yield server
    server.stop()


def test_ollamas_registry_confirms_tags_and_carries_the_license(cli, hub, project, registry):
    root = project({"app.py": """
        import ollama
        known = ollama.chat(model="qwen2.5:7b", messages=[])
        fresh = ollama.chat(model="newmodel:1b", messages=[])
        typo = ollama.chat(model="qwen2.5:8x", messages=[])
    """})
    report = cli("scan", root, "--format", "json", "--fail-on", "never").json()
    validate_report(report)
    models = models_by_id(report)
    known = models["ollama:qwen2.5:7b"]
    assert known["status"] == "resolved" and known["sha"].startswith("sha256:")
    # a library model the table does not list: the registry's license layer says what it ships under
    fresh = models["ollama:newmodel:1b"]
    assert (fresh["status"], fresh["license"]["spdx"], fresh["base_models"]) == ("resolved", "Apache-2.0", [])
    typo = models["ollama:qwen2.5:8x"]
    assert typo["status"] == "unresolved" and "Ollama's registry has no qwen2.5:8x" in typo["reason"]
    assert typo["vendor"] == "Alibaba"  # a tag of a library model the table knows: the same publisher
    assert "/v2/library/qwen2.5/manifests/8x" in registry.requests
    # answers are cached: a second scan asks nothing
    before = len(registry.requests)
    cli("scan", root, "--format", "json", "--fail-on", "never")
    assert len(registry.requests) == before


def test_the_registry_is_asked_only_online_and_only_when_named(cli, project, registry, monkeypatch):
    root = project({"app.py": 'import ollama\nollama.chat(model="qwen2.5:7b", messages=[])\n'})
    cli("scan", root, "--offline", "--format", "json", "--fail-on", "never")
    assert registry.requests == []
    monkeypatch.setenv("MODEL_RISK_OLLAMA_REGISTRY", "ftp://registry.example")
    run = cli("scan", root, "--format", "json")
    assert run.code == 2 and "MODEL_RISK_OLLAMA_REGISTRY must be an http:// or https:// URL" in run.stderr


DOOR_OVERLAY = """
    as_of: 2026-11-30
    ollama:
      acme-lm:
        source: https://ollama.com/library/acme-lm
        latest: 7b
        tags:
          7b: Qwen/Qwen2.5-7B-Instruct
    hosting:
      providers:
        ACME Cloud:
          source: https://acme.example/docs/inference
          hosts: [inference.acme.example]
          prefixes: [acme_cloud]
          ids: publisher
          models:
            qwen/qwen-7b-fast: {weights: Qwen/Qwen2.5-7B-Instruct, source: https://acme.example/models}
    modelscope:
      vendors:
        acme-ms: {vendor: Alibaba, source: "ACME's ModelScope page"}
    """


def test_a_knowledge_overlay_adds_ollama_models_providers_and_modelscope_organisations(cli, hub, project):
    root = project({
        "app.py": """
            import ollama
            from openai import OpenAI
            from modelscope import snapshot_download
            ollama.chat(model="acme-lm", messages=[])
            client = OpenAI(base_url="https://inference.acme.example/v1")
            client.chat.completions.create(model="qwen/qwen-7b-fast", messages=[])
            snapshot_download("acme-ms/tiny-bert")
        """,
        "knowledge/doors.yaml": DOOR_OVERLAY,
        ".model-risk.yaml": "knowledge:\n  - knowledge/doors.yaml\n",
    })
    run = cli("scan", root, "--format", "json", "--fail-on", "never")
    assert run.code == 0, run.stderr
    report = run.json()
    models = models_by_id(report)
    assert models["ollama:acme-lm:latest"]["base_models"] == ["Qwen/Qwen2.5-7B-Instruct"]
    hosted = models["acme_cloud:qwen/qwen-7b-fast"]
    assert (hosted["provider"], hosted["base_models"]) == ("ACME Cloud", ["Qwen/Qwen2.5-7B-Instruct"])
    assert models["modelscope:acme-ms/tiny-bert"]["vendor"] == "Alibaba"
    assert report["scan"]["knowledge"]["overlays"][0]["tables"] == ["ollama", "hosting", "modelscope"]


def test_door_models_carry_no_hub_purl_in_the_ml_bom(cli, hub, project, tmp_path):
    import json

    from support.report_schemas import validate_cyclonedx

    _with_weights(hub)
    out = tmp_path / "bom.json"
    run = cli("scan", project(SEVEN_WAYS), "--format", "cyclonedx", "--output", out, "--fail-on", "never")
    assert run.code == 0, run.stderr
    bom = json.loads(out.read_text())
    validate_cyclonedx(bom)
    purls = {c["name"]: c.get("purl") for c in bom["components"]}
    assert purls["ollama:qwen2.5:7b"] is None and purls["openrouter:qwen/qwen-2.5-72b-instruct"] is None
    assert purls["Qwen/Qwen2.5-7B-Instruct"].startswith("pkg:huggingface/Qwen/Qwen2.5-7B-Instruct")
