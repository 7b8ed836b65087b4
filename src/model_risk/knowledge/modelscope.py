"""ModelScope ids and the Hub repositories they mirror (``data/modelscope.yaml``)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from model_risk.knowledge import catalog, hub_ids
from model_risk.knowledge.derivation import family_org
from model_risk.knowledge.vendors import VendorTable


@dataclass(frozen=True)
class Mirrored:
    """What a ModelScope id is on the Hub, as far as model-risk can tell."""

    #: The Hub repo of the same weights (the Hub must confirm it), when there is one to guess.
    hub: str | None
    #: The vendor, when the organisation says it without the Hub.
    vendor: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class _Table:
    #: Lower-cased ModelScope organisation -> (Hub organisation, source).
    mirrors: dict[str, tuple[str, str]]
    #: Lower-cased organisations of copies of other publishers' models.
    copies: frozenset[str]
    #: Lower-cased organisation -> (vendor, source).
    vendors: dict[str, tuple[str, str]]


@cache
def _table(_overlays: tuple[str, ...]) -> _Table:
    sections = [catalog.bundled("modelscope"), *(section for _o, section in catalog.sections("modelscope"))]
    mirrors: dict[str, tuple[str, str]] = {}
    copies: set[str] = set()
    vendors: dict[str, tuple[str, str]] = {}
    for data in sections:
        mirrors.update({str(k).lower(): (str(v["hub"]), str(v["source"])) for k, v in (data.get("mirrors") or {}).items()})
        copies |= {str(k).lower() for k in (data.get("copies") or {})}
        vendors.update({str(k).lower(): (str(v["vendor"]), str(v["source"]))
                        for k, v in (data.get("vendors") or {}).items()})
    return _Table(mirrors, frozenset(copies), vendors)


def mirrored(model_id: str, vendors: VendorTable) -> Mirrored | None:
    """The Hub repository a ModelScope id mirrors (``Qwen/Qwen2.5-7B-Instruct`` is the Hub's), or the vendor
    of an organisation that publishes on ModelScope only; None for an id model-risk cannot place."""
    if not hub_ids.is_repo_id(model_id):
        return None
    organization, name = model_id.split("/", 1)
    table = _table(catalog.key())
    lowered = organization.lower()
    if lowered in table.mirrors:
        hub_org, source = table.mirrors[lowered]
        return Mirrored(f"{hub_org}/{name}", source=source)
    if lowered in table.copies:
        org = family_org(name)
        return Mirrored(f"{org}/{name}") if org is not None else None
    vendor = vendors.for_organization(organization)
    if vendor is not None:
        # The same publisher on both hubs: the Hub spells the organisation its own way (qwen -> Qwen).
        spelled = next((o for o in vendor.organizations if o.lower() == lowered), organization)
        return Mirrored(f"{spelled}/{name}", vendor.name, vendor.source)
    if lowered in table.vendors:
        vendor_name, source = table.vendors[lowered]
        return Mirrored(None, vendor_name, source)
    return None


def is_modelscope_organization(organization: str) -> bool:
    """An organisation of ModelScope's own (a mirror, copies, or a ModelScope-only publisher such as
    ``damo`` or ``iic``): an id under it in code that uses ModelScope is a ModelScope id."""
    table = _table(catalog.key())
    lowered = organization.lower()
    return lowered in table.mirrors or lowered in table.copies or lowered in table.vendors
