"""How a set of models depends on vendors: one view joining open weights and API models, their
concentration, and how exposed each use is.

A model counts for its *root* vendor: the vendor of the last model in its lineage, so a DeepSeek
distillation of Qwen and a community GGUF of it both count for Alibaba. An API model (``gpt-4o``,
``qwen-max``) counts for the vendor that serves it. Each use says how exposed it is to that vendor
changing course:

* ``api``: served by the vendor; stops working if the API changes or closes;
* ``hosted``: the vendor's open weights served by a third party's API (OpenRouter, Together, Bedrock ...):
  the provider may keep serving a release it has, but new releases stop with the vendor, and the
  provider can retire the model at any time;
* ``unpinned``: the vendor's own weights, loaded without a commit sha: the next release, or a new
  license, reaches the project at the next download;
* ``pinned``: the vendor's own weights at a commit sha: the weights (and the license they came with)
  stay until someone upgrades; ``locked`` says whether model-risk.lock records their facts;
* ``derived``: someone else's model built on the vendor's base (fine-tune, quantisation, distillation):
  it inherits the base's license, and its future depends on the vendor's next base.

Ollama tags and ModelScope repositories count like Hub downloads of the weights they are (an Ollama tag
moves like a branch unless pinned by digest); a hosted model counts as ``hosted`` whoever's weights it
serves. The same weights reached through several doors are one model for concentration.

Concentration is measured over the distinct models the project uses (a repo at two revisions counts
once) whose references are in counted scopes (by default not docs and tests): the top vendor's share
and the Herfindahl-Hirschman index, the sum of squared percentage shares (0-10,000). A model whose
vendor is not known counts as a vendor of its own, so unknown models never add up to a fictitious
large vendor.

The functions take models with their references, not a ScanResult, so the rule engine (before the
result exists), the reports (from a result or a saved JSON report) and merged reports share them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from model_risk.contract.domain import ModelFacts, ModelStatus, Reference, root_vendor_of, root_vendors_of
from model_risk.knowledge.scopes import conventional_scope

#: Exposure levels, most exposed first. ``--fail-on-exposure LEVEL`` fails on LEVEL and those before it.
EXPOSURE_LEVELS = ("api", "hosted", "unpinned", "pinned", "derived")
EXPOSURE_TITLES = {
    "api": "API use (stops working if the API changes or closes)",
    "hosted": ("open weights served by a third-party API (the provider may keep serving an old release; "
               "new releases stop with the vendor)"),
    "unpinned": "unpinned open weights (the next release or a license change reaches you)",
    "pinned": "pinned open weights (safe until you upgrade)",
    "derived": "models built on the vendor's base (they inherit its license)",
}

#: Reference scopes that do not count towards concentration unless configured otherwise: a model named
#: in a README or a test fixture is not one the product depends on.
UNCOUNTED_SCOPES = frozenset({"docs", "tests"})
UNKNOWN_VENDOR = "unknown"

#: Concentration bands of the US merger guidelines (see docs/vendors.md for the sources).
HHI_MODERATE = 1000
HHI_HIGH = 1800

def scope_of(reference: Reference) -> str:
    """The reference's scope: the one detection recorded, else the path conventions (older reports)."""
    return reference.scope or conventional_scope(reference.path)


@dataclass(frozen=True)
class VendorUse:
    """One model (at one revision) of a vendor, with the references that load it."""

    facts: ModelFacts
    references: tuple[Reference, ...]
    #: ``own`` (the vendor's repo), ``derived`` (built on its base) or ``api``.
    relation: str
    #: Whether the model counts towards concentration (some reference is in a counted scope).
    counted: bool

    @property
    def kind(self) -> str:
        return "api" if self.relation == "api" else "open-weights"

    @property
    def pinned(self) -> bool:
        return self.facts.pinned

    @property
    def locked(self) -> bool:
        """Its facts at this revision are recorded in model-risk.lock."""
        return self.facts.source == "lockfile"

    @property
    def exposure(self) -> str:
        if self.relation == "api":
            return "api"
        if self.facts.door == "hosted":
            return "hosted"
        if self.relation == "derived":
            return "derived"
        return "pinned" if self.pinned else "unpinned"


@dataclass(frozen=True)
class VendorEntry:
    vendor: str
    country: str | None
    uses: tuple[VendorUse, ...]
    #: Distinct counted models of this vendor, and of the whole project.
    models: int
    total: int

    @property
    def share(self) -> float:
        return self.models / self.total if self.total else 0.0

    def distinct(self, kind: str | None = None) -> int:
        """Distinct models (counted or not), optionally of one kind (``open-weights`` or ``api``). The same
        weights through several doors (the Hub, Ollama, a hosting provider) are one model."""
        return len({u.facts.weights_key for u in self.uses if kind is None or u.kind == kind})

    @property
    def references(self) -> tuple[Reference, ...]:
        seen: dict[tuple[str, int, int], Reference] = {}
        for use in self.uses:
            for ref in use.references:
                seen.setdefault((ref.path, ref.line, ref.column), ref)
        return tuple(seen[k] for k in sorted(seen))

    @property
    def counted_references(self) -> tuple[Reference, ...]:
        return tuple(r for u in self.uses if u.counted for r in u.references)


