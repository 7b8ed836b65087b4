"""The objects that pass between pipeline stages.

walk -> SourceFile -> detectors -> Reference -> resolvers -> ModelFacts -> rules -> Finding -> ScanResult

Every stage hands the next one frozen dataclasses, never loose dicts, so a plugin can rely on the
shape it receives and cannot change what another stage sees.
"""

from __future__ import annotations

import dataclasses
import enum
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

COMMIT_SHA = re.compile(r"[0-9a-fA-F]{40}")
#: A content digest that pins what a door serves: Ollama's ``qwen2.5:7b@sha256:<64 hex>``.
CONTENT_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
#: The doors to open weights besides the Hugging Face Hub: an Ollama library tag (``qwen2.5:7b``), a
#: ModelScope repository, and a third party's API serving published weights (OpenRouter, Together,
#: Bedrock ...). A reference through one of them is of that ``kind``; the model it names is a use of the
#: weights behind the door (their vendor, lineage and license), never a Hub repo of its own.
DOORS = ("ollama", "modelscope", "hosted")
ReferenceKind = Literal["hub", "api", "internal", "ollama", "modelscope", "hosted"]
#: huggingface_hub's DEFAULT_REVISION: asking for it is asking for the default branch.
DEFAULT_BRANCH = "main"


def revision_key(revision: str | None) -> str | None:
    """The revision as references and models are matched on: ``None`` for the default branch however it
    is written (no revision, ``""``, ``"main"``), a commit sha in lower case, anything else (a tag, another
    branch) as written. Resolving, grouping and reading a saved report all use this one key, so a model
    and the references that load it can never disagree about which revision they name."""
    if revision is None:
        return None
    text = revision.strip()
    if not text or text == DEFAULT_BRANCH:
        return None
    return text.lower() if COMMIT_SHA.fullmatch(text) else text


class Severity(enum.Enum):
    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    def __str__(self) -> str:
        # What users and reports call it ("low"), in f-strings and str() alike, not "Severity.LOW".
        return self.value

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]

    def __lt__(self, other: Severity) -> bool:
        return self.rank < other.rank

    def __le__(self, other: Severity) -> bool:
        return self.rank <= other.rank

    def __gt__(self, other: Severity) -> bool:
        return self.rank > other.rank

    def __ge__(self, other: Severity) -> bool:
        return self.rank >= other.rank

    @classmethod
    def parse(cls, value: str) -> Severity:
        try:
            return cls(value.lower())
        except ValueError:
            names = ", ".join(s.value for s in cls)
            raise ValueError(f"unknown severity {value!r} (expected one of: {names})") from None


_SEVERITY_RANK = {s: i for i, s in enumerate(Severity)}


class ModelStatus(str, enum.Enum):
    """What the resolvers could learn about a model id (DESIGN.md, models[].status)."""

    RESOLVED = "resolved"
    NOT_FOUND = "not-found"
    DISABLED = "disabled"
    REVISION_NOT_FOUND = "revision-not-found"
    UNRESOLVED = "unresolved"
    API = "api"
    #: A model of one of the user's own organisations (``internal_orgs``): never looked up on the Hub.
    INTERNAL = "internal"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Location:
    path: str
    line: int
    column: int | None = None


