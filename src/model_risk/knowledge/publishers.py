"""Organisations that publish models (``knowledge/data/model_publishers.yaml``), and the short names
sentence-transformers completes inside its organisation.

Detection uses them to judge strings that no loading call stands next to: ``Qwen/Qwen3-8B`` in a README
sentence is a likely model reference because Qwen publishes models; ``someone/thing-7b`` is only possible.
"""

from __future__ import annotations

from functools import cache

from model_risk.knowledge import catalog
from model_risk.knowledge.vendors import builtin_vendors


def _table() -> dict:
    return catalog.bundled("publishers")


def publishers() -> frozenset[str]:
    """Lower-cased organisation names (the knowledge overlays of this run applied)."""
    return _publishers(catalog.key())


@cache
def _publishers(_overlays: tuple[str, ...]) -> frozenset[str]:
    data = _table()
    orgs = {entry["org"].lower() for entry in data.get("organizations") or ()}
    if data.get("include_vendor_organizations"):
        table = builtin_vendors()
        orgs |= {org.lower() for vendor in table.vendors.values() for org in vendor.organizations}
        orgs |= set(table.redistributors)
    orgs -= {org.lower() for org in data.get("exclude") or ()}
    # An overlay's publishers are added after the exclusions: the team names them on purpose.
    return frozenset(orgs | {str(e["org"]).lower() for _o, section in catalog.sections("publishers") for e in section})


def is_publisher(organization: str) -> bool:
    return organization.lower() in publishers()


@cache
def sentence_transformers_names() -> frozenset[str]:
    return frozenset(name.lower() for name in _table().get("sentence_transformers_names") or ())


def is_short_name(name: str) -> bool:
    """A sentence-transformers short name (``all-MiniLM-L6-v2``), case as the Hub ignores it."""
    return name.lower() in sentence_transformers_names()
