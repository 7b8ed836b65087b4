"""Deciding whether a string names a model, from the string itself and from where it is written.

Every detector ends up with a string and some context: the call it is passed to, or the key (path of
keys) it is stored under in a config, a command-line flag, an environment variable. This module turns
that into a :class:`ModelName` or nothing, the same way for every kind of file:

* a namespaced Hub id (``org/name``) counts under any key or keyword that *means* a model;
* an API model name (``gpt-4o``) counts there too, reported as the vendor's ``api`` model;
* a legacy root-level id (``gpt2``) counts only where the context can only mean a model: a loading call
  or a key such as ``model_name_or_path``;
* a key about data, output, caching or infrastructure (``dataset``, ``output_dir``, ``image``) never
  names a model, whatever its value looks like.

A key means a model by its words, not by an exhaustive list: ``embedding_model``, ``rerankerModel``,
``HF_MODEL_ID`` and ``teacher.checkpoint`` all do.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Literal

from model_risk.detect import text_search
from model_risk.knowledge import api_models, catalog, hub_ids


@dataclass(frozen=True, slots=True)
class ModelName:
    """A model named by a string: what to report, and where in the string it starts."""

    model: str
    #: Offset of ``model`` inside the string that was classified (after a prefix such as ``hf-hub:``).
    start: int = 0
    kind: Literal["hub", "api"] = "hub"
    api_vendor: str | None = None
    lookup_id: str | None = None


# -- values ------------------------------------------------------------------------------------------

#: Prefixes that name the Hub inside a model string: timm and open_clip write ``hf-hub:org/name``.
_HUB_PREFIXES = ("hf-hub:", "hf_hub:")


def _stripped(value: str) -> tuple[str, int]:
    start = len(value) - len(value.lstrip())
    text = value.strip()
    for prefix in _HUB_PREFIXES:
        if text.startswith(prefix):
            return text[len(prefix):], start + len(prefix)
    return text, start


def _api(text: str, start: int, prefix: str | None = None) -> ModelName | None:
    vendor = api_models.vendor_of(text, prefix)
    if vendor is not None:
        return ModelName(text, start, kind="api", api_vendor=vendor)
    return None


def named(value: str) -> ModelName | None:
    """A Hub repo id or an API model name, in any context that means a model (no legacy ids)."""
    text, start = _stripped(value)
    if not text or len(text) > 250:
        return None
    found = _api(text, start)
    if found is not None:
        return found
    if "/" in text:
        prefix, rest = text.split("/", 1)
        offset = start + len(prefix) + 1
        # `openai/gpt-4o` (LiteLLM, OpenRouter): the publisher's prefix in front of an API name.
        found = _api(rest, offset, prefix)
        if found is not None:
            return found
        if prefix.lower() in api_models.table().routers:
            if "/" in rest:  # openrouter/anthropic/claude-3.5-sonnet
                inner_prefix, inner = rest.split("/", 1)
                found = _api(inner, offset + len(inner_prefix) + 1, inner_prefix)
                if found is not None:
                    return found
            if hub_ids.is_repo_id(rest):  # hosted_vllm/Qwen/Qwen2.5-7B-Instruct
                return ModelName(rest, offset)
            return None
    if hub_ids.is_repo_id(text):
        return ModelName(text, start)
    return None


def loaded(value: str, *, legacy: bool = True, short_names: bool = False) -> ModelName | None:
    """A string passed to a call that loads a model: legacy ids count, and for sentence-transformers
    (``short_names``) a bare name is completed inside its organisation, as ``lookup_id``."""
    found = named(value)
    if found is not None:
        return found
    text, start = _stripped(value)
    if legacy and hub_ids.is_legacy_id(text):
        return ModelName(text, start)
    if short_names and hub_ids.LEGACY_ID.fullmatch(text) and "." not in text and "-" in text:
        return ModelName(text, start, lookup_id=hub_ids.sentence_transformers_id(text))
    return None


@cache
def value_hints() -> tuple[str, ...]:
    """Literal starts of every un-namespaced model name (legacy checkpoints, API names), for the
    cheap tests detectors run before parsing. Case-sensitive on purpose: the names are lower case,
    and a case-insensitive alternation is many times slower in ``re``."""
    legacy = {name.split("-")[0] for name in hub_ids.LEGACY_MODEL_IDS}
    return tuple(sorted(legacy | set(api_models.table().hints)))


@lru_cache(maxsize=16384)
def could_be_model(value: str) -> bool:
    """Could ``value`` name a model in some context (a Hub id, an API name, a legacy id)?"""
    return named(value) is not None or hub_ids.is_legacy_id(value.strip())


@cache
def _quoted_candidate() -> re.Pattern[str]:
    hints = text_search.trie(value_hints())
    # A whole string literal shaped like an id (up to three segments for routing prefixes), or starting
    # like an un-namespaced name. The closing quote may be escaped (a notebook's JSON). The runs are
    # possessive: a run of name characters can only end where a slash or quote is, so giving some
    # back never helps, and not trying saves most of the time at every quote of a file.
    # Argument strings (``"pretrained=gpt2,dtype=float"``, lm-evaluation-harness ``model_args``) too.
    return re.compile(rf"""["'`]((?:hf[-_]hub:)?[\w.\-]{{1,96}}+(?:/[\w.\-]{{1,96}}+){{1,2}}+|{hints}[\w.\-:]{{0,90}}"""
                      rf"""|(?:[A-Za-z_][\w.]{{0,40}}+=[^"'`\s=,]{{1,250}}+,?){{1,12}}+)\\?["'`]""")


