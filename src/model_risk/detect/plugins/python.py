"""The built-in detector plugin for Python source files: registers what :mod:`model_risk.detect.python_source` defines,
by name (:class:`~model_risk.detect.lazy.LazyDetector`): that module is loaded when a file it reads is."""

from model_risk.contract.hookspecs import hookimpl
from model_risk.detect import file_kinds
from model_risk.detect.lazy import LazyDetector


@hookimpl
def register_detectors(register) -> None:  # type: ignore[no-untyped-def]
    register(LazyDetector("python", "model_risk.detect.python_source:PythonDetector", file_kinds.python))
