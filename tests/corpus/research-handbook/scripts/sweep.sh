#!/usr/bin/env bash
set -euo pipefail
EMBEDDERS=(
  "BAAI/bge-small-en-v1.5"
  "intfloat/e5-base-v2"
)
# EMBEDDERS+=("nomic-ai/nomic-embed-text-v1.5")
for embedder in "${EMBEDDERS[@]}"; do
  python scripts/embed.py --model "$embedder" --out "results/$(basename "$embedder")"
done
hf download --repo-type dataset acme-research/corpus-2025
