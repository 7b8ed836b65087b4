"""The HTML audit report: one self-contained file for security leads, platform teams and lawyers.

It works offline and by itself: styles and the small sorting/filtering script are inlined, charts are
inline SVG, nothing is fetched. A Content-Security-Policy allows exactly the inlined style and script
(by hash) and nothing else, so even a Hub string that slipped past escaping could not run or load
anything.

It is built to answer "what is at risk, and where" on the first screen at any size: the verdict, the
counts by severity and the top risks come first; findings are grouped by rule, then model, collapsed;
the models table fits the page, keeps its header in view and pages through rows, with each model's
details (every reference, lineage, findings) in a row that expands. Without JavaScript nothing is
collapsed or paged (a ``<noscript>`` style, also hashed into the policy, shows every row).
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from dataclasses import dataclass
from typing import Any

from model_risk.common.resources import data_dir
from model_risk.contract.domain import Finding, ModelStatus, ModelUse, RuleInfo, ScanResult, Severity
from model_risk.contract.reporter import Reporter, ReportOptions
from model_risk.report import charts, vendors
from model_risk.report.presentation import (
    LICENSE_GROUPS,
    by_severity,
    card_license_label,
    commercial_label,
    condition_lines,
    displayed,
    finding_subject,
    findings_by_model,
    gated_label,
    hub_models,
    inherited_from,
    knowledge_text,
    license_conditions,
    license_group,
    license_label,
    license_mix,
    license_name,
    location_text,
    osi_label,
    rules_by_code,
    severities_descending,
    severity_counts,
    status_label,
    vendor_countries,
    vendor_shares,
    verdict,
)

TEMPLATE = "report.html.j2"
STYLESHEET = "report.css"
SCRIPT = "report.js"
#: Shown only when scripts do not run: detail rows and paged-out rows are visible (hashed into the CSP).
NOSCRIPT_STYLE = ("tr.detail[hidden] { display: table-row; } tbody.paged { display: table-row-group; } "
                  "li.paged { display: list-item; } button.expand { display: none; }")
#: The models table and each rule's list of models are paged by the script, this many at a time.
PAGE_SIZE = 50
#: Rule groups shown as "top risks" on the first screen.
TOP_RISKS = 5


@dataclass(frozen=True)
class FindingView:
    finding: Finding
    rule: RuleInfo | None
    subject: str
    failing: bool
    #: Anchor of the model's row in the models table (``m12``), when the finding is about a model.
    anchor: str | None
    #: The message without the subject it starts with (the list shows the subject beside it).
    message: str
    #: The first location, and how many there are.
    first: str | None
    places: int
    locations: list[str]
    suppressed_locations: list[str]


@dataclass(frozen=True)
class RuleGroup:
    """One rule's active findings, worst first: the findings section lists rules, then models."""

    code: str
    name: str
    rule: RuleInfo | None
    severity: Severity
    failing: bool
    findings: list[FindingView]
    places: int
    #: The message every finding of the rule gives (after its subject), shown once; None when they differ.
    common: str | None

    @property
    def subjects(self) -> int:
        return len({v.subject for v in self.findings})


@dataclass(frozen=True)
class ModelRow:
    use: ModelUse
    anchor: str
    license_label: str
    license_name: str
    license_link: str | None
    license_group: str
    osi: str
    commercial: str
    #: The governing license's conditions as (kind, text).
    conditions: list[tuple[str, str]]
    #: The card's own license, and the ancestor whose license governs instead (None: the card's own).
    card_license: str
    inherited_from: str | None
    #: Every parent of a merge, and whether the lineage holds a guess from a name.
    parents: tuple[str, ...]
    gated: str
    status: str
    uses: list[str]
    #: Files the references are in, in order, with how many references each.
    files: list[tuple[str, int]]
    findings: dict[Severity, int]
    own: list[Finding]
    worst: Severity | None
    #: Words the filter menu matches (``noncommercial``, ``gated`` ...).
    flags: str


