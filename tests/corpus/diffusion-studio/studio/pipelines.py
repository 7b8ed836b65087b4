"""Text-to-image pipelines used by the studio backend."""

from functools import cache

import torch
from diffusers import (
    AutoencoderKL,
    ControlNetModel,
    DiffusionPipeline,
    EulerAncestralDiscreteScheduler,
    FluxPipeline,
    StableDiffusionXLControlNetPipeline,
    StableDiffusionXLPipeline,
)

SDXL_BASE = "stabilityai/stable-diffusion-xl-base-1.0"
SDXL_REFINER = "stabilityai/stable-diffusion-xl-refiner-1.0"
# The stock SDXL VAE overflows in fp16; this one is numerically fixed.
FP16_VAE = "madebyollin/sdxl-vae-fp16-fix"

STYLE_LORAS = {
    "pixel": "nerijs/pixel-art-xl",
    "papercut": "TheLastBen/Papercut_SDXL",
}


@cache
def sdxl(device: str = "cuda") -> StableDiffusionXLPipeline:
    vae = AutoencoderKL.from_pretrained(FP16_VAE, torch_dtype=torch.float16)
    pipe = StableDiffusionXLPipeline.from_pretrained(
        SDXL_BASE, vae=vae, torch_dtype=torch.float16, variant="fp16", use_safetensors=True
    )
    pipe.scheduler = EulerAncestralDiscreteScheduler.from_pretrained(SDXL_BASE, subfolder="scheduler")
    return pipe.to(device)


@cache
def refiner(device: str = "cuda") -> DiffusionPipeline:
    base = sdxl(device)
    return DiffusionPipeline.from_pretrained(
        SDXL_REFINER,
        text_encoder_2=base.text_encoder_2,
        vae=base.vae,
        torch_dtype=torch.float16,
        variant="fp16",
    ).to(device)


def with_style(style: str) -> StableDiffusionXLPipeline:
    pipe = sdxl()
    pipe.load_lora_weights(STYLE_LORAS[style], adapter_name=style)
    return pipe


def canny_pipeline() -> StableDiffusionXLControlNetPipeline:
    controlnet = ControlNetModel.from_pretrained("diffusers/controlnet-canny-sdxl-1.0", torch_dtype=torch.float16)
    return StableDiffusionXLControlNetPipeline.from_pretrained(
        SDXL_BASE, controlnet=controlnet, vae=AutoencoderKL.from_pretrained(FP16_VAE), torch_dtype=torch.float16
    )


def flux_schnell() -> FluxPipeline:
    # Apache-2.0, unlike FLUX.1-dev.
    pipe = FluxPipeline.from_pretrained("black-forest-labs/FLUX.1-schnell", torch_dtype=torch.bfloat16)
    pipe.enable_model_cpu_offload()
    return pipe


def upscale_single_file(path: str = "https://huggingface.co/stabilityai/stable-diffusion-x4-upscaler/blob/main/x4-upscaler-ema.safetensors"):
    from diffusers import StableDiffusionUpscalePipeline

    return StableDiffusionUpscalePipeline.from_single_file(path)
