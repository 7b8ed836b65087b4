"""Property-based tests: whatever a rule pack or config file holds, loading it either works or fails
with a one-line RulePackError/ConfigError, never anything else."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model_risk.app.config import load_config
from model_risk.app.plugins import load_plugins
from model_risk.contract.errors import ConfigError, RulePackError
from model_risk.evaluate.packs import RuleSettings, load_rules

FUZZ = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10, 10**6), st.floats(allow_nan=False),
                    st.text(max_size=20))
documents = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)), max_leaves=20)
keys = st.sampled_from(["pack", "version", "rules", "code", "name", "severity", "scope", "summary", "when",
                        "message", "all", "any", "not", "field", "equals", "in", "gt", "matches", "check",
                        "args", "params", "param", "severity-from"])
pack_like = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(keys, inner, max_size=5)), max_leaves=25)


def _load_pack(tmp_path: Path, text: str) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text(text, encoding="utf-8")
    try:
        load_rules(load_plugins().conditions, RuleSettings(extra_packs=(pack,)))
    except RulePackError as exc:
        assert "\n" not in str(exc).strip()


@FUZZ
@given(text=st.text(max_size=400))
def test_any_text_as_a_pack(tmp_path, text):
    _load_pack(tmp_path, text)


@FUZZ
@given(document=pack_like)
def test_any_pack_shaped_document(tmp_path, document):
    _load_pack(tmp_path, yaml.safe_dump(document))


@FUZZ
@given(rule=st.dictionaries(keys, pack_like, max_size=8))
def test_any_rule_inside_a_valid_pack(tmp_path, rule):
    _load_pack(tmp_path, yaml.safe_dump({"pack": "fuzz", "version": 1, "rules": [rule]}))


@FUZZ
@given(document=documents)
def test_any_document_as_a_config(tmp_path, document):
    (tmp_path / ".model-risk.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    try:
        load_config(tmp_path, cache_dir=None)
    except ConfigError as exc:
        assert "\n" not in str(exc).strip()
