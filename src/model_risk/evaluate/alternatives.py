"""Which candidates can replace a model, in what order, and what moving to each one changes.

A candidate must be able to do the model's job:

* the same task (both embedding tasks count as one) and the same purpose: a code model for a code model,
  a reasoning model for a reasoning model, a chat model (it has a chat template) for a chat model;
* a comparable size, never a size-blind guess: its parameters within ``max_ratio`` of the model's either
  way; for a mixture of experts, its parameters used per token (active) within ``max_ratio`` of the
  model's active ones, and no more than ``max_ratio`` times its memory. A candidate whose size nobody
  states is not suggested;
* a context at least the model's divided by ``max_ratio``, and the languages the model names (a
  broadly multilingual model needs a broadly multilingual candidate whose card says so);
* an effective license the project accepts (OSI-approved without a ban on commercial use, or one the
  policy lists), judged along the candidate's whole lineage: a distillation labelled MIT but built on
  Llama is under the Llama license;
* no gating, no re-packaged copy (a GGUF of something else: the original is the candidate), and none of
  its root vendors among those being replaced (the whole lineage graph: every parent of a merge).

Qualifying candidates are ranked so a reader can follow: a vendor in the same jurisdiction as the one
being replaced last, then the fewest large changes, then the fewest medium changes and facts nobody
states (an unknown counts like a medium change: it has to be found out), then the substitutes
model-risk's table lists for the model's family, then the closest size, then downloads (which measure
adoption, not quality). Each suggestion carries why it was chosen and what changes for the team.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from model_risk.contract.domain import Alternative, Change, LicenseFacts, ModelProfile
from model_risk.knowledge import licenses
from model_risk.knowledge.profiles import (
    EMBEDDING_TASKS,
    PACKAGING_LIBRARIES,
    human_count,
    missing_languages,
    purposes,
    size_text,
    template_name,
)
from model_risk.knowledge.serving import engine

#: Findings (rule names) for which a scan looks for replacements.
TRIGGERING_RULES = frozenset({"non-commercial-license", "non-osi-license", "unknown-license", "vendor-watchlist",
                              "single-vendor-weights", "gated-model", "model-not-found"})
#: Purposes a candidate must share with the model when the model has them.
SPECIALTIES = ("code", "math", "reasoning")


@dataclass(frozen=True)
class AlternativesPolicy:
    #: Look replacements up during scans (``model-risk alternatives`` always does).
    enabled: bool = True
    count: int = 3
    #: Largest size ratio (bigger / smaller) between a replacement and the model; also how much shorter
    #: its context may be.
    max_ratio: float = 2.0
    #: Licenses accepted besides OSI-approved ones: Hub ids, SPDX ids or card names, lower case.
    licenses: frozenset[str] = frozenset()
    #: Seconds one Hub lookup may take, retries included.
    timeout: float = 20.0
    #: Countries (of the root vendor) never suggested, lower case.
    exclude_countries: frozenset[str] = frozenset()


def size_band(parameters: int | None, policy: AlternativesPolicy) -> tuple[int, int] | None:
    """The parameter counts a replacement may have: within ``max_ratio`` of the model's, either way."""
    if not parameters:
        return None
    return int(parameters / policy.max_ratio), int(parameters * policy.max_ratio)


def license_accepted(lic: LicenseFacts | None, policy: AlternativesPolicy) -> bool:
    if lic is None:
        return False
    names = {(x or "").lower() for x in (lic.hub, lic.spdx, lic.name, lic.declared_name)} - {""}
    if names & policy.licenses:
        return True
    return bool(lic.osi) and lic.commercial is not False


# -- what the model needs --------------------------------------------------------------------------


@dataclass(frozen=True)
class Requirements:
    """What a replacement for one model must offer, from the model's profile and the policy."""

    task: str
    #: The tasks asked of the Hub: the model's, or both embedding tasks for an embedder.
    tasks: tuple[str, ...]
    #: Code, math, reasoning: purposes a candidate must share.
    specialties: frozenset[str]
    chat: bool
    embedding: bool
    #: The model's parameters (memory) and those used per token (compute).
    total: int
    compute: int
    moe: bool
    context: int | None
    languages: tuple[str, ...]
    #: Formats the team runs the model in (it is a GGUF or MLX copy): a replacement should exist in them.
    formats: tuple[str, ...]
    max_ratio: float

    @property
    def list_bounds(self) -> tuple[int, int]:
        """The ``num_parameters`` window of the Hub query: any candidate that may qualify on size."""
        low = self.compute if self.moe else self.total
        return int(low / self.max_ratio), int(self.total * self.max_ratio)


