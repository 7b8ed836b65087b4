"""Model references in configuration files: YAML, JSON and TOML.

Each file is parsed, then read by :mod:`model_risk.detect.structured`: values under keys that mean
a model (by their words, see :mod:`model_risk.detect.model_names`), environment entries and command
lines in compose and Kubernetes manifests. A reference is located where its value is written.
model-risk's own configuration (``.model-risk.yaml``, ``[tool.model-risk]``) is not scanned: the
models it names are the user's policy, not dependencies.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator
from functools import cache

from model_risk.common import safe_yaml
from model_risk.contract.detector import Detector
from model_risk.contract.domain import Note, Reference
from model_risk.contract.source import SourceFile
from model_risk.detect import commands, free_text, model_names, prose, structured, text_search
from model_risk.detect.references import reference_to
from model_risk.detect.structured import Hit, LocatedStr

#: Words one of which a document must contain to name a model (lower case, matched anywhere).
_KEY_ROOTS = ("model", "ckpt", "checkpoint", "tokenizer", "embed", "rerank", "generator", "llm", "encoder",
              "decoder", "teacher", "student", "backbone", "pretrained", "adapter", "lora", "peft", "vae",
              "unet", "controlnet", "repo", "hf", "hub", "serve", "download")
_OWN_CONFIG = (".model-risk.yaml", ".model-risk.yml")


def could_name_models(text: str) -> bool:
    """A cheap test for configuration text: a model-ish word, and a word that could be a model name."""
    return _key_root().search(text.lower()) is not None and model_names.bare_candidate(text)


@cache
def _key_root() -> re.Pattern[str]:
    return text_search.any_of(_KEY_ROOTS)


class _ConfigDetector(Detector):
    def prefilter(self, text: str) -> bool:
        return could_name_models(text)

    def _references(self, source: SourceFile, hits: Iterable[Hit]) -> Iterator[Reference]:
        seen: set[tuple[int, int, str]] = set()
        cursor: dict[str, int] = {}
        for hit in hits:
            offset = self._locate(source, hit, cursor)
            found = hit.found
            ref = reference_to(source, offset, dataclasses.replace(found.name, start=0), self.name,
                               loader=found.loader, revision=found.revision,
                               trust_remote_code=found.trust_remote_code, confidence=found.confidence)
            key = (ref.line, ref.column, ref.model)
            if key not in seen:  # aliased YAML nodes are walked once per alias
                seen.add(key)
                yield ref

    @staticmethod
    def _locate(source: SourceFile, hit: Hit, cursor: dict[str, int]) -> int:
        value, name = hit.value, hit.found.name
        if isinstance(value, LocatedStr):
            raw = source.text[value.start:value.end]
            return value.start + structured.nth_offset(raw, value, hit.index, name.model)
        # Parsers without positions (TOML): the next occurrence of the id after the previous one.
        found = source.text.find(name.model, cursor.get(name.model, 0))
        if found < 0:
            found = source.text.find(name.model)
        cursor[name.model] = found + 1
        return max(found, 0)


class YamlDetector(_ConfigDetector):
    name = "yaml"
    description = "YAML configuration, compose files, Kubernetes and Helm manifests, CI workflows"

    def accepts(self, filename: str) -> bool:
        return filename.endswith((".yaml", ".yml")) and filename not in _OWN_CONFIG

    def prefilter(self, text: str) -> bool:
        return could_name_models(text) or ("#" in text and free_text.worth_scanning(text))

    def detect(self, source: SourceFile) -> Iterable[Reference | Note]:
        found: list[Reference] = []
        for item in self._parsed(source) if could_name_models(source.text) else ():
            if isinstance(item, Reference):
                found.append(item)
            else:
                yield item
        yield from found
        # comments: "a dequantized model like org/x", commented-out alternatives
        if "#" in source.text:
            yield from free_text.references(source, prose.hash_comments(source.text), self.name, known=found)

    def _parsed(self, source: SourceFile) -> Iterator[Reference | Note]:
        import yaml

        hits: list[Hit] = []
        try:
            safe_yaml.check_node_count(source.text)  # before composing: a node costs about 1 KB
        except safe_yaml.YamlError as exc:
            yield Note(f"skipped: {exc.message}", source.path, exc.line)
            return
        # The base loader leaves every scalar a string (no implicit int/bool/date resolution, which
        # is most of the cost of composing): a model id is a string either way.
        loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)(source.text)
        aliases = "*" in source.text
        try:
            while loader.check_node():
                node = loader.get_node()
                if node is None:
                    break
                if aliases:
                    safe_yaml.check_expansion(node)
                hits += structured.walk(structured.yaml_data(node))
        except safe_yaml.YamlError as exc:
            yield Note(f"skipped: {exc.message}", source.path, exc.line)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            yield Note(f"skipped: invalid YAML: {problem}", source.path, mark.line + 1 if mark else None)
        except RecursionError:
            yield Note("skipped: YAML nested too deeply", source.path)
        finally:
            loader.dispose()
        # Documents before a broken one still count.
        yield from self._references(source, hits)


#: Strings of one JSON document read with their position (each costs a few hundred bytes).
MAX_LOCATED_STRINGS = 50_000


def _any_string(_keys: tuple[str, ...]) -> str:
    return "string"


class JsonDetector(_ConfigDetector):
    name = "json"
    description = "JSON configuration: values under model-ish keys"

    def accepts(self, filename: str) -> bool:
        return filename.endswith((".json", ".jsonc")) and filename != "package-lock.json"

    def detect(self, source: SourceFile) -> Iterable[Reference | Note]:
        import json

        try:
            # The fast parser first: most JSON names no model, and only then are positions needed.
            if not any(structured.walk(json.loads(source.text))):
                return
            # The first strings get their position; ids in any others are found by searching the text.
            data, _ = structured.located_json(source.text, _any_string, {"string": MAX_LOCATED_STRINGS})
        except ValueError as exc:
            line = getattr(exc, "lineno", None)
            yield Note(f"invalid JSON ({getattr(exc, 'msg', exc)}); scanned as text", source.path, line)
            for found in commands.json_pair_models(source.text):
                yield reference_to(source, found.offset, found.name, self.name)
            return
        except RecursionError:
            yield Note("skipped: JSON nested too deeply", source.path)
            return
        yield from self._references(source, structured.walk(data))


class TomlDetector(_ConfigDetector):
    name = "toml"
    description = "TOML configuration: values under model-ish keys"

    def accepts(self, filename: str) -> bool:
        return filename.endswith(".toml")

    def detect(self, source: SourceFile) -> Iterable[Reference | Note]:
        import tomllib

        try:
            data = tomllib.loads(source.text)
        except tomllib.TOMLDecodeError as exc:
            match = re.search(r"line (\d+)", str(exc))
            yield Note(f"skipped: invalid TOML: {str(exc).split(' (at')[0]}", source.path,
                       int(match.group(1)) if match else None)
            return
        except RecursionError:
            yield Note("skipped: TOML nested too deeply", source.path)
            return
        tool = data.get("tool")
        if isinstance(tool, dict):
            tool.pop("model-risk", None)
        yield from self._references(source, structured.walk(data))
