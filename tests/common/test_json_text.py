"""Reports are written by orjson where it is installed: the bytes must be the standard library's."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model_risk.common import json_text
from model_risk.common.json_text import pretty_json


# JSON values as reports hold them: text with any characters (controls, quotes, U+2028, astral
# planes), 64-bit integers, floats, nested objects and arrays, empty containers.
def _documents(floats):
    scalars = st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | floats | st.text()
    return st.recursive(scalars, lambda children: st.lists(children, max_size=4)
                        | st.dictionaries(st.text(max_size=8), children, max_size=4), max_leaves=30)


_any_float = st.floats(allow_nan=False, allow_infinity=False)
# Floats as reports hold them (shares, confidences, counts): none is below 1e-4 in size.
_report_float = _any_float.filter(lambda x: x == 0 or abs(x) >= 1e-4)


@settings(max_examples=300, deadline=None)
@given(_documents(_report_float))
def test_same_bytes_as_the_standard_library(document):
    assert pretty_json(document) == json.dumps(document, indent=2, ensure_ascii=False) + "\n"


@settings(max_examples=300, deadline=None)
@given(_documents(_any_float))
def test_tiny_floats_keep_their_value(document):
    # the one difference: orjson writes 1e-05 as 0.00001 (both JSON, the same number)
    assert json.loads(pretty_json(document)) == document


@pytest.mark.parametrize("value", [2**64, -(2**70), "lone \udc80 surrogate", {1: "integer key"}])
def test_values_orjson_refuses_are_written_by_the_standard_library(value):
    assert pretty_json(value) == json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def test_orjson_is_what_writes_reports_on_cpython():
    # the speed claimed in docs/performance.md depends on it being installed with the package
    assert json_text.orjson_module() is not None or sys.implementation.name != "cpython"


def test_without_orjson_the_standard_library_writes_the_same_report(tmp_path):
    script = (
        "import sys; sys.modules['orjson'] = None\n"
        "from model_risk.common.json_text import pretty_json, orjson_module\n"
        "assert orjson_module() is None\n"
        "print(pretty_json({'a': [1, 'é', {}], 'b': None}), end='')\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out == json.dumps({"a": [1, "é", {}], "b": None}, indent=2, ensure_ascii=False) + "\n"
