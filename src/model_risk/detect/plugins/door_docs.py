"""The built-in detector plugin for Ollama, hosted and ModelScope models in documentation: registers what :mod:`model_risk.detect.door_docs` defines,
by name (:class:`~model_risk.detect.lazy.LazyDetector`): that module is loaded when a file it reads is."""

from model_risk.contract.hookspecs import hookimpl
from model_risk.detect import file_kinds
from model_risk.detect.lazy import LazyDetector


@hookimpl
def register_detectors(register) -> None:  # type: ignore[no-untyped-def]
    register(LazyDetector("door-docs", "model_risk.detect.door_docs:DoorDocsDetector", file_kinds.door_document, documentation=True))
