"""Offline development: the same chat model as a GGUF file for llama.cpp on a laptop."""

import os

from huggingface_hub import hf_hub_download
from llama_cpp import Llama


def load_local_model() -> Llama:
    path = hf_hub_download(
        repo_id="bartowski/Qwen2.5-7B-Instruct-GGUF",
        filename="Qwen2.5-7B-Instruct-Q4_K_M.gguf",
        cache_dir=os.environ.get("MODEL_CACHE"),
    )
    return Llama(model_path=path, n_ctx=8192)
