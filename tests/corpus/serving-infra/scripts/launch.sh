#!/usr/bin/env bash
# Start one inference server; pick the engine with ENGINE=tgi|vllm|sglang.
set -euo pipefail

MODEL=${MODEL:-Qwen/Qwen2.5-7B-Instruct}
VOLUME="$PWD/data"
ENGINE=${ENGINE:-vllm}

case "$ENGINE" in
  tgi)
    docker run --gpus all --shm-size 1g -p 8080:80 -v "$VOLUME:/data" \
      ghcr.io/huggingface/text-generation-inference:2.4.0 \
      --model-id "$MODEL" --quantize awq
    ;;
  vllm)
    vllm serve "$MODEL" --dtype auto --api-key token-abc123
    ;;
  sglang)
    python -m sglang.launch_server --model-path "$MODEL" --port 30000
    ;;
esac

# Warm the tokenizer cache for the embeddings sidecar.
text-embeddings-router --model-id sentence-transformers/all-mpnet-base-v2 --port 8081 &
