"""Data preparation: everything here is a dataset, a file, a route or a date -- never a model."""

import mimetypes
import os
import subprocess
from datetime import datetime

import requests
from datasets import load_dataset
from huggingface_hub import HfApi, hf_hub_download, snapshot_download

# Datasets on the Hub look exactly like model ids.
alpaca = load_dataset("tatsu-lab/alpaca", split="train")
squad = load_dataset(path="rajpurkar/squad_v2")
mix = load_dataset("HuggingFaceH4/ultrafeedback_binarized", name="default")
eval_file = hf_hub_download(repo_id="openai/gsm8k", filename="main/test-00000-of-00001.parquet", repo_type="dataset")
space_dir = snapshot_download("gradio/hello_world", repo_type="space")
DATASET_REPO = "acme/support-transcripts"
HfApi().create_repo(DATASET_REPO, repo_type="dataset", exist_ok=True)

# Files and folders.
TRAIN_FILE = "data/train.jsonl"
CONFIG_PATH = "configs/base.yaml"
OUTPUT_DIR = "outputs/run-7"
CHECKPOINT_DIR = "checkpoints/best"
LOCAL_WEIGHTS = os.path.join("weights", "final")

# MIME types, dates, git refs, routes.
ACCEPTED = ["application/json", "text/plain", "image/png", "audio/wav"]
mimetypes.add_type("text/markdown", ".md")
STAMP = datetime.now().strftime("%Y/%m/%d")
RELEASE_DATE = "2024/05/01"
BASE_BRANCH = "origin/main"
subprocess.run(["git", "diff", "--name-only", "refs/heads/main"], check=True)
ROUTES = {"chat": "/v1/chat/completions", "models": "/v1/models", "embed": "api/v1/embeddings"}

# Other org/name strings: GitHub repositories, container images, npm scopes, W&B projects.
UPSTREAM = "huggingface/transformers"
releases = requests.get(f"https://api.github.com/repos/{UPSTREAM}/releases", timeout=10)
repo = "pytorch/pytorch"
IMAGE = "vllm/vllm-openai:v0.6.3"
os.environ.setdefault("WANDB_PROJECT", "acme-ml/data-prep")
frontend_package = "@acme/ui-kit"
vision = __import__("torch").hub.load("pytorch/vision", "resnet50", weights="DEFAULT")

# Where a training run publishes its own model is an output, not a dependency.
training_config = {
    "output_dir": "outputs/sft",
    "hub_model_id": "acme-ml/support-sft",
    "push_to_hub": True,
    "dataset_name": "acme/support-transcripts",
    "run_name": "sft/2024-11-02",
}
