"""Lineage: base models followed to the root, and the root's vendor, across vendors and re-uploaders."""

from __future__ import annotations

from support.fakehub import Fault, model
from support.scanning import FAST_HUB, loader, models_by_id


def scan_models(cli, root):
    run = cli("scan", root, "--format", "json", "--fail-on", "never")
    assert run.code == 0 and "Traceback" not in run.stderr, run.stderr
    return models_by_id(run.json())


def test_lineage_across_vendors(cli, hub, project):
    root = project({"app.py": loader(
        "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B",   # distilled onto Qwen; the card does not say so
        "bartowski/Qwen2.5-7B-Instruct-GGUF",        # a community quantisation of Qwen
        "yusikyang/Qwen2.5-7B-Instruct-YS-V2",       # a fine-tune of unsloth's re-upload of Qwen
        "TheBloke/Llama-2-7B-Chat-GGUF",             # a quantisation of Meta's chat fine-tune
        "perplexity-ai/r1-1776",                     # another vendor's fine-tune of DeepSeek-R1
        "Qwen/Qwen2.5-7B-Instruct",                  # the vendor's own fine-tune of its base model
    )})
    models = scan_models(cli, root)

    distill = models["deepseek-ai/DeepSeek-R1-Distill-Qwen-7B"]
    assert (distill["vendor"], distill["vendor_country"]) == ("DeepSeek", "China")
    assert (distill["root_vendor"], distill["root_vendor_country"]) == ("Alibaba", "China")
    assert distill["lineage"] == ["deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", "Qwen/Qwen2.5-Math-7B",
                                  "Qwen/Qwen2.5-7B"]
    assert distill["base_relation"] == "distillation"

    gguf = models["bartowski/Qwen2.5-7B-Instruct-GGUF"]
    assert gguf["vendor"] == "bartowski" and gguf["root_vendor"] == "Alibaba"
    assert gguf["lineage"] == ["bartowski/Qwen2.5-7B-Instruct-GGUF", "Qwen/Qwen2.5-7B-Instruct", "Qwen/Qwen2.5-7B"]
    assert gguf["base_relation"] == "quantized"

    community = models["yusikyang/Qwen2.5-7B-Instruct-YS-V2"]
    assert community["lineage"] == ["yusikyang/Qwen2.5-7B-Instruct-YS-V2", "unsloth/Qwen2.5-7B-Instruct",
                                    "Qwen/Qwen2.5-7B-Instruct", "Qwen/Qwen2.5-7B"]
    assert community["vendor"] == "yusikyang" and community["root_vendor"] == "Alibaba"

    llama = models["TheBloke/Llama-2-7B-Chat-GGUF"]
    assert llama["lineage"] == ["TheBloke/Llama-2-7B-Chat-GGUF", "meta-llama/Llama-2-7b-chat-hf",
                                "meta-llama/Llama-2-7b-hf"]
    assert (llama["root_vendor"], llama["root_vendor_country"]) == ("Meta", "United States")

    r1 = models["perplexity-ai/r1-1776"]
    assert (r1["vendor"], r1["root_vendor"]) == ("Perplexity", "DeepSeek")

    qwen = models["Qwen/Qwen2.5-7B-Instruct"]
    assert qwen["vendor"] == qwen["root_vendor"] == "Alibaba" and qwen["base_relation"] == "finetune"


def test_root_vendor_counts_through_lineage_in_vendor_findings(cli, hub, project):
    root = project({"app.py": loader("bartowski/Qwen2.5-7B-Instruct-GGUF", "yusikyang/Qwen2.5-7B-Instruct-YS-V2",
                                     "openai-community/gpt2")})
    report = cli("scan", root, "--format", "json", "--fail-on", "never").json()
    concentration = [f for f in report["findings"] if f["rule"] == "single-vendor-weights"]
    assert [f["vendor"] for f in concentration] == ["Alibaba"]


def test_base_model_declared_only_by_the_hubs_tags(cli, hub, project):
    hub.models["acme/adapter"] = model("acme/adapter", license="mit", tags=[
        "peft", "base_model:mistralai/Mistral-7B-Instruct-v0.3",
        "base_model:adapter:mistralai/Mistral-7B-Instruct-v0.3"])
    models = scan_models(cli, project({"app.py": loader("acme/adapter")}))
    facts = models["acme/adapter"]
    assert facts["base_relation"] == "adapter" and facts["root_vendor"] == "Mistral AI"
    assert facts["lineage"] == ["acme/adapter", "mistralai/Mistral-7B-Instruct-v0.3", "mistralai/Mistral-7B-v0.3"]


