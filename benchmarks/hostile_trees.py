"""Generated trees that are hostile to the scanner's design, each at a chosen scale (1 = the "1x" size).

Every generator writes plain files under a directory and returns the number of bytes written; the
same seed and scale give the same tree. ``scale`` multiplies the size that can hurt: lines per file,
assignments per file, line length, nesting depth or the length of the one-line file. The file count
stays fixed, so a time that grows faster than the input shows a cost that is not linear in a file.

* ``path_heavy``: ordinary-looking modules where every line holds path-like strings
  (``x = os.path.join("data_model/cache_path", "y.json")``) and a few names are reused everywhere,
  with a model reference in some files.
* ``assignments``: modules of thousands of ``NAME_k = "org/name-k"`` assignments, each name used
  again further down, so every name has to be followed.
* ``long_lines``: lines of tens of kilobytes, each a list of id-shaped strings and calls.
* ``deep_nesting``: functions nested inside ``if``/``for``/``with`` blocks as deep as the parser
  allows, with id-shaped strings at every level.
* ``one_line``: one file holding a single line of several megabytes of id-shaped strings, calls and
  Hub links.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

WORDS = ("data model cache path config batch loader tokens step epoch metric trainer optimizer device "
         "shard rank worker queue record sample feature label split window buffer output").split()
MODELS = ["meta-llama/Llama-3.1-8B-Instruct", "Qwen/Qwen2.5-7B-Instruct", "BAAI/bge-m3",
          "mistralai/Mistral-7B-Instruct-v0.3", "google/gemma-2-9b-it", "openai/whisper-large-v3"]


def _write(root: Path, index: int, suffix: str, text: str) -> int:
    directory = root / f"pkg{index % 20:02d}" / f"sub{(index // 20) % 25:02d}"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"mod_{index}{suffix}").write_text(text, encoding="utf-8")
    return len(text.encode())


def path_heavy(root: Path, scale: int, files: int = 2000, seed: int = 1) -> int:
    rng = random.Random(seed)
    names = ["x", "path", "data", "model", "cache", "out", "config", "value"]
    total = 0
    for i in range(files):
        parts = ["import os\nfrom transformers import AutoModel\n\n"]
        if i % 25 == 0:
            parts.append(f'MODEL_ID = "{rng.choice(MODELS)}"\n\n')
        for f in range(6 * scale):
            parts.append(f"\ndef step_{f}(data, model, cache):\n")
            for _ in range(8):
                a, b, c = rng.choice(names), rng.choice(WORDS), rng.choice(WORDS)
                parts.append(f'    {a} = os.path.join("{b}_model/{c}_path", "{rng.choice(names)}.json")\n')
            parts.append(f"    {rng.choice(names)} = {rng.choice(names)} or {rng.choice(names)}\n")
            parts.append(f"    return {rng.choice(names)}\n")
        if i % 25 == 0:
            parts.append("\n\ndef load():\n    return AutoModel.from_pretrained(MODEL_ID)\n")
        total += _write(root, i, ".py", "".join(parts))
    return total


def assignments(root: Path, scale: int, files: int = 20, seed: int = 2) -> int:
    rng = random.Random(seed)
    total = 0
    for i in range(files):
        count = 2500 * scale
        parts = ["from transformers import AutoModel\n\n"]
        for k in range(count):
            parts.append(f'NAME_{k} = "{rng.choice(WORDS)}-org/{rng.choice(WORDS)}-{k}"\n')
        parts.append("\n\ndef load_all():\n    return [\n")
        for k in range(count):
            parts.append(f"        AutoModel.from_pretrained(NAME_{k}),\n" if k % 50 == 0 else f"        NAME_{k},\n")
        parts.append("    ]\n")
        total += _write(root, i, ".py", "".join(parts))
    return total


def long_lines(root: Path, scale: int, files: int = 40, seed: int = 3) -> int:
    rng = random.Random(seed)
    total = 0
    for i in range(files):
        parts = ["import os\n\n"]
        for line in range(20):
            items = ", ".join(
                f'os.path.join("{rng.choice(WORDS)}/{rng.choice(WORDS)}", "{rng.choice(WORDS)}.json")'
                if k % 3 else f'"{rng.choice(WORDS)}-org/{rng.choice(WORDS)}-{k}"'
                for k in range(250 * scale))
            parts.append(f"VALUES_{line} = [{items}]\n")
        parts.append("\n\ndef load(AutoModel):\n    return [AutoModel.from_pretrained(v) for v in VALUES_0]\n")
        total += _write(root, i, ".py", "".join(parts))
    return total


def deep_nesting(root: Path, scale: int, files: int = 200, seed: int = 4) -> int:
    rng = random.Random(seed)
    total = 0
    depth = 18  # CPython refuses more than 20 statically nested blocks
    for i in range(files):
        parts = ["from transformers import AutoModel\n\n"]
        for block in range(5 * scale):
            parts.append(f"def outer_{block}(flag, items):\n")
            indent = "    "
            for level in range(depth):
                kind = level % 3
                if kind == 0:
                    parts.append(f"{indent}if flag > {level}:\n")
                elif kind == 1:
                    parts.append(f"{indent}for item_{level} in items:\n")
                else:
                    parts.append(f"{indent}with open('{rng.choice(WORDS)}/{rng.choice(WORDS)}.txt') as h{level}:\n")
                indent += "    "
                parts.append(f'{indent}model_{level} = "{rng.choice(WORDS)}-org/{rng.choice(WORDS)}-{level}"\n')
            parts.append(f"{indent}return AutoModel.from_pretrained(model_{depth - 1}, "
                         f"cfg={{'a': {{'b': {{'c': [[[('x/y', model_{depth - 2})]]]}}}}}})\n\n")
        total += _write(root, i, ".py", "".join(parts))
    return total


def one_line(root: Path, scale: int, seed: int = 5) -> int:
    rng = random.Random(seed)
    size = 1_250_000 * scale
    pieces: list[str] = []
    length = 0
    k = 0
    while length < size:
        k += 1
        piece = rng.choice((
            f'"{rng.choice(WORDS)}-org/{rng.choice(WORDS)}-{k}", ',
            f'os.path.join("{rng.choice(WORDS)}/{rng.choice(WORDS)}", "y.json"), ',
            f'"https://huggingface.co/{rng.choice(MODELS)}/resolve/main/x.bin", ',
            f"f{k}(name_{k % 97}, model=name_{k % 89}), ",
        ))
        pieces.append(piece)
        length += len(piece)
    text = "VALUES = [" + "".join(pieces) + "]\n"
    return _write(root, 0, ".py", text)


TREES: dict[str, tuple[str, Callable[[Path, int], int]]] = {
    "path-heavy": ("2,000 modules, every line path-like strings, names reused", path_heavy),
    "assignments": ("20 modules of 2,500 to 10,000 assignments, all followed", assignments),
    "long-lines": ("40 modules of 20 lines of 25 to 100 KB", long_lines),
    "deep-nesting": ("200 modules, 18 nested blocks per function", deep_nesting),
    "one-line": ("one 1.25 to 5 MB single-line file", one_line),
}
