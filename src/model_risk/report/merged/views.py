"""What the text, Markdown and HTML organisation reports show, computed once from the merged document.

The grid is repositories x vendors: each cell counts the repository's references whose model roots at
that vendor, split into open weights and API models. Columns are the vendors used by most repositories
(ties by name); the rest are summed in one "other vendors" column so the grid stays readable at 40 vendors.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from model_risk.report.merged.document import SEVERITIES

#: Vendor columns in the grid before the rest are summed.
GRID_VENDORS = 10
#: Repositories named in a models-table cell before "and N more".
WHERE_SHOWN = 6
OTHER = "other vendors"


@dataclass
class Cell:
    open_weight: int = 0
    api: int = 0

    @property
    def total(self) -> int:
        return self.open_weight + self.api


@dataclass
class Grid:
    vendors: list[str]
    rows: list[tuple[dict[str, Any], list[Cell]]] = field(default_factory=list)


def license_label(model: dict[str, Any]) -> str:
    """The license that governs the model along its lineage, else its card's (reports before 0.1)."""
    lic = model.get("effective_license") or model.get("license") or {}
    if model.get("status") == "api":
        return "API terms"
    return lic.get("spdx") or lic.get("hub") or lic.get("name") or ("unknown" if model.get("status") == "resolved"
                                                                   else "-")


def model_label(model: dict[str, Any]) -> str:
    return model["id"] if not model.get("revision") else f"{model['id']}@{model['revision']}"


def where_used(model: dict[str, Any], limit: int = WHERE_SHOWN) -> tuple[list[str], int]:
    """The repositories using a model, busiest first (then by name), and how many more are not shown."""
    uses = sorted(model["repositories"], key=lambda u: (-len(u["references"]), u["repository"]))
    names = [f"{u['repository']} ({len(u['references'])})" for u in uses]
    return names[:limit], max(0, len(names) - limit)


def grid(document: dict[str, Any], columns: int = GRID_VENDORS) -> Grid:
    vendors = [v["name"] for v in document["vendors"][:columns]]
    shown = set(vendors)
    has_other = len(document["vendors"]) > columns
    cells: dict[str, dict[str, Cell]] = defaultdict(lambda: defaultdict(Cell))
    for model in document["models"]:
        vendor = model.get("root_vendor") or model.get("vendor")
        if not vendor:
            continue
        column = vendor if vendor in shown else OTHER
        for use in model["repositories"]:
            cell = cells[use["repository"]][column]
            if model.get("status") == "api":
                cell.api += len(use["references"])
            else:
                cell.open_weight += len(use["references"])
    names = vendors + ([OTHER] if has_other else [])
    out = Grid(names)
    for repo in document["repositories"]:
        row = cells.get(repo["id"], {})
        out.rows.append((repo, [row.get(n, Cell()) for n in names]))
    return out


def worst(counts: dict[str, int]) -> str | None:
    for severity in reversed(SEVERITIES):
        if counts.get(severity):
            return severity
    return None


def heading(document: dict[str, Any]) -> str:
    name = document["merged"]["name"]
    return f"Model risk across {name}" if name else "Model risk across repositories"
