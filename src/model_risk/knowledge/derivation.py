"""What a model is derived from when its card does not say: model-risk's lineage table and name guesses.

Two sources, both in ``data/lineage.yaml`` (overlays may extend them):

* ``hints``: official derivatives whose cards omit ``base_model`` (the DeepSeek-R1 distillations), each
  with its source. A hint stands in for the card: it is a fact, not a guess.
* ``families``: when nothing names a base, a derivative's name often does. A derivative suffix
  (``-GGUF``, ``-AWQ``, ``-GPTQ-Int4``, ``-bnb-4bit``, ``-MLX``, ``-4bit`` ...) is stripped, or the part
  after ``-Distill-`` is taken, or a re-uploader's copy (vendors.yaml's ``redistributors``) is taken as
  it is; the stem's family names the organisation, and ``ORG/STEM`` is the guessed base. Guesses count for
  vendors only, are never looked up and never judge a license.
"""

from __future__ import annotations

import re
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
    return tuple(Family(re.compile(f"(?:{s['pattern']})", re.IGNORECASE), s["org"], s["source"]) for s in specs)


def family_org(name: str) -> str | None:
    """The organisation whose model family ``name`` (a repo name without its organisation) belongs to."""
    for family in _families(catalog.key()):
        if family.pattern.match(name):
            return family.org
    return None


def guess_base(model_id: str, redistributors: frozenset[str]) -> Guess | None:
    """The base model a derivative's name suggests, or None when the name suggests none."""
    if "/" not in model_id:
        return None
    org, name = model_id.split("/", 1)
    stem, stripped = name, []
    while (match := _SUFFIX.search(stem)) is not None and match.start() > 0:
        stripped.append(match.group(0).lstrip("-_."))
        stem = stem[: match.start()]
    if stripped:
        relation, reason = "quantized", f"the name's suffix -{'-'.join(reversed(stripped))}"
    elif (distill := _DISTILL.search(stem)) is not None:
        stem, relation, reason = distill.group(1), "distillation", "the name's -Distill- part"
    elif org.lower() in redistributors:
        relation, reason = "finetune", f"{org} re-uploads other vendors' models"
    else:
        return None
    family = family_org(stem)
    if family is None:
        return None
    base = f"{family}/{stem}"
    if base.lower() == model_id.lower():
        return None
    return Guess(base, relation, reason)
