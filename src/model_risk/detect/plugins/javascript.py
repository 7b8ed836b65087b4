"""The built-in detector plugin for JavaScript and TypeScript: registers what :mod:`model_risk.detect.javascript` defines."""

from model_risk.contract.hookspecs import hookimpl
from model_risk.detect.javascript import JavaScriptDetector


@hookimpl
def register_detectors(register) -> None:  # type: ignore[no-untyped-def]
    register(JavaScriptDetector())