def requirements(target: ModelProfile, policy: AlternativesPolicy, formats: tuple[str, ...] = ()) -> Requirements:
    """The requirements for replacing a model of this profile (its task and size must be known)."""
    assert target.task is not None and target.parameters is not None
    embedding = target.task in EMBEDDING_TASKS or "embedding" in target.purposes
    tasks = tuple(sorted(EMBEDDING_TASKS)) if embedding else (target.task,)
    compute = target.compute_parameters or target.parameters
    return Requirements(
        task=target.task, tasks=tasks, specialties=frozenset(p for p in target.purposes if p in SPECIALTIES),
        chat="chat" in target.purposes, embedding=embedding, total=target.parameters, compute=compute,
        moe=target.mixture_of_experts, context=target.context_length, languages=target.languages,
        formats=formats, max_ratio=policy.max_ratio)


def _within(value: int, reference: int, ratio: float) -> bool:
    return max(value, reference) / min(value, reference) <= ratio


# -- the checks -------------------------------------------------------------------------------------


def screen(candidate_id: str, *, task: str | None, library: str | None, parameters: int | None, gated: object,
           base_relation: str | None, card_license: LicenseFacts | None, req: Requirements,
           policy: AlternativesPolicy, excluded_ids: Collection[str], vendor: str | None = None,
           base_vendors: Collection[str] = (), replaced: Collection[str] = ()) -> str | None:
    """Why a listed candidate cannot qualify, from what the listing says (no lookups); None when it may.
    ``vendor``: the candidate's own vendor (its organisation's); ``base_vendors``: those of the base models
    its card names."""
    if candidate_id.lower() in excluded_ids:
        return "the model itself or its base"
    replaced_lower = {v.lower() for v in replaced}
    if vendor and vendor.lower() in replaced_lower:
        return f"{vendor}'s own model"
    for base_vendor in base_vendors:
        if base_vendor.lower() in replaced_lower:
            return f"{base_vendor} at the root"
    if gated:
        return "gated"
    if task and task not in req.tasks:
        return "another task"
    if (library or "").lower() in PACKAGING_LIBRARIES or base_relation == "quantized":
        return "a re-packaged copy (its original is the candidate)"
    if parameters is None:
        return "size not known"
    low, high = req.list_bounds
    if not low <= parameters <= high:
        return "size"
    named = set(purposes(candidate_id, task, None))
    missing = sorted(req.specialties - {"reasoning"} - named)
    if missing:
        return f"not a {missing[0]} model"
    extra = sorted((named & {"code", "math"}) - req.specialties)
    if extra:
        return f"a {extra[0]} model"
    if req.chat and "base" in named:
        return "a base model (no chat template)"
    # The card's own license already fails: the effective one, at least as strict, fails too.
    if card_license is not None and (card_license.commercial is False or card_license.osi is False) \
            and not license_accepted(card_license, policy):
        return f"license not accepted: {licenses.label(card_license)} (the card's)"
    return None


def judge(profile: ModelProfile, governing: LicenseFacts | None, req: Requirements, policy: AlternativesPolicy,
          replaced: Collection[str]) -> str | None:
    """Why a candidate with its full facts does not qualify; None when it does."""
    replaced_lower = {v.lower() for v in replaced}
    for vendor in profile.root_vendors or ((profile.vendor,) if profile.vendor else ()):
        if vendor.lower() in replaced_lower:
            return f"{vendor} at the root"
    if profile.country and profile.country.lower() in policy.exclude_countries:
        return f"a vendor in {profile.country}"
    if not license_accepted(governing, policy):
        return "license not accepted" + (f": {licenses.label(governing)} (effective)" if governing else ": not known")
    problem = size_problem(profile, req)
    if problem is not None:
        return problem
    named = set(profile.purposes)
    missing = sorted(req.specialties - named)
    if missing:
        return f"not a {missing[0]} model"
    if req.chat and "chat" not in named:
        # No chat template, no "conversational" tag from the Hub, no instruct name: a base model.
        return "a base model (no chat template)"
    missing_langs = missing_languages(req.languages, profile.languages)
    if missing_langs is None and missing_languages(req.languages, ("en",)):
        # Nobody states the candidate's languages, and the model needs more than English.
        return "languages not stated"
    if missing_langs == ("many languages",):
        return f"languages: {', '.join(profile.languages)} only, and the model is multilingual"
    if missing_langs:
        return f"languages: {', '.join(missing_langs)} missing"
    if req.context is not None and profile.context_length is not None \
            and profile.context_length * req.max_ratio < req.context:
        return "context too short"
    return None