@dataclass(frozen=True, slots=True)
class Reference:
    """One literal occurrence of a model id in a file.

    ``path`` is relative to the scan root with ``/`` separators; ``line`` and ``column`` are 1-based and
    point at the first character of the id as written.
    """

    model: str
    path: str
    line: int
    column: int
    detector: str
    revision: str | None = None
    trust_remote_code: bool = False
    #: The API that loads the model, when the detector knows it (``transformers.AutoModel.from_pretrained``).
    loader: str | None = None
    #: ``"hub"`` for a Hugging Face repo id, ``"api"`` for a vendor's API model name such as ``gpt-4o``,
    #: ``"internal"`` for a repo of an organisation listed in ``internal_orgs`` (never looked up), or one of
    #: the ``DOORS``: ``"ollama"`` (an Ollama library tag), ``"modelscope"`` (a ModelScope repo),
    #: ``"hosted"`` (open weights served by a third party's API).
    kind: ReferenceKind = "hub"
    #: For ``kind == "api"``: who serves the model (``OpenAI``).
    api_vendor: str | None = None
    #: For the doors: who serves or distributes the model (``OpenRouter``, ``Amazon Bedrock``, ``Ollama``,
    #: ``ModelScope``).
    provider: str | None = None
    #: The id to resolve when it differs from what is written: loaders that complete short names
    #: (``all-MiniLM-L6-v2`` -> ``sentence-transformers/all-MiniLM-L6-v2``).
    lookup_id: str | None = None
    #: Inline suppression found on the reference's line: ``None`` when there is none, an empty
    #: frozenset for a bare ``model-risk: ignore``, otherwise the rule names or codes listed.
    ignore: frozenset[str] | None = None
    #: How sure the detector is that this names a model: ``certain`` (a loading call, a model flag or
    #: key), ``likely`` (a known model publisher's ``ORG/NAME`` in any text), ``possible`` (an
    #: ``ORG/NAME``-shaped string in a model-ish context). See docs/detection.md.
    confidence: Literal["certain", "likely", "possible"] = "certain"
    #: The lines (first, last) of the calls seen loading this id, when they are not where the id is written
    #: (``MODEL = "org/x"`` ... ``from_pretrained(MODEL, trust_remote_code=True)``): what the call says
    #: (revision, trust_remote_code) is the reference's too, so a change there is a change to it.
    call_lines: tuple[tuple[int, int], ...] = ()
    #: How the id was checked once the scan resolved it: ``hub`` (asked now), ``lockfile``, ``cache``
    #: (an earlier Hub answer), ``resolver`` (a resolver plugin), ``door`` (an Ollama, ModelScope or
    #: hosted name tied to published weights the Hub has, or that Ollama's registry serves) or ``unverified`` (nothing could say:
    #: offline and unknown, the Hub unreachable, the scan's verification budget spent, an API or an
    #: internal model). Set after resolving (:mod:`model_risk.app.verification`); empty until then.
    verified_by: str = ""
    #: What part of the project the file belongs to: ``code``, ``config``, ``docs``, ``tests`` or
    #: ``examples`` (path conventions, configurable). Set after detection, from the path; empty until then.
    scope: str = ""

    @property
    def revision_pinned(self) -> bool:
        """True when the revision is a full commit sha: a branch or tag can move under you."""
        return self.revision is not None and COMMIT_SHA.fullmatch(self.revision) is not None

    @property
    def resolve_id(self) -> str:
        return self.lookup_id or self.model

    @property
    def door(self) -> str | None:
        """The door the weights are reached through (``ollama``, ``modelscope``, ``hosted``), None for the Hub,
        a vendor's API or an internal model."""
        return self.kind if self.kind in DOORS else None

    @property
    def location(self) -> Location:
        return Location(self.path, self.line, self.column)

    def written_on(self, lines: Callable[[int], bool]) -> Location | None:
        """Where this reference is touched by the lines ``lines`` accepts: the id's own line, else the
        first line of a call loading it; None when neither is."""
        if lines(self.line):
            return self.location
        for first, last in self.call_lines:
            if any(lines(n) for n in range(first, last + 1)):
                return Location(self.path, first)
        return None

    def ignores(self, rule_name: str, rule_code: str) -> bool:
        if self.ignore is None:
            return False
        return not self.ignore or rule_name in self.ignore or rule_code in self.ignore


@dataclass(frozen=True, slots=True)
class Note:
    """Something the user should know that is not a finding: a skipped file, a parse error, a Hub fault."""

    message: str
    path: str | None = None
    line: int | None = None
    level: Literal["info", "warning", "error"] = "warning"

    def render(self) -> str:
        where = ""
        if self.path:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        return f"{where}{self.message}"


#: What a license condition is about. Conditions are written ``"KIND: text"`` so that every report shows the
#: kind and rules can select on it (``license.condition_kinds``); docs/licenses.md describes each kind.
CONDITION_KINDS = (
    "attribution",        # credit the licensor: "Built with Llama", a NOTICE file, the license passed on
    "naming",             # derived models must carry a name ("Llama" at the start of the name)
    "output-use",         # what outputs may (not) be used for: training other models, distillation
    "user-threshold",     # a user or revenue size above which the grant ends or another license is needed
    "territory",          # places where the grant does not apply (the EU for Llama 3.2 multimodal models)
    "acceptable-use",     # an acceptable-use policy or use-based restrictions, usually to be passed on
    "registration",       # commercial use needs registering with, or asking, the licensor first
    "non-commercial",     # what the license allows instead of commercial use (research, evaluation)
    "share-alike",        # adaptations must be shared under the same license
    "no-derivatives",     # modified or fine-tuned weights may not be shared
    "other",
)


