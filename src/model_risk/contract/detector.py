"""The detector interface: one file in, model references out.

A detector is a plugin object registered through the ``register_detectors`` hook; the built-in ones live
in :mod:`model_risk.detect`, one module per kind of file.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable
from typing import ClassVar

from model_risk.contract.domain import Note, Reference
from model_risk.contract.source import SourceFile


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
