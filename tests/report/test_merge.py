"""``model-risk merge``: many repositories' JSON reports in, one organisation report out.

The inputs are real scans (of the example project and the report fixture, offline, from their
lockfiles), saved as JSON and then edited the way time and history edit them: an older scan of the same
repository, a model relicensed between two scans, a report from before scan.repository existed.
"""

from __future__ import annotations

import copy
import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from support.merging import as_repository, real_scans, write
from support.project import load_schema, run_cli
from support.report_schemas import validate_cyclonedx

TEXT_FORMATS = ("json", "text", "markdown", "html", "cyclonedx")


def validate_merged(document: dict[str, Any]) -> None:
    import jsonschema

    jsonschema.Draft202012Validator(load_schema("merged.schema.json")).validate(document)


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    return real_scans(tmp_path_factory.mktemp("scans"))


def merge(*args: str | Path) -> dict[str, Any]:
    run = run_cli("merge", *args, "--format", "json")
    assert run.code == 0, run.stderr
    document = run.json()
    validate_merged(document)
    return document


def model(document: dict[str, Any], model_id: str, revision: str | None = None) -> dict[str, Any]:
    return next(m for m in document["models"] if m["id"] == model_id and m["revision"] == revision)


@pytest.fixture
def org(tmp_path: Path, scans) -> Path:
    """Three repositories: two with the example's code, one with the fixture's."""
    folder = tmp_path / "reports"
    write(folder, "widgets.json", as_repository(scans["support-bot"], "acme/widgets", commit="a" * 40))
    write(folder, "gadgets.json", as_repository(scans["support-bot"], "acme/gadgets", started="2026-11-27T09:00:00Z"))
    write(folder, "sub/tools.json", as_repository(scans["report-project"], "acme/tools"))
    return folder


def test_merged_document_names_repositories_and_where_models_are_used(org: Path, scans):
    document = merge(org, "--name", "Acme")
    assert document["merged"] == {"name": "Acme", "reports": 3, "earliest_scan": "2026-11-27T09:00:00Z",
                                  "latest_scan": "2026-11-28T12:00:00Z"}
    repos = {r["id"]: r for r in document["repositories"]}
    assert list(repos) == ["acme/gadgets", "acme/tools", "acme/widgets"]
    assert repos["acme/widgets"]["commit"] == "a" * 40
    assert repos["acme/widgets"]["remote_url"] == "https://github.com/acme/widgets"
    assert repos["acme/tools"]["report"] == "tools.json"

    # every reference of every report is under its model, in its repository
    expected = sum(len(d["references"]) for d in (scans["support-bot"], scans["support-bot"], scans["report-project"]))
    assert document["summary"]["references"] == expected
    assert sum(m["reference_count"] for m in document["models"]) == expected
    bert = model(document, "google-bert/bert-base-uncased")
    assert [u["repository"] for u in bert["repositories"]] == ["acme/gadgets", "acme/tools", "acme/widgets"]
    in_widgets = next(u for u in bert["repositories"] if u["repository"] == "acme/widgets")["references"]
    written = [(r["path"], r["line"]) for r in scans["support-bot"]["references"]
               if r["model"] in {"bert-base-uncased", "google-bert/bert-base-uncased"}]
    assert sorted((r["path"], r["line"]) for r in in_widgets) == sorted(written)

    # vendors: through lineage, with open-weight exposure per repository
    alibaba = next(v for v in document["vendors"] if v["name"] == "Alibaba")
    assert alibaba["repositories"] == ["acme/gadgets", "acme/tools", "acme/widgets"]
    assert alibaba["repository_share"] == 1.0
    assert "bartowski/Qwen2.5-7B-Instruct-GGUF" in alibaba["open_weight"]["models"]
    assert alibaba["api"] == {"models": [], "repositories": [], "references": 0}

    # findings: each repository's, with its name
    for name, source in (("acme/widgets", "support-bot"), ("acme/tools", "report-project")):
        mine = [f for f in document["findings"] if f["repository"] == name]
        assert sorted(f["fingerprint"] for f in mine) == sorted(f["fingerprint"] for f in scans[source]["findings"])
    active = [f for f in document["findings"] if not f["suppressed"]]
    assert sum(document["summary"]["findings"].values()) == len(active)


