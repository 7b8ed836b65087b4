"""The merged document as plain text for a terminal: summary, vendors, models, repositories."""

from __future__ import annotations

from typing import Any

from model_risk.report.merged import views
from model_risk.report.merged.document import SEVERITIES
from model_risk.report.terminal import terminal_safe

#: Rows of the models list before it is cut (the JSON, HTML and SQLite outputs have them all).
MODELS_SHOWN = 40


def _t(value: object) -> str:
    return terminal_safe("" if value is None else str(value))


#: Repositories named after one disagreeing value before "and N more".
NAMES_SHOWN = 5


def _names(labels: list[str]) -> str:
    shown = ", ".join(_t(label) for label in labels[:NAMES_SHOWN])
    return shown + (f" and {len(labels) - NAMES_SHOWN} more" if len(labels) > NAMES_SHOWN else "")


def render_text(document: dict[str, Any]) -> str:
    s = document["summary"]
    lines = [views.heading(document)]
    if not s["repositories"]:
        return lines[0] + "\n\nNo reports were merged: there is nothing to show.\n"
    counts = ", ".join(f"{s['findings'][sev]} {sev}" for sev in reversed(SEVERITIES) if s["findings"][sev])
    lines += [
        f"{s['repositories']} repositories, {s['models']} models, {s['references']} references, "
        f"{s['vendors']} vendors; findings: {counts or 'none'}",
        f"scans from {document['merged']['earliest_scan']} to {document['merged']['latest_scan']}",
        "",
        "Vendors (by repositories using them)",
    ]
    for vendor in document["vendors"]:
        ow, api = vendor["open_weight"], vendor["api"]
        lines.append(f"  {_t(vendor['name'])[:28]:<28} {len(vendor['repositories']):>5} repos  "
                     f"{len(ow['models']):>4} open-weight models ({ow['references']} refs)  "
                     f"{len(api['models']):>3} API models ({api['references']} refs)")
    lines += ["", "Models (by repositories using them)"]
    ranked = sorted(document["models"], key=lambda m: (-m["repository_count"], m["id"].lower(), m["revision"] or ""))
    for model in ranked[:MODELS_SHOWN]:
        shown, more = views.where_used(model, 3)
        where = ", ".join(_t(x) for x in shown) + (f" and {more} more" if more else "")
        flag = "  [facts disagree]" if model["disagreements"] else ""
        lines.append(f"  {_t(views.model_label(model))}  {_t(views.license_label(model))}  "
                     f"root: {_t(model.get('root_vendor') or '-')}  in {model['repository_count']}: {where}{flag}")
    if len(ranked) > MODELS_SHOWN:
        lines.append(f"  ... and {len(ranked) - MODELS_SHOWN} more models (see --format html, json or sqlite)")
    disagreeing = [m for m in document["models"] if m["disagreements"]]
    if disagreeing:
        lines += ["", "Facts the reports disagree on (the newest resolved answer is used)"]
        for model in disagreeing:
            for d in model["disagreements"]:
                values = "; ".join(f"{_t(v['value'])} in {_names(v['repositories'])}" for v in d["values"])
                lines.append(f"  {_t(views.model_label(model))} {d['field']}: {values}")
    lines += ["", "Repositories"]
    for repo in document["repositories"]:
        counts = ", ".join(f"{repo['findings'][sev]} {sev}" for sev in reversed(SEVERITIES) if repo["findings"][sev])
        commit = (repo["commit"] or "")[:12] or "-"
        lines.append(f"  {_t(repo['id'])}  {commit}  {repo['scanned_at'] or '-'}  {repo['models']} models  "
                     f"findings: {counts or 'none'}")
    return "\n".join(lines) + "\n"
