#!/usr/bin/env bash
# Full SFT run on one 8xH100 node.
set -euo pipefail

MODEL_NAME=${MODEL_NAME:-mistralai/Mistral-7B-v0.3}
RUN_NAME="mistral-sft-$(date +%Y%m%d)"
OUTPUT_DIR="outputs/${RUN_NAME}"

export WANDB_PROJECT=support-llm
export HF_HUB_ENABLE_HF_TRANSFER=1

accelerate launch \
    --config_file configs/accelerate/deepspeed_zero3.yaml \
    --num_processes 8 \
    scripts/run_sft.py \
    --model_name_or_path "${MODEL_NAME}" \
    --dataset_name HuggingFaceH4/no_robots \
    --output_dir "${OUTPUT_DIR}" \
    --per_device_train_batch_size 4 \
    --gradient_accumulation_steps 2 \
    --learning_rate 2e-5 \
    --num_train_epochs 2 \
    --bf16 \
    --report_to wandb \
    --hub_model_id "acme-ml/${RUN_NAME}" \
    --push_to_hub

# Quick sanity check of the result against the instruct model we want to beat.
python scripts/compare.py --candidate "${OUTPUT_DIR}" --baseline mistralai/Mistral-7B-Instruct-v0.3
