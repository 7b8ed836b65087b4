"""Resolving every referenced model, concurrently, then following base models up to the root.

Each lookup asks the stores (lockfile, cache), then the ``resolve_model`` hook (plugins, Hub). Lookups
run on a bounded thread pool: the referenced models first, and each base model as soon as the model
naming it is answered, up to a depth limit; a base model shared by many models is looked up once.
Lineage (:mod:`model_risk.resolve.lineage`) and drift (:mod:`model_risk.resolve.drift`) are worked out
from the answers.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from model_risk.common.debug import show_traceback
from model_risk.contract.domain import ModelFacts, ModelStatus
from model_risk.contract.errors import ModelRiskError
from model_risk.contract.resolver import ModelRequest, ResolveContext
from model_risk.resolve import hub_client
from model_risk.resolve.cache import ModelCache, cached_facts
from model_risk.resolve.lineage import MAX_LINEAGE_DEPTH, LineageBudget, bases_to_follow, with_hint
from model_risk.resolve.lockfile import Lockfile
from model_risk.resolve.monorepo import NearestLockfiles

Resolve = Callable[[ModelRequest], ModelFacts | None]
#: The ``resolve_model`` hook as a function (plugins, then the Hub).
AskPlugins = Callable[[ModelRequest, ResolveContext], ModelFacts | None]


@dataclass(frozen=True)
class Stores:
    """What the project and this machine already know, asked before any resolver plugin."""

    #: model-risk.lock: the facts the project reviewed and committed.
    #: One lockfile, or a monorepo's lockfiles (the nearest above each reference answers for it).
    lockfile: Lockfile | NearestLockfiles | None = None
    #: The on-disk cache of earlier Hub answers.
    cache: ModelCache | None = None
    #: Read the cache (``lock`` wants fresh facts online, and still writes what it fetches).
    read_cache: bool = True
    #: Answers known before any lookup (what verification learnt from listing an organisation's models,
    #: or decided not to ask), asked first.
    known: Mapping[ModelRequest, ModelFacts] = field(default_factory=dict)


def answer_with(stores: Stores, ask_plugins: AskPlugins, context: ResolveContext) -> Resolve:
    """One lookup: the lockfile, then the cache, then the plugins (the Hub last); Hub answers are cached."""

    def resolve(request: ModelRequest) -> ModelFacts | None:
        if (answered := stores.known.get(request)) is not None:
            return answered
        if stores.lockfile is not None and (locked := stores.lockfile.facts(request, context.vendors)):
            return locked
        if stores.cache is not None and stores.read_cache:
            if (cached := cached_facts(request, context, stores.cache)) is not None:
                return cached
        if stores.cache is None or context.offline:
            return ask_plugins(request, context)
        # Several scans may share one cache directory (CI jobs on one runner, pre-commit's parallel runs).
        # Check, ask and write under a per-model lock, so that when they miss together only one asks the
        # Hub and the others read its answer.
        with stores.cache.locked(context.hub.public_endpoint, request):
            if stores.read_cache and (cached := cached_facts(request, context, stores.cache)) is not None:
                return cached
            facts = ask_plugins(request, context)
            if isinstance(facts, ModelFacts) and facts.source == "hub":
                stores.cache.put(context.hub.public_endpoint, request, facts,
                                 authenticated=hub_client.state_for(context).authenticated())
        return facts

    return resolve


def _safe(resolve: Resolve, context: ResolveContext, request: ModelRequest) -> ModelFacts:
    from model_risk.knowledge.facts import build_facts

    try:
        facts = resolve(request)
        if facts is None:
            reason = ("offline: not in the lockfile or the cache" if context.offline
                      else "no resolver could answer")
            # The lineage table still names the base of an official derivative nobody could look up.
            return with_hint(build_facts(model_id=request.model_id, status=ModelStatus.UNRESOLVED,
                                         vendors=context.vendors, source="none", revision=request.revision,
                                         reason=reason))
        if not isinstance(facts, ModelFacts):
            raise TypeError(f"returned {type(facts).__name__}, not ModelFacts")
        return with_hint(facts)
    except Exception as exc:  # a resolver plugin bug must cost one model, not the scan (nor hang it)
        show_traceback(exc)
        return build_facts(model_id=request.model_id, status=ModelStatus.UNRESOLVED, vendors=context.vendors,
                           source="error", revision=request.revision,
                           reason=f"resolver failed: {_describe(exc)}")


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
    from model_risk.knowledge.facts import build_facts

    # Work driven by Hub answers is bounded: so many base-model lookups, none enqueued after the deadline.
    budget = LineageBudget(deadline)
    if context.offline:
        return _resolve_inline(requests, resolve, context, budget, follow_bases=follow_bases)
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
        if depth > 0 and not budget.take():
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
        while outstanding and (remaining := deadline - time.monotonic()) > 0:
            try:
                request, facts = answers.get(timeout=remaining)
            except queue.Empty:
                break  # the deadline
            outstanding.discard(request)
            results[request] = facts
            if follow_bases and generation[request] < MAX_LINEAGE_DEPTH:
                for base in bases_to_follow(facts):
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


def _resolve_inline(requests: Iterable[ModelRequest], resolve: Resolve, context: ResolveContext,
                    budget: LineageBudget, *, follow_bases: bool) -> dict[ModelRequest, ModelFacts]:
    """Offline, nothing waits on the network (the lockfile and the cache answer at once), so the
    lookups run here, in order, without starting threads: a pre-commit hook's usual case. The same
    budget holds: a cache filled by a hostile Hub names as many base models as the Hub did."""
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
            for base in bases_to_follow(facts):
                base_request = ModelRequest(base)
                if base_request not in generation and budget.take():
                    generation[base_request] = generation[request] + 1
                    pending.append(base_request)
    return results


def _describe(exc: Exception) -> str:
    # A plugin failure already names the plugin, the hook and the exception.
    return str(exc) if isinstance(exc, ModelRiskError) else f"{exc.__class__.__name__}: {exc}"
