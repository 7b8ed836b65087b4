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
    # the models table: every model, with the facts an auditor needs
    body = html.split('<table id="models-table">', 1)[1].split("</table>", 1)[0]
    assert body.count("<tr data-flags=") == 10
    llama = body.split("meta-llama/Llama-3.1-8B-Instruct", 1)[1].split("</tr>", 1)[0]
    assert "with conditions" in llama and "700 million monthly active users" in llama
    assert "yes (manual approval)" in llama and "finetune from" in llama and "configs/eval.yaml:3:13" in llama
    gguf = body.split("bartowski/Qwen2.5-7B-Instruct-GGUF", 1)[1].split("</tr>", 1)[0]
    assert "quantized from" in gguf and "Alibaba" in gguf
    # findings, with where and how to fix; suppressed ones apart, with the reason
    assert html.count('<article class="finding') == 15
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
    assert "10 of 10 models" in dom.stdout and "13 of 13 findings" in dom.stdout

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
    row = html.split(">Qwen/Qwen2.5-3B-Instruct</a>", 1)[1].split("</tr>", 1)[0]
    assert 'title="license: apache-2.0 → other (qwen-research)">changed since model-risk.lock</span>' in row
    assert '<tr data-flags="drift findings noncommercial nonosi">' in html
