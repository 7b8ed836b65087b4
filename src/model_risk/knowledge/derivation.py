"""What a model is derived from when its card does not say: model-risk's lineage table and name guesses.

Two sources, both in ``data/lineage.yaml`` (overlays may extend them):

* ``hints``: official derivatives whose cards omit ``base_model`` (the DeepSeek-R1 distillations), each
  with its source. A hint stands in for the card: it is a fact, not a guess.
* ``families``: when nothing names a base, a derivative's name often does. A derivative suffix
  (``-GGUF``, ``-AWQ``, ``-GPTQ-Int4``, ``-bnb-4bit``, ``-MLX``, ``-4bit`` ...) is stripped, or the part
  after ``-Distill-`` is taken, or a re-uploader's copy (vendors.yaml's ``redistributors``) or another
  organisation's model named after a family (``NousResearch/Meta-Llama-3-8B``) is taken as it is; the
  stem's family names the organisation, and ``ORG/STEM`` is the guessed base. Guesses count for
  vendors only, are never looked up and never judge a license.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from model_risk.knowledge import catalog

#: A suffix that marks a re-packaged copy of another model's weights (quantised or converted). Bounded
#: alternatives anchored at the end: linear in the name.
_SUFFIX = re.compile(
    r"[-_.](?:gguf|ggml|awq|gptq(?:[-_]int[48])?|exl2|\d(?:\.\d{1,2})?bpw|bnb[-_]?[48]bit|mlx(?:[-_][2-8]bit)?|"
    r"[2-8][-_]?bit|fp8|fp16|bf16|int[48]|nf4|w[48]a(?:8|16)|q[2-8](?:_k(?:_[sml])?|_[01])?|i?q[1-8]_[a-z0-9_]{1,8}|"
    r"imatrix|onnx|openvino|hqq|eetq|mlc|quantized|dynamic|unsloth)$",
    re.IGNORECASE)
_DISTILL = re.compile(r"-distill(?:ed)?-(.+)$", re.IGNORECASE)


@dataclass(frozen=True)
class LineageHint:
    base_model: str
    relation: str
    source: str


@dataclass(frozen=True)
class Family:
    pattern: re.Pattern[str]
    org: str
    source: str
    #: The name is an architecture others train from scratch too (BERT, CLIP): a model merely named like
    #: it is not taken for a derivative, only a re-uploader's copy or a quantisation is.
    architecture: bool = False


@dataclass(frozen=True)
class Guess:
    """A base model guessed from a derivative's name."""

    base_model: str
    relation: str
    #: Why: the suffix stripped, the distillation named, or the re-uploader.
    reason: str


def lineage_hints() -> dict[str, LineageHint]:
    """Lower-cased model id -> the base model its card leaves out."""
    return _hints(catalog.key())


@cache
def _hints(_overlays: tuple[str, ...]) -> dict[str, LineageHint]:
    found = {key.lower(): LineageHint(v["base_model"], v.get("relation", "finetune"), v["source"])
             for key, v in catalog.bundled("lineage")["hints"].items()}
    for _overlay, section in catalog.sections("lineage_hints"):
        found.update({str(key).lower(): LineageHint(v["base_model"], v.get("relation", "finetune"), v["source"])
                      for key, v in section.items()})
    return found


@cache
def _families(_overlays: tuple[str, ...]) -> tuple[Family, ...]:
    # An overlay names its families by plain prefixes (never a pattern: it may come from the scanned
    # repository), and is tried before the bundled table.
    specs = [{**s, "pattern": "|".join(re.escape(str(p)) for p in s["prefixes"])}
             for _o, section in catalog.sections("lineage_families") for s in section]
    specs += catalog.bundled("lineage").get("families", ())
    return tuple(Family(re.compile(f"(?:{s['pattern']})", re.IGNORECASE), s["org"], s["source"],
                        bool(s.get("architecture"))) for s in specs)


def family_of(name: str) -> Family | None:
    """The model family ``name`` (a repo name without its organisation) belongs to."""
    return next((f for f in _families(catalog.key()) if f.pattern.match(name)), None)


def family_org(name: str) -> str | None:
    """The organisation whose model family ``name`` belongs to."""
    family = family_of(name)
    return family.org if family is not None else None


def guess_base(model_id: str, is_redistributor: Callable[[str], bool]) -> Guess | None:
    """The base model a derivative's name suggests, or None when the name suggests none
    (``is_redistributor``: whether a repo's organisation re-uploads other vendors' models)."""
    if "/" not in model_id:
        return None
    org, name = model_id.split("/", 1)
    stem, stripped = name, []
    while (match := _SUFFIX.search(stem)) is not None and match.start() > 0:
        stripped.append(match.group(0).lstrip("-_."))
        stem = stem[: match.start()]
    candidates: list[tuple[str, str, str]] = []  # (stem, relation, why), the most telling first
    if stripped:
        candidates.append((stem, "quantized", f"the name's suffix -{'-'.join(reversed(stripped))}"))
    if (distill := _DISTILL.search(stem)) is not None:
        candidates.append((distill.group(1), "distillation", "the name's -Distill- part"))
    if is_redistributor(model_id):
        candidates.append((stem, "finetune", f"{org} re-uploads other vendors' models"))
    elif not stripped:
        # Another organisation's model named after a family (NousResearch/Meta-Llama-3-8B,
        # trl-lib/qwen1.5-1.8b-sft): a copy or a fine-tune of that family's model.
        candidates.append((stem, "finetune", "the name begins with a model family's name"))
    for candidate, relation, reason in candidates:
        family = family_of(candidate)
        if family is None:
            continue
        if reason.startswith("the name begins") and (family.architecture or family.org.lower() == org.lower()):
            continue
        base = f"{family.org}/{candidate}"
        if base.lower() != model_id.lower():
            return Guess(base, relation, reason)
    return None
