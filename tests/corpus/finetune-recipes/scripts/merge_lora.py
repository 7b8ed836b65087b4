"""Fold a trained LoRA adapter into its base model and publish the merged weights.

Example:
    python scripts/merge_lora.py --adapter acme-ml/llama3-8b-support-qlora --push acme-ml/llama3-8b-support
"""

import argparse

import torch
from peft import PeftModel
from transformers import AutoModelForCausalLM, AutoTokenizer

BASE_MODEL_ID = "meta-llama/Llama-3.1-8B"
# Pinned: the adapter was trained against exactly this commit of the base weights.
BASE_REVISION = "d04e592bb4f6aa9cfee91e2e20afa771667e1d4b"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", default=BASE_MODEL_ID, help="base model repo")
    parser.add_argument("--adapter", required=True, help="LoRA adapter repo or local folder")
    parser.add_argument("--push", default=None, help="repo to upload the merged model to")
    parser.add_argument("--output-dir", default="outputs/merged")
    return parser.parse_args()


def merge(base_id: str, adapter_id: str):
    base = AutoModelForCausalLM.from_pretrained(base_id, revision=BASE_REVISION, torch_dtype=torch.bfloat16)
    model = PeftModel.from_pretrained(base, adapter_id)
    return model.merge_and_unload()


def main():
    args = parse_args()
    merged = merge(args.base, args.adapter)
    tokenizer = AutoTokenizer.from_pretrained(args.base)
    merged.save_pretrained(args.output_dir, safe_serialization=True)
    tokenizer.save_pretrained(args.output_dir)
    if args.push:
        merged.push_to_hub(args.push, private=True)
        tokenizer.push_to_hub(args.push, private=True)


if __name__ == "__main__":
    main()