def condition_kind(condition: str) -> str:
    """The kind a ``"KIND: text"`` condition names, ``other`` when it names none."""
    head, sep, _ = condition.partition(":")
    kind = head.strip().lower()
    return kind if sep and kind in CONDITION_KINDS else "other"


@dataclass(frozen=True, slots=True)
class LicenseFacts:
    """A model's license: what the Hub says, and what model-risk's tables make of it."""

    #: The Hub's license id as written in the model card (``apache-2.0``, ``llama3.1``, ``other``).
    hub: str | None
    #: A human-readable name (``Apache License 2.0``); for ``other`` the card's ``license_name``.
    name: str | None = None
    spdx: str | None = None
    osi: bool | None = None
    #: True: commercial use allowed; False: forbidden; None: unknown.
    commercial: bool | None = None
    #: Conditions attached to use, commercial use above all: ``"KIND: text"`` (see CONDITION_KINDS).
    conditions: tuple[str, ...] = ()
    link: str | None = None
    #: The card's own ``license_name``, kept so the facts can be stored and classified again.
    declared_name: str | None = None

    @property
    def commercial_use(self) -> Literal["yes", "no", "conditional", "unknown"]:
        """Commercial use as a lawyer would first ask it: allowed, forbidden, allowed with conditions, or
        not known to model-risk."""
        if self.commercial is None:
            return "unknown"
        if not self.commercial:
            return "no"
        return "conditional" if self.conditions else "yes"

    @property
    def condition_kinds(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(condition_kind(c) for c in self.conditions))

    @property
    def key(self) -> str | None:
        """The license as the tables and rule packs name it: the card's ``license_name`` for
        ``license: other``, else the Hub id (``llama3.1``, ``apache-2.0``)."""
        if (self.hub or "").lower() == "other" and self.declared_name:
            return self.declared_name
        return self.hub or self.declared_name


@dataclass(frozen=True, slots=True)
class LineageLink:
    """One edge of a model's lineage graph: ``child`` is built on ``parent``."""

    child: str
    parent: str
    #: ``finetune``, ``quantized``, ``adapter``, ``merge``, ``distillation`` ... as the card or Hub says.
    relation: str | None = None
    #: Where the edge comes from: ``card`` (``base_model``, the Hub's tags), ``table`` (model-risk's lineage
    #: table, for official cards that omit their base), or ``name`` (a guess from a derivative's name, such
    #: as ``-GGUF`` or ``-Distill-Qwen-``, made when nothing else names a base: never used to judge a license).
    origin: str = "card"
    #: Whose weights the parent is (its vendor, by the vendor table).
    parent_vendor: str | None = None

    @property
    def guessed(self) -> bool:
        return self.origin == "name"


@dataclass(frozen=True, slots=True)
class LineageLicense:
    """A license met along a model's lineage: whose card states it, and how far up."""

    model: str
    license: LicenseFacts
    #: Generations above the model (0: the model's own card).
    depth: int = 0


@dataclass(frozen=True, slots=True)
class EffectiveLicense:
    """The terms that govern a model: the most restrictive license along its whole lineage (every parent),
    with every condition met on the way, since a derivative must honour them all."""

    #: The governing license; its ``conditions`` are those of every license along the lineage.
    license: LicenseFacts
    #: The model whose card states the governing license, and the path from this model to it.
    source: str
    path: tuple[str, ...]
    #: The ancestor whose known terms are stricter than what this model's own card claims, when one is
    #: (the rule ``inherited-license``); None when the card's terms are at least as strict as every ancestor's.
    inherited_from: str | None = None
    #: Every license met along the lineage, the model's own first.
    licenses: tuple[LineageLicense, ...] = ()
    #: Ancestors whose terms are not known (not looked up, or no license in their card).
    unknown: tuple[str, ...] = ()

    @property
    def inherited(self) -> bool:
        return self.inherited_from is not None

    def license_of(self, model_id: str) -> LicenseFacts | None:
        wanted = model_id.lower()
        return next((entry.license for entry in self.licenses if entry.model.lower() == wanted), None)


@dataclass(frozen=True, slots=True)
class Drift:
    """One fact that differs between the lockfile and the Hub today."""

    field: str
    locked: str | None
    current: str | None


#: How much work or review a change means, least first (``Change.effort``, ``Alternative.effort``).
EFFORT_LEVELS = ("small", "medium", "large")


