"""One run's way of resolving models: where answers come from, and how references become models.

A :class:`Resolution` owns what every command needs to turn references into models: the resolve context
(offline or not, the vendor table, the Hub settings), the stores asked before any resolver plugin
(model-risk.lock, the cache) and the ``resolve_model`` hook. ``scan``, ``lock``, ``explain``,
``exposure`` and ``alternatives`` all resolve through it, so they cannot disagree about which model a
reference names, where its facts come from or whose weights it is built on.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from model_risk.contract.domain import ModelFacts, ModelStatus, ModelUse, Note, Reference, revision_key
from model_risk.contract.resolver import ModelRequest, ResolveContext, VendorDirectory
from model_risk.knowledge.facts import build_facts
from model_risk.knowledge.vendors import builtin_vendors
from model_risk.resolve import doors
from model_risk.resolve.cache import ModelCache
from model_risk.resolve.drift import compare_with_lockfile
from model_risk.resolve.lineage import with_lineage
from model_risk.resolve.lockfile import read_lockfile
from model_risk.resolve.monorepo import nearest_lockfiles
from model_risk.resolve.ollama_registry import OllamaRegistry
from model_risk.resolve.runner import AskPlugins, Resolve, Stores, answer_with, resolve_with_lineage

#: progress(stage, done, total), as the scan reports it.
Progress = Callable[[str, int, int], None]


def request_for(reference: Reference) -> ModelRequest:
    """The lookup a Hub reference asks for: the id to resolve and the revision as models are keyed."""
    return _request(reference.resolve_id, reference.revision)


@functools.lru_cache(maxsize=8192)
def _request(model_id: str, revision: str | None) -> ModelRequest:
    # A scan asks this three times for each of its references, most of which name a few models.
    return ModelRequest(model_id, revision_key(revision))


def requests_for(references: Sequence[Reference], vendors: VendorDirectory | None = None) -> list[ModelRequest]:
    """The distinct lookups of the Hub references among ``references``, in order, then those of the
    weights behind the door references (Ollama tags, ModelScope ids, hosted ids; see :mod:`.doors`)."""
    hub = [request_for(r) for r in references if r.kind == "hub"]
    return list(dict.fromkeys([*hub, *doors.weights_requests(references, vendors or builtin_vendors())]))


@dataclass(frozen=True)
class Resolved:
    """References resolved into models: each model with the references that load it, every lookup's
    answer (base models included), and what the run should tell the user."""

    uses: tuple[ModelUse, ...]
    known: dict[ModelRequest, ModelFacts]
    notes: tuple[Note, ...] = ()


@dataclass(frozen=True)
class Resolution:
    context: ResolveContext
    stores: Stores
    #: The ``resolve_model`` hook: plugins, then the Hub.
    ask: AskPlugins
    #: The lockfile the configuration names; ``None``: the nearest model-risk.lock above each reference.
    lockfile: Path | None = None
    #: Ollama's registry, asked online about Ollama names when the environment names it.
    registry: OllamaRegistry | None = None

    @classmethod
    def open(cls, context: ResolveContext, ask: AskPlugins, *, lockfile: Path | None, default_lockfile: Path,
             cache: ModelCache | None, registry: OllamaRegistry | None = None) -> Resolution:
        """Resolution through ``lockfile`` (or the project's ``default_lockfile`` until references say
        which lockfiles answer them), ``cache`` and the plugins (and Ollama's ``registry``, online)."""
        stores = Stores(lockfile=read_lockfile(lockfile or default_lockfile), cache=cache)
        return cls(context, stores, ask, lockfile, None if context.offline else registry)

    @property
    def offline(self) -> bool:
        return self.context.offline

    def answer(self) -> Resolve:
        """One lookup: the lockfile, the cache, then the plugins (the Hub last)."""
        return answer_with(self.stores, self.ask, self.context)

    def fresh(self, *, read_cache: bool = True) -> Resolution:
        """The same, without the lockfile: what the Hub (or the cache) says today."""
        return dataclasses.replace(self, stores=dataclasses.replace(self.stores, lockfile=None, read_cache=read_cache))

    def answering(self, known: Mapping[ModelRequest, ModelFacts]) -> Resolution:
        """The same, with answers known before any lookup asked first (what verification learnt from
        listing organisations, or decided not to ask: :mod:`model_risk.app.verification`)."""
        if not known:
            return self
        return dataclasses.replace(self, stores=dataclasses.replace(self.stores, known={**self.stores.known, **known}))

    def for_references(self, references: Sequence[Reference]) -> Resolution:
        """In a monorepo (no lockfile configured), each reference is answered by the model-risk.lock
        nearest above its file."""
        if self.lockfile is not None or self.context.root is None:
            return self
        located = [(ref.path, request_for(ref)) for ref in references if ref.kind == "hub"]
        located += [(ref.path, request) for ref in references if ref.door is not None
                    for request in doors.weights_requests([ref], self.context.vendors)]
        return dataclasses.replace(self, stores=dataclasses.replace(
            self.stores, lockfile=nearest_lockfiles(self.context.root, located)))

    def resolve(self, requests: Sequence[ModelRequest], answer: Resolve | None = None
                ) -> dict[ModelRequest, ModelFacts]:
        """Facts for every request and every base model reachable from them."""
        return resolve_with_lineage(requests, answer or self.answer(), self.context)

    def lineage(self, facts: ModelFacts, known: dict[ModelRequest, ModelFacts]) -> ModelFacts:
        """``facts`` with its lineage and root vendor, from the answers in ``known``."""
        return with_lineage(facts, known, self.context.vendors)

    def model(self, request: ModelRequest) -> tuple[ModelFacts, dict[ModelRequest, ModelFacts]]:
        """One model with its lineage, and every answer looked up on the way."""
        known = self.resolve([request])
        return self.lineage(known[request], known), known

    def api_model(self, name: str, api_vendor: str | None) -> ModelFacts:
        """The facts of a hosted API model (``gpt-4o``): its vendor is its root vendor; there is no repo."""
        vendors = self.context.vendors
        country = vendors.country_of(api_vendor)
        return dataclasses.replace(
            build_facts(model_id=name, status=ModelStatus.API, vendors=vendors, source="api"),
            vendor=api_vendor, vendor_country=country, root_vendor=api_vendor, root_vendor_country=country,
            lineage=(name,), author=api_vendor)

    def internal_model(self, reference: Reference) -> ModelFacts:
        """A model of the user's own organisation: what the reference says, nothing from the Hub."""
        organization = reference.resolve_id.split("/", 1)[0]
        return dataclasses.replace(
            build_facts(model_id=reference.resolve_id, status=ModelStatus.INTERNAL, vendors=self.context.vendors,
                        source="internal"),
            reason="internal organisation (internal_orgs): not looked up", vendor=organization,
            root_vendor=organization, lineage=(reference.resolve_id,), author=organization)

    def uses(self, references: Sequence[Reference], *, check_drift: bool, progress: Progress | None = None
             ) -> Resolved:
        """Facts for every referenced model, with lineage, aliases and drift, grouped with their references."""
        requests = requests_for(references, self.context.vendors)
        if progress:
            progress("models", 0, len(requests))
        known = self.resolve(requests)
        if progress:
            progress("models", len(requests), len(requests))
        drift: dict[ModelRequest, tuple] = {}
        notes: list[Note] = []
        if check_drift and self.stores.lockfile is not None and not self.offline:
            locked = [r for r in requests if known[r].source == "lockfile"]
            if locked:
                checked = compare_with_lockfile(locked, known, self.fresh().answer(), self.context)
                drift, notes = checked.drift, list(checked.notes)
                # What changed upstream is judged as it is now, by every rule, besides the drift finding.
                known = {**known, **checked.current}
        answers = doors.registry_answers(references, self.registry)
        notes += [Note(f"{name}: {answer.error}; not confirmed", level="info")
                  for name, answer in answers.items() if answer.error]
        # Grouped by canonical id and revision_key: "main", no revision and the default branch are one model.
        # Each model's facts are built once, with its lineage, then completed with what all its references
        # say (spellings, redirects, drift) in one step.
        grouped: dict[tuple[str, str | None], list[Reference]] = {}
        facts_for: dict[tuple[str, str | None], ModelFacts] = {}
        redirects: dict[tuple[str, str | None], tuple[str, ...]] = {}
        drifted: dict[tuple[str, str | None], tuple] = {}
        for ref in references:
            key: tuple[str, str | None]
            if ref.kind == "api":
                key = (f"api:{ref.model}", None)
                if key not in facts_for:
                    facts_for[key] = self.api_model(ref.model, ref.api_vendor)
            elif ref.kind == "internal":
                key = (f"internal:{ref.resolve_id.lower()}", None)
                if key not in facts_for:
                    facts_for[key] = self.internal_model(ref)
            elif ref.door is not None:
                key = doors.grouping_key(ref)
                if key not in facts_for:
                    door = doors.door_model(ref, known, self.context.vendors, doors.registry_answer(ref, answers))
                    facts_for[key] = self.lineage(door, known)
            else:
                request = request_for(ref)
                facts = known[request]
                key = (facts.id.lower(), request.revision)
                if key not in facts_for:
                    facts_for[key] = self.lineage(facts, known)
                    redirects[key] = facts.redirected_from
                    drifted[key] = drift.get(request, ())
                else:
                    redirects[key] = tuple(dict.fromkeys(redirects[key] + facts.redirected_from))
                    drifted[key] = drifted[key] or drift.get(request, ())
            grouped.setdefault(key, []).append(ref)
        uses = []
        for key, refs in grouped.items():
            facts = facts_for[key]
            spellings = {r.model for r in refs} | {r.resolve_id for r in refs}
            aliases = tuple(sorted(s for s in spellings if s != facts.id))
            if key in drifted:
                facts = dataclasses.replace(facts, aliases=aliases, redirected_from=redirects[key], drift=drifted[key])
            else:
                facts = dataclasses.replace(facts, aliases=aliases)
            uses.append(ModelUse(facts, tuple(refs)))
        uses.sort(key=lambda u: (u.facts.id.lower(), u.facts.revision or ""))
        return Resolved(tuple(uses), known, tuple(notes))
