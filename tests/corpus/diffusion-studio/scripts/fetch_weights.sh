#!/usr/bin/env bash
# Pre-download every checkpoint the studio needs into the shared volume.
set -e
TARGET=${TARGET:-/mnt/weights}

for repo in stabilityai/stable-diffusion-xl-base-1.0 stabilityai/stable-diffusion-xl-refiner-1.0; do
  huggingface-cli download "$repo" --include "*.safetensors" "*.json" "*.txt" --local-dir "$TARGET/$repo"
done

hf download black-forest-labs/FLUX.1-schnell --local-dir "$TARGET/flux-schnell"
hf download madebyollin/sdxl-vae-fp16-fix --local-dir "$TARGET/vae"

# ControlNet weights are a single file; plain wget is enough.
wget -q -O "$TARGET/controlnet-canny.safetensors" \
  https://huggingface.co/diffusers/controlnet-canny-sdxl-1.0/resolve/main/diffusion_pytorch_model.fp16.safetensors

git clone https://github.com/kohya-ss/sd-scripts.git /opt/sd-scripts
git -C /opt/sd-scripts checkout origin/main
