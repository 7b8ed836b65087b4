"""Geometry for the report's inline-SVG charts. The templates draw; this computes where.

No JavaScript library and no remote resource: a donut is a ring of circles whose dash pattern shows
one arc each, and a bar chart is rectangles. Colours are CSS classes (``p0`` ... ``p7``), because the
report's Content-Security-Policy forbids inline ``style`` attributes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

#: Distinct colour classes; more slices than this are merged into "other".
PALETTE_SIZE = 8

DONUT_RADIUS = 70.0
DONUT_CIRCUMFERENCE = 2 * math.pi * DONUT_RADIUS


@dataclass(frozen=True)
class Slice:
    label: str
    count: int
    percent: float
    colour: str
    #: ``stroke-dasharray`` and ``stroke-dashoffset`` that draw this slice's arc on the ring.
    dasharray: str
    dashoffset: str


def donut(items: Sequence[tuple[str, int]], other_label: str = "other") -> list[Slice]:
    """Slices for (label, count) pairs, largest first as given; the tail beyond the palette is merged."""
    items = list(items)
    if len(items) > PALETTE_SIZE:
        head, tail = items[: PALETTE_SIZE - 1], items[PALETTE_SIZE - 1:]
        items = [*head, (f"{other_label} ({len(tail)})", sum(n for _, n in tail))]
    total = sum(n for _, n in items)
    slices = []
    start = 0.0
    for index, (label, count) in enumerate(items):
        length = DONUT_CIRCUMFERENCE * count / total if total else 0.0
        slices.append(Slice(
            label=label, count=count, percent=100.0 * count / total if total else 0.0,
            colour=f"p{index}",
            dasharray=f"{length:.2f} {DONUT_CIRCUMFERENCE - length:.2f}",
            dashoffset=f"{-start:.2f}",
        ))
        start += length
    return slices


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    group: str
    y: float
    width: float


#: License bars drawn; the rest are counted under the chart (an offline scan of a big repository can
#: have dozens of labels, and the chart must stay one screen tall).
MAX_BARS = 12
BAR_HEIGHT = 22
BAR_GAP = 8
BAR_MAX_WIDTH = 250.0


def bars(items: Sequence[tuple[str, str, int]]) -> list[Bar]:
    """Horizontal bars for (label, group, count), scaled to the largest count."""
    largest = max((count for _, _, count in items), default=0)
    return [Bar(label=label, count=count, group=group, y=float(i * (BAR_HEIGHT + BAR_GAP)),
                width=max(2.0, BAR_MAX_WIDTH * count / largest) if largest else 0.0)
            for i, (label, group, count) in enumerate(items)]


def bars_height(count: int) -> int:
    return max(1, count) * (BAR_HEIGHT + BAR_GAP)