def _model_row(index: int, use: ModelUse, own: list[Finding]) -> ModelRow:
    m = use.facts
    counts = severity_counts(own)
    worst = max((f.severity for f in own), default=None)
    group = license_group(m)
    flags = {group}
    if osi_label(m) == "no":
        flags.add("nonosi")
    if m.gated:
        flags.add("gated")
    if m.status is not ModelStatus.RESOLVED and m.status is not ModelStatus.API:
        flags.add("unresolved")
    if own:
        flags.add("findings")
    if m.drift:
        flags.add("drift")
    if m.root_vendor and m.vendor and m.root_vendor != m.vendor:
        flags.add("derived")
    files = Counter(r.path for r in use.references)
    governing = m.governing_license
    return ModelRow(
        use=use, anchor=f"m{index}", license_label=license_label(m), license_name=license_name(m),
        license_link=governing.link if governing else None, license_group=group, osi=osi_label(m),
        commercial=commercial_label(m), conditions=condition_lines(governing.conditions if governing else ()),
        card_license=card_license_label(m), inherited_from=inherited_from(m),
        parents=tuple(link.parent for link in m.lineage_links if link.child == m.id),
        gated=gated_label(m), status=status_label(m), uses=[location_text(r.location) for r in use.references],
        files=list(files.items()), findings=counts, own=by_severity(own), worst=worst,
        flags=" ".join(sorted(flags)),
    )


def _finding_view(result: ScanResult, finding: Finding, rules: dict[str, RuleInfo],
                  anchors: dict[str, str]) -> FindingView:
    locations = [location_text(loc) for loc in finding.locations]
    subject = finding_subject(finding)
    message = finding.message
    if message.startswith(subject + " "):
        message = message[len(subject) + 1:]
    return FindingView(
        finding=finding, rule=rules.get(finding.code), subject=subject, message=message,
        failing=result.fails_build(finding), anchor=anchors.get(finding.model or ""),
        first=locations[0] if locations else None, places=len(locations), locations=locations,
        suppressed_locations=[location_text(loc) for loc in finding.suppressed_locations],
    )


def rule_groups(views: list[FindingView]) -> list[RuleGroup]:
    """Findings by rule, most severe rule first, then the rule that reaches most places."""
    grouped: dict[str, list[FindingView]] = {}
    for view in views:
        grouped.setdefault(view.finding.code, []).append(view)
    groups = []
    for code, members in grouped.items():
        members.sort(key=lambda v: (-v.finding.severity.rank, v.subject.lower()))
        first = members[0]
        groups.append(RuleGroup(code=code, name=first.finding.rule, rule=first.rule,
                                severity=first.finding.severity, failing=any(v.failing for v in members),
                                findings=members, places=sum(max(1, v.places) for v in members),
                                common=members[0].message if len({v.message for v in members}) == 1
                                and len(members) > 1 else None))
    groups.sort(key=lambda g: (-g.severity.rank, -len(g.findings), g.code))
    return groups


def csp_hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def _scan_time(started_at: str) -> str:
    """``2026-11-28T23:52:40Z`` as ``2026-11-28 23:52 UTC``."""
    if len(started_at) >= 16 and started_at[10] == "T":
        return f"{started_at[:10]} {started_at[11:16]} UTC"
    return started_at


