"""The license that governs a model along its whole lineage, through the CLI against the stand-in Hub.

The models come from tests/fixtures/hub-licensing.json: DeepSeek's Llama distillations (MIT cards, Llama
bases), a GGUF that relabels its Qwen research-licensed base as Apache-2.0, FLUX.1 [dev], Codestral, and
InternVL2.5-4B (a vision tower merged with a Qwen language model).
"""

from __future__ import annotations

import re

import pytest
from support.fakehub import fixture_models, model
from support.project import REPO, validate_report
from support.scanning import findings_of, loader, models_by_id


@pytest.fixture
def licensing_hub(hub):
    hub.models.update(fixture_models("hub-licensing.json"))
    return hub


def scan(cli, root, *args):
    run = cli("scan", root, "--format", "json", "--fail-on", "never", *args)
    assert run.code == 0 and "Traceback" not in run.stderr, run.stderr
    report = run.json()
    validate_report(report)
    return report


def test_a_distillation_is_governed_by_the_llama_license_of_its_base(cli, licensing_hub, project):
    report = scan(cli, project({"app.py": loader("deepseek-ai/DeepSeek-R1-Distill-Llama-8B",
                                                 "deepseek-ai/DeepSeek-R1-Distill-Llama-70B")}))
    models = models_by_id(report)
    small = models["deepseek-ai/DeepSeek-R1-Distill-Llama-8B"]
    assert small["license"]["spdx"] == "MIT"  # what the card says, kept beside the effective license
    effective = small["effective_license"]
    assert (effective["hub"], effective["name"]) == ("llama3.1", "Llama 3.1 Community License Agreement")
    assert effective["commercial_use"] == "conditional" and effective["osi"] is False
    assert effective["model"] == "meta-llama/Llama-3.1-8B"
    assert effective["path"] == ["deepseek-ai/DeepSeek-R1-Distill-Llama-8B", "meta-llama/Llama-3.1-8B"]
    assert effective["inherited"] is True and effective["inherited_from"] == "meta-llama/Llama-3.1-8B"
    assert {"naming", "attribution", "user-threshold", "acceptable-use"} <= set(effective["condition_kinds"])
    assert [e["model"] for e in effective["licenses"]] == ["deepseek-ai/DeepSeek-R1-Distill-Llama-8B",
                                                           "meta-llama/Llama-3.1-8B"]
    inherited = findings_of(report, "inherited-license")
    assert inherited["deepseek-ai/DeepSeek-R1-Distill-Llama-8B"]["severity"] == "high"
    assert inherited["deepseek-ai/DeepSeek-R1-Distill-Llama-8B"]["message"] == (
        "deepseek-ai/DeepSeek-R1-Distill-Llama-8B's card says MIT, but it is built on meta-llama/Llama-3.1-8B "
        "(Llama 3.1 Community License Agreement), whose terms bind it: it is governed by Llama 3.1 Community "
        "License Agreement through deepseek-ai/DeepSeek-R1-Distill-Llama-8B <- meta-llama/Llama-3.1-8B")
    # The MIT card no longer passes for an open-source license.
    assert "deepseek-ai/DeepSeek-R1-Distill-Llama-8B" in findings_of(report, "non-osi-license")
    large = models["deepseek-ai/DeepSeek-R1-Distill-Llama-70B"]["effective_license"]
    assert (large["hub"], large["model"]) == ("llama3.3", "meta-llama/Llama-3.3-70B-Instruct")
    assert "deepseek-ai/DeepSeek-R1-Distill-Llama-70B" in inherited


def test_a_quantisation_that_relabels_a_research_license_is_non_commercial(cli, licensing_hub, project):
    report = scan(cli, project({"app.py": loader("quant-lab/Qwen2.5-3B-Instruct-GGUF")}))
    quant = models_by_id(report)["quant-lab/Qwen2.5-3B-Instruct-GGUF"]
    assert quant["license"]["spdx"] == "Apache-2.0"
    assert quant["effective_license"]["declared_name"] == "qwen-research"
    assert quant["effective_license"]["commercial"] is False
    assert quant["effective_license"]["model"] == "Qwen/Qwen2.5-3B-Instruct"
    non_commercial = findings_of(report, "non-commercial-license")["quant-lab/Qwen2.5-3B-Instruct-GGUF"]
    assert non_commercial["message"] == (
        "quant-lab/Qwen2.5-3B-Instruct-GGUF is governed by Qwen Research License Agreement (inherited from "
        "Qwen/Qwen2.5-3B-Instruct), which does not allow commercial use")
    assert "quant-lab/Qwen2.5-3B-Instruct-GGUF" in findings_of(report, "inherited-license")