def candidate_literals(text: str) -> Iterator[re.Match[str]]:
    """String literals in code whose whole value could be a model name (group 1 is the value), or an
    argument string with one (``"pretrained=org/x,dtype=float"``)."""
    return (m for m in _quoted_candidate().finditer(text) if could_be_model(m.group(1))
            or ("=" in m.group(1) and any(could_be_model(pair.group(2)) for pair in _PAIR.finditer(m.group(1)))))


def quoted_candidate(text: str) -> bool:
    """A cheap test before parsing code: does any string literal in ``text`` look like a model name?

    Linear, and precise enough that code without references is rarely parsed: ``"data/train"`` and
    ``"runs/a/b.jsonl"`` are found by the pattern but rejected by :func:`could_be_model`.
    """
    return next(candidate_literals(text), None) is not None


_ID_STRING = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-:"
_RIGHT_OF_SLASH = text_search.lazy(r"[\w.\-/]{1,250}")


def bare_candidate(text: str) -> bool:
    """A cheap test before parsing configuration, where values need no quotes: does any word in
    ``text`` look like a model name? Slashes are found by ``str.find``; only the word around each is
    looked at, so the cost is close to one pass over the text."""
    position = text.find("/")
    while position >= 0:
        start = text_search.run_start(text, position, _ID_STRING, 120)
        right = _RIGHT_OF_SLASH.match(text, position + 1)
        end = right.end() if right else position + 1
        if start < position and right and could_be_model(text[start:end].strip("./-:")):
            return True
        position = text.find("/", end)
    if any(hint in text for hint in value_hints()):
        return any(could_be_model(m.group()) for m in _bare_hint().finditer(text))
    return False


@cache
def _bare_hint() -> re.Pattern[str]:
    hints = "|".join(re.escape(h) for h in value_hints())
    return re.compile(rf"(?<![\w.\-])(?:{hints})[\w.\-:]{{0,90}}")


# The patterns above are built from the API model names, which a knowledge overlay may extend.
for _cached in (value_hints, could_be_model, _quoted_candidate, _bare_hint):
    catalog.on_change(_cached.cache_clear)


# -- keys --------------------------------------------------------------------------------------------

class Meaning(enum.Enum):
    NONE = 0
    #: A key that names a model: namespaced ids and API names count.
    MODEL = 1
    #: A key that can only name a model: legacy ids (``gpt2``) count as well.
    STRICT = 2


