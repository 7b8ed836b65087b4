"""`model-risk explain`: the facts and the lineage tree of one model, as text and as JSON."""

from __future__ import annotations

from support.fakehub import model


def test_text_shows_facts_and_the_lineage_tree(cli, hub):
    run = cli("explain", "yusikyang/Qwen2.5-7B-Instruct-YS-V2")
    assert run.code == 0, run.stderr
    out = run.stdout
    assert "root vendor  Alibaba, China" in out and "license  Apache-2.0 (Hub id apache-2.0)" in out
    tree = out.split("\nlineage\n", 1)[1].splitlines()
    assert tree == [
        "yusikyang/Qwen2.5-7B-Instruct-YS-V2",
        "└─ unsloth/Qwen2.5-7B-Instruct (finetune)  unsloth, Apache-2.0",
        "   └─ Qwen/Qwen2.5-7B-Instruct (finetune)  Alibaba, Apache-2.0",
        "      └─ Qwen/Qwen2.5-7B (finetune)  Alibaba, Apache-2.0",
    ]


def test_a_merge_branches(cli, hub):
    run = cli("explain", "gghfez/72B-Qwen2.5-Kunou-v1-exl2-6.5bpw")
    tree = run.stdout.split("\nlineage\n", 1)[1].splitlines()
    assert tree[1].startswith("├─ Qwen/Qwen2.5-72B-Instruct (merge)")
    assert tree[2].startswith("│  └─ Qwen/Qwen2.5-72B (finetune)")
    assert tree[3].startswith("└─ Sao10K/72B-Qwen2.5-Kunou-v1 (merge)")


def test_lineage_from_the_table_says_where_it_came_from(cli, hub):
    run = cli("explain", "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B")
    assert "vendor  DeepSeek, China" in run.stdout and "root vendor  Alibaba, China" in run.stdout
    assert "base model not declared by the card; from model-risk's lineage table" in run.stdout
    assert "Qwen/Qwen2.5-Math-7B (distillation)" in run.stdout


def test_cycles_are_drawn_once(cli, hub):
    hub.models["acme/a"] = model("acme/a", base_model="acme/b")
    hub.models["acme/b"] = model("acme/b", base_model="acme/a")
    run = cli("explain", "acme/a")
    tree = run.stdout.split("\nlineage\n", 1)[1].splitlines()
    assert tree == ["acme/a", "└─ acme/b  acme, no license", "   └─ acme/a  acme, no license",
                    "      └─ … (cycle: already in this lineage)"]


def test_json_has_the_report_fields_and_the_tree(cli, hub):
    run = cli("explain", "bartowski/Qwen2.5-7B-Instruct-GGUF", "--format", "json")
    assert run.code == 0, run.stderr
    document = run.json()
    assert document["id"] == "bartowski/Qwen2.5-7B-Instruct-GGUF" and document["root_vendor"] == "Alibaba"
    assert document["license"]["spdx"] == "Apache-2.0"
    tree = document["tree"]
    assert tree["relation"] is None and [b["id"] for b in tree["bases"]] == ["Qwen/Qwen2.5-7B-Instruct"]
    qwen = tree["bases"][0]
    assert (qwen["relation"], qwen["status"], qwen["vendor"]) == ("quantized", "resolved", "Alibaba")
    assert qwen["bases"][0]["id"] == "Qwen/Qwen2.5-7B" and qwen["bases"][0]["status"] == "resolved"


def test_renamed_model_and_urls(cli, hub):
    run = cli("explain", "https://huggingface.co/bert-base-uncased", "--format", "json")
    document = run.json()
    assert document["id"] == "google-bert/bert-base-uncased" and document["redirected_from"] == ["bert-base-uncased"]
    assert document["tree"]["bases"] == []


def test_missing_model(cli, hub):
    run = cli("explain", "acme/nope")
    assert run.code == 0
    assert "status  not-found" in run.stdout and "(no base model declared)" in run.stdout


def test_offline_explain_uses_only_the_cache(cli, hub):
    cli("explain", "Qwen/Qwen2.5-7B-Instruct")
    hub.reset_log()
    cached = cli("explain", "Qwen/Qwen2.5-7B-Instruct", "--offline")
    assert "source  cache" in cached.stdout
    unknown = cli("explain", "openai-community/gpt2", "--offline")
    assert "status  unresolved (offline: not in the lockfile or the cache)" in unknown.stdout
    assert hub.requests == []


def test_not_a_model_id_is_a_usage_error(cli):
    run = cli("explain", "a/b/c")
    assert run.code == 2 and "not a Hugging Face model id" in run.stderr


def test_an_api_model_is_explained_as_scan_classifies_it(cli, tmp_path):
    """`explain gpt-4o` agrees with `scan`: an OpenAI API model, not a Hub repo (no lookup at all: the
    Hub endpoint here is dead)."""
    run = cli("explain", "gpt-4o")
    assert run.code == 0, run.stderr
    assert "status  api" in run.stdout and "vendor  OpenAI, United States" in run.stdout
    assert "API model served by OpenAI" in run.stdout
    project = tmp_path / "proj"
    project.mkdir()
    (project / "app.py").write_text('from openai import OpenAI\nOpenAI().chat.completions.create(model="gpt-4o")\n')
    scanned = cli("scan", project, "--offline", "--format", "json", "--fail-on", "never").json()
    (model,) = scanned["models"]
    explained = cli("explain", "openai/gpt-4o", "--format", "json").json()
    for key in ("status", "vendor", "root_vendor"):
        assert explained[key] == model[key], key
    assert (model["status"], model["vendor"]) == ("api", "OpenAI")


def test_explain_says_where_the_base_model_came_from(cli, hub):
    declared = cli("explain", "unsloth/Qwen2.5-7B-Instruct")
    assert "base model from  the model card (base_model)" in declared.stdout
    assert cli("explain", "unsloth/Qwen2.5-7B-Instruct", "--format", "json").json()["base_models_from"] == "card"
    table = cli("explain", "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", "--format", "json").json()
    assert table["base_models_from"] == "lineage-table"
    root = cli("explain", "Qwen/Qwen2.5-7B", "--format", "json").json()
    assert root["base_models_from"] is None
