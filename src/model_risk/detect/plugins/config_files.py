"""The built-in detector plugin for YAML, JSON and TOML files: registers what :mod:`model_risk.detect.config_files` defines."""

from model_risk.contract.hookspecs import hookimpl
from model_risk.detect.config_files import JsonDetector, TomlDetector, YamlDetector


@hookimpl
def register_detectors(register) -> None:  # type: ignore[no-untyped-def]
    register(YamlDetector())
    register(JsonDetector())
    register(TomlDetector())
