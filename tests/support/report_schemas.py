"""Validation against the official SARIF and CycloneDX schemas kept in tests/schemas/ (see SOURCES.md)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"


def _load(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


@cache
def _sarif_validator():  # type: ignore[no-untyped-def]
    import jsonschema

    # The OASIS errata schema is draft-04.
    return jsonschema.Draft4Validator(_load("sarif-schema-2.1.0.json"), format_checker=jsonschema.FormatChecker())


@cache
def _cyclonedx_validator():  # type: ignore[no-untyped-def]
    import jsonschema
    from referencing import Registry, Resource

    # bom-1.6 refers to the SPDX and JSF schemas by their $id: register all three to validate offline.
    registry = Registry()
    for name in ("bom-1.6.schema.json", "spdx.schema.json", "jsf-0.82.schema.json"):
        schema = _load(name)
        registry = registry.with_resource(schema["$id"], Resource.from_contents(schema))
    return jsonschema.Draft7Validator(_load("bom-1.6.schema.json"), registry=registry,
                                      format_checker=jsonschema.FormatChecker())


def _check(validator, document: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message[:300]}" for e in errors[:10])


def validate_sarif(document: dict[str, Any]) -> None:
    _check(_sarif_validator(), document)


def validate_cyclonedx(document: dict[str, Any]) -> None:
    _check(_cyclonedx_validator(), document)