@dataclass(frozen=True)
class Concentration:
    #: Distinct counted models and the vendors behind them.
    models: int
    vendors: int
    top_vendor: str | None
    top_share: float
    #: Herfindahl-Hirschman index over root vendors, 0-10,000.
    hhi: int
    #: The lowest index this many models allow (every model from a different vendor): 10,000 / models.
    floor: int

    @property
    def band(self) -> str:
        return hhi_band(self.hhi, self.models)


@dataclass(frozen=True)
class VendorView:
    vendors: tuple[VendorEntry, ...]
    concentration: Concentration

    def entry(self, vendor: str) -> VendorEntry | None:
        wanted = vendor.lower()
        return next((e for e in self.vendors if e.vendor.lower() == wanted), None)


def hhi_band(hhi: int, models: int = 1) -> str:
    if models == 0:
        return "none"
    if hhi > HHI_HIGH:
        return "highly concentrated"
    if hhi >= HHI_MODERATE:
        return "moderately concentrated"
    return "unconcentrated"


def _relation(facts: ModelFacts, vendor: str | None = None) -> str:
    if facts.status is ModelStatus.API:
        return "api"
    own = (facts.vendor or "").lower()
    return "own" if not own or own == (vendor or root_vendor_of(facts)).lower() else "derived"


def vendor_view(models: Iterable[tuple[ModelFacts, Sequence[Reference]]],
                uncounted_scopes: frozenset[str] = UNCOUNTED_SCOPES) -> VendorView:
    """The vendor view of a project's models, each with the references that load it.

    A model with several roots (a merge of a vision tower and a language model) is a use of each root's
    vendor and counts fully in each vendor's ``models`` and share: it depends on all of them. In the
    Herfindahl-Hirschman index it counts as one model split evenly between them, so the shares it sums
    stay those of the project's distinct models."""
    uses: dict[str, list[VendorUse]] = {}
    countries: dict[str, str | None] = {}
    counted_ids: dict[str, tuple[str, ...]] = {}  # distinct counted model id -> its vendor keys
    for facts, references in models:
        counted = any(scope_of(r) not in uncounted_scopes for r in references) if references else True
        vendors = root_vendors_of(facts)
        for index, vendor in enumerate(vendors):
            uses.setdefault(vendor, []).append(VendorUse(facts, tuple(references), _relation(facts, vendor), counted))
            countries.setdefault(vendor, facts.root_vendor_country if index == 0 else None)
        if counted:
            # An unknown vendor is a vendor of its own per model (see the module docstring).
            keys = tuple(v if v != UNKNOWN_VENDOR else f"{UNKNOWN_VENDOR}:{facts.id.lower()}" for v in vendors)
            counted_ids.setdefault(facts.weights_key, keys)
    total = len(counted_ids)
    per_vendor: dict[str, float] = {}
    for keys in counted_ids.values():
        for key in keys:
            per_vendor[key] = per_vendor.get(key, 0.0) + 1.0 / len(keys)
    entries = [
        VendorEntry(vendor, countries[vendor], tuple(vendor_uses),
                    len({u.facts.weights_key for u in vendor_uses if u.counted}), total)
        for vendor, vendor_uses in uses.items()
    ]
    entries.sort(key=lambda e: (-e.models, -e.distinct(), e.vendor.lower()))
    hhi = round(sum((100.0 * n / total) ** 2 for n in per_vendor.values())) if total else 0
    known = sorted(((e.models, e.vendor) for e in entries if e.vendor != UNKNOWN_VENDOR and e.models),
                   key=lambda item: (-item[0], item[1].lower()))
    top_count, top_vendor = known[0] if known else (0, None)
    concentration = Concentration(models=total, vendors=len(per_vendor), top_vendor=top_vendor,
                                  top_share=top_count / total if total else 0.0, hhi=hhi,
                                  floor=round(10000 / total) if total else 0)
    return VendorView(tuple(entries), concentration)


# -- one vendor's exposure ----------------------------------------------------------------------


@dataclass(frozen=True)
class ExposedReference:
    reference: Reference
    use: VendorUse
    level: str


def exposure_of(vendor: str, models: Iterable[tuple[ModelFacts, Sequence[Reference]]],
                vendor_of: Callable[[str], str | None] | None = None) -> list[ExposedReference]:
    """Every reference exposed to ``vendor``: its API models, its own repos, and every model with a
    repo of the vendor in its lineage (``vendor_of`` maps a repo id to its vendor; without it, only the
    root vendor is looked at). Ordered by level, then location."""
    wanted = vendor.lower()
    exposed: list[ExposedReference] = []
    for facts, references in models:
        own = (facts.vendor or "").lower() == wanted
        ancestors = {v.lower() for v in root_vendors_of(facts)}
        if vendor_of is not None:  # every model it is built on, every parent of a merge included
            ancestors |= {(vendor_of(m) or "").lower() for m in (*facts.lineage[1:], *facts.ancestors)}
        if facts.status is ModelStatus.API:
            relation = "api" if own else None
        elif own:
            relation = "own"
        elif wanted in ancestors:
            relation = "derived"
        else:
            relation = None
        if relation is None:
            continue
        use = VendorUse(facts, tuple(references), relation, counted=True)
        exposed.extend(ExposedReference(ref, use, use.exposure) for ref in references)
    exposed.sort(key=lambda e: (EXPOSURE_LEVELS.index(e.level), e.reference.path, e.reference.line,
                                e.reference.column))
    return exposed
