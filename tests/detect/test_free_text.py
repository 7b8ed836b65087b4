"""Free text: prose, comments, docstrings, help texts and documentation, read by detect/free_text.py.

Each case is a small tree and what the JSON report must hold: (path, line, model, confidence). Near
misses sit next to the cases they resemble and expect nothing.
"""

from __future__ import annotations

import pytest
from support.detect_scan import scan  # noqa: F401  (a fixture)

CASES = {
    # -- command lines in docstrings and comments ----------------------------------------------------
    "usage block in a module docstring, with continuations": (
        {"train.py": '''
            """
            Run with:

            accelerate launch train.py \\
                --dataset_name acme-data/dialogues \\
                --model_name_or_path tiiuae/falcon-7b \\
                --teacher_model_name_or_path mistralai/Mistral-7B-v0.1 \\
                --output_dir falcon-sft
            """
            import sys
            '''},
        [("train.py", 6, "tiiuae/falcon-7b", "certain"),
         ("train.py", 7, "mistralai/Mistral-7B-v0.1", "certain")]),
    "usage in a comment, flag written with a dash and an equals sign": (
        {"bench.py": "# python bench.py --model-id=someone-else/tiny-llm-2b --batch 8\nprint(1)\n"},
        [("bench.py", 1, "someone-else/tiny-llm-2b", "certain")]),
    "flags that are about something else are not models": (
        {"bench.py": "# python bench.py --output_dir acme-runs/llm-7b --hub_model_id acme/ft-7b\nx = 1\n"},
        []),
    "legacy id after a strict model flag": (
        {"orpo.py": '"""\npython orpo.py --model_name_or_path gpt2 --learning_rate 1e-5\n"""\n'},
        [("orpo.py", 2, "gpt2", "certain")]),
    "lm-eval argument string carries trust_remote_code": (
        {"eval.sh": "lm_eval --model hf --model_args pretrained=acme-lab/eval-7b,trust_remote_code=True\n"},
        [("eval.sh", 1, "acme-lab/eval-7b", "certain")]),
    "positional ids of servers and downloads": (
        {"README.md": "```bash\nvllm serve microsoft/phi-4\ntrtllm-serve google/gemma-2-9b-it --port 8000\n"
                      "hf download ibm-granite/granite-3.1-8b-instruct\n"
                      "huggingface-cli download --repo-type dataset acme-data/logs\n```\n"},
        [("README.md", 2, "microsoft/phi-4", "certain"), ("README.md", 3, "google/gemma-2-9b-it", "certain"),
         ("README.md", 4, "ibm-granite/granite-3.1-8b-instruct", "certain")]),
    "llama.cpp -hf inside inline code drops its quantisation tag": (
        {"docs/run.md": "Start it with `llama-server -hf bartowski/Llama-3.2-3B-Instruct-GGUF:Q4_K_M`.\n"},
        [("docs/run.md", 1, "bartowski/Llama-3.2-3B-Instruct-GGUF", "certain")]),
    "an upload target is only possible until the Hub says it exists": (
        {"publish.sh": "huggingface-cli upload --repo-type=model my-team/pirate-chat-14B ./out\n"},
        [("publish.sh", 1, "my-team/pirate-chat-14B", "possible")]),

    # -- prose: known publishers are likely, other names possible on model lines ------------------------
    "known publisher in a README sentence": (
        {"README.md": "We fine-tune Qwen/Qwen2.5-1.5B-Instruct here.\n"},
        [("README.md", 1, "Qwen/Qwen2.5-1.5B-Instruct", "likely")]),
    "known publisher in Chinese prose with no blank before the id": (
        {"README_zh.md": "模型ID，例如meta-llama/Llama-3.1-8B-Instruct。\n"},
        [("README_zh.md", 1, "meta-llama/Llama-3.1-8B-Instruct", "likely")]),
    "unknown organisation on a line about a model, name with a digit": (
        {"notes.py": "# It only runs with a dequantized model like `acme-ai/gpt-big-120b-dequantized`\nx = 1\n"},
        [("notes.py", 1, "acme-ai/gpt-big-120b-dequantized", "possible")]),
    "unknown organisation, no model word on the line": (
        {"notes.py": "# see acme-ai/gpt-big-v2 for the numbers\nx = 1\n"},
        []),
    "unknown organisation, no model word on the line, but a size in the name": (
        {"notes.py": "# see acme-ai/gpt-big-120b for the numbers\nx = 1\n"},
        [("notes.py", 1, "acme-ai/gpt-big-120b", "possible")]),
    "unknown organisation, name without a digit": (
        {"README.md": "The model code lives in huggingface/transformers.\n"},
        []),
    "help text of a command-line option": (
        {"cli.py": 'import argparse\np = argparse.ArgumentParser()\n'
                   'p.add_argument("--push-to", help="Hub model id to push to (e.g. my-user/chat-0.5B-grpo)")\n'},
        [("cli.py", 3, "my-user/chat-0.5B-grpo", "possible")]),

    # -- near misses in prose -------------------------------------------------------------------------
    "GitHub and other URLs are not Hub repos": (
        {"README.md": "Code: https://github.com/Qwen/Qwen2.5 and www.example.com/meta-llama/llama-recipes\n"},
        []),
    "a path continues after the name": (
        {"README.md": "Open google/gemma-2-2b/config.json to read the model settings.\n"},
        []),
    "container images with a tag": (
        {"README.md": "Run the model in nvidia/cuda:12.4.0-base or `docker run mistralai/mistral-inference`.\n"},
        []),
    "link text of a link to GitHub": (
        {"README.md": "See [google/gemma-2-9b](https://github.com/google/gemma_pytorch) for the model code.\n"},
        []),
    "link text of a link to a dataset": (
        {"README.md": "Trained on [Qwen/chat-logs-2](https://huggingface.co/datasets/Qwen/chat-logs-2).\n"},
        []),
    "right after a word about data": (
        {"README.md": "The dataset Qwen/Qwen-math-2 is used for the model evaluation.\n"},
        []),
    "provider-prefixed API names are API references, not Hub repos": (
        {"README.md": "Compare with openai/gpt-4o and anthropic/claude-3-5-sonnet as model baselines.\n"},
        []),
    "placeholders": (
        {"README.md": "Replace your-org/your-model-7b with the model you trained.\n"},
        []),
    "hardware and parallelism pairs in prose about a model": (
        {"README.md": "This model was fine-tuned on A40/A100 and H100/H200 GPUs with DDP/FSDP1 (A10G/L4 work).\n",
         "train.py": "# the model trains with DDP/FSDP1 on A40/A100\nx = 1\n"},
        []),
    "an upper-case organisation with a model name that is not an acronym": (
        {"README.md": "The model ACME/chat-3b-v2 answers in French.\n"},
        [("README.md", 1, "ACME/chat-3b-v2", "possible")]),

    # -- key = value in text --------------------------------------------------------------------------
    "commented alternatives in code": (
        {"pick.py": 'model_id = "google/gemma-3-1b-it"\n# model_id = "acme-ai/chat-3b"\n'},
        [("pick.py", 1, "google/gemma-3-1b-it", "certain"), ("pick.py", 2, "acme-ai/chat-3b", "certain")]),
    "trailing comment offering an alternative": (
        {"pick.py": 'model_name = "mistralai/Ministral-8B-Instruct-2410"  # "unsloth/Ministral-8B-Instruct-2410"\n'},
        [("pick.py", 1, "mistralai/Ministral-8B-Instruct-2410", "certain"),
         ("pick.py", 1, "unsloth/Ministral-8B-Instruct-2410", "likely")]),
    "a key about output blocks the value": (
        {"pick.py": '# output_dir = "acme-ai/chat-3b-sft"\nx = 1\n'},
        []),

    # -- un-namespaced names -------------------------------------------------------------------------
    "sentence-transformers short names in prose about a model": (
        {"search.py": '"""\nAs embeddings model, we use the SBERT model \'quora-distilbert-multilingual\'.\n"""\n'},
        [("search.py", 2, "quora-distilbert-multilingual", "likely")]),
    "short name assigned to a model variable and compared with one": (
        {"mine.py": 'model_name = "LaBSE"\nif model_name == "nq-distilbert-base-v1":\n    pass\n'},
        [("mine.py", 1, "LaBSE", "certain"), ("mine.py", 2, "nq-distilbert-base-v1", "certain")]),
    "legacy ids as plain words are not references": (
        {"README.md": "Press ctrl+c to stop the model; gpt2 was a model too.\n"},
        []),
    "legacy id on a line about something else": (
        {"README.md": "The `gpt2` tokenizer format is described in docs.\n"},
        []),
}


