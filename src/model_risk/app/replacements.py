"""Replacements for models with findings: the scan's ``models[].alternatives`` (and the lookup behind
``model-risk alternatives MODEL`` and ``model-risk plan``).

Like model facts, replacements come from model-risk.lock first (what ``model-risk alternatives``
recorded), then the cache, then the Hub (:mod:`model_risk.resolve.alternatives`); offline, without
either, from model-risk's table of well-known substitutes. For one model:

1. its size (never a size-blind suggestion) and its profile (:mod:`model_risk.app.profiling`);
2. the pool: the substitutes the table lists for the model's family first, then the Hub's listing for
   its task(s) and size window;
3. a screen on what the listing says (task, size, purpose by name, the card's license), then, for the
   first :data:`EXAMINED` survivors, the full facts: lineage (root vendors, effective license) and config
   files (active parameters, context, chat template, languages), judged by
   :mod:`model_risk.evaluate.alternatives`;
4. the qualified ranked, the variants (GGUF ...) of the best looked up, ranked again, ``count`` kept.

A Hub fault costs the suggestions and adds a note; the scan's report is otherwise the same.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from model_risk.app.config import Config
from model_risk.app.profiling import HUB_SOURCES, Profiler, repackaged
from model_risk.common.paths import default_cache_dir
from model_risk.contract.domain import (
    ALTERNATIVES_NOT_RECORDED,
    Alternative,
    Finding,
    ModelFacts,
    ModelProfile,
    ModelStatus,
    ModelUse,
    Note,
)
from model_risk.contract.resolver import ModelRequest
from model_risk.evaluate.alternatives import (
    TRIGGERING_RULES,
    AlternativesPolicy,
    Qualified,
    Rejections,
    Requirements,
    judge,
    none_note,
    qualified,
    ranked,
    requirements,
    screen,
)
from model_risk.knowledge import facts as records
from model_risk.knowledge import licenses, substitutes
from model_risk.knowledge.profiles import human_count
from model_risk.resolve.alternatives import Candidate, CandidateLookups, CandidatesUnavailable, ListCache, Query
from model_risk.resolve.lockfile import record_alternatives
from model_risk.resolve.resolution import Resolution

__all__ = ["HUB_SOURCES", "Finder", "Outcome", "concentrated_vendors", "flagged_models", "with_alternatives"]

#: Candidates examined in full (lineage, config files) per model, after the screen.
EXAMINED = 24
#: Candidates whose variants (GGUF ...) are looked up beyond the ``count`` suggested, for a model run as GGUF
#: or MLX (having one changes the ranking).
VARIANT_MARGIN = 2
#: Candidates not suggested that model-risk.lock names (the most telling first).
RECORDED_REJECTIONS = 12
#: Threads examining one model's candidates at once.
EXAMINE_WORKERS = 8


@dataclass(frozen=True)
class Outcome:
    alternatives: tuple[Alternative, ...]
    #: Why there are none: nothing qualified, or the lookup failed (then ``failed`` is True).
    note: str | None
    #: ``lockfile``, ``cache``, ``hub``, ``table`` or ``none``.
    source: str
    failed: bool = False
    criteria: dict[str, Any] | None = None
    #: The model's own facts, as the comparison read them.
    profile: ModelProfile | None = None
    #: Candidates not suggested, and why (the telling reasons first).
    rejected: tuple[tuple[str, str], ...] = ()
    #: Candidates that qualify too, ranked after the suggested ones (at most as many).
    others: tuple[Alternative, ...] = ()

    def record(self) -> dict[str, Any]:
        """What model-risk.lock keeps: the suggestions with their facts, the others and the rejected in brief."""
        return {"suggestions": [records.alternative_record(a) for a in self.alternatives], "note": self.note,
                "criteria": self.criteria or {}, "profile": records.profile_record(self.profile),
                "others": [records.alternative_record(a, brief=True) for a in self.others],
                "rejected": [{"id": i, "reason": r} for i, r in self.rejected[:RECORDED_REJECTIONS]],
                "recorded": datetime.now(UTC).date().isoformat()}


@dataclass
class _Pooled:
    candidate: Candidate
    table: substitutes.Substitute | None
    origin: str
    listed_for: str | None = None


@dataclass
class _Examined:
    pooled: _Pooled
    profile: ModelProfile
    facts: ModelFacts
    reason: str | None = None


class Finder:
    """Looks up replacements through the lockfile, the cache, the Hub and the substitutes table, for one scan
    or command."""

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
        self.profiler = Profiler(resolution, self.lookups)
        self._resolve = resolution.answer()
        #: Set by the first lookup the Hub failed: later ones in this run are not attempted (a Hub that
        #: hangs costs one timeout, not one per model).
        self._unavailable: str | None = None

    def recorded(self, target: ModelFacts) -> Outcome | None:
        lockfile = self.stores.lockfile
        entry = lockfile.alternatives_for(target.id) if lockfile is not None else None
        if entry is None:
            return None
        try:
            suggestions = tuple(records.alternative_from_record(a) for a in entry.get("suggestions") or ())
            others = tuple(records.alternative_from_record(a) for a in entry.get("others") or ())
            profile = records.profile_from_record(entry.get("profile"))
        except records.RecordError:
            return None
        rejected = tuple((str(r.get("id")), str(r.get("reason"))) for r in entry.get("rejected") or ()
                         if isinstance(r, dict))
        return Outcome(suggestions, entry.get("note"), "lockfile", criteria=dict(entry.get("criteria") or {}),
                       profile=profile, rejected=rejected, others=others)

    # -- one model ---------------------------------------------------------------------------------
    def find(self, target: ModelFacts, *, use_lockfile: bool = True, avoid: Iterable[str] = ()) -> Outcome:
        """Replacements for ``target``; none from the vendors in ``avoid`` (say, one the project is
        already concentrated on) or on the watchlist."""
        if use_lockfile and (recorded := self.recorded(target)) is not None:
            return recorded
        # The vendors at the root are the ones being replaced; the model's own (a distiller's) goes too, unless
        # it only re-uploads others' weights (a quantiser).
        own = target.vendor if not self.context.vendors.is_redistributor(target.id) else None
        replaced = {v for v in (target.root_vendor, own, *target.root_vendors) if v and v != "unknown"} \
            | self.avoid | set(avoid)
        if not target.pipeline_tag:
            why = f" ({target.status.value}: {target.reason})" if target.reason else ""
            return Outcome((), f"no candidate looked up: the model's task (pipeline_tag) is not known{why}", "none")
        if self._unavailable is not None:
            return Outcome((), f"alternatives not looked up: {self._unavailable}", "none", failed=True)
        try:
            parameters = self._size(target)
        except CandidatesUnavailable as exc:
            return self._failed(exc)
        if parameters is None:
            return Outcome((), "no candidate suggested: the model's size is not known, and a replacement must be "
                               "of a comparable size (model-risk never suggests one blind)", "none")
        profile, formats = self.profiler.target(target, parameters)
        req = requirements(profile, self.policy, formats)
        family = substitutes.family_of((target.id, *target.lineage))
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="model-risk-variants") as side:
            # The model's own variants (for its facts) are listed while the candidates are gathered.
            variants = side.submit(self.profiler.with_variants, profile, target.id) if not formats else None
            try:
                pool, source = self._pool(target, req, family)
            except CandidatesUnavailable as exc:
                return self._failed(exc, profile)
            if variants is not None:
                profile = variants.result()[0]
        chosen, considered, rejections = self._choose(target, profile, req, pool, replaced)
        criteria = self._criteria(req, profile, replaced, family)
        scope = f"{' / '.join(req.tasks)}" + (f" / {target.library_name}" if target.library_name and not req.embedding
                                              else "")
        scope += f", {human_count(req.list_bounds[0])}-{human_count(req.list_bounds[1])} parameters"
        count = self.policy.count
        note = None if chosen else none_note(req, considered, rejections, scope)
        return Outcome(tuple(chosen[:count]), note, source, criteria=criteria, profile=profile,
                       rejected=tuple(rejections.named), others=tuple(chosen[count:2 * count]))

    def _failed(self, exc: Exception, profile: ModelProfile | None = None) -> Outcome:
        if not self.context.offline:
            self._unavailable = f"{exc} (not asked again in this run)"
        return Outcome((), f"alternatives not looked up: {exc}", "none", failed=True, profile=profile)

    def _size(self, target: ModelFacts) -> int | None:
        """The model's parameter count: its facts', the Hub's (safetensors or GGUF metadata), or for a
        re-packaged copy its original's."""
        size = _count(target.card_value("parameters"))
        if size is None and self.profiler.hub_facts(target) is not None:
            size = self.lookups.size(target.id)  # offline: only what the cache holds
        if size is None and repackaged(target):
            base = self.profiler.base_of(target)
            size = _count(base.card_value("parameters")) if base is not None else None
        if size is None and self.context.offline:
            raise CandidatesUnavailable("offline, and the model's size is not known")
        return size

    # -- the pool ------------------------------------------------------------------------------------
    def _pool(self, target: ModelFacts, req: Requirements, family: substitutes.Family | None
              ) -> tuple[list[_Pooled], str]:
        """The table's substitutes for the family, then the Hub's listing; and where the pool came from."""
        pool: dict[str, _Pooled] = {}
        table = substitutes.substitutes_for(family) if family is not None else []
        for entry, candidate in zip(table, self._table_candidates(table)):
            if candidate is not None:
                pool[entry.id.lower()] = _Pooled(candidate, entry, "table", family.name if family else None)
        listed: list[Candidate] = []
        source = "table"
        try:
            low, high = req.list_bounds
            library = None if req.embedding else self._library(target)
            for task in req.tasks:
                listed += self.lookups.candidates(Query(task, library, low, high))
            source = "cache" if self.context.offline else "hub"
        except CandidatesUnavailable:
            if not (self.context.offline and table):
                raise
        for candidate in sorted(listed, key=lambda c: -(c.downloads or 0)):
            known = pool.get(candidate.id.lower())
            if known is not None:
                # The Hub's listing is fresher than the table; keep the table as a prior and a fallback.
                pool[candidate.id.lower()] = _Pooled(candidate, known.table, "hub+table", known.listed_for)
            else:
                pool[candidate.id.lower()] = _Pooled(candidate, substitutes.substitute(candidate.id), "hub")
        return list(pool.values()), source

    def _library(self, target: ModelFacts) -> str | None:
        if repackaged(target):
            base = self.profiler.base_of(target)
            return base.library_name if base is not None and base.library_name else "transformers"
        return target.library_name

    def _table_candidates(self, table: Sequence[substitutes.Substitute]) -> list[Candidate | None]:
        """The substitutes as candidates: what the Hub (or the cache, or the lockfile) says of each when it
        can be asked, else (offline, or the Hub did not answer) what the table says; None for one the Hub
        no longer has. Looked up together (and their base models with them)."""
        requests = [ModelRequest(entry.id) for entry in table]
        known = self.resolution.resolve(requests, self._resolve) if requests else {}
        return [self._table_candidate(entry, known.get(request)) for entry, request in zip(table, requests)]

    @staticmethod
    def _table_candidate(entry: substitutes.Substitute, facts: ModelFacts | None) -> Candidate | None:
        if facts is not None and facts.status in (ModelStatus.NOT_FOUND, ModelStatus.DISABLED):
            return None  # gone from the Hub: not a replacement, whatever the table says
        if facts is not None and facts.status is ModelStatus.RESOLVED and facts.pipeline_tag:
            candidate = Candidate.from_facts(facts)
            if candidate.parameters is None:
                candidate = dataclasses.replace(candidate, parameters=entry.profile.parameters)
            return candidate
        return Candidate(id=entry.id, downloads=None, parameters=entry.profile.parameters, license_id=entry.license,
                         license_name=None, base_models=(entry.base_model,) if entry.base_model else (),
                         base_relation="finetune" if entry.base_model else None,
                         library_name=entry.profile.library, pipeline_tag=entry.profile.task, gated=False,
                         languages=entry.profile.languages)

    # -- choosing ------------------------------------------------------------------------------------
    def _choose(self, target: ModelFacts, profile: ModelProfile, req: Requirements, pool: Sequence[_Pooled],
                replaced: set[str]) -> tuple[list[Alternative], int, Rejections]:
        rejections = Rejections()
        excluded = {target.id.lower(), *(m.lower() for m in target.lineage), *(m.lower() for m in target.ancestors)}
        survivors: list[_Pooled] = []
        for pooled in pool:
            c = pooled.candidate
            reason = screen(c.id, task=c.pipeline_tag, library=c.library_name, parameters=c.parameters, gated=c.gated,
                            base_relation=c.base_relation,
                            card_license=licenses.classify(c.license_id, c.license_name) if c.license_id else None,
                            req=req, policy=self.policy, excluded_ids=excluded,
                            vendor=self.context.vendors.vendor_of(c.id)[0],
                            base_vendors=[v for b in c.base_models if (v := self.context.vendors.vendor_of(b)[0])],
                            replaced=replaced)
            if reason is None:
                survivors.append(pooled)
            elif reason != "the model itself or its base":
                rejections.add(c.id, reason)
        examined = self._examine(survivors[:EXAMINED], req, replaced)
        rejections.skip(len(survivors) - len(examined), EXAMINED)
        passed: list[_Examined] = []
        for item in examined:
            if item.reason is None:
                passed.append(item)
            else:
                rejections.add(item.pooled.candidate.id, item.reason)
        countries = {c for c in (target.root_vendor_country, target.vendor_country) if c}
        target_license = target.governing_license
        vendor = target.root_vendor or target.vendor

        def qualify(item: _Examined, variants_known: bool) -> Qualified:
            c = item.pooled.candidate
            return qualified(c.id, item.profile, item.facts.governing_license, profile, target_license, req,
                             replaced_countries=countries, target_vendor=vendor, listed_for=item.pooled.listed_for,
                             downloads=c.downloads, origin=item.pooled.origin, library=c.library_name,
                             variants_known=variants_known)

        first = ranked([qualify(item, False) for item in passed])
        # The variants of the best are looked up (a model run as GGUF: a few more, since having one can
        # change the order), all at once.
        best = {a.id.lower() for a in first[: self.policy.count + (VARIANT_MARGIN if req.formats else 0)]}
        looked_up = [item for item in passed if item.pooled.candidate.id.lower() in best]
        known: set[int] = set()
        for item, (with_variants, listed) in zip(looked_up, self._in_parallel(
                lambda item: self.profiler.with_variants(item.profile, item.pooled.candidate.id), looked_up)):
            item.profile = with_variants
            if listed:
                known.add(id(item))
        final = [qualify(item, id(item) in known) for item in passed]
        considered = len(pool) - sum(1 for p in pool if p.candidate.id.lower() in excluded)
        return ranked(final), considered, rejections

    def _examine(self, survivors: Sequence[_Pooled], req: Requirements, replaced: set[str]) -> list[_Examined]:
        """The full facts of each survivor, judged; in the survivors' order."""
        def one(pooled: _Pooled) -> _Examined:
            profile, facts = self.profiler.candidate(pooled.candidate, pooled.table)
            return _Examined(pooled, profile, facts,
                             judge(profile, facts.governing_license, req, self.policy, replaced))

        return self._in_parallel(one, survivors)

    def _in_parallel(self, call: Any, items: Sequence[Any]) -> list[Any]:
        """``call`` over ``items``, in order; online, on up to EXAMINE_WORKERS threads."""
        if self.context.offline or len(items) < 2:
            return [call(item) for item in items]
        with ThreadPoolExecutor(max_workers=min(EXAMINE_WORKERS, len(items)),
                                thread_name_prefix="model-risk-candidates") as pool:
            return list(pool.map(call, items))

    def _criteria(self, req: Requirements, profile: ModelProfile, replaced: set[str],
                  family: substitutes.Family | None) -> dict[str, Any]:
        return {"pipeline_tag": req.task, "tasks": list(req.tasks), "library_name": profile.library,
                "purposes": sorted(req.specialties) + (["chat"] if req.chat else []),
                "parameters": req.total, "active_parameters": req.compute if req.moe else None,
                "mixture_of_experts": req.moe, "max_ratio": self.policy.max_ratio,
                "min_context": int(req.context / req.max_ratio) if req.context else None,
                "languages": list(req.languages), "formats": list(req.formats),
                "licenses": sorted(["osi-approved", *self.policy.licenses]),
                "excluded_root_vendors": sorted(replaced),
                "excluded_countries": sorted(self.policy.exclude_countries),
                "family": family.name if family is not None else None,
                "substitutes_as_of": substitutes.as_of()}

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


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