def test_api_models_count_as_api_exposure(tmp_path: Path, project, cli):
    root = project({"llm.py": 'from openai import OpenAI\nOpenAI().chat.completions.create(model="gpt-4o")\n'})
    report = tmp_path / "api.json"
    assert cli("scan", root, "--offline", "--format", "json", "-o", report, "--fail-on", "never").code == 0
    document = merge(report)
    openai = next(v for v in document["vendors"] if v["api"]["models"])
    assert openai["api"]["models"] == ["gpt-4o"] and openai["open_weight"]["models"] == []
    assert openai["api"]["repositories"] == ["project"]


def test_output_is_identical_whatever_the_input_order(org: Path, tmp_path: Path):
    files = sorted(str(p) for p in org.rglob("*.json"))
    orders = [files, list(reversed(files)), [files[1], files[2], files[0]]]
    for fmt in TEXT_FORMATS:
        outputs = {run_cli("merge", *order, "--format", fmt).stdout for order in orders}
        assert len(outputs) == 1, fmt
    dumps = set()
    for i, order in enumerate(orders):
        db = tmp_path / f"org{i}.db"
        assert run_cli("merge", *order, "--format", "sqlite", "--output", db).code == 0
        dumps.add(db.read_bytes())
    assert len(dumps) == 1


def test_conflicting_facts_take_the_newest_resolved_answer_and_are_listed(tmp_path: Path, scans):
    old = as_repository(scans["support-bot"], "acme/old", started="2026-10-01T00:00:00Z")
    new = as_repository(scans["support-bot"], "acme/new", started="2026-11-01T00:00:00Z")
    failed = as_repository(scans["support-bot"], "acme/offline", started="2026-12-01T00:00:00Z")
    target = "google-bert/bert-base-uncased"
    for m in old["models"]:
        if m["id"] == target:
            m["license"] = {**m["license"], "spdx": "MIT", "hub": "mit", "name": "MIT License"}
            m["sha"] = "0" * 40
    for m in failed["models"]:
        if m["id"] == target:  # the newest report could not reach the Hub: it must not erase the facts
            m.update(status="unresolved", reason="Hub unreachable", license=None, sha=None)
    folder = tmp_path / "r"
    for name, doc in (("old.json", old), ("new.json", new), ("offline.json", failed)):
        write(folder, name, doc)
    document = merge(folder)
    bert = model(document, target)
    assert bert["status"] == "resolved"
    assert bert["license"]["spdx"] == "Apache-2.0"
    assert bert["facts_from"] == {"repository": "acme/new", "scanned_at": "2026-11-01T00:00:00Z"}
    fields = {d["field"]: d["values"] for d in bert["disagreements"]}
    assert set(fields) == {"status", "license", "sha"}
    assert fields["license"] == [{"value": "Apache-2.0", "repositories": ["acme/new"]},
                                 {"value": "MIT", "repositories": ["acme/old"]}]
    assert fields["status"] == [{"value": "resolved", "repositories": ["acme/new", "acme/old"]},
                                {"value": "unresolved", "repositories": ["acme/offline"]}]
    assert document["summary"]["disagreements"] == 1
    # and every format shows it
    text = run_cli("merge", folder).stdout
    assert "google-bert/bert-base-uncased license: Apache-2.0 in acme/new; MIT in acme/old" in text
    assert "facts disagree" in run_cli("merge", folder, "--format", "html").stdout


def test_duplicate_reports_of_one_repository_keep_the_newest(tmp_path: Path, scans):
    folder = tmp_path / "r"
    older = as_repository(scans["support-bot"], "acme/widgets", started="2026-11-01T00:00:00Z", commit="1" * 40)
    newer = as_repository(scans["report-project"], "acme/widgets", started="2026-11-20T00:00:00Z", commit="2" * 40)
    write(folder, "a.json", older)
    same = write(folder, "b.json", newer)
    # the newest given twice more: by name (read once) and as a copy under another name
    write(folder, "copy/b-again.json", newer)
    document = merge(folder, same)
    assert [r["id"] for r in document["repositories"]] == ["acme/widgets"]
    repo = document["repositories"][0]
    assert repo["commit"] == "2" * 40
    assert repo["report"] in {"b.json", "b-again.json"}  # identical content: the choice is by path, stable
    assert {s["report"] for s in repo["superseded"]} == {"a.json", "b.json", "b-again.json"} - {repo["report"]}
    assert document["merged"]["reports"] == 3 and document["summary"]["superseded_reports"] == 2
    assert sorted(f["fingerprint"] for f in document["findings"]) == sorted(
        f["fingerprint"] for f in scans["report-project"]["findings"])


