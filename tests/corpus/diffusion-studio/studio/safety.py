"""Screens prompts and generated images before they reach users."""

from transformers import AutoProcessor, CLIPModel, pipeline

NSFW_CLASSIFIER = "Falconsai/nsfw_image_detection"

image_checker = pipeline("image-classification", model=NSFW_CLASSIFIER)
prompt_checker = pipeline(
    "text-classification",
    model="unitary/toxic-bert",
    top_k=None,
)

clip = CLIPModel.from_pretrained("openai/clip-vit-large-patch14")
clip_processor = AutoProcessor.from_pretrained("openai/clip-vit-large-patch14")

BLOCKED_MIME_TYPES = {"image/svg+xml", "image/x-icon", "application/pdf"}
UPLOAD_ROOT = "uploads/2024/11"


def is_safe(image) -> bool:
    scores = {r["label"]: r["score"] for r in image_checker(image)}
    return scores.get("nsfw", 0.0) < 0.5


def prompt_is_safe(prompt: str) -> bool:
    labels = prompt_checker(prompt)[0]
    return all(item["score"] < 0.8 for item in labels if item["label"] in {"toxic", "obscene"})
