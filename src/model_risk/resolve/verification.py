"""Asking the Hub, the lockfile and the cache whether candidate ids are models, politely.

Detection reports every ``ORG/NAME`` that may be a model (:mod:`model_risk.detect.candidates`); those
below ``certain`` are checked before they are reported online (the policy is
:mod:`model_risk.app.verification`). Each check is the model lookup every reference gets anyway (one
``model_info``, cached, negative answers too); this module adds what keeps many checks cheap:

* what the project and this machine already know -- the lockfile and a fresh cache entry answer
  without a request (:func:`known_answer`);
* where several unknown candidates share an organisation, one listing of the organisation's models
  (``HfApi.list_models(author=ORG)``) answers them at once (:func:`listed_models`): an id the complete
  listing does not hold is no model there. The denial is written to the cache like any other Hub answer,
  so a repeat costs nothing;
* answers that stand in for lookups never sent (:func:`denied`, :func:`not_verified`), which the resolve
  runner is given before any lookup (``Stores.known``).

Listings are only trusted to deny ids, never to confirm them: a confirmed id still needs its facts.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from model_risk.contract.domain import ModelFacts, ModelStatus
from model_risk.contract.resolver import ModelRequest, ResolveContext
from model_risk.knowledge.facts import build_facts
from model_risk.resolve import hub_client
from model_risk.resolve.cache import cached_facts
from model_risk.resolve.runner import Stores

#: Models asked for in one listing: one page of the list endpoint. An organisation with more is not
#: listed completely, and its candidates are looked up one by one.
LISTING_LIMIT = 1000
#: Seconds one listing may take, retries included.
LISTING_TIMEOUT = 20.0


def known_answer(request: ModelRequest, stores: Stores, context: ResolveContext) -> ModelFacts | None:
    """What the lockfile or a fresh cache entry says about ``request``, without any request."""
    if stores.lockfile is not None and (locked := stores.lockfile.facts(request, context.vendors)):
        return locked
    if stores.cache is not None and stores.read_cache:
        return cached_facts(request, context, stores.cache)
    return None


def listed_models(organization: str, context: ResolveContext) -> frozenset[str] | None:
    """The lower-cased ids of every model ``organization`` publishes, or None when the Hub could not
    list them all: offline, the Hub down or failing, more than :data:`LISTING_LIMIT` models."""
    if context.offline:
        return None
    state = hub_client.state_for(context)
    if not state.reachable() or state.down or time.monotonic() > state.deadline:
        return None
    api = state.api()
    deadline = min(state.deadline, time.monotonic() + LISTING_TIMEOUT)
    try:
        infos = hub_client.within(deadline, lambda: list(api.list_models(author=organization, limit=LISTING_LIMIT)),
                           "model-risk-verification")
    except hub_client.NoAnswerInTime:
        state.record(True)
        return None
    except Exception as exc:  # a fault costs the listing: the candidates are looked up one by one
        state.count(hub_client._classify(exc))
        return None
    state.record(False)
    ids = [str(getattr(info, "id", "") or "") for info in infos]
    if len(ids) >= LISTING_LIMIT:
        return None
    return frozenset(i.lower() for i in ids if "/" in i)


def denied(request: ModelRequest, context: ResolveContext, organization: str) -> ModelFacts:
    """The answer for an id the complete listing of its organisation does not hold."""
    return build_facts(model_id=request.model_id, status=ModelStatus.NOT_FOUND, vendors=context.vendors,
                       source="hub", revision=request.revision,
                       reason=f"not among the models {organization} publishes on the Hub")


def not_verified(request: ModelRequest, context: ResolveContext, limit: int) -> ModelFacts:
    """The answer for a candidate left unchecked because the scan's verification budget was spent."""
    return build_facts(model_id=request.model_id, status=ModelStatus.UNRESOLVED, vendors=context.vendors,
                       source="none", revision=request.revision,
                       reason=f"not verified: the scan had checked {limit} candidates already (hub.verify-limit)")


def remember(answers: Iterable[tuple[ModelRequest, ModelFacts]], stores: Stores, context: ResolveContext) -> None:
    """Write denials to the cache, so that a later scan asks nothing about them."""
    answers = list(answers)
    if stores.cache is None or context.offline or not answers:
        return
    authenticated = hub_client.state_for(context).authenticated()
    for request, facts in answers:
        stores.cache.put(context.hub.public_endpoint, request, facts, authenticated=authenticated)
