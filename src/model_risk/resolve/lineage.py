"""Lineage: the graph of every model a model is built on, whose weights its roots are, and the license
that governs it along the way.

Each model names its base models (the card's ``base_model``, a list for merges, the Hub's tags; or
model-risk's lineage table for official cards that omit it). The graph follows every parent of every
generation, with a depth limit and a node limit, and stops at cycles. A model whose base nobody names
may have one guessed from its name (``-GGUF``, ``-Distill-Qwen-``; see :mod:`model_risk.knowledge.derivation`):
guessed edges are marked, count for vendors, and never judge a license.

From the graph: ``lineage`` (the first parent of each generation, to the root), ``root_vendor`` (that
root's vendor), ``root_vendors`` (the vendors of every root), ``lineage_links`` (every edge) and the
``effective_license`` (the most restrictive license on the graph, with the conditions of all of them).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from model_risk.contract.domain import EffectiveLicense, LineageLicense, LineageLink, ModelFacts, ModelStatus
from model_risk.contract.resolver import ModelRequest, VendorDirectory
from model_risk.knowledge import licenses
from model_risk.knowledge.derivation import LineageHint, guess_base, lineage_hints

__all__ = ["MAX_BASES_FOLLOWED", "MAX_LINEAGE_DEPTH", "MAX_LINEAGE_LOOKUPS", "MAX_LINEAGE_NODES", "LineageBudget",
           "LineageGraph", "LineageHint", "bases_to_follow", "lineage_graph", "lineage_hints", "lineage_of",
           "with_hint", "with_lineage"]

#: Generations of base models followed before giving up (real trees are 1-4 deep).
MAX_LINEAGE_DEPTH = 8
#: Models one lineage graph holds at most: merges of merges multiply, and a card may list many parents.
MAX_LINEAGE_NODES = 64
#: Base models looked up in one scan at most, online or offline, whatever the answers name: a hostile Hub
#: naming 200 bases per model, 8 generations deep, made 34,652 lookups (264 s, 4.8 GB). A project with a
#: hundred models of real lineage needs a few hundred.
MAX_LINEAGE_LOOKUPS = 1000
#: Base models of one answer that are looked up: no more than one lineage graph can hold.
MAX_BASES_FOLLOWED = MAX_LINEAGE_NODES


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


def with_hint(facts: ModelFacts) -> ModelFacts:
    """``facts`` with the base model of model-risk's lineage table when the card names none."""
    if facts.base_models:
        return facts
    hint = lineage_hints().get(facts.id.lower())
    if hint is None:
        return facts
    return dataclasses.replace(facts, base_models=(hint.base_model,), base_relation=hint.relation)


@dataclass
class _Node:
    id: str
    facts: ModelFacts | None
    depth: int
    #: The way from the model to this node (ids).
    path: tuple[str, ...]
    #: Reached only through a guessed edge somewhere on its path.
    guessed: bool = False
    #: Lower-cased ids of the parents the graph holds for it.
    parents: list[str] = field(default_factory=list)
    #: Its parents were not followed (depth or node limit): it is a root only because the walk stopped.
    cut: bool = False


@dataclass(frozen=True)
class LineageGraph:
    #: Lower-cased id -> node, in walk order (the model first, then nearest generations first).
    nodes: dict[str, _Node]
    links: tuple[LineageLink, ...]

    def chain(self) -> tuple[str, ...]:
        """The model, its first parent, that one's first parent ... to a root."""
        node = next(iter(self.nodes.values()))
        chain, seen = [node.id], {node.id.lower()}
        while node.parents and node.parents[0] not in seen:
            node = self.nodes[node.parents[0]]
            chain.append(node.id)
            seen.add(node.id.lower())
        return tuple(chain)

    def roots(self) -> list[_Node]:
        return [node for node in self.nodes.values() if not node.parents]


def _bases(node: _Node, is_redistributor: Callable[[str], bool]) -> tuple[tuple[str, ...], str | None, str]:
    """(base ids, relation, origin) of a node: its card's, else the lineage table's, else a guess."""
    facts = node.facts
    if facts is not None and facts.door is not None:
        # A door's model (an Ollama tag, a hosted id) is built on the weights it serves, or on nothing
        # known: its name is the door's, never guessed from.
        return facts.base_models, facts.base_relation, "table"
    hint = lineage_hints().get(node.id.lower())
    if facts is not None and facts.base_models:
        origin = "table" if hint is not None and facts.base_models == (hint.base_model,) else "card"
        return facts.base_models, facts.base_relation, origin
    if hint is not None:
        return (hint.base_model,), hint.relation, "table"
    guess = guess_base(node.id, is_redistributor)
    if guess is not None:
        return (guess.base_model,), guess.relation, "name"
    return (), None, "card"


