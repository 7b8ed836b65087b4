"""``model-risk explain MODEL``: the facts and lineage tree of one model."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from model_risk.app.session import Session
from model_risk.contract.domain import ModelFacts, ModelStatus
from model_risk.contract.resolver import ModelRequest
from model_risk.knowledge import licenses
from model_risk.knowledge.derivation import guess_base
from model_risk.report.terminal import terminal_safe
from model_risk.resolve.lineage import MAX_LINEAGE_DEPTH, lineage_hints


@dataclass(frozen=True)
class TreeNode:
    """One model in the lineage tree: the id a card names, what is known about it, and its own bases."""

    declared_id: str
    facts: ModelFacts | None
    #: How the child relates to this model (``finetune``, ``quantized`` ...), None at the top.
    relation: str | None
    bases: tuple[TreeNode, ...]
    #: Why the tree stops here although the model names base models.
    stop: str | None = None
    #: Where a base model came from when the card did not declare it (``data/lineage.yaml``).
    hint_source: str | None = None
    #: This base was guessed from the child's name (nothing named one): it counts for vendors only.
    guessed: bool = False


@dataclass(frozen=True)
class Explanation:
    facts: ModelFacts
    tree: TreeNode
    #: True when the model's organisation re-uploads other vendors' weights (quantisers, mirrors).
    redistributor: bool


def explain(model_id: str, revision: str | None, session: Session) -> Explanation:
    resolution = session.resolution
    api_vendor = api_vendor_of(model_id)
    if api_vendor is not None and revision is None:
        # As scan classifies it: a hosted API model name, not a Hugging Face repo to look up.
        facts = resolution.api_model(model_id, api_vendor)
        return Explanation(facts, TreeNode(model_id, facts, None, ()), False)
    request = ModelRequest(model_id, revision)
    facts, known = resolution.model(request)
    by_id = {r.model_id.lower(): f for r, f in known.items() if r.revision is None}
    tree = _node(model_id, facts, None, by_id, depth=0, path=frozenset(),
                 is_redistributor=session.vendors.is_redistributor)
    return Explanation(facts, tree, session.vendors.is_redistributor(facts.id))


def api_vendor_of(name: str) -> str | None:
    """The vendor serving ``name`` when it is an API model name (``gpt-4o``, ``openai/gpt-4o``)."""
    from model_risk.knowledge.api_models import vendor_of

    prefix, _, rest = name.rpartition("/")
    return vendor_of(rest, prefix) if prefix else vendor_of(name)


def _hint_source(facts: ModelFacts) -> str | None:
    hint = lineage_hints().get(facts.id.lower())
    if hint is not None and facts.base_models == (hint.base_model,):
        return hint.source
    return None


def _node(declared_id: str, facts: ModelFacts | None, relation: str | None, by_id: dict[str, ModelFacts],
          *, depth: int, path: frozenset[str], is_redistributor: Callable[[str], bool]) -> TreeNode:
    if facts is None:
        return TreeNode(declared_id, None, relation, ())
    own = {facts.id.lower(), declared_id.lower()}
    if own & path:
        return TreeNode(declared_id, facts, relation, (), stop="cycle: already in this lineage")
    if facts.base_models and depth >= MAX_LINEAGE_DEPTH:
        return TreeNode(declared_id, facts, relation, (), stop=f"depth limit of {MAX_LINEAGE_DEPTH} generations")
    bases = tuple(_node(base, by_id.get(base.lower()), facts.base_relation, by_id, depth=depth + 1,
                        path=path | own, is_redistributor=is_redistributor) for base in facts.base_models)
    if not bases and (guess := guess_base(facts.id, is_redistributor)) is not None:
        # Nothing names a base: the name suggests one (counted for vendors, never looked up).
        guessed = by_id.get(guess.base_model.lower())
        bases = (dataclasses.replace(_node(guess.base_model, guessed, guess.relation, by_id, depth=depth + 1,
                                           path=path | own, is_redistributor=is_redistributor), guessed=True),)
    return TreeNode(declared_id, facts, relation, bases, hint_source=_hint_source(facts))


# -- text ------------------------------------------------------------------------------------------

_YES_NO = {True: "yes", False: "no", None: "unknown"}
_COMMERCIAL_USE = {"yes": "allowed", "no": "not allowed", "conditional": "allowed with conditions",
                   "unknown": "unknown"}


def _vendor_text(name: str | None, country: str | None) -> str:
    return (name or "?") + (f", {country}" if country else "")


def _rows(explanation: Explanation) -> list[tuple[str, str]]:
    f = explanation.facts
    rows = [
        ("model", f.id + (f"@{f.revision}" if f.revision else "")),
        ("status", f.status.value + (f" ({f.reason})" if f.reason else "")),
        ("source", f.source or "-"),
        ("vendor", _vendor_text(f.vendor, f.vendor_country)
         + (" (re-uploads other vendors' weights)" if explanation.redistributor else "")),
        ("root vendor", _vendor_text(f.root_vendor, f.root_vendor_country)),
    ]
    if f.status is ModelStatus.API:
        rows.append(("kind", f"API model served by {f.vendor or '?'}: a hosted model, not a Hugging Face repo"))
        rows.append(("license", "API terms (the vendor's terms of service, not a model license)"))
        return rows
    if f.redirected_from:
        rows.append(("renamed from", ", ".join(f.redirected_from)))
    if f.base_relation:
        rows.append(("relation", f"{f.base_relation} of {', '.join(f.base_models)}"))
    if f.base_models:
        rows.append(("base model from", _base_origin(explanation.tree)))
    if f.status is not ModelStatus.RESOLVED and f.license is None:
        return rows  # nothing more is known
    lic = f.license
    rows.append(("license", licenses.label(lic) + (f" (Hub id {lic.hub})" if lic and lic.hub else "")))
    effective = f.effective_license
    if effective is not None and effective.source != f.id:
        rows.append(("governed by", f"{licenses.label(effective.license)}, inherited from {effective.source} "
                                    f"({' <- '.join(effective.path)})"))
    governing = f.governing_license
    if governing is not None:
        rows += [("OSI approved", _YES_NO[governing.osi]),
                 ("commercial use", _COMMERCIAL_USE[governing.commercial_use])]
        rows += [("condition", c) for c in governing.conditions]
        if governing.link:
            rows.append(("license text", governing.link))
    if effective is not None and effective.unknown:
        rows.append(("terms not known", ", ".join(effective.unknown)))
    if len(f.root_vendors) > 1:
        rows.append(("root vendors", ", ".join(f.root_vendors)))
    rows += [
        ("gated", str(f.gated).lower() if f.gated is not False else "no"),
        ("commit", f.sha or "-"),
        ("weights", ", ".join(f.formats) or "-"),
        ("downloads", f"{f.downloads:,}" if f.downloads is not None else "-"),
        ("last modified", f.last_modified or "-"),
    ]
    return rows


def _base_origin(node: TreeNode) -> str:
    if node.hint_source:
        return f"model-risk's lineage table ({node.hint_source}); the card declares none"
    if node.facts is not None and node.facts.source not in (None, "hub", "cache", "lockfile"):
        return f"the {node.facts.source} resolver"
    return "the model card (base_model)"


def _describe(node: TreeNode) -> str:
    relation = f" ({node.relation}{', guessed from the name' if node.guessed else ''})" if node.relation else ""
    facts = node.facts
    if facts is None:
        return f"{node.declared_id}{relation}  [not looked up]"
    name = facts.id if facts.status is ModelStatus.RESOLVED else node.declared_id
    if facts.status is not ModelStatus.RESOLVED:
        return f"{name}{relation}  [{facts.status.value}]  {facts.vendor or '?'}"
    return f"{name}{relation}  {facts.vendor or '?'}, {licenses.label(facts.license)}"


def _tree_lines(node: TreeNode, prefix: str) -> list[str]:
    lines = []
    notes = []
    if node.hint_source:
        notes.append(f"(base model not declared by the card; from model-risk's lineage table: {node.hint_source})")
    if node.stop:
        notes.append(f"… ({node.stop})")
    children: list[TreeNode | str] = [*notes, *node.bases]
    for index, child in enumerate(children):
        last = index == len(children) - 1
        branch, carry = ("└─ ", "   ") if last else ("├─ ", "│  ")
        if isinstance(child, str):
            lines.append(prefix + branch + child)
            continue
        lines.append(prefix + branch + _describe(child))
        lines.extend(_tree_lines(child, prefix + carry))
    return lines


def render_text(explanation: Explanation) -> str:
    rows = _rows(explanation)
    width = max(len(k) for k, _ in rows)
    lines = [f"{k.rjust(width)}  {terminal_safe(str(v))}" for k, v in rows]
    lines += ["", "lineage", terminal_safe(explanation.facts.id)]
    tree = _tree_lines(explanation.tree, "")
    if explanation.facts.status is ModelStatus.API:
        lines += tree or ["└─ (a hosted API model: its vendor publishes no lineage)"]
    else:
        lines += [terminal_safe(line) for line in tree] or ["└─ (no base model declared)"]
    return "\n".join(lines) + "\n"


# -- JSON ------------------------------------------------------------------------------------------

def tree_document(node: TreeNode) -> dict[str, Any]:
    facts = node.facts
    return {
        "id": facts.id if facts is not None else node.declared_id,
        "declared_as": node.declared_id,
        "relation": node.relation,
        "status": facts.status.value if facts is not None else None,
        "vendor": facts.vendor if facts is not None else None,
        "vendor_country": facts.vendor_country if facts is not None else None,
        "license": licenses.label(facts.license) if facts is not None and facts.license else None,
        "hint_source": node.hint_source,
        "guessed": node.guessed,
        "stop": node.stop,
        "bases": [tree_document(base) for base in node.bases],
    }


def json_document(explanation: Explanation) -> dict[str, Any]:
    """The model as the JSON report shows it, plus its lineage tree."""
    from model_risk.report.document import model_document

    facts = explanation.facts
    origin = None
    if facts.base_models:
        origin = "lineage-table" if explanation.tree.hint_source else "card"
    return {**model_document(facts), "base_models_from": origin, "tree": tree_document(explanation.tree)}
