"""Well-known substitutes by model family (``data/substitutes.yaml``): the candidates considered first
for a family's models, and the facts of each, so that a replacement can be suggested offline and facts the
Hub does not state (a mixture of experts' active parameters, languages a card gives in prose) are known.

Families are matched by id prefix (the longest wins), on the model itself or on a model of its lineage
(a GGUF of Qwen2.5 belongs to Qwen2.5). Overlays add families (``substitute_families``, tried first) and
correct or add models (``substitute_models``, replacing the bundled entry of the same id).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from model_risk.contract.domain import ModelProfile
from model_risk.knowledge import catalog


@dataclass(frozen=True)
class Family:
    name: str
    prefixes: tuple[str, ...]
    substitutes: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class Substitute:
    """One model of the table, with what its card states."""

    id: str
    profile: ModelProfile
    #: The card's Hub license id, and the model it is built on (for its effective license and vendor).
    license: str | None
    base_model: str | None
    source: str
    verification: str
    #: The date the entry was checked, and where it comes from (``bundled`` or an overlay's path).
    checked: str
    origin: str = "bundled"


def _profile(spec: Mapping[str, Any], checked: str) -> ModelProfile:
    def count(key: str) -> int | None:
        value = spec.get(key)
        return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None

    active = count("active_parameters")
    return ModelProfile(
        task=spec.get("task"), purposes=tuple(spec.get("purposes") or ()), architecture=spec.get("architecture"),
        model_type=spec.get("model_type"), parameters=count("parameters"), active_parameters=active,
        active_basis="stated" if active is not None else None, context_length=count("context_length"),
        languages=tuple(str(x) for x in spec.get("languages") or ()), chat_template=spec.get("chat_template"),
        embedding_dimension=count("embedding_dimension"), library=spec.get("library") or "transformers",
        sources=(f"model-risk's substitutes table, checked {checked}",))


def _substitute(model_id: str, spec: Mapping[str, Any], as_of: str, origin: str) -> Substitute:
    checked = str(spec.get("checked") or as_of)
    return Substitute(model_id, _profile(spec, checked), spec.get("license"), spec.get("base_model"),
                      str(spec["source"]), str(spec.get("verification") or "unverified"), checked, origin)


@dataclass(frozen=True)
class _Tables:
    families: tuple[Family, ...]
    models: dict[str, Substitute]


@cache
def _tables(_overlays: tuple[str, ...]) -> _Tables:
    data = catalog.bundled("substitutes")
    as_of = str(data.get("as_of") or "")
    models = {key.lower(): _substitute(key, spec, as_of, "bundled") for key, spec in data["models"].items()}
    families: list[Family] = []
    for overlay, section in catalog.sections("substitute_models"):
        for key, spec in section.items():
            models[str(key).lower()] = _substitute(str(key), spec, overlay.as_of, overlay.path)
    for _overlay, section in catalog.sections("substitute_families"):
        families += [_family(spec) for spec in section]
    families += [_family(spec) for spec in data["families"]]
    return _Tables(tuple(families), models)


def _family(spec: Mapping[str, Any]) -> Family:
    return Family(str(spec["family"]), tuple(str(p) for p in spec["prefixes"]),
                  tuple(str(s) for s in spec["substitutes"]), str(spec["source"]))


def family_of(model_ids: Iterable[str]) -> Family | None:
    """The family of the first of ``model_ids`` (a model, then its lineage) that belongs to one: the
    family with the longest matching prefix (overlays' families first among equals)."""
    families = _tables(catalog.key()).families
    for model_id in model_ids:
        lowered = model_id.lower()
        matches = [(len(p), -i, f) for i, f in enumerate(families) for p in f.prefixes
                   if lowered.startswith(p.lower())]
        if matches:
            return max(matches, key=lambda m: (m[0], m[1]))[2]
    return None


def substitute(model_id: str) -> Substitute | None:
    """The table's entry for one model, if it has one."""
    return _tables(catalog.key()).models.get(model_id.lower())


def substitutes_for(family: Family) -> list[Substitute]:
    """The family's substitutes the table has facts for, in the family's order."""
    models = _tables(catalog.key()).models
    return [models[s.lower()] for s in family.substitutes if s.lower() in models]


def as_of() -> str:
    return str(catalog.bundled("substitutes").get("as_of") or "")