def lineage_graph(facts: ModelFacts, known: Mapping[ModelRequest, ModelFacts],
                  is_redistributor: Callable[[str], bool] = lambda _model_id: False) -> LineageGraph:
    """Every model ``facts`` is built on, breadth first, as far as ``known`` (the answers of the lookups)
    and the guards allow."""
    nodes: dict[str, _Node] = {facts.id.lower(): _Node(facts.id, facts, 0, (facts.id,))}
    links: list[LineageLink] = []
    queue = [nodes[facts.id.lower()]]
    while queue:
        node = queue.pop(0)
        bases, relation, origin = _bases(node, is_redistributor)
        if bases and node.depth >= MAX_LINEAGE_DEPTH:
            node.cut = True
            continue
        on_path = {step.lower() for step in node.path}
        for base in bases:
            parent = known.get(ModelRequest(base))
            parent_id = parent.id if parent is not None and parent.status is ModelStatus.RESOLVED else base
            key = parent_id.lower()
            if key in on_path or base.lower() in on_path:
                continue  # a cycle in the declared lineage
            if key not in nodes:
                if len(nodes) >= MAX_LINEAGE_NODES:
                    node.cut = True
                    break
                child = _Node(parent_id, parent, node.depth + 1, (*node.path, parent_id),
                              guessed=node.guessed or origin == "name")
                nodes[key] = child
                queue.append(child)
            if key not in node.parents:
                node.parents.append(key)
                links.append(LineageLink(node.id, nodes[key].id, relation, origin))
    return LineageGraph(nodes, tuple(links))


def _with_vendors(links: tuple[LineageLink, ...], graph: LineageGraph, vendors: VendorDirectory
                  ) -> tuple[LineageLink, ...]:
    return tuple(dataclasses.replace(link, parent_vendor=_vendor(graph.nodes[link.parent.lower()], vendors)[0])
                 for link in links)


def lineage_of(facts: ModelFacts, known: Mapping[ModelRequest, ModelFacts]
               ) -> tuple[tuple[str, ...], ModelFacts | None, str]:
    """(lineage ids, root facts if resolved, root id), following the first base model of each generation."""
    graph = lineage_graph(facts, known)
    chain = graph.chain()
    root = graph.nodes[chain[-1].lower()].facts
    return chain, root, chain[-1]


def _vendor(node: _Node, vendors: VendorDirectory) -> tuple[str | None, str | None]:
    if node.facts is not None and node.facts.door is not None:
        return node.facts.vendor, node.facts.vendor_country  # its id is the door's, not an organisation's
    if node.facts is not None and node.facts.status is ModelStatus.RESOLVED and node.facts.vendor:
        return node.facts.vendor, node.facts.vendor_country
    return vendors.vendor_of(node.id)


def _effective(graph: LineageGraph) -> EffectiveLicense | None:
    """The effective license over the nodes that are not guesses."""
    found: list[LineageLicense] = []
    unknown: list[str] = []
    for node in graph.nodes.values():
        if node.guessed:
            continue
        lic = node.facts.license if node.facts is not None else None
        if lic is not None:
            found.append(LineageLicense(node.id, lic, node.depth))
        elif node.depth > 0:
            unknown.append(node.id)
    return licenses.effective_license(found, {n.id: n.path for n in graph.nodes.values()}, unknown)


def with_lineage(facts: ModelFacts, known: Mapping[ModelRequest, ModelFacts], vendors: VendorDirectory
                 ) -> ModelFacts:
    """``facts`` with its lineage, root vendors and effective license worked out from ``known``."""
    if facts.status is ModelStatus.API:
        return facts
    graph = lineage_graph(facts, known, vendors.is_redistributor)
    chain = graph.chain()
    root_vendor, root_country = _vendor(graph.nodes[chain[-1].lower()], vendors)
    roots = [graph.nodes[chain[-1].lower()], *graph.roots()]
    root_vendors = tuple(dict.fromkeys(v for node in roots if (v := _vendor(node, vendors)[0])))
    return dataclasses.replace(
        facts, lineage=chain, root_vendor=root_vendor or facts.vendor,
        root_vendor_country=root_country if root_vendor else facts.vendor_country,
        lineage_links=_with_vendors(graph.links, graph, vendors), root_vendors=root_vendors,
        effective_license=_effective(graph))
