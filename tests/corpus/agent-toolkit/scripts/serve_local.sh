#!/usr/bin/env bash
# Serve the coder model with vLLM's OpenAI-compatible server and tool calling enabled.
set -e
CODER=Qwen/Qwen2.5-Coder-7B-Instruct
python -m vllm.entrypoints.openai.api_server \
  --model "$CODER" \
  --enable-auto-tool-choice --tool-call-parser hermes \
  --port 8001
