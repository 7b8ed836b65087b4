"""Markdown for pull requests pings nobody, and SARIF messages carry no links from Hub text.

GitHub turns ``@name`` into a notification, ``#123``/``GH-123`` into issue links, bare URLs and e-mail
addresses into links, and SARIF's ``[text](id)`` into a link. Hub text must do none of it.
"""

from __future__ import annotations

import json
import re

from support.fakehub import model

PINGS = "@octocat and @github/security see #123, GH-45, https://evil.example/x, www.evil.example, a@evil.example"
LOAD = 'from transformers import AutoModel\nAutoModel.from_pretrained("{}")\n'


def _scan(cli, hub, project, fmt: str) -> str:
    hub.models["acme/pinger"] = model("acme/pinger", license="other",
                                      card={"license_name": f"[click](https://evil.example) {PINGS}\u202e"})
    root = project({"app.py": LOAD.format("acme/pinger")})
    run = cli("scan", root, "--format", fmt, "--fail-on", "never")
    assert run.code == 0, run.stderr
    return run.stdout


def _autolinks(text: str) -> list[str]:
    """What GitHub would turn into a mention, an issue link or a URL."""
    return re.findall(r"(?<![\w`])@\w|#\d|GH-\d|https?://|www\.", text)


def test_hub_text_in_the_pull_request_summary_mentions_and_links_nothing(cli, hub, project):
    markdown = _scan(cli, hub, project, "markdown")
    assert "octocat" in markdown and "evil.example" in markdown  # shown, as text
    outside_code = re.sub(r"`[^`\n]*`", "", markdown)
    assert _autolinks(outside_code) == [], _autolinks(outside_code)
    assert "\u202e" not in markdown


def test_hub_text_in_sarif_messages_has_no_links(cli, hub, project):
    sarif = json.loads(_scan(cli, hub, project, "sarif"))
    messages = [r["message"]["text"] for r in sarif["runs"][0]["results"]]
    hub_messages = [m for m in messages if "octocat" in m]
    assert hub_messages
    for message in hub_messages:
        assert "[click]" not in message and "\\[click\\]" in message
        assert not re.search(r"https?://|www\.", message), message
        assert "\u202e" not in message and "\n" not in message


def test_hub_text_in_html_shows_bidi_overrides_as_escapes(cli, hub, project):
    html = _scan(cli, hub, project, "html")
    assert "\u202e" not in html
    assert "\\u202e" in html
