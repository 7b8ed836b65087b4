"""The terminal report: findings grouped by severity, then the models and the vendor mix.

It fits the width it is given (the terminal's, or 80 columns when piped): text wraps on words, and the
models table narrows its widest columns first.
"""

from __future__ import annotations

import textwrap
from collections import Counter

from model_risk.contract.domain import Finding, ModelFacts, ModelStatus, ScanResult, Severity
from model_risk.contract.reporter import Reporter, ReportOptions
from model_risk.report import vendors
from model_risk.report.presentation import (
    card_license_label,
    commercial_label,
    condition_lines,
    displayed,
    inherited_from,
    knowledge_text,
    license_conditions,
    license_label,
    location_text,
    vendor_shares,
    verdict,
)
from model_risk.report.terminal import no_workflow_command, terminal_safe

_SEVERITY_STYLE = {
    Severity.CRITICAL: "1;35",
    Severity.HIGH: "1;31",
    Severity.MEDIUM: "1;33",
    Severity.LOW: "1;36",
    Severity.INFO: "2",
}
MAX_LOCATIONS = 3
#: Columns when the width is not known (piped output, a file): the classic terminal.
DEFAULT_WIDTH = 80
#: The narrowest each models-table column gets before the table is allowed to run over the width.
_MIN_COLUMNS = [32, 10, 10, 10, 8]
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


def _wrap(text: str, width: int, indent: str = "", then: str | None = None) -> list[str]:
    """``text`` wrapped on words to ``width`` columns (a word longer than a line, a long path, is cut).
    A wrapped line may start with Hub text, so none may read as a workflow command (``::error::``)."""
    lines = textwrap.wrap(text, width=max(20, width), initial_indent=indent,
                          subsequent_indent=indent if then is None else then,
                          break_on_hyphens=False) or [indent.rstrip()]
    return [no_workflow_command(line) for line in lines]


def fit_columns(natural: list[int], minimum: list[int], available: int) -> list[int]:
    """Column widths that fit ``available`` columns: the column furthest above its minimum gives way first
    (so the minimums say what matters most), none below its minimum."""
    widths = list(natural)
    while sum(widths) > available:
        slack = [w - m for w, m in zip(widths, minimum, strict=True)]
        loosest = max(range(len(widths)), key=lambda i: slack[i])
        if slack[loosest] <= 0:
            break
        widths[loosest] -= 1
    return widths


