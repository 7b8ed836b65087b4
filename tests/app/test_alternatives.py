"""Replacements from other vendors: `model-risk alternatives MODEL` and `models[].alternatives`, against the
stand-in Hub's list endpoint (with decoys that must not be suggested), offline from the lockfile, and
with the Hub failing during the lookup."""

from __future__ import annotations

import json
import shutil

import pytest
from support.fakehub import LIST, Fault, hang, model

from model_risk import hookimpl
from support.project import DEAD_ENDPOINT, validate_report

from model_risk.knowledge import licenses

TARGET = "Qwen/Qwen2.5-3B-Instruct"
PROJECT = {
    "app/router.py": """
        from transformers import AutoModelForCausalLM

        router = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-3B-Instruct")
        """,
    "app/embed.py": """
        from sentence_transformers import SentenceTransformer

        encoder = SentenceTransformer("BAAI/bge-m3")
        """,
}


def _chat(model_id: str, parameters: int, downloads: int, **fields):
    fields.setdefault("pipeline_tag", "text-generation")
    fields.setdefault("library_name", "transformers")
    return model(model_id, downloads=downloads, safetensors={"parameters": {"BF16": parameters}, "total": parameters},
                 **fields)


@pytest.fixture
def decoys(hub):
    """Popular models that each fail one condition, and one that passes them all."""
    hub.models.update({
        # Someone else's fine-tune of the model itself: Alibaba at the root.
        "community/Qwen2.5-3B-Instruct-abliterated": _chat(
            "community/Qwen2.5-3B-Instruct-abliterated", 3_090_000_000, 9_000_000, license="apache-2.0",
            base_model=TARGET, tags=["license:apache-2.0", f"base_model:finetune:{TARGET}"]),
        "acme/chat-3b-nc": _chat("acme/chat-3b-nc", 3_000_000_000, 8_000_000, license="cc-by-nc-4.0"),
        "acme/chat-30b": _chat("acme/chat-30b", 30_000_000_000, 7_000_000, license="apache-2.0"),
        "acme/chat-3b-gated": _chat("acme/chat-3b-gated", 3_000_000_000, 6_500_000, license="apache-2.0",
                                    gated="manual"),
        "acme/embed-3b": _chat("acme/embed-3b", 3_000_000_000, 6_000_000, license="apache-2.0",
                               pipeline_tag="feature-extraction"),
        "acme/chat-3b-mlx": _chat("acme/chat-3b-mlx", 3_000_000_000, 5_500_000, license="apache-2.0",
                                  library_name="mlx"),
        "otherlab/chat-2b": _chat("otherlab/chat-2b", 2_500_000_000, 2_000_000, license="mit"),
    })
    return hub


def _candidate_queries(hub):
    """The listing queries for candidates (not the ones for a model's GGUF and other variants)."""
    return [q for q in hub.list_requests() if "pipeline_tag=" in q]


def test_suggests_only_other_vendors_with_open_licenses_of_similar_size(cli, decoys, project):
    root = project(PROJECT)
    run = cli("alternatives", TARGET, "--format", "json", cwd=root)
    assert run.code == 0, run.stderr
    doc = run.json()
    ids = [a["id"] for a in doc["alternatives"]]
    # The snapshot's small chat models have contexts of 4,096 and 8,192 tokens: too short for a model of
    # 32,768 (config.json), whatever their popularity.
    assert ids == ["otherlab/chat-2b"]
    rejected = {r["id"]: r["reason"] for r in doc["rejected"]}
    assert rejected["microsoft/Phi-3-mini-4k-instruct"] == "context too short"
    assert rejected["HuggingFaceTB/SmolLM2-1.7B-Instruct"] == "context too short"
    assert rejected["community/Qwen2.5-3B-Instruct-abliterated"] == "Alibaba at the root"
    assert rejected["acme/chat-3b-nc"].startswith("license not accepted")
    # The gated, 30B and MLX ones are not even listed (gated=false, num_parameters, the library filter).
    for alternative in doc["alternatives"]:
        assert alternative["root_vendor"] != "Alibaba"
        assert licenses.classify(alternative["license"].lower()).osi, alternative
        assert alternative["pipeline_tag"] == "text-generation" and alternative["library_name"] == "transformers"
        assert 0.5 <= alternative["parameters"] / 3_090_000_000 <= 2
        # A synthetic model without config files: what is not known is said, not guessed.
        assert any(c["kind"] == "unknown" and "context length" in c["text"] for c in alternative["changes"])
    assert doc["criteria"]["excluded_root_vendors"] == ["Alibaba"] and doc["recorded_in"] == "model-risk.lock"
    assert doc["profile"]["context_length"] == 32768 and doc["profile"]["chat_template"] == "chatml"
    # One list query: the task, the library, the size band, no gating, by downloads.
    [query] = _candidate_queries(decoys)
    assert "pipeline_tag=text-generation" in query and "filter=transformers" in query
    assert "num_parameters=min%3A1545000000%2Cmax%3A6180000000" in query and "gated=false" in query
    assert "sort=downloads" in query


