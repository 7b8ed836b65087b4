#!/usr/bin/env python
"""Supervised fine-tuning with LoRA adapters.

    accelerate launch scripts/run_sft.py --model_name_or_path mistralai/Mistral-7B-v0.3 \
        --dataset_name HuggingFaceH4/no_robots --output_dir outputs/mistral-sft
"""

import logging
import os
import sys
from dataclasses import dataclass, field
from typing import Optional

import torch
from datasets import load_dataset
from peft import LoraConfig, get_peft_model, prepare_model_for_kbit_training
from transformers import (
    AutoModelForCausalLM,
    AutoTokenizer,
    BitsAndBytesConfig,
    HfArgumentParser,
    TrainingArguments,
)
from trl import SFTTrainer

logger = logging.getLogger(__name__)

# Used when a chat template is missing from the base tokenizer.
TEMPLATE_SOURCE = "HuggingFaceH4/zephyr-7b-beta"


@dataclass
class ModelArguments:
    model_name_or_path: str = field(
        default="mistralai/Mistral-7B-v0.3",
        metadata={"help": "The model checkpoint for weights initialization."},
    )
    tokenizer_name: Optional[str] = field(
        default=None, metadata={"help": "Pretrained tokenizer name or path if not the same as model_name"}
    )
    model_revision: str = field(default="main", metadata={"help": "Branch, tag or commit id."})
    use_flash_attention_2: bool = field(default=True)
    load_in_4bit: bool = field(default=True)


@dataclass
class DataArguments:
    dataset_name: str = field(default="HuggingFaceH4/no_robots")
    dataset_config: Optional[str] = field(default=None)
    text_column: str = field(default="messages")
    max_seq_length: int = field(default=2048)


def load_tokenizer(model_args: ModelArguments):
    tokenizer = AutoTokenizer.from_pretrained(
        model_args.tokenizer_name or model_args.model_name_or_path,
        revision=model_args.model_revision,
    )
    if tokenizer.chat_template is None:
        donor = AutoTokenizer.from_pretrained(TEMPLATE_SOURCE)
        tokenizer.chat_template = donor.chat_template
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def load_model(model_args: ModelArguments):
    quantization = None
    if model_args.load_in_4bit:
        quantization = BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_compute_dtype=torch.bfloat16,
        )
    model = AutoModelForCausalLM.from_pretrained(
        model_args.model_name_or_path,
        revision=model_args.model_revision,
        quantization_config=quantization,
        attn_implementation="flash_attention_2" if model_args.use_flash_attention_2 else "sdpa",
        torch_dtype=torch.bfloat16,
    )
    model = prepare_model_for_kbit_training(model)
    lora = LoraConfig(r=16, lora_alpha=32, lora_dropout=0.05, task_type="CAUSAL_LM",
                      target_modules=["q_proj", "k_proj", "v_proj", "o_proj"])
    return get_peft_model(model, lora)


def main():
    parser = HfArgumentParser((ModelArguments, DataArguments, TrainingArguments))
    if len(sys.argv) == 2 and sys.argv[1].endswith(".yaml"):
        model_args, data_args, training_args = parser.parse_yaml_file(os.path.abspath(sys.argv[1]))
    else:
        model_args, data_args, training_args = parser.parse_args_into_dataclasses()

    raw = load_dataset(data_args.dataset_name, data_args.dataset_config)
    tokenizer = load_tokenizer(model_args)
    model = load_model(model_args)

    trainer = SFTTrainer(
        model=model,
        args=training_args,
        train_dataset=raw["train"],
        eval_dataset=raw.get("test"),
        processing_class=tokenizer,
    )
    trainer.train()
    trainer.save_model(training_args.output_dir)
    if training_args.push_to_hub:
        trainer.push_to_hub(dataset_name=data_args.dataset_name)


if __name__ == "__main__":
    main()
