#!/bin/zsh
# Apple silicon: 4-bit MLX conversions from the mlx-community organisation.
MLX_MODEL="mlx-community/Llama-3.2-3B-Instruct-4bit"

mlx_lm.generate --model "$MLX_MODEL" --prompt "Summarise my notes from today" --max-tokens 256
mlx_lm.convert --hf-path mistralai/Mistral-7B-Instruct-v0.3 -q --upload-repo acme/Mistral-7B-Instruct-v0.3-4bit

ollama pull hf.co/bartowski/Qwen2.5-7B-Instruct-GGUF:Q4_K_M
ollama run llama3.2:3b
