"""The merged document as one self-contained HTML page: repositories x vendors, and the models table
saying where each model is used. Autoescaped (templates/merged.html.j2); no external resources."""

from __future__ import annotations

from typing import Any

from model_risk.common.resources import data_dir
from model_risk.report.merged import views
from model_risk.report.merged.document import SEVERITIES

#: Repositories named in a "Used in" cell; the JSON and SQLite outputs name them all.
WHERE_SHOWN = 100


def render_html(document: dict[str, Any]) -> str:
    from markupsafe import Markup

    from model_risk.report.templating import html_environment

    ranked = sorted(document["models"], key=lambda m: (-m["repository_count"], m["id"].lower(), m["revision"] or ""))
    table = views.grid(document)
    peak = max((c.total for _, cells in table.rows for c in cells), default=0)
    context = {
        "doc": document, "title": views.heading(document), "grid": table, "peak": peak or 1,
        "models": [(m, views.model_label(m), views.license_label(m), *views.where_used(m, WHERE_SHOWN))
                   for m in ranked],
        "severities": list(reversed(SEVERITIES)), "worst": views.worst,
        "stylesheet": Markup((data_dir("templates") / "report.css").read_text(encoding="utf-8")),
    }
    return html_environment().get_template("merged.html.j2").render(context)
