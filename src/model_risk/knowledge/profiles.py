"""What a model is, read from what the Hub and its repository say: the facts a migration compares.

Everything here is a pure reading of data already fetched (the Hub's listing or model page, the repository's
``config.json``, ``tokenizer_config.json`` and, for sentence-transformers models,
``sentence_bert_config.json``): no lookups. :func:`profile_from` assembles a
:class:`~model_risk.contract.domain.ModelProfile`; :func:`merged` fills what the Hub does not say from
model-risk's substitutes table.

How each fact is read:

* purpose: an embedder by its task; ``chat`` when the tokenizer has a chat template (or the Hub tags
  the model ``conversational``, or its name says ``Instruct``, ``Chat``, ``it``), ``base`` when the tokenizer
  is known and has none (or the name says ``Base``); ``code``, ``math``
  and ``reasoning`` from the words of the model's name (``Coder``, ``Math``, ``R1``, ``QwQ``, ``Thinking``
  ...), which is how vendors name them;
* size: the Hub's parameter count (safetensors, else GGUF metadata); for a mixture of experts the
  parameters used per token are estimated from ``config.json`` (experts, experts per token, expert
  size, layers: the routed experts that sit idle are subtracted, three weight matrices each), unless the
  substitutes table states the vendor's figure;
* context: an embedder's ``max_seq_length`` (sentence_bert_config.json), else ``max_position_embeddings``
  (less the two padding positions of RoBERTa-style models);
* chat template family: by the special tokens the template writes (``<|im_start|>`` is ChatML,
  ``<|start_header_id|>`` Llama 3, ``[INST]`` Mistral ...), as the vendors' templates use them.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from typing import Any

from model_risk.contract.domain import ModelFacts, ModelProfile, root_vendors_of
from model_risk.knowledge import licenses
from model_risk.knowledge.serving import engines_for

#: Tasks of embedding models: the Hub tags them either way (bge-m3 sentence-similarity, e5 feature-extraction).
EMBEDDING_TASKS = frozenset({"sentence-similarity", "feature-extraction"})
#: Libraries that hold re-packaged weights of another model, not a model of their own.
PACKAGING_LIBRARIES = frozenset({"gguf", "mlx", "exl2", "ctranslate2", "llamafile"})
#: Variant formats a migration cares about: how the weights can be run outside transformers.
VARIANT_FORMATS = ("gguf", "awq", "gptq", "mlx")

_MODALITIES = {
    "image": ("image-classification", "image-segmentation", "object-detection", "text-to-image", "image-to-image",
              "unconditional-image-generation", "depth-estimation", "image-feature-extraction",
              "zero-shot-image-classification", "mask-generation", "keypoint-detection"),
    "audio": ("automatic-speech-recognition", "text-to-speech", "text-to-audio", "audio-classification",
              "audio-to-audio", "voice-activity-detection"),
    "video": ("text-to-video", "video-classification", "image-to-video"),
    "multimodal": ("image-text-to-text", "visual-question-answering", "document-question-answering",
                   "image-to-text", "video-text-to-text", "any-to-any", "audio-text-to-text"),
}

#: Name words that say what a model is for.
_PURPOSE_WORDS = {
    "code": frozenset({"code", "coder", "codestral", "devstral", "starcoder", "starcoder2", "codegemma", "codellama",
                       "codeqwen", "codegen", "codet5", "starchat"}),
    "math": frozenset({"math", "mathstral", "deepseekmath"}),
    "reasoning": frozenset({"r1", "qwq", "reasoning", "reasoner", "thinking", "think"}),
}
_INSTRUCT_WORDS = frozenset({"instruct", "chat", "it", "sft", "dpo", "rlhf"})


def modality(task: str | None) -> str | None:
    if task is None:
        return None
    for name, tasks in _MODALITIES.items():
        if task in tasks:
            return name
    return "text"


def _words(model_id: str) -> set[str]:
    name = model_id.split("/", 1)[-1].lower()
    return {w for w in re.split(r"[^a-z0-9]+", name) if w}


def purposes(model_id: str, task: str | None, chat_template: str | None, tags: Iterable[str] = ()) -> tuple[str, ...]:
    """What the model is for: embedding, chat or base, and code, math or reasoning (see the module)."""
    found: list[str] = []
    words = _words(model_id)
    if task in EMBEDDING_TASKS:
        found.append("embedding")
    elif task == "text-generation" or task is None:
        tagged = set(tags)
        if chat_template not in (None, "none") or "conversational" in tagged or words & _INSTRUCT_WORDS:
            found.append("chat")
        elif chat_template == "none" or "base" in words:
            found.append("base")
    for purpose, vocabulary in _PURPOSE_WORDS.items():
        if words & vocabulary or (purpose == "code" and any(w.endswith("coder") for w in words)):
            found.append(purpose)
    return tuple(dict.fromkeys(found))


def human_count(parameters: int) -> str:
    """``7.62B``, ``568M``: a parameter count as model pages write it."""
    for unit, size in (("T", 10**12), ("B", 10**9), ("M", 10**6), ("K", 10**3)):
        if parameters >= size:
            return f"{parameters / size:.3g}{unit}"
    return str(parameters)


def size_text(profile: ModelProfile | None) -> str:
    """``3.6B active of 20.9B`` for a mixture of experts, ``7.62B`` otherwise, ``size not known``."""
    if profile is None or profile.parameters is None:
        return "size not known"
    if profile.mixture_of_experts and profile.active_parameters is not None:
        how = ", estimated" if profile.active_basis == "estimated" else ""
        return f"{human_count(profile.active_parameters)} active of {human_count(profile.parameters)}{how}"
    return human_count(profile.parameters)


# -- chat templates ---------------------------------------------------------------------------------

#: (family, the special tokens that identify it), checked in order: a template's own tokens, as the
#: vendors' tokenizer_config.json files write them (GLM's [gMASK] before the <|user|> it shares with Phi-3).
_TEMPLATE_MARKERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("glm", ("[gMASK]",)),
    ("llama3", ("<|start_header_id|>",)),
    ("harmony", ("<|channel|>",)),
    ("phi4", ("<|im_sep|>",)),
    ("chatml", ("<|im_start|>",)),
    ("gemma", ("<start_of_turn>",)),
    ("granite", ("<|start_of_role|>",)),
    ("deepseek", ("<｜User｜>", "<｜Assistant｜>")),
    ("command-r", ("<|START_OF_TURN_TOKEN|>",)),
    ("llama2", ("<<SYS>>",)),
    ("mistral", ("[INST]",)),
    ("phi3", ("<|end|>",)),
    ("tulu", ("<|user|>",)),
)
#: Readable names of the families, for reports.
TEMPLATE_NAMES = {
    "chatml": "ChatML (<|im_start|>)", "llama3": "Llama 3", "llama2": "Llama 2 ([INST] <<SYS>>)",
    "mistral": "Mistral ([INST])", "gemma": "Gemma (<start_of_turn>)", "phi3": "Phi-3 (<|user|> <|end|>)",
    "phi4": "Phi-4 (<|im_sep|>)", "granite": "Granite (<|start_of_role|>)", "harmony": "OpenAI harmony",
    "deepseek": "DeepSeek (<｜User｜>)", "command-r": "Command R", "glm": "GLM ([gMASK])",
    "tulu": "Tülu (<|user|> <|assistant|>)", "custom": "its own", "none": "none (a base model)",
}


def chat_template_family(template: object) -> str | None:
    """The family of a chat template (the text, or the list of named templates some tokenizers hold)."""
    if isinstance(template, list):
        texts = [t.get("template") for t in template if isinstance(t, Mapping)]
        template = next((t for t in texts if isinstance(t, str)), None)
    if not isinstance(template, str) or not template.strip():
        return None
    for family, markers in _TEMPLATE_MARKERS:
        if any(marker in template for marker in markers):
            return family
    return "custom"


def template_name(family: str | None) -> str:
    return TEMPLATE_NAMES.get(family or "", family or "not known")


# -- config.json ------------------------------------------------------------------------------------

def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _first(config: Mapping[str, Any], *keys: str) -> int | None:
    for key in keys:
        if (value := _count(config.get(key))) is not None:
            return value
    return None


def _text_config(config: Mapping[str, Any]) -> Mapping[str, Any]:
    """A multimodal config's language model part (``text_config``), else the config itself."""
    inner = config.get("text_config")
    return inner if isinstance(inner, Mapping) else config


