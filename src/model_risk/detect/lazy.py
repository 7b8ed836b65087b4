"""A built-in detector registered by name, its module loaded when a file it reads is first detected.

The walk asks every detector whether it reads a file (``accepts``) before any is read; the built-in
plugins answer that with :mod:`model_risk.detect.file_kinds` and name the class that does the work, so a
scan loads only the detector modules its files need. Like the built-in reporters' ``LazyReporter``.
A lazy detector pickles as its name and target, so a worker process loads the module itself.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from functools import cached_property

from model_risk.contract.detector import Detector
from model_risk.contract.domain import Note, Reference
from model_risk.contract.source import SourceFile


class LazyDetector(Detector):
    """Stands in for a detector class: ``accepts`` without loading it, then delegates to it."""

    name = ""

    def __init__(self, name: str, target: str, accepts: Callable[[str], bool], *, documentation: bool = False) -> None:
        self.name = name  # type: ignore[misc]
        self.documentation = documentation  # type: ignore[misc]
        #: "module:Class" of the detector that does the work.
        self.target = target
        # The walk asks this of every file name: the predicate itself, not a method calling it.
        self.accepts = accepts  # type: ignore[method-assign, assignment]

    @cached_property
    def implementation(self) -> Detector:
        module_name, _, class_name = self.target.partition(":")
        detector: Detector = getattr(importlib.import_module(module_name), class_name)()
        return detector

    @property
    def description(self) -> str:  # type: ignore[override]
        return self.implementation.description

    def accepts(self, filename: str) -> bool:
        raise NotImplementedError  # each instance has the predicate itself in its place (see __init__)

    def prefilter(self, text: str) -> bool:
        return self.implementation.prefilter(text)

    def detect(self, source: SourceFile) -> Iterable[Reference | Note]:
        return self.implementation.detect(source)

    def __getstate__(self) -> dict:
        return {"name": self.name, "documentation": self.documentation, "target": self.target,
                "accepts": self.accepts}
