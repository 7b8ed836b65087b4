"""The small rules reports rely on: the revision key that matches references to models, the scope a path
belongs to, and how the text report gives up column width."""

from __future__ import annotations

import pytest

from model_risk.contract.domain import revision_key
from model_risk.report.presentation import path_scope
from model_risk.report.text import fit_columns

SHA = "86B5E0934494BD15C9632B12F734A8A67F723594"


@pytest.mark.parametrize("written,key", [
    (None, None), ("", None), ("main", None), (" main ", None),  # all the default branch
    (SHA, SHA.lower()), (SHA.lower(), SHA.lower()),  # a commit, however it is cased
    ("v1.0", "v1.0"), ("dev", "dev"), ("Main", "Main"),  # tags and other branches as written
])
def test_revision_key(written, key):
    assert revision_key(written) == key


@pytest.mark.parametrize("path,scope", [
    ("src/app.py", "code"), ("docs/guide.py", "docs"), ("README.md", "docs"), ("notes/setup.rst", "docs"),
    ("tests/test_app.py", "tests"), ("pkg/test_io.py", "tests"), ("conftest.py", "tests"),
    ("web/app.spec.ts", "tests"), ("examples/train.py", "examples"), ("configs/train.yaml", "config"),
])
def test_path_scope(path, scope):
    assert path_scope(path) == scope


def test_columns_give_way_by_how_far_they_are_above_their_minimum():
    assert fit_columns([40, 10, 30], [30, 10, 10], 70) == [40, 10, 20]
    assert fit_columns([40, 10, 30], [30, 10, 10], 50) == [30, 10, 10]  # cannot fit: stops at the minimums
    assert fit_columns([12, 8], [4, 4], 40) == [12, 8]
