"""Terminal output cannot forge lines: text from files, the Hub or the config stays on its own line.

A newline in a file name, a license name or a config value could otherwise start a line such as a GitHub
Actions command (``::error ...::``, ``::add-mask::``) or a fake "passed"; bidi overrides could reorder
what a reader sees.
"""

from __future__ import annotations

import json

from support.fakehub import model

FORGED = "\n::error title=forged::pwned\r\n::add-mask::secret\npassed (nothing at or above high)"
BIDI = "\u202etxt.exe\u2066x\u2069"
LOAD = 'from transformers import AutoModel\nAutoModel.from_pretrained("{}")\n'


def _no_forged_lines(text: str, *, prose: bool = False) -> None:
    """No workflow command, no control character; and unless ``text`` is multi-line prose by design (a
    rule's documentation), no line of someone else's text at all."""
    for line in text.splitlines():
        assert not line.lstrip().startswith(("::", "##[")), line
        assert prose or not line.startswith("passed"), line
    for char in "\r\x1b\u202e\u2066\u2069\x85\u2028":
        assert char not in text


def test_a_file_name_cannot_start_a_line_in_the_report_or_the_notes(cli, project):
    root = project({f"app{FORGED}{BIDI}.py": LOAD.format("acme/model"),
                    f"nb{FORGED}.ipynb": '{"cells": [\n'})
    run = cli("scan", root, "--offline", "--fail-on", "never", "--verbose")
    assert run.code == 0, run.stderr
    assert "acme/model" in run.stdout and "not a valid notebook" in run.stderr
    _no_forged_lines(run.stdout)
    _no_forged_lines(run.stderr)
    assert "\\u202etxt.exe" in run.stdout  # shown as an escape, visible to the reader


def test_hub_text_cannot_start_a_line_in_the_report_or_explain(cli, hub, project):
    hub.models["acme/evil"] = model("acme/evil", license="other",
                                    card={"license_name": f"x{FORGED}{BIDI}", "language": [FORGED]})
    root = project({"app.py": LOAD.format("acme/evil")})
    scan = cli("scan", root, "--fail-on", "never", "--no-color")
    assert scan.code == 0, scan.stderr
    _no_forged_lines(scan.stdout + scan.stderr)
    explained = cli("explain", "acme/evil")
    assert explained.code == 0, explained.stderr
    _no_forged_lines(explained.stdout)


def test_a_config_value_cannot_start_a_line_in_an_error(cli, project):
    root = project({".model-risk.yaml": json.dumps({"fail-on": f"never{FORGED}"}), "app.py": "x = 1\n"})
    run = cli("scan", root, "--offline")
    assert run.code == 2
    assert len(run.stderr.strip().splitlines()) == 1, run.stderr
    _no_forged_lines(run.stderr)


def test_a_lockfile_key_cannot_start_a_line_in_lock_check(cli, hub, project):
    root = project({"app.py": LOAD.format("gpt2")})
    assert cli("lock", root).code == 0
    lockfile = root / "model-risk.lock"
    data = json.loads(lockfile.read_text())
    data["models"][f"acme/old{FORGED}"] = data["models"]["gpt2"]
    lockfile.write_text(json.dumps(data))
    run = cli("lock", root, "--check", "--offline")
    assert run.code == 1
    assert "no longer referenced: acme/old ::error" in run.stdout
    _no_forged_lines(run.stdout + run.stderr)


def test_a_rule_pack_cannot_start_a_line_in_rules(cli, project, monkeypatch):
    pack = {"pack": "team", "version": 1, "rules": [{
        "code": "TEAM001", "name": "team-rule", "severity": "low", "scope": "model",
        "summary": f"flags things{FORGED}", "why": f"because{FORGED}", "message": "m",
        "when": {"field": "id", "equals": "x"}}]}
    root = project({"team.yaml": json.dumps(pack),
                    ".model-risk.yaml": "rules:\n  extra-packs: [team.yaml]\n"})
    monkeypatch.chdir(root)
    listed = cli("rules")
    assert listed.code == 0, listed.stderr
    assert "flags things ::error" in listed.stdout
    _no_forged_lines(listed.stdout)
    shown = cli("rules", "team-rule")  # the rule's documentation: its lines are the pack author's
    assert shown.code == 0, shown.stderr
    _no_forged_lines(shown.stdout, prose=True)


def test_an_error_naming_a_path_stays_on_one_line(cli, project):
    root = project({"app.py": "x = 1\n"})
    run = cli("scan", root, "--offline", "--config", str(root / f"missing{FORGED}.yaml"))
    assert run.code == 2
    assert len(run.stderr.strip().splitlines()) == 1, run.stderr
    _no_forged_lines(run.stderr)
