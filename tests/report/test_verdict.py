"""One answer to "does this run fail the build?": the exit status, the JSON report (findings' fails_build,
summary.failed), the text verdict, the Markdown summary and the HTML badge all say the same thing, because
they all ask ScanResult.fails_build."""

from __future__ import annotations

import re

import pytest
from support.fakehub import model

FAST_HUB = "hub:\n  backoff: 0.01\n  retries: 1\n"
NC = 'from transformers import AutoModel\nAutoModel.from_pretrained("acme/chat-nc-7b")\n'


@pytest.fixture
def nc_model(hub):
    hub.models["acme/chat-nc-7b"] = model("acme/chat-nc-7b", license="cc-by-nc-4.0")
    return hub


def _all_formats(cli, root, *extra):
    runs = {fmt: cli("scan", root, "--format", fmt, *extra) for fmt in ("json", "text", "markdown", "html")}
    return runs["json"].code, {fmt: run.stdout for fmt, run in runs.items()}, runs["json"].json()


@pytest.mark.parametrize("where, fails", [("docs/guide.md", False), ("tests/test_app.py", False),
                                          ("app/main.py", True)])
def test_every_report_agrees_with_the_exit_status(cli, nc_model, project, where, fails):
    text = NC if where.endswith(".py") else f"```python\n{NC}```\n"
    root = project({".model-risk.yaml": FAST_HUB, where: text})
    code, out, report = _all_formats(cli, root)
    assert code == (1 if fails else 0)
    nc = [f for f in report["findings"] if f["rule"] == "non-commercial-license"]
    assert [f["severity"] for f in nc] == ["high"], "reported wherever it is"
    assert nc[0]["scope"] == where.split("/")[0].replace("app", "code") and nc[0]["fails_build"] is fails
    # jq '[.findings[] | select(.fails_build)] | length > 0' reproduces the gate.
    assert any(f["fails_build"] for f in report["findings"]) is fails is report["summary"]["failed"]
    summary = " ".join(out["text"].split()).rsplit(". ", 1)[-1]
    assert summary == ("FAILED: 1 finding at or above high" if fails else
                       f"passed: nothing counted at or above high (1 in {nc[0]['scope']}: not counted)")
    assert out["markdown"].startswith("## ❌ model-risk failed" if fails else "## ✅ model-risk passed")
    assert ("### Failing the check" in out["markdown"]) is fails
    badge = re.search(r'<div class="verdict (\w+)" id="verdict">(\w+)', out["html"])
    assert badge.groups() == (("failed", "Failed") if fails else ("passed", "Passed"))
    assert ('<span class="gate">fails the build</span>' in out["html"]) is fails


def test_severity_filter_changes_what_is_listed_never_the_gate(cli, nc_model, project):
    root = project({".model-risk.yaml": FAST_HUB, "app/main.py": NC})
    code, out, _report = _all_formats(cli, root, "--severity", "low")
    assert code == 1, "the high finding still fails the build"
    assert "non-commercial-license" not in out["text"] and "MR301 unpinned-revision" in out["text"]
    flat = " ".join(out["text"].split())
    assert "2 not shown (--severity)" in flat and "FAILED: 1 finding at or above high" in flat
    assert out["markdown"].startswith("## ❌ model-risk failed: 1 finding at or above high")
    assert "non-commercial-license" not in out["markdown"].split("<summary>Models")[0]
    assert "not shown (`--severity`)" in out["markdown"]
    assert 'id="rule-MR102"' not in out["html"] and 'id="rule-MR301"' in out["html"]
    bad = cli("scan", root, "--severity", "urgent")
    assert bad.code == 2 and "unknown severity 'urgent'" in bad.stderr


def test_unchecked_models_are_one_line_and_can_fail_the_build(cli, project):
    loaders = "".join(f'm{i} = AutoModel.from_pretrained("acme/model-{i}b")\n' for i in range(1, 28))
    root = project({"app.py": "from transformers import AutoModel\n" + loaders})
    run = cli("scan", root, "--offline")
    assert run.code == 0
    assert "27 of 27 models not checked" in " ".join(run.stdout.split())
    assert "MR307" not in run.stdout, "one line, not 27 findings"
    assert "MR307" in cli("scan", root, "--offline", "--verbose").stdout, "listed on request"
    report = cli("scan", root, "--offline", "--format", "json").json()
    assert report["summary"]["unchecked"] == 27 and report["summary"]["failed"] is False
    strict = cli("scan", root, "--offline", "--fail-on-unchecked", "--format", "json")
    assert strict.code == 1 and strict.json()["summary"]["failed"] is True
    assert strict.json()["scan"]["fail_on_unchecked"] is True
    text = cli("scan", root, "--offline", "--fail-on-unchecked")
    assert "FAILED: 27 unchecked (--fail-on-unchecked)" in " ".join(text.stdout.split())
    (root / ".model-risk.yaml").write_text("fail-on-unchecked: true\n")
    assert cli("scan", root, "--offline").code == 1


def test_a_saved_report_says_the_same_and_filters_the_same(cli, nc_model, project, tmp_path):
    root = project({".model-risk.yaml": FAST_HUB, "docs/guide.md": f"```python\n{NC}```\n", "app/main.py": NC})
    saved = tmp_path / "scan.json"
    scanned = cli("scan", root, "--format", "json", "--output", saved, "--format", "markdown")
    rendered = cli("report", saved, "--format", "markdown")
    assert rendered.code == 0 and rendered.stdout == scanned.stdout, "fails_build read back as written"
    filtered = cli("report", saved, "--severity", "high")
    assert "MR301" not in filtered.stdout and "MR102" in filtered.stdout
