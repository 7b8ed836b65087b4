"""Drift: what changed upstream since a model was locked in model-risk.lock."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from model_risk.contract.domain import Drift, ModelFacts, ModelStatus, Note
from model_risk.contract.resolver import ModelRequest, ResolveContext
from model_risk.resolve.runner import Resolve, resolve_concurrently


def _license_text(facts: ModelFacts) -> str | None:
    lic = facts.license
    if lic is None:
        return None
    return f"{lic.hub} ({lic.declared_name})" if lic.declared_name and lic.hub == "other" else lic.hub


DRIFT_FIELDS: dict[str, Callable[[ModelFacts], str | None]] = {
    "status": lambda f: f.status.value,
    # A repo renamed (or moved to another organisation) after it was locked: the old name is free to
    # be taken by someone else.
    "id": lambda f: f.id,
    "license": _license_text,
    "gated": lambda f: str(f.gated).lower() if f.gated is not False else "false",
    "sha": lambda f: f.sha,
}


#: Drift that does not change what the rules judge: a new commit on the same terms is routine upstream
#: work, and the reviewed (locked) facts stay the ones reported.
ROUTINE_DRIFT = frozenset({"sha"})


@dataclass(frozen=True)
class DriftCheck:
    drift: dict[ModelRequest, tuple[Drift, ...]]
    notes: tuple[Note, ...] = ()
    #: Today's facts of the models whose license, gating, availability or name changed: the rules judge
    #: these (a license that became non-commercial is non-commercial now), not the locked ones.
    current: dict[ModelRequest, ModelFacts] = field(default_factory=dict)


def compare_with_lockfile(locked: Sequence[ModelRequest], known: Mapping[ModelRequest, ModelFacts],
                          resolve_fresh: Resolve, context: ResolveContext) -> DriftCheck:
    """Look the locked models up again without the lockfile (cache, then Hub) and list what changed."""
    fresh = resolve_concurrently(locked, resolve_fresh, context, deadline=time.monotonic() + context.hub.deadline)
    drift = {request: drift_between(known[request], fresh[request]) for request in locked}
    current = {request: fresh[request] for request, changes in drift.items()
               if any(change.field not in ROUTINE_DRIFT for change in changes)}
    unchecked = [request for request in locked if fresh[request].status is ModelStatus.UNRESOLVED]
    notes: tuple[Note, ...] = ()
    if unchecked:
        # Silence here would read as "nothing changed upstream".
        names = ", ".join(str(r) for r in unchecked[:3]) + (f" and {len(unchecked) - 3} more" if len(unchecked) > 3 else "")
        notes = (Note(f"could not compare {len(unchecked)} locked model{'s' if len(unchecked) > 1 else ''} with "
                      f"the Hub ({fresh[unchecked[0]].reason}): {names}; their drift is unknown"),)
    return DriftCheck(drift, notes, current)


def drift_between(locked: ModelFacts, current: ModelFacts) -> tuple[Drift, ...]:
    if current.status is ModelStatus.UNRESOLVED:
        return ()  # the Hub did not answer: nothing is known to have changed
    if current.status is not locked.status:
        # A repo that vanished (or came back) has no license or sha to compare: the status says it all.
        return (Drift("status", locked.status.value, current.status.value),)
    changes = []
    for name, value in DRIFT_FIELDS.items():
        before, after = value(locked), value(current)
        if name == "sha" and (locked.revision or before is None or after is None):
            continue  # a pinned revision cannot move; a missing sha says nothing
        if before != after:
            changes.append(Drift(name, before, after))
    return tuple(changes)
