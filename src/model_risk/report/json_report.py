"""The version-1 JSON report (DESIGN.md; schema in ``schemas/report.schema.json``)."""

from __future__ import annotations

from model_risk.common.json_text import pretty_json
from model_risk.contract.domain import ScanResult
from model_risk.contract.reporter import Reporter, ReportOptions
from model_risk.report.document import to_document


class JsonReporter(Reporter):
    format = "json"
    description = "machine-readable report (version 1), for scripts and `model-risk report`"
    extension = ".json"

    def render(self, result: ScanResult, options: ReportOptions) -> str:
        return pretty_json(to_document(result))

