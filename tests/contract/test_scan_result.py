"""ScanResult keeps its own invariants: whatever references are dropped, the grouping of references under
models is made again by the one constructor, and every format renders the result."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.project import REPO, validate_report
from support.report_schemas import validate_cyclonedx, validate_sarif

from model_risk.contract.domain import ScanResult
from model_risk.contract.reporter import ReportOptions

FIXTURE = REPO / "tests" / "fixtures" / "report-project"


@pytest.fixture(scope="module")
def scanned() -> ScanResult:
    from support.project import run_cli

    from model_risk.report.document import read_document

    run = run_cli("scan", FIXTURE, "--offline", "--format", "json", "--fail-on", "never")
    assert run.code == 0, run.stderr
    return read_document(run.stdout, "scan.json")


@pytest.fixture(scope="module")
def reporters():
    from model_risk.app.plugins import load_plugins

    return load_plugins(disabled=()).reporters


def _check_grouping(result: ScanResult) -> None:
    uses = result.uses()
    assert len(uses) == len(result.models)
    seen = set()
    for use in uses:
        assert use.references, f"{use.facts.id} is kept without a reference"
        for ref in use.references:
            assert any(ref is kept for kept in result.references)
            seen.add(id(ref))
    models = {m.id for m in result.models}
    assert all(f.model is None or f.model in models for f in result.findings)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_dropping_any_references_keeps_the_grouping_and_every_format_renders(scanned, reporters, data):
    keep = data.draw(st.lists(st.booleans(), min_size=len(scanned.references), max_size=len(scanned.references)))
    kept = {id(ref) for ref, flag in zip(scanned.references, keep, strict=True) if flag}
    result = scanned.restricted(lambda ref: id(ref) in kept)
    assert len(result.references) == sum(keep)
    _check_grouping(result)
    for fmt, reporter in reporters.items():
        text = reporter.render(result, ReportOptions())
        assert text, fmt
        if fmt == "json":
            document = json.loads(text)
            validate_report(document)
            assert all(max(m["references"], default=-1) < len(document["references"])
                       for m in document["models"])
        elif fmt == "sarif":
            validate_sarif(json.loads(text))
        elif fmt == "cyclonedx":
            validate_cyclonedx(json.loads(text))


def test_a_grouping_that_points_past_the_references_is_refused_where_it_is_made(scanned):
    import dataclasses

    with pytest.raises(ValueError, match="points past"):
        dataclasses.replace(scanned, references=scanned.references[:1])
