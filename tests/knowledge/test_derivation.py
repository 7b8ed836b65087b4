"""Guessing a derivative's base from its name, for offline scans without a lockfile or a card."""

from __future__ import annotations

import pytest

from model_risk.knowledge.derivation import guess_base
from model_risk.knowledge.vendors import builtin_vendors

# model id -> (guessed base, relation), or None when the name says nothing trustworthy
CASES = {
    # a derivative suffix stripped
    "bartowski/Qwen2.5-7B-Instruct-GGUF": ("Qwen/Qwen2.5-7B-Instruct", "quantized"),
    "TheBloke/Llama-2-7B-Chat-AWQ": ("meta-llama/Llama-2-7B-Chat", "quantized"),
    "someone/gemma-2-9b-it-bnb-4bit": ("google/gemma-2-9b-it", "quantized"),
    # the part after -Distill-
    "someone/DeepSeek-R1-Distill-Llama-8B-v2": ("meta-llama/Llama-8B-v2", "distillation"),
    # a re-uploader's copy, as it is; converters re-upload architectures too
    "unsloth/Meta-Llama-3.1-8B-Instruct": ("meta-llama/Meta-Llama-3.1-8B-Instruct", "finetune"),
    "Xenova/whisper-tiny.en": ("openai/whisper-tiny.en", "finetune"),
    "onnx-community/Qwen2.5-0.5B-Instruct": ("Qwen/Qwen2.5-0.5B-Instruct", "finetune"),
    # another organisation's model named after an LLM family
    "NousResearch/Meta-Llama-3-8B": ("meta-llama/Meta-Llama-3-8B", "finetune"),
    "trl-lib/qwen1.5-1.8b-sft": ("Qwen/qwen1.5-1.8b-sft", "finetune"),
    # an architecture others train from scratch: a model merely named like it is not a derivative
    "aubmindlab/bert-base-arabertv2": None,
    "laion/CLIP-ViT-H-14-laion2B-s32B-b79K": None,
    # the family's own organisation, and names that match no family
    "Qwen/Qwen2.5-7B-Instruct": None,
    "meta-llama/Llama-3.1-8B": None,
    "acme/house-model-7b": None,
}


@pytest.mark.parametrize("model_id", sorted(CASES))
def test_guess_base_from_name(model_id: str) -> None:
    guess = guess_base(model_id, builtin_vendors().is_redistributor)
    expected = CASES[model_id]
    if expected is None:
        assert guess is None
    else:
        assert guess is not None and (guess.base_model, guess.relation) == expected
        assert guess.reason  # every guess says why it was made
