"""Replacements an expert would sign: judged on the facts a migration needs (purpose, active parameters,
context, languages, the effective license, the vendors at the root), read from the Hub's metadata and the
repositories' config files through the real client, against the stand-in Hub with realistic candidates
(tests/fixtures/hub-migration.json) and decoys that once slipped through."""

from __future__ import annotations

import json

import pytest
from support.fakehub import FILES, Fault, fixture_models, model
from support.project import DEAD_ENDPOINT, validate_report


@pytest.fixture
def market(hub):
    """The stand-in Hub with the candidates of hub-migration.json (chat, code, reasoning, mixtures of
    experts, embedders, their GGUF/MLX/AWQ copies, and the decoys)."""
    hub.models.update(fixture_models("hub-migration.json"))
    return hub


def _suggest(cli, project, model_id, *extra):
    run = cli("alternatives", model_id, "--no-record", "--format", "json", *extra, cwd=project({"README.md": "x\n"}))
    assert run.code == 0, run.stderr
    return run.json()


def _ids(doc):
    return [a["id"] for a in doc["alternatives"]]


def _rejected(doc):
    return {r["id"]: r["reason"] for r in doc["rejected"]}


def test_the_r1_distill_is_never_offered_under_an_osi_criterion(cli, market, project):
    """DeepSeek-R1-Distill-Llama-8B's card says MIT, but it is distilled onto Llama 3.1: under the OSI
    criterion it is not offered, and the reason names the effective license."""
    doc = _suggest(cli, project, "Qwen/Qwen2.5-7B-Instruct")
    assert "deepseek-ai/DeepSeek-R1-Distill-Llama-8B" not in _ids(doc) + [a["id"] for a in doc["others"]]
    assert _rejected(doc)["deepseek-ai/DeepSeek-R1-Distill-Llama-8B"] == \
        "license not accepted: Llama 3.1 Community License Agreement (effective)"
    assert doc["criteria"]["licenses"] == ["osi-approved"]
    for alternative in doc["alternatives"]:
        assert alternative["profile"]["license"] in ("Apache-2.0", "MIT"), alternative["id"]
    # The 70B distillation, for the 72B model: the same.
    big = _suggest(cli, project, "Qwen/Qwen2.5-72B-Instruct")
    assert _rejected(big)["deepseek-ai/DeepSeek-R1-Distill-Llama-70B"] == \
        "license not accepted: Llama 3.3 Community License Agreement (effective)"
    # A project that accepts the Llama licenses gets it, labelled with the license that governs it.
    accepting = cli("alternatives", "Qwen/Qwen2.5-7B-Instruct", "--no-record", "--format", "json",
                    cwd=project({".model-risk.yaml": "alternatives:\n  licenses: [llama3.1]\n  count: 10\n"})).json()
    distill = next(a for a in accepting["alternatives"] + accepting["others"]
                   if a["id"] == "deepseek-ai/DeepSeek-R1-Distill-Llama-8B")
    assert distill["license"] == "Llama 3.1 Community License Agreement"
    assert any(c["kind"] == "license" for c in distill["changes"])


def test_a_code_model_gets_code_model_candidates(cli, market, project):
    doc = _suggest(cli, project, "Qwen/Qwen2.5-Coder-7B-Instruct")
    assert doc["profile"]["purposes"] == ["chat", "code"]
    assert _ids(doc)[0] == "ibm-granite/granite-8b-code-instruct-128k"
    for alternative in doc["alternatives"] + doc["others"]:
        assert "code" in alternative["profile"]["purposes"], alternative["id"]
    rejected = _rejected(doc)
    # General chat models of the right size and license are not code models ...
    assert rejected["ibm-granite/granite-3.3-8b-instruct"] == "not a code model"
    # ... a code base model has no chat template, a Qwen coder fine-tune is still Alibaba's, and the
    # OpenRAIL and DeepSeek licenses are not OSI-approved.
    assert rejected["ibm-granite/granite-8b-code-base-128k"] == "a base model (no chat template)"
    assert rejected["huihui-ai/Qwen2.5-Coder-7B-Instruct-abliterated"] == "Alibaba at the root"
    assert rejected["deepseek-ai/deepseek-coder-6.7b-instruct"].startswith("license not accepted")
    # A code model from ByteDance qualifies, in China like Alibaba: it says so, and ranks after IBM's.
    seed = next(a for a in doc["alternatives"] if a["id"] == "ByteDance-Seed/Seed-Coder-8B-Instruct")
    assert any(c["kind"] == "jurisdiction" and "China, like Alibaba" in c["text"] for c in seed["changes"])
    # And a general chat model is not offered a code model.
    chat = _suggest(cli, project, "Qwen/Qwen2.5-7B-Instruct")
    assert all("code" not in a["profile"]["purposes"] for a in chat["alternatives"])
    assert _rejected(chat)["ByteDance-Seed/Seed-Coder-8B-Instruct"] == "a code model"


