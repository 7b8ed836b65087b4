"""The built-in detector plugin for Markdown documents: registers what :mod:`model_risk.detect.markdown` defines."""

from model_risk.contract.hookspecs import hookimpl
from model_risk.detect.markdown import MarkdownDetector


@hookimpl
def register_detectors(register) -> None:  # type: ignore[no-untyped-def]
    register(MarkdownDetector())
