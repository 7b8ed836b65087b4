"""License classification: Hub ids to SPDX ids, OSI approval and commercial use, and the custom table."""

from __future__ import annotations

from importlib import resources

import pytest
from support.fakehub import model
from support.scanning import findings_of, loader, models_by_id

from model_risk.common import safe_yaml
from model_risk.knowledge import licenses

# hub id -> (SPDX id, OSI approved, commercial use)
SPDX_CASES = {
    "apache-2.0": ("Apache-2.0", True, True),
    "mit": ("MIT", True, True),
    "gpl-3.0": ("GPL-3.0-only", True, True),
    "agpl-3.0": ("AGPL-3.0-only", True, True),
    "lgpl-2.1": ("LGPL-2.1-only", True, True),
    "bsd-3-clause": ("BSD-3-Clause", True, True),
    "bsd-3-clause-clear": ("BSD-3-Clause-Clear", False, True),  # FSF-libre, not OSI
    "cc0-1.0": ("CC0-1.0", False, True),
    "cc-by-4.0": ("CC-BY-4.0", False, True),
    "cc-by-sa-4.0": ("CC-BY-SA-4.0", False, True),
    "cc-by-nd-4.0": ("CC-BY-ND-4.0", False, True),
    "cc-by-nc-4.0": ("CC-BY-NC-4.0", False, False),
    "cc-by-nc-sa-4.0": ("CC-BY-NC-SA-4.0", False, False),
    "cc-by-nc-nd-3.0": ("CC-BY-NC-ND-3.0", False, False),
    "odc-by": ("ODC-By-1.0", False, True),
    "pddl": ("PDDL-1.0", False, True),
    "c-uda": ("C-UDA-1.0", False, None),
    "openmdw-1.0": ("OpenMDW-1.0", False, True),
    "Apache-2.0": ("Apache-2.0", True, True),  # SPDX spelling in a card
}

# hub id or license_name -> (commercial use, a word every condition list must mention)
CUSTOM_CASES = {
    "llama2": (True, "700 million"),
    "llama3": (True, "700 million"),
    "llama3.1": (True, "700 million"),
    "llama3.2": (True, "700 million"),
    "llama3.3": (True, "700 million"),
    "llama4": (True, "700 million"),
    "gemma": (True, "Prohibited Use Policy"),
    "qwen": (True, "100 million"),
    "tongyi-qianwen": (True, "100 million"),
    "qwen-research": (False, "non-commercial"),
    "deepseek": (True, "use-based restrictions"),
    "openrail": (True, "use-based restrictions"),
    "openrail++": (True, "use-based restrictions"),
    "creativeml-openrail-m": (True, "use-based restrictions"),
    "bigscience-openrail-m": (True, "use-based restrictions"),
    "bigscience-bloom-rail-1.0": (True, "use-based restrictions"),
    "bigcode-openrail-m": (True, "use-based restrictions"),
}

NON_COMMERCIAL = ["apple-amlr", "fair-noncommercial-research-license", "deepfloyd-if-license", "h-research",
                  "intel-research", "qwen-research", "msrla"]


@pytest.mark.parametrize("hub_id", sorted(SPDX_CASES))
def test_spdx_licenses(hub_id):
    spdx, osi, commercial = SPDX_CASES[hub_id]
    facts = licenses.classify(hub_id)
    assert (facts.hub, facts.spdx, facts.osi, facts.commercial) == (hub_id, spdx, osi, commercial)
    assert facts.name  # the SPDX list's full name


def test_creative_commons_terms_become_conditions():
    assert licenses.classify("cc-by-nd-4.0").condition_kinds == ("attribution", "no-derivatives")
    assert licenses.classify("cc-by-nc-sa-4.0").condition_kinds == ("attribution", "non-commercial", "share-alike")
    assert licenses.classify("cc-by-4.0").commercial_use == "conditional"
    assert licenses.classify("mit").conditions == () and licenses.classify("mit").commercial_use == "yes"


@pytest.mark.parametrize("hub_id", sorted(CUSTOM_CASES))
def test_custom_model_licenses(hub_id):
    commercial, condition_word = CUSTOM_CASES[hub_id]
    facts = licenses.classify(hub_id)
    assert facts.spdx is None and facts.osi is False and facts.commercial is commercial
    assert any(condition_word in c for c in facts.conditions), facts.conditions
    assert facts.link and facts.link.startswith("https://")


@pytest.mark.parametrize("hub_id", NON_COMMERCIAL)
def test_research_licenses_forbid_commercial_use(hub_id):
    facts = licenses.classify(hub_id)
    assert facts.commercial is False and facts.osi is False


