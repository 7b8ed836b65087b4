"""The merged document as one CycloneDX 1.6 BOM: one ``machine-learning-model`` component per model, with
an evidence occurrence per reference whose location names the repository (``owner/name:path``).

Built as plain JSON rather than through cyclonedx-python-lib's object model: an organisation BOM has
tens of thousands of occurrences, and the fields used here are few (the tests validate the output
against the official 1.6 schema). The timestamp is the newest scan and the serial number is derived
from the content, so merging the same reports gives the same BOM.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from model_risk.common.json_text import pretty_json
from model_risk.report.cyclonedx import PROPERTY_PREFIX, SERIAL_NAMESPACE, purl_for
from model_risk.report.merged import views
from model_risk.report.presentation import safe_url


def _licenses(model: dict[str, Any]) -> list[dict[str, Any]]:
    from cyclonedx.spdx import is_supported_id

    lic = model.get("license")
    if not lic:
        return []
    spdx = lic.get("spdx")
    if spdx and " " in spdx:
        return [{"expression": spdx, "acknowledgement": "declared"}]
    entry: dict[str, Any] = {"acknowledgement": "declared"}
    if spdx and is_supported_id(spdx):
        entry["id"] = spdx
    else:
        name = lic.get("name") or lic.get("declared_name") or lic.get("hub") or spdx
        if not name:
            return []
        entry["name"] = name
    link = safe_url(lic.get("link"))
    if link:
        entry["url"] = link
    return [{"license": entry}]


def _properties(model: dict[str, Any]) -> list[dict[str, str]]:
    pairs = [("status", model["status"]), ("repositories", str(model["repository_count"]))]
    for key in ("root_vendor", "root_vendor_country", "vendor_country", "revision"):
        if model.get(key):
            pairs.append((key.replace("_", "-"), str(model[key])))
    pairs.extend(("repository", use["repository"]) for use in model["repositories"])
    pairs.extend(("disagreement", d["field"]) for d in model["disagreements"])
    return [{"name": PROPERTY_PREFIX + k, "value": v} for k, v in pairs]


def _component(model: dict[str, Any]) -> dict[str, Any]:
    label = views.model_label(model)
    component: dict[str, Any] = {"type": "machine-learning-model", "bom-ref": label, "name": model["id"]}
    if "/" in model["id"]:
        component["group"] = model["id"].split("/")[0]
    if model.get("sha"):
        component["version"] = model["sha"]
    if model["status"] != "api" and (purl := purl_for(model["id"], model.get("sha"))):
        component["purl"] = purl
    if model.get("root_vendor") or model.get("vendor"):
        component["supplier"] = {"name": model.get("vendor") or model["root_vendor"]}
    if licenses := _licenses(model):
        component["licenses"] = licenses
    component["properties"] = _properties(model)
    occurrences = []
    for use in model["repositories"]:
        for ref in use["references"]:
            occurrence: dict[str, Any] = {"location": f"{use['repository']}:{ref['path']}", "line": ref["line"],
                                          "symbol": ref["model"]}
            if ref.get("column"):
                occurrence["offset"] = ref["column"] - 1  # CycloneDX offsets count from 0, columns from 1
            occurrence["additionalContext"] = f"repository {use['repository']}"
            occurrences.append(occurrence)
    if occurrences:
        component["evidence"] = {"occurrences": occurrences}
    return component


def render_cyclonedx(document: dict[str, Any]) -> str:
    from model_risk.contract.version import __version__

    name = document["merged"]["name"] or "organisation"
    components = [_component(m) for m in document["models"]]
    bom: dict[str, Any] = {
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
        "metadata": {
            "tools": {"components": [{"type": "application", "name": "model-risk", "version": __version__}]},
            "component": {"type": "application", "bom-ref": f"org:{name}", "name": name,
                          "properties": [{"name": PROPERTY_PREFIX + "repository", "value": r["id"]}
                                         for r in document["repositories"]]},
        },
        "components": components,
    }
    if document["merged"]["latest_scan"]:
        bom["metadata"]["timestamp"] = document["merged"]["latest_scan"]
    digest = hashlib.sha256(json.dumps(bom, sort_keys=True).encode("utf-8")).hexdigest()
    bom["serialNumber"] = uuid.uuid5(SERIAL_NAMESPACE, digest).urn
    return pretty_json(bom)
