"""The subjects rules are evaluated on, as plain read-only mappings, and the fields each scope offers.

Scopes:

* ``model``: one per model the project references;
* ``reference``: one per reference, with the model's fields plus ``reference.*``;
* ``vendor``: one per root vendor, with its share of the project's distinct models (open weights counted
  through lineage, and API models; see :mod:`model_risk.knowledge.exposure`) and the project's HHI;
* ``project``: the project once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from model_risk.contract.domain import (
    LicenseFacts,
    ModelFacts,
    ModelStatus,
    ModelUse,
    Reference,
    distinct_hub_models,
    root_vendors_of,
)
from model_risk.knowledge import formats, licenses
from model_risk.knowledge.exposure import Concentration, VendorEntry, vendor_view
from model_risk.knowledge.facts import facts_document

LICENSE_FIELDS = frozenset({"hub", "name", "spdx", "osi", "commercial", "commercial_use", "conditions",
                            "condition_kinds", "link", "label", "key"})
#: The effective license: a license's fields, plus where it comes from along the lineage.
EFFECTIVE_FIELDS = LICENSE_FIELDS | frozenset({"model", "path", "path_text", "via", "inherited", "inherited_from",
                                               "inherited_label", "licenses", "unknown", "conditions_text"})
WATCH_FIELDS = frozenset({"vendor", "reason", "severity"})
REFERENCE_FIELDS = frozenset({"model", "path", "line", "column", "revision", "revision_pinned",
                              "trust_remote_code", "loader", "detector", "kind", "provider"})

#: Field -> allowed sub-fields (None: a plain value; "any": free-form mapping such as the model card).
#: The facts whose drift is reported (resolve/drift.py's DRIFT_FIELDS).
DRIFT_FIELDS = frozenset({"status", "id", "license", "gated", "sha"})
MODEL_SCOPE: dict[str, frozenset[str] | str | None] = {
    "id": None, "model": None, "kind": None, "provider": None, "status": None, "reason": None, "aliases": None,
    "redirected_from": None, "renamed": None, "renamed_from": None, "revision": None, "author": None,
    "vendor": None, "vendor_country": None, "root_vendor": None, "root_vendor_country": None,
    "lineage": None, "lineage_depth": None, "lineage_text": None, "base_models": None, "base_relation": None,
    "ancestors": None, "ancestor_vendors": None, "ancestor_licenses": None, "root_vendors": None,
    "lineage_guessed": None,
    "license": LICENSE_FIELDS, "license_known": None, "effective_license": EFFECTIVE_FIELDS, "gated": None, "gating": None, "sha": None,
    "formats": None, "formats_text": None, "pickle_only": None, "downloads": None, "likes": None,
    "created_at": None, "last_modified": None, "library_name": None, "pipeline_tag": None,
    "custom_code": None, "card": "any", "drift": None, "drifted": None, "drift_summary": None, "drift_severity": None,
    "drift_fields": None, "drift_changes": DRIFT_FIELDS,
    "references": None, "watchlist": WATCH_FIELDS,
}
REFERENCE_SCOPE: dict[str, frozenset[str] | str | None] = {**MODEL_SCOPE, "reference": REFERENCE_FIELDS}
VENDOR_SCOPE: dict[str, frozenset[str] | str | None] = {
    "vendor": None, "country": None, "models": None, "total": None, "share": None, "share_percent": None,
    "model_ids": None, "watchlist": WATCH_FIELDS, "open_weight_models": None, "api_models": None,
    "breakdown": None, "top": None, "hhi": None, "hhi_band": None,
}
PROJECT_SCOPE: dict[str, frozenset[str] | str | None] = {
    "models": None, "hub_models": None, "api_models": None, "vendors": None, "root_vendors": None,
    "references": None, "files": None, "unresolved": None, "top_vendor": None, "top_vendor_share": None,
    "hhi": None, "hhi_band": None,
}
SCOPES = {"model": MODEL_SCOPE, "reference": REFERENCE_SCOPE, "vendor": VENDOR_SCOPE,
          "project": PROJECT_SCOPE}


def check_field(scope: str, path: str) -> str | None:
    """An error message if ``path`` is not a field of ``scope``."""
    fields = SCOPES[scope]
    head, _, rest = path.partition(".")
    if head not in fields:
        return f"unknown field {head!r} for scope {scope!r} (fields: {', '.join(sorted(fields))})"
    allowed = fields[head]
    if rest and allowed is None:
        return f"field {head!r} has no sub-fields"
    if rest and isinstance(allowed, frozenset) and rest.split(".")[0] not in allowed:
        return f"unknown field {path!r} (sub-fields of {head}: {', '.join(sorted(allowed))})"
    return None


@dataclass(frozen=True)
class WatchEntry:
    vendor: str
    reason: str | None = None
    severity: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"vendor": self.vendor, "reason": self.reason, "severity": self.severity}


#: A model and the references that lead to it: the scan's own grouping (contract.domain.ModelUse).
ModelUsage = ModelUse


def _watch(facts: ModelFacts, watchlist: Sequence[WatchEntry]) -> dict[str, Any] | None:
    names = {(facts.vendor or "").lower(), *(v.lower() for v in root_vendors_of(facts))}
    for entry in watchlist:
        if entry.vendor.lower() in names:
            return entry.as_dict()
    return None


def _license_fields(document: Mapping[str, Any] | None, lic: LicenseFacts | None) -> dict[str, Any] | None:
    if document is None or lic is None:
        return None
    fields = {k: v for k, v in document.items() if k != "declared_name"}
    return {**fields, "label": licenses.label(lic), "key": (lic.key or "").lower() or None}


def _effective_fields(facts: ModelFacts, document: Mapping[str, Any] | None) -> dict[str, Any] | None:
    effective = facts.effective_license
    if effective is None or document is None:
        return None
    fields = _license_fields(document, effective.license) or {}
    inherited = effective.license_of(effective.inherited_from) if effective.inherited_from else None
    via = "" if effective.source == facts.id else f" (inherited from {effective.source})"
    return {**fields, "conditions_text": "; ".join(effective.license.conditions) or None,
            "model": effective.source, "path": list(effective.path),
            "path_text": " <- ".join(effective.path), "via": via, "inherited": effective.inherited,
            "inherited_from": effective.inherited_from,
            "inherited_label": licenses.label(inherited) if inherited is not None else None,
            "licenses": [licenses.label(e.license) for e in effective.licenses], "unknown": list(effective.unknown)}


#: A new commit alone is routine upstream work; a changed license, gate, name or availability is not.
_ROUTINE_DRIFT = frozenset({"sha"})


def _drift_severity(drift: list[dict[str, Any]]) -> str | None:
    if not drift:
        return None
    return "low" if all(d["field"] in _ROUTINE_DRIFT for d in drift) else None


def model_subject(usage: ModelUsage, watchlist: Sequence[WatchEntry] = ()) -> dict[str, Any]:
    facts = usage.facts
    lic = facts.license
    document = facts_document(facts)
    effective = facts.effective_license
    drift = document["drift"]
    return {
        "id": facts.id,
        "model": facts.id,
        "kind": facts.kind,
        "provider": facts.provider,
        "status": facts.status.value,
        "reason": facts.reason,
        "aliases": list(facts.aliases),
        "redirected_from": list(facts.redirected_from),
        "renamed": bool(facts.redirected_from),
        "renamed_from": ", ".join(facts.redirected_from) or None,
        "revision": facts.revision,
        "author": facts.author,
        "vendor": facts.vendor,
        "vendor_country": facts.vendor_country,
        "root_vendor": facts.root_vendor,
        "root_vendor_country": facts.root_vendor_country,
        "lineage": list(facts.lineage),
        "lineage_depth": max(0, len(facts.lineage) - 1),
        "lineage_text": " <- ".join(facts.lineage) or facts.id,
        "base_models": list(facts.base_models),
        "base_relation": facts.base_relation,
        "ancestors": list(facts.ancestors),
        "ancestor_vendors": list(dict.fromkeys(link.parent_vendor for link in facts.lineage_links
                                               if link.parent_vendor)),
        "ancestor_licenses": list(dict.fromkeys(
            (e.license.key or "").lower() for e in (effective.licenses if effective else ())
            if e.depth > 0 and e.license.key)),
        "root_vendors": list(root_vendors_of(facts)) if facts.status is not ModelStatus.API else [],
        "lineage_guessed": facts.lineage_guessed,
        "license": _license_fields(document["license"], lic),
        "license_known": lic is not None,
        "effective_license": _effective_fields(facts, document["effective_license"]),
        "gated": facts.gated is not False,
        "gating": facts.gated if isinstance(facts.gated, str) else None,
        "sha": facts.sha,
        "formats": list(facts.formats),
        "formats_text": ", ".join(facts.formats) or "none",
        "pickle_only": formats.pickle_only(facts.formats),
        "downloads": facts.downloads,
        "likes": facts.likes,
        "created_at": facts.created_at,
        "last_modified": facts.last_modified,
        "library_name": facts.library_name,
        "pipeline_tag": facts.pipeline_tag,
        "custom_code": facts.custom_code,
        "card": dict(facts.card),
        "drift": drift,
        "drifted": bool(drift),
        "drift_summary": "; ".join(f"{d['field']} {d['locked']} -> {d['current']}" for d in drift) or None,
        "drift_severity": _drift_severity(drift),
        # Which facts changed (license, gated, status, id, sha) and how, "locked -> current", for the
        # rules of the drift pack: each says what changed, and a gating change is not a license drift.
        "drift_fields": [d["field"] for d in drift],
        "drift_changes": {d["field"]: f"{d['locked']} -> {d['current']}" for d in drift},
        "references": len(usage.references),
        "watchlist": _watch(facts, watchlist),
    }


def reference_subject(model: Mapping[str, Any], reference: Reference) -> dict[str, Any]:
    return {**model, "reference": {
        "model": reference.model, "path": reference.path, "line": reference.line, "column": reference.column,
        "revision": reference.revision, "revision_pinned": reference.revision_pinned,
        "trust_remote_code": reference.trust_remote_code, "loader": reference.loader,
        "detector": reference.detector, "kind": reference.kind, "provider": reference.provider,
    }}


def hub_models(usages: Iterable[ModelUsage]) -> dict[str, ModelUsage]:
    """Distinct Hub models by canonical id (revisions of one repo count once)."""
    listed = list(usages)
    usage_of = {id(usage.facts): usage for usage in reversed(listed)}  # the first usage of each facts object
    return {key: usage_of[id(facts)] for key, facts in distinct_hub_models(u.facts for u in listed).items()}


def vendor_subject(entry: VendorEntry, concentration: Concentration,
                   watchlist: Sequence[WatchEntry] = ()) -> dict[str, Any]:
    watch = next((e.as_dict() for e in watchlist if e.vendor.lower() == entry.vendor.lower()), None)
    counted = [u for u in entry.uses if u.counted]
    open_weights = len({u.facts.weights_key for u in counted if u.kind == "open-weights"})
    api = len({u.facts.weights_key for u in counted if u.kind == "api"})
    parts = [f"{open_weights} open-weight"] if open_weights else []
    parts += [f"{api} API"] if api else []
    return {
        "vendor": entry.vendor,
        "country": entry.country,
        "models": entry.models,
        "total": entry.total,
        "share": entry.share,
        "share_percent": f"{entry.share:.0%}",
        "model_ids": sorted({u.facts.id for u in counted}),
        "watchlist": watch,
        "open_weight_models": open_weights,
        "api_models": api,
        "breakdown": ", ".join(parts) or "none counted",
        "top": concentration.top_vendor == entry.vendor,
        "hhi": concentration.hhi,
        "hhi_band": concentration.band,
    }


def project_subject(usages: Sequence[ModelUsage], references: int, files: int) -> dict[str, Any]:
    distinct = hub_models(usages)
    roots = {u.facts.root_vendor or u.facts.vendor or "unknown" for u in distinct.values()}
    concentration = vendor_view((u.facts, u.references) for u in usages).concentration
    return {
        "models": len({u.facts.id.lower() for u in usages}),
        "hub_models": len(distinct),
        "api_models": sum(1 for u in usages if u.facts.status is ModelStatus.API),
        "vendors": len({(u.facts.vendor or "").lower() for u in usages if u.facts.vendor}),
        "root_vendors": len(roots),
        "references": references,
        "files": files,
        "unresolved": sum(1 for u in usages if u.facts.status is ModelStatus.UNRESOLVED),
        "top_vendor": concentration.top_vendor,
        "top_vendor_share": concentration.top_share,
        "hhi": concentration.hhi,
        "hhi_band": concentration.band,
    }