def test_a_mixture_of_experts_is_compared_by_active_parameters(cli, market, project):
    doc = _suggest(cli, project, "Qwen/Qwen3-30B-A3B", "--config", str(project({".model-risk.yaml": "alternatives:\n  count: 6\n"}) / ".model-risk.yaml"))
    profile = doc["profile"]
    # 128 experts, 8 per token (config.json): about 3.35B of 30.5B parameters work per token.
    assert profile["experts"] == 128 and profile["experts_per_token"] == 8 and profile["active_basis"] == "estimated"
    assert 3.2e9 < profile["active_parameters"] < 3.5e9 and profile["parameters"] == 30532122624
    assert doc["criteria"]["mixture_of_experts"] is True
    rejected = _rejected(doc)
    # Dense 24B and 32B models fit in the same memory but do seven to ten times the work per token.
    assert rejected["mistralai/Mistral-Small-24B-Instruct-2501"] == "active parameters"
    assert rejected["allenai/OLMo-2-0325-32B-Instruct"] == "active parameters"
    # 0.8B active parameters is too little for 3.3B.
    assert rejected["ibm-granite/granite-3.1-3b-a800m-instruct"] == "active parameters"
    ids = _ids(doc)
    assert "openai/gpt-oss-20b" in ids and "microsoft/Phi-3.5-MoE-instruct" in ids
    gpt = next(a for a in doc["alternatives"] if a["id"] == "openai/gpt-oss-20b")
    # The vendor's stated figure wins over the estimate from config.json.
    assert gpt["profile"]["active_parameters"] == 3_600_000_000 and gpt["profile"]["active_basis"] == "stated"
    assert "3.6B active of 21.5B parameters" in gpt["why"]
    # A dense 3B model does as much work per token but holds a tenth of the parameters: said, as a trade-off.
    smol = next(a for a in doc["alternatives"] if a["id"] == "HuggingFaceTB/SmolLM3-3B")
    assert any(c["kind"] == "size" and c["effort"] == "medium" and "much smaller in all" in c["text"]
               for c in smol["changes"])


def test_a_multilingual_embedder_gets_multilingual_candidates_and_a_reembedding_note(cli, market, project):
    doc = _suggest(cli, project, "Alibaba-NLP/gte-multilingual-base")
    assert doc["criteria"]["tasks"] == ["feature-extraction", "sentence-similarity"]
    assert doc["profile"]["context_length"] == 8192 and doc["profile"]["embedding_dimension"] == 768
    ids = _ids(doc)
    # bge-m3 is tagged sentence-similarity, e5 feature-extraction: both embedding tasks are asked for.
    assert ids == ["BAAI/bge-m3", "Snowflake/snowflake-arctic-embed-l-v2.0"]
    for alternative in doc["alternatives"]:
        languages = alternative["profile"]["languages"]
        assert "multilingual" in languages or len(languages) > 20, alternative["id"]
        [change] = [c for c in alternative["changes"] if c["kind"] == "re-embedding"]
        assert change["effort"] == "large" and "re-embed every indexed document" in change["text"]
        assert "768 dimensions become 1024" in change["text"]
    rejected = _rejected(doc)
    assert rejected["intfloat/multilingual-e5-large"] == "context too short"  # 512 tokens for 8,192
    assert rejected["Snowflake/snowflake-arctic-embed-m-v2.0"] == "Alibaba at the root"  # built on gte-multilingual
    assert rejected["Qwen/Qwen3-Embedding-0.6B"] == "Alibaba's own model"
    # An English-only embedder is never offered for a multilingual one.
    assert rejected["mixedbread-ai/mxbai-embed-large-v1"] == "languages: en only, and the model is multilingual"
    # bge-m3's card names no languages: model-risk's table says it is multilingual, and says where from.
    bge = doc["alternatives"][0]
    assert any(source.startswith("model-risk's substitutes table") for source in bge["profile"]["sources"])
    # An English embedder is offered English ones, with the same re-embedding note.
    english = _suggest(cli, project, "sentence-transformers/all-MiniLM-L6-v2")
    assert english["alternatives"] and all(
        any(c["kind"] == "re-embedding" for c in a["changes"]) for a in english["alternatives"])