@pytest.mark.parametrize(("model_id", "license_name"), [
    ("black-forest-labs/FLUX.1-dev", "FLUX.1 [dev] Non-Commercial License"),
    ("mistralai/Codestral-22B-v0.1", "Mistral AI Non-Production License"),
])
def test_custom_non_commercial_licenses_are_non_commercial(cli, licensing_hub, project, model_id, license_name):
    report = scan(cli, project({"app.py": loader(model_id)}))
    facts = models_by_id(report)[model_id]
    assert facts["license"]["name"] == license_name and facts["license"]["commercial_use"] == "no"
    assert facts["license"]["condition_kinds"][0] == "non-commercial"
    assert facts["effective_license"]["model"] == model_id and facts["effective_license"]["inherited"] is False
    assert findings_of(report, "non-commercial-license")[model_id]["severity"] == "high"
    assert model_id not in findings_of(report, "unknown-commercial-use")
    assert model_id not in findings_of(report, "inherited-license")


def test_a_merge_of_a_vision_tower_and_a_qwen_model_counts_for_alibaba(cli, licensing_hub, project):
    root = project({"app.py": loader("OpenGVLab/InternVL2_5-4B")})
    report = scan(cli, root)
    facts = models_by_id(report)["OpenGVLab/InternVL2_5-4B"]
    assert facts["base_relation"] == "merge"
    assert facts["root_vendor"] == "Shanghai AI Laboratory"  # the first parent's root
    assert facts["root_vendors"] == ["Shanghai AI Laboratory", "Alibaba"]
    parents = [(link["parent"], link["parent_vendor"], link["origin"]) for link in facts["lineage_links"]
               if link["child"] == "OpenGVLab/InternVL2_5-4B"]
    assert parents == [("OpenGVLab/InternViT-300M-448px-V2_5", "Shanghai AI Laboratory", "card"),
                       ("Qwen/Qwen2.5-3B-Instruct", "Alibaba", "card")]
    # The language model's research license governs the merge, whatever its MIT card says.
    assert facts["effective_license"]["model"] == "Qwen/Qwen2.5-3B-Instruct"
    assert "OpenGVLab/InternVL2_5-4B" in findings_of(report, "non-commercial-license")
    alibaba = next(v for v in report["vendors"] if v["vendor"] == "Alibaba")
    assert [(u["model"], u["relation"]) for u in alibaba["uses"]] == [("OpenGVLab/InternVL2_5-4B", "derived")]

    run = cli("exposure", "Alibaba", root, "--format", "json")
    assert run.code == 0, run.stderr
    exposure = run.json()
    assert exposure["models"] == 1
    derived = next(g for g in exposure["groups"] if g["level"] == "derived")["references"]
    assert [r["model"] for r in derived] == ["OpenGVLab/InternVL2_5-4B"]

    saved = root / "report.json"
    assert cli("scan", root, "--format", "json", "--output", saved, "--fail-on", "never").code == 0
    merged = cli("merge", saved, "--format", "json")
    assert merged.code == 0, merged.stderr
    vendors = {v["name"]: v["open_weight"]["models"] for v in merged.json()["vendors"]}
    assert vendors["Alibaba"] == vendors["Shanghai AI Laboratory"] == ["OpenGVLab/InternVL2_5-4B"]


def test_the_watchlist_and_vendor_checks_see_every_root(cli, licensing_hub, project):
    root = project({"app.py": loader("OpenGVLab/InternVL2_5-4B"),
                    ".model-risk.yaml": "watchlist:\n  - vendor: Alibaba\n    reason: under review\n"})
    report = scan(cli, root)
    assert findings_of(report, "vendor-watchlist")["OpenGVLab/InternVL2_5-4B"]["message"] == (
        "OpenGVLab/InternVL2_5-4B comes from Alibaba, which is on your watchlist (under review)")


