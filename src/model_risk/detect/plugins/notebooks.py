"""The built-in detector plugin for Jupyter notebooks: registers what :mod:`model_risk.detect.notebooks` defines,
by name (:class:`~model_risk.detect.lazy.LazyDetector`): that module is loaded when a file it reads is."""

from model_risk.contract.hookspecs import hookimpl
from model_risk.detect import file_kinds
from model_risk.detect.lazy import LazyDetector


@hookimpl
def register_detectors(register) -> None:  # type: ignore[no-untyped-def]
    register(LazyDetector("notebook", "model_risk.detect.notebooks:NotebookDetector", file_kinds.notebook))
    register(LazyDetector("notebook-docs", "model_risk.detect.notebooks:NotebookDocsDetector", file_kinds.notebook,
                          documentation=True))
