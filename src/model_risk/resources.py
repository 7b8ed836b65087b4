"""Locating the data shipped with model-risk: rule packs and report templates.

In an installed wheel they live inside the package (``model_risk/rules``, ``model_risk/templates``);
in a source checkout (an editable install) they are the repository's top-level ``rules/`` and
``templates/`` directories.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path


@cache
def data_dir(name: str) -> Traversable:
    packaged = resources.files("model_risk").joinpath(name)
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"model-risk is installed without its {name}/ directory")
