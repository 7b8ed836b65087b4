"""The built-in detector plugin for Jupyter notebooks: registers what :mod:`model_risk.detect.notebooks` defines."""

from model_risk.contract.hookspecs import hookimpl
from model_risk.detect.notebooks import NotebookDetector, NotebookDocsDetector


@hookimpl
def register_detectors(register) -> None:  # type: ignore[no-untyped-def]
    register(NotebookDetector())
    register(NotebookDocsDetector())