def context_length(config: Mapping[str, Any] | None, sentence_config: Mapping[str, Any] | None = None) -> int | None:
    if sentence_config and (length := _count(sentence_config.get("max_seq_length"))) is not None:
        return length
    if not config:
        return None
    text = _text_config(config)
    length = _first(text, "max_position_embeddings", "n_positions", "max_sequence_length", "seq_length",
                    "model_max_length")
    if length is not None and str(text.get("model_type", "")).lower() in ("roberta", "xlm-roberta", "camembert"):
        length -= 2  # RoBERTa counts its padding offset among the positions
    return length


def experts(config: Mapping[str, Any] | None) -> tuple[int | None, int | None]:
    """(routed experts, experts used per token) of a mixture of experts; (None, None) for a dense model."""
    if not config:
        return None, None
    text = _text_config(config)
    total = _first(text, "num_experts", "num_local_experts", "n_routed_experts", "moe_num_experts")
    per_token = _first(text, "num_experts_per_tok", "experts_per_token", "num_experts_per_token", "moe_topk",
                       "moe_top_k")
    if total is None or total <= 1 or per_token is None:
        return None, None
    return total, per_token


def estimated_active(parameters: int | None, config: Mapping[str, Any] | None) -> int | None:
    """The parameters a mixture of experts uses per token, estimated: all of them less the routed experts
    left idle (experts - experts per token, in every layer that has experts, three matrices of
    hidden x expert size each). None for a dense model or a config that does not say enough."""
    routed, per_token = experts(config)
    if parameters is None or routed is None or per_token is None or config is None:
        return None
    text = _text_config(config)
    hidden = _first(text, "hidden_size", "d_model", "n_embd")
    inner = _first(text, "moe_intermediate_size", "expert_intermediate_size", "intermediate_size")
    layers = _first(text, "num_hidden_layers", "n_layer", "num_layers")
    if hidden is None or inner is None or layers is None:
        return None
    dense_layers = _count(text.get("first_k_dense_replace")) or 0
    step = _count(text.get("decoder_sparse_step")) or 1
    moe_layers = max(0, (layers - dense_layers) // step)
    idle = moe_layers * (routed - per_token) * 3 * hidden * inner
    active = parameters - idle
    return active if 0 < active < parameters else None


def embedding_dimension(config: Mapping[str, Any] | None) -> int | None:
    if not config:
        return None
    return _first(_text_config(config), "hidden_size", "d_model", "n_embd", "dim")


def architecture(config: Mapping[str, Any] | None, card_architectures: object = None) -> str | None:
    for source in ((config or {}).get("architectures"), card_architectures):
        if isinstance(source, list) and source and isinstance(source[0], str):
            return source[0]
    return None


# -- languages ----------------------------------------------------------------------------------------

#: More named languages than this, or the word "multilingual", makes a model broadly multilingual.
BROAD_LANGUAGES = 20


def languages(card_languages: object, tags: Iterable[str] = ()) -> tuple[str, ...]:
    """The languages a card names (``language``); the Hub's ``multilingual`` tag adds ``multilingual``."""
    values = card_languages if isinstance(card_languages, list) else [card_languages]
    found = [str(v).lower() for v in values if isinstance(v, str) and v]
    if "multilingual" in set(tags) and "multilingual" not in found:
        found.insert(0, "multilingual")
    return tuple(dict.fromkeys(found))


def broadly_multilingual(langs: Iterable[str]) -> bool:
    named = set(langs)
    return "multilingual" in named or len(named) > BROAD_LANGUAGES


def missing_languages(needed: tuple[str, ...], offered: tuple[str, ...]) -> tuple[str, ...] | None:
    """The languages of ``needed`` that ``offered`` does not cover (empty: all covered); None when
    ``offered`` names none, so nobody knows."""
    if not needed:
        return ()
    if not offered:
        return None
    if broadly_multilingual(needed):
        return () if broadly_multilingual(offered) else ("many languages",)
    if broadly_multilingual(offered):
        return ()
    return tuple(lang for lang in needed if lang not in offered)


# -- variants -------------------------------------------------------------------------------------------

def variant_format(model_id: str, library: str | None, tags: Iterable[str]) -> str | None:
    """The format of a re-packaged copy (a GGUF, AWQ, GPTQ or MLX repository), from its library, tags and
    name; None for anything else."""
    marks = {t.lower() for t in tags} | {(library or "").lower()} | _words(model_id)
    for fmt in VARIANT_FORMATS:
        if fmt in marks:
            return fmt
    return None


# -- assembling ---------------------------------------------------------------------------------------

def profile_from(*, model_id: str, task: str | None, library: str | None, parameters: int | None,
                 config: Mapping[str, Any] | None = None, tokenizer_config: Mapping[str, Any] | None = None,
                 tokenizer_known: bool = False, chat_template_text: str | None = None,
                 sentence_config: Mapping[str, Any] | None = None, card_languages: object = None,
                 card_architectures: object = None, card_model_type: str | None = None, tags: Iterable[str] = (),
                 custom_code: bool | None = None, sources: Iterable[str] = ()) -> ModelProfile:
    """A profile from what the Hub and the repository's files say (``tokenizer_known``: the tokenizer
    config was read, so a missing template means the model has none)."""
    tags = tuple(tags)
    template = chat_template_text if chat_template_text is not None else (tokenizer_config or {}).get("chat_template")
    family = chat_template_family(template)
    if family is None and tokenizer_known and task == "text-generation":
        family = "none"
    arch = architecture(config, card_architectures)
    model_type = (config or {}).get("model_type") if isinstance((config or {}).get("model_type"), str) else None
    model_type = model_type or card_model_type
    routed, per_token = experts(config)
    active = estimated_active(parameters, config)
    is_embedder = task in EMBEDDING_TASKS
    return ModelProfile(
        task=task, modality=modality(task), purposes=purposes(model_id, task, family, tags), architecture=arch,
        model_type=model_type, parameters=parameters, active_parameters=active,
        active_basis="estimated" if active is not None else None, experts=routed, experts_per_token=per_token,
        context_length=context_length(config, sentence_config), languages=languages(card_languages, tags),
        chat_template=family if not is_embedder else None,
        embedding_dimension=embedding_dimension(config) if is_embedder else None, library=library,
        custom_code=custom_code, engines=engines_for(arch, model_type, is_embedder),
        sources=tuple(dict.fromkeys(sources)))


def merged(hub: ModelProfile, table: ModelProfile | None) -> ModelProfile:
    """``hub`` with what it leaves unknown taken from the substitutes table's ``table``; the vendor's stated
    active parameters win over an estimate."""
    if table is None:
        return hub
    changes: dict[str, object] = {}
    for field in dataclasses.fields(ModelProfile):
        mine, theirs = getattr(hub, field.name), getattr(table, field.name)
        if mine in (None, ()) and theirs not in (None, ()):
            changes[field.name] = theirs
    if table.active_parameters is not None and hub.active_basis != "stated":
        changes["active_parameters"], changes["active_basis"] = table.active_parameters, "stated"
    if "purposes" not in changes and table.purposes:
        changes["purposes"] = tuple(dict.fromkeys((*hub.purposes, *table.purposes)))
    if changes:
        changes["sources"] = tuple(dict.fromkeys((*hub.sources, *table.sources)))
        arch = changes.get("architecture", hub.architecture)
        model_type = changes.get("model_type", hub.model_type)
        changes["engines"] = engines_for(arch if isinstance(arch, str) else None,
                                         model_type if isinstance(model_type, str) else None,
                                         (hub.task or table.task) in EMBEDDING_TASKS)
    return dataclasses.replace(hub, **changes) if changes else hub  # type: ignore[arg-type]


def with_terms(profile: ModelProfile, facts: ModelFacts) -> ModelProfile:
    """``profile`` with the terms and origin ``facts`` worked out along the lineage: the governing
    (effective) license with its conditions, the vendor at the root, its country, every root vendor."""
    governing = facts.governing_license
    vendor = facts.root_vendor or facts.vendor
    return dataclasses.replace(
        profile, license=licenses.label(governing) if governing is not None else None,
        commercial_use=governing.commercial_use if governing is not None else None,
        license_conditions=governing.conditions if governing is not None else (), vendor=vendor,
        country=facts.root_vendor_country if facts.root_vendor else facts.vendor_country,
        root_vendors=tuple(v for v in root_vendors_of(facts) if v != "unknown"), publisher=facts.vendor,
        custom_code=profile.custom_code if profile.custom_code is not None else facts.custom_code)
