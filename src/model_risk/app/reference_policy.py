"""What a reference's confidence, scope and organisation change about a scan.

* scope: every reference gets one from its path (:mod:`model_risk.scopes`);
* internal organisations (``internal_orgs``): their references are never looked up on the Hub;
* references below ``certain`` whose id is not a model are dropped (:mod:`model_risk.app.verification`);
* a finding whose references are all ``possible`` is at most ``low``, and does not fail the build when
  nothing could verify the id; ``model-not-found`` needs a
  ``certain`` reference; a finding located only in scopes that do not fail the build is reported but
  does not count for ``--fail-on``; models named only in such scopes do not count towards vendor
  concentration.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Iterable, Sequence

from model_risk.contract.domain import Finding, ModelFacts, Reference, Severity, verified_by
from model_risk.evaluate.subjects import ModelUsage
from model_risk.knowledge.scopes import SCOPES, ScopeSettings

_CAPPED = Severity.LOW


_FIELDS = tuple(f.name for f in dataclasses.fields(Reference))
assert _FIELDS[-1] == "scope"
_ALL_BUT_SCOPE = operator.attrgetter(*_FIELDS[:-1])


def with_scopes(references: Iterable[Reference], settings: ScopeSettings, internal_orgs: frozenset[str]
                ) -> tuple[Reference, ...]:
    cache: dict[str, str] = {}
    out = []
    for ref in references:
        scope = cache.get(ref.path)
        if scope is None:
            scope = cache[ref.path] = settings.scope_of(ref.path)
        if ref.kind == "hub" and internal_orgs and "/" in ref.resolve_id \
                and ref.resolve_id.split("/", 1)[0].lower() in internal_orgs:
            out.append(dataclasses.replace(ref, scope=scope, kind="internal"))
        elif ref.scope == scope:
            out.append(ref)  # built with its scope already (the detection cache does)
        else:
            # built from its fields: twice as fast as dataclasses.replace, for every reference of a scan
            out.append(Reference(*_ALL_BUT_SCOPE(ref), scope))  # type: ignore[call-arg]
    return tuple(out)


def counted_for_concentration(usages: Sequence[ModelUsage], settings: ScopeSettings) -> list[ModelUsage]:
    return [u for u in usages if any(settings.counts_for_concentration(r.scope) for r in u.references)]


def tempered(results: Sequence[tuple[Finding, ModelFacts | None]], usages: Sequence[ModelUsage],
             settings: ScopeSettings) -> list[tuple[Finding, ModelFacts | None]]:
    """Findings adjusted to how sure their references are and where they are."""
    by_model = {id(u.facts): u for u in usages}
    out = []
    for finding, facts in results:
        usage = by_model.get(id(facts)) if facts is not None else None
        if usage is not None:
            confidences = {r.confidence for r in usage.references}
            if finding.rule == "model-not-found" and "certain" not in confidences:
                continue  # a typo in prose is not a supply-chain risk; the model still shows as not found
            if confidences == {"possible"} and finding.severity > _CAPPED:
                finding = dataclasses.replace(finding, severity=_CAPPED)
            if confidences == {"possible"} and verified_by(usage.facts) == "unverified":
                # nothing could say it is a model at all (offline and unknown, the budget spent)
                finding = dataclasses.replace(finding, unverified=True)
        scopes = _scopes_at(finding, usage.references if usage else _all_references(usages))
        if scopes:
            # The scope that decides: the first (in SCOPES order) that can fail the build, else the first.
            ordered = sorted(scopes, key=lambda s: (SCOPES.index(s) if s in SCOPES else len(SCOPES), s))
            counting = [s for s in ordered if settings.fails_build(s)]
            finding = dataclasses.replace(finding, scope=(counting or ordered)[0], scope_counts=bool(counting))
        out.append((finding, facts))
    return out


def _all_references(usages: Sequence[ModelUsage]) -> list[Reference]:
    return [r for u in usages for r in u.references]


def _scopes_at(finding: Finding, references: Iterable[Reference]) -> set[str]:
    wanted = {(loc.path, loc.line) for loc in finding.locations}
    return {r.scope for r in references if (r.path, r.line) in wanted}
