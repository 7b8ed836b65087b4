"""The one codec of model facts: ModelFacts as JSON data and back, and the stored form the cache and
the lockfile keep.

A record keeps only what the Hub said (license id and card name, author, gating, sha, files, base
models ...). What model-risk concludes from it (SPDX id, OSI approval, commercial use, vendor, country)
is derived again on load from the current tables, so an updated table corrects old locks and caches.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from model_risk.contract.domain import Drift, LicenseFacts, ModelFacts, ModelStatus
from model_risk.knowledge import licenses
from model_risk.knowledge.vendors import VendorTable


def build_facts(*, model_id: str, status: ModelStatus, vendors: VendorTable, source: str,
                reason: str | None = None, revision: str | None = None, author: str | None = None,
                license_id: str | list[str] | None = None, license_name: str | None = None,
                license_link: str | None = None, gated: bool | str = False, sha: str | None = None,
                formats: Iterable[str] = (), base_models: Iterable[str] = (),
                base_relation: str | None = None, downloads: int | None = None, likes: int | None = None,
                created_at: str | None = None, last_modified: str | None = None,
                library_name: str | None = None, pipeline_tag: str | None = None,
                custom_code: bool = False, card: Mapping[str, object] | None = None,
                redirected_from: Iterable[str] = ()) -> ModelFacts:
    """ModelFacts from what the Hub says, with license and vendor classified by the tables."""
    vendor, country = vendors.vendor_of(model_id)
    license_facts = None
    if status is ModelStatus.RESOLVED or license_id or license_name:
        license_facts = licenses.classify(license_id, license_name, license_link)
    return ModelFacts(
        id=model_id, status=status, reason=reason, revision=revision,
        author=author or (model_id.split("/", 1)[0] if "/" in model_id else None),
        vendor=vendor, vendor_country=country, license=license_facts, gated=gated, sha=sha,
        formats=tuple(sorted(set(formats))), base_models=tuple(dict.fromkeys(base_models)),
        base_relation=base_relation, downloads=downloads, likes=likes, created_at=created_at,
        last_modified=last_modified, library_name=library_name, pipeline_tag=pipeline_tag,
        custom_code=custom_code, card=tuple(sorted((card or {}).items())), source=source,
        redirected_from=tuple(redirected_from),
    )


#: Fields that change every day without anything changing in the model: kept in the cache, left out of
#: the lockfile so that re-locking gives an empty diff when nothing happened.
VOLATILE_FIELDS = ("downloads", "likes")


def license_document(lic: LicenseFacts | None) -> dict[str, Any] | None:
    if lic is None:
        return None
    return {"hub": lic.hub, "name": lic.name, "spdx": lic.spdx, "osi": lic.osi, "commercial": lic.commercial,
            "conditions": list(lic.conditions), "link": lic.link, "declared_name": lic.declared_name}


def facts_document(facts: ModelFacts) -> dict[str, Any]:
    """Every field of ``facts`` as JSON data: the one encoding of ModelFacts (the JSON report's
    ``models[]`` entry). The stored record and the rule subjects are views of it."""
    m = facts
    return {
        "id": m.id, "aliases": list(m.aliases), "status": m.status.value, "reason": m.reason,
        "revision": m.revision, "author": m.author,
        "vendor": m.vendor, "vendor_country": m.vendor_country,
        "root_vendor": m.root_vendor, "root_vendor_country": m.root_vendor_country,
        "lineage": list(m.lineage), "base_models": list(m.base_models), "base_relation": m.base_relation,
        "license": license_document(m.license), "gated": m.gated, "sha": m.sha, "formats": list(m.formats),
        "custom_code": m.custom_code, "downloads": m.downloads, "likes": m.likes,
        "created_at": m.created_at, "last_modified": m.last_modified, "library_name": m.library_name,
        "pipeline_tag": m.pipeline_tag, "card": dict(m.card), "redirected_from": list(m.redirected_from),
        "drift": [{"field": d.field, "locked": d.locked, "current": d.current} for d in m.drift],
        "source": m.source,
    }


def facts_from_document(m: Mapping[str, Any]) -> ModelFacts:
    """ModelFacts back from :func:`facts_document`'s encoding, conclusions included (no tables consulted)."""
    lic = m.get("license")
    return ModelFacts(
        id=m["id"], status=ModelStatus(m["status"]), reason=m.get("reason"), aliases=tuple(m.get("aliases", ())),
        redirected_from=tuple(m.get("redirected_from", ())), revision=m.get("revision"), author=m.get("author"),
        vendor=m.get("vendor"), vendor_country=m.get("vendor_country"), root_vendor=m.get("root_vendor"),
        root_vendor_country=m.get("root_vendor_country"), lineage=tuple(m.get("lineage", ())),
        base_models=tuple(m.get("base_models", ())), base_relation=m.get("base_relation"),
        license=None if lic is None else LicenseFacts(
            hub=lic.get("hub"), name=lic.get("name"), spdx=lic.get("spdx"), osi=lic.get("osi"),
            commercial=lic.get("commercial"), conditions=tuple(lic.get("conditions", ())), link=lic.get("link"),
            declared_name=lic.get("declared_name")),
        gated=m.get("gated", False), sha=m.get("sha"), formats=tuple(m.get("formats", ())),
        downloads=m.get("downloads"), likes=m.get("likes"), created_at=m.get("created_at"),
        last_modified=m.get("last_modified"), library_name=m.get("library_name"),
        pipeline_tag=m.get("pipeline_tag"), custom_code=bool(m.get("custom_code", False)),
        card=tuple(sorted((m.get("card") or {}).items())), source=m.get("source"),
        drift=tuple(Drift(d["field"], d.get("locked"), d.get("current")) for d in m.get("drift", ())),
    )