def report_context(result: ScanResult, options: ReportOptions) -> dict[str, Any]:
    rules = rules_by_code(result)
    all_active = [f for f in result.findings if f.active]
    active = by_severity(displayed(result, options))
    suppressed = by_severity(f for f in result.findings if not f.active and options.shows(f))
    uses = result.uses()
    per_model = findings_by_model(result)
    anchors: dict[str, str] = {}
    for index, use in enumerate(uses):
        anchors.setdefault(use.facts.id, f"m{index}")
    shares = vendor_shares(result)
    view = vendors.view_of(result)
    mix = license_mix(result)
    active_views = [_finding_view(result, f, rules, anchors) for f in active]
    groups = rule_groups(active_views)
    rule_hits = {g.code: len(g.findings) for g in groups}
    resolved = sum(1 for m in result.models if m.is_resolved)
    api = sum(1 for m in result.models if m.status is ModelStatus.API)
    distinct = hub_models(result)
    return {
        "result": result,
        "scan_time": _scan_time(result.started_at),
        "verdict": verdict(result),
        "severities": severities_descending(),
        "counts": severity_counts(all_active),
        "active_count": len(all_active),
        "hidden_count": sum(1 for f in all_active if not options.shows(f)),
        "groups": groups,
        "top_risks": groups[:TOP_RISKS],
        "page_size": PAGE_SIZE,
        "suppressed": [_finding_view(result, f, rules, anchors) for f in suppressed],
        "models": [_model_row(i, u, per_model.get(u.facts.id, [])) for i, u in enumerate(uses)],
        "resolved_count": resolved,
        "api_count": api,
        "unresolved_count": len(result.models) - resolved - api,
        "vendor_slices": charts.donut(shares),
        "vendor_count": len(shares),
        "vendor_total": sum(n for _, n in shares),
        "vendor_countries": vendor_countries(result),
        "top_vendor": shares[0] if shares else None,
        "donut_radius": charts.DONUT_RADIUS,
        "license_bars": charts.bars([(c.label, c.group, c.count) for c in mix[:charts.MAX_BARS]]),
        "license_bars_height": charts.bars_height(min(len(mix), charts.MAX_BARS)),
        "license_more": max(0, len(mix) - charts.MAX_BARS),
        "license_groups": LICENSE_GROUPS,
        "license_groups_present": [g for g in LICENSE_GROUPS if any(c.group == g for c in mix)],
        "hub_count": len(distinct),
        "license_unknown": sum(1 for m in distinct if osi_label(m) not in ("yes", "no")),
        "non_osi": sum(1 for m in distinct if osi_label(m) == "no"),
        "non_commercial": sum(1 for m in distinct if commercial_label(m) == "no"),
        "with_conditions": sum(1 for m in distinct if commercial_label(m) == "with conditions"),
        "rules": sorted(result.rules, key=lambda r: r.code),
        "rule_hits": rule_hits,
        "vendor_rows": vendors.vendor_rows(view),
        "concentration": vendors.concentration_text(view.concentration),
        "alternatives": vendors.alternative_rows(result),
        "not_recorded": vendors.not_recorded(result),
        "conditions": [(group, condition_lines(group.conditions)) for group in license_conditions(result.models)],
        "knowledge": knowledge_text(result.knowledge),
    }


class HtmlReporter(Reporter):
    format = "html"
    description = "self-contained HTML audit report (charts, sortable model table, findings with fixes)"
    extension = ".html"

    def render(self, result: ScanResult, options: ReportOptions) -> str:
        from markupsafe import Markup

        from model_risk.report.templating import html_environment

        templates = data_dir("templates")
        stylesheet = templates.joinpath(STYLESHEET).read_text(encoding="utf-8")
        script = templates.joinpath(SCRIPT).read_text(encoding="utf-8")
        context = report_context(result, options)
        context.update(
            # Our own files, inlined verbatim: they are not escaped, and must never contain "</".
            stylesheet=Markup(stylesheet), script=Markup(script),
            noscript_style=Markup(NOSCRIPT_STYLE),
            csp=f"default-src 'none'; style-src '{csp_hash(stylesheet)}' '{csp_hash(NOSCRIPT_STYLE)}'; "
                f"script-src '{csp_hash(script)}'; "
                "img-src data:; base-uri 'none'; form-action 'none'",
        )
        return html_environment().get_template(TEMPLATE).render(context)

