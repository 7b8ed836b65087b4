"""Building references at a place in a file: the helpers every detector shares."""

from __future__ import annotations

from typing import TYPE_CHECKING

from model_risk.contract.domain import Reference
from model_risk.contract.source import SourceFile

if TYPE_CHECKING:
    from model_risk.detect.model_names import ModelName


def reference_at(source: SourceFile, offset: int, model: str, detector: str, **attributes: object
                 ) -> Reference:
    """Build a Reference whose location is the character ``offset`` in ``source``."""
    line, column = source.position(offset)
    return Reference(model=model, path=source.path, line=line, column=column, detector=detector,
                     **attributes)  # type: ignore[arg-type]


def reference_to(source: SourceFile, offset: int, name: ModelName, detector: str, **attributes: object
                 ) -> Reference:
    """Build a Reference for ``name`` found in the string that starts at character ``offset``."""
    if name.kind == "api":  # a hosted model has no Hub revision and runs none of our code
        attributes.pop("revision", None)
        attributes.pop("trust_remote_code", None)
    return reference_at(source, offset + name.start, name.model, detector, kind=name.kind,
                        api_vendor=name.api_vendor, lookup_id=name.lookup_id, **attributes)