@pytest.mark.parametrize("files, expected", CASES.values(), ids=CASES.keys())
def test_free_text(scan, files, expected):
    report = scan(files)
    assert [(r["path"], r["line"], r["model"], r["confidence"]) for r in report["references"]] == expected


def test_trust_remote_code_inside_argument_strings_fires_the_rule(cli, project):
    root = project({"eval.sh": "lm_eval --model hf --model_args pretrained=acme-lab/eval-7b,trust_remote_code=True\n",
                    "serve.sh": "vllm serve acme-lab/chat-9b --trust-remote-code\n"})
    report = cli("scan", root, "--offline", "--format", "json", "--fail-on", "never").json()
    assert all(r["trust_remote_code"] for r in report["references"])
    fired = {tuple(sorted(loc["path"] for loc in f["locations"])) for f in report["findings"]
             if f["rule"] == "trust-remote-code"}
    assert fired == {("eval.sh",), ("serve.sh",)}


def test_shell_arrays_loops_and_commented_alternatives(scan):
    report = scan({"sweep.sh": """
        CANDIDATE_MODELS=(
          "Qwen/Qwen2.5-0.5B-Instruct"
          "HuggingFaceTB/SmolLM2-360M-Instruct"
        )
        # MODEL=microsoft/Phi-3.5-mini-instruct
        for m in "${CANDIDATE_MODELS[@]}"; do python eval.py --model "$m"; done
        """})
    assert [(r["line"], r["model"]) for r in report["references"]] == [
        (2, "Qwen/Qwen2.5-0.5B-Instruct"), (3, "HuggingFaceTB/SmolLM2-360M-Instruct"),
        (5, "microsoft/Phi-3.5-mini-instruct")]


def test_unparseable_python_block_is_read_line_by_line_with_a_note(cli, project):
    root = project({"README.md": "```python\nmodel = AutoModel.from_pretrained('google/gemma-2-2b'\n```\n"})
    run = cli("scan", root, "--offline", "--format", "json", "--fail-on", "never")
    report = run.json()
    assert [(r["line"], r["model"]) for r in report["references"]] == [(2, "google/gemma-2-2b")]
    assert any("does not parse" in n["message"] and n["level"] == "info" for n in report["notes"])
