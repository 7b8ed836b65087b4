"""Model references in Markdown documentation: Hub links, and code blocks read in their language.

A fenced block is handed to the detector of its language (Python, shell, YAML, JSON, TOML,
JavaScript/TypeScript, Dockerfile) as if it were a file of its own, without its indentation and
without prompts (``>>>``, ``$``); references are reported where the id is written in the Markdown file.
Snippets in documentation are often incomplete, so a block that does not parse is skipped without a
note. This is a documentation detector: ``docs: false`` in the config turns it off.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from model_risk.detectors import (
    Detector, config_files, hub_urls, javascript, python_source, reference_to, shell,
)
from model_risk.detectors.embedded import EmbeddedCode, Piece
from model_risk.domain import Note, Reference
from model_risk.hookspecs import hookimpl
from model_risk.source import SourceFile

_FENCE = re.compile(r"([ \t]{0,40})(`{3,}|~{3,})[ \t]*([^\s`{]*)")
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
    def __init__(self, language: str, indent: int) -> None:
        self.language = language
        self.indent = indent
        #: (offset of the line in the host, the line without its line ending)
        self.lines: list[tuple[int, str]] = []


def code_blocks(text: str) -> Iterator[_Block]:
    """Fenced code blocks in a Markdown text, with the language their info string names."""
    block: _Block | None = None
    fence = ""
    offset = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        if block is None:
            match = _FENCE.match(body)
            if match is not None:
                language = _LANGUAGE_OF.get(match.group(3).lower(), "other")
                block = _Block(language, len(match.group(1)))
                fence = match.group(2)
        elif body.strip().startswith(fence[0] * len(fence)) and not body.strip().strip(fence[0]):
            yield block
            block = None
        else:
            block.lines.append((offset, body))
        offset += len(line)
    if block is not None:  # an unclosed fence runs to the end of the document
        yield block


def _pieces(block: _Block) -> list[Piece]:
    """The block's lines without indentation and prompts; console output lines are left out."""
    prompts = _PROMPTS.get(block.language, ())
    prompted = any(body.lstrip().startswith(prompts) for _, body in block.lines) if prompts else False
    pieces = []
    for offset, body in block.lines:
        cut = min(len(body) - len(body.lstrip(" \t")), block.indent)
        rest = body[cut:]
        if prompted:
            prompt = next((p for p in prompts if rest.startswith(p)), None)
            if prompt is None:
                continue  # output printed by the previous command
            cut += len(prompt)
            rest = rest[len(prompt):]
        pieces.append(Piece(rest + "\n", offset + cut, offset + len(body)))
    return pieces


class MarkdownDetector(Detector):
    name = "markdown"
    description = "Markdown documentation: Hub links and code blocks (turned off by docs: false)"
    documentation = True

    def accepts(self, filename: str) -> bool:
        return filename.endswith((".md", ".mdx", ".markdown"))

    def prefilter(self, text: str) -> bool:
        if hub_urls.has_marker(text):
            return True
        return ("```" in text or "~~~" in text) and (
            python_source.could_reference(text) or config_files.could_name_models(text))

    def detect(self, source: SourceFile) -> Iterable[Reference | Note]:
        for found in hub_urls.find_models(source.text):
            yield reference_to(source, found.offset, found.name, self.name, loader=found.loader,
                               revision=found.revision)
        if "```" not in source.text and "~~~" not in source.text:
            return
        for block in code_blocks(source.text):
            if block.language == "other" or not block.lines:
                continue
            code = EmbeddedCode(source, _pieces(block))
            virtual = code.source()
            yield from code.relocate(self._block_references(block.language, virtual), virtual, self.name)

    @staticmethod
    def _block_references(language: str, virtual: SourceFile) -> Iterator[Reference]:
        items: Iterable[Reference | Note] = ()
        if language == "python":
            if python_source.could_reference(virtual.text):
                items = python_source.python_references(virtual, "markdown")
        elif language in ("shell", "dockerfile"):
            filename = "Dockerfile" if language == "dockerfile" else ""
            items = (reference_to(virtual, f.offset, f.name, "markdown", loader=f.loader, revision=f.revision,
                                  trust_remote_code=f.trust_remote_code)
                     for f in shell.script_models(virtual.text, filename))
        elif _DETECTORS[language].prefilter(virtual.text):
            items = _DETECTORS[language].detect(virtual)
        yield from (item for item in items if isinstance(item, Reference))


@hookimpl
def register_detectors(register) -> None:  # type: ignore[no-untyped-def]
    register(MarkdownDetector())
