"""The built-in detector plugin for open weights served by hosting providers: registers what :mod:`model_risk.detect.hosted` defines."""

from model_risk.contract.hookspecs import hookimpl
from model_risk.detect.hosted import HostedDetector


@hookimpl
def register_detectors(register) -> None:  # type: ignore[no-untyped-def]
    register(HostedDetector())
