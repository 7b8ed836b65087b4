"""The stored form of model facts, shared by the cache and the lockfile.

A record keeps only what the Hub said (license id and card name, author, gating, sha, files, base
models ...). What model-risk concludes from it (SPDX id, OSI approval, commercial use, vendor, country)
is derived again on load from the current tables, so an updated table corrects old locks and caches.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from model_risk.contract.domain import Alternative, ModelFacts, ModelStatus
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


def to_record(facts: ModelFacts, *, volatile: bool = True) -> dict[str, Any]:
    lic = facts.license
    record = {
        "id": facts.id,
        "status": facts.status.value,
        "reason": facts.reason,
        "revision": facts.revision,
        "author": facts.author,
        "sha": facts.sha,
        "gated": facts.gated,
        "license": None if lic is None else {"id": lic.hub, "name": lic.declared_name, "link": lic.link},
        "base_models": list(facts.base_models),
        "base_relation": facts.base_relation,
        "formats": list(facts.formats),
        "custom_code": facts.custom_code,
        "downloads": facts.downloads,
        "likes": facts.likes,
        "created_at": facts.created_at,
        "last_modified": facts.last_modified,
        "library_name": facts.library_name,
        "pipeline_tag": facts.pipeline_tag,
        "card": dict(facts.card),
        "redirected_from": list(facts.redirected_from),
    }
    if not volatile:
        for name in VOLATILE_FIELDS:
            del record[name]
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


def alternative_record(a: Alternative) -> dict[str, Any]:
    """A suggested replacement as the JSON report and the lockfile store it."""
    return {"id": a.id, "root_vendor": a.root_vendor, "license": a.license, "parameters": a.parameters,
            "downloads": a.downloads, "pipeline_tag": a.pipeline_tag, "library_name": a.library_name,
            "why": a.why}


def alternative_from_record(data: Mapping[str, Any]) -> Alternative:
    try:
        return Alternative(id=str(data["id"]), root_vendor=data.get("root_vendor"), license=data.get("license"),
                           parameters=data.get("parameters"), downloads=data.get("downloads"),
                           pipeline_tag=data.get("pipeline_tag"), library_name=data.get("library_name"),
                           why=str(data.get("why") or ""))
    except (KeyError, TypeError, AttributeError) as exc:
        raise RecordError(f"malformed alternative: {exc.__class__.__name__}: {exc}") from None