def size_problem(profile: ModelProfile, req: Requirements) -> str | None:
    total = profile.parameters
    if total is None:
        return "size not known"
    if req.moe:
        compute = profile.compute_parameters or total
        if not _within(compute, req.compute, req.max_ratio):
            return "active parameters"
        if total > req.total * req.max_ratio:
            return "size"
        return None
    return None if _within(total, req.total, req.max_ratio) else "size"


# -- what changes -------------------------------------------------------------------------------------


def _number(value: int) -> str:
    return f"{value:,}"


def changes(target: ModelProfile, candidate: ModelProfile, governing: LicenseFacts | None,
            target_license: LicenseFacts | None, req: Requirements, replaced_countries: Collection[str],
            target_vendor: str | None, variants_known: bool = True) -> tuple[Change, ...]:
    """What a team has to do or accept when it moves from ``target`` to ``candidate`` (``variants_known``:
    the Hub's list of its GGUF ... copies was read)."""
    found: list[Change] = []
    if req.embedding:
        dims = ""
        if target.embedding_dimension and candidate.embedding_dimension:
            dims = (f" (vectors of {target.embedding_dimension} dimensions become {candidate.embedding_dimension})"
                    if target.embedding_dimension != candidate.embedding_dimension else
                    f" (both {candidate.embedding_dimension} dimensions, but not comparable)")
        found.append(Change("re-embedding", "re-embed every indexed document and rebuild the index: vectors of "
                                            f"two embedding models cannot be mixed{dims}", "large"))
    if req.chat and target.chat_template and candidate.chat_template and target.chat_template != candidate.chat_template \
            and "none" not in (target.chat_template, candidate.chat_template):
        found.append(Change("chat-template", f"a new chat template: {template_name(target.chat_template)} becomes "
                                             f"{template_name(candidate.chat_template)}; prompts built through "
                                             "apply_chat_template follow it, prompts formatted by hand must change",
                            "medium"))
    found += _license_changes(target_license, governing)
    if target.context_length and candidate.context_length and candidate.context_length < target.context_length:
        found.append(Change("context", f"a shorter context: {_number(candidate.context_length)} tokens instead of "
                                       f"{_number(target.context_length)}: check your longest inputs", "medium"))
    found += _size_changes(target, candidate, req)
    country = candidate.country
    if country and country.lower() in {c.lower() for c in replaced_countries}:
        found.append(Change("jurisdiction", f"the same jurisdiction: {candidate.vendor} is in {country}, like "
                                            f"{target_vendor or 'the vendor being replaced'}", "medium"))
    elif country and target.country and country != target.country:
        found.append(Change("jurisdiction", f"another jurisdiction: {candidate.vendor} ({country}) instead of "
                                            f"{target_vendor or target.vendor} ({target.country})", "small"))
    lost = [known for key in target.engines if key not in candidate.engines and (known := engine(key)) is not None]
    if lost and candidate.architecture is not None:
        kept = [key for key in target.engines if key in candidate.engines]
        text = (f"{candidate.architecture or 'its architecture'} is not listed by "
                f"{' or '.join(e.name for e in lost)}, which {'lists' if len(lost) == 1 else 'list'} the model's")
        if not kept:
            text += ": serve it with another engine, or check a newer release"
        found.append(Change("serving", text, "small" if kept else "large"))
    for fmt in req.formats:
        if fmt not in candidate.formats() and variants_known:
            found.append(Change("format", f"no {fmt.upper()} copy on the Hub: convert and quantise it yourself "
                                          f"(the model is used as {fmt.upper()})", "medium"))
    if "reasoning" in candidate.purposes and "reasoning" not in target.purposes:
        found.append(Change("reasoning", "a reasoning model: it writes its reasoning before the answer (more "
                                         "tokens and latency); turn it off or strip it where the app expects "
                                         "only the answer", "medium"))
    if candidate.custom_code and not target.custom_code:
        found.append(Change("custom-code", "needs trust_remote_code=True: it runs the repository's own Python "
                                           "code (review it and pin the revision)", "medium"))
    if candidate.library and target.library and candidate.library != target.library \
            and target.library not in PACKAGING_LIBRARIES:
        found.append(Change("library", f"loaded with {candidate.library} instead of {target.library}", "small"))
    unknown = []
    if candidate.context_length is None and target.context_length is not None:
        unknown.append("context length")
    if req.chat and candidate.chat_template is None and target.chat_template is not None:
        unknown.append("chat template")
    if not candidate.languages and target.languages:
        unknown.append("languages")
    if target.engines and candidate.architecture is None:
        unknown.append("its architecture (where it runs)")
    if req.formats and not variants_known:
        unknown.append(f"whether a {'/'.join(f.upper() for f in req.formats)} copy exists")
    if unknown:
        found.append(Change("unknown", f"not known: {', '.join(unknown)}", "small"))
    return tuple(found)


