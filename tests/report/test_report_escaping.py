"""Hub metadata is untrusted: a model card can put markup, scripts, links and terminal escapes in its
license name and card fields. Every report must show them as text."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from support.fakehub import FakeHub, model
from support.report_schemas import validate_cyclonedx, validate_sarif

IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "</script><script>alert(document.domain)</script>"
LINK = "[Apache-2.0](https://evil.example/phish)"
TERMINAL = "Evil\x1b]0;owned\x07\x1b[2J License"

MODELS = {
    "acme/img-model": model("acme/img-model", license="other", card={
        "license_name": IMG, "license_link": "javascript:alert(1)", "language": ["en", IMG]}),
    "acme/script-model": model("acme/script-model", license="other", card={
        "license_name": SCRIPT, "datasets": [SCRIPT]}),
    "acme/link-model": model("acme/link-model", license="other", card={"license_name": LINK}),
    "acme/terminal-model": model("acme/terminal-model", license="other", card={"license_name": TERMINAL}),
}
PROJECT = {"app.py": "from transformers import AutoModel\n" + "".join(
    f'm{i} = AutoModel.from_pretrained("{model_id}")\n' for i, model_id in enumerate(MODELS))}


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    from conftest import run_cli, write_tree

    root = write_tree(tmp_path_factory.mktemp("hostile") / "project", PROJECT)
    out = tmp_path_factory.mktemp("hostile-reports")
    formats = ("html", "markdown", "text", "sarif", "cyclonedx")
    with pytest.MonkeyPatch.context() as patch, FakeHub(MODELS, snapshot=False) as hub:
        patch.setenv("HF_ENDPOINT", hub.url)
        args: list[str | Path] = ["scan", root, "--no-drift"]
        for fmt in formats:
            args += ["--format", fmt, "--output", out / fmt]
        run = run_cli(*args)
    assert run.code in (0, 1), run.stderr
    return {fmt: (out / fmt).read_text(encoding="utf-8") for fmt in formats}


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_html_shows_hub_markup_as_text(reports: dict[str, str]):
    html = reports["html"]
    for payload in (IMG, SCRIPT):
        assert payload not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;/script&gt;&lt;script&gt;alert(document.domain)&lt;/script&gt;" in html
    # in the license chart's SVG label (clipped) and its tooltip, and in title attributes
    assert '<text class="bar-label" x="150" y="15" text-anchor="end">&lt;img src=x onerror=a' in html
    assert "<title>&lt;img src=x onerror=alert(1)&gt;: 1 model" in html
    assert '<dt>License</dt><dd>&lt;img src=x onerror=alert(1)&gt;' in html  # a javascript: link is no link

    parser = _Elements()
    parser.feed(html)
    tags = [tag for tag, _ in parser.tags]
    assert "img" not in tags and tags.count("script") == 1 and html.count("</script>") == 1
    for tag, attrs in parser.tags:
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        if tag == "a":
            assert (attrs["href"] or "").startswith(("https://", "http://", "#")), attrs
    assert "javascript:" not in html


def test_html_loads_nothing_and_runs_only_its_own_script(reports: dict[str, str]):
    html = reports["html"]
    parser = _Elements()
    parser.feed(html)
    for tag, attrs in parser.tags:
        assert tag not in ("link", "iframe", "object", "embed", "img", "base"), tag
        assert "src" not in attrs and "style" not in attrs, (tag, attrs)
    assert "@import" not in html and "url(" not in html
    csp = next(a["content"] for t, a in parser.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in (csp or "") and "script-src 'sha256-" in (csp or "")


def test_markdown_shows_hub_markup_as_text(reports: dict[str, str]):
    markdown = reports["markdown"]
    for payload in (IMG, SCRIPT, LINK):
        assert payload not in markdown
    assert "<img" not in markdown and "<script" not in markdown
    assert "&lt;img src=x onerror=alert(1)&gt;" in markdown
    assert "&lt;/script&gt;&lt;script&gt;alert(document.domain)&lt;/script&gt;" in markdown
    # The word joiner after "https:" keeps GitHub from linking the bare URL (tests/hostile/).
    assert r"\[Apache-2.0\](https:" + "\u2060" + "//evil.example/phish)" in markdown


def test_terminal_output_drops_escape_sequences(reports: dict[str, str]):
    assert "\x1b" not in reports["text"] and "\x07" not in reports["text"]
    assert "Evil]0;owned" not in reports["text"]
    assert "Evil License" in reports["text"]


def test_machine_formats_stay_valid_and_drop_unsafe_links(reports: dict[str, str]):
    sarif = json.loads(reports["sarif"])
    validate_sarif(sarif)
    bom = json.loads(reports["cyclonedx"])
    validate_cyclonedx(bom)
    assert "javascript:" not in reports["cyclonedx"]
    [img] = [c for c in bom["components"] if c["name"] == "acme/img-model"]
    assert img["licenses"] == [{"license": {"name": IMG, "acknowledgement": "declared"}}]
