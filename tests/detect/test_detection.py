"""What each detector reports, and where: through the CLI and the JSON report."""

from __future__ import annotations

import json

import pytest
from support.detect_scan import scan  # noqa: F401  (a fixture)

SHA = "d04e592bb4f6aa9cfee91e2e20afa771667e1d4b"


def located(report: dict) -> list[tuple[str, int, str]]:
    return [(r["path"], r["line"], r["model"]) for r in report["references"]]


def models(report: dict) -> list[str]:
    return [r["model"] for r in report["references"]]


# -- Python ------------------------------------------------------------------------------------------

def test_python_loader_records_revision_trust_and_loader(scan):
    report = scan({"app.py": f"""
        from transformers import AutoModelForCausalLM
        model = AutoModelForCausalLM.from_pretrained(
            "deepseek-ai/DeepSeek-V3", revision="{SHA}", trust_remote_code=True)
        """})
    [ref] = report["references"]
    assert ref["line"] == 3
    assert ref["revision"] == SHA and ref["revision_pinned"] is True
    assert ref["trust_remote_code"] is True
    assert ref["loader"] == "AutoModelForCausalLM.from_pretrained"


def test_python_follows_constants_environment_defaults_and_parameters(scan):
    report = scan({"app.py": """
        import os
        from transformers import AutoTokenizer, pipeline
        CHAT = os.environ.get("CHAT_MODEL", "Qwen/Qwen2.5-7B-Instruct")
        FALLBACK = os.getenv("X") or "microsoft/Phi-3-mini-4k-instruct"

        def load(name="google/gemma-2-2b-it", trust=True):
            return AutoTokenizer.from_pretrained(name, trust_remote_code=trust)

        tok = AutoTokenizer.from_pretrained(CHAT, revision="v2.0")
        gen = pipeline("text-generation", model=FALLBACK)
        """})
    refs = {r["model"]: r for r in report["references"]}
    assert set(refs) == {"Qwen/Qwen2.5-7B-Instruct", "microsoft/Phi-3-mini-4k-instruct", "google/gemma-2-2b-it"}
    assert refs["Qwen/Qwen2.5-7B-Instruct"]["line"] == 3 and refs["Qwen/Qwen2.5-7B-Instruct"]["revision"] == "v2.0"
    assert refs["Qwen/Qwen2.5-7B-Instruct"]["revision_pinned"] is False
    assert refs["google/gemma-2-2b-it"]["trust_remote_code"] is True


def test_python_libraries(scan):
    report = scan({"app.py": """
        import timm, open_clip
        from peft import PeftModel
        from vllm import LLM
        from llama_cpp import Llama
        from huggingface_hub import hf_hub_download, snapshot_download
        from sentence_transformers import SentenceTransformer
        from langchain_huggingface import HuggingFaceEndpoint
        base = object()
        PeftModel.from_pretrained(base, "tloen/alpaca-lora-7b")
        LLM(model="mistralai/Mistral-7B-Instruct-v0.3")
        Llama.from_pretrained(repo_id="TheBloke/Mistral-7B-Instruct-v0.2-GGUF", filename="*Q4_K_M.gguf")
        hf_hub_download("stabilityai/stable-diffusion-3.5-large", "sd3.5_large.safetensors")
        snapshot_download(repo_id="openai/whisper-small")
        SentenceTransformer("all-MiniLM-L6-v2")
        HuggingFaceEndpoint(repo_id="HuggingFaceH4/zephyr-7b-beta")
        timm.create_model("hf-hub:timm/resnet50.a1_in1k", pretrained=True)
        """})
    assert models(report) == [
        "tloen/alpaca-lora-7b", "mistralai/Mistral-7B-Instruct-v0.3", "TheBloke/Mistral-7B-Instruct-v0.2-GGUF",
        "stabilityai/stable-diffusion-3.5-large", "openai/whisper-small", "all-MiniLM-L6-v2",
        "HuggingFaceH4/zephyr-7b-beta", "timm/resnet50.a1_in1k",
    ]
    short = report["references"][5]
    assert short["lookup_id"] == "sentence-transformers/all-MiniLM-L6-v2"