class TextReporter(Reporter):
    format = "text"
    description = "human-readable report for terminals (colour on a TTY, plain when piped or NO_COLOR)"
    extension = ".txt"

    def render(self, result: ScanResult, options: ReportOptions) -> str:
        style = _Style(options.color)
        width = options.width or DEFAULT_WIDTH
        out: list[str] = []
        mode = " (offline)" if result.offline else ""
        title = f"model-risk {result.tool_version}"
        detail = (f"{_count(result.files_scanned, 'file')}, {_count(len(result.references), 'reference')}, "
                  f"{_count(len(result.models), 'model')}{mode}")
        first, *rest = _wrap(f"{title}  {detail}", width)
        out.append(style.bold(title) + style.dim(first[len(title):]))
        out.extend(style.dim(line) for line in rest)
        out.append("")
        shown = displayed(result, options, suppressed=options.verbose)
        hidden = sum(1 for f in result.findings if f.active and not options.shows(f))
        if not result.references:
            out.append("No model references found.")
        elif not shown:
            out.append("No findings." if not hidden else "No findings of the severities asked for.")
        for severity in sorted(Severity, reverse=True):
            group = [f for f in shown if f.severity is severity]
            if not group:
                continue
            out.append(style(f"{severity.value.upper()} ({len(group)})", _SEVERITY_STYLE[severity]))
            for finding in group:
                out.extend(self._finding(finding, style, width))
            out.append("")
        if result.models:
            out.extend(self._models(result, style, width))
        shares = vendor_shares(result)
        if shares:
            out.extend(self._vendors(shares, style, width))
        if result.models:
            out.extend(self._conditions(result, style, width))
            out.extend(self._vendor_view(result, style, width))
        out.extend(self._alternatives(result, style, width))
        out.extend(self._verification(result, style, width))
        out.extend(self._summary(result, style, width, hidden))
        return "\n".join(out) + "\n"

    @staticmethod
    def _verification(result: ScanResult, style: _Style, width: int) -> list[str]:
        """How the candidate references were checked, and what it cost: one line, when there is anything."""
        v = result.verification
        parts = []
        if v.checked or v.dropped:
            parts.append(f"{_count(v.checked, 'candidate reference')} checked, {v.dropped} left out (no such "
                         "model on the Hub; listed in the notes of the JSON report)")
        if v.unverified:
            parts.append(f"{v.unverified} unverified" if parts else f"{_count(v.unverified, 'candidate reference')} "
                         "unverified (not in the lockfile or the cache)" if result.offline
                         else f"{_count(v.unverified, 'candidate reference')} unverified")
        if v.skipped:
            parts.append(f"{_count(v.skipped, 'id')} not looked up (hub.verify-limit)")
        if v.hub_requests:
            listed = f", {_count(v.listings, 'organisation listing')}" if v.listings else ""
            parts.append(f"{_count(v.hub_requests, 'Hub request')}{listed}")
        if not parts:
            return []
        return [style.dim(line) for line in _wrap("Verification: " + "; ".join(parts) + ".", width)] + [""]

    def _finding(self, finding: Finding, style: _Style, width: int) -> list[str]:
        subject = terminal_safe(finding.model or finding.vendor or "")
        head = f"{finding.code} {finding.rule}"
        if finding.suppressed is not None:
            reason = f": {finding.suppressed.reason}" if finding.suppressed.reason else ""
            head += f"  [suppressed by {finding.suppressed.kind}{terminal_safe(reason)}]"
        lines = _wrap(f"{head}  {subject}" if subject else head, width, "  ", "      ")
        if subject and lines[-1].endswith(subject):
            lines[-1] = lines[-1][: -len(subject)] + style.dim(subject)
        lines += _wrap(terminal_safe(finding.message), width, "    ")
        if finding.locations:
            lines += [style.dim(line) for line in _wrap("--> " + terminal_safe(_locations(finding)), width,
                                                         "    ", "        ")]
        return lines

    def _models(self, result: ScanResult, style: _Style, width: int) -> list[str]:
        rows = []
        for m in result.models:
            vendor = m.vendor or "?"
            if m.root_vendor and m.root_vendor != m.vendor:
                vendor = f"{vendor} -> {m.root_vendor}"
            model_id = m.id + (f"@{m.revision[:10]}" if m.revision else "")
            # A license inherited along the lineage is marked; the conditions section says from where.
            label = license_label(m) + ("*" if inherited_from(m) else "")
            rows.append([terminal_safe(x) for x in (model_id, label, commercial_label(m), vendor, _status(m))])
        headers = ["MODEL", "LICENSE", "COMMERCIAL", "VENDOR -> ROOT", "STATUS"]
        limits = [48, 24, 15, 30, 24]
        natural = [min(limit, max(len(h), *(len(r[i]) for r in rows))) for i, (h, limit) in
                   enumerate(zip(headers, limits, strict=True))]
        gaps = 2 + 2 * (len(headers) - 1)
        available = width - gaps
        minimum = [min(n, m) for n, m in zip(natural, _MIN_COLUMNS, strict=True)]
        if sum(minimum) > available:  # a narrow terminal: every column gives way in proportion
            minimum = [max(4, m * available // sum(minimum)) for m in minimum]
        widths = fit_columns(natural, minimum, available)
        lines = [style.bold(f"Models ({len(rows)})"),
                 "  " + style.dim("  ".join(_clip(h, w).ljust(w) for h, w in zip(headers, widths, strict=True)
                                            ).rstrip())]
        for row in rows:
            lines.append("  " + "  ".join(_clip(c, w).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        lines.append("")
        return lines

    def _conditions(self, result: ScanResult, style: _Style, width: int) -> list[str]:
        """What each governing license asks of the project, grouped by license; and which licenses were
        inherited along a lineage rather than declared by the model's own card."""
        groups = license_conditions(result.models)
        inherited = [m for m in result.models if inherited_from(m)]
        if not groups and not inherited:
            return []
        label = "License conditions"
        first, *more = _wrap(f"{label}  what the governing licenses ask (not legal advice: read them)", width, "",
                             "  ")
        lines = [style.bold(label) + style.dim(first[len(label):]), *(style.dim(m) for m in more)]
        for group in groups:
            lines += _wrap(terminal_safe(f"{group.license}: {', '.join(group.models)}"), width, "  ", "    ")
            for kind, text in condition_lines(group.conditions):
                lines += _wrap(terminal_safe(f"- {kind}: {text}"), width, "    ", "      ")
        for m in inherited:
            lines += [style.dim(line) for line in _wrap(terminal_safe(
                f"* {m.id} is governed by {license_label(m)} from {inherited_from(m)}; its card says "
                f"{card_license_label(m)}"), width, "  ", "    ")]
        lines.append("")
        return lines

    def _vendors(self, shares: list[tuple[str, int]], style: _Style, width: int) -> list[str]:
        total = sum(n for _, n in shares)
        parts = [f"{terminal_safe(v)} {n} ({n / total:.0%})" for v, n in shares[:MAX_VENDORS]]
        rest = shares[MAX_VENDORS:]
        if rest:
            others = sum(n for _, n in rest)
            parts.append(f"{len(rest)} more vendors {others} ({others / total:.0%})")
        label = "Weights by root vendor:"
        first, *more = _wrap(f"{label} " + " · ".join(parts), width, "", "  ")
        return [style.bold(label) + first[len(label):], *more, ""]

    def _vendor_view(self, result: ScanResult, style: _Style, width: int) -> list[str]:
        view = vendors.view_of(result)
        rows = vendors.vendor_rows(view)
        label = "Vendors"
        first, *more = _wrap(f"{label}  {vendors.concentration_text(view.concentration)}", width, "", "  ")
        lines = [style.bold(label) + style.dim(first[len(label):]), *(style.dim(m) for m in more)]
        name_width = min(30, max(len("VENDOR"), *(len(r.vendor) for r in rows)))
        kinds_width = min(24, max(len("MODELS"), *(len(r.kinds) for r in rows)))
        header = f"{'VENDOR'.ljust(name_width)}  SHARE  {'MODELS'.ljust(kinds_width)}  REFERENCES BY EXPOSURE"
        lines += [style.dim(line) for line in _wrap(header, width, "  ", "    ")]
        for row in rows[:MAX_VENDORS]:
            lines += _wrap(terminal_safe(
                f"{_clip(row.vendor, name_width).ljust(name_width)}  {row.share:>5.0%}  "
                f"{_clip(row.kinds, kinds_width).ljust(kinds_width)}  {row.exposure}"), width, "  ", "    ")
        if len(rows) > MAX_VENDORS:
            lines.append(style.dim(f"  {len(rows) - MAX_VENDORS} more vendors (see the JSON or HTML report)"))
        lines.append("")
        return lines

    def _alternatives(self, result: ScanResult, style: _Style, width: int) -> list[str]:
        rows = vendors.alternative_rows(result)
        unrecorded = vendors.not_recorded(result)
        if not rows and not unrecorded:
            return []
        label = "Alternatives"
        first, *more = _wrap(f"{label}  other vendors, same task, open license, similar size", width, "", "  ")
        lines = [style.bold(label) + style.dim(first[len(label):]), *(style.dim(m) for m in more)]
        for row in rows:
            suggested = ", ".join(vendors.alternative_text(a) for a in row.alternatives) or (row.note or "")
            lines += _wrap(terminal_safe(f"{row.model}: {suggested}"), width, "  ", "    ")
        if unrecorded:
            lines += [style.dim(line) for line in _wrap(
                f"{_count(unrecorded, 'model')} with findings: none recorded for offline scans; run "
                "`model-risk alternatives` online to record them", width, "  ", "    ")]
        lines.append("")
        return lines

    def _summary(self, result: ScanResult, style: _Style, width: int, hidden: int) -> list[str]:
        active = result.active_findings()
        counts = Counter(f.severity for f in active)
        detail = ", ".join(f"{counts[s]} {s.value}" for s in sorted(Severity, reverse=True) if counts[s])
        text = f"{len(active)} finding{'s' if len(active) != 1 else ''}" + (f" ({detail})" if detail else "")
        suppressed = len(result.findings) - len(active)
        if suppressed:
            text += f", {suppressed} suppressed"
        if hidden:
            text += f", {hidden} not shown (--severity)"
        lines: list[str] = []
        knowledge = knowledge_text(result.knowledge)
        if knowledge:  # before the verdict: the run's last line says whether it failed
            lines += [style.dim(line) for line in _wrap(terminal_safe(f"Judged with model-risk's {knowledge}."), width)]
        judged = verdict(result)
        if judged.unchecked:
            lines += [style(line, "1;33") for line in _wrap(terminal_safe(judged.unchecked) + ".", width)]
        shown = {"failed": judged.text.replace("failed", "FAILED", 1), "passed": judged.text}.get(judged.state,
                                                                                                 judged.text)
        code = {"failed": "1;31", "passed": "1;32"}.get(judged.state, "2")
        wrapped = _wrap(f"{text}. {shown}", width)
        if wrapped[-1].endswith(shown):
            wrapped[-1] = wrapped[-1][: -len(shown)] + style(shown, code)
        return lines + wrapped
