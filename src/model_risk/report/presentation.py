"""How every report format names and groups the facts of a scan.

The labels here are shared so that the terminal, HTML, Markdown and SARIF reports say the same thing
in the same words: a license is ``qwen-research`` everywhere, commercial use is "with conditions"
everywhere, and a model is "used in" the same places.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from model_risk.contract.domain import (
    Finding,
    KnowledgeStamp,
    Location,
    ModelFacts,
    ModelStatus,
    Reference,
    RuleInfo,
    ScanResult,
    Severity,
    condition_kind,
    distinct_hub_models,
)
from model_risk.contract.reporter import ReportOptions
from model_risk.knowledge import licenses
from model_risk.knowledge.scopes import conventional_scope

#: huggingface_hub's default revision (``revision="main"`` is the model at no revision).
DEFAULT_BRANCH = "main"

#: Shown where a fact is not known because the model itself could not be looked up.
NOT_KNOWN = "-"


def severities_descending() -> list[Severity]:
    return sorted(Severity, reverse=True)


def license_label(model: ModelFacts) -> str:
    """The license that governs the model (the effective license along its lineage, its card's when
    nothing up the lineage is stricter) as every report and rule message names it (:func:`licenses.label`),
    or what stands in for one: API terms, no license, or not known (a model that was not looked up)."""
    if model.status is ModelStatus.API:
        return "API terms"
    lic = model.governing_license
    if lic is None:
        return "no license" if model.is_resolved else NOT_KNOWN
    return licenses.label(lic)


def card_license_label(model: ModelFacts) -> str:
    """The license the model's own card declares."""
    if model.status is ModelStatus.API:
        return "API terms"
    if model.license is None:
        return "no license" if model.is_resolved else NOT_KNOWN
    return licenses.label(model.license)


def inherited_from(model: ModelFacts) -> str | None:
    """The ancestor whose license governs the model, when it is not the model's own card's."""
    effective = model.effective_license
    if effective is None or effective.source == model.id:
        return None
    return effective.source


def license_text(model: ModelFacts) -> str:
    """The governing license, and the card's when they differ: ``Llama 3.1 ... (card: MIT)``."""
    label = license_label(model)
    if inherited_from(model) is None:
        return label
    return f"{label} (card: {card_license_label(model)})"


def license_name(model: ModelFacts) -> str:
    """The governing license's full name where the tables know one (``Qwen Research License Agreement``)."""
    lic = model.governing_license
    if lic is None or not lic.name:
        return license_label(model)
    return lic.name


def commercial_label(model: ModelFacts) -> str:
    """Commercial use under the governing license: yes, no, with conditions, unknown."""
    if model.status is ModelStatus.API:
        return "per API terms"
    lic = model.governing_license
    if lic is None:
        return "no" if model.is_resolved else NOT_KNOWN
    return {"yes": "yes", "no": "no", "conditional": "with conditions", "unknown": "unknown"}[lic.commercial_use]


def osi_label(model: ModelFacts) -> str:
    lic = model.governing_license
    if model.status is ModelStatus.API:
        return "n/a"
    if lic is None:
        return "no" if model.is_resolved else NOT_KNOWN
    if lic.osi is None:
        return "unknown"
    return "yes" if lic.osi else "no"


def condition_lines(conditions: Iterable[str]) -> list[tuple[str, str]]:
    """Conditions as (kind, what it asks): ``("attribution", 'display "Built with Llama" ...')``."""
    lines = []
    for condition in conditions:
        kind = condition_kind(condition)
        named = kind != "other" or condition.lower().startswith("other:")
        lines.append((kind, condition.split(":", 1)[1].strip() if named else condition))
    return lines


@dataclass(frozen=True)
class ConditionGroup:
    """Models governed by the same license with the same conditions, for the reports' conditions list."""

    license: str
    link: str | None
    conditions: tuple[str, ...]
    models: tuple[str, ...]


def license_conditions(models: Iterable[ModelFacts]) -> list[ConditionGroup]:
    """The conditions every distinct model's governing license sets, grouped by license, most models first."""
    groups: dict[tuple[str, tuple[str, ...]], list[ModelFacts]] = {}
    for model in distinct_hub_models(models).values():
        lic = model.governing_license
        if lic is not None and lic.conditions:
            groups.setdefault((licenses.label(lic), lic.conditions), []).append(model)
    ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0][0].lower()))
    return [ConditionGroup(label, next((m.governing_license.link for m in found if m.governing_license), None),
                           conditions, tuple(m.id for m in found))
            for (label, conditions), found in ordered]


def gated_label(model: ModelFacts) -> str:
    if not model.is_resolved:
        return NOT_KNOWN
    if model.gated == "manual":
        return "yes (manual approval)"
    if model.gated == "auto":
        return "yes (automatic approval)"
    return "yes" if model.gated else "no"


