"""Names of models served only through a vendor's API (``gpt-4o``, ``claude-3-5-sonnet-20241022``).

The table lives in ``data/api_models.yaml``; each vendor cites the documentation its names come from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from model_risk.knowledge import catalog


@dataclass(frozen=True)
class ApiModelTable:
    #: Per vendor: the literal starts of its names (lower case) and the union of its patterns, matched
    #: against a whole name. Patterns are kept as source and compiled on first use, only for a vendor
    #: whose starts match: compiling every vendor's pattern costs as much as a one-file scan.
    vendor_patterns: tuple[tuple[str, tuple[str, ...], str], ...]
    #: Vendor -> the publisher prefixes written in front of its names (``openai/gpt-4o``), lower case.
    prefixes: dict[str, frozenset[str]]
    #: Literal prefixes of every API name, lower case (a cheap test before any pattern runs).
    hints: tuple[str, ...]
    #: Routing prefixes (``openrouter/``, ``hosted_vllm/``) that are never the model's publisher.
    routers: frozenset[str]

    def vendor_of(self, name: str, prefix: str | None = None) -> str | None:
        """The vendor of an API model name; with ``prefix`` (``openai`` in ``openai/gpt-4o``), only if
        the prefix is that vendor's or a router's."""
        if prefix is not None:
            vendor = self.vendor_of(name)
            lowered_prefix = prefix.lower()
            if vendor is None or not (lowered_prefix in self.routers or lowered_prefix in self.prefixes[vendor]):
                return None
            return vendor
        lowered = name.lower()
        if not lowered.startswith(self.hints):
            return None
        for vendor, starts, source in self.vendor_patterns:
            if lowered.startswith(starts) and _compiled(source).fullmatch(name):
                return vendor
        return None


@cache
def _compiled(source: str) -> re.Pattern[str]:
    return re.compile(source, re.IGNORECASE)


def table() -> ApiModelTable:
    """The API model names model-risk ships, with the knowledge overlays of this run applied."""
    return _table(catalog.key())


@cache
def _table(_overlays: tuple[str, ...]) -> ApiModelTable:
    data = catalog.bundled("api_models")
    specs = dict(data["vendors"])
    for _overlay, section in catalog.sections("api_models"):
        # An overlay lists exact names (never patterns: it may come from the scanned repository); its
        # vendor's names are added to the bundled ones of that vendor.
        for vendor, spec in section.items():
            names = [str(n) for n in spec["names"]]
            base = specs.get(vendor, {})
            specs[vendor] = {
                "hints": [*base.get("hints", ()), *(n.lower() for n in names)],
                "patterns": [*base.get("patterns", ()), *(re.escape(n) for n in names)],
                "prefixes": [*base.get("prefixes", ()), *spec.get("prefixes", ())],
            }
    vendors = []
    hints: list[str] = []
    prefixes = {}
    for vendor, spec in specs.items():
        starts = tuple(h.lower() for h in spec["hints"])
        # A pattern is a string, or {pattern, source} for one that names its own page.
        patterns = [p if isinstance(p, str) else p["pattern"] for p in spec["patterns"]]
        vendors.append((vendor, starts, "|".join(f"(?:{p})" for p in patterns)))
        hints += starts
        prefixes[vendor] = frozenset(p.lower() for p in spec.get("prefixes", ()))
    return ApiModelTable(tuple(vendors), prefixes, tuple(dict.fromkeys(hints)),
                         frozenset(r.lower() for r in data["routers"]))


def vendor_of(name: str, prefix: str | None = None) -> str | None:
    """The vendor serving an API model name, or None when the name is not in the table."""
    return table().vendor_of(name, prefix)
