"""Making text from files, the Hub and the config safe to print on a terminal or a CI log.

Such text must stay on the line it is printed on: a newline in a file name or a license name could
otherwise start a line of its own, such as a GitHub Actions command (``::error ...::``,
``::add-mask::``) or a fake "passed". Escape sequences are dropped (they would move the cursor or
retitle the window); line breaks and tabs become spaces; every other control character and the bidi
controls (which reorder what a reader sees, CVE-2021-42574) are shown as escapes such as ``\\u202e``.
"""

from __future__ import annotations

import re

# ESC-started sequences: CSI, OSC (ended by BEL or ST), and single-character escapes.
_ESCAPE_SEQUENCE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]")
#: Characters that break a line in a terminal, a log viewer or an editor.
_LINE_BREAKS = "\t\n\v\f\r\x85\u2028\u2029"
# C0 and C1 controls, DEL, and the bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069).
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _neutralise(match: re.Match[str]) -> str:
    char = match.group()
    if char in _LINE_BREAKS:
        return " "
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_safe(text: str) -> str:
    """``text`` as one line with no control characters: escape sequences removed, line breaks made
    spaces, other controls and bidi overrides shown as escapes."""
    return _UNSAFE.sub(_neutralise, _ESCAPE_SEQUENCE.sub("", text))


#: A line the GitHub Actions runner reads as a command (``::error::``, and the older ``##[error]``).
_WORKFLOW_COMMAND = re.compile(r"^(\s*)(::|##\[)")


def no_workflow_command(line: str) -> str:
    """``line`` made unreadable as a workflow command (the runner trims leading spaces before it looks):
    for lines that wrapping or a document's own structure start with someone else's text."""
    return _WORKFLOW_COMMAND.sub(lambda m: m.group(1) + " ".join(m.group(2)), line)


def terminal_safe_lines(text: str) -> str:
    """Multi-line text (rule documentation): each line made safe, the line structure kept, and no line
    read as a workflow command."""
    return "\n".join(no_workflow_command(terminal_safe(line)) for line in text.split("\n"))
