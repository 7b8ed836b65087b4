"""What the ``merge`` command (and ``scan --format sqlite``) call: the CLI stays options and output."""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from model_risk.contract.domain import ScanResult
from model_risk.report.merged.document import merge, to_json
from model_risk.report.merged.inputs import LoadedReport, read_reports, report_paths

#: merge --format value -> "module:function" turning the merged document into text.
TEXT_FORMATS = {
    "json": "model_risk.report.merged.document:to_json",
    "text": "model_risk.report.merged.text:render_text",
    "markdown": "model_risk.report.merged.markdown:render_markdown",
    "html": "model_risk.report.merged.html:render_html",
    "cyclonedx": "model_risk.report.merged.cyclonedx:render_cyclonedx",
}
#: Formats that are files, not text: they need --output.
FILE_FORMATS = ("sqlite",)
FORMATS = (*TEXT_FORMATS, *FILE_FORMATS)


def merge_reports(arguments: Iterable[str], name: str | None, stdin_lines: Iterable[str] = ()) -> dict[str, Any]:
    """The merged document of the reports ``arguments`` name (files, folders, ``-`` for stdin's list)."""
    return merge(read_reports(report_paths(arguments, stdin_lines)), name)


def render(document: dict[str, Any], fmt: str) -> str:
    module_name, _, function = TEXT_FORMATS[fmt].partition(":")
    return str(getattr(importlib.import_module(module_name), function)(document))


def write_file(document: dict[str, Any], fmt: str, output: Path) -> None:
    from model_risk.report.merged.sqlite_db import write_database

    assert fmt == "sqlite"
    write_database(document, output)


def scan_document(result: ScanResult) -> dict[str, Any]:
    """One scan as a merged document of one repository: ``scan --format sqlite`` writes the same tables
    as ``merge`` does, so the queries in docs/merge.md work on both."""
    import hashlib
    import json

    from model_risk.report.document import to_document

    report = to_document(result)
    digest = hashlib.sha256(json.dumps(report, sort_keys=True).encode("utf-8")).hexdigest()
    source = f"{(result.repository or 'scan').replace('/', '-')}.json"
    loaded = LoadedReport(source=source, digest=digest, document=report)
    return merge([loaded])


__all__ = ["FILE_FORMATS", "FORMATS", "TEXT_FORMATS", "merge_reports", "render", "scan_document", "to_json",
           "write_file"]