def test_python_options_fields_dicts_and_commands(scan):
    report = scan({"train.py": """
        import argparse, subprocess
        from dataclasses import dataclass, field

        @dataclass
        class ModelArguments:
            model_name_or_path: str = field(default="EleutherAI/pythia-1b")

        parser = argparse.ArgumentParser()
        parser.add_argument("--teacher", default="meta-llama/Llama-3.1-70B")
        CONFIG = {"generator": {"name": "google/flan-t5-large"}, "dataset": "squad/v2"}
        for checkpoint in ["facebook/opt-125m", "facebook/opt-350m"]:
            print(checkpoint)
        subprocess.run(["vllm", "serve", "Qwen/Qwen2.5-1.5B-Instruct", "--port", "8000"])
        """})
    assert models(report) == ["EleutherAI/pythia-1b", "meta-llama/Llama-3.1-70B", "google/flan-t5-large",
                              "facebook/opt-125m", "facebook/opt-350m", "Qwen/Qwen2.5-1.5B-Instruct"]


def test_legacy_ids_count_only_where_a_model_is_loaded(scan):
    report = scan({"app.py": """
        from transformers import AutoModel, pipeline
        AutoModel.from_pretrained("bert-base-uncased")
        pipeline("text-generation", model="gpt2")
        NAME = "gpt2"
        print("t5-small is small")
        label = {"arch": "roberta-base"}
        """})
    assert models(report) == ["bert-base-uncased", "gpt2"]


def test_api_models_are_reported_with_their_vendor(scan):
    report = scan({"llm.py": """
        from openai import OpenAI
        from anthropic import Anthropic
        import google.generativeai as genai
        OpenAI().chat.completions.create(model="gpt-4o-mini", messages=[])
        Anthropic().messages.create(model="claude-3-5-sonnet-20241022", max_tokens=5, messages=[])
        genai.GenerativeModel("gemini-1.5-flash")
        completion(model="dashscope/qwen-max")
        tokenizer = AutoTokenizer.from_pretrained("Xenova/gpt-4o")
        """})
    refs = {r["model"]: r for r in report["references"]}
    assert {m: (r["kind"], r["api_vendor"]) for m, r in refs.items()} == {
        "gpt-4o-mini": ("api", "OpenAI"), "claude-3-5-sonnet-20241022": ("api", "Anthropic"),
        "gemini-1.5-flash": ("api", "Google"), "qwen-max": ("api", "Alibaba"), "Xenova/gpt-4o": ("hub", None),
    }
    statuses = {m["id"]: (m["status"], m["vendor"]) for m in report["models"]}
    assert statuses["gpt-4o-mini"] == ("api", "OpenAI")


# -- configuration files -----------------------------------------------------------------------------

def test_yaml_keys_by_meaning_with_lines_and_columns(scan):
    report = scan({"config.yaml": """
        model:
          name: "meta-llama/Llama-3.2-1B"
        retriever:
          embeddingModel: BAAI/bge-small-en-v1.5
        models:
          small: Qwen/Qwen2.5-0.5B
        datasets:
          - path: HuggingFaceH4/ultrachat_200k
        output_dir: outputs/run1
        hub_model_id: acme/my-finetune
        """})
    assert located(report) == [
        ("config.yaml", 2, "meta-llama/Llama-3.2-1B"),
        ("config.yaml", 4, "BAAI/bge-small-en-v1.5"),
        ("config.yaml", 6, "Qwen/Qwen2.5-0.5B"),
    ]


def test_yaml_manifests(scan):
    report = scan({"compose.yml": """
        services:
          llm:
            image: vllm/vllm-openai:v0.11.0
            command: --model mistralai/Mistral-7B-Instruct-v0.3 --served-model-name chat
            environment:
              - EMBEDDING_MODEL=BAAI/bge-m3
        """, "deploy.yaml": """
        spec:
          containers:
            - args: ["--model-id", "BAAI/bge-reranker-base", "--revision", "main"]
              env:
                - name: DRAFT_MODEL
                  value: Qwen/Qwen2.5-0.5B-Instruct
              command:
                - /bin/sh
                - -c
                - |
                  huggingface-cli download intfloat/e5-small-v2
        """})
    refs = {r["model"]: r for r in report["references"]}
    assert sorted(refs) == ["BAAI/bge-m3", "BAAI/bge-reranker-base", "Qwen/Qwen2.5-0.5B-Instruct",
                            "intfloat/e5-small-v2", "mistralai/Mistral-7B-Instruct-v0.3"]
    assert refs["intfloat/e5-small-v2"]["line"] == 11
    assert refs["BAAI/bge-reranker-base"]["revision"] == "main"


