"""Model references in reStructuredText documentation (``.rst``).

Code blocks (``.. code-block:: LANG``, ``.. code:: LANG``, ``.. sourcecode:: LANG``) are read by the
detector of their language, as Markdown fenced blocks are; every line, prose and literal blocks included,
is then read as free text (:mod:`model_risk.detectors.free_text`), and Hub links are found anywhere.
This is a documentation detector: ``docs: false`` in the config turns it off.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from model_risk.contract.detector import Detector
from model_risk.contract.domain import Note, Reference
from model_risk.contract.source import SourceFile
from model_risk.detect import file_kinds, free_text, hub_urls, text_search
from model_risk.detect.markdown import _LANGUAGE_OF, _Block, documentation_references

_DIRECTIVE = text_search.lazy(r"^([ \t]{0,40})\.\.[ \t]+(?:code-block|code|sourcecode|prompt)::[ \t]*([\w+\-.]{0,40})[^\n]*$",
                        re.MULTILINE)
_OPTION = text_search.lazy(r"[ \t]+:[\w\-]{1,40}:")


def code_blocks(text: str) -> Iterator[_Block]:
    """The directive code blocks of a reStructuredText text: the indented lines after the directive
    (its ``:option:`` lines skipped), up to the first non-blank line indented no deeper than it."""
    for directive in _DIRECTIVE.finditer(text):
        indent = len(directive.group(1))
        language = _LANGUAGE_OF.get(directive.group(2).lower(), "other")
        position = directive.end() + 1
        start = end = position
        body_indent: int | None = None
        while position < len(text):
            line_end = text.find("\n", position)
            line_end = len(text) if line_end < 0 else line_end
            line = text[position:line_end]
            if line.strip():
                depth = len(line) - len(line.lstrip(" \t"))
                if depth <= indent:
                    break
                if body_indent is None and _OPTION.match(line):
                    start = line_end + 1
                else:
                    body_indent = depth if body_indent is None else min(body_indent, depth)
                    end = line_end
            elif body_indent is None:
                start = line_end + 1
            position = line_end + 1
        if body_indent is not None and end > start:
            yield _Block(text, language, body_indent, start, end)


class RstDetector(Detector):
    name = "rst"
    description = "reStructuredText documentation: code blocks, command lines, Hub links, prose (docs: false)"
    documentation = True

    def accepts(self, filename: str) -> bool:
        return file_kinds.rst(filename)

    def prefilter(self, text: str) -> bool:
        return free_text.worth_scanning(text) or hub_urls.has_marker(text)

    def detect(self, source: SourceFile) -> Iterable[Reference | Note]:
        return documentation_references(source, code_blocks(source.text), self.name)
