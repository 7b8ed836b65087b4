"""The built-in detector plugin for YAML, JSON and TOML files: registers what :mod:`model_risk.detect.config_files` defines,
by name (:class:`~model_risk.detect.lazy.LazyDetector`): that module is loaded when a file it reads is."""

from model_risk.contract.hookspecs import hookimpl
from model_risk.detect import file_kinds
from model_risk.detect.lazy import LazyDetector


@hookimpl
def register_detectors(register) -> None:  # type: ignore[no-untyped-def]
    register(LazyDetector("yaml", "model_risk.detect.config_files:YamlDetector", file_kinds.yaml))
    register(LazyDetector("json", "model_risk.detect.config_files:JsonDetector", file_kinds.json))
    register(LazyDetector("toml", "model_risk.detect.config_files:TomlDetector", file_kinds.toml))