@dataclass(frozen=True, slots=True)
class ModelProfile:
    """What a migration needs to know about one model: what it is for, how big it is, how it is used, where
    it runs and under what terms. Read from the Hub's metadata and the repository's small config files
    (``config.json``, ``tokenizer_config.json``), or from model-risk's table of well-known substitutes;
    any fact may be unknown (``None``, or empty)."""

    #: The Hub's ``pipeline_tag``.
    task: str | None = None
    #: ``text``, ``image``, ``audio``, ``video`` or ``multimodal``.
    modality: str | None = None
    #: What the model is for, beyond its task: ``chat`` (instruction-tuned, has a chat template),
    #: ``base``, ``code``, ``math``, ``reasoning``, ``embedding``.
    purposes: tuple[str, ...] = ()
    #: ``config.json``'s first architecture (``Qwen2ForCausalLM``) and its ``model_type`` (``qwen2``).
    architecture: str | None = None
    model_type: str | None = None
    #: Every parameter (memory), and those used per token (compute): they differ for a mixture of experts.
    parameters: int | None = None
    active_parameters: int | None = None
    #: How ``active_parameters`` is known: ``stated`` (the vendor says so) or ``estimated`` (from config.json).
    active_basis: str | None = None
    experts: int | None = None
    experts_per_token: int | None = None
    #: Longest input in tokens (``max_position_embeddings``; an embedder's ``max_seq_length``).
    context_length: int | None = None
    #: Languages the card names (``multilingual`` when it says only that).
    languages: tuple[str, ...] = ()
    #: The chat template's family (``chatml``, ``llama3``, ``mistral`` ...); ``none`` for a model without one.
    chat_template: str | None = None
    #: An embedder's vector size (``hidden_size``).
    embedding_dimension: int | None = None
    library: str | None = None
    #: The repository needs ``trust_remote_code=True`` (its own modelling code).
    custom_code: bool | None = None
    #: The governing license (the effective one along the lineage), its commercial use and conditions.
    license: str | None = None
    commercial_use: str | None = None
    license_conditions: tuple[str, ...] = ()
    #: The vendor at the root of the lineage, its country, and every root vendor.
    vendor: str | None = None
    country: str | None = None
    root_vendors: tuple[str, ...] = ()
    #: Whose repository it is (a fine-tune's publisher; the vendor at the root may be another).
    publisher: str | None = None
    #: Serving engines known to run the architecture (``vllm``, ``tgi``, ``tei``).
    engines: tuple[str, ...] = ()
    #: Re-packaged variants found on the Hub: (format, repo id), format ``gguf``, ``awq``, ``gptq``, ``mlx``.
    variants: tuple[tuple[str, str], ...] = ()
    #: Where the facts come from: ``hub``, ``config.json``, ``tokenizer_config.json``, ``table 2026-12-07`` ...
    sources: tuple[str, ...] = ()

    @property
    def mixture_of_experts(self) -> bool:
        return bool(self.experts and self.experts > 1) or (
            self.active_parameters is not None and self.parameters is not None
            and self.active_parameters < self.parameters * 0.9)

    @property
    def compute_parameters(self) -> int | None:
        """The parameters that do the work per token: the active ones of a mixture of experts, else all."""
        return self.active_parameters if self.active_parameters is not None else self.parameters

    def formats(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(fmt for fmt, _ in self.variants))


@dataclass(frozen=True, slots=True)
class Change:
    """One thing a team has to do or accept when it moves to a replacement."""

    #: ``re-embedding``, ``chat-template``, ``license``, ``context``, ``jurisdiction``, ``serving``,
    #: ``format``, ``size``, ``languages``, ``library``, ``reasoning``, ``custom-code``, ``unknown``.
    kind: str
    text: str
    #: How much work or review it means: one of EFFORT_LEVELS.
    effort: str = "small"


@dataclass(frozen=True, slots=True)
class Alternative:
    """A suggested replacement for a model: the same task and purpose, a comparable size, an accepted
    effective license, from another root vendor; with its facts, why it was chosen and what changes."""

    id: str
    root_vendor: str | None
    #: A short license label (SPDX id where there is one) of the effective license.
    license: str | None
    parameters: int | None
    downloads: int | None = None
    pipeline_tag: str | None = None
    library_name: str | None = None
    #: Why it qualifies, in one line.
    why: str = ""
    #: Its facts (see ModelProfile); None for suggestions recorded before model-risk kept them.
    profile: ModelProfile | None = None
    #: Why it was chosen, one reason each.
    reasons: tuple[str, ...] = ()
    #: What changes for the team if it moves to this model.
    changes: tuple[Change, ...] = ()
    #: Where it came from: ``hub`` (the Hub's listing), ``table`` (model-risk's substitutes table), or both.
    origin: str = "hub"

    @property
    def effort(self) -> str:
        """The largest effort among the changes (``small`` when nothing changes but the model)."""
        return max((c.effort for c in self.changes), key=EFFORT_LEVELS.index, default="small")