def status_label(model: ModelFacts) -> str:
    if model.status is ModelStatus.UNRESOLVED and model.reason:
        return f"unresolved ({model.reason})"
    return model.status.value


def vendor_key(model: ModelFacts) -> str:
    """Whose weights these are at the root of the lineage."""
    return model.root_vendor or model.vendor or "unknown"


def location_text(location: Location) -> str:
    column = f":{location.column}" if location.column else ""
    return f"{location.path}:{location.line}{column}"


#: Scopes whose references are not what the product runs: findings seen only there are informational.
QUIET_SCOPES = frozenset({"docs", "tests"})
def path_scope(path: str) -> str:
    """The part of a project a file belongs to (``docs``, ``tests``, ``examples``, ``config``, ``code``)
    by the path conventions of :mod:`model_risk.knowledge.scopes`: for locations no reference names."""
    return conventional_scope(path)


def reference_scope(reference: Reference) -> str:
    """The reference's scope as detection recorded it, else from its path (reports saved before scopes)."""
    return reference.scope or conventional_scope(reference.path)


def finding_subject(finding: Finding) -> str:
    return finding.model or finding.vendor or "project"


def safe_url(value: object) -> str | None:
    """The URL if it is plain http(s), else None: a card's ``license_link`` may say ``javascript:...``."""
    text = str(value or "").strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c in text for c in "\"'<> \n\r\t"):
        return None
    return text


def hub_url(model_id: str) -> str:
    return "https://huggingface.co/" + quote(model_id, safe="/")


def github_source_url(environ: Mapping[str, str]) -> str | None:
    """``$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/blob/$GITHUB_SHA/`` when a GitHub workflow runs us, else None.
    Links at the commit, not a branch, so they keep pointing at the lines that were scanned."""
    server = (environ.get("GITHUB_SERVER_URL") or "").rstrip("/")
    repository = environ.get("GITHUB_REPOSITORY") or ""
    sha = environ.get("GITHUB_SHA") or ""
    if safe_url(server) is None or not re.fullmatch(r"[\w.-]+/[\w.-]+", repository) \
            or not re.fullmatch(r"[0-9a-fA-F]{40}", sha):
        return None
    return f"{server}/{repository}/blob/{sha.lower()}/"


def source_link(source_url: str | None, location: Location, repository_path: str | None) -> str | None:
    """A link to a location in the scanned commit (paths in reports are relative to the scan root, which
    is ``repository_path`` inside the repository)."""
    if source_url is None or repository_path is None:
        return None
    path = f"{repository_path}/{location.path}" if repository_path else location.path
    return f"{source_url}{quote(path, safe='/')}#L{location.line}"


# -- grouping ----------------------------------------------------------------------------------


def findings_by_model(result: ScanResult) -> dict[str, list[Finding]]:
    """Active findings about each model id (vendor and project findings have no model)."""
    grouped: dict[str, list[Finding]] = {}
    for finding in result.findings:
        if finding.active and finding.model is not None:
            grouped.setdefault(finding.model, []).append(finding)
    return grouped


def hub_models(result: ScanResult) -> list[ModelFacts]:
    """Distinct Hub repositories (a model pinned at two revisions counts once; API models not at all)."""
    return list(distinct_hub_models(result.models).values())


def vendor_shares(result: ScanResult) -> list[tuple[str, int]]:
    """(root vendor, number of distinct Hub models), largest first; ties by name."""
    counts = Counter(vendor_key(m) for m in hub_models(result))
    return sorted(counts.items(), key=lambda item: (-item[1], item[0].lower()))


def vendor_countries(result: ScanResult) -> dict[str, str]:
    """Root vendor -> its country, where the vendor table knows it."""
    return {vendor_key(m): m.root_vendor_country for m in hub_models(result) if m.root_vendor_country}


#: License groups, in the order charts and legends list them.
LICENSE_GROUPS = {
    "open": "OSI-approved",
    "conditions": "commercial use with conditions",
    "noncommercial": "no commercial use",
    "unknown": "unknown or missing",
    "api": "API terms",
}


def license_group(model: ModelFacts) -> str:
    if model.status is ModelStatus.API:
        return "api"
    lic = model.governing_license
    if lic is None or lic.commercial is None:
        return "unknown"
    if lic.commercial is False:
        return "noncommercial"
    if lic.osi and not lic.conditions:
        return "open"
    return "conditions"


@dataclass(frozen=True)
class LicenseCount:
    label: str
    group: str
    count: int


