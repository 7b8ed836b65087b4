"""Who is behind a Hub organisation: the vendor table (``data/vendors.yaml``) plus the user's additions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

from model_risk.knowledge import catalog


@dataclass(frozen=True)
class Vendor:
    name: str
    country: str | None
    organizations: tuple[str, ...] = ()
    source: str | None = None


class VendorTable:
    def __init__(self, vendors: Iterable[Vendor], redistributors: Iterable[str] = ()) -> None:
        self.vendors = {v.name: v for v in vendors}
        self._by_org = {org.lower(): v for v in self.vendors.values() for org in v.organizations}
        self._redistributors = frozenset(r.lower() for r in redistributors)

    def for_organization(self, organization: str) -> Vendor | None:
        return self._by_org.get(organization.lower())

    def vendor_of(self, model_id: str) -> tuple[str | None, str | None]:
        """(vendor, country) of a repo id; an organisation not in the table is its own vendor."""
        if "/" not in model_id:
            return None, None
        organization = model_id.split("/", 1)[0]
        vendor = self.for_organization(organization)
        if vendor is None:
            return organization, None
        return vendor.name, vendor.country

    def country_of(self, vendor_name: str | None) -> str | None:
        vendor = self.vendors.get(vendor_name or "")
        return vendor.country if vendor else None

    @property
    def redistributors(self) -> frozenset[str]:
        """Lower-cased organisations that re-upload other vendors' models (quantisations, conversions)."""
        return self._redistributors

    def is_redistributor(self, model_id: str) -> bool:
        return "/" in model_id and model_id.split("/", 1)[0].lower() in self._redistributors

    def extended(self, additions: Mapping[str, Mapping[str, object]], origin: str = "user configuration"
                 ) -> VendorTable:
        """A table with the user's vendors added; an organisation the user lists moves to their vendor."""
        if not additions:
            return self
        moved = {str(org).lower() for spec in additions.values()
                 for org in _names(spec.get("organizations"))}
        vendors: dict[str, Vendor] = {}
        for vendor in self.vendors.values():
            orgs = tuple(o for o in vendor.organizations if o.lower() not in moved)
            vendors[vendor.name] = Vendor(vendor.name, vendor.country, orgs, vendor.source)
        for name, spec in additions.items():
            base = vendors.get(name)
            orgs = tuple(str(o) for o in _names(spec.get("organizations")))
            country = spec.get("country") or (base.country if base else None)
            source = spec.get("source")
            vendors[name] = Vendor(name, str(country) if country else None,
                                   (base.organizations if base else ()) + orgs,
                                   f"{source} ({origin})" if source else origin)
        return VendorTable(vendors.values(), self._redistributors)


def builtin_vendors() -> VendorTable:
    """The vendor table model-risk ships, with the knowledge overlays of this run applied."""
    return _builtin_vendors(catalog.key())


@cache
def _builtin_vendors(_overlays: tuple[str, ...]) -> VendorTable:
    data = catalog.bundled("vendors")
    vendors = [
        Vendor(name, spec.get("country"), tuple(spec.get("organizations") or ()), spec.get("source"))
        for name, spec in data["vendors"].items()
    ]
    table = VendorTable(vendors, data.get("redistributors") or ())
    for overlay, section in catalog.sections("vendors"):
        table = table.extended(section, origin=overlay.path)
    redistributors = [str(r) for _o, section in catalog.sections("redistributors") for r in section]
    return VendorTable(table.vendors.values(), [*table.redistributors, *redistributors])


def _names(value: object) -> list[object]:
    """A config list of organisations (the config schema has checked it is a list, if present)."""
    return list(value) if isinstance(value, (list, tuple)) else []