#: ``ModelFacts.alternatives_note`` of an offline scan for a model whose replacements were never recorded.
ALTERNATIVES_NOT_RECORDED = ("not looked up offline, and none recorded in model-risk.lock: run "
                             "`model-risk alternatives MODEL` online to record them")


@dataclass(frozen=True, slots=True)
class ModelFacts:
    """What is known about one model (a Hub repo at a revision, or a hosted API model)."""

    id: str
    status: ModelStatus
    reason: str | None = None
    #: Other spellings that led to this model (legacy ids, renamed repos, short names).
    aliases: tuple[str, ...] = ()
    #: Ids the Hub redirected to this one (renamed or moved repos): a subset of ``aliases``.
    redirected_from: tuple[str, ...] = ()
    #: The revision the references asked for; ``None`` means the default branch.
    revision: str | None = None
    author: str | None = None
    vendor: str | None = None
    vendor_country: str | None = None
    root_vendor: str | None = None
    root_vendor_country: str | None = None
    #: This model, then its (first) base model, then that one's ... up to the root. Every parent, merges
    #: included, is in ``lineage_links``.
    lineage: tuple[str, ...] = ()
    base_models: tuple[str, ...] = ()
    #: How this model relates to its base (``finetune``, ``quantized``, ``adapter``, ``merge``).
    base_relation: str | None = None
    license: LicenseFacts | None = None
    #: ``False``, ``"auto"`` or ``"manual"`` as the Hub reports it.
    gated: bool | str = False
    sha: str | None = None
    #: Weight formats present in the repo (``safetensors``, ``gguf``, ``onnx``, ``pickle`` ...).
    formats: tuple[str, ...] = ()
    downloads: int | None = None
    likes: int | None = None
    created_at: str | None = None
    last_modified: str | None = None
    library_name: str | None = None
    pipeline_tag: str | None = None
    #: Repo ships its own modelling code (``custom_code`` tag): loading needs ``trust_remote_code``.
    custom_code: bool = False
    #: Model-card fields a report may show (``architectures``, ``languages``, ``datasets``, ``parameters``).
    card: tuple[tuple[str, object], ...] = ()
    #: Where these facts came from: ``lockfile``, ``cache``, ``hub`` or a plugin's name.
    source: str | None = None
    #: Facts that changed since the lockfile was written.
    drift: tuple[Drift, ...] = ()
    #: Suggested replacements (for a model with a finding that calls for one; see ``alternatives``).
    alternatives: tuple[Alternative, ...] = ()
    #: Why ``alternatives`` is empty although they were asked for: none qualified, or the lookup failed.
    alternatives_note: str | None = None
    #: Every edge of the lineage graph (all parents of every generation, to the depth limit), walk order.
    lineage_links: tuple[LineageLink, ...] = ()
    #: The vendors at every root of the lineage graph, ``root_vendor`` (the first parent's root) first.
    root_vendors: tuple[str, ...] = ()
    #: The terms that govern the model along its lineage; None when no license is known anywhere on it.
    effective_license: EffectiveLicense | None = None
    #: For a model reached through one of the ``DOORS`` (an Ollama tag, a ModelScope repo, a hosting
    #: provider's id): which door, and who serves or distributes it. Its ``base_models`` name the Hub repo of
    #: the weights behind it, when model-risk knows them.
    door: str | None = None
    provider: str | None = None

    @property
    def kind(self) -> str:
        """How the project gets the model: ``hub``, ``api``, ``internal`` or one of the ``DOORS``."""
        if self.door is not None:
            return self.door
        if self.status is ModelStatus.API:
            return "api"
        return "internal" if self.status is ModelStatus.INTERNAL else "hub"

    @property
    def pinned(self) -> bool:
        """At a fixed revision: a commit sha (the Hub, ModelScope) or a content digest (Ollama's
        ``@sha256:``). A branch, a tag or nothing moves with the next push."""
        return self.revision is not None and (COMMIT_SHA.fullmatch(self.revision) is not None
                                              or CONTENT_DIGEST.fullmatch(self.revision) is not None)

    @property
    def weights_key(self) -> str:
        """The weights this model is, for counting distinct models: a door's Hub repo when it is known (the
        same weights through Ollama and the Hub are one dependency), else its own id; lower case."""
        if self.door is not None and self.base_models:
            return self.base_models[0].lower()
        return self.id.lower()

    @property
    def is_resolved(self) -> bool:
        return self.status is ModelStatus.RESOLVED

    @property
    def governing_license(self) -> LicenseFacts | None:
        """The license every license question is judged on: the effective license along the lineage where
        it was worked out, else the card's own (an API model has neither)."""
        if self.effective_license is not None:
            return self.effective_license.license
        return self.license

    @property
    def ancestors(self) -> tuple[str, ...]:
        """Every model this one is built on, each once, nearest first (guessed parents included)."""
        return tuple(dict.fromkeys(link.parent for link in self.lineage_links))

    @property
    def lineage_guessed(self) -> bool:
        """Part of the lineage is a guess from a model's name (no card or table named that base)."""
        return any(link.guessed for link in self.lineage_links)

    @property
    def unchecked(self) -> bool:
        """Nobody could say what this model is: offline and neither locked nor cached, or the Hub did not
        answer. Its license, vendor and availability are unknown, so no rule can clear it."""
        return self.status is ModelStatus.UNRESOLVED

    def card_value(self, key: str) -> object:
        for name, value in self.card:
            if name == key:
                return value
        return None