def test_an_unknown_size_gives_no_size_based_suggestion_and_says_so(cli, market, project):
    """A model whose size nobody states gets no suggestion at all, not even from the substitutes table of
    its family, and the Hub's listing is not asked; a candidate whose size nobody states is not offered."""
    market.models["Qwen/Qwen2.5-32B-Instruct-private-copy"] = model(
        "Qwen/Qwen2.5-32B-Instruct-private-copy", license="apache-2.0", pipeline_tag="text-generation",
        library_name="transformers")
    market.models["nosize/chat-7b"] = model("nosize/chat-7b", license="mit", pipeline_tag="text-generation",
                                            library_name="transformers", tags=["conversational"],
                                            downloads=9_000_000, safetensors=None)
    doc = _suggest(cli, project, "Qwen/Qwen2.5-32B-Instruct-private-copy")
    assert doc["alternatives"] == [] and doc["others"] == []
    assert "size is not known" in doc["note"] and "never suggests one blind" in doc["note"]
    assert [q for q in market.list_requests() if "pipeline_tag=" in q] == []


def test_a_listed_id_without_an_ids_grammar_is_never_offered(cli, market, project):
    """A listed model's id becomes a name and a link's path in every report: a hostile listing's odd id
    is dropped before anything is read from it."""
    import copy
    for odd in ("ibm-granite/../granite-8b", "ibm-granite/granite<img src=x>"):
        entry = copy.deepcopy(market.models["ibm-granite/granite-3.3-8b-instruct"])
        entry["id"] = entry["modelId"] = odd
        entry["downloads"] = 10**9
        market.models[odd] = entry
    doc = _suggest(cli, project, "Qwen/Qwen2.5-7B-Instruct")
    listed = [a["id"] for a in doc["alternatives"] + doc["others"]] + [r["id"] for r in doc["rejected"]]
    assert "ibm-granite/granite-3.3-8b-instruct" in listed
    assert not [i for i in listed if ".." in i or "<" in i]
    assert not [q for q in market.requests if "granite%3C" in q or "granite<" in q or "/../" in q]


def test_a_gguf_model_is_sized_by_its_original_and_offered_models_with_a_gguf(cli, market, project):
    doc = _suggest(cli, project, "bartowski/Qwen2.5-7B-Instruct-GGUF")
    # The GGUF repository states no size: its original's (Qwen2.5-7B-Instruct) is used, and its facts.
    assert doc["criteria"]["parameters"] == 7_620_000_000 and doc["criteria"]["formats"] == ["gguf"]
    assert doc["profile"]["context_length"] == 32768 and doc["profile"]["engines"] == []
    # A quantiser re-uploads; its vendor is not one being replaced.
    assert doc["criteria"]["excluded_root_vendors"] == ["Alibaba"]
    first = doc["alternatives"][0]
    assert {"format": "gguf", "id": "ibm-granite/granite-3.3-8b-instruct-GGUF"} in first["profile"]["variants"]
    # (The suggestions' variants are looked up; the others' are "not known".)
    without = [a for a in doc["alternatives"] if not any(v["format"] == "gguf" for v in a["profile"]["variants"])]
    assert without and all(any(c["kind"] == "format" for c in a["changes"]) for a in without)


def test_another_vendor_in_the_same_jurisdiction_is_said_and_ranked_last(cli, market, project):
    root = project({".model-risk.yaml": "alternatives:\n  count: 6\n"})
    doc = cli("alternatives", "Qwen/Qwen2.5-72B-Instruct", "--no-record", "--format", "json", cwd=root).json()
    ids = _ids(doc)
    assert ids[-1] == "zai-org/GLM-4.5-Air"
    glm = doc["alternatives"][-1]
    assert glm["profile"]["country"] == "China"
    assert any(c["kind"] == "jurisdiction" and c["text"] == "the same jurisdiction: Zhipu AI is in China, like Alibaba"
               for c in glm["changes"])
    # A project that will not move to another vendor of that country says so.
    (root / ".model-risk.yaml").write_text("alternatives:\n  count: 6\n  exclude-countries: [China]\n")
    strict = cli("alternatives", "Qwen/Qwen2.5-72B-Instruct", "--no-record", "--format", "json", cwd=root).json()
    assert "zai-org/GLM-4.5-Air" not in _ids(strict)
    assert _rejected(strict)["zai-org/GLM-4.5-Air"] == "a vendor in China"


