"""The built-in detector plugin for shell scripts and Dockerfiles: registers what :mod:`model_risk.detect.shell` defines,
by name (:class:`~model_risk.detect.lazy.LazyDetector`): that module is loaded when a file it reads is."""

from model_risk.contract.hookspecs import hookimpl
from model_risk.detect import file_kinds
from model_risk.detect.lazy import LazyDetector


@hookimpl
def register_detectors(register) -> None:  # type: ignore[no-untyped-def]
    register(LazyDetector("shell", "model_risk.detect.shell:ShellDetector", file_kinds.shell))
