"""Vendors: the shipped table, the user's additions in the config, and organisations nobody listed."""

from __future__ import annotations

from importlib import resources

import pytest
from support.fakehub import model
from support.scanning import loader, models_by_id

from model_risk.common import safe_yaml
from model_risk.knowledge.vendors import builtin_vendors

#: The organisations issue 4 names, and the vendor each must map to.
REQUIRED = {
    "Qwen": "Alibaba", "Alibaba-NLP": "Alibaba", "meta-llama": "Meta", "facebook": "Meta", "google": "Google",
    "google-bert": "Google", "mistralai": "Mistral AI", "deepseek-ai": "DeepSeek", "microsoft": "Microsoft",
    "nvidia": "NVIDIA", "openai": "OpenAI", "openai-community": "OpenAI", "CohereLabs": "Cohere",
    "CohereForAI": "Cohere", "BAAI": "BAAI", "tiiuae": "Technology Innovation Institute",
    "zai-org": "Zhipu AI", "THUDM": "Zhipu AI", "moonshotai": "Moonshot AI", "ibm-granite": "IBM",
    "HuggingFaceTB": "Hugging Face",
}


@pytest.mark.parametrize("organization", sorted(REQUIRED))
def test_shipped_table_knows_the_major_vendors(organization):
    vendor, country = builtin_vendors().vendor_of(f"{organization}/some-model")
    assert vendor == REQUIRED[organization] and country


def test_organisations_match_in_any_letter_case():
    assert builtin_vendors().vendor_of("QWEN/x") == ("Alibaba", "China")


def test_an_organisation_not_in_the_table_is_its_own_vendor():
    assert builtin_vendors().vendor_of("some-lab/model") == ("some-lab", None)
    assert builtin_vendors().vendor_of("gpt2") == (None, None)  # a legacy id has no organisation


def test_every_vendor_names_its_source_and_country():
    text = resources.files("model_risk").joinpath("knowledge/data/vendors.yaml").read_text(encoding="utf-8")
    vendors = safe_yaml.load(text).data["vendors"]
    seen: dict[str, str] = {}
    for name, entry in vendors.items():
        assert entry.get("source"), name
        assert entry.get("country"), name
        for organization in entry.get("organizations") or ():
            assert organization.lower() not in seen, f"{organization} listed by {seen.get(organization.lower())} and {name}"
            seen[organization.lower()] = name


def test_vendors_from_the_config(cli, hub, project):
    for name in ("acme/a", "acme-labs/b", "my-qwen-mirror/c", "stranger/d"):
        hub.models[name] = model(name, license="mit")
    config = """\
        vendors:
          Acme Corp:
            country: Germany
            organizations: [acme, acme-labs]
          Alibaba:
            organizations: [my-qwen-mirror]
          In-house:
            country: Canada
            organizations: [unsloth]
        """
    root = project({"app.py": loader("acme/a", "acme-labs/b", "my-qwen-mirror/c", "stranger/d",
                                     "unsloth/Qwen2.5-7B-Instruct"),
                    ".model-risk.yaml": config})
    run = cli("scan", root, "--format", "json", "--fail-on", "never")
    assert run.code == 0, run.stderr
    models = models_by_id(run.json())
    assert (models["acme/a"]["vendor"], models["acme/a"]["vendor_country"]) == ("Acme Corp", "Germany")
    assert models["acme-labs/b"]["vendor"] == "Acme Corp"
    assert (models["my-qwen-mirror/c"]["vendor"], models["my-qwen-mirror/c"]["vendor_country"]) == ("Alibaba", "China")
    assert (models["stranger/d"]["vendor"], models["stranger/d"]["vendor_country"]) == ("stranger", None)
    moved = models["unsloth/Qwen2.5-7B-Instruct"]
    assert (moved["vendor"], moved["vendor_country"], moved["root_vendor"]) == ("In-house", "Canada", "Alibaba")
