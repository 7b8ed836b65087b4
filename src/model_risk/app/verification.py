"""Which references a scan keeps once the Hub, the lockfile or the cache has been asked about them.

Detection reports every id that may be a model, with how sure it is (docs/detection.md). References
below ``certain`` are candidates, and are verified:

* before resolving (:func:`prepare`), online: ids the lockfile and the cache do not know are grouped by
  organisation, and an organisation with several ``possible`` candidates is listed once
  (:mod:`model_risk.resolve.verification`); the ids its complete listing does not hold are answered
  "not found" without a lookup each. At most ``hub.verify-limit`` candidates are then looked up; the
  rest are reported unverified.
* after resolving (:func:`confirmed`): a candidate whose id is not a model -- the Hub says no such model
  repository exists or it is disabled, now or in the cache (datasets and Spaces are not served as
  models) -- is left out, with an info note naming the id. Offline the lockfile and the cache decide;
  a candidate nothing can verify stays, as it was detected, and a ``possible`` one never fails the
  build (:func:`model_risk.app.reference_policy.tempered`).

Every reference kept says how it was checked (``Reference.verified_by``).
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Sequence
from typing import NamedTuple

from model_risk.contract.domain import (
    ModelFacts,
    ModelStatus,
    ModelUse,
    Note,
    Reference,
    VerificationSummary,
    verified_by,
)
from model_risk.contract.resolver import ModelRequest
from model_risk.resolve import hub_client
from model_risk.resolve.resolution import Resolution, request_for

#: Candidates of one organisation, unknown to the lockfile and the cache, from which listing the
#: organisation's models costs fewer requests than looking each up.
LISTING_MIN = 3
_FIELDS = tuple(f.name for f in dataclasses.fields(Reference))
assert _FIELDS[-2:] == ("verified_by", "scope")
_BEFORE_VERIFIED_BY = operator.attrgetter(*_FIELDS[:-2])
#: Statuses that say the Hub has no model under the id (a dataset, a Space, nothing).
_NOT_A_MODEL = (ModelStatus.NOT_FOUND, ModelStatus.DISABLED)


class Plan(NamedTuple):
    """What :func:`prepare` decided: answers to give before any lookup, and what it cost."""

    known: dict[ModelRequest, ModelFacts]
    listings: int = 0
    skipped: int = 0
    #: The process's Hub request count when the scan started (to report the scan's own requests).
    requests_before: int = 0


def prepare(references: Sequence[Reference], resolution: Resolution) -> Plan:
    """Answer what listings can and spend the verification budget, before any lookup."""
    before = hub_client.requests_sent()
    context, stores = resolution.context, resolution.stores
    if context.offline:
        return Plan({}, requests_before=before)
    from model_risk.resolve import verification  # online only: offline, the stores answer as they are

    certain = {request_for(r) for r in references if r.kind == "hub" and not _in_doubt(r)}
    only_possible: dict[ModelRequest, bool] = {}
    for ref in references:
        if not _in_doubt(ref):
            continue
        request = request_for(ref)
        if request not in certain:
            only_possible[request] = only_possible.get(request, True) and ref.confidence == "possible"
    unknown = [r for r in only_possible if verification.known_answer(r, stores, context) is None]
    by_organisation: dict[str, list[ModelRequest]] = {}
    for request in unknown:
        if only_possible[request] and "/" in request.model_id:
            by_organisation.setdefault(request.model_id.split("/", 1)[0].lower(), []).append(request)
    listings = 0
    known: dict[ModelRequest, ModelFacts] = {}
    for organisation, requests in by_organisation.items():
        if len(requests) < LISTING_MIN:
            continue
        listings += 1
        published = verification.listed_models(organisation, context)
        if published is None:
            continue
        for request in requests:
            if request.model_id.lower() not in published:
                known[request] = verification.denied(request, context, request.model_id.split("/", 1)[0])
    verification.remember(known.items(), stores, context)
    rest = [r for r in unknown if r not in known]
    limit = max(0, context.hub.verify_limit)
    skipped = rest[limit:]
    known.update((r, verification.not_verified(r, context, limit)) for r in skipped)
    return Plan(known, listings, len(skipped), before)


def confirmed(usages: Sequence[ModelUse], plan: Plan) -> tuple[list[ModelUse], dict[int, Reference], list[Note],
                                                               VerificationSummary]:
    """Leave out the candidates whose id is no model, and say how each reference kept was checked.

    Returns the usages kept (their references with ``verified_by`` set), the kept reference for the
    ``id()`` of each reference detection returned (dropped ones are absent), one info note per id left
    out, and the summary."""
    kept: list[ModelUse] = []
    mapping: dict[int, Reference] = {}
    notes: list[Note] = []
    checked = dropped = unverified = 0
    for usage in usages:
        how = verified_by(usage.facts)
        candidates = [r for r in usage.references if _in_doubt(r)]
        if usage.facts.status in _NOT_A_MODEL and candidates:
            checked += len(candidates)
            dropped += len(candidates)
            first = candidates[0]
            notes.append(Note(f"{first.model} looked like a model but the Hub has no model repository by that "
                              f"name; {len(candidates)} {_kinds(candidates)} reference(s) left out", first.path,
                              first.line, level="info"))
            rest = [r for r in usage.references if not _in_doubt(r)]
        else:
            rest = list(usage.references)
            if how == "unverified":
                unverified += len(candidates)
            else:
                checked += len(candidates)
        if not rest:
            continue
        references = []
        for ref in rest:
            # built from its fields: several times faster than dataclasses.replace, for every reference
            new = Reference(*_BEFORE_VERIFIED_BY(ref), how, ref.scope)  # type: ignore[call-arg]
            mapping[id(ref)] = new
            references.append(new)
        kept.append(ModelUse(usage.facts, tuple(references)))
    summary = VerificationSummary(checked=checked, dropped=dropped, unverified=unverified, listings=plan.listings,
                                  skipped=plan.skipped)
    return kept, mapping, notes, summary


def finished(summary: VerificationSummary, plan: Plan) -> VerificationSummary:
    """The summary with the Hub requests the whole scan sent (lookups, lineage, drift, alternatives)."""
    return dataclasses.replace(summary, hub_requests=hub_client.requests_sent() - plan.requests_before)


def _in_doubt(reference: Reference) -> bool:
    """A candidate the Hub decides about: a Hub id below ``certain``, namespaced (an Ollama tag, a
    ModelScope repo or a hosted name is never asked of the Hub). An un-namespaced name
    (``gpt2``, ``all-MiniLM-L6-v2``) is only ever detected from model-risk's list of known checkpoints
    (``knowledge/hub_ids.py``, ``model_publishers.yaml``): the list, not the shape, says it is a model."""
    return reference.kind == "hub" and reference.confidence != "certain" and "/" in reference.model


def _kinds(references: Sequence[Reference]) -> str:
    return "/".join(sorted({r.confidence for r in references}, reverse=True))