def test_why_and_what_changes_read_as_a_migration_note(cli, market, project):
    text = cli("alternatives", "Qwen/Qwen2.5-7B-Instruct", "--no-record",
               cwd=project({"README.md": "x\n"})).stdout
    assert ("The model: text-generation (chat); 7.62B parameters; 32,768-token context; chat template ChatML "
            "(<|im_start|>); Apache-2.0; Alibaba (China); runs on vLLM, Text Generation Inference") in text
    assert "1. ibm-granite/granite-3.3-8b-instruct  Apache-2.0  8.17B  IBM" in text
    assert ("changes: [medium] a new chat template: ChatML (<|im_start|>) becomes Granite (<|start_of_role|>)"
            in text)
    assert "changes: [small] another jurisdiction: IBM (United States) instead of Alibaba (China)" in text
    assert "Not suggested: " in text and "DeepSeek-R1-Distill-Llama-8B (license not accepted" in text
    assert "ranked by: the same jurisdiction last, fewest changes" in text


def test_files_are_read_as_the_hub_serves_them_and_a_second_run_asks_nothing(cli, market, project):
    root = project({".model-risk.yaml": "watchlist: [Alibaba]\n",
                    "app.py": 'from transformers import AutoModel\nAutoModel.from_pretrained("Qwen/Qwen3-30B-A3B")\n'
                              'AutoModel.from_pretrained("Qwen/Qwen2.5-3B-Instruct")\n'})
    first = cli("scan", root, "--format", "json", "--fail-on", "never")
    assert first.code == 0, first.stderr
    files = market.file_requests()
    assert "/Qwen/Qwen3-30B-A3B/resolve/main/config.json" in files
    assert "/openai/gpt-oss-20b/resolve/main/tokenizer_config.json" in files
    market.reset_log()
    second = cli("scan", root, "--format", "json", "--fail-on", "never")
    assert market.requests == []
    strip = lambda doc: [(m["id"], m["alternatives"]) for m in doc["models"]]  # noqa: E731
    assert strip(second.json()) == strip(first.json())
    validate_report(second.json())


def test_a_file_the_hub_fails_to_serve_costs_its_facts_only(cli, market, project):
    market.fail(FILES, Fault(status=500, times=None))
    doc = _suggest(cli, project, "Qwen/Qwen2.5-7B-Instruct")
    # The listing answered: candidates are judged on what it says, the rest is said to be unknown.
    assert doc["alternatives"] and doc["profile"]["context_length"] is None
    assert all(any(c["kind"] == "unknown" for c in a["changes"]) or a["profile"]["context_length"]
               for a in doc["alternatives"])


def test_a_dropped_connection_is_asked_again_and_costs_nothing(cli, market, project):
    market.fail(FILES, Fault(kind="close", times=1))
    doc = _suggest(cli, project, "Qwen/Qwen2.5-7B-Instruct")
    assert doc["profile"]["context_length"] == 32768
    dropped = [p for p in market.file_requests() if not p.startswith("HEAD")]
    assert len(dropped) > len(set(dropped)), "the dropped file was not asked for again"


def test_a_dropped_connection_on_a_candidates_lookup_is_asked_again(cli, market, project):
    clean = _suggest(cli, project, "Qwen/Qwen2.5-7B-Instruct")
    market.fail("ibm-granite/granite-3.3-8b-instruct", Fault(kind="close", times=1))
    doc = _suggest(cli, project, "Qwen/Qwen2.5-7B-Instruct", "--no-cache")
    assert _ids(doc)[0] == "ibm-granite/granite-3.3-8b-instruct"
    # While that lookup waited to be retried, the others (config files, variants) went on: the same
    # suggestions with the same facts as without the fault.
    facts = lambda d: [(a["id"], a["profile"], a["changes"]) for a in d["alternatives"]]  # noqa: E731
    assert facts(doc) == facts(clean)


def test_offline_without_records_model_risks_table_serves(cli, market, project, monkeypatch):
    root = project({"app.py": 'from transformers import AutoModel\nAutoModel.from_pretrained("Qwen/Qwen2.5-7B-Instruct")\n'})
    assert cli("lock", root).code == 0
    market.stop()
    monkeypatch.setenv("HF_ENDPOINT", DEAD_ENDPOINT)
    run = cli("alternatives", "Qwen/Qwen2.5-7B-Instruct", "--offline", "--format", "json", cwd=root)
    doc = run.json()
    assert doc["source"] == "table" and doc["alternatives"]
    assert all(a["origin"] == "table" for a in doc["alternatives"])
    text = cli("alternatives", "Qwen/Qwen2.5-7B-Instruct", "--offline", cwd=root).stdout
    assert "From model-risk's substitutes table (offline, nothing recorded or cached)" in text