def test_a_folder_of_one_repository_is_its_own_entry_and_old_reports_are_named_by_file(tmp_path: Path, scans):
    folder = tmp_path / "r"
    service = as_repository(scans["support-bot"], "acme/mono")
    service["scan"]["repository_path"] = "services/bot"
    write(folder, "mono-bot.json", service)
    legacy = as_repository(scans["report-project"], None)
    for entry in legacy["models"]:
        entry.pop("references", None)  # nor the grouping of references under models: matched by spelling
    write(folder, "legacy-app.json", legacy)
    document = merge(folder)
    assert [(r["id"], r["name"], r["path"]) for r in document["repositories"]] == [
        ("acme/mono:services/bot", "acme/mono", "services/bot"), ("legacy-app", "legacy-app", "")]
    # the spelling match puts every legacy reference where the scan's own grouping puts it
    with_grouping = merge(write(tmp_path / "g", "legacy-app.json", as_repository(scans["report-project"], None)))
    for model in with_grouping["models"]:
        same = next(m for m in document["models"] if (m["id"], m["revision"]) == (model["id"], model["revision"]))
        legacy_uses = [u for u in same["repositories"] if u["repository"] == "legacy-app"]
        assert legacy_uses == model["repositories"]


def test_a_list_of_paths_on_stdin(org: Path):
    paths = "\n".join(str(p) for p in sorted(org.rglob("*.json"))) + "\n\n"
    run = subprocess.run([sys.executable, "-m", "model_risk", "merge", "-", "--format", "json"], input=paths,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert [r["id"] for r in json.loads(run.stdout)["repositories"]] == ["acme/gadgets", "acme/tools", "acme/widgets"]


def test_an_empty_list_gives_an_empty_report_and_says_so(tmp_path: Path):
    empty = tmp_path / "none"
    empty.mkdir()
    run = run_cli("merge", empty, "--format", "json")
    assert run.code == 0
    assert run.stderr.strip() == "model-risk: warning: no reports to merge: the merged report is empty"
    document = run.json()
    validate_merged(document)
    assert document["repositories"] == document["models"] == document["findings"] == []
    assert "nothing to show" in run_cli("merge", empty).stdout
    assert "nothing to show" in run_cli("merge", empty, "--format", "html").stdout
    db = tmp_path / "empty.db"
    assert run_cli("merge", empty, "--format", "sqlite", "-o", db).code == 0
    assert sqlite3.connect(db).execute("SELECT count(*) FROM repositories").fetchone() == (0,)
    stdin = subprocess.run([sys.executable, "-m", "model_risk", "merge", "-", "--format", "json"], input="",
                           capture_output=True, text=True, timeout=60)
    assert stdin.returncode == 0 and json.loads(stdin.stdout)["summary"]["repositories"] == 0


@pytest.mark.parametrize(("content", "message"), [
    ('{"version": 1, "findings": [', "not a JSON document"),
    (b"\xff\xfe\x00garbage", "not a JSON document"),
    ('{"version": 2, "findings": []}', "report version 2 is not supported (this model-risk reads version 1)"),
    ('{"sarif": true}', "not a model-risk JSON report"),
    ('{"version": 1, "findings": [], "models": "x"}', "not a valid model-risk report"),
])
def test_a_bad_report_stops_the_merge_with_one_line_naming_it(org: Path, content: str | bytes, message: str):
    bad = org / "zz-bad.json"
    bad.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    run = run_cli("merge", org, "--format", "json")
    assert run.code == 2
    assert run.stdout == ""
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in run.stderr
    assert lines[0].startswith(f"model-risk: error: {bad}") and message in lines[0]


def test_missing_input_and_usage_errors(tmp_path: Path, org: Path):
    run = run_cli("merge", tmp_path / "nope.json")
    assert run.code == 2 and "no such file or directory" in run.stderr
    run = run_cli("merge", org, "--format", "sarif")
    assert run.code == 2 and "unknown format 'sarif'" in run.stderr
    run = run_cli("merge", org, "--format", "sqlite")
    assert run.code == 2 and "--output" in run.stderr


def test_cyclonedx_one_component_per_model_with_occurrences_naming_the_repository(org: Path):
    document = merge(org)
    bom = json.loads(run_cli("merge", org, "--format", "cyclonedx", "--name", "Acme").stdout)
    validate_cyclonedx(bom)
    assert len(bom["components"]) == len(document["models"])
    assert len({c["bom-ref"] for c in bom["components"]}) == len(bom["components"])
    bert = next(c for c in bom["components"] if c["name"] == "google-bert/bert-base-uncased")
    locations = {o["location"].split(":", 1)[0] for o in bert["evidence"]["occurrences"]}
    assert locations == {"acme/gadgets", "acme/tools", "acme/widgets"}
    assert bom["metadata"]["component"]["name"] == "Acme"


def test_html_and_markdown_escape_what_reports_say(tmp_path: Path, scans):
    doc = as_repository(scans["support-bot"], "<script>alert(1)</script>")
    doc["models"][0]["license"] = {**(doc["models"][0]["license"] or {}), "hub": "x", "osi": None,
                                   "commercial": None, "name": "<img src=x onerror=alert(2)>",
                                   "spdx": "<b>|evil|</b>"}
    # The merged report names the license that governs the model: make that one hostile too.
    doc["models"][0]["effective_license"] = {**doc["models"][0]["license"], "model": doc["models"][0]["id"],
                                             "path": [doc["models"][0]["id"]], "inherited": False}
    report = write(tmp_path, "hostile.json", doc)
    html = run_cli("merge", report, "--format", "html", "--name", "<i>Org</i>").stdout
    assert "<script>alert" not in html and "<img src=x" not in html and "<i>Org" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    markdown = run_cli("merge", report, "--format", "markdown").stdout
    assert "<script>" not in markdown and "<b>" not in markdown and "\\|evil\\|" in markdown


def test_many_reports_are_read_in_parallel_and_a_bad_one_still_stops_the_merge(tmp_path: Path, scans):
    from model_risk.report.merged.inputs import PARALLEL_FROM

    folder = tmp_path / "many"
    for i in range(PARALLEL_FROM + 8):
        write(folder, f"r{i:03d}.json", as_repository(scans["support-bot"], f"acme/r{i:03d}"))
    document = merge(folder)
    assert document["summary"]["repositories"] == PARALLEL_FROM + 8
    bad = folder / "r020.json"
    bad.write_text('{"version": 1, "findings": [}', encoding="utf-8")
    run = run_cli("merge", folder)
    assert run.code == 2
    assert run.stderr.strip().splitlines() == [
        f"model-risk: error: {bad}:1: not a JSON document: Expecting value"]


def test_merge_function_ignores_the_order_of_its_reports(org: Path):
    import random

    from model_risk.report.merged.document import merge as merge_reports
    from model_risk.report.merged.document import to_json
    from model_risk.report.merged.inputs import read_reports

    reports = read_reports(sorted(org.rglob("*.json")), jobs=1)
    outputs = set()
    for seed in range(4):
        shuffled = list(reports)
        random.Random(seed).shuffle(shuffled)
        outputs.add(to_json(merge_reports(shuffled, "Acme")))
    assert len(outputs) == 1


def test_inlined_report_schema_validates_like_the_schema_itself(scans):
    import jsonschema

    from model_risk.common.documents import inline_refs

    schema = load_schema("report.schema.json")
    flat = inline_refs(schema)
    assert "$ref" not in json.dumps(flat)
    broken = copy.deepcopy(scans["support-bot"])
    broken["references"][0]["path"] = "/etc/passwd"  # the path definition forbids absolute paths
    broken["models"][0]["status"] = "maybe"
    for document, valid in ((scans["support-bot"], True), (broken, False)):
        assert jsonschema.Draft202012Validator(flat).is_valid(document) is valid
        assert jsonschema.Draft202012Validator(schema).is_valid(document) is valid
    with pytest.raises(ValueError, match="recursive"):
        inline_refs({"$defs": {"node": {"properties": {"child": {"$ref": "#/$defs/node"}}}},
                     "$ref": "#/$defs/node"})
