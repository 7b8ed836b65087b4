"""The built-in detector plugin for shell scripts and Dockerfiles: registers what :mod:`model_risk.detect.shell` defines."""

from model_risk.contract.hookspecs import hookimpl
from model_risk.detect.shell import ShellDetector


@hookimpl
def register_detectors(register) -> None:  # type: ignore[no-untyped-def]
    register(ShellDetector())
