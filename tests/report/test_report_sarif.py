"""SARIF: valid against the official 2.1.0 schema, and shaped the way GitHub code scanning needs it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from support.project import REPO
from support.report_schemas import validate_sarif

FIXTURE = REPO / "tests" / "fixtures" / "report-project"
OWN_KEY = "modelRisk/v1"

TWO_FILES = {
    "a.py": 'from transformers import AutoModel\nAutoModel.from_pretrained("acme/tiny-model")\n',
    "b.py": 'from transformers import AutoModel\n\nm = AutoModel.from_pretrained("acme/tiny-model")\n',
}


def sarif_of(cli, *args: str | Path) -> dict[str, Any]:
    run = cli("scan", *args, "--offline", "--format", "sarif")
    assert run.code in (0, 1), run.stderr
    document = json.loads(run.stdout)
    validate_sarif(document)
    return document


@pytest.fixture(scope="module")
def fixture_sarif() -> dict[str, Any]:
    from conftest import run_cli

    return sarif_of(run_cli, FIXTURE)


def results_for(document: dict[str, Any], rule: str) -> list[dict[str, Any]]:
    run = document["runs"][0]
    ids = {r["id"] for r in run["tool"]["driver"]["rules"] if r["name"] == rule}
    return [r for r in run["results"] if r["ruleId"] in ids]


def test_rules_carry_what_code_scanning_shows(fixture_sarif: dict[str, Any]):
    run = fixture_sarif["runs"][0]
    assert fixture_sarif["version"] == "2.1.0" and fixture_sarif["$schema"].endswith("sarif-2.1.0.json")
    driver = run["tool"]["driver"]
    assert driver["name"] == "model-risk" and driver["semanticVersion"]
    names = {rule["name"] for rule in driver["rules"]}
    assert {"non-osi-license", "trust-remote-code", "single-vendor-weights"} <= names
    for rule in driver["rules"]:
        assert 0 < len(rule["shortDescription"]["text"]) <= 1024
        assert 0 < len(rule["fullDescription"]["text"]) <= 1024
        assert rule["help"]["text"] and "## How to fix" in rule["help"]["markdown"]
        severity = rule["properties"]["security-severity"]
        assert isinstance(severity, str) and 0.0 < float(severity) <= 10.0
        assert 0 < len(rule["properties"]["tags"]) <= 10
        assert rule["defaultConfiguration"]["level"] in ("note", "warning", "error")
    trust = next(r for r in driver["rules"] if r["name"] == "trust-remote-code")
    assert float(trust["properties"]["security-severity"]) >= 7.0 and "security" in trust["properties"]["tags"]
    assert "## Example" in trust["help"]["markdown"] and "trust_remote_code=True" in trust["help"]["markdown"]
    # upload-sarif's `category` input applies only to a run without its own automationDetails.
    assert "automationDetails" not in run


def test_results_have_one_located_repository_relative_place(fixture_sarif: dict[str, Any]):
    run = fixture_sarif["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert run["results"]
    for result in run["results"]:
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"] in rule_ids
        assert result["level"] in ("note", "warning", "error")
        assert len(result["locations"]) == 1, "code scanning uses only the first location"
        physical = result["locations"][0]["physicalLocation"]
        uri = physical["artifactLocation"]["uri"]
        assert not uri.startswith("/") and "://" not in uri and "\\" not in uri
        assert physical["region"]["startLine"] >= 1 and physical["region"]["startColumn"] >= 1
        assert set(result["partialFingerprints"]) == {OWN_KEY}, "primaryLocationLineHash is upload-sarif's to compute"
    non_commercial = results_for(fixture_sarif, "non-commercial-license")[0]
    assert non_commercial["level"] == "error"
    assert "Qwen/Qwen2.5-3B-Instruct" in non_commercial["message"]["text"]
    assert "commercial use" in non_commercial["message"]["text"]
    region = non_commercial["locations"][0]["physicalLocation"]["region"]
    end = 25 + len("Qwen/Qwen2.5-3B-Instruct")
    assert region == {"startLine": 4, "startColumn": 25, "endLine": 4, "endColumn": end}


def test_a_model_loaded_in_several_places_is_one_alert_linking_the_others(fixture_sarif: dict[str, Any]):
    [renamed] = results_for(fixture_sarif, "renamed-model")
    assert renamed["locations"][0]["physicalLocation"]["region"]["startLine"] == 5
    [related] = renamed["relatedLocations"]
    assert related["id"] == 1 and related["physicalLocation"]["region"]["startLine"] == 6
    assert "[app/classify.py:6:66](1)" in renamed["message"]["text"]
    [vendor] = results_for(fixture_sarif, "single-vendor-weights")
    assert "Alibaba" in vendor["message"]["text"] and len(vendor["relatedLocations"]) == 3
    assert vendor["properties"]["vendor"] == "Alibaba"


def test_suppressed_findings_are_left_out_because_github_ignores_suppressions(fixture_sarif: dict[str, Any]):
    assert results_for(fixture_sarif, "gated-model") == []  # allowlisted
    unpinned = results_for(fixture_sarif, "unpinned-revision")
    assert all(r["properties"]["model"] != "sentence-transformers/all-MiniLM-L6-v2" for r in unpinned)  # inline
    assert fixture_sarif["runs"][0]["properties"]["suppressedFindings"] == 2


def test_the_syntax_error_note_is_a_tool_notification(fixture_sarif: dict[str, Any]):
    notes = fixture_sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    [note] = [n for n in notes if "syntax error" in n["message"]["text"]]
    assert note["level"] == "warning"


def test_offline_lookups_that_failed_are_a_notification_not_alerts(fixture_sarif: dict[str, Any]):
    run = fixture_sarif["runs"][0]
    assert results_for(fixture_sarif, "unresolved-model") == []
    [note] = [n for n in run["invocations"][0]["toolExecutionNotifications"] if "not looked up" in n["message"]["text"]]
    assert "Helsinki-NLP/opus-mt-de-en" in note["message"]["text"] and "model-risk lock" in note["message"]["text"]
    assert run["properties"]["unresolvedOffline"] == 1


def test_category_from_the_environment_for_uploads_without_upload_sarif(cli, project, monkeypatch):
    monkeypatch.setenv("MODEL_RISK_SARIF_CATEGORY", "model-risk/backend")
    run = sarif_of(cli, project(TWO_FILES))["runs"][0]
    assert run["automationDetails"] == {"id": "model-risk/backend/"}


def test_per_reference_rules_give_one_alert_per_place(cli, project):
    root = project(TWO_FILES)
    unpinned = results_for(sarif_of(cli, root), "unpinned-revision")
    assert [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in unpinned] == ["a.py", "b.py"]
    assert len({r["partialFingerprints"][OWN_KEY] for r in unpinned}) == 2


def test_one_result_per_model_rule_and_file_with_the_other_sites_related(cli, project):
    calls = "".join(f'm{i} = AutoModel.from_pretrained("acme/tiny-model")\n' for i in range(5))
    root = project({"app.py": "from transformers import AutoModel\n" + calls})
    [unpinned] = results_for(sarif_of(cli, root), "unpinned-revision")
    assert unpinned["locations"][0]["physicalLocation"]["region"]["startLine"] == 2
    assert [r["physicalLocation"]["region"]["startLine"] for r in unpinned["relatedLocations"]] == [3, 4, 5, 6]


def test_never_two_results_on_one_rule_file_and_line(cli, project):
    line = 'a, b = AutoModel.from_pretrained("acme/one"), AutoModel.from_pretrained("acme/two")\n'
    root = project({"app.py": "from transformers import AutoModel\n" + line})
    results = sarif_of(cli, root)["runs"][0]["results"]
    keys = [(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
             r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in results]
    assert len(keys) == len(set(keys))
    [unpinned] = results_for(sarif_of(cli, root), "unpinned-revision")
    assert {unpinned["properties"]["model"], *unpinned["properties"]["alsoModels"]} == {"acme/one", "acme/two"}
    assert "acme/two" in unpinned["message"]["text"] and "acme/one" in unpinned["message"]["text"]


def test_sites_only_in_tests_and_docs_are_notes(cli, project):
    code = 'from transformers import AutoModel\nAutoModel.from_pretrained("acme/tiny-model", trust_remote_code=True)\n'
    root = project({"tests/test_app.py": code, "src/app.py": code.replace("tiny-model", "other-model")})
    trust = results_for(sarif_of(cli, root), "trust-remote-code")
    levels = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r["level"] for r in trust}
    assert levels == {"tests/test_app.py": "note", "src/app.py": "error"}


def test_fingerprints_survive_moved_lines(cli, project):
    root = project(TWO_FILES)
    before = sarif_of(cli, root)["runs"][0]["results"]
    (root / "a.py").write_text("# a comment\n\n" + TWO_FILES["a.py"], encoding="utf-8")
    after = sarif_of(cli, root)["runs"][0]["results"]
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in before] != \
        [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in after]
    assert [r["partialFingerprints"] for r in before] == [r["partialFingerprints"] for r in after]


def test_paths_are_relative_to_the_repository_not_the_scan_root(cli, tmp_path: Path):
    repository = tmp_path / "repo"
    service = repository / "services" / "chat bot"
    service.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repository)], check=True)
    (service / "app.py").write_text(TWO_FILES["a.py"], encoding="utf-8")
    document = sarif_of(cli, service)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in document["runs"][0]["results"]}
    assert uris == {"services/chat%20bot/app.py"}


def test_results_are_capped_at_githubs_limit_most_severe_first(cli, project, monkeypatch: pytest.MonkeyPatch):
    from model_risk.report import sarif

    assert sarif.MAX_RESULTS < 5_000  # code scanning shows only the first 5,000
    monkeypatch.setattr(sarif, "MAX_RESULTS", 1)
    document = sarif_of(cli, project(TWO_FILES))
    run = document["runs"][0]
    assert len(run["results"]) == 1
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert any("left out" in n["message"]["text"] for n in notes)
    omitted = run["properties"]["omittedResults"]
    assert omitted["total"] == sum(omitted["byRule"].values()) == sum(omitted["bySeverity"].values()) >= 1


def test_the_alert_title_always_names_the_model(cli, tmp_path: Path):
    saved = tmp_path / "scan.json"
    assert cli("scan", FIXTURE, "--offline", "--format", "json", "--output", saved).code == 1
    document = json.loads(saved.read_text(encoding="utf-8"))
    for finding in document["findings"]:
        if finding["rule"] == "pickle-only-weights":
            finding["message"] = "Only pickle weights"  # as a plugin's rule might word it
    saved.write_text(json.dumps(document), encoding="utf-8")
    run = cli("report", saved, "--format", "sarif")
    [pickle] = results_for(json.loads(run.stdout), "pickle-only-weights")
    assert pickle["message"]["text"] == "acme-labs/sentiment-tiny: Only pickle weights."