def test_a_merge_lists_every_parent_and_follows_the_first(cli, hub, project):
    hub.models["acme/merged"] = model("acme/merged", base_model=["google/gemma-2-9b-it", "acme/other-parent"])
    hub.models["acme/other-parent"] = model("acme/other-parent")
    facts = scan_models(cli, project({"app.py": loader("acme/merged")}))["acme/merged"]
    assert facts["base_models"] == ["google/gemma-2-9b-it", "acme/other-parent"]
    assert facts["base_relation"] == "merge"
    assert facts["lineage"][:2] == ["acme/merged", "google/gemma-2-9b-it"] and facts["root_vendor"] == "Google"


def test_the_cards_relation_wins_over_the_hubs_inference(cli, hub, project):
    facts = scan_models(cli, project({"app.py": loader("cshared/Qwen-QwQ-32B-4.0bpw-exl2")}))
    quant = facts["cshared/Qwen-QwQ-32B-4.0bpw-exl2"]
    assert quant["base_relation"] == "quantized" and quant["root_vendor"] == "Alibaba"
    assert quant["lineage"] == ["cshared/Qwen-QwQ-32B-4.0bpw-exl2", "Qwen/QwQ-32B", "Qwen/Qwen2.5-32B"]


def test_base_models_given_as_links_or_through_renamed_ids(cli, hub, project):
    hub.models["acme/linked"] = model("acme/linked", base_model="https://huggingface.co/openai-community/gpt2/tree/main")
    hub.models["acme/legacy"] = model("acme/legacy", base_model="gpt2")
    hub.models["acme/local"] = model("acme/local", base_model="./checkpoints/last")
    models = scan_models(cli, project({"app.py": loader("acme/linked", "acme/legacy", "acme/local")}))
    assert models["acme/linked"]["lineage"] == ["acme/linked", "openai-community/gpt2"]
    assert models["acme/legacy"]["lineage"] == ["acme/legacy", "openai-community/gpt2"]
    assert models["acme/legacy"]["root_vendor"] == "OpenAI"
    assert models["acme/local"]["base_models"] == [] and models["acme/local"]["root_vendor"] == "acme"


def test_cycles_end_the_lineage(cli, hub, project):
    hub.models["acme/a"] = model("acme/a", base_model="acme/b")
    hub.models["acme/b"] = model("acme/b", base_model="ACME/A")
    hub.models["acme/self"] = model("acme/self", base_model="acme/self")
    models = scan_models(cli, project({"app.py": loader("acme/a", "acme/self")}))
    assert models["acme/a"]["lineage"] == ["acme/a", "acme/b"]
    assert models["acme/self"]["lineage"] == ["acme/self"] and models["acme/self"]["base_models"] == []


def test_depth_limit(cli, hub, project):
    chain = [f"acme/gen-{i:02d}" for i in range(15)]
    for child, parent in zip(chain, chain[1:]):
        hub.models[child] = model(child, base_model=parent)
    hub.models[chain[-1]] = model(chain[-1])
    models = scan_models(cli, project({"app.py": loader(chain[0])}))
    assert models[chain[0]]["lineage"] == chain[:9]  # the model and eight generations
    requested = {p.split("?")[0].removeprefix("/api/models/") for p in hub.model_requests()}
    assert requested == set(chain[:9]), "no lookups past the depth limit"


def test_lineage_costs_one_round_trip_per_generation(cli, hub, project):
    shared = "Qwen/Qwen2.5-7B-Instruct"
    root = project({"app.py": loader("bartowski/Qwen2.5-7B-Instruct-GGUF", "mradermacher/Qwen2.5-7B-Instruct-GGUF",
                                     "unsloth/Qwen2.5-7B-Instruct", shared)})
    scan_models(cli, root)
    assert len(hub.model_requests(shared)) == 1, "a base model shared by several models is looked up once"


def test_unreachable_parents_still_name_the_root_vendor(cli, hub, project):
    hub.fail("Qwen/Qwen2.5-7B-Instruct", Fault(503, times=None))
    root = project({"app.py": loader("bartowski/Qwen2.5-7B-Instruct-GGUF"), ".model-risk.yaml": FAST_HUB})
    facts = scan_models(cli, root)["bartowski/Qwen2.5-7B-Instruct-GGUF"]
    assert facts["status"] == "resolved"
    assert facts["lineage"] == ["bartowski/Qwen2.5-7B-Instruct-GGUF", "Qwen/Qwen2.5-7B-Instruct"]
    assert facts["root_vendor"] == "Alibaba"
