"""SARIF 2.1.0 for GitHub code scanning (and any other SARIF viewer).

What GitHub does with a SARIF file decides most choices here (see the code scanning SARIF reference):

* Only the first entry of ``locations`` is used, so every result has exactly one location. A finding
  about a model that is loaded in several places is one result at its first reference, with the other
  references as ``relatedLocations`` linked from the message. A finding whose rule is about each
  reference separately (``unpinned-revision``, ``trust-remote-code``: each call needs its own fix) is one
  result per reference, so each line gets its own alert and its own pull-request annotation.
* ``partialFingerprints.primaryLocationLineHash`` is left to ``upload-sarif``, which hashes the source
  line; model-risk's own stable fingerprint goes under its own key.
* GitHub ignores SARIF ``suppressions`` and would open alerts for suppressed results, so suppressed
  findings are left out (the run's properties count them).
* Paths are made relative to the repository, not the scan root, because that is how code scanning
  reads them.
* A file with more results than GitHub accepts is rejected whole: results are capped, most severe kept.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
from collections import Counter
from typing import Any
from urllib.parse import quote

from model_risk.contract.domain import Finding, Location, Note, Reference, RuleInfo, ScanResult, Severity
from model_risk.contract.reporter import Reporter, ReportOptions
from model_risk.report.presentation import location_text

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/model-risk/model-risk"
FINGERPRINT_KEY = "modelRisk/v1"
#: GitHub rejects a run with more results than this.
MAX_RESULTS = 25_000
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


def _fingerprint(finding: Finding, location: Location | None, occurrence: int) -> str:
    """model-risk's own identity of a result: the finding's fingerprint (rule + model or vendor), and for
    per-reference results the file and the how-manieth reference in it, so moving lines keeps it."""
    if location is None:
        return finding.fingerprint or hashlib.sha256(f"{finding.code}|{finding.model}|{finding.vendor}".encode()
                                                     ).hexdigest()[:20]
    key = f"{finding.fingerprint}|{location.path}|{occurrence}"
    return hashlib.sha256(key.encode()).hexdigest()[:20]


def _properties(finding: Finding) -> dict[str, Any]:
    properties: dict[str, Any] = {"severity": finding.severity.value, "rule": finding.rule}
    if finding.model:
        properties["model"] = finding.model
    if finding.vendor:
        properties["vendor"] = finding.vendor
    return properties


class _Results:
    def __init__(self, result: ScanResult, rules: _Rules) -> None:
        self.rules = rules
        self.locations = _Locations(result)
        self.fallback = self._fallback_locations(result)
        self.spellings = {m.id: (m.id, *m.aliases) for m in result.models}

    @staticmethod
    def _fallback_locations(result: ScanResult) -> dict[str | None, Location]:
        """Where to show a finding that carries no location: the first reference of its model, else the
        scan's first reference (an alert without a location is not displayed at all)."""
        first: dict[str | None, Location] = {}
        for reference in sorted(result.references, key=lambda r: (r.path, r.line, r.column)):
            first.setdefault(None, reference.location)
            for spelling in (reference.model, reference.resolve_id):
                first.setdefault(spelling, reference.location)
        for model in result.models:
            for alias in model.aliases:
                if alias in first:
                    first.setdefault(model.id, first[alias])
        return first

    def for_finding(self, finding: Finding) -> list[dict[str, Any]]:
        locations = sorted(finding.locations, key=lambda loc: (loc.path, loc.line, loc.column or 0))
        rule = self.rules.rules[self.rules.index[finding.code]]
        if rule.scope in _PER_REFERENCE_SCOPES and locations:
            seen: Counter[str] = Counter()
            results = []
            for location in locations:
                seen[location.path] += 1
                results.append(self._result(finding, location, [], _fingerprint(finding, location,
                                                                                seen[location.path])))
            return results
        primary = locations[0] if locations else self.fallback.get(finding.model) or self.fallback.get(None)
        return [self._result(finding, primary, locations[1:], _fingerprint(finding, None, 0))]

    def _message(self, finding: Finding) -> str:
        """The alert title: the finding's message, which must name its subject (a plugin's rule may not)."""
        text = finding.message.strip()
        subject = finding.model or finding.vendor
        if subject and not any(name in text for name in self.spellings.get(subject, (subject,))):
            text = f"{subject}: {text}"
        return text if text.endswith(".") else text + "."

    def _result(self, finding: Finding, primary: Location | None, related: list[Location],
                fingerprint: str) -> dict[str, Any]:
        text = _escape_message(self._message(finding))
        entry: dict[str, Any] = {
            "ruleId": finding.code,
            "ruleIndex": self.rules.index[finding.code],
            "level": _LEVEL[finding.severity],
        }
        shown = related[:MAX_RELATED_LOCATIONS]
        if shown:
            links = ", ".join(f"[{_escape_message(location_text(loc))}]({i})"
                              for i, loc in enumerate(shown, start=1))
            more = len(related) - len(shown)
            text = text + f" Also loaded at {links}" + (f" and {more} more." if more else ".")
            entry["relatedLocations"] = [{"id": i, **self.locations.physical(loc),
                                          "message": {"text": location_text(loc)}}
                                         for i, loc in enumerate(shown, start=1)]
        entry["message"] = {"text": text}
        if primary is not None:
            entry["locations"] = [self.locations.physical(primary)]
        entry["partialFingerprints"] = {FINGERPRINT_KEY: fingerprint}
        entry["properties"] = _properties(finding)
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


def sarif_document(result: ScanResult) -> dict[str, Any]:
    findings = [f for f in result.findings if f.active]
    rules = _Rules(result, findings)
    builder = _Results(result, rules)
    results = [entry for finding in sorted(findings, key=lambda f: -f.severity.rank)
               for entry in builder.for_finding(finding)]
    notifications = [_notification(n, result.repository_path) for n in result.notes]
    if len(results) > MAX_RESULTS:
        notifications.append({"level": "warning", "message": {
            "text": f"{len(results) - MAX_RESULTS} results were left out: code scanning accepts at most "
                    f"{MAX_RESULTS} per run. The JSON and HTML reports list every finding."}})
        results = results[:MAX_RESULTS]
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if result.started_at:
        invocation["startTimeUtc"] = result.started_at
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": "model-risk",
            "semanticVersion": result.tool_version,
            "version": result.tool_version,
            "informationUri": INFORMATION_URI,
            "rules": rules.descriptors(),
        }},
        # Category "model-risk"; the part after the last "/" identifies this run.
        "automationDetails": {"id": f"model-risk/{result.started_at}"},
        "columnKind": "unicodeCodePoints",
        "invocations": [invocation],
        "results": results,
        "properties": {
            "models": len(result.models),
            "references": len(result.references),
            "files": result.files_scanned,
            "suppressedFindings": len(result.findings) - len(findings),
            "failOn": result.fail_on.value if result.fail_on else "never",
            "offline": result.offline,
        },
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


class SarifReporter(Reporter):
    format = "sarif"
    description = "SARIF 2.1.0 for GitHub code scanning (upload with github/codeql-action/upload-sarif)"
    extension = ".sarif"

    def render(self, result: ScanResult, options: ReportOptions) -> str:
        return json.dumps(sarif_document(result), indent=2, ensure_ascii=False) + "\n"

