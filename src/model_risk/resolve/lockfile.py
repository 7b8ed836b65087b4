"""``model-risk.lock``: the reviewed facts of every model a project uses, for offline and CI scans.

The file is JSON with sorted keys and one entry per lookup (``id`` or ``id@revision``), so a change
upstream shows up as a small, readable diff. Entries hold what the Hub said (see :mod:`records`);
classifications are derived again when the lock is read. An optional ``alternatives`` object records
the replacements chosen for a model (``model-risk alternatives``), so offline scans can show them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from model_risk.common.fileio import JsonError, atomic_write, parse_json, read_problem, read_text_file, write_problem
from model_risk.common.json_text import pretty_json
from model_risk.contract.domain import ModelFacts
from model_risk.contract.errors import ConfigError, excerpt
from model_risk.contract.resolver import ModelRequest, VendorDirectory
from model_risk.contract.version import __version__
from model_risk.knowledge import facts as records

LOCKFILE_NAME = "model-risk.lock"
LOCKFILE_VERSION = 1


class LockfileError(ConfigError):
    """The lockfile exists but cannot be used."""


def request_key(request: ModelRequest) -> str:
    return f"{request.model_id}@{request.revision}" if request.revision else request.model_id


def parse_request_key(key: str) -> ModelRequest:
    model_id, _, revision = key.partition("@")
    return ModelRequest(model_id, revision or None)


@dataclass(frozen=True)
class Lockfile:
    path: Path
    entries: Mapping[str, Mapping[str, Any]]
    #: Model id -> recorded replacements: ``{"suggestions": [...], "note": ..., "criteria": {...}}``.
    alternatives: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def alternatives_for(self, model_id: str) -> Mapping[str, Any] | None:
        wanted = model_id.lower()
        return next((entry for key, entry in self.alternatives.items() if key.lower() == wanted), None)

    def record(self, request: ModelRequest) -> Mapping[str, Any] | None:
        return self.entries.get(request_key(request))

    def facts(self, request: ModelRequest, vendors: VendorDirectory) -> ModelFacts | None:
        record = self.record(request)
        if record is None:
            return None
        try:
            return records.from_record(record, vendors, source="lockfile")
        except records.RecordError as exc:
            raise LockfileError(f"entry {excerpt(request_key(request))}: {exc}", path=str(self.path)) from None

    def requests(self) -> list[ModelRequest]:
        return [parse_request_key(key) for key in self.entries]


def read_lockfile(path: Path) -> Lockfile | None:
    """The lockfile at ``path``, or None when there is none. A broken lockfile is an error: silently
    ignoring it would turn every locked model into an unresolved one."""
    try:
        text = read_text_file(path)
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise LockfileError(f"cannot read the lockfile: {read_problem(exc)}", path=str(path)) from None
    try:
        data = parse_json(text)
    except JsonError as exc:
        raise LockfileError(exc.message, path=str(path), line=exc.line) from None
    if not isinstance(data, dict) or not isinstance(data.get("models"), dict):
        raise LockfileError("not a model-risk lockfile (no \"models\" object)", path=str(path))
    version = data.get("version")
    if version != LOCKFILE_VERSION:
        raise LockfileError(f"lockfile version {excerpt(version)} is not supported (expected {LOCKFILE_VERSION}); "
                            "run `model-risk lock` to rewrite it", path=str(path))
    for key, entry in data["models"].items():
        # Every entry is checked now: a hand-edited entry that cannot be read must stop the scan with
        # its line, not turn into one unresolved model halfway through it.
        if not isinstance(entry, dict):
            raise LockfileError(f"entry {excerpt(key)} is not an object", path=str(path), line=_line_of(text, key))
        try:
            records.check_record(entry)
        except records.RecordError as exc:
            raise LockfileError(f"entry {excerpt(key)}: {exc}", path=str(path), line=_line_of(text, key)) from None
    alternatives = data.get("alternatives") or {}
    if not isinstance(alternatives, dict) or not all(
            isinstance(e, dict) and isinstance(e.get("suggestions", []), list) for e in alternatives.values()):
        raise LockfileError("\"alternatives\" must map model ids to objects with a \"suggestions\" list",
                            path=str(path), line=_line_of(text, "alternatives"))
    return Lockfile(path, data["models"], alternatives)


def _line_of(text: str, key: str) -> int | None:
    offset = text.find(json.dumps(key, ensure_ascii=False) + ":")
    return text.count("\n", 0, offset) + 1 if offset >= 0 else None


def write_lockfile(path: Path, facts_by_request: Iterable[tuple[ModelRequest, ModelFacts]],
                   alternatives: Mapping[str, Mapping[str, Any]] | None = None) -> None:
    models = {request_key(req): records.to_record(facts, volatile=False) for req, facts in facts_by_request}
    _write(path, models, alternatives or {})


def _write(path: Path, models: Mapping[str, Any], alternatives: Mapping[str, Mapping[str, Any]]) -> None:
    document: dict[str, Any] = {
        "version": LOCKFILE_VERSION,
        "generated-by": f"model-risk {__version__}",
        "models": dict(sorted(models.items())),
    }
    if alternatives:
        document["alternatives"] = dict(sorted(alternatives.items()))
    try:
        atomic_write(path, pretty_json(document))
    except OSError as exc:  # a missing folder, a full or read-only disk
        raise LockfileError(f"cannot write the lockfile: {write_problem(exc)}", path=str(path)) from None


def record_alternatives(path: Path, model_id: str, entry: Mapping[str, Any]) -> None:
    """Record the replacements chosen for ``model_id``, keeping everything else the lockfile holds (a
    new lockfile is started when there is none)."""
    existing = read_lockfile(path)
    models = dict(existing.entries) if existing is not None else {}
    alternatives = {k: v for k, v in (existing.alternatives if existing is not None else {}).items()
                    if k.lower() != model_id.lower()}
    alternatives[model_id] = dict(entry)
    _write(path, models, alternatives)
