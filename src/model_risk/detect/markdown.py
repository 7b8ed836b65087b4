"""Model references in Markdown documentation: Hub links, code blocks read in their language, prose.

A fenced block is handed to the detector of its language (Python, shell, YAML, JSON, TOML,
JavaScript/TypeScript, Dockerfile) as if it were a file of its own, without its indentation and
without prompts (``>>>``, ``$``); references are reported where the id is written in the Markdown file.
Then every line, prose, inline code and blocks in other languages included, is read as free text
(:mod:`model_risk.detectors.free_text`). Snippets in documentation are often incomplete: a Python block
that does not parse gets an info note and is read line by line as text. This is a documentation
detector: ``docs: false`` in the config turns it off.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from model_risk.contract.detector import Detector
from model_risk.contract.domain import Note, Reference
from model_risk.contract.source import SourceFile
from model_risk.detect import (
    config_files,
    file_kinds,
    free_text,
    hub_urls,
    javascript,
    python_source,
    shell,
    text_search,
)
from model_risk.detect.embedded import EmbeddedCode, Piece
from model_risk.detect.references import reference_to

_FENCE = text_search.lazy(r"^([ \t]{0,40})(`{3,}|~{3,})([^\n]*)$", re.MULTILINE)
_LANGUAGES: dict[str, tuple[str, ...]] = {
    "python": ("python", "py", "python3", "ipython", "pycon", "ipython3"),
    "shell": ("", "bash", "sh", "shell", "zsh", "console", "shell-session", "shellsession", "terminal",
              "dotenv", "env", "make", "makefile"),
    "dockerfile": ("dockerfile", "docker", "containerfile"),
    "yaml": ("yaml", "yml"),
    "json": ("json", "jsonc", "json5"),
    "toml": ("toml",),
    "javascript": ("js", "javascript", "mjs", "cjs", "jsx", "ts", "typescript", "tsx"),
}
_LANGUAGE_OF = {alias: language for language, aliases in _LANGUAGES.items() for alias in aliases}
_PROMPTS = {"python": (">>> ", "... ", ">>>", "..."), "shell": ("$ ",)}
_DETECTORS = {
    "yaml": config_files.YamlDetector(), "json": config_files.JsonDetector(),
    "toml": config_files.TomlDetector(), "javascript": javascript.JavaScriptDetector(),
}


class _Block:
    """A fenced code block: its language, its fence's indentation, and where its body is."""

    def __init__(self, text: str, language: str, indent: int, start: int, end: int) -> None:
        self.language = language
        self.indent = indent
        self.body = text[start:end]
        self.start = start

    @property
    def lines(self) -> Iterator[tuple[int, str]]:
        """(host offset of the line, the line without its ending)"""
        offset = self.start
        for line in self.body.splitlines(keepends=True):
            yield offset, line.rstrip("\r\n")
            offset += len(line)


def code_blocks(text: str) -> Iterator[_Block]:
    """Fenced code blocks in a Markdown text, with the language their info string names."""
    opened: re.Match[str] | None = None
    for fence in _FENCE.finditer(text):
        if opened is None:
            opened = fence
            continue
        marker = opened.group(2)
        if fence.group(2).startswith(marker[0] * len(marker)) and not fence.group(3).strip():
            info = opened.group(3).strip().split(maxsplit=1)
            language = _LANGUAGE_OF.get(info[0].lower().strip("{}.") if info else "", "other")
            yield _Block(text, language, len(opened.group(1)), opened.end() + 1, fence.start())
            opened = None
    if opened is not None:  # an unclosed fence runs to the end of the document
        info = opened.group(3).strip().split(maxsplit=1)
        yield _Block(text, _LANGUAGE_OF.get(info[0].lower() if info else "", "other"), len(opened.group(1)),
                     min(opened.end() + 1, len(text)), len(text))


def _pieces(block: _Block) -> list[Piece]:
    """The block's lines without indentation and prompts; console output lines are left out."""
    prompts = _PROMPTS.get(block.language, ())
    prompted = any(body.lstrip().startswith(prompts) for _, body in block.lines) if prompts else False
    pieces = []
    continued = False
    for offset, body in block.lines:
        cut = min(len(body) - len(body.lstrip(" \t")), block.indent)
        rest = body[cut:]
        if prompted and not continued:
            prompt = next((p for p in prompts if rest.startswith(p)), None)
            if prompt is None:
                continue  # output printed by the previous command
            cut += len(prompt)
            rest = rest[len(prompt):]
        continued = rest.endswith("\\")  # a command continued on the next line has no prompt there
        pieces.append(Piece(rest + "\n", offset + cut, offset + len(body)))
    return pieces


def _worth_reading(block: _Block) -> bool:
    """The cheap test of the block's own language, before it is cut into pieces and parsed."""
    if block.language == "other" or not block.body.strip():
        return False
    if block.language in ("python", "javascript"):
        return python_source.could_reference(block.body)
    return config_files.could_name_models(block.body)


class MarkdownDetector(Detector):
    name = "markdown"
    description = "Markdown documentation: Hub links and code blocks (turned off by docs: false)"
    documentation = True

    def accepts(self, filename: str) -> bool:
        return file_kinds.markdown(filename)

    def prefilter(self, text: str) -> bool:
        return free_text.worth_scanning(text) or hub_urls.has_marker(text)

    def detect(self, source: SourceFile) -> Iterable[Reference | Note]:
        return documentation_references(source, code_blocks(source.text), self.name)

    @staticmethod
    def _block_references(language: str, virtual: SourceFile) -> Iterator[Reference | Note]:
        items: Iterable[Reference | Note] = ()
        if language == "python":
            items = python_source.python_references(virtual, "markdown")
        elif language in ("shell", "dockerfile"):
            filename = "Dockerfile" if language == "dockerfile" else ""
            items = (reference_to(virtual, f.offset, f.name, "markdown", loader=f.loader, revision=f.revision,
                                  trust_remote_code=f.trust_remote_code, confidence=f.confidence)
                     for f in shell.script_models(virtual.text, filename))
        else:
            items = _DETECTORS[language].detect(virtual)
        yield from items


def documentation_references(source: SourceFile, blocks: Iterable[_Block], detector: str
                             ) -> Iterator[Reference | Note]:
    """A documentation file: Hub links, code blocks read in their language, then every line as free
    text (prose, inline code, blocks in other languages, and the lines of blocks that did not parse)."""
    found: list[Reference] = []
    for url in hub_urls.find_models(source.text):
        found.append(reference_to(source, url.offset, url.name, detector, loader=url.loader,
                                  revision=url.revision))
    for block in blocks:
        if _worth_reading(block):
            yield from read_block(source, block, _pieces(block), detector, found)
    yield from found
    yield from free_text.references(source, source.text, detector, known=found)


def read_block(source: SourceFile, block: _Block, pieces: list[Piece], detector: str,
               found: list[Reference]) -> Iterator[Note]:
    """Read a code block in its language: references go to ``found``; a Python block that does not
    parse is noted (its lines are still read as text by the caller)."""
    code = EmbeddedCode(source, pieces)
    virtual = code.source()
    items = code.relocate(MarkdownDetector._block_references(block.language, virtual), virtual, detector)
    for item in items:
        if isinstance(item, Reference):
            found.append(item)
        elif block.language == "python" and item.line is not None:
            yield Note("Python code block does not parse; its lines were read as text", source.path,
                       item.line, level="info")