def test_other_with_a_known_license_name():
    facts = licenses.classify("other", "qwen", "https://huggingface.co/Qwen/Qwen2.5-72B-Instruct/blob/main/LICENSE")
    assert (facts.hub, facts.declared_name, facts.name) == ("other", "qwen", "Qwen License Agreement")
    assert facts.commercial is True and facts.osi is False and facts.conditions
    assert facts.link == "https://huggingface.co/Qwen/Qwen2.5-72B-Instruct/blob/main/LICENSE"
    assert licenses.classify("other", "qwen-72b-licence").name == "Tongyi Qianwen License Agreement"
    assert licenses.classify("other", "llama3").commercial is True


def test_other_with_an_unknown_license_name_claims_nothing():
    facts = licenses.classify("other", "coqui-public-model-license", "https://coqui.ai/cpml")
    assert (facts.hub, facts.name, facts.link) == ("other", "coqui-public-model-license", "https://coqui.ai/cpml")
    assert facts.spdx is None and facts.osi is False and facts.commercial is None


def test_other_without_a_name():
    facts = licenses.classify("other")
    assert facts.name == "Other (custom license)" and facts.commercial is None and facts.osi is False


def test_no_license_and_unknown_ids():
    assert licenses.classify(None) is None
    assert licenses.classify("") is None
    assert licenses.classify("unknown") is None
    only_name = licenses.classify(None, "acme-terms")
    assert only_name.hub == "other" and only_name.name == "acme-terms"
    unheard = licenses.classify("acme-eula-7")
    assert (unheard.hub, unheard.spdx, unheard.osi, unheard.commercial) == ("acme-eula-7", None, None, None)


def test_a_list_of_licenses_is_a_choice():
    facts = licenses.classify(["llama3", "apache-2.0"])
    assert facts.hub == "llama3 OR apache-2.0" and facts.spdx == "Apache-2.0"
    assert facts.osi is True and facts.commercial is True
    assert licenses.classify("llama3 OR apache-2.0") == facts  # the stored form reads back the same
    assert licenses.classify(["cc-by-nc-4.0"]).commercial is False


def test_every_table_entry_names_its_source_and_is_well_formed():
    text = resources.files("model_risk").joinpath("knowledge/data/licenses.yaml").read_text(encoding="utf-8")
    data = safe_yaml.load(text).data
    for key, entry in data["licenses"].items():
        assert entry.get("source"), key
        assert entry.get("name"), key
        assert entry.get("commercial") in (True, False, None), key
        assert entry.get("osi") in (True, False, None), key
        assert all(isinstance(c, str) for c in entry.get("conditions") or ()), key
        if entry.get("spdx"):
            assert licenses.spdx_license(entry["spdx"]) is not None, key
    for hub_id, spdx_id in data["spdx_ids"].items():
        assert licenses.spdx_license(spdx_id) is not None, hub_id


def test_license_facts_in_the_report(cli, hub, project):
    hub.models["acme/custom"] = model("acme/custom", license="other",
                                      card={"license_name": "acme-terms", "license_link": "LICENSE"})
    hub.models["acme/nc"] = model("acme/nc", license="cc-by-nc-4.0")
    hub.models["acme/bare"] = model("acme/bare")
    root = project({"app.py": loader("Qwen/Qwen2.5-72B-Instruct", "acme/custom", "acme/nc", "acme/bare")})
    report = cli("scan", root, "--format", "json", "--fail-on", "never").json()
    models = models_by_id(report)
    qwen = models["Qwen/Qwen2.5-72B-Instruct"]["license"]
    assert {k: qwen[k] for k in ("hub", "name", "spdx", "osi", "commercial", "commercial_use", "link",
                                 "declared_name")} == {
        "hub": "other", "name": "Qwen License Agreement", "spdx": None, "osi": False, "commercial": True,
        "commercial_use": "conditional", "link": "https://huggingface.co/Qwen/Qwen2.5-72B-Instruct/blob/main/LICENSE",
        "declared_name": "qwen"}
    assert qwen["condition_kinds"] == ["user-threshold", "attribution"]
    assert qwen["conditions"][0].startswith("user-threshold: commercial use in a product or service with more "
                                            "than 100 million monthly active users needs a license")
    assert models["acme/custom"]["license"]["name"] == "acme-terms"
    assert models["acme/custom"]["license"]["link"] == f"{hub.url}/acme/custom/blob/main/LICENSE"
    assert models["acme/bare"]["license"] is None
    assert "acme/custom" in findings_of(report, "non-osi-license")
    assert "acme/nc" in findings_of(report, "non-commercial-license")
    assert "acme/bare" in findings_of(report, "unknown-license")
    # A license model-risk cannot classify is a finding of its own, not silence.
    unknown_terms = findings_of(report, "unknown-commercial-use")
    assert set(unknown_terms) == {"acme/custom"}
    assert unknown_terms["acme/custom"]["severity"] == "medium"
    assert unknown_terms["acme/custom"]["message"] == ("acme/custom is governed by acme-terms, whose commercial terms "
                                                       "model-risk does not know: read it before shipping")


