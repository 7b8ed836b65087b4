"""Dated, correctable knowledge: the bundled tables' dates and sources, and the `knowledge:` overlays a
project uses to correct or extend them without waiting for a release."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from support.fakehub import model
from support.project import validate_report
from support.scanning import findings_of, loader, models_by_id

from model_risk.common import safe_yaml
from model_risk.common.resources import read_package_text
from model_risk.knowledge import catalog

OVERLAY = """
    as_of: 2026-11-30
    licenses:
      acme-eula:
        name: ACME Model EULA
        osi: false
        commercial: false
        conditions:
          - "non-commercial: evaluation only, per ACME's EULA section 2"
        link: https://acme.example/eula
        source: https://acme.example/eula (read by ACME legal, LEGAL-301)
        verification: text
    lineage_hints:
      acme/distill-7b:
        base_model: Qwen/Qwen2.5-7B
        relation: distillation
        source: ACME's model card, section Training
    lineage_families:
      - {prefixes: [AcmeLM], org: acme, source: "ACME's organisation page"}
    vendors:
      ACME AI:
        country: Germany
        organizations: [acme]
        source: ACME's imprint
    publishers:
      - {org: acme-ai, source: "ACME AI's organisation page"}
    api_models:
      ACME AI:
        names: [acme-chat-2]
        source: https://acme.example/docs/models
    """


def _config(*paths: str) -> str:
    return "knowledge:\n" + "".join(f"  - {p}\n" for p in paths)


def test_every_bundled_table_is_dated_and_every_entry_names_its_source():
    for table, path in catalog.TABLES.items():
        data = safe_yaml.load(read_package_text(path)).data
        assert str(data["as_of"]) == "2026-12-07", table
    tables = {table: catalog.bundled(table) for table in catalog.TABLES}
    assert all(e.get("source") for e in tables["licenses"]["licenses"].values())
    assert all(e.get("source") for e in tables["lineage"]["hints"].values())
    assert all(e.get("source") for e in tables["lineage"]["families"])
    assert all(e.get("source") for e in tables["vendors"]["vendors"].values())
    assert all(e.get("source") for e in tables["publishers"]["organizations"])
    assert all(e.get("source") for e in tables["api_models"]["vendors"].values())
    assert all(e.get("source") for e in tables["ollama"]["library"].values())
    for provider in tables["hosting"]["providers"].values():
        assert provider.get("source") and all(e.get("source") for e in (provider.get("models") or {}).values())
    for section in ("mirrors", "copies", "vendors"):
        assert all(e.get("source") for e in tables["modelscope"][section].values())
    assert all(e.get("source") for e in tables["substitutes"]["families"])
    assert all(e.get("source") and e.get("verification") in ("text", "quoted", "unverified")
               for e in tables["substitutes"]["models"].values())
    assert all(e.get("source") for e in tables["serving"]["engines"].values())


def test_reports_name_the_knowledge_they_judged_by(cli, project):
    root = project({"app.py": loader("acme/model")})
    report = cli("scan", root, "--offline", "--format", "json", "--fail-on", "never").json()
    knowledge = report["scan"]["knowledge"]
    assert knowledge["as_of"] == "2026-12-07" and len(knowledge["version"]) == 12
    assert set(knowledge["tables"]) == {"licenses", "lineage", "vendors", "publishers", "api_models", "ollama",
                                        "hosting", "modelscope", "substitutes", "serving"}
    assert knowledge["overlays"] == []
    text = cli("scan", root, "--offline", "--fail-on", "never").stdout
    assert f"Judged with model-risk's knowledge tables of 2026-12-07 ({knowledge['version']})." in text


def test_an_overlay_corrects_every_table(cli, hub, project):
    hub.models["acme/product"] = model("acme/product", license="other", card={"license_name": "acme-eula"})
    hub.models["acme/distill-7b"] = model("acme/distill-7b", license="apache-2.0")
    # a likely reference is verified online: the Hub must serve it for it to stay
    hub.models["acme-ai/gpt-big-120b"] = model("acme-ai/gpt-big-120b", license="apache-2.0")
    root = project({
        "app.py": loader("acme/product", "acme/distill-7b", "bartowski/AcmeLM-7B-GGUF")
                  + 'client.chat.completions.create(model="acme-chat-2", messages=[])\n',
        "notes.py": "# see acme-ai/gpt-big-120b for the numbers\nx = 1\n",
        "knowledge/acme.yaml": OVERLAY,
        ".model-risk.yaml": _config("knowledge/acme.yaml"),
    })
    run = cli("scan", root, "--format", "json", "--fail-on", "never")
    assert run.code == 0, run.stderr
    report = run.json()
    validate_report(report)
    models = models_by_id(report)
    product = models["acme/product"]
    assert (product["license"]["name"], product["license"]["commercial"]) == ("ACME Model EULA", False)
    assert product["license"]["link"] == "https://acme.example/eula"
    assert (product["vendor"], product["vendor_country"]) == ("ACME AI", "Germany")
    assert "acme/product" in findings_of(report, "non-commercial-license")
    assert models["acme/distill-7b"]["lineage"] == ["acme/distill-7b", "Qwen/Qwen2.5-7B"]
    assert models["acme/distill-7b"]["root_vendor"] == "Alibaba"
    assert models["bartowski/AcmeLM-7B-GGUF"]["root_vendor"] == "ACME AI"  # the overlay's family, guessed
    assert models["acme-chat-2"]["status"] == "api" and models["acme-chat-2"]["vendor"] == "ACME AI"
    likely = {r["model"]: r["confidence"] for r in report["references"]}
    assert likely["acme-ai/gpt-big-120b"] == "likely"  # a publisher now, so a prose mention counts
    overlays = report["scan"]["knowledge"]["overlays"]
    assert overlays == [{"path": "knowledge/acme.yaml", "as_of": "2026-11-30", "sha256": overlays[0]["sha256"],
                         "tables": ["licenses", "lineage", "vendors", "publishers", "api_models"]}]
    plain = cli("scan", project({".model-risk.yaml": "fail-on: never\n"}), "--offline", "--format", "json").json()
    assert plain["scan"]["knowledge"]["version"] != report["scan"]["knowledge"]["version"]
    assert plain["scan"]["knowledge"]["overlays"] == []


def test_detection_workers_judge_with_the_overlay_too(cli, project):
    files = {f"pkg/m{i:03d}.py": "x = 1\n" for i in range(300)}
    files["pkg/llm.py"] = 'client.chat.completions.create(model="acme-chat-2", messages=[])\n'
    root = project({**files, "knowledge/acme.yaml": OVERLAY, ".model-risk.yaml": _config("knowledge/acme.yaml")})
    report = cli("scan", root, "--offline", "--jobs", "2", "--format", "json", "--fail-on", "never").json()
    assert [(r["model"], r["kind"], r["api_vendor"]) for r in report["references"] if r["path"] == "pkg/llm.py"] \
        == [("acme-chat-2", "api", "ACME AI")]


@pytest.mark.parametrize(("overlay", "line", "message"), [
    ("as_of: 2026-11-30\nlicenses:\n  acme:\n    name: A\n    commercial: maybe\n    source: s\n", 5,
     "licenses.acme.commercial: 'maybe' is not of type 'boolean', 'null'"),
    ("as_of: 2026-11-30\nlicenses:\n  acme:\n    name: A\n    commercial: true\n    source: s\n"
     "    conditions: [\"pay us\"]\n", 7, "licenses.acme.conditions[0]: 'pay us' does not match"),
    ("as_of: 2026-11-30\napi_models:\n  X:\n    names: ['(a|aa)+$']\n    source: s\n", 4,
     "api_models.X.names[0]: '(a|aa)+$' does not match"),
    ("licenses: {}\n", 1, "'as_of' is a required property"),
    ("as_of: [\n", 2, "invalid YAML"),
])
def test_a_bad_overlay_is_an_error_naming_the_file_and_line(cli, project, overlay, line, message):
    root = project({"app.py": "x = 1\n", "k.yaml": overlay, ".model-risk.yaml": _config("k.yaml")})
    run = cli("scan", root, "--offline")
    assert run.code == 2
    assert run.stderr.startswith(f"model-risk: error: k.yaml:{line}: "), run.stderr
    assert message in run.stderr and "Traceback" not in run.stderr


def test_overlays_must_stay_inside_the_project(cli, project, tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text("as_of: 2026-11-30\nlicenses: {}\nsecret: do not quote me\n", encoding="utf-8")
    root = project({"app.py": "x = 1\n"})
    os.symlink(outside, root / "linked.yaml")
    for value in ("../outside.yaml", str(outside), "linked.yaml"):
        (root / ".model-risk.yaml").write_text(_config(value), encoding="utf-8")
        run = cli("scan", root, "--offline")
        assert run.code == 2, run.stderr
        assert "is outside the project (absolute paths, ../ and symlinks out are refused)" in run.stderr
        assert ".model-risk.yaml:2" in run.stderr
        assert "do not quote me" not in run.stderr and "secret" not in run.stderr
    (root / ".model-risk.yaml").write_text(_config("missing.yaml"), encoding="utf-8")
    missing = cli("scan", root, "--offline")
    assert missing.code == 2 and "missing.yaml: knowledge overlay not found" in missing.stderr


def test_an_explicit_config_may_name_overlays_beside_it(cli, project, tmp_path: Path):
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "acme.yaml").write_text(OVERLAY.replace("\n    ", "\n").lstrip(), encoding="utf-8")
    (shared / "model-risk.yaml").write_text(_config("acme.yaml"), encoding="utf-8")
    root = project({"app.py": loader("acme/x")})
    run = cli("scan", root, "--offline", "--config", shared / "model-risk.yaml", "--format", "json",
              "--fail-on", "never")
    assert run.code == 0, run.stderr
    assert models_by_id(run.json())["acme/x"]["vendor"] == "ACME AI"
