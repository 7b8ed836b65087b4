"""Named conditions the engine ships, registered through the same hook plugins use."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from model_risk.contract.condition import Condition
from model_risk.contract.hookspecs import hookimpl
from model_risk.evaluate.conditions import get_field


def _vendor_in(subject: Mapping[str, Any], args: Mapping[str, Any]) -> bool:
    """The model's vendor or one of its root vendors (every root of its lineage, both parents of a merge)
    is one of ``args.vendors`` (case-insensitive)."""
    wanted = {str(v).lower() for v in args.get("vendors") or ()}
    names = {str(subject.get(k) or "").lower() for k in ("vendor", "root_vendor")}
    names |= {str(v).lower() for v in subject.get("root_vendors") or ()}
    return bool(wanted & names)


def _older_than(subject: Mapping[str, Any], args: Mapping[str, Any]) -> bool:
    """The ISO date in ``args.field`` (default ``last_modified``) is more than ``args.days`` days ago."""
    value = get_field(subject, str(args.get("field", "last_modified")))
    days = args.get("days")
    if not isinstance(value, str) or not isinstance(days, (int, float)):
        return False
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (datetime.now(UTC) - moment).days > days


@hookimpl
def register_conditions(register) -> None:  # type: ignore[no-untyped-def]
    register(Condition("vendor-in", _vendor_in, ("model", "reference"),
                       "vendor or a root vendor (any root of the lineage) is one of args.vendors"))
    register(Condition("older-than", _older_than, ("model", "reference"),
                       "the date in args.field (default last_modified) is more than args.days days old"))
