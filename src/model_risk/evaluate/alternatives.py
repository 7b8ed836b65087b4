"""Which listed models qualify as replacements for a model, and in what order.

A candidate qualifies when it does the same task with the same library (the Hub query asks for that),
has a license the project accepts (OSI-approved without a ban on commercial use, or one the policy
lists), has a size within ``max_ratio`` of the target's (when both are known), is not gated, and comes
from another root vendor than the one being replaced: a Qwen fine-tune by someone else is still
Alibaba's at the root, so it never replaces a Qwen model. Qualifying candidates are ranked by downloads.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from model_risk.contract.domain import Alternative, LicenseFacts, ModelFacts
from model_risk.knowledge import licenses


class Candidate(Protocol):
    """What the Hub says about one listed model (``model_risk.resolve.alternatives.Candidate``)."""

    @property
    def id(self) -> str: ...
    @property
    def downloads(self) -> int | None: ...
    @property
    def parameters(self) -> int | None: ...
    @property
    def license_id(self) -> str | list[str] | None: ...
    @property
    def license_name(self) -> str | None: ...
    @property
    def library_name(self) -> str | None: ...
    @property
    def pipeline_tag(self) -> str | None: ...
    @property
    def gated(self) -> bool | str: ...


C = TypeVar("C", bound=Candidate)

#: Findings (rule names) for which a scan looks for replacements.
TRIGGERING_RULES = frozenset({"non-commercial-license", "non-osi-license", "unknown-license", "vendor-watchlist",
                              "single-vendor-weights", "gated-model", "model-not-found"})


@dataclass(frozen=True)
class AlternativesPolicy:
    #: Look replacements up during scans (``model-risk alternatives`` always does).
    enabled: bool = True
    count: int = 3
    #: Largest size ratio (bigger / smaller) between a replacement and the model.
    max_ratio: float = 2.0
    #: Licenses accepted besides OSI-approved ones: Hub ids, SPDX ids or card names, lower case.
    licenses: frozenset[str] = frozenset()
    #: Seconds one Hub lookup may take, retries included.
    timeout: float = 20.0


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


def human_count(parameters: int) -> str:
    for unit, size in (("T", 10**12), ("B", 10**9), ("M", 10**6), ("K", 10**3)):
        if parameters >= size:
            return f"{parameters / size:.3g}{unit}"
    return str(parameters)


def choose(target: ModelFacts, replaced: Collection[str], parameters: int | None, candidates: Sequence[C],
           policy: AlternativesPolicy, root_vendor_of: Callable[[C], str | None]
           ) -> tuple[list[Alternative], str | None]:
    """Up to ``policy.count`` replacements from vendors other than the ``replaced`` ones (root vendors),
    and, when there are none, a note saying why."""
    excluded = {target.id.lower(), *(m.lower() for m in target.lineage)}
    replaced_lower = {v.lower() for v in replaced}
    rejected: Counter[str] = Counter()
    chosen: list[Alternative] = []
    for candidate in sorted(candidates, key=lambda c: -(c.downloads or 0)):
        if len(chosen) >= policy.count:
            break
        if candidate.id.lower() in excluded:
            rejected["the model itself or its base"] += 1
            continue
        if candidate.gated:
            rejected["gated"] += 1
            continue
        if candidate.pipeline_tag and target.pipeline_tag and candidate.pipeline_tag != target.pipeline_tag:
            rejected["another task"] += 1
            continue
        if candidate.library_name and target.library_name and candidate.library_name != target.library_name:
            rejected["another library"] += 1
            continue
        lic = licenses.classify(candidate.license_id, candidate.license_name)
        if not license_accepted(lic, policy):
            rejected["license not accepted"] += 1
            continue
        ratio = None
        if parameters and candidate.parameters:
            ratio = max(parameters, candidate.parameters) / min(parameters, candidate.parameters)
            if ratio > policy.max_ratio:
                rejected["size"] += 1
                continue
        root = root_vendor_of(candidate)
        if (root or "").lower() in replaced_lower:
            rejected[f"{root} at the root"] += 1
            continue
        size = ""
        if candidate.parameters:
            size = f"; {human_count(candidate.parameters)} parameters"
            if parameters:
                size += f" ({candidate.parameters / parameters:.2g}x the model's)"
        downloads = f"; {candidate.downloads:,} downloads" if candidate.downloads is not None else ""
        task = candidate.pipeline_tag or target.pipeline_tag
        library = candidate.library_name or target.library_name
        chosen.append(Alternative(
            id=candidate.id, root_vendor=root, license=licenses.label(lic), parameters=candidate.parameters,
            downloads=candidate.downloads, pipeline_tag=candidate.pipeline_tag or target.pipeline_tag,
            library_name=candidate.library_name or target.library_name,
            why=f"{task}" + (f" with {library}" if library else "") + f"; {licenses.label(lic)}{size}{downloads}; "
                f"root vendor {root or 'unknown'}"))
    if chosen:
        return chosen, None
    scope = f"{target.pipeline_tag}" + (f" / {target.library_name}" if target.library_name else "")
    if (band := size_band(parameters, policy)) is not None:
        scope += f", {human_count(band[0])}-{human_count(band[1])} parameters"
    if not candidates:
        return [], f"no candidate qualifies: the Hub lists no other model for {scope}"
    why = ", ".join(f"{n} {reason}" for reason, n in rejected.most_common())
    return [], f"no candidate qualifies among {len(candidates)} listed for {scope}" + (f" ({why})" if why else "")
