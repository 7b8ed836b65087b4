"""The merged document as GitHub-flavoured Markdown (a job summary): every untrusted value escaped.

GitHub cuts a job summary at 1 MiB, so the long lists are capped here; the HTML, JSON and SQLite
outputs hold everything.
"""

from __future__ import annotations

from typing import Any

from model_risk.report.merged import views
from model_risk.report.merged.document import SEVERITIES
from model_risk.report.templating import markdown_code, markdown_escape

MODELS_SHOWN = 100
REPOSITORIES_SHOWN = 200


def _row(*cells: object) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def render_markdown(document: dict[str, Any]) -> str:
    s = document["summary"]
    out = [f"## {markdown_escape(views.heading(document))}", ""]
    if not s["repositories"]:
        return "\n".join(out + ["No reports were merged: there is nothing to show.", ""])
    counts = ", ".join(f"{s['findings'][sev]} {sev}" for sev in reversed(SEVERITIES) if s["findings"][sev])
    out += [f"**{s['repositories']}** repositories · **{s['models']}** models · **{s['references']}** references · "
            f"**{s['vendors']}** vendors · findings: {counts or 'none'}", ""]

    table = views.grid(document, columns=8)
    out += ["### Repositories × vendors", "", "References per repository whose model roots at each vendor "
            "(open weights + API).", ""]
    out.append(_row("Repository", *(markdown_escape(v) for v in table.vendors), "Worst finding"))
    out.append(_row(*(["---"] * (len(table.vendors) + 2))))
    for repo, cells in table.rows[:REPOSITORIES_SHOWN]:
        out.append(_row(markdown_code(repo["id"]),
                        *((f"{c.open_weight}" + (f" + {c.api} API" if c.api else "")) if c.total else "·"
                          for c in cells),
                        views.worst(repo["findings"]) or "none"))
    if len(table.rows) > REPOSITORIES_SHOWN:
        out.append(f"\n… and {len(table.rows) - REPOSITORIES_SHOWN} more repositories (see the HTML report).")

    out += ["", "### Models and where they are used", "",
            _row("Model", "License", "Root vendor", "Repositories", "Used in"), _row(*(["---"] * 5))]
    ranked = sorted(document["models"], key=lambda m: (-m["repository_count"], m["id"].lower(), m["revision"] or ""))
    for model in ranked[:MODELS_SHOWN]:
        shown, more = views.where_used(model)
        where = ", ".join(str(markdown_escape(x)) for x in shown) + (f" and {more} more" if more else "")
        flag = " ⚠ facts disagree" if model["disagreements"] else ""
        out.append(_row(markdown_code(views.model_label(model)) + flag, markdown_escape(views.license_label(model)),
                        markdown_escape(model.get("root_vendor") or "-"), model["repository_count"], where))
    if len(ranked) > MODELS_SHOWN:
        out.append(f"\n… and {len(ranked) - MODELS_SHOWN} more models (see the HTML report).")

    disagreeing = [m for m in ranked if m["disagreements"]]
    if disagreeing:
        out += ["", "### Disagreements between reports", "",
                "Facts are taken from the newest resolved answer; these fields differ between repositories' reports.",
                "", _row("Model", "Field", "Values"), _row("---", "---", "---")]
        for model in disagreeing[:MODELS_SHOWN]:
            for d in model["disagreements"]:
                values = "; ".join(f"{markdown_escape(v['value'])} ({len(v['repositories'])} repos)"
                                   for v in d["values"])
                out.append(_row(markdown_code(views.model_label(model)), d["field"], values))
    return "\n".join(out) + "\n"
