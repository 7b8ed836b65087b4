"""The built-in detector plugin for Ollama, hosted and ModelScope models in documentation: registers what :mod:`model_risk.detect.door_docs` defines."""

from model_risk.contract.hookspecs import hookimpl
from model_risk.detect.door_docs import DoorDocsDetector


@hookimpl
def register_detectors(register) -> None:  # type: ignore[no-untyped-def]
    register(DoorDocsDetector())
