"""The built-in report formats, registered through the same hook as a third-party reporter.

Each format's module is imported when a report in that format is rendered, not when the command
starts: a pre-commit run writes one text report and should not pay for loading the HTML, SARIF and
CycloneDX machinery (and the libraries behind them).
"""

from __future__ import annotations

import importlib
from functools import cached_property

from model_risk.contract.domain import ScanResult
from model_risk.contract.hookspecs import hookimpl
from model_risk.contract.reporter import Reporter, ReportOptions

#: --format value -> "module:Reporter class" that renders it.
BUILTIN_FORMATS = {
    "text": "model_risk.report.text:TextReporter",
    "json": "model_risk.report.json_report:JsonReporter",
    "sarif": "model_risk.report.sarif:SarifReporter",
    "html": "model_risk.report.html:HtmlReporter",
    "markdown": "model_risk.report.markdown:MarkdownReporter",
    "cyclonedx": "model_risk.report.cyclonedx:CycloneDxReporter",
}


class LazyReporter(Reporter):
    """Stands in for a reporter class until a report is rendered, then delegates to it."""

    format = ""

    def __init__(self, format_name: str, target: str) -> None:
        self.format = format_name  # type: ignore[misc]
        self.target = target

    @cached_property
    def implementation(self) -> Reporter:
        module_name, _, class_name = self.target.partition(":")
        reporter: Reporter = getattr(importlib.import_module(module_name), class_name)()
        return reporter

    @property
    def extension(self) -> str:  # type: ignore[override]
        return self.implementation.extension

    @property
    def description(self) -> str:  # type: ignore[override]
        return self.implementation.description

    def render(self, result: ScanResult, options: ReportOptions) -> str:
        return self.implementation.render(result, options)


@hookimpl
def register_reporters(register) -> None:  # type: ignore[no-untyped-def]
    for format_name, target in BUILTIN_FORMATS.items():
        register(LazyReporter(format_name, target))
