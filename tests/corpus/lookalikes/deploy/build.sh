#!/usr/bin/env bash
set -euo pipefail
git fetch origin && git checkout origin/main
docker pull vllm/vllm-openai:v0.6.3
docker build -t ghcr.io/acme/assistant:2024.11 .
python train.py --dataset_name acme/support-transcripts --output_dir outputs/run-9 --hub_model_id acme-ml/run-9
vllm serve /models/acme-assistant --served-model-name acme/assistant
huggingface-cli download --repo-type dataset HuggingFaceH4/ultrachat_200k
huggingface-cli upload --repo-type dataset acme-ml/run-9-logs outputs/run-9
curl -s https://api.github.com/repos/huggingface/transformers/releases/latest
echo "built on $(date +%Y/%m/%d)"
