"""SARIF 2.1.0 for GitHub code scanning (and any other SARIF viewer).

What GitHub does with a SARIF file decides most choices here (see the code scanning SARIF reference):

* Only the first entry of ``locations`` is used, so every result has exactly one location. A finding
  about a model that is loaded in several places is one result at its first reference in code, with the
  other references as ``relatedLocations`` linked from the message. A finding whose rule is about each
  reference (``unpinned-revision``, ``trust-remote-code``) is one result per model and file: a large
  repository would otherwise flood code scanning with one alert per line.
* Results that share rule, file and line are merged into one alert by GitHub, so none are emitted: a
  result moves to another of its sites, or joins the result on that line.
* Sites in documentation and tests are informational: a result found only there has level ``note``.
* An offline scan that could not look a model up reports that as a tool notification, not an alert.
* No ``automationDetails``: upload-sarif's ``category`` input applies only to a run without its own id.
* ``partialFingerprints.primaryLocationLineHash`` is left to ``upload-sarif``, which hashes the source
  line; model-risk's own stable fingerprint goes under its own key.
* GitHub ignores SARIF ``suppressions`` and would open alerts for suppressed results, so suppressed
  findings are left out (the run's properties count them).
* Paths are made relative to the repository, not the scan root, because that is how code scanning
  reads them.
* Code scanning shows the first 5,000 results and rejects a run over 25,000: results are capped below
  5,000, most severe kept, and what was left out is counted in the run's properties and a notification.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from model_risk.common.json_text import pretty_json
from model_risk.contract.domain import Finding, Location, Note, Reference, RuleInfo, ScanResult, Severity
from model_risk.contract.reporter import Reporter, ReportOptions
from model_risk.report.presentation import QUIET_SCOPES, location_text, path_scope, reference_scope

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/model-risk/model-risk"
FINGERPRINT_KEY = "modelRisk/v1"
#: Code scanning shows only the first 5,000 results of a run (and rejects a run over 25,000); model-risk
#: sends at most this many, most severe first, and summarises the rest, so nothing is dropped silently.
MAX_RESULTS = 4_500
GITHUB_SHOWN_RESULTS = 5_000
#: Offline lookups that failed are named in one notification, up to this many models.
MAX_NAMED_MODELS = 20
UNRESOLVED_RULE = "unresolved-model"
#: Environment variable: the code scanning category to write into the SARIF (see _category).
CATEGORY_VARIABLE = "MODEL_RISK_SARIF_CATEGORY"
#: GitHub shows at most 100 locations of a result; one of them is the primary location.
MAX_RELATED_LOCATIONS = 99
#: GitHub shows at most 10 tags of a rule.
MAX_TAGS = 10
#: GitHub's limit for rule descriptions.
MAX_DESCRIPTION = 1024

_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
#: GitHub reads security-severity as: over 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low.
_SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "2.0",
}
#: Rule scopes whose findings are about each reference on its own.
_PER_REFERENCE_SCOPES = frozenset({"reference"})


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _uri(path: str, repository_path: str | None) -> str:
    full = posixpath.join(repository_path, path) if repository_path else path
    return quote(full, safe="/")


def _fallback_rule(finding: Finding) -> RuleInfo:
    """A descriptor for a finding whose rule the result does not describe (a report from a plugin
    that was not loaded when it is re-rendered, say): code scanning requires one for every ruleId."""
    return RuleInfo(code=finding.code, name=finding.rule, severity=finding.severity, pack="",
                    summary=finding.rule.replace("-", " ").capitalize() + ".")


class _Rules:
    """The run's rule descriptors, in a stable order, with each rule's index."""

    def __init__(self, result: ScanResult, findings: list[Finding]) -> None:
        known = {rule.code: rule for rule in result.rules}
        for finding in findings:
            known.setdefault(finding.code, _fallback_rule(finding))
        self.rules = sorted(known.values(), key=lambda r: r.code)
        self.index = {rule.code: i for i, rule in enumerate(self.rules)}
        # A rule's findings can be more severe than its default (a watchlist entry with its own
        # severity); code scanning takes the severity from the rule, so it must not understate them.
        self.worst: dict[str, Severity] = {}
        for finding in findings:
            current = self.worst.get(finding.code)
            if current is None or finding.severity > current:
                self.worst[finding.code] = finding.severity

    def severity(self, rule: RuleInfo) -> Severity:
        worst = self.worst.get(rule.code)
        return worst if worst is not None and worst > rule.severity else rule.severity

    def descriptors(self) -> list[dict[str, Any]]:
        return [self._descriptor(rule) for rule in self.rules]

    def _descriptor(self, rule: RuleInfo) -> dict[str, Any]:
        severity = self.severity(rule)
        full = " ".join(part for part in (rule.summary, " ".join(rule.why.split())) if part)
        tags = list(dict.fromkeys(rule.tags))
        properties: dict[str, Any] = {"tags": tags[:MAX_TAGS], "precision": "high"}
        if severity in _SECURITY_SEVERITY:
            properties["security-severity"] = _SECURITY_SEVERITY[severity]
        else:
            properties["problem.severity"] = "recommendation"
        return {
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": _clip(rule.summary or rule.name, MAX_DESCRIPTION)},
            "fullDescription": {"text": _clip(full or rule.name, MAX_DESCRIPTION)},
            "help": {"text": _help_text(rule), "markdown": _help_markdown(rule)},
            "defaultConfiguration": {"level": _LEVEL[severity]},
            "properties": properties,
        }


def _help_text(rule: RuleInfo) -> str:
    parts = [f"{rule.code} {rule.name}: {rule.summary}"]
    if rule.why:
        parts.append("Why it matters: " + " ".join(rule.why.split()))
    if rule.fix:
        parts.append("How to fix: " + " ".join(rule.fix.split()))
    if rule.example:
        parts.append("Example:\n" + rule.example)
    parts.append(f"Run `model-risk rules {rule.name}` for this text in a terminal; see {INFORMATION_URI}.")
    return "\n\n".join(parts)


def _help_markdown(rule: RuleInfo) -> str:
    parts = [f"**{rule.code} {rule.name}**: {rule.summary}"]
    if rule.why:
        parts.append("## Why it matters\n\n" + rule.why)
    if rule.fix:
        parts.append("## How to fix\n\n" + rule.fix)
    if rule.example:
        fence = "````" if "```" in rule.example else "```"
        parts.append(f"## Example\n\n{fence}{rule.example_language}\n{rule.example}\n{fence}")
    parts.append(f"Rule pack `{rule.pack or 'plugin'}`. [model-risk]({INFORMATION_URI}) · "
                 f"`model-risk rules {rule.name}`")
    return "\n\n".join(parts)


def _escape_message(text: str) -> str:
    """SARIF message text treats ``[text](id)`` as a link, and viewers link bare URLs: text from the Hub
    and from files stays on one line, with literal brackets and no links."""
    from model_risk.report.terminal import terminal_safe
    from model_risk.report.untrusted import no_autolinks

    return no_autolinks(terminal_safe(text)).replace("[", "\\[").replace("]", "\\]")


class _Locations:
    """Physical locations, with the end column of the model id when the reference at that place is known."""

    def __init__(self, result: ScanResult) -> None:
        self.repository_path = result.repository_path
        self._written: dict[tuple[str, int, int], Reference] = {
            (r.path, r.line, r.column): r for r in result.references}

    def physical(self, location: Location) -> dict[str, Any]:
        region: dict[str, Any] = {"startLine": location.line}
        if location.column:
            region["startColumn"] = location.column
            reference = self._written.get((location.path, location.line, location.column))
            if reference is not None:
                region["endLine"] = location.line
                region["endColumn"] = location.column + len(reference.model)
        return {"physicalLocation": {
            "artifactLocation": {"uri": _uri(location.path, self.repository_path)},
            "region": region,
        }}


def _fingerprint(finding: Finding, path: str | None) -> str:
    """model-risk's own identity of a result: the finding's fingerprint (rule + model or vendor), and for
    a result per file the file, so moving lines within it keeps the identity."""
    if path is None and finding.fingerprint:
        return finding.fingerprint  # as earlier versions wrote it: alerts keep their identity
    key = finding.fingerprint or f"{finding.code}|{finding.model}|{finding.vendor}"
    if path is not None:
        key = f"{key}|{path}"
    return hashlib.sha256(key.encode()).hexdigest()[:20]


def _properties(finding: Finding) -> dict[str, Any]:
    properties: dict[str, Any] = {"severity": finding.severity.value, "rule": finding.rule}
    if finding.model:
        properties["model"] = finding.model
    if finding.vendor:
        properties["vendor"] = finding.vendor
    return properties


@dataclass
class _Draft:
    """One result before it is placed: its finding, the places it covers (the preferred primary first),
    and whether every place is in documentation or tests (then it is only a note)."""

    finding: Finding
    places: list[Location]
    fingerprint: str
    quiet: bool
    #: Other models' findings of the same rule on the same line, folded into this result.
    merged: list[Finding] = field(default_factory=list)

    @property
    def order(self) -> tuple[int, int]:
        return (-self.finding.severity.rank, int(self.quiet))


class _Results:
    """Findings to results: grouped so that a large repository gives a readable number of alerts.

    * A rule about each reference (``unpinned-revision``) gives one result per model and file, the file's
      other sites as related locations; any other rule one result per finding, at its first site in code.
    * No two results share rule, file and line (code scanning would merge them into one alert): a result
      that would moves to its next free site, else joins the result already there.
    * A result whose sites are all in documentation or tests is a ``note``.
    """

    def __init__(self, result: ScanResult, rules: _Rules) -> None:
        self.rules = rules
        self.locations = _Locations(result)
        self.fallback = self._fallback_locations(result)
        self.spellings = {m.id: (m.id, *m.aliases) for m in result.models}
        self.scopes: dict[tuple[str, int, int | None], str] = {
            (r.path, r.line, r.column): reference_scope(r) for r in result.references}

    @staticmethod
    def _fallback_locations(result: ScanResult) -> dict[str | None, Location]:
        """Where to show a finding that carries no location: the first reference of its model, else the
        scan's first reference (an alert without a location is not displayed at all)."""
        first: dict[str | None, Location] = {}
        for reference in sorted(result.references, key=lambda r: (r.path, r.line, r.column)):
            first.setdefault(None, reference.location)
        for use in result.uses():
            if use.references:
                first.setdefault(use.facts.id, min(use.locations, key=lambda loc: (loc.path, loc.line,
                                                                                    loc.column or 0)))
        return first

    def _quiet(self, location: Location) -> bool:
        scope = self.scopes.get((location.path, location.line, location.column)) or path_scope(location.path)
        return scope in QUIET_SCOPES

    def drafts(self, finding: Finding) -> list[_Draft]:
        # Sites in code and configuration first: the primary location is what an alert shows.
        locations = sorted(finding.locations, key=lambda loc: (self._quiet(loc), loc.path, loc.line, loc.column or 0))
        rule = self.rules.rules[self.rules.index[finding.code]]
        if rule.scope in _PER_REFERENCE_SCOPES and locations:
            by_file: dict[str, list[Location]] = {}
            for location in locations:
                by_file.setdefault(location.path, []).append(location)
            return [_Draft(finding, places, _fingerprint(finding, path), all(self._quiet(p) for p in places))
                    for path, places in by_file.items()]
        if not locations:
            fallback = self.fallback.get(finding.model) or self.fallback.get(None)
            locations = [fallback] if fallback is not None else []
        quiet = bool(locations) and all(self._quiet(loc) for loc in locations)
        return [_Draft(finding, locations, _fingerprint(finding, None), quiet)]

    def place(self, drafts: list[_Draft]) -> list[_Draft]:
        """Give each draft a primary location no earlier draft of its rule holds (most severe first)."""
        taken: dict[tuple[str, str, int], _Draft] = {}
        placed = []
        for draft in sorted(drafts, key=lambda d: d.order):
            code = draft.finding.code
            free = next((i for i, loc in enumerate(draft.places) if (code, loc.path, loc.line) not in taken), None)
            if free is None and draft.places:
                first = draft.places[0]
                holder = taken[(code, first.path, first.line)]
                holder.merged.append(draft.finding)
                continue
            if free:
                draft.places.insert(0, draft.places.pop(free))
            if draft.places:
                first = draft.places[0]
                taken[(code, first.path, first.line)] = draft
            placed.append(draft)
        return placed

    def _message(self, finding: Finding) -> str:
        """The alert title: the finding's message, which must name its subject (a plugin's rule may not)."""
        text = finding.message.strip()
        subject = finding.model or finding.vendor
        if subject and not any(name in text for name in self.spellings.get(subject, (subject,))):
            text = f"{subject}: {text}"
        return text if text.endswith(".") else text + "."

    def render(self, draft: _Draft) -> dict[str, Any]:
        finding = draft.finding
        text = _escape_message(self._message(finding))
        entry: dict[str, Any] = {
            "ruleId": finding.code,
            "ruleIndex": self.rules.index[finding.code],
            "level": "note" if draft.quiet else _LEVEL[finding.severity],
        }
        primary, related = (draft.places[0], draft.places[1:]) if draft.places else (None, [])
        shown = related[:MAX_RELATED_LOCATIONS]
        if shown:
            links = ", ".join(f"[{_escape_message(location_text(loc))}]({i})"
                              for i, loc in enumerate(shown, start=1))
            more = len(related) - len(shown)
            text += f" Also at {links}" + (f" and {more} more." if more else ".")
            entry["relatedLocations"] = [{"id": i, **self.locations.physical(loc),
                                          "message": {"text": location_text(loc)}}
                                         for i, loc in enumerate(shown, start=1)]
        properties = _properties(finding)
        if draft.merged:
            others = [f.model or f.vendor or "project" for f in draft.merged]
            text += " The same line also loads " + ", ".join(_escape_message(o) for o in others) + "."
            properties["alsoModels"] = others
        if draft.quiet:
            properties["scope"] = "docs or tests"
        entry["message"] = {"text": text}
        if primary is not None:
            entry["locations"] = [self.locations.physical(primary)]
        entry["partialFingerprints"] = {FINGERPRINT_KEY: draft.fingerprint}
        entry["properties"] = properties
        return entry


