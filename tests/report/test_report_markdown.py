"""The Markdown summary for pull requests and job summaries: failing findings first, and always small."""

from __future__ import annotations

import re

from support.project import REPO

from model_risk.report.markdown import MAX_BYTES

FIXTURE = REPO / "tests" / "fixtures" / "report-project"


def test_failing_findings_come_first_and_details_fold(cli):
    run = cli("scan", FIXTURE, "--offline", "--format", "markdown")
    assert run.code == 1
    text = run.stdout
    assert text.startswith("## ❌ model-risk failed: 3 findings at or above high")
    failing = text.index("### Failing the check (3)")
    # The model nobody could check offline is one line under the verdict, not a finding in the tables.
    assert "⚠️ **1 of 10 models not checked: neither in model-risk.lock nor in the cache" in text
    others = text.index("### Other findings (9)")
    details = text.index("<summary>Details and fixes (12)</summary>")
    assert failing < others < details
    failing_table = text[failing:others]
    assert "non-commercial-license" in failing_table and "trust-remote-code" in failing_table
    assert "unpinned-revision" not in failing_table
    assert "<summary>Models (10)</summary>" in text
    assert "| `meta-llama/Llama-3.1-8B-Instruct` | Llama 3.1 Community License Agreement | with conditions | Meta | resolved | 1 |" in text
    assert "<summary>Suppressed findings (2), not counted</summary>" in text
    assert "<summary>Vendors (6): HHI 2400 (highly concentrated; floor 1000 for 10 models) · top Alibaba 40%" in text
    assert "| Alibaba | 40% | 4 (4 open-weight) | 4 | 1 unpinned, 1 pinned, 2 derived |" in text
    # Offline, the Qwen chat models get model-risk's table of substitutes; the others were never recorded.
    assert "<summary>Alternatives from other vendors (3)</summary>" in text
    assert "| `Qwen/Qwen2.5-7B-Instruct` | `ibm-granite/granite-3.3-8b-instruct` (Apache-2.0, IBM);" in text
    assert "4 models with findings: no replacements recorded for offline scans" in text
    conditions = text.index("<summary>License conditions (2): what the governing licenses ask, not legal advice")
    assert '**Llama 3.1 Community License Agreement**: `meta-llama/Llama-3.1-8B-Instruct`' in text[conditions:]
    assert '- naming: an AI model created, trained or fine-tuned with Llama 3.1 or its outputs and distributed ' \
           'must have a name beginning with "Llama" (section 1.b.i)' in text[conditions:]
    assert text.count("<details>") == text.count("</details>") == 6
    assert re.search(r"<sub>model-risk [^<]* · knowledge tables of 2026-12-07 \([0-9a-f]{12}\)</sub>", text)


def test_a_passing_scan_says_so(cli, project):
    root = project({"app.py": 'from transformers import AutoModel\nAutoModel.from_pretrained("acme/tiny")\n'})
    run = cli("scan", root, "--offline", "--format", "markdown")
    assert run.code == 0
    assert run.stdout.startswith("## ✅ model-risk passed: nothing at or above high")
    assert "### Findings (1)" in run.stdout and "Failing the check" not in run.stdout
    assert "1 of 1 model not checked" in run.stdout


def test_a_huge_scan_is_cut_to_fit_a_pull_request_comment(cli, project):
    calls = "".join(f'm{i} = AutoModel.from_pretrained("acme-research/a-long-model-name-{i:04d}")\n'
                    for i in range(400))
    root = project({"app.py": "from transformers import AutoModel\n" + calls})
    run = cli("scan", root, "--offline", "--format", "markdown")
    assert run.code == 0, run.stderr
    assert len(run.stdout.encode("utf-8")) <= MAX_BYTES < 65_536
    assert "Shortened to fit GitHub's size limits" in run.stdout
    # The count is the real one even when rows are left out, and says how many are shown.
    assert re.search(r"### Findings \(showing \d+ of 401\)", run.stdout)
    assert "400 of 400 models not checked" in run.stdout
    assert re.search(r"<summary>Models \(showing \d+ of 400\)</summary>", run.stdout)



def test_a_section_cut_to_nothing_still_says_how_many_it_left_out(cli, tmp_path):
    from model_risk.contract.reporter import ReportOptions
    from model_risk.report.document import read_document
    from model_risk.report.markdown import TEMPLATE, summary_context
    from model_risk.report.templating import markdown_environment

    saved = tmp_path / "scan.json"
    cli("scan", FIXTURE, "--offline", "--format", "json", "--output", saved)
    result = read_document(saved.read_text(encoding="utf-8"), str(saved))
    text = markdown_environment().get_template(TEMPLATE).render(summary_context(result, 0, 0, ReportOptions()))
    assert "### Failing the check (showing 0 of 3)" in text and "### Other findings (showing 0 of 9)" in text
    assert text.count("_Left out to fit; the full reports list them._") == 2

def test_locations_link_to_the_scanned_commit_in_a_github_workflow(cli, monkeypatch):
    sha = "0123456789abcdef0123456789abcdef01234567"
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.example")
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/shop")
    monkeypatch.setenv("GITHUB_SHA", sha)
    run = cli("scan", FIXTURE, "--offline", "--format", "markdown")
    # The fixture is tests/fixtures/report-project inside this repository's work tree.
    base = f"https://github.example/acme/shop/blob/{sha}/tests/fixtures/report-project/"
    links = re.findall(r"\[`([^`]+)`\]\(([^)]+)\)", run.stdout)
    assert links, run.stdout
    for text, url in links:
        path, line = text.split(":")[:2]
        assert url == f"{base}{path}#L{line}"


def test_no_links_outside_github(cli, monkeypatch):
    monkeypatch.delenv("GITHUB_SHA", raising=False)
    run = cli("scan", FIXTURE, "--offline", "--format", "markdown")
    assert "](http" not in run.stdout
