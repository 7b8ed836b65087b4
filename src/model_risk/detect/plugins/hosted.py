"""The built-in detector plugin for open weights served by hosting providers' APIs: registers what :mod:`model_risk.detect.hosted` defines,
by name (:class:`~model_risk.detect.lazy.LazyDetector`): that module is loaded when a file it reads is."""

from model_risk.contract.hookspecs import hookimpl
from model_risk.detect import file_kinds
from model_risk.detect.lazy import LazyDetector


@hookimpl
def register_detectors(register) -> None:  # type: ignore[no-untyped-def]
    register(LazyDetector("hosted", "model_risk.detect.hosted:HostedDetector", file_kinds.door_code))
