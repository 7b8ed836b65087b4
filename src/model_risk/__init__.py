"""model-risk: find the machine-learning models a code base depends on and judge the risk they carry."""

__version__ = "0.1.0"

from model_risk.contract.hookspecs import hookimpl  # noqa: E402  (the decorator plugins use)

__all__ = ["__version__", "hookimpl"]
