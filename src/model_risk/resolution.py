"""Resolving every referenced model, concurrently, then following base models up to the root.

Each lookup asks the ``resolve_model`` hook (lockfile, cache, plugins, Hub: first answer wins). Lookups
run on a bounded thread pool: the referenced models first, and each base model as soon as the model
naming it is answered, up to a depth limit; a base model shared by many models is looked up once.
Models answered by the lockfile are looked up again without it (cache, then Hub) to detect drift,
unless the scan is offline.
"""

from __future__ import annotations

import dataclasses
import queue
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from model_risk.domain import Drift, ModelFacts, ModelStatus, Note
from model_risk.resolvers import ModelRequest, ResolveContext
from model_risk.validation import load_package_data
from model_risk.vendors import VendorTable

#: Generations of base models followed before giving up (real trees are 1-4 deep).
MAX_LINEAGE_DEPTH = 8

Resolve = Callable[[ModelRequest], ModelFacts | None]


@dataclass(frozen=True)
class LineageHint:
    base_model: str
    relation: str
    source: str


@cache
def lineage_hints() -> dict[str, LineageHint]:
    data = load_package_data("data/lineage.yaml")
    assert isinstance(data, dict)
    return {key.lower(): LineageHint(v["base_model"], v.get("relation", "finetune"), v["source"])
            for key, v in data["hints"].items()}


def _with_hint(facts: ModelFacts) -> ModelFacts:
    if facts.base_models:
        return facts
    hint = lineage_hints().get(facts.id.lower())
    if hint is None:
        return facts
    return dataclasses.replace(facts, base_models=(hint.base_model,), base_relation=hint.relation)


def _safe(resolve: Resolve, context: ResolveContext, request: ModelRequest) -> ModelFacts:
    from model_risk.records import build_facts

    try:
        facts = resolve(request)
        if facts is None:
            reason = ("offline: not in the lockfile or the cache" if context.offline
                      else "no resolver could answer")
            return build_facts(model_id=request.model_id, status=ModelStatus.UNRESOLVED, vendors=context.vendors,
                               source="none", revision=request.revision, reason=reason)
        if not isinstance(facts, ModelFacts):
            raise TypeError(f"returned {type(facts).__name__}, not ModelFacts")
        return _with_hint(facts)
    except Exception as exc:  # a resolver plugin bug must cost one model, not the scan (nor hang it)
        return build_facts(model_id=request.model_id, status=ModelStatus.UNRESOLVED, vendors=context.vendors,
                           source="error", revision=request.revision,
                           reason=f"resolver failed: {exc.__class__.__name__}: {exc}")


def resolve_concurrently(requests: Iterable[ModelRequest], resolve: Resolve, context: ResolveContext,
                         deadline: float) -> dict[ModelRequest, ModelFacts]:
    """Resolve ``requests`` on the thread pool; lookups still running at ``deadline`` become unresolved."""
    return _resolve_all(requests, resolve, context, deadline, follow_bases=False)


def resolve_with_lineage(requests: Iterable[ModelRequest], resolve: Resolve, context: ResolveContext
                         ) -> dict[ModelRequest, ModelFacts]:
    """Facts for every request and for every base model reachable from them (up to the depth limit)."""
    return _resolve_all(requests, resolve, context, time.monotonic() + context.hub.deadline, follow_bases=True)


def _resolve_all(requests: Iterable[ModelRequest], resolve: Resolve, context: ResolveContext, deadline: float,
                 *, follow_bases: bool) -> dict[ModelRequest, ModelFacts]:
    # A base model is asked for as soon as the model naming it is answered, not after the whole
    # generation: one slow lookup does not hold back the lineage of all the others.
    # The workers are daemon threads: a lookup abandoned at the deadline (a Hub that hangs, an answer
    # that trickles in) must not keep the process alive after the report is written, which a
    # ThreadPoolExecutor would, as it joins its threads at exit.
    from model_risk.records import build_facts

    if context.offline:
        return _resolve_inline(requests, resolve, context, follow_bases=follow_bases)
    tasks: queue.SimpleQueue[ModelRequest | None] = queue.SimpleQueue()
    answers: queue.SimpleQueue[tuple[ModelRequest, ModelFacts]] = queue.SimpleQueue()
    stopped = threading.Event()
    workers: list[threading.Thread] = []

    def work() -> None:
        while (request := tasks.get()) is not None and not stopped.is_set():
            answers.put((request, _safe(resolve, context, request)))

    results: dict[ModelRequest, ModelFacts] = {}
    generation: dict[ModelRequest, int] = {}
    outstanding: set[ModelRequest] = set()

    def submit(request: ModelRequest, depth: int) -> None:
        if request in generation:
            # Reached again by a shorter path: its bases may go one generation further.
            generation[request] = min(generation[request], depth)
            return
        generation[request] = depth
        outstanding.add(request)
        tasks.put(request)
        if len(workers) < min(max(1, context.hub.concurrency), len(generation)):
            worker = threading.Thread(target=work, name=f"model-risk-resolve-{len(workers)}", daemon=True)
            worker.start()
            workers.append(worker)

    try:
        for request in dict.fromkeys(requests):
            submit(request, 0)
        while outstanding:
            try:
                request, facts = answers.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break  # the deadline
            outstanding.discard(request)
            results[request] = facts
            if follow_bases and generation[request] < MAX_LINEAGE_DEPTH:
                for base in facts.base_models:
                    submit(ModelRequest(base), generation[request] + 1)
    finally:
        stopped.set()  # queued lookups are dropped; running ones finish (or die with the process)
        for _ in workers:
            tasks.put(None)
    for request in outstanding:
        results[request] = build_facts(
            model_id=request.model_id, status=ModelStatus.UNRESOLVED, vendors=context.vendors,
            source="none", revision=request.revision, reason="lookup did not finish before the deadline")
    return results