#: Hub lookups of replacements run at once (one list query each, plus the candidates' base models).
LOOKUP_WORKERS = 8


def find_all(finder: Finder, targets: Sequence[ModelFacts], avoid: set[str], *, use_lockfile: bool = True
             ) -> list[Outcome]:
    """Outcomes for ``targets`` in order; online, the lookups overlap (each one is bounded by the
    policy's timeout, so the pool's threads all end)."""
    if finder.context.offline or len(targets) < 2:
        return [finder.find(t, avoid=avoid, use_lockfile=use_lockfile) for t in targets]
    with ThreadPoolExecutor(max_workers=min(LOOKUP_WORKERS, len(targets)),
                            thread_name_prefix="model-risk-replacements") as pool:
        return list(pool.map(lambda t: finder.find(t, avoid=avoid, use_lockfile=use_lockfile), targets))


def with_alternatives(usages: Sequence[ModelUse], findings: Sequence[Finding], finder: Finder
                      ) -> tuple[list[ModelUse], list[Note]]:
    """The usages with ``alternatives`` filled in for flagged models, and notes about failed lookups."""
    flagged = flagged_models(findings, [u.facts for u in usages])
    targets: dict[str, ModelFacts] = {}
    for usage in usages:
        if usage.facts.id in flagged and usage.facts.status is not ModelStatus.API:
            targets.setdefault(usage.facts.id.lower(), usage.facts)
    found = find_all(finder, list(targets.values()), concentrated_vendors(findings))
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
