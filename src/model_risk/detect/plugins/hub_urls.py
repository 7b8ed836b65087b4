"""The built-in detector plugin for Hugging Face URLs in any text file: registers what :mod:`model_risk.detect.hub_urls` defines."""

from model_risk.contract.hookspecs import hookimpl
from model_risk.detect.hub_urls import HubUrlDetector


@hookimpl
def register_detectors(register) -> None:  # type: ignore[no-untyped-def]
    register(HubUrlDetector())