def _notification(note: Note, repository_path: str | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"level": {"info": "note"}.get(note.level, note.level),
                             "message": {"text": _escape_message(note.message)}}
    if note.path:
        physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(note.path, repository_path)}}
        if note.line:
            physical["region"] = {"startLine": note.line}
        entry["locations"] = [{"physicalLocation": physical}]
    return entry


def _offline_unresolved(result: ScanResult, findings: list[Finding]) -> tuple[list[Finding], list[Finding]]:
    """(alerts, offline lookups): an offline scan that could not look a model up has learned nothing
    about its risk, so that is a fact about the run (a notification), not a security alert."""
    if not result.offline:
        return findings, []
    missing = [f for f in findings if f.rule == UNRESOLVED_RULE]
    return [f for f in findings if f.rule != UNRESOLVED_RULE], missing


def _unresolved_notification(missing: list[Finding]) -> dict[str, Any]:
    names = sorted({f.model or "?" for f in missing})
    listed = ", ".join(names[:MAX_NAMED_MODELS]) + (f" and {len(names) - MAX_NAMED_MODELS} more"
                                                      if len(names) > MAX_NAMED_MODELS else "")
    return {"level": "warning", "message": {"text": (
        f"{len(names)} model{'s were' if len(names) != 1 else ' was'} not looked up: the scan ran offline and "
        f"model-risk.lock and the cache do not know {'them' if len(names) != 1 else 'it'} ({listed}). Their "
        "licenses and vendors are unknown; run `model-risk lock` online to record them.")}}


