"""Named conditions: the logic a rule pack can call as ``check: NAME`` when comparisons do not suffice."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Subject = Mapping[str, Any]

ALL_SCOPES = ("model", "reference", "vendor", "project")


@dataclass(frozen=True)
class Condition:
    """A named check for ``check: NAME``: ``test(subject, args)`` returns whether it holds."""

    name: str
    test: Callable[[Subject, Mapping[str, Any]], bool]
    scopes: tuple[str, ...] = ALL_SCOPES
    description: str = ""
