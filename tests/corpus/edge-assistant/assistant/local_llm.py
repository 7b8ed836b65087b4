"""On-device chat with llama.cpp, falling back to a hosted model when the laptop is too small."""

import os

from huggingface_hub import hf_hub_download
from llama_cpp import Llama

GGUF_REPO = os.environ.get("ASSISTANT_GGUF_REPO", "bartowski/Llama-3.2-3B-Instruct-GGUF")
GGUF_FILE = "Llama-3.2-3B-Instruct-Q4_K_M.gguf"


def load_small() -> Llama:
    return Llama.from_pretrained(
        repo_id="Qwen/Qwen2.5-1.5B-Instruct-GGUF",
        filename="*q4_k_m.gguf",
        n_ctx=4096,
        verbose=False,
    )


def load_default() -> Llama:
    path = hf_hub_download(repo_id=GGUF_REPO, filename=GGUF_FILE)
    return Llama(model_path=path, n_ctx=8192, n_gpu_layers=-1)


def load_draft() -> str:
    # Speculative decoding draft model, fetched by filename only.
    return hf_hub_download("bartowski/Llama-3.2-1B-Instruct-GGUF", "Llama-3.2-1B-Instruct-Q8_0.gguf",
                           revision="067b946cf014b7c697f3654f621d577a3e3afd1c")


def system_prompt_from_hub() -> str:
    # A prompt file kept in a dataset repo, not a model.
    path = hf_hub_download(repo_id="acme/assistant-prompts", filename="system.txt", repo_type="dataset")
    with open(path, encoding="utf-8") as handle:
        return handle.read()