def test_recorded_suggestions_work_offline_and_survive_relocking(cli, decoys, project, monkeypatch):
    root = project(PROJECT)
    assert cli("lock", root).code == 0
    text = cli("alternatives", TARGET, cwd=root)
    assert text.code == 0 and "Recorded in model-risk.lock" in text.stdout
    assert cli("lock", root).code == 0  # re-locking keeps what `alternatives` recorded
    locked = json.loads((root / "model-risk.lock").read_text(encoding="utf-8"))
    assert [a["id"] for a in locked["alternatives"][TARGET]["suggestions"]] == ["otherlab/chat-2b"]
    assert locked["alternatives"][TARGET]["profile"]["context_length"] == 32768
    decoys.stop()
    monkeypatch.setenv("HF_ENDPOINT", DEAD_ENDPOINT)
    offline = cli("alternatives", TARGET, "--offline", cwd=root)
    assert offline.code == 0
    assert "1. otherlab/chat-2b" in offline.stdout and "From model-risk.lock" in offline.stdout
    assert "32,768-token context" in offline.stdout  # the model's facts, recorded with the choice
    report = cli("scan", root, "--offline", "--format", "json", "--fail-on", "never").json()
    validate_report(report)
    target = next(m for m in report["models"] if m["id"] == TARGET)
    assert [a["id"] for a in target["alternatives"]] == ["otherlab/chat-2b"]
    assert target["alternatives"][0]["changes"] == locked["alternatives"][TARGET]["suggestions"][0]["changes"]
    # A model without a finding gets none.
    assert next(m for m in report["models"] if m["id"] == "BAAI/bge-m3")["alternatives"] == []


def test_scan_suggests_for_models_with_findings(cli, decoys, project):
    report = cli("scan", project(PROJECT), "--format", "json", "--fail-on", "never").json()
    validate_report(report)
    target = next(m for m in report["models"] if m["id"] == TARGET)
    assert {"non-commercial-license", "non-osi-license"} <= {f["rule"] for f in report["findings"]
                                                           if f["model"] == TARGET}
    assert target["alternatives"][0]["id"] == "otherlab/chat-2b" and target["alternatives_note"] is None
    assert "otherlab at the root" in target["alternatives"][0]["why"]
    assert target["alternatives"][0]["effort"] == "small"


def test_says_when_no_candidate_qualifies(cli, hub, project):
    sdxl = "stabilityai/stable-diffusion-xl-base-1.0"
    # The snapshot's diffusers pipelines state no size; give the target and the listed pipelines one.
    for entry in hub.models.values():
        if entry.get("pipeline_tag") == "text-to-image":
            entry.setdefault("safetensors", {"parameters": {"F16": 3_500_000_000}, "total": 3_500_000_000})
    root = project({"README.md": "nothing here\n"})
    run = cli("alternatives", sdxl, "--no-record", cwd=root)
    assert run.code == 0, run.stderr
    assert "no candidate qualifies among 2 considered for text-to-image / diffusers" in run.stdout
    assert "1 license not accepted" in run.stdout and "1 Stability AI's own model" in run.stdout
    assert "runwayml/stable-diffusion-v1-5 (license not accepted: CreativeML Open RAIL-M (the card's))" in run.stdout
    assert not (root / "model-risk.lock").exists()


def test_no_size_no_suggestion_and_no_listing(cli, hub, project):
    """A model whose size nobody states gets no size-blind suggestion (gpt2 for a 72B model): the report
    says why, and the Hub's listing is not even asked."""
    hub.models["bigco/chat-72b"] = model("bigco/chat-72b", license="other", license_name="bigco-license",
                                         pipeline_tag="text-generation", library_name="transformers")
    hub.models["openai-community/gpt2"]["safetensors"] = {"parameters": {"F32": 137_000_000}, "total": 137_000_000}
    root = project({"README.md": "nothing here\n"})
    run = cli("alternatives", "bigco/chat-72b", "--no-record", "--format", "json", cwd=root)
    assert run.code == 0, run.stderr
    doc = run.json()
    assert doc["alternatives"] == [] and "size is not known" in doc["note"]
    assert hub.list_requests() == []