def test_json_and_toml(scan):
    report = scan({
        "config.json": '{\n  "encoder": {"model_name_or_path": "facebook/dpr-ctx_encoder-single-nq-base"},\n'
                       '  "corpus": "BeIR/nq"\n}\n',
        "pyproject.toml": '[tool.app.models]\nchat = "microsoft/phi-4"\n\n[tool.model-risk]\n'
                          'allow = [{model = "acme/allowed", reason = "internal"}]\n',
        ".model-risk.yaml": "allow:\n  - model: acme/allowed\n    reason: internal\n",
    })
    assert located(report) == [
        ("config.json", 2, "facebook/dpr-ctx_encoder-single-nq-base"),
        ("pyproject.toml", 2, "microsoft/phi-4"),
    ]


def test_broken_json_is_read_as_text(scan):
    report = scan({"settings.json": '{\n  // editor settings\n  "model": "bigcode/starcoder2-3b",\n}\n'})
    assert located(report) == [("settings.json", 3, "bigcode/starcoder2-3b")]
    assert "invalid JSON" in report["notes"][0]["message"]


# -- shell, Dockerfile, .env, Makefile --------------------------------------------------------------

def test_shell_commands(scan):
    report = scan({"serve.sh": """
        #!/bin/bash
        MODEL=${MODEL:-meta-llama/Llama-3.1-8B-Instruct}
        vllm serve "$MODEL" --trust-remote-code
        huggingface-cli download TheBloke/Llama-2-7B-GGUF llama-2-7b.Q4_K_M.gguf
        hf download --repo-type dataset tatsu-lab/alpaca
        text-generation-launcher --model-id bigscience/bloom-560m --revision main
        llama-server -hf ggml-org/gemma-3-1b-it-GGUF:Q4_K_M
        python -c "from huggingface_hub import snapshot_download; snapshot_download('Qwen/Qwen2.5-0.5B')"
        """})
    refs = {r["model"]: r for r in report["references"]}
    assert sorted(refs) == ["Qwen/Qwen2.5-0.5B", "TheBloke/Llama-2-7B-GGUF", "bigscience/bloom-560m",
                            "ggml-org/gemma-3-1b-it-GGUF", "meta-llama/Llama-3.1-8B-Instruct"]
    assert refs["meta-llama/Llama-3.1-8B-Instruct"]["trust_remote_code"] is True
    assert refs["bigscience/bloom-560m"]["revision"] == "main"
    assert refs["Qwen/Qwen2.5-0.5B"]["line"] == 8


def test_dockerfile_env_file_and_makefile(scan):
    report = scan({
        "Dockerfile": 'FROM python:3.11\nENV MODEL_ID=google/flan-t5-base\nARG TOKENIZER openai-community/gpt2\n'
                      'CMD ["python", "serve.py", "--model", "facebook/bart-large-cnn"]\n',
        ".env.example": 'OPENAI_MODEL="gpt-4o"  # cheapest that works\nIMAGE=vllm/vllm-openai:latest\n',
        "Makefile": "BASE_MODEL ?= mistralai/Mistral-7B-v0.1\n\ntrain:\n\tpython train.py --model $(BASE_MODEL)\n",
    })
    assert located(report) == [
        (".env.example", 1, "gpt-4o"),
        ("Dockerfile", 2, "google/flan-t5-base"),
        ("Dockerfile", 3, "openai-community/gpt2"),
        ("Dockerfile", 4, "facebook/bart-large-cnn"),
        ("Makefile", 1, "mistralai/Mistral-7B-v0.1"),
    ]


# -- links, notebooks, JavaScript, Markdown ---------------------------------------------------------

def test_hub_links(scan):
    report = scan({"download.sh": """
        wget https://huggingface.co/TheBloke/Mistral-7B-GGUF/resolve/main/mistral.Q4_K_M.gguf
        ollama run hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q8_0
        see https://huggingface.co/gpt2, https://huggingface.co/datasets/squad/v2 and huggingface.co/meta-llama.
        fsspec hf://sentence-transformers/all-MiniLM-L6-v2@main/config.json hf://datasets/org/data
        """})
    refs = [(r["model"], r["line"], r["revision"]) for r in report["references"]]
    assert refs == [("TheBloke/Mistral-7B-GGUF", 1, "main"), ("bartowski/Llama-3.2-1B-Instruct-GGUF", 2, None),
                    ("gpt2", 3, None), ("sentence-transformers/all-MiniLM-L6-v2", 4, "main")]


