"""The terminal report: findings grouped by severity, then the models and the vendor mix."""

from __future__ import annotations

from collections import Counter

from model_risk.contract.domain import Finding, ModelFacts, ModelStatus, ScanResult, Severity
from model_risk.contract.reporter import Reporter, ReportOptions
from model_risk.report.presentation import commercial_label, license_label, location_text, vendor_shares
from model_risk.report import vendors
from model_risk.report.terminal import terminal_safe

_SEVERITY_STYLE = {
    Severity.CRITICAL: "1;35",
    Severity.HIGH: "1;31",
    Severity.MEDIUM: "1;33",
    Severity.LOW: "1;36",
    Severity.INFO: "2",
}
MAX_LOCATIONS = 3
#: Vendors named on the one-line vendor mix; the rest are summed (the HTML report lists them all).
MAX_VENDORS = 8


class _Style:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.enabled else text

    def bold(self, text: str) -> str:
        return self(text, "1")

    def dim(self, text: str) -> str:
        return self(text, "2")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}"


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _locations(finding: Finding) -> str:
    shown = [location_text(loc) for loc in finding.locations[:MAX_LOCATIONS]]
    more = len(finding.locations) - MAX_LOCATIONS
    return ", ".join(shown) + (f" (+{more} more)" if more > 0 else "")


def _status(facts: ModelFacts) -> str:
    if facts.status is ModelStatus.RESOLVED and facts.gated:
        return f"gated ({facts.gated})" if isinstance(facts.gated, str) else "gated"
    return facts.status.value


class TextReporter(Reporter):
    format = "text"
    description = "human-readable report for terminals (colour on a TTY, plain when piped or NO_COLOR)"
    extension = ".txt"

    def render(self, result: ScanResult, options: ReportOptions) -> str:
        style = _Style(options.color)
        out: list[str] = []
        mode = " (offline)" if result.offline else ""
        out.append(style.bold(f"model-risk {result.tool_version}") + style.dim(
            f"  {_count(result.files_scanned, 'file')}, {_count(len(result.references), 'reference')}, "
            f"{_count(len(result.models), 'model')}{mode}"))
        out.append("")
        shown = [f for f in result.findings if f.active or options.verbose]
        if not result.references:
            out.append("No model references found.")
        elif not shown:
            out.append("No findings.")
        for severity in sorted(Severity, reverse=True):
            group = [f for f in shown if f.severity is severity]
            if not group:
                continue
            out.append(style(f"{severity.value.upper()} ({len(group)})", _SEVERITY_STYLE[severity]))
            for finding in group:
                subject = finding.model or finding.vendor or ""
                head = f"  {finding.code} {finding.rule}"
                if finding.suppressed is not None:
                    reason = f": {finding.suppressed.reason}" if finding.suppressed.reason else ""
                    head += style.dim(f"  [suppressed by {finding.suppressed.kind}{terminal_safe(reason)}]")
                out.append(head + (style.dim(f"  {terminal_safe(subject)}") if subject else ""))
                out.append(f"    {terminal_safe(finding.message)}")
                if finding.locations:
                    out.append(style.dim(f"    --> {terminal_safe(_locations(finding))}"))
            out.append("")
        if result.models:
            out.extend(self._models(result, style))
        shares = vendor_shares(result)
        if shares:
            out.extend(self._vendors(shares, style))
        if result.models:
            out.extend(self._vendor_view(result, style))
        out.extend(self._alternatives(result, style))
        out.append(self._summary(result, style))
        return "\n".join(out) + "\n"

    def _models(self, result: ScanResult, style: _Style) -> list[str]:
        rows = []
        for m in result.models:
            vendor = m.vendor or "?"
            if m.root_vendor and m.root_vendor != m.vendor:
                vendor = f"{vendor} -> {m.root_vendor}"
            model_id = m.id + (f"@{m.revision[:10]}" if m.revision else "")
            rows.append([terminal_safe(x) for x in (model_id, license_label(m), commercial_label(m), vendor,
                                                    _status(m))])
        headers = ["MODEL", "LICENSE", "COMMERCIAL", "VENDOR -> ROOT", "STATUS"]
        limits = [48, 24, 15, 30, 24]
        widths = [min(limit, max(len(h), *(len(r[i]) for r in rows))) for i, (h, limit) in
                  enumerate(zip(headers, limits))]
        lines = [style.bold(f"Models ({len(rows)})"),
                 "  " + style.dim("  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip())]
        for row in rows:
            lines.append("  " + "  ".join(_clip(c, w).ljust(w) for c, w in zip(row, widths)).rstrip())
        lines.append("")
        return lines

    def _vendors(self, shares: list[tuple[str, int]], style: _Style) -> list[str]:
        total = sum(n for _, n in shares)
        parts = [f"{terminal_safe(v)} {n} ({n / total:.0%})" for v, n in shares[:MAX_VENDORS]]
        rest = shares[MAX_VENDORS:]
        if rest:
            others = sum(n for _, n in rest)
            parts.append(f"{len(rest)} more vendors {others} ({others / total:.0%})")
        return [style.bold("Weights by root vendor: ") + " · ".join(parts), ""]

    def _vendor_view(self, result: ScanResult, style: _Style) -> list[str]:
        view = vendors.view_of(result)
        rows = vendors.vendor_rows(view)
        lines = [style.bold("Vendors") + style.dim(f"  {vendors.concentration_text(view.concentration)}")]
        width = min(30, max(len(r.vendor) for r in rows))
        for row in rows[:MAX_VENDORS]:
            lines.append(terminal_safe(
                f"  {_clip(row.vendor, width).ljust(width)}  {row.share:>4.0%}  {_count(row.models, 'model')} "
                f"({row.kinds})  {_count(row.references, 'reference')}  exposure: {row.exposure}"))
        if len(rows) > MAX_VENDORS:
            lines.append(style.dim(f"  {len(rows) - MAX_VENDORS} more vendors (see the JSON or HTML report)"))
        lines.append("")
        return lines

    def _alternatives(self, result: ScanResult, style: _Style) -> list[str]:
        rows = vendors.alternative_rows(result)
        unrecorded = vendors.not_recorded(result)
        if not rows and not unrecorded:
            return []
        lines = [style.bold("Alternatives") + style.dim("  other vendors, same task, open license, similar size")]
        for row in rows:
            suggested = ", ".join(vendors.alternative_text(a) for a in row.alternatives) or (row.note or "")
            lines.append(terminal_safe(f"  {row.model}: {suggested}"))
        if unrecorded:
            lines.append(style.dim(f"  {_count(unrecorded, 'model')} with findings: none recorded for offline scans; "
                                   "run `model-risk alternatives MODEL` online to record them"))
        lines.append("")
        return lines

    def _summary(self, result: ScanResult, style: _Style) -> str:
        active = result.active_findings()
        counts = Counter(f.severity for f in active)
        detail = ", ".join(f"{counts[s]} {s.value}" for s in sorted(Severity, reverse=True) if counts[s])
        text = f"{len(active)} finding{'s' if len(active) != 1 else ''}" + (f" ({detail})" if detail else "")
        suppressed = len(result.findings) - len(active)
        if suppressed:
            text += f", {suppressed} suppressed"
        failing = result.failing_findings()
        if result.fail_on is None:
            verdict = style.dim("not failing (--fail-on never)")
        elif failing:
            verdict = style(f"FAILED: {len(failing)} at or above {result.fail_on.value}", "1;31")
        else:
            verdict = style(f"passed (nothing at or above {result.fail_on.value})", "1;32")
        return f"{text}. {verdict}"

