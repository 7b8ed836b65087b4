"""Ollama model names (``qwen2.5:7b``, ``library/llama3.1:8b-instruct-q4_K_M``, ``someone/model:tag``) and
the published weights each library tag packages (``data/ollama.yaml``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from model_risk.knowledge import catalog

#: The registry's own namespace: ``library/qwen2.5`` is ``qwen2.5``.
LIBRARY = "library"
DEFAULT_TAG = "latest"
#: ``[host/][namespace/]model[:tag][@sha256:digest]``: what ``ollama pull`` accepts. Models and namespaces
#: are lower case in the registry; tags keep their case (``q4_K_M``).
_NAME = re.compile(
    r"(?:(?P<host>[a-z0-9][a-z0-9.\-]{0,62}\.[a-z]{2,10}(?::\d{1,5})?)/)?"
    r"(?:(?P<namespace>[a-z0-9][a-z0-9_.\-]{0,62})/)?"
    r"(?P<model>[a-z0-9][a-z0-9_.\-]{0,62})"
    r"(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.\-]{0,127}))?"
    r"(?:@(?P<digest>sha256:[0-9a-f]{64}))?")


@dataclass(frozen=True)
class OllamaName:
    """A parsed Ollama model name."""

    model: str
    tag: str = DEFAULT_TAG
    namespace: str = LIBRARY
    host: str | None = None
    #: ``@sha256:...`` pins the exact manifest.
    digest: str | None = None

    @property
    def library(self) -> bool:
        return self.namespace == LIBRARY and self.host is None

    @property
    def canonical(self) -> str:
        """``qwen2.5:7b``; ``someone/model:tag`` outside the library; ``latest`` written out."""
        base = self.model if self.library else f"{self.namespace}/{self.model}"
        if self.host is not None:
            base = f"{self.host}/{self.namespace}/{self.model}"
        return f"{base}:{self.tag}"


def parse(text: str) -> OllamaName | None:
    """The Ollama name ``text`` spells, or None. ``hf.co/ORG/NAME:TAG`` (Ollama pulling from the Hub) is
    not an Ollama library name: it names the Hub repo, which the Hub link detector reports."""
    match = _NAME.fullmatch(text.strip())
    if match is None:
        return None
    host = match.group("host")
    if host is not None and host.split(":")[0] in ("hf.co", "huggingface.co"):
        return None
    return OllamaName(match.group("model"), match.group("tag") or DEFAULT_TAG,
                      match.group("namespace") or LIBRARY, host, match.group("digest"))


@dataclass(frozen=True)
class LibraryModel:
    name: str
    source: str
    latest: str | None
    #: tag -> Hub repo of the weights.
    tags: dict[str, str]

    def weights(self, tag: str) -> str | None:
        """The Hub repo of the weights ``tag`` packages: the tag, else its longest listed prefix of whole
        ``-`` parts (``7b-instruct-q4_K_M`` -> ``7b-instruct`` -> ``7b``)."""
        if tag == DEFAULT_TAG:
            tag = self.latest or tag
        lowered = {t.lower(): hub for t, hub in self.tags.items()}
        parts = tag.lower().split("-")
        for end in range(len(parts), 0, -1):
            hub = lowered.get("-".join(parts[:end]))
            if hub is not None:
                return hub
        return None


def library() -> dict[str, LibraryModel]:
    """Library model name -> its entry, with the knowledge overlays of this run applied."""
    return _library(catalog.key())


@cache
def _library(_overlays: tuple[str, ...]) -> dict[str, LibraryModel]:
    specs: dict[str, Any] = dict(catalog.bundled("ollama")["library"])
    for _overlay, section in catalog.sections("ollama"):
        for name, spec in section.items():
            base = specs.get(name, {})
            specs[name] = {"source": spec["source"], "latest": spec.get("latest", base.get("latest")),
                           "tags": {**base.get("tags", {}), **spec.get("tags", {})}}
    return {str(name).lower(): LibraryModel(str(name).lower(), str(spec["source"]),
                                            str(spec["latest"]) if spec.get("latest") is not None else None,
                                            {str(t): str(h) for t, h in (spec.get("tags") or {}).items()})
            for name, spec in specs.items()}


def entry(name: OllamaName) -> LibraryModel | None:
    return library().get(name.model) if name.library else None


def weights_of(name: OllamaName) -> tuple[str, str] | None:
    """(Hub repo of the weights, source) a library name packages, when the table knows it."""
    model = entry(name)
    if model is None:
        return None
    hub = model.weights(name.tag)
    return (hub, model.source) if hub is not None else None


def is_library_model(model: str) -> bool:
    """A model name of Ollama's library that the table lists (``qwen2.5``, ``llama3.1``)."""
    return model.lower() in library()


def library_names() -> tuple[str, ...]:
    """The library model names the table lists, sorted."""
    return tuple(sorted(library()))


@cache
def _license_titles(_overlays: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    titles = list(catalog.bundled("ollama").get("license_titles") or ())
    return tuple((_words(str(t["title"])), str(t["license"])) for t in titles)


def _words(text: str) -> str:
    return " ".join(text.lower().split())


def license_of_text(text: str) -> str | None:
    """The license id (licenses.yaml) a license text names by its opening title, or None."""
    head = _words(text[:600])
    for title, license_id in _license_titles(catalog.key()):
        if head.startswith(title) or title in head[:200]:
            return license_id
    return None