# The licenses people meet on the Hub (issue 25): license id or license_name -> commercial use, and the
# condition kinds the license text sets.
CLASSIFIED = {
    "llama2": ("conditional", {"user-threshold", "output-use", "acceptable-use", "attribution"}),
    "llama3": ("conditional", {"user-threshold", "attribution", "naming", "output-use", "acceptable-use"}),
    "llama3.1": ("conditional", {"user-threshold", "attribution", "naming", "acceptable-use"}),
    "llama3.2": ("conditional", {"user-threshold", "attribution", "naming", "territory", "acceptable-use"}),
    "llama3.3": ("conditional", {"user-threshold", "attribution", "naming", "acceptable-use"}),
    "llama4": ("conditional", {"user-threshold", "attribution", "naming", "territory", "acceptable-use"}),
    "gemma": ("conditional", {"acceptable-use", "attribution", "output-use", "other"}),
    "qwen": ("conditional", {"user-threshold", "attribution"}),
    "qwen-research": ("no", {"non-commercial", "attribution"}),
    "tongyi-qianwen": ("conditional", {"user-threshold", "output-use", "attribution"}),
    "deepseek": ("conditional", {"acceptable-use", "output-use", "attribution", "other"}),
    "mrl": ("no", {"non-commercial", "attribution"}),
    "mnpl": ("no", {"non-commercial", "attribution"}),
    "flux-1-dev-non-commercial-license": ("no", {"non-commercial", "output-use", "acceptable-use", "attribution"}),
    "stabilityai-ai-community": ("conditional", {"user-threshold", "registration", "attribution", "output-use",
                                                 "acceptable-use"}),
    "falcon-llm-license": ("conditional", {"acceptable-use", "attribution"}),
    "glm-4": ("conditional", {"registration", "attribution", "naming", "acceptable-use"}),
    "internlm": ("conditional", {"registration"}),
    "yi-license": ("no", {"non-commercial", "registration", "attribution", "output-use"}),
    "tencent-hunyuan-community": ("conditional", {"territory", "user-threshold", "output-use", "acceptable-use",
                                                  "attribution"}),
    "apple-ascl": ("conditional", {"attribution"}),
    "apple-amlr": ("no", {"non-commercial", "attribution"}),
    "creativeml-openrail-m": ("conditional", {"acceptable-use", "attribution"}),
    "openrail++": ("conditional", {"acceptable-use", "output-use", "attribution"}),
    "modified-mit": ("conditional", {"attribution"}),
    "cc-by-nc-4.0": ("no", {"attribution", "non-commercial"}),
}


@pytest.mark.parametrize("key", sorted(CLASSIFIED))
def test_the_licenses_people_meet_are_classified_with_their_conditions(key):
    commercial_use, kinds = CLASSIFIED[key]
    facts = licenses.classify("other", key) if licenses.lookup(key) else licenses.classify(key)
    assert facts.commercial_use == commercial_use, key
    assert set(facts.condition_kinds) == kinds, facts.conditions


def test_every_entry_says_how_it_was_checked_and_every_condition_its_kind():
    from model_risk.contract.domain import CONDITION_KINDS

    for entry in licenses.entries():
        assert entry.verification in licenses.VERIFICATION, entry.key
        assert entry.checked == "2026-12-07", entry.key
        assert entry.link is None or entry.link.startswith("https://"), entry.key
        for condition in entry.conditions:
            kind = condition.split(":", 1)[0]
            assert kind in CONDITION_KINDS and condition.startswith(f"{kind}: "), (entry.key, condition)


def test_docs_licenses_md_is_generated_from_the_table():
    from support.project import REPO

    from model_risk.knowledge.license_docs import render

    assert (REPO / "docs" / "licenses.md").read_text(encoding="utf-8") == render(), \
        "docs/licenses.md is stale: run `python -m model_risk.knowledge.license_docs > docs/licenses.md`"
    for entry in licenses.entries():
        assert f"### {entry.key}\n" in render()
