"""The one codec of model facts: ModelFacts as JSON data and back, and the stored form the cache and
the lockfile keep.

A record keeps only what the Hub said (license id and card name, author, gating, sha, files, base
models ...). What model-risk concludes from it (SPDX id, OSI approval, commercial use, vendor, country)
is derived again on load from the current tables, so an updated table corrects old locks and caches.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from model_risk.contract.domain import (
    DOORS,
    EFFORT_LEVELS,
    Alternative,
    Change,
    Drift,
    EffectiveLicense,
    LicenseFacts,
    LineageLicense,
    LineageLink,
    ModelFacts,
    ModelProfile,
    ModelStatus,
)
from model_risk.contract.resolver import VendorDirectory
from model_risk.knowledge import licenses

#: Longest text kept from the Hub (ids, license names, card fields): real ones are far shorter, and a
#: 100 MB "license name" must not become the cache, the lockfile and every report. Lists keep
#: MAX_ITEMS entries. Applied here, so answers from the Hub, the cache and the lockfile are all bounded.
MAX_TEXT = 500
MAX_ITEMS = 200


def clip_text(value: str | None, limit: int = MAX_TEXT) -> str | None:
    return value if value is None or len(value) <= limit else value[: limit - 1] + "…"


def _clip_id(value: str) -> str:
    return value if len(value) <= MAX_TEXT else value[: MAX_TEXT - 1] + "…"


def _clip_texts(values: Iterable[str]) -> list[str]:
    return [_clip_id(v) for v in list(values)[:MAX_ITEMS]]


def _clip_value(value: object) -> object:
    if isinstance(value, str):
        return clip_text(value)
    if isinstance(value, (list, tuple)):
        return [_clip_value(v) for v in list(value)[:MAX_ITEMS]]
    return value


def build_facts(*, model_id: str, status: ModelStatus, vendors: VendorDirectory, source: str,
                reason: str | None = None, revision: str | None = None, author: str | None = None,
                license_id: str | list[str] | None = None, license_name: str | None = None,
                license_link: str | None = None, gated: bool | str = False, sha: str | None = None,
                formats: Iterable[str] = (), base_models: Iterable[str] = (),
                base_relation: str | None = None, downloads: int | None = None, likes: int | None = None,
                created_at: str | None = None, last_modified: str | None = None,
                library_name: str | None = None, pipeline_tag: str | None = None,
                custom_code: bool = False, card: Mapping[str, object] | None = None,
                redirected_from: Iterable[str] = ()) -> ModelFacts:
    """ModelFacts from what the Hub says, with license and vendor classified by the tables. Every text is
    clipped to MAX_TEXT characters and every list to MAX_ITEMS entries."""
    model_id = _clip_id(model_id)
    reason, revision, author, license_name, license_link, sha, base_relation, created_at, last_modified, \
        library_name, pipeline_tag = (clip_text(v) for v in (
            reason, revision, author, license_name, license_link, sha, base_relation, created_at,
            last_modified, library_name, pipeline_tag))
    license_id = _clip_texts(license_id) if isinstance(license_id, list) else clip_text(license_id)
    formats, base_models, redirected_from = (_clip_texts(v) for v in (formats, base_models, redirected_from))
    card = {_clip_id(str(k))[:100]: _clip_value(v) for k, v in list((card or {}).items())[:MAX_ITEMS]}
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
            "commercial_use": lic.commercial_use, "conditions": list(lic.conditions),
            "condition_kinds": list(lic.condition_kinds), "link": lic.link, "declared_name": lic.declared_name}


def _license_from_document(lic: Mapping[str, Any] | None) -> LicenseFacts | None:
    if lic is None:
        return None
    return LicenseFacts(hub=lic.get("hub"), name=lic.get("name"), spdx=lic.get("spdx"), osi=lic.get("osi"),
                        commercial=lic.get("commercial"), conditions=tuple(lic.get("conditions", ())),
                        link=lic.get("link"), declared_name=lic.get("declared_name"))


def effective_license_document(effective: EffectiveLicense | None) -> dict[str, Any] | None:
    """The effective license: the governing license's fields, whose model states it and the path to it,
    whether the card claims more than an ancestor allows, and every license met along the lineage."""
    if effective is None:
        return None
    return {
        **(license_document(effective.license) or {}),
        "model": effective.source, "path": list(effective.path), "inherited": effective.inherited,
        "inherited_from": effective.inherited_from,
        "licenses": [{"model": e.model, "depth": e.depth, "license": license_document(e.license)}
                     for e in effective.licenses],
        "unknown": list(effective.unknown),
    }


def _effective_from_document(data: Mapping[str, Any] | None) -> EffectiveLicense | None:
    if data is None:
        return None
    governing = _license_from_document(data)
    assert governing is not None
    return EffectiveLicense(
        license=governing, source=data["model"], path=tuple(data.get("path", ())),
        inherited_from=data.get("inherited_from"),
        licenses=tuple(LineageLicense(e["model"], lic, int(e.get("depth", 0)))
                       for e in data.get("licenses", ()) if (lic := _license_from_document(e.get("license")))),
        unknown=tuple(data.get("unknown", ())))


def facts_document(facts: ModelFacts) -> dict[str, Any]:
    """Every field of ``facts`` as JSON data: the one encoding of ModelFacts (the JSON report's
    ``models[]`` entry). The stored record and the rule subjects are views of it."""
    m = facts
    return {
        "id": m.id, "aliases": list(m.aliases), "status": m.status.value, "kind": m.kind, "provider": m.provider,
        "reason": m.reason,
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
        "alternatives": [alternative_record(a) for a in m.alternatives],
        "alternatives_note": m.alternatives_note,
        "lineage_links": [{"child": link.child, "parent": link.parent, "relation": link.relation,
                           "origin": link.origin, "parent_vendor": link.parent_vendor}
                          for link in m.lineage_links],
        "root_vendors": list(m.root_vendors),
        "effective_license": effective_license_document(m.effective_license),
    }


def facts_from_document(m: Mapping[str, Any]) -> ModelFacts:
    """ModelFacts back from :func:`facts_document`'s encoding, conclusions included (no tables consulted)."""
    return ModelFacts(
        id=m["id"], status=ModelStatus(m["status"]), reason=m.get("reason"), aliases=tuple(m.get("aliases", ())),
        redirected_from=tuple(m.get("redirected_from", ())), revision=m.get("revision"), author=m.get("author"),
        vendor=m.get("vendor"), vendor_country=m.get("vendor_country"), root_vendor=m.get("root_vendor"),
        root_vendor_country=m.get("root_vendor_country"), lineage=tuple(m.get("lineage", ())),
        base_models=tuple(m.get("base_models", ())), base_relation=m.get("base_relation"),
        license=_license_from_document(m.get("license")),
        gated=m.get("gated", False), sha=m.get("sha"), formats=tuple(m.get("formats", ())),
        downloads=m.get("downloads"), likes=m.get("likes"), created_at=m.get("created_at"),
        last_modified=m.get("last_modified"), library_name=m.get("library_name"),
        pipeline_tag=m.get("pipeline_tag"), custom_code=bool(m.get("custom_code", False)),
        card=tuple(sorted((m.get("card") or {}).items())), source=m.get("source"),
        drift=tuple(Drift(d["field"], d.get("locked"), d.get("current")) for d in m.get("drift", ())),
        alternatives=tuple(alternative_from_record(a) for a in m.get("alternatives", ())),
        alternatives_note=m.get("alternatives_note"),
        lineage_links=tuple(LineageLink(str(link["child"]), str(link["parent"]), link.get("relation"),
                                        link.get("origin", "card"), link.get("parent_vendor"))
                            for link in m.get("lineage_links", ())),
        root_vendors=tuple(m.get("root_vendors", ())),
        effective_license=_effective_from_document(m.get("effective_license")),
        door=m.get("kind") if m.get("kind") in DOORS else None, provider=m.get("provider"),
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


_TEXT_FIELDS = ("id", "reason", "revision", "author", "sha", "base_relation", "created_at", "last_modified",
                "library_name", "pipeline_tag")
_LIST_FIELDS = ("formats", "base_models", "redirected_from")


def _check_types(data: Mapping[str, Any]) -> None:
    """The record's schema: a cache entry or lockfile entry of any other shape is refused here, before
    anything is built from it (a shared cache is not trusted to be well-formed)."""
    from model_risk.contract.errors import excerpt

    def bad(name: str, value: object) -> RecordError:
        return RecordError(f"bad {name} {excerpt(value)}")

    if not isinstance(data, Mapping):
        raise RecordError("not an object")
    for name in _TEXT_FIELDS:
        if data.get(name) is not None and not isinstance(data[name], str):
            raise bad(name, data[name])
    for name in ("downloads", "likes"):
        value = data.get(name)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise bad(name, value)
    for name in _LIST_FIELDS:
        value = data.get(name)
        if value is not None and (not isinstance(value, list) or not all(isinstance(v, str) for v in value)):
            raise bad(name, value)
    if not isinstance(data.get("custom_code", False), bool):
        raise bad("custom_code", data["custom_code"])
    lic = data.get("license")
    if lic is not None and not isinstance(lic, Mapping):
        raise bad("license", lic)
    for key in ("id", "name", "link"):
        value = (lic or {}).get(key)
        if value is not None and not isinstance(value, str) and not (
                key == "id" and isinstance(value, list) and all(isinstance(v, str) for v in value)):
            raise bad(f"license {key}", value)
    card = data.get("card")
    if card is not None and not isinstance(card, Mapping):
        raise RecordError("bad card: not an object")
    for key, value in (card or {}).items():
        if not isinstance(value, (str, int, float, bool, list)) or (
                isinstance(value, list) and not all(isinstance(v, (str, int, float)) for v in value)):
            raise bad(f"card field {excerpt(key)}", value)


def _fields(data: Mapping[str, Any]) -> dict[str, Any]:
    """The keyword arguments of :func:`build_facts` a stored record holds, checked and normalised."""
    from model_risk.contract.errors import excerpt

    _check_types(data)
    try:
        lic = data.get("license") or {}
        status = ModelStatus(data["status"])
        gated = data.get("gated", False)
        if gated not in (False, True, "auto", "manual"):
            raise RecordError(f"bad gated value {excerpt(gated)}")
        license_id = lic.get("id")
        card = data.get("card") or {}
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


def from_record(data: Mapping[str, Any], vendors: VendorDirectory, source: str) -> ModelFacts:
    return build_facts(vendors=vendors, source=source, **_fields(data))


def profile_record(p: ModelProfile | None) -> dict[str, Any] | None:
    """A model's migration facts as the JSON report, the lockfile and the plan store them."""
    if p is None:
        return None
    return {"task": p.task, "modality": p.modality, "purposes": list(p.purposes), "architecture": p.architecture,
            "model_type": p.model_type, "parameters": p.parameters, "active_parameters": p.active_parameters,
            "active_basis": p.active_basis, "experts": p.experts, "experts_per_token": p.experts_per_token,
            "context_length": p.context_length, "languages": list(p.languages), "chat_template": p.chat_template,
            "embedding_dimension": p.embedding_dimension, "library": p.library, "custom_code": p.custom_code,
            "license": p.license, "commercial_use": p.commercial_use, "license_conditions": list(p.license_conditions),
            "vendor": p.vendor, "country": p.country, "root_vendors": list(p.root_vendors), "publisher": p.publisher,
            "engines": list(p.engines), "variants": [{"format": f, "id": i} for f, i in p.variants],
            "sources": list(p.sources)}


def _optional(data: Mapping[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise RecordError(f"bad {key} {value!r}")
    return clip_text(value) if isinstance(value, str) else value


def _texts_of(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RecordError(f"bad {key}")
    return tuple(_clip_texts(value))


def profile_from_record(data: Mapping[str, Any] | None) -> ModelProfile | None:
    if data is None:
        return None
    if not isinstance(data, Mapping):
        raise RecordError("bad profile: not an object")
    variants = data.get("variants") or []
    if not isinstance(variants, list) or not all(
            isinstance(v, Mapping) and isinstance(v.get("format"), str) and isinstance(v.get("id"), str)
            for v in variants):
        raise RecordError("bad profile variants")
    custom = data.get("custom_code")
    return ModelProfile(
        task=_optional(data, "task", str), modality=_optional(data, "modality", str),
        purposes=_texts_of(data, "purposes"), architecture=_optional(data, "architecture", str),
        model_type=_optional(data, "model_type", str), parameters=_optional(data, "parameters", int),
        active_parameters=_optional(data, "active_parameters", int), active_basis=_optional(data, "active_basis", str),
        experts=_optional(data, "experts", int), experts_per_token=_optional(data, "experts_per_token", int),
        context_length=_optional(data, "context_length", int), languages=_texts_of(data, "languages"),
        chat_template=_optional(data, "chat_template", str),
        embedding_dimension=_optional(data, "embedding_dimension", int), library=_optional(data, "library", str),
        custom_code=custom if isinstance(custom, bool) else None, license=_optional(data, "license", str),
        commercial_use=_optional(data, "commercial_use", str),
        license_conditions=_texts_of(data, "license_conditions"), vendor=_optional(data, "vendor", str),
        country=_optional(data, "country", str), root_vendors=_texts_of(data, "root_vendors"),
        publisher=_optional(data, "publisher", str),
        engines=_texts_of(data, "engines"),
        variants=tuple((str(v["format"]), _clip_id(str(v["id"]))) for v in variants[:MAX_ITEMS]),
        sources=_texts_of(data, "sources"))


def change_record(c: Change) -> dict[str, Any]:
    return {"kind": c.kind, "text": c.text, "effort": c.effort}


def _change_from_record(data: object) -> Change:
    if not isinstance(data, Mapping) or not isinstance(data.get("kind"), str) or not isinstance(data.get("text"), str):
        raise RecordError("bad change: needs a kind and a text")
    effort = data.get("effort", "small")
    if effort not in EFFORT_LEVELS:
        raise RecordError(f"bad change effort {effort!r}")
    return Change(str(data["kind"]), clip_text(str(data["text"]), 2 * MAX_TEXT) or "", str(effort))


def alternative_record(a: Alternative, *, brief: bool = False) -> dict[str, Any]:
    """A suggested replacement as the JSON report and the lockfile store it; ``brief``: without its facts
    and reasons (a candidate that also qualifies, as the lockfile records it)."""
    record = {"id": a.id, "root_vendor": a.root_vendor, "license": a.license, "parameters": a.parameters,
              "downloads": a.downloads, "pipeline_tag": a.pipeline_tag, "library_name": a.library_name,
              "why": a.why, "origin": a.origin, "reasons": list(a.reasons),
              "changes": [change_record(c) for c in a.changes], "effort": a.effort,
              "profile": profile_record(a.profile)}
    if brief:
        record.update(why="", reasons=[], profile=None)
    return record


def alternative_from_record(data: Mapping[str, Any]) -> Alternative:
    try:
        reasons = data.get("reasons") or []
        changes = data.get("changes") or []
        if not isinstance(reasons, list) or not isinstance(changes, list):
            raise RecordError("bad reasons or changes: not lists")
        return Alternative(id=str(data["id"]), root_vendor=data.get("root_vendor"), license=data.get("license"),
                           parameters=data.get("parameters"), downloads=data.get("downloads"),
                           pipeline_tag=data.get("pipeline_tag"), library_name=data.get("library_name"),
                           why=str(data.get("why") or ""), profile=profile_from_record(data.get("profile")),
                           reasons=tuple(clip_text(str(r), 2 * MAX_TEXT) or "" for r in reasons[:MAX_ITEMS]),
                           changes=tuple(_change_from_record(c) for c in changes[:MAX_ITEMS]),
                           origin=str(data.get("origin") or "hub"))
    except (KeyError, TypeError, AttributeError) as exc:
        raise RecordError(f"malformed alternative: {exc.__class__.__name__}: {exc}") from None
