"""The facts a migration needs about a model (its :class:`~model_risk.contract.domain.ModelProfile`), read
through the run's lookups: the Hub's metadata, the repository's config files, the variants the Hub lists,
the lineage (for the effective license and the vendors at the root) and model-risk's substitutes table.

Only models the Hub answered for are asked about on the Hub: a model a resolver plugin answered may be a
private name. A locked model is first looked up afresh (the plugins are asked before the Hub, as in every
resolution); offline, only what the cache holds is read.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Sequence

from model_risk.contract.domain import ModelFacts, ModelProfile, ModelStatus
from model_risk.contract.resolver import ModelRequest
from model_risk.knowledge import facts as records
from model_risk.knowledge import substitutes
from model_risk.knowledge.profiles import PACKAGING_LIBRARIES, merged, profile_from, with_terms
from model_risk.resolve.alternatives import Candidate, CandidateLookups, RepoFiles
from model_risk.resolve.lineage import with_hint
from model_risk.resolve.model_files import CHAT_TEMPLATE, CONFIG, SENTENCE_CONFIG, TOKENIZER_CONFIG
from model_risk.resolve.resolution import Resolution

#: Sources of facts that certainly came from the Hub. Only such a model is asked about on the Hub: one a
#: resolver plugin answered (possibly locked since) may be a private name that must never reach it.
HUB_SOURCES = ("hub", "cache")


def repackaged(facts: ModelFacts) -> bool:
    """A GGUF, MLX ... copy of another model: its original's files describe it."""
    return (facts.library_name or "").lower() in PACKAGING_LIBRARIES or facts.base_relation == "quantized" or (
        bool(facts.formats) and set(facts.formats) <= {"gguf", "mlx"})


