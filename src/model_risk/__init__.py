"""model-risk: find the machine-learning models a code base depends on and judge the risk they carry."""

from model_risk.contract.hookspecs import hookimpl  # the decorator plugins use
from model_risk.contract.version import __version__

__all__ = ["__version__", "hookimpl"]
