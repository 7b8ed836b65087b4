"""The built-in detector plugin for ModelScope downloads and loaders: registers what :mod:`model_risk.detect.modelscope` defines."""

from model_risk.contract.hookspecs import hookimpl
from model_risk.detect.modelscope import ModelScopeDetector


@hookimpl
def register_detectors(register) -> None:  # type: ignore[no-untyped-def]
    register(ModelScopeDetector())
