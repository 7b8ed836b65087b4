"""Replacements for models with findings: the scan's ``models[].alternatives`` (and the lookup behind
``model-risk alternatives MODEL``, :mod:`model_risk.app.alternatives`).

Like model facts, replacements come from model-risk.lock first (what ``model-risk alternatives``
recorded), then the cache, then the Hub (:mod:`model_risk.resolve.alternatives`); the choice is
:mod:`model_risk.evaluate.alternatives`'. A candidate's root vendor is worked out by resolving its base
models like any other lineage. A Hub fault costs the suggestions and adds a note; the scan's report is
otherwise the same.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from model_risk.app.config import Config
from model_risk.common.paths import default_cache_dir
from model_risk.contract.domain import (
    ALTERNATIVES_NOT_RECORDED,
    Alternative,
    Finding,
    ModelFacts,
    ModelStatus,
    ModelUse,
    Note,
)
from model_risk.contract.resolver import ModelRequest
from model_risk.evaluate.alternatives import TRIGGERING_RULES, AlternativesPolicy, choose, size_band
from model_risk.knowledge import facts as records
from model_risk.resolve.alternatives import Candidate, CandidateLookups, CandidatesUnavailable, ListCache, Query
from model_risk.resolve.lineage import with_hint
from model_risk.resolve.lockfile import record_alternatives
from model_risk.resolve.resolution import Resolution

#: Sources of facts that certainly came from the Hub. Only such a model is asked about on the Hub: one a
#: resolver plugin answered (possibly locked since) may be a private name that must never reach it.
HUB_SOURCES = ("hub", "cache")


@dataclass(frozen=True)
class Outcome:
    alternatives: tuple[Alternative, ...]
    #: Why there are none: nothing qualified, or the lookup failed (then ``failed`` is True).
    note: str | None
    #: ``lockfile``, ``cache`` or ``hub``.
    source: str
    failed: bool = False
    criteria: dict[str, Any] | None = None

    def record(self) -> dict[str, Any]:
        return {"suggestions": [records.alternative_record(a) for a in self.alternatives], "note": self.note,
                "criteria": self.criteria or {}, "recorded": datetime.now(UTC).date().isoformat()}


class Finder:
    """Looks up replacements through the lockfile, the cache and the Hub, for one scan or command."""

    def __init__(self, config: Config, resolution: Resolution, lockfile: Path, *, use_cache: bool = True) -> None:
        self.policy: AlternativesPolicy = config.alternatives
        self.resolution = resolution
        self.context = resolution.context
        self.stores = resolution.stores
        #: Where ``model-risk alternatives`` records its choice.
        self.lockfile_path = lockfile
        #: Vendors never suggested, whatever the model: the watchlist's.
        self.avoid = {e.vendor for e in config.watchlist}
        cache = ListCache(default_cache_dir(), config.hub.cache_ttl, config.hub.negative_cache_ttl) \
            if use_cache else None
        self.lookups = CandidateLookups(self.context, cache, timeout=self.policy.timeout)
        self._resolve = resolution.answer()
        self._roots: dict[str, str | None] = {}
        #: Set by the first lookup the Hub failed: later ones in this run are not attempted (a Hub that
        #: hangs costs one timeout, not one per model).
        self._unavailable: str | None = None

    def root_vendor_of(self, candidate: Candidate) -> str | None:
        """The candidate's root vendor, following its base models (and the lineage table's hints)."""
        if candidate.id not in self._roots:
            facts = with_hint(records.build_facts(
                model_id=candidate.id, status=ModelStatus.RESOLVED, vendors=self.context.vendors, source="hub",
                base_models=candidate.base_models, base_relation=candidate.base_relation))
            if facts.base_models:
                known = self.resolution.resolve([ModelRequest(b) for b in facts.base_models], self._resolve)
                facts = self.resolution.lineage(facts, known)
            self._roots[candidate.id] = facts.root_vendor or facts.vendor
        return self._roots[candidate.id]

    def recorded(self, target: ModelFacts) -> Outcome | None:
        lockfile = self.stores.lockfile
        entry = lockfile.alternatives_for(target.id) if lockfile is not None else None
        if entry is None:
            return None
        try:
            suggestions = tuple(records.alternative_from_record(a) for a in entry.get("suggestions") or ())
        except records.RecordError:
            return None
        return Outcome(suggestions, entry.get("note"), "lockfile", criteria=dict(entry.get("criteria") or {}))

    def find(self, target: ModelFacts, *, use_lockfile: bool = True, avoid: Iterable[str] = ()) -> Outcome:
        """Replacements for ``target``; none from the vendors in ``avoid`` (say, one the project is
        already concentrated on) or on the watchlist."""
        if use_lockfile and (recorded := self.recorded(target)) is not None:
            return recorded
        # The vendor at the root is the one being replaced; the model's own (a distiller's) goes too.
        replaced = {v for v in (target.root_vendor, target.vendor) if v} | self.avoid | set(avoid)
        parameters = target.card_value("parameters")
        parameters = parameters if isinstance(parameters, int) and not isinstance(parameters, bool) else None
        if not target.pipeline_tag:
            why = f" ({target.status.value}: {target.reason})" if target.reason else ""
            return Outcome((), f"no candidate looked up: the model's task (pipeline_tag) is not known{why}", "none")
        if self._unavailable is not None:
            return Outcome((), f"alternatives not looked up: {self._unavailable}", "none", failed=True)
        try:
            if parameters is None and target.status is ModelStatus.RESOLVED and target.source in HUB_SOURCES:
                parameters = self.lookups.size(target.id)
            if parameters is None and self.context.offline:
                raise CandidatesUnavailable("offline, and the model's size is not known")
            if parameters is None:
                return Outcome((), "no candidate suggested: the model's size is not known, and a replacement "
                                   "must be of a similar size", "none")
            band = size_band(parameters, self.policy)
            query = Query(target.pipeline_tag, target.library_name, *(band or (None, None)))
            candidates = self.lookups.candidates(query)
        except CandidatesUnavailable as exc:
            if not self.context.offline:
                self._unavailable = f"{exc} (not asked again in this run)"
            return Outcome((), f"alternatives not looked up: {exc}", "none", failed=True)
        chosen, note = choose(target, replaced, parameters, candidates, self.policy, self.root_vendor_of)
        criteria = {"pipeline_tag": query.pipeline_tag, "library_name": query.library_name,
                    "parameters": parameters, "max_ratio": self.policy.max_ratio,
                    "licenses": sorted(["osi-approved", *self.policy.licenses]),
                    "excluded_root_vendors": sorted(replaced)}
        return Outcome(tuple(chosen), note, "hub", criteria=criteria)

    def record(self, target: ModelFacts, outcome: Outcome) -> None:
        record_alternatives(self.lockfile_path, target.id, outcome.record())


def flagged_models(findings: Sequence[Finding], models: Iterable[ModelFacts]) -> set[str]:
    """Ids of the Hub models that have an active finding calling for a replacement (for a vendor finding:
    every model of that root vendor)."""
    flagged: set[str] = set()
    vendors = set()
    for finding in findings:
        if not finding.active or finding.rule not in TRIGGERING_RULES:
            continue
        if finding.model is not None:
            flagged.add(finding.model)
        elif finding.vendor is not None:
            vendors.add(finding.vendor)
    for facts in models:
        if facts.status is not ModelStatus.API and facts.root_vendor in vendors:
            flagged.add(facts.id)
    return flagged


def concentrated_vendors(findings: Sequence[Finding]) -> set[str]:
    """Vendors the project is already concentrated on: replacing one model with another of theirs would
    make that worse."""
    return {f.vendor for f in findings if f.active and f.rule == "single-vendor-weights" and f.vendor}


#: Hub lookups of replacements run at once (one list query each, plus the candidates' base models).
LOOKUP_WORKERS = 8


def _find_all(finder: Finder, targets: Sequence[ModelFacts], avoid: set[str]) -> list[Outcome]:
    """Outcomes for ``targets`` in order; online, the lookups overlap (each one is bounded by the
    policy's timeout, so the pool's threads all end)."""
    if finder.context.offline or len(targets) < 2:
        return [finder.find(t, avoid=avoid) for t in targets]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(LOOKUP_WORKERS, len(targets)),
                            thread_name_prefix="model-risk-replacements") as pool:
        return list(pool.map(lambda t: finder.find(t, avoid=avoid), targets))


def with_alternatives(usages: Sequence[ModelUse], findings: Sequence[Finding], finder: Finder
                      ) -> tuple[list[ModelUse], list[Note]]:
    """The usages with ``alternatives`` filled in for flagged models, and notes about failed lookups."""
    flagged = flagged_models(findings, [u.facts for u in usages])
    targets: dict[str, ModelFacts] = {}
    for usage in usages:
        if usage.facts.id in flagged and usage.facts.status is not ModelStatus.API:
            targets.setdefault(usage.facts.id.lower(), usage.facts)
    found = _find_all(finder, list(targets.values()), concentrated_vendors(findings))
    outcomes: dict[str, Outcome] = {}
    notes: list[Note] = []
    for key, outcome in zip(targets, found):
        if outcome.failed and finder.context.offline:
            # Not a fault: an offline scan only shows what was recorded. Say so on the model, quietly.
            outcome = dataclasses.replace(outcome, note=ALTERNATIVES_NOT_RECORDED)
        elif outcome.failed:
            notes.append(Note(f"{targets[key].id}: {outcome.note}; the rest of the report is complete"))
        outcomes[key] = outcome
    out: list[ModelUse] = []
    for usage in usages:
        looked_up = outcomes.get(usage.facts.id.lower()) if usage.facts.id in flagged else None
        if looked_up is None:
            out.append(usage)
            continue
        out.append(ModelUse(dataclasses.replace(usage.facts, alternatives=looked_up.alternatives,
                                                  alternatives_note=looked_up.note), usage.references))
    return out, notes