def _license_changes(ours: LicenseFacts | None, theirs: LicenseFacts | None) -> list[Change]:
    if theirs is None or ours is None:
        return []
    if licenses.label(theirs) == licenses.label(ours) and set(theirs.conditions) == set(ours.conditions):
        return []
    new_kinds = sorted(set(theirs.condition_kinds) - set(ours.condition_kinds))
    text = f"a different license: {licenses.label(theirs)} instead of {licenses.label(ours)}"
    if theirs.conditions:
        text += f"; its conditions: {'; '.join(theirs.conditions)}"
    else:
        text += ", without conditions"
    return [Change("license", text + ("; new kinds of condition to review: " + ", ".join(new_kinds) if new_kinds else ""),
                   "medium" if new_kinds else "small")]


def _size_changes(target: ModelProfile, candidate: ModelProfile, req: Requirements) -> list[Change]:
    """What the size of a replacement means: less capacity or less compute per token (worth an evaluation),
    another kind of model (a mixture of experts or a dense one), more memory."""
    if target.parameters is None or candidate.parameters is None:
        return []
    found = []
    ours, theirs = size_text(target), size_text(candidate)
    target_compute = target.compute_parameters or target.parameters
    candidate_compute = candidate.compute_parameters or candidate.parameters
    if req.moe and candidate.parameters * req.max_ratio < target.parameters:
        found.append(Change("size", f"much smaller in all: {theirs} parameters instead of {ours}; as fast per "
                                    "token, but with far less capacity: expect weaker answers on hard tasks and "
                                    "evaluate before switching", "medium"))
    elif not req.moe and candidate_compute * req.max_ratio < target_compute:
        found.append(Change("size", f"far fewer parameters per token: {theirs} instead of {ours}; faster and "
                                    "cheaper to run, but check the quality of its answers on your own evaluation "
                                    "before switching", "medium"))
    elif candidate.mixture_of_experts != target.mixture_of_experts:
        kind = "a mixture of experts" if candidate.mixture_of_experts else "a dense model"
        found.append(Change("size", f"{kind}: {theirs} parameters instead of {ours}; memory follows all the "
                                    "parameters, compute per token the active ones", "small"))
    if candidate.parameters > target.parameters * 1.25:
        found.append(Change("size", f"needs more memory: {human_count(candidate.parameters)} parameters to hold "
                                    f"instead of {human_count(target.parameters)}", "small"))
    elif not found and candidate_compute * 1.5 < target_compute:
        found.append(Change("size", f"smaller: {theirs} parameters instead of {ours}; cheaper to run, but check "
                                    "the quality of its answers on your own evaluation", "small"))
    return found


# -- why, and in what order --------------------------------------------------------------------------


def reasons(target: ModelProfile, candidate: ModelProfile, governing: LicenseFacts | None, req: Requirements,
            listed_for: str | None, downloads: int | None) -> tuple[str, ...]:
    found = []
    what = ", ".join(p for p in candidate.purposes if p != "base") or "general"
    found.append(f"{candidate.task or req.task}, {what}")
    size = f"{size_text(candidate)} parameters"
    if candidate.parameters and target.parameters:
        if req.moe:
            size += f" (the model: {size_text(target)})"
        else:
            size += f" ({candidate.parameters / target.parameters:.1f}x the model's)"
    found.append(size)
    if candidate.context_length:
        found.append(f"{_number(candidate.context_length)}-token context")
    if governing is not None:
        terms = "no conditions" if not governing.conditions else f"{len(governing.conditions)} condition" + \
            ("s" if len(governing.conditions) != 1 else "")
        found.append(f"effective license {licenses.label(governing)} ({terms})")
    vendor = candidate.vendor or "vendor not known"
    found.append(f"{vendor}" + (f" ({candidate.country})" if candidate.country else "") + " at the root")
    if candidate.engines:
        names = [e.name for key in candidate.engines if (e := engine(key)) is not None]
        found.append(f"runs on {', '.join(names)}")
    if candidate.variants:
        found.append("on the Hub as " + ", ".join(f"{fmt.upper()} ({repo})" for fmt, repo in
                                                  _first_of_each(candidate.variants)))
    if listed_for:
        found.append(f"model-risk's substitutes table lists it for {listed_for}")
    if downloads is not None:
        found.append(f"{downloads:,} downloads in 30 days")
    return tuple(found)


