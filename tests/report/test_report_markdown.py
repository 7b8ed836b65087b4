"""The Markdown summary for pull requests and job summaries: failing findings first, and always small."""

from __future__ import annotations

from support.project import REPO

from model_risk.report.markdown import MAX_BYTES

FIXTURE = REPO / "tests" / "fixtures" / "report-project"


def test_failing_findings_come_first_and_details_fold(cli):
    run = cli("scan", FIXTURE, "--offline", "--format", "markdown")
    assert run.code == 1
    text = run.stdout
    assert text.startswith("## ❌ model-risk failed: 3 findings at or above high")
    failing = text.index("### Failing the check (3)")
    others = text.index("### Other findings (10)")
    details = text.index("<summary>Details and fixes</summary>")
    assert failing < others < details
    failing_table = text[failing:others]
    assert "non-commercial-license" in failing_table and "trust-remote-code" in failing_table
    assert "unpinned-revision" not in failing_table
    assert "<summary>Models (10)</summary>" in text
    assert "| `meta-llama/Llama-3.1-8B-Instruct` | Llama 3.1 Community License Agreement | with conditions | Meta | resolved |" in text
    assert "<summary>Suppressed findings (2), not counted</summary>" in text
    assert text.count("<details>") == text.count("</details>") == 3


def test_a_passing_scan_says_so(cli, project):
    root = project({"app.py": 'from transformers import AutoModel\nAutoModel.from_pretrained("acme/tiny")\n'})
    run = cli("scan", root, "--offline", "--format", "markdown")
    assert run.code == 0
    assert run.stdout.startswith("## ✅ model-risk passed: nothing at or above high")
    assert "### Findings (2)" in run.stdout and "Failing the check" not in run.stdout


def test_a_huge_scan_is_cut_to_fit_a_pull_request_comment(cli, project):
    calls = "".join(f'm{i} = AutoModel.from_pretrained("acme-research/a-long-model-name-{i:04d}")\n'
                    for i in range(400))
    root = project({"app.py": "from transformers import AutoModel\n" + calls})
    run = cli("scan", root, "--offline", "--format", "markdown")
    assert run.code == 0, run.stderr
    assert len(run.stdout.encode("utf-8")) <= MAX_BYTES < 65_536
    assert "Shortened to fit GitHub's size limits" in run.stdout
    assert "### Findings (801)" in run.stdout  # the count is the real one even when rows are left out
    assert run.stdout.count("<details>") == run.stdout.count("</details>")
