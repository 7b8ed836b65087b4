"""Scan speed and memory on generated 20,000-file trees, against the strong floor.

Two trees are generated in a temporary directory:

* a realistic one (about 60 MB of Python, Markdown and YAML, written the way an ML code base is:
  modules, configs, docs, with a model reference in a few percent of the files);
* a hostile one (about 70 MB of Python in which every line holds path-like strings and the same few
  names are reused everywhere; see ``hostile_trees.path_heavy``).

On each, ``model-risk scan DIR --offline`` (all cores, cold: its cache emptied before each run) and the floor of :mod:`floor` (walk, read
bytes, one regex that starts with a literal, one process) run side by side, each in a fresh
interpreter, alternating; the table shows medians of three.

Peak memory is the largest sum of resident memory over the scan process and all its children,
sampled from /proc every 10 ms.
"""

from __future__ import annotations

import os
import random
import tempfile
from pathlib import Path

from floor import empty_cache, floor_command, scan_command, side_by_side
from hostile_trees import path_heavy
from run import Row

FILES = 20_000
TARGET_BYTES = 60 * 1024 * 1024
RATIO_TARGET = 1.5
MEMORY_TARGET_MB = 200
REPEAT = 3

# -- the generated tree ------------------------------------------------------------------------------

MODELS = ["meta-llama/Llama-3.1-8B-Instruct", "Qwen/Qwen2.5-7B-Instruct", "BAAI/bge-m3",
          "mistralai/Mistral-7B-Instruct-v0.3", "google/gemma-2-9b-it", "microsoft/Phi-3.5-mini-instruct",
          "sentence-transformers/all-MiniLM-L6-v2", "openai/whisper-large-v3", "facebook/dinov2-base"]
WORDS = ("batch loader tokens step epoch metric config trainer optimizer schedule gradient cache device "
         "shard rank worker queue record sample feature label split window buffer request response").split()


def _word(rng: random.Random) -> str:
    return rng.choice(WORDS)


def _python_module(rng: random.Random, with_model: bool) -> str:
    parts = [f'"""{_word(rng).title()} {_word(rng)} utilities for the {_word(rng)} pipeline."""\n',
             "from __future__ import annotations\n\nimport logging\nimport os\nfrom dataclasses import dataclass\n"
             "from pathlib import Path\n\nimport torch\n\nlogger = logging.getLogger(__name__)\n",
             f'DATA_DIR = Path(os.environ.get("DATA_DIR", "data/{_word(rng)}/{_word(rng)}"))\n\n']
    if rng.random() < 0.15:  # an id-shaped string that is not a model: the file has to be parsed
        parts.append(f'WANDB_PROJECT = "acme-ml/{_word(rng)}-{_word(rng)}"\n\n')
    if with_model:
        parts.append("from transformers import AutoModelForCausalLM, AutoTokenizer\n\n"
                     f'MODEL_ID = "{rng.choice(MODELS)}"\n\n\ndef load_model():\n'
                     "    tokenizer = AutoTokenizer.from_pretrained(MODEL_ID)\n"
                     '    return tokenizer, AutoModelForCausalLM.from_pretrained(MODEL_ID, torch_dtype="auto")\n\n')
    for _ in range(rng.randint(2, 5)):
        a, b, c = _word(rng), _word(rng), _word(rng)
        parts.append(
            f"\n@dataclass\nclass {a.title()}{b.title()}:\n    \"\"\"Holds one {a} and its {b}.\"\"\"\n\n"
            f"    {a}: int = {rng.randint(1, 512)}\n    {b}_path: str = \"runs/{c}/{a}.jsonl\"\n"
            f"    enabled: bool = True\n\n    def {c}(self, {a}: torch.Tensor) -> torch.Tensor:\n"
            f"        if not self.enabled:\n            return {a}\n"
            f"        logger.debug(\"{c}: %s {b}s in %s\", {a}.shape[0], self.{b}_path)\n"
            f"        out = {a}.float().mean(dim=-1, keepdim=True)\n"
            f"        return (out / max(self.{a}, 1)).clamp(min=0.0)\n\n\n"
            f"def {a}_{b}(values: list[float], {c}: float = 0.{rng.randint(1, 99)}) -> float:\n"
            f"    # Weighted by {c}; empty input gives 0.\n    total = sum(v * {c} for v in values)\n"
            f"    return total / len(values) if values else 0.0\n")
    return "".join(parts)