def _category() -> str | None:
    """A code scanning category for uploads that cannot pass one (the REST API). Unset, the run carries
    no automationDetails, so upload-sarif's ``category`` input decides (a run's own id would win over it)."""
    category = os.environ.get(CATEGORY_VARIABLE, "").strip().strip("/")
    return category or None


def _cap(drafts: list[_Draft], limit: int) -> tuple[list[_Draft], list[_Draft]]:
    """The results kept (most severe first, code before docs and tests) and the ones left out."""
    ordered = sorted(drafts, key=lambda d: d.order)
    return ordered[:limit], ordered[limit:]


def _omitted_summary(omitted: list[_Draft]) -> dict[str, Any]:
    by_rule = Counter(d.finding.code for d in omitted)
    by_severity = Counter(d.finding.severity.value for d in omitted)
    return {"total": len(omitted), "byRule": dict(sorted(by_rule.items())),
            "bySeverity": dict(sorted(by_severity.items()))}


def sarif_document(result: ScanResult) -> dict[str, Any]:
    active = [f for f in result.findings if f.active]
    findings, missing = _offline_unresolved(result, active)
    rules = _Rules(result, active)
    builder = _Results(result, rules)
    drafts = builder.place([d for finding in findings for d in builder.drafts(finding)])
    kept, omitted = _cap(drafts, MAX_RESULTS)
    results = [builder.render(d) for d in kept]
    notifications = [_notification(n, result.repository_path) for n in result.notes]
    if missing:
        notifications.append(_unresolved_notification(missing))
    if omitted:
        rules_left = ", ".join(f"{code} {n}" for code, n in _omitted_summary(omitted)["byRule"].items())
        notifications.append({"level": "warning", "message": {
            "text": f"{len(omitted)} results were left out ({rules_left}): model-risk sends at most {MAX_RESULTS} "
                    f"per run, most severe first, because code scanning shows only the first "
                    f"{GITHUB_SHOWN_RESULTS}. The JSON and HTML reports list every finding."}})
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if result.started_at:
        invocation["startTimeUtc"] = result.started_at
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    properties: dict[str, Any] = {
        "models": len(result.models),
        "references": len(result.references),
        "files": result.files_scanned,
        "suppressedFindings": len(result.findings) - len(active),
        "failOn": result.fail_on.value if result.fail_on else "never",
        "offline": result.offline,
    }
    if missing:
        properties["unresolvedOffline"] = len({f.model for f in missing})
    if omitted:
        properties["omittedResults"] = _omitted_summary(omitted)
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": "model-risk",
            "semanticVersion": result.tool_version,
            "version": result.tool_version,
            "informationUri": INFORMATION_URI,
            "rules": rules.descriptors(),
        }},
    }
    if (category := _category()) is not None:
        run["automationDetails"] = {"id": f"{category}/"}
    run.update({
        "columnKind": "unicodeCodePoints",
        "invocations": [invocation],
        "results": results,
        "properties": properties,
    })
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


class SarifReporter(Reporter):
    format = "sarif"
    description = "SARIF 2.1.0 for GitHub code scanning (upload with github/codeql-action/upload-sarif)"
    extension = ".sarif"

    def render(self, result: ScanResult, options: ReportOptions) -> str:
        return pretty_json(sarif_document(result))

