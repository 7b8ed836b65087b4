"""The version of model-risk: written once, here (what `model-risk --version` prints and reports carry).

A leaf module, so that code needing the version imports neither the package root nor anything else.
"""

__version__ = "0.1.0"
