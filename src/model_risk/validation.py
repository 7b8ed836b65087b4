"""Validating YAML/JSON documents against model-risk's published JSON Schemas, with line numbers.

Validation needs ``jsonschema``, which is slow to import; a document that validated once is remembered
by content hash in the cache directory, so repeated runs (pre-commit) skip the import entirely.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from model_risk import __version__
from model_risk.resources import read_package_text
from model_risk.safe_yaml import YamlDocument


@dataclass(frozen=True)
class SchemaViolation:
    message: str
    path: tuple[str | int, ...]
    line: int | None


@cache
def load_schema(name: str) -> dict:
    text = read_package_text(f"schemas/{name}")
    return json.loads(text)


def _memo_path(cache_dir: Path | None, schema_name: str, text: str) -> Path | None:
    if cache_dir is None:
        return None
    import hashlib

    digest = hashlib.sha256(f"{__version__}\0{schema_name}\0{text}".encode()).hexdigest()
    return cache_dir / "validated" / digest


def _format_path(path: tuple[str | int, ...]) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


def first_violation(document: YamlDocument, schema_name: str, *, text: str,
                    cache_dir: Path | None = None) -> SchemaViolation | None:
    """The most relevant schema violation in ``document``, or None when it is valid."""
    memo = _memo_path(cache_dir, schema_name, text)
    if memo is not None and memo.exists():
        return None
    import jsonschema

    validator_class = jsonschema.validators.validator_for(load_schema(schema_name))
    validator = validator_class(load_schema(schema_name))
    error = jsonschema.exceptions.best_match(validator.iter_errors(document.data))
    if error is None:
        if memo is not None:
            try:
                memo.parent.mkdir(parents=True, exist_ok=True)
                memo.touch()
            except OSError:
                pass
        return None
    path = tuple(error.absolute_path)
    where = _format_path(path)
    message = f"{where}: {error.message}" if where else error.message
    return SchemaViolation(message, path, document.line_of(list(path)))