@dataclass(frozen=True, slots=True)
class Suppression:
    kind: Literal["inline", "baseline", "allowlist"]
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    code: str
    severity: Severity
    message: str
    #: The canonical model id; ``None`` for a project-wide finding.
    model: str | None = None
    #: For vendor findings (``single-vendor-weights``): the vendor concerned.
    vendor: str | None = None
    locations: tuple[Location, ...] = ()
    #: Locations where an inline comment silenced this rule, kept so reports can show them. ``locations``
    #: holds the active ones, or all of them when every one is silenced (then the finding is suppressed).
    suppressed_locations: tuple[Location, ...] = ()
    suppressed: Suppression | None = None
    #: Stable across runs and code moves: rule + model or vendor. Used by baselines and SARIF.
    fingerprint: str = ""
    #: The part of the project its locations are in that decides whether it can fail the build: the first
    #: one that counts for ``--fail-on`` (``code``, ``config`` ...), else the first one (``docs``).
    scope: str | None = None
    #: False when every location is in a scope that does not count for ``--fail-on`` (docs and tests by
    #: default): the finding is reported but cannot fail the build. See ``ScanResult.fails_build``.
    scope_counts: bool = True
    #: True when every reference behind it is a ``possible`` candidate nothing could verify (offline and
    #: unknown, the verification budget spent): reported, but it cannot fail the build either.
    unverified: bool = False

    @property
    def active(self) -> bool:
        return self.suppressed is None


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """A rule as reporters need to describe it (SARIF ``tool.driver.rules``, docs, ``model-risk rules``)."""

    code: str
    name: str
    severity: Severity
    pack: str
    summary: str
    why: str = ""
    fix: str = ""
    example: str = ""
    example_language: str = "python"
    scope: str = "model"
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ModelUse:
    """One model with the references that load it."""

    facts: ModelFacts
    references: tuple[Reference, ...]

    @property
    def locations(self) -> tuple[Location, ...]:
        return tuple(r.location for r in self.references)


#: ``Reference.verified_by`` values, and the ``ModelFacts.source`` values they come from.
VERIFIED_BY = ("hub", "lockfile", "cache", "resolver", "door", "unverified")


def verified_by(facts: ModelFacts | None) -> str:
    """How a reference to the model with these facts was checked (see ``Reference.verified_by``): the
    source of a definite answer about the repository, or ``unverified``."""
    if facts is None or facts.status in (ModelStatus.UNRESOLVED, ModelStatus.API, ModelStatus.INTERNAL):
        return "unverified"
    if facts.source in ("hub", "lockfile", "cache"):
        return facts.source
    if facts.source in DOORS:  # resolved: the weights behind the name were found
        return "door"
    return "resolver" if facts.source not in (None, "none", "error", "api", "internal") else "unverified"


