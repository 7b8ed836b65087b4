"""Backbones compared in the retrieval benchmark."""

import open_clip
import timm
import torch
from transformers import AutoImageProcessor, AutoModel, Dinov2Model, SiglipModel, SiglipProcessor

TIMM_BACKBONES = [
    "hf-hub:timm/vit_base_patch16_224.augreg2_in21k_ft_in1k",
    "hf-hub:timm/convnext_small.fb_in22k_ft_in1k",
    "hf_hub:timm/eva02_base_patch14_224.mim_in22k",
]


def timm_backbone(name: str):
    model = timm.create_model(name, pretrained=True, num_classes=0)
    config = timm.data.resolve_data_config({}, model=model)
    return model.eval(), timm.data.create_transform(**config)


def clip_backbone():
    model, _, preprocess = open_clip.create_model_and_transforms(
        "hf-hub:laion/CLIP-ViT-B-32-laion2B-s34B-b79K"
    )
    tokenizer = open_clip.get_tokenizer("hf-hub:laion/CLIP-ViT-B-32-laion2B-s34B-b79K")
    return model.eval(), preprocess, tokenizer


def siglip_backbone(checkpoint: str = "google/siglip-base-patch16-224"):
    return SiglipModel.from_pretrained(checkpoint).eval(), SiglipProcessor.from_pretrained(checkpoint)


def dino_backbone():
    processor = AutoImageProcessor.from_pretrained("facebook/dinov2-base")
    model = Dinov2Model.from_pretrained("facebook/dinov2-base", torch_dtype=torch.float16)
    return model.eval(), processor


def resnet_baseline():
    # torchvision-style name: timm resolves it to its own Hub repo, not written here.
    return timm.create_model("resnet50", pretrained=True, num_classes=0).eval()


REGISTRY = {
    "vit": lambda: timm_backbone(TIMM_BACKBONES[0]),
    "clip": clip_backbone,
    "siglip": siglip_backbone,
    "dino": dino_backbone,
    "resnet": resnet_baseline,
}