def test_a_knowledge_overlay_adds_a_family_and_a_substitute(cli, market, project):
    market.models["acme/ops-chat-8b"] = model(
        "acme/ops-chat-8b", license="apache-2.0", pipeline_tag="text-generation", library_name="transformers",
        tags=["conversational"], downloads=10, safetensors={"parameters": {"BF16": 8_000_000_000}, "total": 8_000_000_000})
    overlay = """
        as_of: 2026-11-30
        substitute_families:
          - family: our approved replacements for Qwen2.5
            prefixes: [Qwen/Qwen2.5-7B]
            substitutes: [acme/ops-chat-8b]
            source: ACME's architecture board, ADR-112
        substitute_models:
          acme/ops-chat-8b:
            task: text-generation
            purposes: [chat]
            parameters: 8000000000
            context_length: 65536
            license: apache-2.0
            source: ACME's model card
        """
    root = project({".model-risk.yaml": "knowledge:\n  - knowledge.yaml\nalternatives:\n  count: 5\n",
                    "knowledge.yaml": overlay})
    doc = cli("alternatives", "Qwen/Qwen2.5-7B-Instruct", "--no-record", "--format", "json", cwd=root).json()
    assert doc["criteria"]["family"] == "our approved replacements for Qwen2.5"
    ops = next(a for a in doc["alternatives"] if a["id"] == "acme/ops-chat-8b")
    assert ops["origin"] == "hub+table" and ops["profile"]["context_length"] == 65536
    assert "model-risk's substitutes table lists it for our approved replacements for Qwen2.5" in ops["why"]
    bad = project({".model-risk.yaml": "knowledge:\n  - bad.yaml\n",
                   "bad.yaml": "as_of: 2026-11-30\nsubstitute_models:\n  acme/x:\n    task: text-generation\n"})
    run = cli("alternatives", "Qwen/Qwen2.5-7B-Instruct", "--no-record", cwd=bad)
    assert run.code == 2 and "bad.yaml" in run.stderr and "Traceback" not in run.stderr


def test_recorded_facts_survive_a_round_trip_through_the_lockfile(cli, market, project):
    root = project({"app.py": 'from transformers import AutoModel\nAutoModel.from_pretrained("Qwen/Qwen3-30B-A3B")\n'})
    online = cli("alternatives", "Qwen/Qwen3-30B-A3B", "--format", "json", cwd=root).json()
    locked = json.loads((root / "model-risk.lock").read_text())["alternatives"]["Qwen/Qwen3-30B-A3B"]
    assert locked["profile"] == online["profile"] and locked["suggestions"] == online["alternatives"]
    offline = cli("alternatives", "Qwen/Qwen3-30B-A3B", "--offline", "--format", "json", cwd=root).json()
    assert offline["alternatives"] == online["alternatives"] and offline["profile"] == online["profile"]
    assert offline["rejected"] == online["rejected"][:12] and offline["source"] == "lockfile"


def test_a_chat_template_kept_in_its_own_file_is_read(cli, market, project):
    """Newer repositories keep the template in chat_template.jinja, not in tokenizer_config.json."""
    market.models["acme/jinja-chat-7b"] = model(
        "acme/jinja-chat-7b", license="apache-2.0", pipeline_tag="text-generation", library_name="transformers",
        tags=["conversational"], safetensors={"parameters": {"BF16": 7_000_000_000}, "total": 7_000_000_000},
        _files={"config.json": {"architectures": ["LlamaForCausalLM"], "model_type": "llama",
                                "max_position_embeddings": 32768},
                "tokenizer_config.json": {"eos_token": "<|im_end|>"},
                "chat_template.jinja": "{% for m in messages %}{{ '<|im_start|>' + m.role }}{% endfor %}"})
    doc = _suggest(cli, project, "acme/jinja-chat-7b")
    assert doc["profile"]["chat_template"] == "chatml" and "chat_template.jinja" in doc["profile"]["sources"]
    assert "/acme/jinja-chat-7b/resolve/main/chat_template.jinja" in market.file_requests()