@dataclass(frozen=True)
class VerificationSummary:
    """What checking the scan's references cost and changed: references below ``certain`` whose id the
    Hub, the lockfile or the cache confirmed or denied, those left out because the repository is not a
    model there, those nothing could verify, and the requests the scan sent to the Hub."""

    checked: int = 0
    dropped: int = 0
    unverified: int = 0
    #: HTTP requests sent to the Hub during the scan (lookups, retries, listings, lineage, drift).
    hub_requests: int = 0
    #: Organisations whose models were listed to answer many candidates at once.
    listings: int = 0
    #: Candidate lookups not sent because the scan's verification budget (``hub.verify-limit``) was spent.
    skipped: int = 0


@dataclass(frozen=True, slots=True)
class KnowledgeOverlay:
    """A project's correction of the bundled tables (the ``knowledge:`` setting)."""

    #: The file, relative to the project (as the configuration names it).
    path: str
    #: The date its author says the corrections were checked.
    as_of: str
    #: The first 12 hex digits of the file's SHA-256, so two reports can tell the same overlay apart.
    digest: str
    #: The tables it corrects or extends (``licenses``, ``lineage`` ...).
    tables: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class KnowledgeStamp:
    """The knowledge a scan judged by: model-risk's bundled tables and the project's overlays."""

    #: Identifies the tables in force: a digest of the bundled tables and every overlay.
    version: str
    #: The date the bundled tables were last checked against their sources (the oldest table's).
    as_of: str
    #: Each bundled table's own date.
    tables: tuple[tuple[str, str], ...] = ()
    overlays: tuple[KnowledgeOverlay, ...] = ()


