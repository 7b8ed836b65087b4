"""Several reports from one scan, and `model-risk report` re-rendering a saved JSON report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.project import REPO

FIXTURE = REPO / "tests" / "fixtures" / "report-project"
ALL_FORMATS = ("json", "text", "sarif", "html", "markdown", "cyclonedx")


@pytest.fixture(scope="module")
def one_scan(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One offline scan writing every format to its own file: format -> document."""
    from conftest import run_cli

    out = tmp_path_factory.mktemp("outputs")
    args: list[str | Path] = ["scan", FIXTURE, "--offline"]
    for fmt in ALL_FORMATS:
        args += ["--format", fmt, "--output", out / f"report.{fmt}"]
    run = run_cli(*args)
    assert run.code == 1, run.stderr
    assert run.stdout == "", "every report went to its file"
    return {fmt: (out / f"report.{fmt}").read_text(encoding="utf-8") for fmt in ALL_FORMATS}


def test_one_scan_writes_every_format(one_scan: dict[str, str]):
    assert json.loads(one_scan["json"])["version"] == 1
    assert json.loads(one_scan["sarif"])["version"] == "2.1.0"
    assert json.loads(one_scan["cyclonedx"])["bomFormat"] == "CycloneDX"
    assert one_scan["html"].startswith("<!DOCTYPE html>")
    assert one_scan["markdown"].startswith("## ")
    assert "Models (10)" in one_scan["text"]
    assert "\x1b[" not in one_scan["text"], "a report written to a file is never coloured"


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_rendering_the_saved_json_equals_rendering_during_the_scan(cli, one_scan: dict[str, str], tmp_path: Path,
                                                                   fmt: str):
    saved = tmp_path / "scan.json"
    saved.write_text(one_scan["json"], encoding="utf-8")
    run = cli("report", saved, "--format", fmt, "--no-color")
    assert run.code == 0, run.stderr
    assert run.stdout == one_scan[fmt]


def test_report_renders_several_formats_and_reads_stdin(cli, one_scan: dict[str, str], tmp_path: Path):
    saved = tmp_path / "scan.json"
    saved.write_text(one_scan["json"], encoding="utf-8")
    run = cli("report", saved, "-f", "sarif", "-o", tmp_path / "r.sarif", "-f", "html", "-o", tmp_path / "r.html")
    assert run.code == 0 and run.stdout == ""
    assert (tmp_path / "r.sarif").read_text(encoding="utf-8") == one_scan["sarif"]
    assert (tmp_path / "r.html").read_text(encoding="utf-8") == one_scan["html"]

    from click.testing import CliRunner

    from model_risk.cli import cli as click_cli

    result = CliRunner().invoke(click_cli, ["report", "-", "--format", "markdown"], input=one_scan["json"])
    assert result.exit_code == 0, result.output
    assert result.output == one_scan["markdown"]


def test_text_is_the_default_format(cli, one_scan: dict[str, str], tmp_path: Path):
    saved = tmp_path / "scan.json"
    saved.write_text(one_scan["json"], encoding="utf-8")
    run = cli("report", saved)
    assert run.code == 0
    assert run.stdout == one_scan["text"]


@pytest.mark.parametrize("content, expected", [
    ("{", "not a JSON document"),
    ("[1, 2]", "not a model-risk JSON report"),
    ('{"version": 2, "findings": []}', "report version 2 is not supported"),
    ('{"version": 1, "findings": [], "tool": {"name": "model-risk", "version": "1"}, "references": [], '
     '"models": [{"id": "x"}], "summary": {"files": 0, "references": 0, "models": 0, "findings": {}}}',
     "models[0]"),
])
def test_a_bad_report_file_is_one_line_and_exit_2(cli, tmp_path: Path, content: str, expected: str):
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    run = cli("report", bad, "--format", "html")
    assert run.code == 2
    assert run.stdout == ""
    line = run.stderr.strip()
    assert "\n" not in line and "Traceback" not in line
    assert line.startswith("model-risk: error: ") and str(bad) in line and expected in line


def test_a_missing_report_file(cli, tmp_path: Path):
    run = cli("report", tmp_path / "missing.json")
    assert run.code == 2
    assert "no such file" in run.stderr and "missing.json" in run.stderr


def test_report_rejects_an_unknown_format_before_reading(cli, tmp_path: Path):
    run = cli("report", tmp_path / "missing.json", "--format", "pdf")
    assert run.code == 2
    assert "unknown format 'pdf'" in run.stderr


API_MODEL = {
    "id": "gpt-4o", "aliases": [], "status": "api", "reason": None, "revision": None, "author": "OpenAI",
    "vendor": "OpenAI", "vendor_country": "United States", "root_vendor": "OpenAI",
    "root_vendor_country": "United States", "lineage": ["gpt-4o"], "base_models": [], "base_relation": None,
    "license": None, "gated": False, "sha": None, "formats": [], "source": "api",
}
API_REFERENCE = {
    "model": "gpt-4o", "path": "app/llm.py", "line": 3, "column": 10, "detector": "python", "revision": None,
    "trust_remote_code": False, "kind": "api", "api_vendor": "OpenAI", "loader": "openai.OpenAI",
}


@pytest.mark.parametrize("with_api_model", [False, True], ids=["empty", "api-model"])
def test_every_format_renders_an_empty_scan_and_a_hosted_api_model(cli, project, tmp_path: Path,
                                                                     with_api_model: bool):
    from support.report_schemas import validate_cyclonedx, validate_sarif

    saved = tmp_path / "scan.json"
    assert cli("scan", project({"app.py": "x = 1\n"}), "--offline", "-f", "json", "-o", saved).code == 0
    if with_api_model:
        document = json.loads(saved.read_text(encoding="utf-8"))
        document["models"].append(API_MODEL)
        document["references"].append(API_REFERENCE)
        saved.write_text(json.dumps(document), encoding="utf-8")
    outputs = {fmt: cli("report", saved, "--format", fmt) for fmt in ALL_FORMATS}
    assert all(run.code == 0 for run in outputs.values()), {f: r.stderr for f, r in outputs.items()}
    validate_sarif(json.loads(outputs["sarif"].stdout))
    bom = json.loads(outputs["cyclonedx"].stdout)
    validate_cyclonedx(bom)
    if with_api_model:
        [api] = bom["components"]
        assert api["name"] == "gpt-4o" and "purl" not in api and api["supplier"] == {"name": "OpenAI"}
        assert "| `gpt-4o` | API terms | per API terms | OpenAI | api |" in outputs["markdown"].stdout
        assert "gpt-4o" in outputs["html"].stdout and "gpt-4o" in outputs["text"].stdout
    else:
        assert "No model references found." in outputs["text"].stdout
        assert "No model references were found." in outputs["html"].stdout
        assert bom.get("components", []) == []