def test_licenses_the_config_accepts_count(cli, decoys, project):
    root = project(dict(PROJECT, **{".model-risk.yaml": "alternatives:\n  licenses: [cc-by-nc-4.0]\n  count: 1\n"}))
    doc = cli("alternatives", TARGET, "--format", "json", "--no-record", cwd=root).json()
    assert [a["id"] for a in doc["alternatives"]] == ["acme/chat-3b-nc"]


def _without_alternatives(report):
    report = json.loads(json.dumps(report))
    for m in report["models"]:
        m.pop("alternatives"), m.pop("alternatives_note"), m.pop("source")  # the second scan reads the cache
    for r in report["references"]:
        r.pop("verified_by")  # likewise
    report["summary"].pop("verification")  # and sends other requests
    report["notes"] = [n for n in report["notes"] if "alternatives" not in n["message"]]
    report.pop("scan")
    return report


@pytest.mark.parametrize("fault", [Fault(kind="garbage", times=None), Fault(status=403, times=None)],
                         ids=["garbled", "forbidden"])
def test_hub_faults_during_the_lookup_leave_the_report_intact(cli, decoys, project, fault, cache_dir):
    root = project(PROJECT)
    clean = cli("scan", root, "--format", "json", "--fail-on", "never", "--no-drift").json()
    shutil.rmtree(cache_dir / "lists")  # else the second scan reuses the first one's answer
    decoys.fail(LIST, fault)
    run = cli("scan", root, "--format", "json", "--fail-on", "never", "--no-drift")
    assert run.code == 0 and "Traceback" not in run.stderr
    faulty = run.json()
    validate_report(faulty)
    assert _without_alternatives(faulty) == _without_alternatives(clean)
    target = next(m for m in faulty["models"] if m["id"] == TARGET)
    assert target["alternatives"] == []
    assert target["alternatives_note"].startswith("alternatives not looked up: listing models failed")
    assert any(n["message"].startswith(f"{TARGET}: alternatives not looked up") for n in faulty["notes"])
    assert "alternatives not looked up" in run.stderr


def test_a_hub_that_hangs_costs_the_timeout_only(cli, decoys, project):
    root = project(dict(PROJECT, **{".model-risk.yaml": "alternatives:\n  timeout: 1\n"}))
    decoys.fail(LIST, hang(times=None))
    report = cli("scan", root, "--format", "json", "--fail-on", "never").json()
    target = next(m for m in report["models"] if m["id"] == TARGET)
    assert target["alternatives_note"] == "alternatives not looked up: the Hub did not answer in time"
    cli_run = cli("alternatives", TARGET, cwd=root)
    assert cli_run.code == 1 and "did not answer in time" in cli_run.stdout


def test_a_passing_server_error_is_retried(cli, decoys, project):
    decoys.fail(LIST, Fault(status=503, headers={"Retry-After": "0"}))
    doc = cli("alternatives", TARGET, "--format", "json", "--no-record", cwd=project(PROJECT)).json()
    assert doc["alternatives"][0]["id"] == "otherlab/chat-2b"
    assert len(decoys.list_requests()) >= 2  # the 503, then the retry (a busy machine may add one)


def test_a_hub_that_is_down_is_not_asked_for_alternatives(cli, decoys, project, monkeypatch):
    root = project(PROJECT)
    assert cli("lock", root).code == 0
    decoys.stop()
    monkeypatch.setenv("HF_ENDPOINT", DEAD_ENDPOINT)  # online, but nothing answers
    run = cli("scan", root, "--format", "json", "--fail-on", "never")
    report = run.json()
    target = next(m for m in report["models"] if m["id"] == TARGET)
    # The drift check's lookups found the Hub unreachable, so the list endpoint was never tried (and
    # huggingface_hub's own retries never waited).
    assert target["alternatives_note"] == (
        "alternatives not looked up: the Hub did not answer the scan's model lookups")
    assert target["license"]["declared_name"] == "qwen-research"  # the locked facts, as without the fault


CONCENTRATED = {
    "app/chat.py": """
        from transformers import AutoModelForCausalLM

        chat = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-7B-Instruct")
        small = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-3B-Instruct")
        judge = AutoModelForCausalLM.from_pretrained("meta-llama/Llama-3.1-8B-Instruct")
        """,
}


