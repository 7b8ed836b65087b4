"""The knowledge tables in force for a run: the bundled tables, and the project's overlays on them.

model-risk ships ten tables under ``knowledge/data/`` (licenses, lineage hints, vendors, model publishers,
API model names, Ollama's library, hosting providers, ModelScope organisations, well-known substitutes,
serving engines), each dated (``as_of``) and naming a source per entry. A project corrects or extends them without waiting for a release with overlay files (the
``knowledge:`` setting, docs/configuration.md): the application reads and validates them once per run and
installs them here, before any table is read; every table module merges what is installed over its
bundled data. The tables are read from detection's worker processes too, so the detector pool installs
the same overlays in each worker.

The tables are cached per set of overlays (keyed by their digests), so installing nothing costs nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from model_risk.common.documents import load_package_data
from model_risk.common.resources import read_package_text
from model_risk.contract.domain import KnowledgeOverlay, KnowledgeStamp

#: Bundled table -> its file under the package.
TABLES = {
    "licenses": "knowledge/data/licenses.yaml",
    "lineage": "knowledge/data/lineage.yaml",
    "vendors": "knowledge/data/vendors.yaml",
    "publishers": "knowledge/data/model_publishers.yaml",
    "api_models": "knowledge/data/api_models.yaml",
    "ollama": "knowledge/data/ollama.yaml",
    "hosting": "knowledge/data/hosting.yaml",
    "modelscope": "knowledge/data/modelscope.yaml",
    "substitutes": "knowledge/data/substitutes.yaml",
    "serving": "knowledge/data/serving.yaml",
}

#: Overlay section -> the table it corrects (an overlay file may hold any of them).
SECTIONS = {
    "licenses": "licenses",
    "lineage_hints": "lineage",
    "lineage_families": "lineage",
    "vendors": "vendors",
    "redistributors": "vendors",
    "publishers": "publishers",
    "api_models": "api_models",
    "ollama": "ollama",
    "hosting": "hosting",
    "modelscope": "modelscope",
    "substitute_families": "substitutes",
    "substitute_models": "substitutes",
    "serving_engines": "serving",
}


@dataclass(frozen=True)
class Overlay:
    """One overlay file, read and validated against ``schemas/knowledge-overlay.schema.json``."""

    #: The file as the configuration names it (relative to the project).
    path: str
    as_of: str
    #: SHA-256 of the file's text.
    sha256: str
    data: Mapping[str, Any] = field(compare=False, hash=False)

    @property
    def tables(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(SECTIONS[key] for key in self.data if key in SECTIONS))


_installed: tuple[Overlay, ...] = ()
#: Caches outside the table modules built from the tables (detection's compiled patterns): cleared
#: whenever the overlays in force change.
_listeners: list[Callable[[], object]] = []


def install(overlays: Sequence[Overlay]) -> None:
    """Make ``overlays`` the corrections of this run (later files win over earlier ones)."""
    global _installed
    changed = tuple(o.sha256 for o in overlays) != key()
    _installed = tuple(overlays)
    if changed:
        for clear in _listeners:
            clear()


def on_change(clear: Callable[[], object]) -> None:
    """Call ``clear`` whenever other overlays are installed (a cache derived from the tables)."""
    _listeners.append(clear)


def installed() -> tuple[Overlay, ...]:
    return _installed


def key() -> tuple[str, ...]:
    """What the tables in force depend on: the digests of the installed overlays, in order."""
    return tuple(overlay.sha256 for overlay in _installed)


def sections(name: str) -> Iterator[tuple[Overlay, Any]]:
    """Each installed overlay's ``name`` section, in installation order (later ones win)."""
    for overlay in _installed:
        if name in overlay.data:
            yield overlay, overlay.data[name]


def bundled(table: str) -> dict[str, Any]:
    data = load_package_data(TABLES[table])
    assert isinstance(data, dict)
    return data


@cache
def _bundled_dates() -> tuple[tuple[str, str], ...]:
    return tuple((table, str(bundled(table).get("as_of") or "")) for table in TABLES)


@cache
def _bundled_digest() -> str:
    digest = hashlib.sha256()
    for path in TABLES.values():
        digest.update(read_package_text(path).encode("utf-8"))
    return digest.hexdigest()


def stamp() -> KnowledgeStamp:
    """The knowledge this run judges by: a version that changes with any table or overlay, the date the
    bundled tables were checked (the oldest table's), and the overlays in force."""
    digest = hashlib.sha256(_bundled_digest().encode())
    for overlay in _installed:
        digest.update(overlay.sha256.encode())
    dates = _bundled_dates()
    return KnowledgeStamp(
        version=digest.hexdigest()[:12],
        as_of=min((date for _, date in dates if date), default=""),
        tables=dates,
        overlays=tuple(KnowledgeOverlay(o.path, o.as_of, o.sha256[:12], o.tables) for o in _installed),
    )
