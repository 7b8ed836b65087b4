"""The vendor view and the suggested replacements, as the text, Markdown and HTML reports show them.

The numbers come from :mod:`model_risk.knowledge.exposure` (the same view the JSON report's ``vendors``
and ``summary.concentration`` hold); this module only words them, the same way in every format.
"""

from __future__ import annotations

from dataclasses import dataclass

from model_risk.contract.domain import ALTERNATIVES_NOT_RECORDED, Alternative, ScanResult
from model_risk.knowledge.exposure import EXPOSURE_LEVELS, Concentration, VendorView, vendor_view
from model_risk.report.presentation import license_label


def view_of(result: ScanResult) -> VendorView:
    return vendor_view((use.facts, use.references) for use in result.uses())


def concentration_text(c: Concentration) -> str:
    """``HHI 3580 (highly concentrated; floor 1111 for 9 models) · top Alibaba 56%``: the floor is the
    lowest index that many models allow, each from a different vendor."""
    if not c.models:
        return "no models counted"
    text = f"HHI {c.hhi} ({c.band}; floor {c.floor} for {c.models} model{'s' if c.models != 1 else ''})"
    if c.top_vendor:
        text += f" · top {c.top_vendor} {c.top_share:.0%}"
    return text


@dataclass(frozen=True)
class VendorRow:
    vendor: str
    country: str | None
    models: int
    open_weights: int
    api: int
    share: float
    references: int
    files: int
    exposure: str
    licenses: str

    @property
    def kinds(self) -> str:
        parts = [f"{self.open_weights} open-weight"] if self.open_weights else []
        return ", ".join(parts + ([f"{self.api} API"] if self.api else []))


def vendor_rows(view: VendorView) -> list[VendorRow]:
    rows = []
    for entry in view.vendors:
        counts = {level: 0 for level in EXPOSURE_LEVELS}
        for use in entry.uses:
            counts[use.exposure] += len(use.references)
        refs = entry.references
        labels = sorted({license_label(u.facts) for u in entry.uses}, key=str.lower)
        rows.append(VendorRow(
            vendor=entry.vendor, country=entry.country, models=entry.distinct(),
            open_weights=entry.distinct("open-weights"), api=entry.distinct("api"), share=entry.share,
            references=len(refs), files=len({r.path for r in refs}),
            exposure=", ".join(f"{n} {level}" for level, n in counts.items() if n) or "-",
            licenses=", ".join(labels)))
    return rows


@dataclass(frozen=True)
class AlternativesRow:
    model: str
    alternatives: tuple[Alternative, ...]
    note: str | None


def not_recorded(result: ScanResult) -> int:
    """Models with findings whose replacements an offline scan could not show (never recorded)."""
    return len({m.id.lower() for m in result.models if m.alternatives_note == ALTERNATIVES_NOT_RECORDED})


def alternative_rows(result: ScanResult) -> list[AlternativesRow]:
    """Models for which replacements were looked up (or recorded), in the scan's model order."""
    seen: set[str] = set()
    rows = []
    for m in result.models:
        if m.alternatives_note == ALTERNATIVES_NOT_RECORDED:
            continue
        if (m.alternatives or m.alternatives_note) and m.id.lower() not in seen:
            seen.add(m.id.lower())
            rows.append(AlternativesRow(m.id, m.alternatives, m.alternatives_note))
    return rows


def alternative_text(a: Alternative) -> str:
    return f"{a.id} ({a.license or 'license unknown'}, {a.root_vendor or 'vendor unknown'})"