def _notebook(*cells: list[str]) -> str:
    return json.dumps({"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                                  "source": source} for source in cells],
                       "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1)


def test_notebook_lines_are_lines_of_the_ipynb_file(scan):
    text = _notebook(
        ["!pip install transformers\n", "!huggingface-cli download google/gemma-2-2b\n",
         "MODEL = \"microsoft/phi-2\"\n"],
        ["from transformers import AutoModel\n", "m = AutoModel.from_pretrained(MODEL, trust_remote_code=True)"],
    )
    report = scan({"nb.ipynb": text})
    assert located(report) == [("nb.ipynb", 10, "google/gemma-2-2b"), ("nb.ipynb", 11, "microsoft/phi-2")]
    assert report["references"][1]["trust_remote_code"] is True


def test_notebook_with_a_broken_cell_keeps_the_others(scan):
    text = _notebook(["def broken(:\n"], ["from transformers import pipeline\n",
                                           "p = pipeline('summarization', model='facebook/bart-large-cnn')\n"])
    report = scan({"nb.ipynb": text})
    assert models(report) == ["facebook/bart-large-cnn"]
    [note] = report["notes"]
    broken_line = next(i for i, line in enumerate(text.splitlines(), 1) if "def broken" in line)
    assert "syntax error" in note["message"] and note["line"] == broken_line


def test_javascript_and_typescript(scan):
    report = scan({"app.ts": """
        import { pipeline } from "@huggingface/transformers";
        import { openai } from "@ai-sdk/openai";
        const EMBEDDER: string = process.env.EMBEDDER ?? "Xenova/bge-small-en-v1.5";
        const extractor = await pipeline("feature-extraction", EMBEDDER);
        const answer = await generateText({ model: openai("gpt-4o"), prompt });
        const body = { model: "meta-llama/Llama-3.2-3B-Instruct", messages };
        // pipeline("ner", "Xenova/bert-base-NER");
        const url = "/v1/chat/completions", type = "application/json";
        """})
    assert located(report) == [("app.ts", 3, "Xenova/bge-small-en-v1.5"), ("app.ts", 5, "gpt-4o"),
                               ("app.ts", 6, "meta-llama/Llama-3.2-3B-Instruct"),
                               ("app.ts", 7, "Xenova/bert-base-NER")]
    assert report["references"][-1]["confidence"] == "likely", "commented-out code: read as free text"


def test_markdown_links_and_code_blocks(scan):
    report = scan({"README.md": """
        Uses [Mistral](https://huggingface.co/mistralai/Mistral-7B-v0.1).

        ```python
        >>> from transformers import pipeline
        >>> pipe = pipeline("fill-mask", model="FacebookAI/roberta-base")
        ```

        - install:

          ```bash
          $ vllm serve Qwen/Qwen2.5-7B-Instruct \\
              --tokenizer Qwen/Qwen2.5-7B-Instruct
          INFO: ready
          ```

        ```yaml
        model_id: ibm-granite/granite-3.0-2b-instruct
        ```

        Mentioning `org/name` in prose is not a reference; Qwen/Qwen2-7B is a likely one.
        """})
    assert located(report) == [
        ("README.md", 1, "mistralai/Mistral-7B-v0.1"),
        ("README.md", 5, "FacebookAI/roberta-base"),
        ("README.md", 11, "Qwen/Qwen2.5-7B-Instruct"),
        ("README.md", 12, "Qwen/Qwen2.5-7B-Instruct"),
        ("README.md", 17, "ibm-granite/granite-3.0-2b-instruct"),
        ("README.md", 20, "Qwen/Qwen2-7B"),
    ]
    assert [r["confidence"] for r in report["references"]] == ["certain"] * 5 + ["likely"]


# -- not models --------------------------------------------------------------------------------------

NOT_MODELS = {
    "dataset ids": {
        "data.py": 'from datasets import load_dataset\nload_dataset("tatsu-lab/alpaca")\n'
                   'hf_hub_download(repo_id="openai/gsm8k", filename="x", repo_type="dataset")\n'
                   'snapshot_download("gradio/hello", repo_type="space")\n',
        "train.yaml": "datasets:\n  - path: HuggingFaceH4/ultrachat_200k\ndataset_name: tatsu-lab/alpaca\n",
        "get.sh": "huggingface-cli download --repo-type dataset tatsu-lab/alpaca\n",
    },
    "MIME types": {
        "api.py": 'HEADERS = {"Content-Type": "application/json"}\nmodel = "text/plain"\n',
        "config.yaml": "model:\n  accept: [image/png, audio/wav]\n  format: application/json\n",
    },
    "file paths": {
        "load.py": 'from transformers import AutoModel\nAutoModel.from_pretrained("outputs/run-3")\n'
                   'AutoModel.from_pretrained("checkpoints/checkpoint-500")\nmodel_path = "models/bert.bin"\n',
        "config.yaml": "model_dir: weights/final\nmodel: configs/model.yaml\n",
    },
    "dates": {
        "release.py": 'model_version = "2024/05"\nmodel = "2024/05"\n',
        "notes.yaml": "model:\n  released: 2024/11/02\n",
    },
    "git refs": {
        "ci.sh": "git checkout origin/main\ngit diff refs/heads/main\n",
        "deploy.yaml": "model:\n  branch: origin/release\nbase_model_revision: refs/pr/1\n",
    },
    "GitHub URLs": {
        "setup.py": 'url = "https://github.com/huggingface/transformers"\nrepo = "huggingface/transformers"\n',
        "README.md": "Code: https://github.com/meta-llama/llama-models and [issues](https://github.com/org/x).\n",
    },
    "container images": {
        "compose.yaml": "services:\n  llm:\n    image: vllm/vllm-openai:v0.11.0\n",
        "Dockerfile": "FROM vllm/vllm-openai:v0.11.0\n",
        "run.sh": "docker run --gpus all vllm/vllm-openai:v0.11.0\n",
    },
    "API routes": {
        "client.ts": 'const ROUTES = { chat: "/v1/chat/completions", models: "api/v1/models" };\n',
        "routes.py": 'model_route = "v1/models"\nENDPOINT = "/v1/embeddings"\n',
    },
    "org/name in unrelated contexts": {
        "ci.yml": "steps:\n  - uses: actions/checkout@v4\n    with:\n      repository: huggingface/transformers\n",
        "package.json": '{"name": "@acme/web", "dependencies": {"@huggingface/transformers": "^3.0.0"}}\n',
        "track.py": 'WANDB_PROJECT = "acme/experiments"\nlocale = "en/US"\n'
                    'training_args = dict(hub_model_id="acme/my-finetune", push_to_hub=True)\n',
        "serve.sh": "vllm serve /models/llama --served-model-name acme/assistant\n",
        "docs.md": "Our [Space](https://huggingface.co/spaces/acme/demo) and [org](https://huggingface.co/acme).\n",
    },
}


@pytest.mark.parametrize("files", list(NOT_MODELS.values()), ids=list(NOT_MODELS))
def test_not_models(scan, files):
    assert scan(files)["references"] == []


# -- inline suppression in every file kind with comments ---------------------------------------------

IGNORED = {
    "app.py": 'from transformers import AutoModel\n'
              'AutoModel.from_pretrained("acme/model", trust_remote_code=True)  # model-risk: ignore[trust-remote-code]\n',
    "config.yaml": "model: acme/model  # model-risk: ignore[trust-remote-code]\n",
    "config.toml": 'model = "acme/model"  # model-risk: ignore[trust-remote-code]\n',
    "run.sh": "vllm serve acme/model --trust-remote-code  # model-risk: ignore[trust-remote-code]\n",
    "Dockerfile": "ENV MODEL_ID=acme/model # model-risk: ignore[trust-remote-code]\n",
    ".env": "MODEL_ID=acme/model  # model-risk: ignore[trust-remote-code]\n",
    "app.js": 'const m = await pipeline("ner", "acme/model"); // model-risk: ignore[trust-remote-code]\n',
    "app.ts": 'const m = { model: "acme/model" }; /* model-risk: ignore[trust-remote-code] */\n',
    "README.md": "[weights](https://huggingface.co/acme/model) <!-- model-risk: ignore[trust-remote-code] -->\n",
    "nb.ipynb": _notebook(["m = AutoModel.from_pretrained('acme/model')  # model-risk: ignore[trust-remote-code]\n"]),
}


@pytest.mark.parametrize("name", list(IGNORED))
def test_inline_ignore_in_every_file_kind(scan, name):
    [ref] = scan({name: IGNORED[name]})["references"]
    assert ref["ignore"] == ["trust-remote-code"]


def test_inline_ignore_suppresses_the_finding(cli, project):
    root = project({"app.py": 'from transformers import AutoModel\n'
                              'AutoModel.from_pretrained("acme/model", trust_remote_code=True)  # model-risk: ignore\n'})
    report = cli("scan", root, "--offline", "--format", "json", "--fail-on", "never").json()
    [finding] = [f for f in report["findings"] if f["rule"] == "trust-remote-code"]
    assert finding["suppressed"] is not None