def _first_of_each(variants: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for fmt, repo in variants:
        seen.setdefault(fmt, repo)
    return list(seen.items())


@dataclass(frozen=True)
class Qualified:
    """A candidate that passed every check, with what the ranking reads."""

    alternative: Alternative
    same_jurisdiction: bool
    listed: bool
    distance: float
    downloads: int


def qualified(candidate_id: str, profile: ModelProfile, governing: LicenseFacts | None, target: ModelProfile,
              target_license: LicenseFacts | None, req: Requirements, *, replaced_countries: Collection[str],
              target_vendor: str | None, listed_for: str | None, downloads: int | None, origin: str,
              library: str | None, variants_known: bool = True) -> Qualified:
    found = changes(target, profile, governing, target_license, req, replaced_countries, target_vendor,
                    variants_known)
    why = reasons(target, profile, governing, req, listed_for, downloads)
    alternative = Alternative(
        id=candidate_id, root_vendor=profile.vendor, license=licenses.label(governing) if governing else None,
        parameters=profile.parameters, downloads=downloads, pipeline_tag=profile.task or req.task,
        library_name=library, why="; ".join(why), profile=profile, reasons=why, changes=found, origin=origin)
    distance = 0.0
    if profile.parameters and target.parameters:
        distance = abs(math.log((profile.compute_parameters or profile.parameters) / req.compute)) + \
            0.5 * abs(math.log(profile.parameters / req.total))
    return Qualified(alternative, any(c.kind == "jurisdiction" and c.effort != "small" for c in found),
                     listed_for is not None, round(distance, 1), downloads or 0)


def ranked(found: Sequence[Qualified]) -> list[Alternative]:
    """The qualifying candidates in the order documented in the module."""
    def key(q: Qualified) -> tuple[object, ...]:
        efforts = Counter(c.effort for c in q.alternative.changes if c.kind not in ("jurisdiction", "unknown"))
        unknown = sum(c.text.count(",") + 1 for c in q.alternative.changes if c.kind == "unknown")
        return (q.same_jurisdiction, efforts["large"], efforts["medium"] + unknown, not q.listed, q.distance,
                -q.downloads, q.alternative.id.lower())
    return [q.alternative for q in sorted(found, key=key)]


#: Reasons a reader most needs to see, first: what looks like a fit but is not.
_TELLING = ("license not accepted", "at the root", "own model", "a vendor in", "not a ", "a code model", "a math model",
            "active parameters", "context too short", "languages", "a base model")


def _telling(reason: str) -> int:
    return next((i for i, mark in enumerate(_TELLING) if mark in reason), len(_TELLING))


@dataclass
class Rejections:
    """Why candidates were not suggested: counts by reason, and the candidates by name, the telling
    reasons (a license, a vendor at the root, a purpose) before the plain ones (size, gating)."""

    counts: Counter[str] = field(default_factory=Counter)
    found: list[tuple[str, str]] = field(default_factory=list)
    #: Candidates named at most.
    limit: int = 40

    def add(self, candidate_id: str, reason: str) -> None:
        self.counts[reason.split(":", 1)[0]] += 1
        self.found.append((candidate_id, reason))

    @property
    def named(self) -> list[tuple[str, str]]:
        return sorted(self.found, key=lambda item: _telling(item[1]))[: self.limit]

    def skip(self, count: int, examined: int) -> None:
        """``count`` candidates that passed the screen were not examined (only the first ``examined`` are)."""
        if count:
            self.counts[f"not examined (only the first {examined} that pass the screen are)"] += count

    def summary(self) -> str:
        return ", ".join(f"{n} {reason}" for reason, n in self.counts.most_common())


def none_note(req: Requirements | None, considered: int, rejections: Rejections, scope: str) -> str:
    """Why no candidate qualifies, in one line."""
    if not considered:
        return f"no candidate qualifies: the Hub lists no other model for {scope}"
    why = rejections.summary()
    return f"no candidate qualifies among {considered} considered for {scope}" + (f" ({why})" if why else "")