def test_unknown_commercial_terms_are_a_finding_and_rules_can_read_the_lineage(cli, hub, project):
    hub.models["acme/base"] = model("acme/base", license="other", card={"license_name": "acme-eula"})
    hub.models["acme/tuned"] = model("acme/tuned", license="apache-2.0", base_model="acme/base")
    hub.models["acme/gemma-tuned"] = model("acme/gemma-tuned", license="apache-2.0",
                                           base_model="google/gemma-2-9b-it")
    blocks = re.findall(r"```yaml\n(.+?)\n```", (REPO / "docs" / "rule-packs.md").read_text(encoding="utf-8"),
                        flags=re.S)
    pack = next(b for b in blocks if b.startswith("pack: lineage-policy"))  # the documented lineage policy
    hub.models["acme/qwen-research-tuned"] = model("acme/qwen-research-tuned", license="apache-2.0",
                                                   base_model="Qwen/Qwen2.5-3B-Instruct")
    root = project({"app.py": loader("acme/tuned", "acme/gemma-tuned", "meta-llama/Llama-3.2-1B",
                                     "acme/qwen-research-tuned"),
                    "policy.yaml": pack, ".model-risk.yaml": "rules:\n  extra-packs: [policy.yaml]\n"})
    report = scan(cli, root)
    unknown = findings_of(report, "unknown-commercial-use")
    assert set(unknown) == {"acme/tuned"}  # the base's unknown terms govern its fine-tune
    assert unknown["acme/tuned"]["message"] == ("acme/tuned is governed by acme-eula (inherited from acme/base), "
                                                "whose commercial terms model-risk does not know: read it before "
                                                "shipping")
    assert "acme/tuned" not in findings_of(report, "inherited-license")  # unknown terms prove nothing stricter
    gemma = findings_of(report, "built-on-gemma")
    assert set(gemma) == {"acme/gemma-tuned"}
    assert gemma["acme/gemma-tuned"]["message"] == ("acme/gemma-tuned is built on google/gemma-2-9b-it, "
                                                    "google/gemma-2-9b; Gemma's terms apply")
    assert set(findings_of(report, "territory-conditions")) == {"meta-llama/Llama-3.2-1B"}
    reviewed = findings_of(report, "non-commercial-ancestor-from-vendor")
    assert reviewed["acme/qwen-research-tuned"]["message"] == (
        "acme/qwen-research-tuned is built on Alibaba weights and governed by Qwen Research License Agreement "
        "(inherited from Qwen/Qwen2.5-3B-Instruct)")
    assert set(reviewed) == {"acme/qwen-research-tuned"}


def test_commercial_use_conditions_are_listed_when_the_rule_is_enabled(cli, hub, project):
    root = project({"app.py": loader("meta-llama/Llama-3.1-8B-Instruct", "Qwen/Qwen2.5-7B-Instruct")})
    assert not findings_of(scan(cli, root), "commercial-use-conditions")  # off unless enabled
    project({".model-risk.yaml": "rules:\n  enable: [commercial-use-conditions]\n"})
    report = scan(cli, root)
    listed = findings_of(report, "commercial-use-conditions")
    assert set(listed) == {"meta-llama/Llama-3.1-8B-Instruct"}  # Apache-2.0 sets no conditions of note
    message = listed["meta-llama/Llama-3.1-8B-Instruct"]["message"]
    assert message.startswith("meta-llama/Llama-3.1-8B-Instruct may be used commercially under Llama 3.1 "
                              "Community License Agreement on these conditions: user-threshold: ")
    assert 'naming: an AI model created, trained or fine-tuned with Llama 3.1 or its outputs' in message


def test_conditions_appear_in_every_report(cli, licensing_hub, project):
    root = project({"app.py": loader("deepseek-ai/DeepSeek-R1-Distill-Llama-8B", "meta-llama/Llama-3.2-1B")})
    text = cli("scan", root, "--fail-on", "never").stdout
    assert "License conditions" in text
    assert "- territory: for the multimodal (vision) models of Llama 3.2" in text
    assert ("* deepseek-ai/DeepSeek-R1-Distill-Llama-8B is governed by Llama 3.1 Community License Agreement "
            "from meta-llama/Llama-3.1-8B; its card says MIT") in " ".join(text.split())
    markdown = cli("scan", root, "--fail-on", "never", "--format", "markdown").stdout
    assert "| Llama 3.1 Community License Agreement (card: MIT) | with conditions |" in markdown
    assert "- territory: for the multimodal (vision) models of Llama 3.2" in markdown
    html = cli("scan", root, "--fail-on", "never", "--format", "html").stdout
    assert '<section id="conditions">' in html
    assert "<li><b>territory</b>: for the multimodal (vision) models of Llama 3.2" in html
    assert "inherited from meta-llama/Llama-3.1-8B; the card says MIT" in html


