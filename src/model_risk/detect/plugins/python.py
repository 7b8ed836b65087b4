"""The built-in detector plugin for Python source files: registers what :mod:`model_risk.detect.python_source` defines."""

from model_risk.contract.hookspecs import hookimpl
from model_risk.detect.python_source import PythonDetector


@hookimpl
def register_detectors(register) -> None:  # type: ignore[no-untyped-def]
    register(PythonDetector())
