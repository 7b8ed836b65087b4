"""The HTML audit report: its content, its Content-Security-Policy, and a real browser rendering it."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import subprocess
from html import unescape
from pathlib import Path

import pytest
from support.project import REPO

FIXTURE = REPO / "tests" / "fixtures" / "report-project"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import run_cli

    out = tmp_path_factory.mktemp("html") / "report.html"
    run = run_cli("scan", FIXTURE, "--offline", "--format", "html", "--output", out)
    assert run.code == 1, run.stderr
    return out


def _csp_hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def test_summary_charts_tables_and_findings(report_file: Path):
    html = report_file.read_text(encoding="utf-8")
    for section in ('id="summary"', 'id="findings"', 'id="models"', 'id="rules"', 'id="notes"'):
        assert section in html
    assert 'class="verdict failed"' in html and "3 findings at or above high" in html
    # the root-vendor donut: one arc per vendor, Alibaba (4 of 10 models) first
    assert html.count('class="ring p') == 6
    legend = '<span class="name">Alibaba <span class="country">China</span></span><span class="num">4 · 40%</span>'
    assert legend in html
    # the license mix: one bar per license label, coloured by what the license allows
    assert html.count('class="bar g-') == 6
    assert 'class="bar g-noncommercial"' in html and 'class="bar g-conditions"' in html
    # the first screen: verdict, counts by severity and the top risks, worst first
    assert 'id="verdict"' in html and 'id="severity-counts"' in html
    risks = html.split('id="top-risks"', 1)[1].split("</ol>", 1)[0]
    assert risks.index("non-commercial-license") < risks.index("non-osi-license")
    assert "2 models · 2 places" in risks
    # true summary cards: the root vendor count is every vendor, not the chart's slices
    assert re.search(r'Root vendors</div>\s*<div class="value">6</div>', html)
    # the models table: one body per model, a row that fits the page and a detail row with the rest
    body = html.split('<table id="models-table"', 1)[1].split("</table>", 1)[0]
    assert body.count('<tbody class="model') == 10
    assert html.count("<th scope=\"col\"><button") >= 6
    llama = body.split('href="https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct"', 1)[1].split("</tbody>", 1)[0]
    assert "with conditions" in llama and "700 million monthly active users" in llama
    assert "yes (manual approval)" in llama and "finetune from" in llama and "configs/eval.yaml:3:13" in llama
    gguf = body.split("bartowski/Qwen2.5-7B-Instruct-GGUF", 1)[1].split("</tbody>", 1)[0]
    assert "quantized from" in gguf and "Alibaba" in gguf
    # findings grouped by rule, collapsed, with how to fix; suppressed ones apart, with the reason
    groups = re.findall(r'<details class="rule-group (\w+)" id="rule-(MR\d+)">', html)
    assert len(groups) == 9 and groups[0][0] == "high" and groups[-1][0] == "low"
    assert "1 of 10 models not checked" in html
    assert html.count('<article class="finding') == 2
    assert "How to fix" in html and "LEGAL-142" in html


def test_the_policy_allows_exactly_the_inlined_style_and_script(report_file: Path):
    html = report_file.read_text(encoding="utf-8")
    style = re.search(r"<style>(.*?)</style>", html, re.S).group(1)
    script = re.search(r"<script>(.*?)</script>", html, re.S).group(1)
    policy = unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1))
    # inlined whole: nothing in them closes their element early
    assert style == (REPO / "templates" / "report.css").read_text(encoding="utf-8")
    assert script == (REPO / "templates" / "report.js").read_text(encoding="utf-8")
    assert f"style-src '{_csp_hash(style)}'" in policy
    assert f"script-src '{_csp_hash(script)}'" in policy
    assert "default-src 'none'" in policy
    # the <noscript> style that shows every row without the script is allowed by its hash, nothing else
    [fallback] = re.findall(r"<noscript><style>(.*?)</style></noscript>", html, re.S)
    assert f"style-src '{_csp_hash(style)}' '{_csp_hash(fallback)}';" in policy


def _browser() -> str | None:
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


@pytest.mark.skipif(_browser() is None, reason="no Chromium or Chrome on PATH (apt-get install chromium)")
def test_chromium_renders_the_report_and_runs_its_script(report_file: Path, tmp_path: Path):
    browser = _browser()
    assert browser is not None
    common = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
              f"--user-data-dir={tmp_path / 'profile'}"]
    env = {**os.environ, "HOME": str(tmp_path)}
    dom = subprocess.run([*common, "--dump-dom", report_file.as_uri()], capture_output=True, text=True,
                         timeout=60, env=env)
    assert dom.returncode == 0, dom.stderr[-2000:]
    # The script ran although the page forbids everything it does not name: the policy's hash is right.
    assert 'data-js="ready"' in dom.stdout
    assert "10 models" in dom.stdout and "12 findings in 9 rules" in dom.stdout
    # the script gave every model row its expand button, and collapsed the details
    assert dom.stdout.count('class="expand"') == 10 and 'aria-controls="m0-detail"' in dom.stdout

    screenshot = tmp_path / "report.png"
    shot = subprocess.run([*common, f"--screenshot={screenshot}", "--window-size=1400,2400",
                           "--hide-scrollbars", report_file.as_uri()], capture_output=True, text=True,
                          timeout=60, env=env)
    assert shot.returncode == 0, shot.stderr[-2000:]
    data = screenshot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 50_000


def test_a_model_that_changed_since_the_lockfile_is_flagged(cli, tmp_path: Path):
    import json

    saved = tmp_path / "scan.json"
    assert cli("scan", FIXTURE, "--offline", "--format", "json", "--output", saved).code == 1
    document = json.loads(saved.read_text(encoding="utf-8"))
    [research] = [m for m in document["models"] if m["id"] == "Qwen/Qwen2.5-3B-Instruct"]
    research["drift"] = [{"field": "license", "locked": "apache-2.0", "current": "other (qwen-research)"}]
    saved.write_text(json.dumps(document), encoding="utf-8")
    html = cli("report", saved, "--format", "html").stdout
    row = html.split('href="https://huggingface.co/Qwen/Qwen2.5-3B-Instruct">', 1)[1].split("</tr>", 1)[0]
    assert 'title="license: apache-2.0 → other (qwen-research)">changed since model-risk.lock</span>' in row
    assert '<tbody class="model" data-flags="drift findings noncommercial nonosi">' in html


def test_licenses_nobody_looked_up_are_unknown_not_zero(cli, project):
    root = project({"app.py": 'from transformers import AutoModel\nAutoModel.from_pretrained("acme/one")\n'
                              'AutoModel.from_pretrained("acme/two")\n'})
    html = cli("scan", root, "--offline", "--format", "html").stdout
    card = html.split('<div class="label">Licenses</div>', 1)[1].split("</div>\n    </div>", 1)[0]
    assert '<div class="value unknown-value">unknown</div>' in card and "not OSI" not in card
    assert "2 Hub models" in card


PROBE = """<script>
(function () {
  function box(selector) {
    var r = document.querySelector(selector).getBoundingClientRect();
    return [Math.round(r.top), Math.round(r.bottom)];
  }
  var out = {verdict: box("#verdict"), severity: box("#severity-counts"), risks: box("#top-risks"),
             width: document.documentElement.scrollWidth, window: window.innerWidth};
  document.body.insertAdjacentHTML("beforeend", "<pre id=probe>" + JSON.stringify(out) + "</pre>");
}());
</script>"""


@pytest.mark.skipif(_browser() is None, reason="no Chromium or Chrome on PATH (apt-get install chromium)")
@pytest.mark.parametrize("width,height", [(1400, 900), (390, 844)])
def test_first_screen_answers_what_is_at_risk(report_file: Path, tmp_path: Path, width: int, height: int):
    import json

    # A copy with a probe script that measures where things are (the report's policy forbids the probe).
    html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", report_file.read_text(encoding="utf-8"))
    probe = tmp_path / "probe.html"
    probe.write_text(html.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    browser = _browser()
    assert browser is not None
    dom = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                          f"--user-data-dir={tmp_path / 'profile'}", f"--window-size={width},{height}",
                          "--dump-dom", probe.as_uri()], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "HOME": str(tmp_path)})
    found = json.loads(unescape(re.search(r"<pre id=\"probe\">(.*?)</pre>", dom.stdout, re.S).group(1)))
    # (headless Chromium may not make a window narrower than 500 px)
    assert found["width"] <= max(width, found["window"]), "nothing is wider than the window"
    if width >= 1000:  # on a phone the top risks follow after one scroll
        for name in ("verdict", "severity", "risks"):
            top, bottom = found[name]
            assert 0 <= top < bottom <= height, (name, found)
    else:
        assert found["verdict"][1] <= height and found["severity"][1] <= height