def test_the_lockfile_keeps_every_parent_for_offline_scans(cli, licensing_hub, project):
    root = project({"app.py": loader("OpenGVLab/InternVL2_5-4B", "deepseek-ai/DeepSeek-R1-Distill-Llama-8B")})
    assert cli("lock", root).code == 0
    licensing_hub.reset_log()
    report = scan(cli, root, "--offline")
    assert licensing_hub.requests == []
    models = models_by_id(report)
    assert models["OpenGVLab/InternVL2_5-4B"]["root_vendors"] == ["Shanghai AI Laboratory", "Alibaba"]
    assert models["OpenGVLab/InternVL2_5-4B"]["effective_license"]["model"] == "Qwen/Qwen2.5-3B-Instruct"
    assert models["deepseek-ai/DeepSeek-R1-Distill-Llama-8B"]["effective_license"]["hub"] == "llama3.1"
    assert {"inherited-license", "non-commercial-license"} <= {f["rule"] for f in report["findings"]}


def test_offline_without_a_lockfile_derivatives_are_credited_to_the_vendor_their_name_names(cli, project):
    root = project({"app.py": loader("bartowski/Qwen2.5-7B-Instruct-GGUF", "unsloth/Llama-3.2-1B-Instruct-bnb-4bit",
                                     "mlx-community/gemma-2-9b-it-4bit", "deepseek-ai/DeepSeek-R1-Distill-Llama-8B",
                                     "acme/house-model")})
    report = scan(cli, root, "--offline")
    models = models_by_id(report)
    roots = {m["id"]: m["root_vendor"] for m in report["models"]}
    assert roots == {"bartowski/Qwen2.5-7B-Instruct-GGUF": "Alibaba",
                     "unsloth/Llama-3.2-1B-Instruct-bnb-4bit": "Meta",
                     "mlx-community/gemma-2-9b-it-4bit": "Google",
                     "deepseek-ai/DeepSeek-R1-Distill-Llama-8B": "Meta",  # model-risk's lineage table, not a guess
                     "acme/house-model": "acme"}
    gguf = models["bartowski/Qwen2.5-7B-Instruct-GGUF"]
    assert gguf["status"] == "unresolved"
    assert gguf["lineage"] == ["bartowski/Qwen2.5-7B-Instruct-GGUF", "Qwen/Qwen2.5-7B-Instruct"]
    assert gguf["lineage_links"] == [{"child": "bartowski/Qwen2.5-7B-Instruct-GGUF", "parent": "Qwen/Qwen2.5-7B-Instruct",
                                      "relation": "quantized", "origin": "name", "parent_vendor": "Alibaba"}]
    assert gguf["effective_license"] is None  # a guess never judges a license
    distill = models["deepseek-ai/DeepSeek-R1-Distill-Llama-8B"]["lineage_links"]
    assert [(link["parent"], link["origin"]) for link in distill] == [("meta-llama/Llama-3.1-8B", "table")]
    text = cli("explain", "bartowski/Qwen2.5-7B-Instruct-GGUF", "--offline").stdout
    assert "└─ Qwen/Qwen2.5-7B-Instruct (quantized, guessed from the name)" in text


def test_the_lineage_graph_stops_at_cycles_depth_and_size(cli, hub, project):
    hub.models["acme/a"] = model("acme/a", license="mit", base_model=["acme/b", "acme/c"])
    hub.models["acme/b"] = model("acme/b", license="mit", base_model="acme/a")  # a cycle back to the model
    hub.models["acme/c"] = model("acme/c", license="cc-by-nc-4.0", base_model="acme/b")  # and a diamond
    wide = [f"acme/part-{i:02d}" for i in range(80)]
    hub.models["acme/wide"] = model("acme/wide", license="mit", base_model=wide)
    for part in wide:
        hub.models[part] = model(part, license="mit")
    report = scan(cli, project({"app.py": loader("acme/a", "acme/wide")}))
    models = models_by_id(report)
    links = {(link["child"], link["parent"]) for link in models["acme/a"]["lineage_links"]}
    assert links == {("acme/a", "acme/b"), ("acme/a", "acme/c"), ("acme/c", "acme/b")}
    assert models["acme/a"]["effective_license"]["spdx"] == "CC-BY-NC-4.0"  # the second parent's terms govern
    assert len(models["acme/wide"]["lineage_links"]) == 63  # the graph holds 64 models at most
