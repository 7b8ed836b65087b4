"""Model references in configuration files: values under model-ish keys in YAML and JSON.

A key is model-ish by meaning, not by an exhaustive list: it names a model, checkpoint, tokenizer,
embedder, reranker or generator (``model``, ``model_name_or_path``, ``base_model``, ``embedding_model``,
``reranker``, ``generator.model_id`` ...). Keys about data (``dataset``, ``data_files``) never are.
Namespaced ids count under any model-ish key; legacy root-level ids (``gpt2``) only under keys that can
only mean a model.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator

import yaml

from model_risk import hub_ids, safe_yaml
from model_risk.detectors import Detector, reference_at
from model_risk.domain import Note, Reference
from model_risk.hookspecs import hookimpl
from model_risk.source import SourceFile

_WORD = r"(?:model|models|checkpoint|ckpt|tokenizer|embedder|embedding|embeddings|embed|reranker|rerank|" \
        r"generator|llm|encoder|decoder|teacher|student|backbone|pretrained|hub_id|repo_id|repo)"
#: Key words split on ``_``, ``-``, ``.`` and camelCase humps.
MODEL_KEY = re.compile(rf"(?:^|[_\-.]){_WORD}(?:[_\-.]|$)", re.IGNORECASE)
#: Keys under which even a legacy id such as ``gpt2`` can only be a model.
STRICT_MODEL_KEY = re.compile(
    r"^(?:model|model_name|model_id|model_name_or_path|pretrained_model_name_or_path|base_model|"
    r"base_model_name_or_path|tokenizer_name|tokenizer_name_or_path|teacher_model|student_model)$",
    re.IGNORECASE,
)
DATA_KEY = re.compile(
    r"(?:^|[_\-.])(?:dataset|datasets|data|data_files|corpus|image|container|dir|directory|output|save|"
    r"cache|local|file|files)(?:[_\-.]|$)", re.IGNORECASE)
#: ``model_path`` usually holds a local directory, but ``model_name_or_path`` is the Hub convention.
PATH_KEY = re.compile(r"(?:^|[_\-.])path(?:[_\-.]|$)", re.IGNORECASE)
NAME_OR_PATH = re.compile(r"name_or_path$", re.IGNORECASE)
#: Generic keys that take their meaning from the parent: ``model: {name: org/x}``.
GENERIC_KEYS = frozenset({"name", "id", "repo", "repo_id", "path", "pretrained", "hub_id", "source"})
_HUMPS = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")

_PREFILTER = re.compile(rf"{_WORD}[\w\-.]*[\"']?\s*[:=]", re.IGNORECASE)


def normalise_key(key: str) -> str:
    return _HUMPS.sub("_", key)


def classify_value(key: str, value: str) -> str | None:
    """The model id a config value names, or None. ``key`` is the innermost key, camelCase allowed."""
    key = normalise_key(key)
    if not MODEL_KEY.search(key) or DATA_KEY.search(key):
        return None
    if PATH_KEY.search(key) and not NAME_OR_PATH.search(key):
        return None
    value = value.strip()
    if hub_ids.is_repo_id(value):
        return value
    if STRICT_MODEL_KEY.match(key) and hub_ids.is_legacy_id(value):
        return value
    return None


class YamlDetector(Detector):
    name = "yaml"
    description = "YAML configuration: values under model-ish keys"

    def accepts(self, filename: str) -> bool:
        return filename.endswith((".yaml", ".yml"))

    def prefilter(self, text: str) -> bool:
        return _PREFILTER.search(text) is not None

    def detect(self, source: SourceFile) -> Iterable[Reference | Note]:
        try:
            for document in safe_yaml.iter_documents(source.text):
                if document.node is not None:
                    yield from self._walk(source, document.node, None)
        except safe_yaml.YamlError as exc:
            yield Note(f"skipped: {exc.message}", source.path, exc.line)

    def _walk(self, source: SourceFile, node: yaml.Node, key: str | None) -> Iterator[Reference]:
        seen: set[int] = set()
        stack: list[tuple[yaml.Node, str | None]] = [(node, key)]
        while stack:
            current, current_key = stack.pop()
            if id(current) in seen:  # aliases share nodes: report the anchor once
                continue
            seen.add(id(current))
            if isinstance(current, yaml.MappingNode):
                for k, v in current.value:
                    child_key = k.value if isinstance(k, yaml.ScalarNode) else None
                    if child_key in GENERIC_KEYS and current_key:
                        child_key = f"{current_key}_{child_key}"
                    stack.append((v, child_key))
            elif isinstance(current, yaml.SequenceNode):
                stack.extend((item, current_key) for item in current.value)
            elif isinstance(current, yaml.ScalarNode) and current_key and isinstance(current.value, str):
                model = classify_value(current_key, current.value)
                if model is not None:
                    mark = current.start_mark
                    quote = 1 if current.style in ("'", '"') else 0
                    yield Reference(model=model, path=source.path, line=mark.line + 1,
                                    column=mark.column + 1 + quote, detector=self.name)


_JSON_PAIR = re.compile(r'"((?:[^"\\\n]|\\.){1,200})"\s*:\s*"([^"\\\n]{1,200})"')


class JsonDetector(Detector):
    name = "json"
    description = "JSON configuration: values under model-ish keys"

    def accepts(self, filename: str) -> bool:
        return filename.endswith(".json") and filename not in ("package-lock.json", "composer.lock")

    def prefilter(self, text: str) -> bool:
        return _PREFILTER.search(text) is not None

    def detect(self, source: SourceFile) -> Iterable[Reference | Note]:
        try:
            json.loads(source.text)
        except ValueError as exc:
            line = getattr(exc, "lineno", None)
            yield Note(f"invalid JSON ({getattr(exc, 'msg', exc)}); scanned as text", source.path, line)
        except RecursionError:
            yield Note("JSON nested too deeply; scanned as text", source.path)
        for match in _JSON_PAIR.finditer(source.text):
            model = classify_value(match.group(1), match.group(2))
            if model is not None:
                yield reference_at(source, match.start(2), model, self.name)


@hookimpl
def register_detectors(register) -> None:  # type: ignore[no-untyped-def]
    register(YamlDetector())
    register(JsonDetector())