#: What a stored record keeps of :func:`facts_document`: only what the Hub said, never what model-risk
#: concluded (vendor, lineage, the license's SPDX id and OSI and commercial flags) or the scan's view.
RECORD_FIELDS = ("id", "status", "reason", "revision", "author", "sha", "gated", "license", "base_models",
                 "base_relation", "formats", "custom_code", "downloads", "likes", "created_at", "last_modified",
                 "library_name", "pipeline_tag", "card", "redirected_from")


def to_record(facts: ModelFacts, *, volatile: bool = True) -> dict[str, Any]:
    document = facts_document(facts)
    record = {name: document[name] for name in RECORD_FIELDS if volatile or name not in VOLATILE_FIELDS}
    lic = facts.license
    record["license"] = None if lic is None else {"id": lic.hub, "name": lic.declared_name, "link": lic.link}
    return record


class RecordError(ValueError):
    """A stored record that cannot be read back (a hand-edited lockfile, a corrupt cache entry)."""


def _fields(data: Mapping[str, Any]) -> dict[str, Any]:
    """The keyword arguments of :func:`build_facts` a stored record holds, checked and normalised."""
    try:
        lic = data.get("license") or {}
        status = ModelStatus(data["status"])
        gated = data.get("gated", False)
        if gated not in (False, True, "auto", "manual"):
            raise RecordError(f"bad gated value {gated!r}")
        license_id = lic.get("id")
        for name, value in (("license id", license_id), ("license name", lic.get("name")),
                            ("license link", lic.get("link"))):
            if value is not None and not isinstance(value, (str, list)):
                raise RecordError(f"bad {name} {value!r}")
        card = data.get("card") or {}
        if not isinstance(card, Mapping):
            raise RecordError("bad card: not an object")
        return dict(
            model_id=str(data["id"]), status=status, reason=data.get("reason"), revision=data.get("revision"),
            author=data.get("author"), license_id=license_id, license_name=lic.get("name"),
            license_link=lic.get("link"), gated=gated, sha=data.get("sha"),
            formats=[str(f) for f in data.get("formats") or ()],
            base_models=[str(b) for b in data.get("base_models") or ()],
            base_relation=data.get("base_relation"), downloads=data.get("downloads"),
            likes=data.get("likes"), created_at=data.get("created_at"),
            last_modified=data.get("last_modified"), library_name=data.get("library_name"),
            pipeline_tag=data.get("pipeline_tag"), custom_code=bool(data.get("custom_code", False)),
            card=card, redirected_from=[str(r) for r in data.get("redirected_from") or ()],
        )
    except RecordError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise RecordError(f"malformed record: {exc.__class__.__name__}: {exc}") from None


def check_record(data: Mapping[str, Any]) -> None:
    """Raise RecordError if ``data`` cannot be read back; cheap (no license or vendor classification)."""
    _fields(data)


def from_record(data: Mapping[str, Any], vendors: VendorTable, source: str) -> ModelFacts:
    return build_facts(vendors=vendors, source=source, **_fields(data))