_MODEL_WORDS = frozenset({
    "model", "models", "checkpoint", "ckpt", "tokenizer", "embedder", "embedding", "embeddings", "embed",
    "reranker", "rerank", "generator", "llm", "llms", "encoder", "decoder", "teacher", "student",
    "backbone", "pretrained", "adapter", "adapters", "lora", "loras", "peft", "vae", "unet", "controlnet",
    "base", "refiner", "draft", "speculative", "tower", "gguf",
    # roles a model plays, and the modalities configs name them by
    "transcriber", "captioner", "classifier", "detector", "segmenter", "recognizer", "summarizer",
    "translator", "judge", "critic", "reward", "asr", "tts", "ocr", "vlm",
})
#: Words that make a key about something else, whatever other words it has.
_BLOCKING_WORDS = frozenset({
    "dataset", "datasets", "data", "corpus", "image", "images", "container", "docker", "dir", "directory",
    "folder", "output", "outputs", "save", "saved", "cache", "file", "files", "project", "wandb",
    "mlflow", "run", "logging", "log", "logger", "push", "upload", "served", "alias", "display", "type",
    "class", "format", "dtype", "revision", "version", "url", "uri", "endpoint", "host",
    "github", "git", "branch", "tag", "card", "license", "author", "owner", "user", "team", "org",
    "organization", "namespace", "space", "spaces", "task", "metric", "metrics", "kwargs", "max", "min",
    "length", "size", "len", "port", "key", "token", "secret", "prefix", "suffix", "template", "prompt",
    "collection", "slug", "subfolder", "pool", "pod", "pods", "addr", "address",
})
#: Keys that take their meaning from the key above them (``model: {name: org/x}``).
_GENERIC_WORDS = frozenset({"name", "id", "path", "value", "source", "default", "identifier", "or", "ref"})
#: Keys that name a Hub repo on their own (``repo_id``, ``hf_repo``) unless a key above says what kind
#: of repo. A bare ``repo`` is as often a git repository, so it needs a key above that means a model.
_REPO_WORDS = frozenset({"repo", "hub", "hf", "huggingface"})
_HUB_FLAVOURED = frozenset({"id", "hub", "hf", "huggingface"})
#: Keys under which even a legacy id can only be a model.
_STRICT_KEYS = frozenset({
    "model", "model_name", "model_id", "model_name_or_path", "pretrained_model_name_or_path",
    "pretrained_model", "pretrained", "base_model", "base_model_name_or_path", "tokenizer",
    "tokenizer_name", "tokenizer_name_or_path", "teacher_model", "student_model", "teacher_model_name_or_path",
    "reward_model", "ref_model", "hf_model", "model_checkpoint", "checkpoint", "embedding_model",
})
#: Where training frameworks put the repo a run *publishes*: an output, not a dependency
#: (transformers ``TrainingArguments.hub_model_id``).
_OUTPUT_KEYS = frozenset({"hub_model_id", "push_to_hub_model_id", "output_model", "new_model", "new_model_name"})