class Profiler:
    """Profiles of one run's targets and candidates (each model looked at once)."""

    def __init__(self, resolution: Resolution, lookups: CandidateLookups) -> None:
        self.resolution = resolution
        self.lookups = lookups
        self.offline = resolution.offline
        self._answer = resolution.answer()
        self._fresh = resolution.fresh().answer()
        self._lineages: dict[str, ModelFacts] = {}
        self._lock = threading.Lock()

    # -- what may be asked ----------------------------------------------------------------------
    def hub_facts(self, facts: ModelFacts) -> ModelFacts | None:
        """``facts`` when the Hub may be asked about the model (offline: the cache may be read), the fresh
        facts of a locked model the Hub answers for, else None."""
        if facts.status is not ModelStatus.RESOLVED:
            return None
        if self.offline or facts.source in HUB_SOURCES:
            return facts
        if facts.source == "lockfile":
            fresh = self._fresh(ModelRequest(facts.id, facts.revision))
            if fresh is not None and fresh.status is ModelStatus.RESOLVED and fresh.source in HUB_SOURCES:
                return facts
        return None

    def base_of(self, facts: ModelFacts) -> ModelFacts | None:
        """The original a re-packaged copy was made from (the next model of its lineage), resolved."""
        if len(facts.lineage) < 2:
            return None
        request = ModelRequest(facts.lineage[1])
        found = self.resolution.resolve([request], self._answer).get(request)
        return found if found is not None and found.status is ModelStatus.RESOLVED else None

    # -- files ---------------------------------------------------------------------------------------
    def files(self, model_id: str, revision: str | None, library: str | None) -> RepoFiles:
        names = (CONFIG, TOKENIZER_CONFIG) + ((SENTENCE_CONFIG,) if library == "sentence-transformers" else ())
        found = self.lookups.files(model_id, revision, names)
        tokenizer = found.get(TOKENIZER_CONFIG)
        if tokenizer is not None and not tokenizer.get("chat_template"):
            # Newer repositories keep the template in a file of its own.
            more = self.lookups.files(model_id, revision, (CHAT_TEMPLATE,))
            found = RepoFiles({**found.files, **more.files}, found.problems + more.problems)
        return found

    # -- lineage -------------------------------------------------------------------------------------
    def lineage(self, candidate: Candidate) -> ModelFacts:
        """The candidate's facts with its lineage: the vendors at every root and the effective license."""
        key = candidate.id.lower()
        with self._lock:
            if key in self._lineages:
                return self._lineages[key]
        context = self.resolution.context
        facts = with_hint(records.build_facts(
            model_id=candidate.id, status=ModelStatus.RESOLVED, vendors=context.vendors, source="hub",
            license_id=candidate.license_id, license_name=candidate.license_name,
            base_models=candidate.base_models, base_relation=candidate.base_relation,
            library_name=candidate.library_name, pipeline_tag=candidate.pipeline_tag,
            custom_code=candidate.custom_code))
        known = self.resolution.resolve([ModelRequest(b) for b in facts.base_models], self._answer) \
            if facts.base_models else {}
        facts = self.resolution.lineage(facts, known)
        with self._lock:
            self._lineages[key] = facts
        return facts

    # -- profiles ------------------------------------------------------------------------------------
    def target(self, target: ModelFacts, parameters: int) -> tuple[ModelProfile, tuple[str, ...]]:
        """The profile of a model being replaced, and the formats the team runs it in (GGUF, MLX: when the
        model is such a copy, a replacement should exist in them too)."""
        original = target
        formats: tuple[str, ...] = ()
        if repackaged(target):
            formats = tuple(f for f in ("gguf", "mlx") if f in target.formats or f == (target.library_name or ""))
            original = self.base_of(target) or target
        asked = self.hub_facts(original)
        files = self.files(original.id, _revision(original), original.library_name) if asked is not None \
            else RepoFiles({})
        profile = self._profile(
            target.id, task=target.pipeline_tag or original.pipeline_tag,
            library=original.library_name if original is not target else target.library_name,
            parameters=parameters, files=files, facts=target, original=original, tags=(),
            table=substitutes.substitute(target.id) or substitutes.substitute(original.id))
        if formats:
            # The team runs the copy (llama.cpp, MLX), not the original on a serving engine.
            profile = dataclasses.replace(profile, variants=tuple((f, target.id) for f in formats), engines=())
        return profile, formats

    def candidate(self, candidate: Candidate, table: substitutes.Substitute | None) -> tuple[ModelProfile, ModelFacts]:
        """A candidate's profile and its facts along the lineage."""
        facts = self.lineage(candidate)
        files = self.files(candidate.id, candidate.sha, candidate.library_name)
        profile = self._profile(candidate.id, task=candidate.pipeline_tag, library=candidate.library_name,
                                parameters=candidate.parameters, files=files, facts=facts, original=None,
                                tags=candidate.tags, table=table, languages=candidate.languages)
        return profile, facts

    def with_variants(self, profile: ModelProfile, model_id: str) -> tuple[ModelProfile, bool]:
        """The profile with the variants the Hub lists, and whether they could be listed."""
        found = self.lookups.variants(model_id)
        if found is None:
            return profile, False
        return dataclasses.replace(profile, variants=tuple(dict.fromkeys((*profile.variants, *found)))), True

    def _profile(self, model_id: str, *, task: str | None, library: str | None, parameters: int | None,
                 files: RepoFiles, facts: ModelFacts, original: ModelFacts | None, tags: Sequence[str],
                 table: substitutes.Substitute | None, languages: Sequence[str] = ()) -> ModelProfile:
        described = original or facts
        template = files.get(CHAT_TEMPLATE)
        sources = ["hub"] + [name for name in (CONFIG, TOKENIZER_CONFIG, SENTENCE_CONFIG, CHAT_TEMPLATE)
                             if files.get(name) is not None]
        card_languages = list(languages) or described.card_value("languages") or facts.card_value("languages")
        profile = profile_from(
            model_id=model_id, task=task, library=library, parameters=parameters, config=files.get(CONFIG),
            tokenizer_config=files.get(TOKENIZER_CONFIG), tokenizer_known=files.get(TOKENIZER_CONFIG) is not None,
            chat_template_text=template.get("chat_template") if template else None,
            sentence_config=files.get(SENTENCE_CONFIG), card_languages=card_languages,
            card_architectures=described.card_value("architectures"),
            card_model_type=_text(described.card_value("model_type")), tags=tags,
            custom_code=facts.custom_code or "custom_code" in tags, sources=sources)
        return with_terms(merged(profile, table.profile if table is not None else None), facts)


def _revision(facts: ModelFacts) -> str | None:
    """The revision whose files describe the model: the one it is pinned at, else the default branch."""
    return facts.revision or None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None