def license_mix(result: ScanResult) -> list[LicenseCount]:
    """How many distinct models carry each license label, most common first."""
    distinct: dict[str, ModelFacts] = {}
    for model in result.models:
        distinct.setdefault(model.id.lower(), model)
    counts: Counter[tuple[str, str]] = Counter(
        (license_label(m) if license_label(m) != NOT_KNOWN else "not looked up", license_group(m))
        for m in distinct.values())
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0][0].lower()))
    return [LicenseCount(label, group, count) for (label, group), count in ordered]


def severity_counts(findings: Iterable[Finding]) -> dict[Severity, int]:
    counts = Counter(f.severity for f in findings)
    return {s: counts.get(s, 0) for s in severities_descending()}


def by_severity(findings: Iterable[Finding]) -> list[Finding]:
    """Most severe first; the scan's order within a severity (it is already stable)."""
    return sorted(findings, key=lambda f: -f.severity.rank)


def rules_by_code(result: ScanResult) -> dict[str, RuleInfo]:
    return {rule.code: rule for rule in result.rules}


@dataclass(frozen=True)
class Verdict:
    """Whether a scan fails the build, said the same way by every report (from ``ScanResult.failed`` and
    ``ScanResult.fails_build``, never worked out again)."""

    #: ``failed``, ``passed`` or ``not-gating`` (``--fail-on never``).
    state: str
    #: "failed: 3 findings at or above high", "passed: nothing at or above high" ...
    text: str
    #: Findings that fail the build.
    failing: int
    #: "27 of 27 models not checked: ..." when models could not be checked, else None.
    unchecked: str | None = None

    @property
    def failed(self) -> bool:
        return self.state == "failed"


def unchecked_text(result: ScanResult) -> str | None:
    """One line for every model nobody could check (instead of one finding each), with what to do."""
    unchecked = result.unchecked_models()
    if not unchecked:
        return None
    total = len(distinct_hub_models(result.models))
    what = f"{len(unchecked)} of {total} model{'s' if total != 1 else ''} not checked"
    if result.offline:
        return f"{what}: neither in model-risk.lock nor in the cache (run model-risk lock online, and commit the lockfile)"
    return f"{what}: the Hub did not answer for them (scan again, or run model-risk lock when it answers)"


def _not_counted(result: ScanResult, *, more: bool) -> str:
    """" (74 more in docs, tests: not counted)": active findings at or above --fail-on whose scopes do not
    count for the gate, so that "28 at or above high" beside 102 high findings is not a puzzle."""
    fail_on = result.fail_on
    if fail_on is None:
        return ""
    quiet = [f for f in result.findings if f.active and f.severity >= fail_on and not f.scope_counts]
    if not quiet:
        return ""
    scopes = ", ".join(sorted({f.scope or "?" for f in quiet}))
    return f" ({len(quiet)}{' more' if more else ''} in {scopes}: not counted)"


def verdict(result: ScanResult) -> Verdict:
    failing = len(result.failing_findings())
    unchecked = unchecked_text(result)
    if result.fail_on is None and not result.fail_on_unchecked:
        return Verdict("not-gating", "not failing (--fail-on never)", 0, unchecked)
    reasons = []
    if failing:
        reasons.append(f"{failing} finding{'s' if failing != 1 else ''} at or above {result.fail_on}"
                       + _not_counted(result, more=True))
    if result.failed and result.fail_on_unchecked and unchecked:
        reasons.append(f"{len(result.unchecked_models())} unchecked (--fail-on-unchecked)")
    if reasons:
        return Verdict("failed", "failed: " + "; ".join(reasons), failing, unchecked)
    if result.fail_on is None:
        return Verdict("passed", "passed: every model was checked", 0, unchecked)
    quiet = _not_counted(result, more=False)
    return Verdict("passed", f"passed: nothing {'counted ' if quiet else ''}at or above {result.fail_on}{quiet}", 0,
                   unchecked)


def displayed(result: ScanResult, options: ReportOptions, *, suppressed: bool = False) -> list[Finding]:
    """The findings a human-readable report lists: active ones (and suppressed ones when asked), within
    ``--severity``. The per-model "could not be checked" findings are summed up in one line instead
    (:func:`unchecked_text`), unless they fail the build or the report is verbose."""
    return [f for f in result.findings
            if (f.active or suppressed) and options.shows(f)
            and (f.rule != UNCHECKED_RULE or options.verbose or result.fails_build(f))]


#: The rule whose findings :func:`unchecked_text` sums up.
UNCHECKED_RULE = "unresolved-model"


def knowledge_text(stamp: KnowledgeStamp | None) -> str | None:
    """Which knowledge judged the scan, in one line (``knowledge tables of 2026-12-07 (a1b2c3d4e5f6)``)."""
    if stamp is None:
        return None
    text = f"knowledge tables of {stamp.as_of} ({stamp.version})"
    if stamp.overlays:
        text += ", with " + ", ".join(f"{o.path} of {o.as_of}" for o in stamp.overlays)
    return text
