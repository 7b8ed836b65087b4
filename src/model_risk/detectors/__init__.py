"""Detectors: one file in, model references out.

A detector is a plugin object registered through the ``register_detectors`` hook. Each implementation
lives in its own module in this package; this module holds the interface and the helpers they share.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

from model_risk.domain import Note, Reference
from model_risk.source import SourceFile

if TYPE_CHECKING:
    from model_risk.detectors.model_names import ModelName


class Detector(abc.ABC):
    """Finds model references in one kind of file."""

    #: Unique name; shown as ``references[].detector`` and used to disable the detector in the config.
    name: ClassVar[str]
    #: One line for ``model-risk plugins``.
    description: ClassVar[str] = ""
    #: Detectors of documentation (Markdown, reStructuredText) can be turned off with ``docs: false``.
    documentation: ClassVar[bool] = False

    @abc.abstractmethod
    def accepts(self, filename: str) -> bool:
        """Is a file with this name (no directory part) of the kind this detector reads? No I/O."""

    def prefilter(self, text: str) -> bool:
        """A cheap test run before ``detect``: False means the file cannot hold a reference."""
        return True

    @abc.abstractmethod
    def detect(self, source: SourceFile) -> Iterable[Reference | Note]:
        """Yield the references in ``source``; yield a Note for what could not be read."""


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
