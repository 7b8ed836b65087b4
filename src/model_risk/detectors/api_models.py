"""Names of models served only through a vendor's API (``gpt-4o``, ``claude-3-5-sonnet-20241022``).

The table lives in ``data/api_models.yaml``; each vendor cites the documentation its names come from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from model_risk import safe_yaml


@dataclass(frozen=True)
class ApiModelTable:
    #: One pattern per vendor, each the union of the vendor's patterns, matched against a whole name.
    vendors: tuple[tuple[str, re.Pattern[str]], ...]
    #: Literal prefixes of every API name, lower case (a cheap test before any pattern runs).
    hints: tuple[str, ...]
    #: Routing prefixes (``openrouter/``, ``hosted_vllm/``) that are never the model's publisher.
    routers: frozenset[str]

    def vendor_of(self, name: str) -> str | None:
        lowered = name.lower()
        if not lowered.startswith(self.hints):
            return None
        for vendor, pattern in self.vendors:
            if pattern.fullmatch(name):
                return vendor
        return None


@cache
def table() -> ApiModelTable:
    text = resources.files("model_risk").joinpath("data", "api_models.yaml").read_text(encoding="utf-8")
    data = safe_yaml.load(text).data
    assert isinstance(data, dict)
    vendors = []
    hints: list[str] = []
    for vendor, spec in data["vendors"].items():
        union = "|".join(f"(?:{p})" for p in spec["patterns"])
        vendors.append((vendor, re.compile(union, re.IGNORECASE)))
        hints += [h.lower() for h in spec["hints"]]
    return ApiModelTable(tuple(vendors), tuple(dict.fromkeys(hints)),
                         frozenset(r.lower() for r in data["routers"]))


def vendor_of(name: str) -> str | None:
    """The vendor serving an API model name, or None when the name is not in the table."""
    return table().vendor_of(name)
