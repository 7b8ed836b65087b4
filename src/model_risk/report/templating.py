"""Jinja2 environments for the HTML and Markdown reports, each escaping by default for its own language.

Everything from the Hub (license names, model ids, card fields) and from scanned files is untrusted.
In HTML, autoescaping covers element text, attribute values (``title=``), and inline SVG labels; URLs
additionally go through :func:`safe_url`. In Markdown there is no autoescaping in Jinja2, so the Markdown
environment escapes every ``{{ ... }}`` through ``finalize`` unless a filter already returned Markup.

This module imports jinja2; only the reporters that render templates import it, so a plain scan does not.
"""

from __future__ import annotations

import re

import jinja2
from markupsafe import Markup, escape

from model_risk.common.resources import data_dir
from model_risk.report.presentation import hub_url, location_text, safe_url
from model_risk.report.terminal import terminal_safe
from model_risk.report.untrusted import no_autolinks, visible_controls

#: Untrusted strings longer than this are cut: a 100 kB "license name" must not become the report.
MAX_FIELD = 300


def clip(value: object, limit: int = MAX_FIELD) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _loader() -> jinja2.FileSystemLoader:
    return jinja2.FileSystemLoader(str(data_dir("templates")))


def _html_finalize(value: object) -> object:
    # Control characters and bidi overrides in Hub text would reorder or hide what a reader sees.
    if isinstance(value, str) and not isinstance(value, Markup):
        return visible_controls(value)
    return value


def html_environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=_loader(),
        autoescape=True,
        finalize=_html_finalize,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(clip=clip, safe_url=safe_url, hub_url=hub_url, inline_code=html_inline_code,
                       location=location_text)
    return env


_CODE_SPAN = re.compile(r"`([^`\n]+)`")


def html_inline_code(text: object) -> Markup:
    """Rule texts use Markdown code spans (`model-risk lock`); show them as <code>, escaping the rest."""
    escaped = str(escape(visible_controls(str(text or ""))))
    return Markup(_CODE_SPAN.sub(lambda m: f"<code>{m.group(1)}</code>", escaped))


# -- Markdown ----------------------------------------------------------------------------------

# Inline Markdown syntax in GitHub-flavoured Markdown: code, emphasis, links and images (no "[" means no
# link), strikethrough, and the table pipe. "<", ">" and "&" become entities. Newlines are collapsed, so
# nothing can start a block (heading, list, quote) of its own.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_SAFE_CODE = re.compile(r"[A-Za-z0-9._/@:+=-]+")


def markdown_escape(value: object) -> Markup:
    """Text that GitHub will show as typed: no links, images, HTML tags, emphasis or table breaks, no
    mentions, issue references or autolinks, no control characters."""
    text = re.sub(r"\s+", " ", terminal_safe(clip(value)))
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return Markup(no_autolinks(text))


def markdown_code(value: object) -> Markup:
    """A code span for ids and paths made only of harmless characters; anything else is escaped text
    (backslash escapes do not work inside code spans)."""
    text = clip(value)
    if _SAFE_CODE.fullmatch(text):
        return Markup(f"`{text}`")
    return markdown_escape(text)


def markdown_rule_text(value: object) -> Markup:
    """Rule-pack prose (why, fix): its `code spans` are kept, everything else is escaped. The text comes
    from rule packs, not the Hub, but packs can come from plugins, so only code spans pass through."""
    text = re.sub(r"\s+", " ", clip(value, 1500))
    parts = []
    for i, piece in enumerate(re.split(r"(`[^`]+`)", text)):
        parts.append(piece if i % 2 else str(markdown_escape(piece)))
    return Markup("".join(parts))


def _markdown_finalize(value: object) -> object:
    if isinstance(value, Markup):
        return value
    return markdown_escape(value)


def markdown_environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=_loader(),
        autoescape=False,
        finalize=_markdown_finalize,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(md=markdown_escape, code=markdown_code, clip=clip, location=location_text,
                       rule_text=markdown_rule_text)
    return env
