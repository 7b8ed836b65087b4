"""Locating the files shipped with model-risk: data tables, schemas, rule packs, report templates.

model-risk is installed as a directory (pip never installs it zipped), so plain paths beside this module
serve, and avoid importing ``importlib.resources`` (which pulls in zipfile and tempfile) on every run.
Rule packs and templates live inside the package in an installed wheel (``model_risk/rules``,
``model_risk/templates``) and at the top of the repository in a source checkout (editable install).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

#: The model_risk package directory (this module lives in model_risk/common/).
PACKAGE = Path(__file__).resolve().parent.parent


def package_file(relative: str) -> Path:
    """A file inside the package, such as ``knowledge/data/vendors.yaml`` or ``schemas/report.schema.json``."""
    return PACKAGE / relative


def read_package_text(relative: str) -> str:
    return package_file(relative).read_text(encoding="utf-8")


@cache
def data_dir(name: str) -> Path:
    """``rules`` or ``templates``: in the package when installed, else the repository's own directory."""
    packaged = PACKAGE / name
    if packaged.is_dir():
        return packaged
    checkout = PACKAGE.parents[1] / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"model-risk is installed without its {name}/ directory")
