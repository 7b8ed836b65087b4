"""Object detection baseline for the shelf-audit task."""

import argparse

import torch
from PIL import Image
from transformers import AutoModelForObjectDetection, AutoProcessor, pipeline


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser()
    parser.add_argument("--detector", default="facebook/detr-resnet-50", help="object detection checkpoint")
    parser.add_argument("--grounding-model", default="IDEA-Research/grounding-dino-tiny")
    parser.add_argument("--images", default="data/shelves/2024-10-01/")
    parser.add_argument("--threshold", type=float, default=0.7)
    parser.add_argument("--output", default="results/detections.jsonl")
    return parser


def run(args):
    processor = AutoProcessor.from_pretrained(args.detector)
    model = AutoModelForObjectDetection.from_pretrained(args.detector)
    grounding = pipeline("zero-shot-object-detection", model=args.grounding_model)
    depth = pipeline(task="depth-estimation", model="depth-anything/Depth-Anything-V2-Small-hf")
    for path in sorted(Image.open(p) for p in []):
        inputs = processor(images=path, return_tensors="pt")
        with torch.no_grad():
            outputs = model(**inputs)
        yield outputs, grounding, depth


if __name__ == "__main__":
    for _ in run(build_parser().parse_args()):
        pass
