"""Running compiled rules over a project's models and turning matches into findings.

Findings are grouped per rule and model (or vendor), with the references as locations. Suppression
never drops a finding: an inline ``model-risk: ignore`` comment, an allowlist entry or a baseline marks it
suppressed, and reports show it as such.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from model_risk.contract.domain import Finding, Location, ModelFacts, Note, Reference, Severity, Suppression
from model_risk.evaluate.packs import Rule, render_message
from model_risk.evaluate.subjects import (
    ModelUsage,
    WatchEntry,
    model_subject,
    project_subject,
    reference_subject,
    vendor_subject,
)
from model_risk.knowledge.exposure import UNCOUNTED_SCOPES, VendorView, vendor_view


@dataclass(frozen=True)
class AllowEntry:
    """An accepted risk: a model, vendor or license the team has decided to live with, and why."""

    kind: str  # "model" | "vendor" | "license"
    value: str
    reason: str
    expires: date | None = None
    #: Rule names or codes the entry covers; empty covers every rule.
    rules: tuple[str, ...] = ()
    origin: str | None = None

    def expired(self, today: date) -> bool:
        return self.expires is not None and self.expires < today

    def covers(self, finding: Finding, facts: ModelFacts | None) -> bool:
        if self.rules and finding.rule not in self.rules and finding.code not in self.rules:
            return False
        value = self.value.lower()
        if self.kind == "model":
            ids = {finding.model or ""}
            if facts is not None:
                ids |= {facts.id, *facts.aliases}
            return value in {i.lower() for i in ids if i}
        if self.kind == "vendor":
            names = {finding.vendor or ""}
            if facts is not None:
                names |= {facts.vendor or "", facts.root_vendor or "", *facts.root_vendors}
            return value in {n.lower() for n in names if n}
        if self.kind == "license" and facts is not None and facts.governing_license is not None:
            # The license that governs the model along its lineage (its card's when nothing is stricter):
            # accepting MIT does not accept the Llama 3.1 terms of a distillation whose card says MIT.
            lic = facts.governing_license
            return value in {(x or "").lower() for x in (lic.hub, lic.spdx, lic.name, lic.declared_name)}
        return False


@dataclass(frozen=True)
class Policy:
    watchlist: tuple[WatchEntry, ...] = ()
    allow: tuple[AllowEntry, ...] = ()
    #: Fingerprints of accepted findings (``model-risk baseline``).
    baseline: frozenset[str] = frozenset()
    today: date = field(default_factory=date.today)


def fingerprint(rule: str, model: str | None, revision: str | None, vendor: str | None) -> str:
    import hashlib

    key = "\0".join((rule, model or "", revision or "", vendor or ""))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]


def _severity(rule: Rule, subject: dict[str, Any]) -> Severity:
    if rule.severity_from:
        from model_risk.evaluate.conditions import get_field

        value = get_field(subject, rule.severity_from)
        if isinstance(value, str):
            try:
                return Severity.parse(value)
            except ValueError:
                pass
    return rule.info.severity


def _locations(references: Iterable[Reference]) -> list[tuple[Location, Reference]]:
    seen: dict[Location, Reference] = {}
    for ref in sorted(references, key=lambda r: (r.path, r.line, r.column)):
        seen.setdefault(ref.location, ref)
    return list(seen.items())


def _finding(rule: Rule, subject: dict[str, Any], references: Iterable[Reference], *,
             model: ModelFacts | None = None, vendor: str | None = None) -> Finding:
    active: list[Location] = []
    silenced: list[Location] = []
    for location, ref in _locations(references):
        (silenced if ref.ignores(rule.info.name, rule.info.code) else active).append(location)
    suppressed = Suppression("inline") if silenced and not active else None
    return Finding(
        rule=rule.info.name, code=rule.info.code, severity=_severity(rule, subject),
        message=render_message(rule.message, subject), model=model.id if model else None, vendor=vendor,
        # Where the finding stands: its active locations, or, when every one is silenced, all of them.
        locations=tuple(active or silenced), suppressed_locations=tuple(silenced),
        suppressed=suppressed,
        fingerprint=fingerprint(rule.info.name, model.id if model else None,
                                model.revision if model else None, vendor),
    )


def _matching_references(rule: Rule, subject: dict[str, Any], references: Sequence[Reference]
                         ) -> tuple[list[Reference], dict[str, Any] | None]:
    """The references a reference rule matches, and the subject of the first (None for none).

    A model can have thousands of references that differ only in where they are; a rule that reads
    only some fields of the reference is judged once for each combination of those fields."""
    fields = rule.reference_fields
    matched: list[Reference] = []
    first: dict[str, Any] | None = None
    verdicts: dict[object, bool] = {}
    for ref in references:
        # A rule that may read anything judges every reference on its own.
        key = tuple(getattr(ref, name) for name in fields) if fields is not None else id(ref)
        verdict = verdicts.get(key)
        if verdict is None:
            ref_subject = reference_subject(subject, ref)
            verdict = verdicts[key] = rule.predicate(ref_subject)
            if verdict and first is None:  # a remembered "yes" always follows a judged one
                first = ref_subject
        if verdict:
            matched.append(ref)
    return matched, first


def run_rules(rules: Sequence[Rule], usages: Sequence[ModelUsage], *, references: int, files: int,
              watchlist: Sequence[WatchEntry] = (), concentration: Sequence[ModelUsage] | None = None
              ) -> list[tuple[Finding, ModelFacts | None]]:
    """``concentration``: the usages vendor rules count (by default all of them); a scan leaves out
    models named only in docs and tests."""
    results: list[tuple[Finding, ModelFacts | None]] = []
    counted = usages if concentration is None else concentration
    model_subjects = [(usage, model_subject(usage, watchlist)) for usage in usages]
    view: VendorView | None = None
    for rule in rules:
        if not rule.enabled:
            continue
        scope = rule.info.scope
        if scope == "model":
            for usage, subject in model_subjects:
                if rule.predicate(subject):
                    results.append((_finding(rule, subject, usage.references, model=usage.facts), usage.facts))
        elif scope == "reference":
            for usage, subject in model_subjects:
                matched, first = _matching_references(rule, subject, usage.references)
                if first is not None:
                    results.append((_finding(rule, first, matched, model=usage.facts), usage.facts))
        elif scope == "vendor":
            if view is None:
                # the scan already left out models named only in uncounted scopes (its configuration)
                view = vendor_view(((u.facts, u.references) for u in counted),
                                   uncounted_scopes=frozenset() if concentration is not None else UNCOUNTED_SCOPES)
            for entry in view.vendors:
                subject = vendor_subject(entry, view.concentration, watchlist)
                if rule.predicate(subject):
                    results.append((_finding(rule, subject, entry.counted_references, vendor=entry.vendor), None))
        elif scope == "project":
            subject = project_subject(usages, references, files)
            if rule.predicate(subject):
                results.append((_finding(rule, subject, ()), None))
    return results


def apply_policy(results: Sequence[tuple[Finding, ModelFacts | None]], policy: Policy
                 ) -> tuple[list[Finding], list[Note]]:
    import dataclasses

    notes: list[Note] = []
    live_entries = []
    for entry in policy.allow:
        if entry.expired(policy.today):
            notes.append(Note(f"allowlist entry for {entry.kind} {entry.value!r} expired on "
                              f"{entry.expires.isoformat()}; its findings are reported again",  # type: ignore[union-attr]
                              entry.origin))
        else:
            live_entries.append(entry)
    findings = []
    for finding, facts in results:
        if finding.suppressed is None:
            covering = next((e for e in live_entries if e.covers(finding, facts)), None)
            if covering is not None:
                finding = dataclasses.replace(finding, suppressed=Suppression("allowlist", covering.reason))
            elif finding.fingerprint in policy.baseline:
                finding = dataclasses.replace(finding, suppressed=Suppression("baseline"))
        findings.append(finding)
    findings.sort(key=lambda f: (-f.severity.rank, f.code, f.model or "", f.vendor or ""))
    return findings, notes