_WORD_BOUNDARY = text_search.lazy(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


#: Every key that can mean a model holds one of these, lower-cased, as a substring: a model word (or
#: its plural) or a repo word. :func:`could_hold_model_key` rests on it; a test checks the strict keys.
KEY_ANCHORS: tuple[str, ...] = tuple(sorted(_MODEL_WORDS | _REPO_WORDS))


def could_hold_model_key(lowered: str) -> bool:
    """A cheap necessary test: can the lower-cased ``lowered`` hold a key (flag, variable, JSON key)
    that :func:`meaning` says names a model?"""
    return _key_anchor().search(lowered) is not None


@cache
def _key_anchor() -> re.Pattern[str]:
    return text_search.any_of(KEY_ANCHORS)


def key_words(key: str) -> tuple[str, ...]:
    """``embeddingModelID`` -> ("embedding", "model", "id"); ``HF_MODEL`` -> ("hf", "model")."""
    return tuple(w.lower() for w in _WORD_BOUNDARY.split(key[:120]) if w)


def _is(word: str, vocabulary: frozenset[str]) -> bool:
    """``word`` or its singular (``rerankers`` -> ``reranker``) is in ``vocabulary``."""
    return word in vocabulary or (word.endswith("s") and word[:-1] in vocabulary)


def is_plural_model_key(key: str) -> bool:
    """``--models``, ``checkpoints``: a key that takes several model ids."""
    words = key_words(key)
    return bool(words) and words[-1].endswith("s") and _kind(key) in (_KeyKind.MODEL, _KeyKind.STRICT)


class _KeyKind(enum.Enum):
    MODEL = 1
    STRICT = 2
    BLOCKING = 3
    GENERIC = 4
    REPO = 5
    NEUTRAL = 6


def _kind(key: str) -> _KeyKind:
    words = key_words(key)
    joined = "_".join(words)
    if not words or joined in _OUTPUT_KEYS:
        return _KeyKind.BLOCKING
    if any(_is(w, _BLOCKING_WORDS) for w in words):
        return _KeyKind.BLOCKING
    if joined in _STRICT_KEYS:
        return _KeyKind.STRICT
    if any(_is(w, _MODEL_WORDS) for w in words):
        return _KeyKind.MODEL
    if all(w in _GENERIC_WORDS for w in words):
        return _KeyKind.GENERIC
    if all(w in _REPO_WORDS or w in _GENERIC_WORDS for w in words) and any(w in _REPO_WORDS for w in words) \
            and any(w in _HUB_FLAVOURED for w in words):
        return _KeyKind.REPO
    return _KeyKind.NEUTRAL


def blocks(key: str) -> bool:
    """Does ``key`` say its value is something other than a model (``dataset_name``, ``output_dir``)?"""
    return _kind(key) is _KeyKind.BLOCKING


def meaning(path: Sequence[str]) -> Meaning:
    """What the innermost key of ``path`` (outermost first) says about its value."""
    return _meaning(tuple(path[-5:]))


@lru_cache(maxsize=16384)
def _meaning(path: tuple[str, ...]) -> Meaning:
    """See :func:`meaning`.

    Generic keys (``name``, ``id``) defer to the key above; one neutral key may sit in between
    (``models: {small: org/a}``); a blocking key anywhere on the way decides "not a model".
    """
    neutral_allowed = 1
    fallback = Meaning.NONE
    for key in reversed(path):
        kind = _kind(key)
        if kind is _KeyKind.STRICT:
            return Meaning.STRICT
        if kind is _KeyKind.MODEL:
            return Meaning.MODEL
        if kind is _KeyKind.BLOCKING:
            return Meaning.NONE
        if kind is _KeyKind.REPO:
            fallback = Meaning.MODEL
        elif kind is _KeyKind.NEUTRAL:
            if not neutral_allowed:
                break
            neutral_allowed -= 1
    return fallback


def is_model_key(key: str) -> bool:
    """A key with a word that means a model (``embedding_model``, ``--tokenizer``), not only a Hub repo."""
    return _kind(key) in (_KeyKind.MODEL, _KeyKind.STRICT)


def blocking_words(key: str) -> frozenset[str]:
    """The words of ``key`` that make it about something other than a model (``output`` of ``output_dir``)."""
    return frozenset(w for w in key_words(key) if _is(w, _BLOCKING_WORDS))


def is_generic(key: str) -> bool:
    """``name``, ``id``, ``path``: a key that takes its meaning from the key above it."""
    return _kind(key) is _KeyKind.GENERIC


#: Words that make a key about something else, except that a key about a model which has only these
#: still names one when its value is a Hub id: where the model is (``modelURL: org/x``, ``MODEL_URI``).
_LOCATION_WORDS = frozenset({"url", "uri"})
#: ... or names it by another name (``served_model_name``, ``model_alias``): often a Hub id, not always.
_ALIAS_WORDS = frozenset({"served", "alias", "display"})


def path_verdict(path: Sequence[str]) -> str | None:
    """What the keys above a Hub-id-shaped value say (``path`` outermost first): ``"model"`` when they
    mean a model, ``"alias"`` when the value is a model's other name (``--served-model-name``),
    ``"block"`` when a key says it is something else, ``None`` when they say nothing. Read like
    :func:`meaning`; a key that names a model by its location (``modelURL``) means a model here."""
    return _path_verdict(tuple(path[-5:]))


@lru_cache(maxsize=16384)
def _path_verdict(path: tuple[str, ...]) -> str | None:
    neutral_allowed = 1
    fallback = None
    for key in reversed(path):
        kind = _kind(key)
        if kind in (_KeyKind.STRICT, _KeyKind.MODEL):
            return "model"
        if kind is _KeyKind.BLOCKING:
            return _loose_model_key(key) or "block"
        if kind is _KeyKind.REPO:
            fallback = "model"
        elif kind is _KeyKind.NEUTRAL:
            if not neutral_allowed:
                break
            neutral_allowed -= 1
    return fallback


def _loose_model_key(key: str) -> str | None:
    words = key_words(key)
    if "_".join(words) in _OUTPUT_KEYS or not any(_is(w, _MODEL_WORDS) for w in words):
        return None
    blocking = {w for w in words if _is(w, _BLOCKING_WORDS)}
    if blocking <= _LOCATION_WORDS:
        return "model"
    if blocking <= _LOCATION_WORDS | _ALIAS_WORDS:
        return "alias"
    return None


#: ``pretrained=org/x,dtype=bfloat16`` (lm-evaluation-harness ``model_args``).
_PAIR = text_search.lazy(r"([A-Za-z_][\w.\-]{0,63})=([^,\s=]{1,250})")


def under_key(path: Sequence[str], value: str) -> list[ModelName]:
    """The models a value names, given the keys it is stored under (outermost first)."""
    how = meaning(path)
    if how is Meaning.NONE or not value:
        return []
    found = named(value)
    if found is None:
        text, start = _stripped(value)
        # A legacy id right under a key about a model (``models: [gpt2, t5-small]``), except the plain
        # words among them (``ctrl``), which only a key that can mean nothing else makes a model; a
        # generic key (``modelSpec: {name: gpt2}``) may hold the model's alias.
        if hub_ids.is_legacy_id(text) and (how is Meaning.STRICT or (
                _kind(path[-1]) is _KeyKind.MODEL and any(c.isdigit() or c == "-" for c in text))):
            found = ModelName(text, start)
    if found is not None:
        return [found]
    if "=" in value and len(value) <= 2000:
        names = []
        for pair in _PAIR.finditer(value):
            for name in under_key((*path, pair.group(1)), pair.group(2)):
                names.append(ModelName(name.model, pair.start(2) + name.start, name.kind, name.api_vendor,
                                       name.lookup_id))
        return names
    return []
