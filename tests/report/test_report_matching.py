"""One key matches references to models, however the revision is written (issue 15).

A reference that says ``revision="main"`` and one that gives no revision load the same model (the
default branch); a sha and a tag name other revisions. Every format must show each model with the
references the scan grouped under it: JSON (``models[].references``), HTML, SARIF, Markdown, CycloneDX.
"""

from __future__ import annotations

import json
import re

import pytest
from support.project import validate_report

SHA = "86b5e0934494bd15c9632b12f734a8a67f723594"
CODE = f"""from transformers import AutoModel
AutoModel.from_pretrained("google-bert/bert-base-uncased", revision="main")
AutoModel.from_pretrained("google-bert/bert-base-uncased")
AutoModel.from_pretrained("google-bert/bert-base-uncased", revision="{SHA.upper()}")
AutoModel.from_pretrained("google-bert/bert-base-uncased", revision="v1.0")
"""


@pytest.fixture
def scanned(project, cli, hub, tmp_path):
    root = project({"app.py": CODE})
    out = tmp_path / "scan.json"
    run = cli("scan", root, "--format", "json", "--output", out, "--fail-on", "never")
    assert run.code == 0, run.stderr
    return out


def _by_revision(report):
    return {m["revision"]: m for m in report["models"]}


def test_json_groups_main_with_no_revision(scanned):
    report = json.loads(scanned.read_text())
    validate_report(report)
    models = _by_revision(report)
    assert set(models) == {None, SHA, "v1.0"}, "main and no revision are one model; the sha is lower-cased"
    lines = {rev: sorted(report["references"][i]["line"] for i in m["references"]) for rev, m in models.items()}
    assert lines == {None: [2, 3], SHA: [4], "v1.0": [5]}
    assert sum(len(m["references"]) for m in report["models"]) == len(report["references"])


def test_saved_report_without_grouping_is_matched_with_the_same_key(scanned, cli, tmp_path):
    report = json.loads(scanned.read_text())
    for model in report["models"]:
        del model["references"]  # a report written before the grouping was saved
    old = tmp_path / "old.json"
    old.write_text(json.dumps(report))
    run = cli("report", old, "--format", "json")
    assert run.code == 0, run.stderr
    again = _by_revision(run.json())
    assert {rev: m["references"] for rev, m in again.items()} == \
        {rev: m["references"] for rev, m in _by_revision(json.loads(scanned.read_text())).items()}


def test_cyclonedx_occurrences(scanned, cli):
    bom = cli("report", scanned, "--format", "cyclonedx").json()
    lines = sorted(sorted(o["line"] for o in c["evidence"]["occurrences"]) for c in bom["components"])
    assert lines == [[2, 3], [4], [5]]


def test_html_shows_every_reference(scanned, cli):
    html = cli("report", scanned, "--format", "html").stdout
    for line in (2, 3, 4, 5):
        assert re.search(rf"app\.py:{line}:\d+", html), line


def test_sarif_and_markdown_place_every_reference(scanned, cli):
    sarif = cli("report", scanned, "--format", "sarif").json()
    placed = set()
    for result in sarif["runs"][0]["results"]:
        for loc in result.get("locations", []) + result.get("relatedLocations", []):
            placed.add(loc["physicalLocation"]["region"]["startLine"])
    assert {2, 3, 5} <= placed  # the sha-pinned line has nothing to report
    markdown = cli("report", scanned, "--format", "markdown").stdout
    assert re.search(r"`google-bert/bert-base-uncased` \| [^\n]*\| 2 \|", markdown), markdown


def test_the_bundled_example_shows_where_a_main_revision_model_is_used(cli, tmp_path):
    from support.project import EXAMPLE

    out = tmp_path / "example.json"
    assert cli("scan", EXAMPLE, "--offline", "--format", "json", "--output", out).code == 1
    report = json.loads(out.read_text())
    [distill] = [m for m in report["models"] if m["id"] == "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B"]
    places = {(report["references"][i]["path"], report["references"][i]["revision"]) for i in distill["references"]}
    assert ("app/reasoning.py", "main") in places
    bom = cli("report", out, "--format", "cyclonedx").json()
    [component] = [c for c in bom["components"] if c["name"] == "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B"]
    assert {o["location"] for o in component["evidence"]["occurrences"]} == {p for p, _ in places}
    html = cli("report", out, "--format", "html").stdout
    row = html.split('href="https://huggingface.co/deepseek-ai/DeepSeek-R1-Distill-Qwen-7B">', 1)[1]
    assert "app/reasoning.py:" in row.split("</tbody>", 1)[0]
