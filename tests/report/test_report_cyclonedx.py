"""CycloneDX 1.6 ML-BOM: valid against the official schema, one machine-learning-model per model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from support.project import REPO
from support.report_schemas import validate_cyclonedx

FIXTURE = REPO / "tests" / "fixtures" / "report-project"
QWEN_SHA = "a09a35458c702b33eeacc393d103063234e8bc28"


def bom_of(cli, root: Path) -> dict[str, Any]:
    run = cli("scan", root, "--offline", "--format", "cyclonedx")
    assert run.code in (0, 1), run.stderr
    document = json.loads(run.stdout)
    validate_cyclonedx(document)
    return document


@pytest.fixture(scope="module")
def bom(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The fixture project, with the locked sha of one model in upper case and a legacy id nobody locked."""
    from conftest import run_cli

    root = tmp_path_factory.mktemp("bom") / "project"
    shutil.copytree(FIXTURE, root)
    lockfile = root / "model-risk.lock"
    lock = json.loads(lockfile.read_text(encoding="utf-8"))
    lock["models"][f"Qwen/Qwen2.5-7B-Instruct@{QWEN_SHA}"]["sha"] = QWEN_SHA.upper()
    lockfile.write_text(json.dumps(lock), encoding="utf-8")
    (root / "app" / "legacy_gpt2.py").write_text(
        'from transformers import AutoModel\nAutoModel.from_pretrained("gpt2")\n', encoding="utf-8")
    return bom_of(run_cli, root)


def component(bom: dict[str, Any], name: str) -> dict[str, Any]:
    [match] = [c for c in bom["components"] if c["name"] == name]
    return match


