"""The built-in detector plugin for Ollama (CLI, Modelfiles, clients): registers what :mod:`model_risk.detect.ollama` defines."""

from model_risk.contract.hookspecs import hookimpl
from model_risk.detect.ollama import OllamaDetector


@hookimpl
def register_detectors(register) -> None:  # type: ignore[no-untyped-def]
    register(OllamaDetector())
