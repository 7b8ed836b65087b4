"""A compact Markdown summary for pull-request comments and ``$GITHUB_STEP_SUMMARY``.

The findings that fail the check come first, then the other active findings, then the details in
collapsed ``<details>`` blocks. GitHub rejects a comment longer than 65,536 characters and a step summary
over 1 MiB, so the document is kept under :data:`MAX_BYTES`: when it would be longer, fewer details and
rows are shown, with a note pointing to the full reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from model_risk.contract.domain import Finding, Location, ScanResult, Severity
from model_risk.contract.reporter import Reporter, ReportOptions
from model_risk.report import vendors
from model_risk.report.presentation import (
    by_severity,
    commercial_label,
    condition_lines,
    displayed,
    finding_subject,
    inherited_from,
    knowledge_text,
    license_conditions,
    license_text,
    location_text,
    rules_by_code,
    severities_descending,
    severity_counts,
    source_link,
    status_label,
    vendor_shares,
    verdict,
)
from model_risk.report.templating import markdown_code

TEMPLATE = "summary.md.j2"
#: Under GitHub's 65,536-character limit for a comment, with room for a caller's own header.
MAX_BYTES = 60_000
#: (findings with details, rows per table) tried in turn until the document fits.
_BUDGETS: tuple[tuple[int | None, int | None], ...] = (
    (None, None), (50, None), (20, 200), (10, 100), (0, 50), (0, 20), (0, 5), (0, 0))

SEVERITY_MARK = {
    Severity.CRITICAL: "🟣",
    Severity.HIGH: "🔴",
    Severity.MEDIUM: "🟠",
    Severity.LOW: "🔵",
    Severity.INFO: "⚪",
}


@dataclass(frozen=True)
class _Row:
    finding: Finding
    subject: str
    #: The first location as Markdown (a code span, linked to the scanned commit when possible).
    where: Markup
    #: Every location (up to the details limit) the same way.
    places: list[Markup]
    more: int


class _Places:
    """Locations as Markdown: a code span, and a link to the line at the scanned commit when the GitHub
    environment names one (ReportOptions.source_url)."""

    def __init__(self, result: ScanResult, source_url: str | None) -> None:
        self.source_url = source_url
        self.repository_path = result.repository_path

    def __call__(self, location: Location) -> Markup:
        text = markdown_code(location_text(location))
        url = source_link(self.source_url, location, self.repository_path)
        return Markup(f"[{text}]({url})") if url else text

    def row(self, finding: Finding) -> _Row:
        where = self(finding.locations[0]) if finding.locations else Markup("project-wide")
        return _Row(finding, finding_subject(finding), where,
                    [self(loc) for loc in finding.locations[:MAX_PLACES]], max(0, len(finding.locations) - 1))


#: Locations listed per finding in the details.
MAX_PLACES = 10


def _take(items: list[Any], limit: int | None) -> list[Any]:
    return items if limit is None else items[:limit]


def summary_context(result: ScanResult, details: int | None, rows: int | None, options: ReportOptions
                    ) -> dict[str, Any]:
    source_url = options.source_url
    all_active = [f for f in result.findings if f.active]
    active = by_severity(displayed(result, options))
    failing = [f for f in active if result.fails_build(f)]
    others = [f for f in active if not result.fails_build(f)]
    suppressed = by_severity(f for f in result.findings if not f.active)
    uses = result.uses()
    shares = vendor_shares(result)
    view = vendors.view_of(result)
    vendor_rows = vendors.vendor_rows(view)
    total = sum(n for _, n in shares)
    shown_failing = _take(failing, rows)
    shown_others = _take(others, None if rows is None else max(0, rows - len(shown_failing)))
    detailed = _take(active, details)
    shown_models = _take(uses, rows)
    shown_suppressed = _take(suppressed, rows)
    place = _Places(result, source_url)
    _row = place.row
    hidden = (len(failing) - len(shown_failing)) + (len(others) - len(shown_others)) \
        + (len(active) - len(detailed)) + (len(uses) - len(shown_models)) + (len(suppressed) - len(shown_suppressed))
    judged = verdict(result)
    return {
        "result": result,
        "verdict": judged.text,
        "state": judged.state,
        "unchecked": judged.unchecked,
        "counts": severity_counts(all_active),
        "severities": severities_descending(),
        "mark": SEVERITY_MARK,
        "active_count": len(all_active),
        "shown_count": len(active),
        "hidden_count": len(all_active) - sum(1 for f in all_active if options.shows(f)),
        "failing": [_row(f) for f in shown_failing],
        "failing_total": len(failing),
        "others": [_row(f) for f in shown_others],
        "others_total": len(others),
        "detailed": [_row(f) for f in detailed],
        "rules": rules_by_code(result),
        "suppressed": [_row(f) for f in shown_suppressed],
        "suppressed_total": len(suppressed),
        "models": [
            {"facts": u.facts, "license": license_text(u.facts), "commercial": commercial_label(u.facts),
             "status": status_label(u.facts), "uses": len(u.references), "inherited_from": inherited_from(u.facts)}
            for u in shown_models],
        "models_total": len(uses),
        "shares": [(vendor, count, 100.0 * count / total) for vendor, count in shares[:6]],
        "more_vendors": max(0, len(shares) - 6),
        "truncated": hidden > 0,
        "concentration": vendors.concentration_text(view.concentration),
        "vendor_rows": _take(vendor_rows, rows),
        "vendors_total": len(vendor_rows),
        "alternatives": _take(vendors.alternative_rows(result), rows),
        "not_recorded": vendors.not_recorded(result),
        "conditions": [(group, condition_lines(group.conditions))
                       for group in _take(license_conditions(result.models), rows)],
        "knowledge": knowledge_text(result.knowledge),
    }


class MarkdownReporter(Reporter):
    format = "markdown"
    description = "compact Markdown summary for pull-request comments and $GITHUB_STEP_SUMMARY"
    extension = ".md"

    def render(self, result: ScanResult, options: ReportOptions) -> str:
        from model_risk.report.templating import markdown_environment  # noqa: I001 (kept next to its use)

        template = markdown_environment().get_template(TEMPLATE)
        text = ""
        for details, rows in _BUDGETS:
            text = template.render(summary_context(result, details, rows, options))
            if len(text.encode("utf-8")) <= MAX_BYTES:
                return text
        # Only reachable with absurdly long fields: cut at a line and say so.
        cut = text.encode("utf-8")[: MAX_BYTES - 200].decode("utf-8", "ignore").rsplit("\n", 1)[0]
        unclosed = cut.count("<details>") - cut.count("</details>")
        return cut + "\n\n</details>" * unclosed \
            + "\n\n_Summary cut to fit GitHub's size limit; see the JSON or HTML report._\n"

