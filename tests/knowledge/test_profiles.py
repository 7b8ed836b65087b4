"""Reading a model's migration facts from its files: the active parameters of a mixture of experts, the
context, the chat template's family, the languages, the engines that run it."""

from __future__ import annotations

import pytest

from model_risk.knowledge.profiles import (
    chat_template_family,
    context_length,
    estimated_active,
    missing_languages,
    profile_from,
    purposes,
)

MIXTRAL = {"architectures": ["MixtralForCausalLM"], "model_type": "mixtral", "hidden_size": 4096,
           "intermediate_size": 14336, "num_hidden_layers": 32, "num_local_experts": 8, "num_experts_per_tok": 2}
QWEN3_MOE = {"architectures": ["Qwen3MoeForCausalLM"], "model_type": "qwen3_moe", "hidden_size": 2048,
             "moe_intermediate_size": 768, "num_hidden_layers": 48, "num_experts": 128, "num_experts_per_tok": 8}


@pytest.mark.parametrize(("total", "config", "stated"), [
    (46_700_000_000, MIXTRAL, 12_900_000_000),    # Mistral AI: 12.9B active of 46.7B
    (30_532_122_624, QWEN3_MOE, 3_300_000_000),   # Qwen: 3.3B activated of 30.5B
])
def test_active_parameters_of_a_mixture_of_experts_are_estimated_within_a_few_percent(total, config, stated):
    active = estimated_active(total, config)
    assert active is not None and abs(active - stated) / stated < 0.05


def test_a_dense_model_has_no_active_estimate():
    assert estimated_active(7_000_000_000, {"hidden_size": 4096, "num_hidden_layers": 32}) is None
    assert estimated_active(None, MIXTRAL) is None


def test_context_prefers_the_embedders_own_limit_and_drops_robertas_padding_positions():
    assert context_length({"max_position_embeddings": 512, "model_type": "bert"}, {"max_seq_length": 256}) == 256
    assert context_length({"max_position_embeddings": 8194, "model_type": "xlm-roberta"}) == 8192
    assert context_length({"text_config": {"max_position_embeddings": 131072}}) == 131072
    assert context_length({"n_positions": 1024}) == 1024 and context_length(None) is None


@pytest.mark.parametrize(("template", "family"), [
    ("{{ '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' }}", "chatml"),
    ("{{ '<|start_header_id|>' + role + '<|end_header_id|>' }}", "llama3"),
    ("{{ '[INST] ' + content + ' [/INST]' }}", "mistral"),
    ("[gMASK]<sop>{% for m in messages %}<|{{ m.role }}|>{% endfor %}", "glm"),
    ("{{ '<|' + role + '|>' + content + '<|end|>' }}", "phi3"),
    ("<|start|>system<|message|>...<|end|><|start|>assistant<|channel|>final<|message|>", "harmony"),
    ("{{ '<start_of_turn>' + role }}", "gemma"),
    ("Question:\\n{{ content }}\\n\\nAnswer:", "custom"),
    ("", None),
    ([{"name": "default", "template": "{{ '<|im_start|>' }}"}], "chatml"),
])
def test_the_chat_templates_family_is_read_from_its_special_tokens(template, family):
    assert chat_template_family(template) == family


def test_purposes_come_from_the_task_the_template_and_the_name():
    assert purposes("Qwen/Qwen2.5-Coder-7B-Instruct", "text-generation", "chatml") == ("chat", "code")
    assert purposes("ByteDance-Seed/Seed-Coder-8B-Base", "text-generation", None) == ("base", "code")
    assert purposes("deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", "text-generation", "deepseek") == ("chat", "reasoning")
    assert purposes("Qwen/Qwen2.5-Math-7B", "text-generation", "none") == ("base", "math")
    assert purposes("BAAI/bge-m3", "sentence-similarity", None) == ("embedding",)
    # A general model whose name has no purpose word, and whose tokenizer nobody read: only what is known.
    assert purposes("acme/model", "text-generation", None) == ()


def test_languages_a_multilingual_model_needs():
    broad = ("multilingual",)
    assert missing_languages(broad, ("en",)) == ("many languages",)
    assert missing_languages(broad, tuple(f"l{i}" for i in range(30))) == ()
    assert missing_languages(("en", "fr"), ("en",)) == ("fr",)
    assert missing_languages(("en",), ()) is None  # nobody says: not known, not "missing"
    assert missing_languages((), ("en",)) == ()


def test_a_profile_names_the_engines_that_run_its_architecture():
    profile = profile_from(model_id="acme/x", task="text-generation", library="transformers", parameters=1,
                           config={"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2"})
    assert profile.engines == ("vllm", "tgi")  # TEI serves embedders only
    embedder = profile_from(model_id="acme/e", task="feature-extraction", library="sentence-transformers",
                            parameters=1, config={"architectures": ["XLMRobertaModel"], "model_type": "xlm-roberta",
                                                  "hidden_size": 1024})
    assert embedder.engines == ("vllm", "tei") and embedder.embedding_dimension == 1024
