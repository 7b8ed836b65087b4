"""Where a model can run: the serving engines that implement its architecture (``data/serving.yaml``).

vLLM is looked up by the architecture ``config.json`` names (``Qwen2ForCausalLM``), TGI and TEI by its
``model_type`` (``qwen2``), as each engine dispatches. An architecture an engine does not list is "not known
to run there", never "does not run". Overlays may add architectures or model types (``serving_engines``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from model_risk.knowledge import catalog


@dataclass(frozen=True)
class Engine:
    key: str
    name: str
    architectures: frozenset[str]
    model_types: frozenset[str]
    source: str
    #: What it serves: ``generation`` and/or ``embedding``.
    serves: frozenset[str] = frozenset({"generation", "embedding"})
    #: Something a team should know before choosing it (TGI is in maintenance mode).
    note: str | None = None

    def runs(self, architecture: str | None, model_type: str | None, embedding: bool = False) -> bool:
        if ("embedding" if embedding else "generation") not in self.serves:
            return False
        return (architecture is not None and architecture in self.architectures) or (
            model_type is not None and model_type.lower() in self.model_types)


def _lower(values: Iterable[object]) -> frozenset[str]:
    return frozenset(str(v).lower() for v in values)


@cache
def _engines(_overlays: tuple[str, ...]) -> tuple[Engine, ...]:
    specs = {key: dict(spec) for key, spec in catalog.bundled("serving")["engines"].items()}
    for overlay, section in catalog.sections("serving_engines"):
        for key, extra in section.items():  # an overlay adds to an engine's lists (or adds an engine)
            spec = specs.setdefault(str(key), {"name": extra.get("name") or str(key), "source": ""})
            spec["architectures"] = [*(spec.get("architectures") or ()), *(extra.get("architectures") or ())]
            spec["model_types"] = [*(spec.get("model_types") or ()), *(extra.get("model_types") or ())]
            spec["source"] = "; ".join(s for s in (spec.get("source"), f"{extra['source']} ({overlay.path})") if s)
    return tuple(Engine(key, str(spec.get("name") or key), frozenset(str(a) for a in spec.get("architectures") or ()),
                        _lower(spec.get("model_types") or ()), str(spec.get("source") or ""),
                        frozenset(spec.get("serves") or ("generation", "embedding")), spec.get("note"))
                 for key, spec in specs.items())


def engines() -> tuple[Engine, ...]:
    """Every serving engine the table knows, overlays applied."""
    return _engines(catalog.key())


def engine(key: str) -> Engine | None:
    return next((e for e in engines() if e.key == key), None)


def engines_for(architecture: str | None, model_type: str | None, embedding: bool = False) -> tuple[str, ...]:
    """The keys of the engines known to run a model of this architecture or model type (as an embedder, or
    a generator)."""
    return tuple(e.key for e in engines() if e.runs(architecture, model_type, embedding))
