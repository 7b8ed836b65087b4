"""Lineage: following base models from a model to its root, and whose weights the root is."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from model_risk.common.documents import load_package_data
from model_risk.contract.domain import ModelFacts, ModelStatus
from model_risk.contract.resolver import ModelRequest
from model_risk.knowledge.vendors import VendorTable

#: Generations of base models followed before giving up (real trees are 1-4 deep).
MAX_LINEAGE_DEPTH = 8
#: Base models looked up in one scan at most, online or offline, whatever the answers name: a hostile Hub
#: naming 200 bases per model, 8 generations deep, made 34,652 lookups (264 s, 4.8 GB). A project with a
#: hundred models of real lineage needs a few hundred.
MAX_LINEAGE_LOOKUPS = 1000
#: Base models of one answer that are followed (real merges name a handful; the Hub's lists hold 200).
MAX_BASES_FOLLOWED = 16


class LineageBudget:
    """What the lineage of one scan may still look up: at most ``limit`` base models, none once the
    scan's deadline (``time.monotonic()``) has passed."""

    def __init__(self, deadline: float, limit: int | None = None) -> None:
        self.deadline = deadline
        self.limit = MAX_LINEAGE_LOOKUPS if limit is None else limit
        self.spent = 0

    def take(self) -> bool:
        """Whether one more base model may be looked up (and count it)."""
        import time

        if self.spent >= self.limit or time.monotonic() >= self.deadline:
            return False
        self.spent += 1
        return True


def bases_to_follow(facts: ModelFacts) -> tuple[str, ...]:
    return facts.base_models[:MAX_BASES_FOLLOWED]


@dataclass(frozen=True)
class LineageHint:
    base_model: str
    relation: str
    source: str


@cache
def lineage_hints() -> dict[str, LineageHint]:
    data = load_package_data("knowledge/data/lineage.yaml")
    assert isinstance(data, dict)
    return {key.lower(): LineageHint(v["base_model"], v.get("relation", "finetune"), v["source"])
            for key, v in data["hints"].items()}


def with_hint(facts: ModelFacts) -> ModelFacts:
    if facts.base_models:
        return facts
    hint = lineage_hints().get(facts.id.lower())
    if hint is None:
        return facts
    return dataclasses.replace(facts, base_models=(hint.base_model,), base_relation=hint.relation)


def lineage_of(facts: ModelFacts, known: Mapping[ModelRequest, ModelFacts]
               ) -> tuple[tuple[str, ...], ModelFacts | None, str]:
    """(lineage ids, root facts if resolved, root id), following the first base model of each generation."""
    chain = [facts.id]
    seen = {facts.id.lower()}
    current: ModelFacts | None = facts
    root_id = facts.id
    for _ in range(MAX_LINEAGE_DEPTH):
        if current is None or not current.base_models:
            break
        base = current.base_models[0]
        parent = known.get(ModelRequest(base))
        parent_id = parent.id if parent is not None and parent.status is ModelStatus.RESOLVED else base
        if parent_id.lower() in seen or base.lower() in seen:
            break  # a cycle in the declared lineage
        seen.update({parent_id.lower(), base.lower()})
        chain.append(parent_id)
        root_id = parent_id
        current = parent
    return tuple(chain), current, root_id


def with_lineage(facts: ModelFacts, known: Mapping[ModelRequest, ModelFacts], vendors: VendorTable
                 ) -> ModelFacts:
    if facts.status is ModelStatus.API:
        return facts
    chain, root, root_id = lineage_of(facts, known)
    root_vendor: str | None
    if root is not None and root.vendor:
        root_vendor, root_country = root.vendor, root.vendor_country
    else:
        root_vendor, root_country = vendors.vendor_of(root_id)
    return dataclasses.replace(facts, lineage=chain, root_vendor=root_vendor or facts.vendor,
                               root_vendor_country=root_country if root_vendor else facts.vendor_country)