@dataclass(frozen=True, slots=True)
class ScanResult:
    """Everything one scan learned. Reporters turn it into documents."""

    tool_version: str
    root: str
    files_scanned: int
    references: tuple[Reference, ...]
    models: tuple[ModelFacts, ...]
    findings: tuple[Finding, ...]
    rules: tuple[RuleInfo, ...] = ()
    notes: tuple[Note, ...] = ()
    fail_on: Severity | None = Severity.HIGH
    #: True when the scan used no network (``--offline``).
    offline: bool = False
    #: ISO-8601 UTC time the scan started.
    started_at: str = ""
    #: Diff-aware scans: the git ref the findings were compared against.
    diff_base: str | None = None
    #: The scan root relative to the top of its git work tree (``/`` separators, ``""`` at the top), or
    #: ``None`` outside git. Code scanning needs repository-relative paths; reference paths are root-relative.
    repository_path: str | None = None
    #: Which repository was scanned (``model-risk merge`` names reports by it): its name (``owner/name``
    #: from the remote, else the scan root's folder name), remote URL without credentials, commit, branch.
    repository: str | None = None
    remote_url: str | None = None
    commit: str | None = None
    branch: str | None = None
    #: Which references load which model: for each entry of ``models``, in the same order, the positions
    #: in ``references`` of the references grouped under it when the scan resolved them. Carried so that
    #: no reporter has to match references to models again (and so none can match them differently).
    model_references: tuple[tuple[int, ...], ...] = ()
    #: The scanned project's name: its git work tree's directory name, else the scan root's. Reports name
    #: the project with it (the CycloneDX BOM's ``metadata.component``); never a path.
    project: str | None = None
    #: Which knowledge tables judged the models (their version and date, and the project's overlays).
    knowledge: KnowledgeStamp | None = None
    #: Fail the run when a model could not be checked (``--fail-on-unchecked``).
    fail_on_unchecked: bool = False
    #: What verifying the references cost and changed (online: Hub requests, candidates left out).
    verification: VerificationSummary = VerificationSummary()

    def __post_init__(self) -> None:
        if len(self.model_references) != len(self.models):
            raise ValueError(f"model_references has {len(self.model_references)} entries for "
                             f"{len(self.models)} models")
        count = len(self.references)
        if any(not 0 <= i < count for positions in self.model_references for i in positions):
            # Caught here, where the result is made, not in whichever reporter first reads the grouping.
            raise ValueError(f"model_references points past the {count} references")

    @classmethod
    def of_uses(cls, *, references: Sequence[Reference], uses: Sequence[ModelUse], **fields: Any) -> ScanResult:
        """A result whose ``models`` and grouping are ``uses``, against ``references`` (the references the
        scan keeps, in report order). The one way a grouping is made: a use's references are matched by
        identity (the same id written twice on a line is two references), and those not among
        ``references`` are left out, a use left with none with them."""
        position = {id(ref): i for i, ref in enumerate(references)}
        models: list[ModelFacts] = []
        grouping: list[tuple[int, ...]] = []
        for use in uses:
            kept = tuple(sorted(position[id(r)] for r in use.references if id(r) in position))
            if kept or not use.references:
                models.append(use.facts)
                grouping.append(kept)
        return cls(references=tuple(references), models=tuple(models), model_references=tuple(grouping), **fields)

    def restricted(self, keep: Callable[[Reference], bool]) -> ScanResult:
        """The result with only the references ``keep`` accepts: the grouping is made again, a model left
        without references goes with its findings, and findings keep only locations that remain."""
        kept_refs = [r for r in self.references if keep(r)]
        uses = self.uses()
        result = ScanResult.of_uses(references=kept_refs, uses=uses, **self._other_fields())
        remaining = {m.id for m in result.models}
        gone = {u.facts.id for u in uses} - remaining
        places = {(r.path, r.line) for r in kept_refs}
        findings = []
        for finding in self.findings:
            if finding.model is not None and finding.model in gone:
                continue
            locations = tuple(loc for loc in finding.locations if (loc.path, loc.line) in places)
            silenced = tuple(loc for loc in finding.suppressed_locations if (loc.path, loc.line) in places)
            if finding.model is not None and (finding.locations or finding.suppressed_locations) \
                    and not locations and not silenced:
                continue  # every place it was found is gone
            findings.append(dataclasses.replace(finding, locations=locations, suppressed_locations=silenced))
        return dataclasses.replace(result, findings=tuple(findings))

    def _other_fields(self) -> dict[str, Any]:
        grouping = {"references", "models", "model_references"}
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name not in grouping}

    def uses(self) -> list[ModelUse]:
        """Every model with the references that load it, in the order of ``models``."""
        refs = self.references
        return [ModelUse(model, tuple(refs[i] for i in positions))
                for model, positions in zip(self.models, self.model_references, strict=True)]

    def active_findings(self) -> list[Finding]:
        return [f for f in self.findings if f.active]

    def fails_build(self, finding: Finding) -> bool:
        """Does ``finding`` fail this run? Active (not suppressed), in a scope that counts, not only about unverified candidates, and at or above
        ``--fail-on``. Every report and the exit status ask this, and only this."""
        return (self.fail_on is not None and finding.active and finding.scope_counts and not finding.unverified
                and finding.severity >= self.fail_on)

    def failing_findings(self) -> list[Finding]:
        return [f for f in self.findings if self.fails_build(f)]

    def unchecked_models(self) -> list[ModelFacts]:
        """The distinct models nobody could check (see ``ModelFacts.unchecked``). A model that only
        ``possible`` references name is not one: nothing says it is a model at all, so it is counted as an
        unverified candidate (``verification.unverified``) and never fails the build."""
        refs = self.references
        firm = {facts.id.lower() for facts, positions in zip(self.models, self.model_references, strict=True)
                if not positions or any(refs[i].confidence != "possible" for i in positions)}
        return [m for m in distinct_hub_models(self.models).values() if m.unchecked and m.id.lower() in firm]

    @property
    def failed(self) -> bool:
        """Does this run fail the build: a failing finding, or (with ``--fail-on-unchecked``) a model that
        could not be checked."""
        if self.failing_findings():
            return True
        return self.fail_on_unchecked and bool(self.unchecked_models())

    def model(self, model_id: str) -> ModelFacts | None:
        for facts in self.models:
            if facts.id == model_id:
                return facts
        return None


def distinct_hub_models(models: Iterable[ModelFacts]) -> dict[str, ModelFacts]:
    """Distinct Hub repositories by lower-cased canonical id, first seen first: a model pinned at two
    revisions counts once, API models not at all. Vendor shares and concentration count these."""
    distinct: dict[str, ModelFacts] = {}
    for model in models:
        if model.status is not ModelStatus.API:
            distinct.setdefault(model.id.lower(), model)
    return distinct


def root_vendor_of(model: ModelFacts) -> str:
    """The vendor a model's weights come from at the root of its lineage, for counting shares."""
    return model.root_vendor or model.vendor or "unknown"


def root_vendors_of(model: ModelFacts) -> tuple[str, ...]:
    """Every vendor at a root of the model's lineage graph (a merge of a vision tower and a language model
    has two), the first parent's first."""
    return tuple(dict.fromkeys((root_vendor_of(model), *model.root_vendors)))