def test_the_whole_project_at_once_and_never_the_vendor_it_is_concentrated_on(cli, hub, project, monkeypatch):
    root = project(CONCENTRATED)
    assert cli("lock", root).code == 0
    run = cli("alternatives", "--format", "json", cwd=root)
    assert run.code == 0, run.stderr
    by_model = {d["model"]: d for d in run.json()}
    # Two of three models are Alibaba's (single-vendor-weights fires): every Alibaba model is flagged,
    # and the Llama judge (gated, non-OSI) is not offered Qwen models although they qualify otherwise.
    assert set(by_model) == {"Qwen/Qwen2.5-7B-Instruct", "Qwen/Qwen2.5-3B-Instruct", "meta-llama/Llama-3.1-8B-Instruct"}
    judge = by_model["meta-llama/Llama-3.1-8B-Instruct"]
    assert judge["alternatives"] and all(a["root_vendor"] not in ("Alibaba", "Meta") for a in judge["alternatives"])
    assert "Alibaba" in judge["criteria"]["excluded_root_vendors"]
    assert all(d["recorded_in"] == "model-risk.lock" for d in by_model.values())
    hub.stop()
    monkeypatch.setenv("HF_ENDPOINT", DEAD_ENDPOINT)
    report = cli("scan", root, "--offline", "--format", "json", "--fail-on", "never").json()
    # Offline, each model shows what was recorded: its suggestions, or why there are none.
    for m in report["models"]:
        recorded = by_model[m["id"]]
        assert [a["id"] for a in m["alternatives"]] == [a["id"] for a in recorded["alternatives"]]
        assert m["alternatives"] or m["alternatives_note"] == recorded["note"]
    assert cli("alternatives", "--offline", cwd=root).stdout.count("From model-risk.lock") == 3


def test_a_model_the_hub_does_not_know_and_a_broken_lockfile_entry(cli, hub, project):
    root = project(PROJECT)
    run = cli("alternatives", "nope/missing", "--no-record", cwd=root)
    assert run.code == 0
    assert "task (pipeline_tag) is not known (not-found: repository not found on the Hub" in run.stdout
    (root / "model-risk.lock").write_text(
        '{"version": 1, "models": {},\n "alternatives": {"x/y": {"suggestions": "none"}}}\n', encoding="utf-8")
    broken = cli("scan", root, "--offline")
    assert broken.code == 2 and "Traceback" not in broken.stderr
    assert broken.stderr.strip().endswith(
        'model-risk.lock:2: "alternatives" must map model ids to objects with a "suggestions" list')


def test_a_second_online_scan_asks_the_hub_nothing(cli, decoys, project):
    """Model facts, list answers, sizes, and the answers that say there is nothing (a model the Hub does
    not have, a size it does not state) are all cached: an unchanged project costs the Hub no request."""
    decoys.models["bigco/chat-72b-gguf"] = model("bigco/chat-72b-gguf", license="other", license_name="bigco",
                                                 pipeline_tag="text-generation", library_name="transformers")
    root = project(dict(PROJECT, **{"app/more.py": """
        from transformers import AutoModel

        big = AutoModel.from_pretrained("bigco/chat-72b-gguf")
        gone = AutoModel.from_pretrained("acme/never-published-1b")
        twice = AutoModel.from_pretrained("Qwen/Qwen2.5-3B-Instruct")
        """}))
    first = cli("scan", root, "--format", "json", "--fail-on", "never")
    assert first.code == 0, first.stderr
    assert len(_candidate_queries(decoys)) == 1, "one listing query per distinct criteria in a run"
    decoys.reset_log()
    second = cli("scan", root, "--format", "json", "--fail-on", "never")
    assert decoys.requests == []
    assert _without_alternatives(second.json()) == _without_alternatives(first.json())
    assert [m["alternatives"] for m in second.json()["models"]] == [m["alternatives"] for m in first.json()["models"]]


class PrivateResolver:
    """Answers for the user's own registry: its ids must never reach the Hub."""

    plugin_name = "acme-registry"

    @hookimpl
    def resolve_model(self, request, context):
        from model_risk.contract.domain import ModelStatus
        from model_risk.knowledge.facts import build_facts

        if not request.model_id.startswith("acme-internal/"):
            return None
        return build_facts(model_id=request.model_id, status=ModelStatus.RESOLVED, vendors=context.vendors,
                           source="acme-registry", license_id="cc-by-nc-4.0", pipeline_tag="text-generation",
                           library_name="transformers")


def test_a_model_a_resolver_plugin_answered_is_never_sent_to_the_hub(cli, decoys, project):
    from model_risk.app.plugins import load_plugins

    plugins = load_plugins()
    plugins.manager.register(PrivateResolver(), name="acme-registry")
    root = project({"app.py": 'from transformers import AutoModel\n'
                              'AutoModel.from_pretrained("acme-internal/secret-chat-3b")\n'})
    report = cli("scan", root, "--format", "json", "--fail-on", "never", plugins=plugins).json()
    model_doc = report["models"][0]
    assert model_doc["source"] == "acme-registry" and "size is not known" in model_doc["alternatives_note"]
    assert not any("secret-chat" in path for path in decoys.requests)
