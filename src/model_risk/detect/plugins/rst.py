"""The built-in detector plugin for reStructuredText documents: registers what :mod:`model_risk.detect.rst` defines."""

from model_risk.contract.hookspecs import hookimpl
from model_risk.detect.rst import RstDetector


@hookimpl
def register_detectors(register) -> None:  # type: ignore[no-untyped-def]
    register(RstDetector())
