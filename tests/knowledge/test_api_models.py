"""The API model table (data/api_models.yaml): every example is recognised, hints cover every name,
and the vendors' open-weight Hub repos are not mistaken for API names."""

from __future__ import annotations

from importlib import resources

import pytest

from model_risk.common import safe_yaml
from model_risk.detect import model_names
from model_risk.knowledge import api_models

TABLE = safe_yaml.load(
    resources.files("model_risk").joinpath("knowledge", "data", "api_models.yaml").read_text(encoding="utf-8")).data
EXAMPLES = [(vendor, name) for vendor, spec in TABLE["vendors"].items() for name in spec["examples"]]


@pytest.mark.parametrize(("vendor", "name"), EXAMPLES)
def test_examples_are_recognised_and_hinted(vendor, name):
    assert api_models.vendor_of(name) == vendor
    assert name.lower().startswith(tuple(TABLE["vendors"][vendor]["hints"]))


def test_every_vendor_names_its_source_and_is_a_known_vendor():
    from model_risk.knowledge.vendors import builtin_vendors

    known = builtin_vendors().vendors
    for vendor, spec in TABLE["vendors"].items():
        assert spec["source"].startswith("https://"), vendor
        assert vendor in known, f"{vendor} is not in data/vendors.yaml"


@pytest.mark.parametrize("repo", [
    "openai/gpt-oss-20b", "openai/whisper-large-v3", "Qwen/Qwen2.5-7B-Instruct", "Qwen/QwQ-32B",
    "mistralai/Mistral-Large-Instruct-2411", "google/gemma-2-9b-it", "deepseek-ai/DeepSeek-V3",
    "CohereForAI/c4ai-command-r-plus", "xai-org/grok-1", "THUDM/glm-4-9b-chat", "moonshotai/Kimi-K2-Instruct",
    "Xenova/gpt-4o",
])
def test_open_weight_repos_are_hub_models(repo):
    assert model_names.named(repo) == model_names.ModelName(repo)


@pytest.mark.parametrize(("written", "model", "vendor"), [
    ("openai/gpt-4o", "gpt-4o", "OpenAI"),
    ("anthropic/claude-3-5-sonnet-20241022", "claude-3-5-sonnet-20241022", "Anthropic"),
    ("openrouter/anthropic/claude-3.5-sonnet", "claude-3.5-sonnet", "Anthropic"),
    ("gemini/gemini-1.5-flash", "gemini-1.5-flash", "Google"),
    ("models/gemini-1.5-pro", "models/gemini-1.5-pro", "Google"),
    ("dashscope/qwen-max", "qwen-max", "Alibaba"),
    ("bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0", "anthropic.claude-3-5-sonnet-20240620-v1:0", "Anthropic"),
])
def test_routing_prefixes(written, model, vendor):
    name = model_names.named(written)
    assert (name.model, name.kind, name.api_vendor) == (model, "api", vendor)
    assert written[name.start:].startswith(model)


def test_hosted_hub_models_behind_a_router_are_hub_models():
    name = model_names.named("hosted_vllm/meta-llama/Llama-3.1-8B-Instruct")
    assert (name.model, name.kind, name.start) == ("meta-llama/Llama-3.1-8B-Instruct", "hub", 12)
    assert model_names.named("groq/llama-3.1-8b-instant") is None  # a host's own name: nothing to resolve
