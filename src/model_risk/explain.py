"""``model-risk explain MODEL``: the facts and lineage tree of one model."""

from __future__ import annotations

from dataclasses import dataclass

from model_risk import licenses
from model_risk.config import Config
from model_risk.domain import ModelFacts, ModelStatus
from model_risk.pipeline import hub_resolver, resolve_context
from model_risk.reporters import terminal_safe
from model_risk.resolution import MAX_LINEAGE_DEPTH, resolve_with_lineage, with_lineage
from model_risk.resolvers import ModelRequest


@dataclass(frozen=True)
class Explanation:
    facts: ModelFacts
    #: Every model reachable through base models, by the id used to look it up.
    ancestors: dict[str, ModelFacts]


def explain(model_id: str, revision: str | None, config: Config, *, offline: bool) -> Explanation:
    context = resolve_context(config, offline=offline)
    resolve = hub_resolver()
    request = ModelRequest(model_id, revision)
    known = resolve_with_lineage([request], lambda r: resolve(r, context), context)
    facts = with_lineage(known[request], known, context.vendors)
    return Explanation(facts, {r.model_id: f for r, f in known.items() if r != request})


def _tree(facts: ModelFacts, ancestors: dict[str, ModelFacts], depth: int, seen: set[str]) -> list[str]:
    lines = []
    for base in facts.base_models:
        parent = ancestors.get(base)
        relation = f" ({facts.base_relation})" if facts.base_relation else ""
        if parent is None or parent.status is not ModelStatus.RESOLVED:
            status = parent.status.value if parent else "not looked up"
            lines.append(f"{'   ' * depth}└─ {base}{relation}  [{status}]")
            continue
        vendor = parent.vendor or "?"
        lines.append(f"{'   ' * depth}└─ {parent.id}{relation}  {vendor}, {licenses.label(parent.license)}")
        if parent.id.lower() in seen or depth >= MAX_LINEAGE_DEPTH:
            lines.append(f"{'   ' * (depth + 1)}└─ … (cycle or depth limit)")
            continue
        lines.extend(_tree(parent, ancestors, depth + 1, seen | {parent.id.lower()}))
    return lines


def render_text(explanation: Explanation) -> str:
    f = explanation.facts
    lic = f.license
    rows = [
        ("model", f.id + (f"@{f.revision}" if f.revision else "")),
        ("status", f.status.value + (f" ({f.reason})" if f.reason else "")),
        ("source", f.source or "-"),
        ("vendor", f"{f.vendor or '?'}" + (f", {f.vendor_country}" if f.vendor_country else "")),
        ("root vendor", f"{f.root_vendor or '?'}" + (f", {f.root_vendor_country}" if f.root_vendor_country else "")),
        ("license", licenses.label(lic) + (f" (Hub id {lic.hub})" if lic and lic.hub else "")),
    ]
    if lic is not None:
        rows += [("OSI approved", {True: "yes", False: "no", None: "unknown"}[lic.osi]),
                 ("commercial use", {True: "allowed", False: "not allowed", None: "unknown"}[lic.commercial])]
        rows += [("condition", c) for c in lic.conditions]
        if lic.link:
            rows.append(("license text", lic.link))
    rows += [
        ("gated", str(f.gated).lower() if f.gated is not False else "no"),
        ("commit", f.sha or "-"),
        ("weights", ", ".join(f.formats) or "-"),
        ("downloads", f"{f.downloads:,}" if f.downloads is not None else "-"),
        ("last modified", f.last_modified or "-"),
    ]
    if f.redirected_from:
        rows.append(("renamed from", ", ".join(f.redirected_from)))
    width = max(len(k) for k, _ in rows)
    lines = [f"{k.rjust(width)}  {terminal_safe(str(v))}" for k, v in rows]
    lines += ["", "lineage", f.id] + [terminal_safe(x) for x in
                                      _tree(f, explanation.ancestors, 0, {f.id.lower()})]
    return "\n".join(lines) + "\n"