def properties(item: dict[str, Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for prop in item.get("properties", ()):
        out.setdefault(prop["name"], []).append(prop["value"])
    return out


def test_envelope(bom: dict[str, Any]):
    assert bom["bomFormat"] == "CycloneDX" and bom["specVersion"] == "1.6"
    assert bom["serialNumber"].startswith("urn:uuid:")
    [tool] = bom["metadata"]["tools"]["components"]
    assert tool["name"] == "model-risk" and tool["type"] == "application"
    assert bom["metadata"]["timestamp"].endswith("+00:00")


def _loaded(bom: dict[str, Any]) -> list[dict[str, Any]]:
    """The components of models the code loads (the others are base models known from lineage)."""
    return [c for c in bom["components"] if "model-risk:role" not in properties(c)]


def test_one_machine_learning_model_component_per_model(bom: dict[str, Any]):
    names = sorted(c["name"] for c in _loaded(bom))
    assert len(names) == 11 and len(set(names)) == 11
    assert all(c["type"] == "machine-learning-model" for c in bom["components"])
    assert len({c["bom-ref"] for c in bom["components"]}) == len(bom["components"])


def test_the_project_depends_on_its_models_and_they_on_their_base_models(bom: dict[str, Any]):
    project = bom["metadata"]["component"]
    assert project["type"] == "application" and project["name"] == "project" and project["bom-ref"]
    graph = {d["ref"]: set(d.get("dependsOn", ())) for d in bom["dependencies"]}
    ref = {c["name"]: c["bom-ref"] for c in bom["components"]}
    assert graph[project["bom-ref"]] == {c["bom-ref"] for c in _loaded(bom)}
    # lineage: the quantized GGUF -> the instruct model it was made from -> that one's base model
    gguf, instruct, base = (ref[n] for n in ("bartowski/Qwen2.5-7B-Instruct-GGUF", "Qwen/Qwen2.5-7B-Instruct",
                                             "Qwen/Qwen2.5-7B"))
    assert graph[gguf] == {instruct} and graph[instruct] == {base} and graph[base] == set()
    lineage_only = component(bom, "Qwen/Qwen2.5-7B")
    assert properties(lineage_only)["model-risk:role"] == ["base model (lineage only)"]
    assert "evidence" not in lineage_only
    # every edge has two ends
    assert set(graph) >= {t for targets in graph.values() for t in targets}


def test_hugging_face_purls(bom: dict[str, Any]):
    qwen = component(bom, "Qwen/Qwen2.5-7B-Instruct")
    assert qwen["purl"] == f"pkg:huggingface/Qwen/Qwen2.5-7B-Instruct@{QWEN_SHA}"  # sha lowercased
    assert qwen["version"] == QWEN_SHA and qwen["group"] == "Qwen" and qwen["bom-ref"] == qwen["purl"]
    bert = component(bom, "google-bert/bert-base-uncased")  # written as the legacy id bert-base-uncased
    assert bert["purl"] == "pkg:huggingface/google-bert/bert-base-uncased@86b5e0934494bd15c9632b12f734a8a67f723594"
    assert properties(bert)["model-risk:alias"] == ["bert-base-uncased"]
    assert component(bom, "bartowski/Qwen2.5-7B-Instruct-GGUF")["purl"] == \
        "pkg:huggingface/bartowski/Qwen2.5-7B-Instruct-GGUF"  # no sha known: no version
    gone = component(bom, "acme-labs/summarizer-v1")
    assert gone["purl"] == "pkg:huggingface/acme-labs/summarizer-v1"
    assert properties(gone)["model-risk:status"] == ["not-found"]
    legacy = component(bom, "gpt2")  # unresolved, so its organisation is unknown: no purl can be written
    assert "purl" not in legacy and properties(legacy)["model-risk:status"] == ["unresolved"]


def test_licenses_spdx_id_or_name(bom: dict[str, Any]):
    qwen = component(bom, "Qwen/Qwen2.5-7B-Instruct")
    assert qwen["licenses"] == [{"license": {
        "id": "Apache-2.0", "acknowledgement": "declared",
        "url": "https://huggingface.co/Qwen/Qwen2.5-7B-Instruct/blob/main/LICENSE"}}]
    llama = component(bom, "meta-llama/Llama-3.1-8B-Instruct")["licenses"][0]["license"]
    assert llama["name"] == "Llama 3.1 Community License Agreement" and "id" not in llama
    research = component(bom, "Qwen/Qwen2.5-3B-Instruct")
    assert research["licenses"][0]["license"]["name"] == "Qwen Research License Agreement"
    assert properties(research)["model-risk:license-commercial-use"] == ["false"]
    assert "licenses" not in component(bom, "acme-labs/sentiment-tiny")


def test_supplier_publisher_and_lineage(bom: dict[str, Any]):
    quant = component(bom, "bartowski/Qwen2.5-7B-Instruct-GGUF")
    assert quant["supplier"] == {"name": "bartowski"} and quant["publisher"] == "bartowski"
    [base] = quant["pedigree"]["ancestors"]
    assert base["name"] == "Qwen/Qwen2.5-7B-Instruct" and base["purl"] == "pkg:huggingface/Qwen/Qwen2.5-7B-Instruct"
    [root] = base["pedigree"]["ancestors"]
    assert root["name"] == "Qwen/Qwen2.5-7B" and root["type"] == "machine-learning-model"
    assert properties(quant)["model-risk:root-vendor"] == ["Alibaba"]
    assert component(bom, "google-bert/bert-base-uncased")["supplier"] == {"name": "Google"}


def test_where_each_model_is_loaded(bom: dict[str, Any]):
    occurrences = component(bom, "google-bert/bert-base-uncased")["evidence"]["occurrences"]
    assert [(o["location"], o["line"], o["offset"], o["symbol"]) for o in occurrences] == [
        ("app/classify.py", 5, 43, "bert-base-uncased"), ("app/classify.py", 6, 65, "bert-base-uncased")]
    reasoner = component(bom, "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B")["evidence"]["occurrences"][0]
    assert "trust_remote_code=True" in reasoner["additionalContext"]


def test_model_card_fields_that_are_known(bom: dict[str, Any]):
    card = component(bom, "Qwen/Qwen2.5-7B-Instruct")["modelCard"]
    assert card["modelParameters"] == {"task": "text-generation", "architectureFamily": "qwen2",
                                       "modelArchitecture": "Qwen2ForCausalLM"}
    assert properties(card) == {"model-risk:language": ["en"], "model-risk:parameters": ["7615616512"]}
    sentiment = component(bom, "acme-labs/sentiment-tiny")["modelCard"]["modelParameters"]
    assert sentiment["datasets"] == [{"type": "dataset", "name": "stanfordnlp/imdb"}]
    assert "modelCard" not in component(bom, "acme-labs/summarizer-v1")


def test_findings_travel_with_their_model(bom: dict[str, Any]):
    findings = properties(component(bom, "acme-labs/sentiment-tiny"))["model-risk:finding"]
    assert len(findings) == 2
    assert any("unknown-license" in f for f in findings) and any("pickle-only-weights" in f for f in findings)
