"""model-risk: find the machine-learning models a code base depends on and judge the risk they carry."""

from model_risk.contract.version import __version__

__all__ = ["__version__", "hookimpl"]


def __getattr__(name: str) -> object:
    # ``hookimpl``, the decorator plugins use, comes with pluggy: imported when a plugin asks for it, not by
    # every ``import model_risk.…`` (a worker process, ``python -m model_risk.github_action check``).
    if name == "hookimpl":
        from model_risk.contract.hookspecs import hookimpl

        return hookimpl
    raise AttributeError(f"module 'model_risk' has no attribute {name!r}")