def _resolve_inline(requests: Iterable[ModelRequest], resolve: Resolve, context: ResolveContext, *,
                    follow_bases: bool) -> dict[ModelRequest, ModelFacts]:
    """Offline, nothing waits on the network (the lockfile and the cache answer at once), so the
    lookups run here, in order, without starting threads: a pre-commit hook's usual case."""
    results: dict[ModelRequest, ModelFacts] = {}
    generation: dict[ModelRequest, int] = {}
    pending: list[ModelRequest] = []
    for request in dict.fromkeys(requests):
        generation[request] = 0
        pending.append(request)
    while pending:
        request = pending.pop(0)
        facts = results[request] = _safe(resolve, context, request)
        if follow_bases and generation[request] < MAX_LINEAGE_DEPTH:
            for base in facts.base_models:
                base_request = ModelRequest(base)
                if base_request not in generation:
                    generation[base_request] = generation[request] + 1
                    pending.append(base_request)
    return results


def lineage_of(facts: ModelFacts, known: Mapping[ModelRequest, ModelFacts]
               ) -> tuple[tuple[str, ...], ModelFacts | None, str]:
    """(lineage ids, root facts if resolved, root id), following the first base model of each generation."""
    chain = [facts.id]
    seen = {facts.id.lower()}
    current: ModelFacts | None = facts
    root_id = facts.id
    for _ in range(MAX_LINEAGE_DEPTH):
        if current is None or not current.base_models:
            break
        base = current.base_models[0]
        parent = known.get(ModelRequest(base))
        parent_id = parent.id if parent is not None and parent.status is ModelStatus.RESOLVED else base
        if parent_id.lower() in seen or base.lower() in seen:
            break  # a cycle in the declared lineage
        seen.update({parent_id.lower(), base.lower()})
        chain.append(parent_id)
        root_id = parent_id
        current = parent
    return tuple(chain), current, root_id


def with_lineage(facts: ModelFacts, known: Mapping[ModelRequest, ModelFacts], vendors: VendorTable
                 ) -> ModelFacts:
    if facts.status is ModelStatus.API:
        return facts
    chain, root, root_id = lineage_of(facts, known)
    if root is not None and root.vendor:
        root_vendor, root_country = root.vendor, root.vendor_country
    else:
        root_vendor, root_country = vendors.vendor_of(root_id)
    return dataclasses.replace(facts, lineage=chain, root_vendor=root_vendor or facts.vendor,
                               root_vendor_country=root_country if root_vendor else facts.vendor_country)


#: Facts compared between the lockfile and the Hub, and how to show each.
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


@dataclass(frozen=True)
class DriftCheck:
    drift: dict[ModelRequest, tuple[Drift, ...]]
    notes: tuple[Note, ...] = ()


def compare_with_lockfile(locked: Sequence[ModelRequest], known: Mapping[ModelRequest, ModelFacts],
                          resolve_fresh: Resolve, context: ResolveContext) -> DriftCheck:
    """Look the locked models up again without the lockfile (cache, then Hub) and list what changed."""
    fresh = resolve_concurrently(locked, resolve_fresh, context, deadline=time.monotonic() + context.hub.deadline)
    drift = {request: drift_between(known[request], fresh[request]) for request in locked}
    unchecked = [request for request in locked if fresh[request].status is ModelStatus.UNRESOLVED]
    notes: tuple[Note, ...] = ()
    if unchecked:
        # Silence here would read as "nothing changed upstream".
        names = ", ".join(str(r) for r in unchecked[:3]) + (f" and {len(unchecked) - 3} more" if len(unchecked) > 3 else "")
        notes = (Note(f"could not compare {len(unchecked)} locked model{'s' if len(unchecked) > 1 else ''} with "
                      f"the Hub ({fresh[unchecked[0]].reason}): {names}; their drift is unknown"),)
    return DriftCheck(drift, notes)


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