def _markdown(rng: random.Random, with_model: bool) -> str:
    parts = [f"# {_word(rng).title()} {_word(rng)}\n\n"]
    for _ in range(rng.randint(3, 7)):
        a, b = _word(rng), _word(rng)
        parts.append(f"## {a.title()}\n\nThe {a} stage reads each {b} from `data/{a}/` and writes one record per "
                     f"{b}. See [the design note](https://github.com/acme/ml-platform/blob/main/docs/{a}.md) "
                     f"and the {b} tests under `tests/{a}/`. Throughput is bounded by the {_word(rng)} size, "
                     f"so keep batches under {rng.randint(8, 512)} items.\n\n"
                     f"```bash\npython -m acme.{a} --input data/{a}/raw --output data/{a}/clean --workers 8\n```\n\n"
                     f"| option | default | meaning |\n|---|---|---|\n| `--{a}` | {rng.randint(1, 64)} | {b} per step |\n\n")
    if with_model:
        parts.append(f"The default model is [{rng.choice(MODELS)}](https://huggingface.co/{rng.choice(MODELS)}).\n")
    return "".join(parts)


def _yaml(rng: random.Random, with_model: bool) -> str:
    a, b = _word(rng), _word(rng)
    parts = [f"# {a.title()} job configuration\nname: {a}-{b}\nseed: {rng.randint(1, 9999)}\n"]
    if with_model:
        parts.append(f"model:\n  name_or_path: {rng.choice(MODELS)}\n  dtype: bfloat16\n")
    elif rng.random() < 0.25:  # model settings without an id: the file has to be parsed
        parts.append(f"model:\n  type: {_word(rng)}\n  checkpoint_dir: checkpoints/{a}\n")
    parts.append("data:\n")
    for _ in range(rng.randint(3, 8)):
        c = _word(rng)
        parts.append(f"  {c}:\n    path: data/{c}/train.jsonl\n    batch_size: {rng.randint(1, 256)}\n"
                     f"    shuffle: true\n    columns: [{_word(rng)}, {_word(rng)}, {_word(rng)}]\n")
    parts.append("trainer:\n")
    for _ in range(rng.randint(10, 20)):
        parts.append(f"  {_word(rng)}_{_word(rng)}: {rng.random():.4f}\n")
    parts.append(f"logging:\n  dir: runs/{a}/{b}\n  every: {rng.randint(10, 1000)}\n"
                 f"deploy:\n  image: ghcr.io/acme/{a}:{rng.randint(1, 9)}.{rng.randint(0, 20)}\n  replicas: 2\n")
    return "".join(parts)


def generate(root: Path, files: int = FILES, target_bytes: int = TARGET_BYTES, seed: int = 7) -> int:
    """Write the tree; returns its size in bytes. Files grow (by more of the same content) while the
    tree is behind its size budget, so the total lands near ``target_bytes``."""
    rng = random.Random(seed)
    kinds = [(".py", _python_module, 0.45), (".md", _markdown, 0.25), (".yaml", _yaml, 0.30)]
    total = 0
    for i in range(files):
        suffix, make, _ = rng.choices(kinds, weights=[k[2] for k in kinds])[0]
        with_model = rng.random() < 0.03
        text = make(rng, with_model)
        budget = target_bytes * (i + 1) // files - total
        while len(text) < budget * 0.9:
            text += make(rng, False).split("\n", 3)[-1]
        directory = root / f"pkg{i % 40:02d}" / f"sub{(i // 40) % 25:02d}"
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{_word(rng)}_{i}{suffix}"
        path.write_text(text, encoding="utf-8")
        total += len(text.encode())
    return total


# -- measuring -----------------------------------------------------------------------------------------

def run() -> list[Row]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="model-risk-bench-") as tmp:
        trees = [("realistic", "Python, Markdown, YAML", generate),
                 ("hostile", "path-like strings on every line", lambda root: path_heavy(root, 1, files=FILES))]
        for label, what, make in trees:
            root = Path(tmp) / label
            size = make(root)
            measured = side_by_side(scan_command(str(root)), floor_command(str(root)), REPEAT,
                                    prepare=empty_cache(str(Path(tmp) / "cache")))
            peak_mb = measured.peak_kb / 1024
            rows.append(Row(f"scan --offline, {label} tree: {FILES:,} files, {size / 1e6:.0f} MB of {what}, "
                            f"{os.cpu_count()} cores", f"{measured.scan:.2f}s wall, {measured.scan_cpu:.2f}s CPU",
                            f"floor {measured.floor:.2f}s",
                            f"{measured.ratio:.2f}x wall, {measured.cpu_ratio:.2f}x CPU",
                            f"<= {RATIO_TARGET}x", measured.ratio <= RATIO_TARGET))
            rows.append(Row("peak RSS of that scan, its workers included", f"{peak_mb:.0f} MB", "-", "-",
                            f"< {MEMORY_TARGET_MB} MB", peak_mb < MEMORY_TARGET_MB))
    return rows
