"""The HTML audit report: one self-contained file for security leads, platform teams and lawyers.

It works offline and by itself: styles and the small sorting/filtering script are inlined, charts are
inline SVG, nothing is fetched. A Content-Security-Policy allows exactly the inlined style and script
(by hash) and nothing else, so even a Hub string that slipped past escaping could not run or load
anything. Without JavaScript the report loses only sorting and filtering.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import Any

from model_risk.common.resources import data_dir
from model_risk.contract.domain import Finding, ModelStatus, RuleInfo, ScanResult, Severity
from model_risk.contract.reporter import Reporter, ReportOptions
from model_risk.report import charts, vendors
from model_risk.report.presentation import (
    LICENSE_GROUPS,
    ModelUse,
    by_severity,
    commercial_label,
    finding_subject,
    findings_by_model,
    gated_label,
    is_failing,
    license_group,
    license_label,
    license_mix,
    license_name,
    location_text,
    model_uses,
    osi_label,
    rules_by_code,
    severities_descending,
    severity_counts,
    status_label,
    vendor_countries,
    vendor_shares,
)

TEMPLATE = "report.html.j2"
STYLESHEET = "report.css"
SCRIPT = "report.js"
#: "Used in" lists this many places per model, then "and N more".
MAX_USES_SHOWN = 6


@dataclass(frozen=True)
class FindingView:
    finding: Finding
    rule: RuleInfo | None
    subject: str
    failing: bool
    locations: list[str]
    suppressed_locations: list[str]


@dataclass(frozen=True)
class ModelRow:
    use: ModelUse
    license_label: str
    license_name: str
    license_link: str | None
    license_group: str
    osi: str
    commercial: str
    conditions: tuple[str, ...]
    gated: str
    status: str
    uses: list[str]
    more_uses: int
    findings: dict[Severity, int]
    worst: Severity | None
    #: Words the filter menu matches (``noncommercial``, ``gated`` ...).
    flags: str


def _model_row(use: ModelUse, own: list[Finding]) -> ModelRow:
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
    uses = [location_text(r.location) for r in use.references]
    return ModelRow(
        use=use, license_label=license_label(m), license_name=license_name(m),
        license_link=m.license.link if m.license else None, license_group=group, osi=osi_label(m),
        commercial=commercial_label(m), conditions=m.license.conditions if m.license else (),
        gated=gated_label(m), status=status_label(m), uses=uses[:MAX_USES_SHOWN],
        more_uses=max(0, len(uses) - MAX_USES_SHOWN), findings=counts, worst=worst,
        flags=" ".join(sorted(flags)),
    )


def _finding_view(result: ScanResult, finding: Finding, rules: dict[str, RuleInfo]) -> FindingView:
    return FindingView(
        finding=finding, rule=rules.get(finding.code), subject=finding_subject(finding),
        failing=is_failing(result, finding),
        locations=[location_text(loc) for loc in finding.locations],
        suppressed_locations=[location_text(loc) for loc in finding.suppressed_locations],
    )


def _csp_hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def _scan_time(started_at: str) -> str:
    """``2026-11-28T23:52:40Z`` as ``2026-11-28 23:52 UTC``."""
    if len(started_at) >= 16 and started_at[10] == "T":
        return f"{started_at[:10]} {started_at[11:16]} UTC"
    return started_at


def report_context(result: ScanResult) -> dict[str, Any]:
    rules = rules_by_code(result)
    active = by_severity(f for f in result.findings if f.active)
    suppressed = by_severity(f for f in result.findings if not f.active)
    uses = model_uses(result)
    per_model = findings_by_model(result)
    shares = vendor_shares(result)
    view = vendors.view_of(result)
    mix = license_mix(result)
    rule_hits: dict[str, int] = {}
    for finding in active:
        rule_hits[finding.code] = rule_hits.get(finding.code, 0) + 1
    resolved = sum(1 for m in result.models if m.is_resolved)
    api = sum(1 for m in result.models if m.status is ModelStatus.API)
    return {
        "result": result,
        "scan_time": _scan_time(result.started_at),
        "failed": bool(result.failing_findings()),
        "failing_count": len(result.failing_findings()),
        "severities": severities_descending(),
        "counts": severity_counts(active),
        "active": [_finding_view(result, f, rules) for f in active],
        "suppressed": [_finding_view(result, f, rules) for f in suppressed],
        "models": [_model_row(u, per_model.get(u.facts.id, [])) for u in uses],
        "resolved_count": resolved,
        "api_count": api,
        "unresolved_count": len(result.models) - resolved - api,
        "vendor_slices": charts.donut(shares),
        "vendor_total": sum(n for _, n in shares),
        "vendor_countries": vendor_countries(result),
        "top_vendor": shares[0] if shares else None,
        "donut_radius": charts.DONUT_RADIUS,
        "license_bars": charts.bars([(c.label, c.group, c.count) for c in mix]),
        "license_bars_height": charts.bars_height(len(mix)),
        "license_groups": LICENSE_GROUPS,
        "license_groups_present": [g for g in LICENSE_GROUPS if any(c.group == g for c in mix)],
        "non_osi": sum(1 for u in uses if osi_label(u.facts) == "no"),
        "non_commercial": sum(1 for u in uses if commercial_label(u.facts) == "no"),
        "with_conditions": sum(1 for u in uses if commercial_label(u.facts) == "with conditions"),
        "rules": sorted(result.rules, key=lambda r: r.code),
        "rule_hits": rule_hits,
        "vendor_rows": vendors.vendor_rows(view),
        "concentration": vendors.concentration_text(view.concentration),
        "alternatives": vendors.alternative_rows(result),
        "not_recorded": vendors.not_recorded(result),
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
        context = report_context(result)
        context.update(
            # Our own files, inlined verbatim: they are not escaped, and must never contain "</".
            stylesheet=Markup(stylesheet), script=Markup(script),
            csp=f"default-src 'none'; style-src '{_csp_hash(stylesheet)}'; script-src '{_csp_hash(script)}'; "
                "img-src data:; base-uri 'none'; form-action 'none'",
        )
        return html_environment().get_template(TEMPLATE).render(context)

