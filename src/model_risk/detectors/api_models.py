"""Names of models served only through a vendor's API (``gpt-4o``, ``claude-3-5-sonnet-20241022``).

The table lives in ``data/api_models.yaml``; each vendor cites the documentation its names come from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, cached_property

from model_risk.validation import load_package_data


@dataclass(frozen=True)
class ApiModelTable:
    #: One pattern per vendor, each the union of the vendor's patterns, matched against a whole name.
    #: Kept as source and compiled on first use: most scans never meet an API model name, and compiling
    #: every vendor's pattern costs as much as the rest of a one-file scan.
    vendor_patterns: tuple[tuple[str, str], ...]
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
        for vendor, pattern in self._compiled:
            if pattern.fullmatch(name):
                return vendor
        return None

    @cached_property
    def _compiled(self) -> tuple[tuple[str, re.Pattern[str]], ...]:
        return tuple((vendor, re.compile(source, re.IGNORECASE)) for vendor, source in self.vendor_patterns)


@cache
def table() -> ApiModelTable:
    data = load_package_data("data/api_models.yaml")
    assert isinstance(data, dict)
    vendors = []
    hints: list[str] = []
    prefixes = {}
    for vendor, spec in data["vendors"].items():
        vendors.append((vendor, "|".join(f"(?:{p})" for p in spec["patterns"])))
        hints += [h.lower() for h in spec["hints"]]
        prefixes[vendor] = frozenset(p.lower() for p in spec.get("prefixes", ()))
    return ApiModelTable(tuple(vendors), prefixes, tuple(dict.fromkeys(hints)),
                         frozenset(r.lower() for r in data["routers"]))


def vendor_of(name: str, prefix: str | None = None) -> str | None:
    """The vendor serving an API model name, or None when the name is not in the table."""
    return table().vendor_of(name, prefix)
