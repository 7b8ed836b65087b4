"""Text from the Hub and from scanned files, made inert for reports that other software renders.

GitHub turns ``@name`` into a mention that notifies that person, ``#123`` and ``GH-123`` into links to
issues, and bare ``https://...``, ``www.`` and e-mail addresses into links. A model card's license name
must do none of that in a pull-request comment, so :func:`no_autolinks` puts a WORD JOINER (U+2060, which
shows as nothing) where the pattern would start. Control characters and bidi overrides are shown as
escapes (:func:`visible_controls`), as on the terminal.
"""

from __future__ import annotations

import re

from model_risk.report.terminal import _UNSAFE, _neutralise

WORD_JOINER = "\u2060"

# "@" before a name or a mail domain; "#" or "GH-" before an issue number; a URL scheme's "://"; "www.".
_AUTOLINK = re.compile(r"(@)(?=\w)|(#)(?=\d)|(GH-)(?=\d)|(:)(?=//)|(www)(?=\.)", re.IGNORECASE)


def no_autolinks(text: str) -> str:
    """``text`` with a word joiner that stops GitHub's mentions, issue references and autolinks."""
    return _AUTOLINK.sub(lambda m: m.group() + WORD_JOINER, text)


def visible_controls(text: str) -> str:
    """Control characters (except newline and tab) and bidi overrides shown as escapes such as ``\\u202e``:
    for multi-line text whose lines are meant, such as a rule's example in the HTML report."""
    return _UNSAFE.sub(lambda m: m.group() if m.group() in "\n\t" else _neutralise(m), text)
