"""Configuring rules: packs, enable/disable, severities, parameters, user packs, allowlists, baselines,
plugin conditions, and one-line errors for broken packs."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from support.fakehub import model
from support.project import REPO, write_tree

APP = """
    from transformers import AutoModel
    a = AutoModel.from_pretrained("acme/nc-model")
    b = AutoModel.from_pretrained("acme/rail-model", trust_remote_code=True)
    c = AutoModel.from_pretrained("Qwen/Qwen2.5-7B-Instruct")
    """


@pytest.fixture
def acme(hub):
    hub.models["acme/nc-model"] = model("acme/nc-model", license="cc-by-nc-4.0", downloads=12)
    hub.models["acme/rail-model"] = model("acme/rail-model", license="openrail", downloads=50_000)
    return hub


def _scan(cli, root: Path, *args: str):
    run = cli("scan", root, "--format", "json", *args)
    assert run.code in (0, 1), run.stderr
    return run, run.json()


def _rules(report) -> set[str]:
    return {f["rule"] for f in report["findings"] if f["suppressed"] is None}


def test_disable_by_name_and_code_prefix_and_enable_more_specific(cli, acme, project):
    root = project({"app.py": APP, ".model-risk.yaml": """
        rules:
          disable: [non-osi-license, MR3]
          enable: [MR302]
        """})
    _, report = _scan(cli, root)
    assert "non-osi-license" not in _rules(report)
    assert "unpinned-revision" not in _rules(report)            # MR301, disabled by prefix MR3
    assert "trust-remote-code" in _rules(report)                # MR302, enabled by its exact code
    assert "non-commercial-license" in _rules(report)
    assert "MR301" not in {r["code"] for r in report["rules"]}


def test_severity_override_changes_the_exit_status(cli, acme, project):
    files = {"app.py": APP.replace(", trust_remote_code=True", "")}
    assert cli("scan", project(files), "--fail-on", "high").code == 1
    files[".model-risk.yaml"] = "rules:\n  severity:\n    non-commercial-license: low\n"
    root = project(files)
    run, report = _scan(cli, root, "--fail-on", "high")
    assert run.code == 0
    assert {f["severity"] for f in report["findings"] if f["rule"] == "non-commercial-license"} == {"low"}


def test_choose_packs(cli, acme, project):
    root = project({"app.py": APP, ".model-risk.yaml": "rules:\n  packs: [licensing]\n"})
    _, report = _scan(cli, root)
    assert {r["pack"] for r in report["rules"]} == {"licensing"}
    assert _rules(report) == {"non-osi-license", "non-commercial-license"}


def _docs_yaml_blocks() -> list[str]:
    docs = (REPO / "docs" / "rule-packs.md").read_text(encoding="utf-8")
    return re.findall(r"```yaml\n(.+?)\n```", docs, flags=re.S)


def test_the_documented_user_pack_adds_rules_without_python(cli, acme, project):
    pack, config = _docs_yaml_blocks()[:2]
    root = project({"app.py": APP, "policy/acme.yaml": pack, ".model-risk.yaml": config})
    _, report = _scan(cli, root)
    unpopular = [f for f in report["findings"] if f["rule"] == "unpopular-model"]
    assert [(f["code"], f["model"], f["severity"]) for f in unpopular] == [("ACME001", "acme/nc-model", "medium")]
    assert unpopular[0]["message"] == ("acme/nc-model had only 12 downloads last month: check it is the "
                                       "repository you meant")
    chinese = {f["model"] for f in report["findings"] if f["rule"] == "no-chinese-root-vendor-in-production"}
    assert chinese == {"Qwen/Qwen2.5-7B-Instruct"}
    listed = cli("rules", "--config", root / ".model-risk.yaml")
    assert "ACME001" in listed.stdout


def test_allowlists_suppress_with_their_reason_until_they_expire(cli, acme, project):
    root = project({"app.py": APP, ".model-risk.yaml": """
        allow:
          - model: acme/nc-model
            reason: research prototype only (LEGAL-12)
            rules: [non-commercial-license]
          - license: openrail
            reason: RAIL terms reviewed
            expires: 2099-01-01
          - vendor: Alibaba
            reason: migration planned
            expires: 2020-01-01
        """})
    run, report = _scan(cli, root)
    by_rule_model = {(f["rule"], f["model"]): f["suppressed"] for f in report["findings"]}
    assert by_rule_model[("non-commercial-license", "acme/nc-model")] == {
        "kind": "allowlist", "reason": "research prototype only (LEGAL-12)"}
    assert by_rule_model[("non-osi-license", "acme/nc-model")] is None          # entry limited to one rule
    assert by_rule_model[("non-osi-license", "acme/rail-model")] == {"kind": "allowlist",
                                                                      "reason": "RAIL terms reviewed"}
    assert by_rule_model[("unpinned-revision", "Qwen/Qwen2.5-7B-Instruct")] is None  # expired entry
    assert "allowlist entry for vendor 'Alibaba' expired on 2020-01-01" in run.stderr
    assert ".model-risk.yaml:8: allowlist entry" in run.stderr


def test_baseline_reports_only_new_findings(cli, acme, project):
    root = project({"app.py": APP})
    run = cli("baseline", root)
    assert run.code == 0, run.stderr
    baseline = root / ".model-risk-baseline.json"
    accepted = json.loads(baseline.read_text())["findings"]
    assert {f["rule"] for f in accepted} >= {"non-commercial-license", "trust-remote-code"}
    run, report = _scan(cli, root, "--baseline", baseline)
    assert run.code == 0 and _rules(report) == set()
    assert {f["suppressed"]["kind"] for f in report["findings"]} == {"baseline"}
    # Moving code does not resurrect an accepted finding; a new model does raise new ones.
    (root / "app.py").write_text("\n\n" + (root / "app.py").read_text() +
                                 'd = AutoModel.from_pretrained("acme/rail-model-2")\n')
    acme.models["acme/rail-model-2"] = model("acme/rail-model-2", license="cc-by-nc-sa-4.0")
    run, report = _scan(cli, root, "--baseline", baseline)
    assert run.code == 1
    assert {(f["rule"], f["model"]) for f in report["findings"] if f["suppressed"] is None} == {
        ("non-commercial-license", "acme/rail-model-2"), ("non-osi-license", "acme/rail-model-2"),
        ("unpinned-revision", "acme/rail-model-2")}


def _pack(**fields: str) -> str:
    """A one-rule pack; ``fields`` replace the defaults (values are YAML, one line each)."""
    rule = {"code": "P001", "name": "r-one", "severity": "low", "scope": "model", "summary": "s",
            "when": "{field: gated, equals: true}", "message": "m", **fields}
    return "pack: p\nversion: 1\nrules:\n" + "".join(
        f"  {'- ' if i == 0 else '  '}{key}: {value}\n" for i, (key, value) in enumerate(rule.items()))


BROKEN_PACKS = {
    "bad severity": (_pack(severity="hgh"), "p.yaml:6: rule r-one: rules[0].severity: 'hgh' is not one of"),
    "unknown field": (_pack(when="{all: [{field: status, equals: resolved}, {field: licence.osi, equals: false}]}"),
                      "p.yaml:9: rule r-one: unknown field 'licence' for scope 'model'"),
    "unknown check": (_pack(scope="vendor", when="{check: no-such-check}"),
                      "p.yaml:9: rule r-one: unknown check 'no-such-check'"),
    "bad regex": (_pack(when='{field: id, matches: "([a-z"}'), "p.yaml:9: rule r-one: invalid regular expression"),
    "duplicate name": (_pack(name="gated-model"),
                       "p.yaml:4: rule gated-model: 'gated-model' is already defined in <builtin>/rules/supply-chain.yaml"),
    "unknown placeholder": (_pack(message='"{model} from {vendr}"'),
                            "p.yaml:10: rule r-one: message placeholder {vendr}: unknown field 'vendr'"),
    "alias bomb": ("a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8)),
        "p.yaml:6: YAML aliases expand to more than"),
}


@pytest.mark.parametrize("case", sorted(BROKEN_PACKS))
def test_a_broken_pack_is_one_clear_line_and_exit_2(case, cli, project):
    text, expected = BROKEN_PACKS[case]
    root = project({"app.py": "x = 1\n", "p.yaml": text, ".model-risk.yaml": "rules:\n  extra-packs: [p.yaml]\n"})
    run = cli("scan", root, "--offline")
    assert run.code == 2
    line = run.stderr.strip()
    assert "\n" not in line and "Traceback" not in line
    assert expected in line.replace(str(root) + "/", ""), line


def test_a_plugin_condition_is_usable_from_a_pack(tmp_path: Path, hub):
    site = write_tree(tmp_path / "site", {
        "short_ids.py": """
            from model_risk import hookimpl
            from model_risk.contract.condition import Condition

            def _short(subject, args):
                return len(subject["id"].split("/")[-1]) <= args["max"]

            @hookimpl
            def register_conditions(register):
                register(Condition("short-name", _short, ("model",), "repo name is at most args.max characters"))
            """,
        "short_ids-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: short-ids\nVersion: 1.0\n",
        "short_ids-1.0.dist-info/entry_points.txt": "[model_risk]\nshort-ids = short_ids\n",
    })
    root = write_tree(tmp_path / "proj", {
        "app.py": 'from transformers import AutoModel\nAutoModel.from_pretrained("openai-community/gpt2")\n',
        "p.yaml": """
            pack: p
            version: 1
            rules:
              - code: P001
                name: short-repo-name
                severity: info
                scope: model
                summary: The repo name is very short.
                when: {check: short-name, args: {max: 4}}
                message: "{model} has a short name"
            """,
        ".model-risk.yaml": "rules:\n  extra-packs: [p.yaml]\n",
    })
    env = {**os.environ, "PYTHONPATH": str(site), "HF_ENDPOINT": hub.url}
    proc = subprocess.run([sys.executable, "-m", "model_risk", "scan", str(root), "--format", "json",
                           "--fail-on", "never"], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    findings = [f for f in json.loads(proc.stdout)["findings"] if f["rule"] == "short-repo-name"]
    assert [(f["model"], f["message"]) for f in findings] == [("openai-community/gpt2",
                                                               "openai-community/gpt2 has a short name")]


def test_rules_documentation_is_generated_from_the_packs(cli):
    run = cli("rules", "--format", "markdown")
    assert run.code == 0
    assert run.stdout == (REPO / "docs" / "rules.md").read_text(encoding="utf-8"), \
        "docs/rules.md is stale: run `model-risk rules --format markdown > docs/rules.md`"


def test_project_scope_rules_see_project_wide_counts(cli, acme, project):
    pack = _pack(code="P100", name="too-many-root-vendors", scope="project",
                 when="{field: root_vendors, ge: 2}", message='"{root_vendors} root vendors across {models} models"')
    root = project({"app.py": APP, "p.yaml": pack, ".model-risk.yaml": "rules:\n  extra-packs: [p.yaml]\n"})
    _, report = _scan(cli, root)
    found = [f for f in report["findings"] if f["rule"] == "too-many-root-vendors"]
    assert [(f["model"], f["vendor"], f["message"], f["locations"]) for f in found] == [
        (None, None, "2 root vendors across 3 models", [])]


def test_a_reference_rule_is_judged_on_each_reference_it_can_tell_apart(cli, acme, project):
    # References that agree on the fields a rule reads share one verdict; these rules read the path,
    # trust_remote_code, and nothing of the reference, and each must still match exactly its references.
    pack = """
        pack: p
        version: 1
        rules:
          - {code: P001, name: in-b, severity: low, scope: reference, summary: s,
             when: {field: reference.path, matches: "b\\\\.py$"}, message: "{model} in {reference.path}"}
          - {code: P002, name: trusting, severity: low, scope: reference, summary: s,
             when: {field: reference.trust_remote_code, equals: true}, message: "{model} at {reference.line}"}
          - {code: P003, name: any-ref, severity: low, scope: reference, summary: s,
             when: {field: downloads, gt: 20}, message: "{model}"}
        """
    load = "from transformers import AutoModel\n"
    root = project({
        "a.py": load + "".join(f'm{i} = AutoModel.from_pretrained("acme/rail-model", trust_remote_code={i % 3 == 2})\n'
                               for i in range(6)),
        "b.py": load + 'n = AutoModel.from_pretrained("acme/rail-model", trust_remote_code=True)\n',
        "p.yaml": pack, ".model-risk.yaml": "rules:\n  extra-packs: [p.yaml]\n"})
    run, report = _scan(cli, root, "--fail-on", "never")
    ours = [f for f in report["findings"] if f["code"].startswith("P")]
    located = {f["rule"]: [(loc["path"], loc["line"]) for loc in f["locations"]] for f in ours}
    assert located == {"in-b": [("b.py", 2)], "trusting": [("a.py", 4), ("a.py", 7), ("b.py", 2)],
                       "any-ref": [("a.py", line) for line in range(2, 8)] + [("b.py", 2)]}
    messages = {f["rule"]: f["message"] for f in ours}
    assert messages["in-b"] == "acme/rail-model in b.py" and messages["trusting"] == "acme/rail-model at 4"
