"""Model references in shell scripts, Dockerfiles, Makefiles and ``.env`` files.

The text is split into commands the way a shell would (see :mod:`model_risk.detect.commands`);
Dockerfile ``CMD``/``ENTRYPOINT``/``RUN`` in exec form (a JSON array) and Makefile variable assignments
(``MODEL ?= org/name``) are read in their own syntax.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from model_risk.contract.detector import Detector
from model_risk.contract.domain import Note, Reference
from model_risk.contract.source import SourceFile
from model_risk.detect import commands, file_kinds, free_text, model_names, prose, python_source, text_search
from model_risk.detect.commands import Found
from model_risk.detect.embedded import EmbeddedCode, Piece
from model_risk.detect.references import reference_to

_EXEC_FORM = text_search.lazy(r"^[ \t]{0,40}(?:CMD|ENTRYPOINT|RUN)[ \t]{1,40}(\[[^\n]{0,8000}\])[ \t]*\r?$",
                        re.MULTILINE | re.IGNORECASE)
_MAKE_ASSIGNMENT = text_search.lazy(r"^([A-Za-z_][\w.]{0,63})[ \t]{0,40}(?:\?|:{1,3}|\+|!)?=[ \t]{0,40}([^\s#]{1,250})",
                              re.MULTILINE)


def is_makefile(filename: str) -> bool:
    return filename in ("Makefile", "GNUmakefile", "makefile") or filename.endswith(".mk")


def _blank(match: re.Match[str], group: int) -> str:
    """The match with one group replaced by spaces, so that offsets stay where they were."""
    whole = match.group()
    start, end = match.start(group) - match.start(), match.end(group) - match.start()
    return whole[:start] + " " * (end - start) + whole[end:]


def script_models(text: str, filename: str = "") -> Iterator[Found]:
    """Models named in a script's text: exec-form instructions, Make assignments, then shell commands.

    Text read in its own syntax is blanked before the shell reading, which would see only punctuation
    (``["--model",``) or read it a second time.
    """
    for match in _EXEC_FORM.finditer(text):
        yield from commands.command_models(commands.json_string_words(match.group(1), match.start(1)))
    shell_text = _EXEC_FORM.sub(lambda m: _blank(m, 1), text)
    if is_makefile(filename):
        for match in _MAKE_ASSIGNMENT.finditer(text):
            value, shift = commands.expand_default(match.group(2))
            for name in model_names.under_key((match.group(1),), value):
                yield Found(match.start(2) + shift, name)
        shell_text = _MAKE_ASSIGNMENT.sub(lambda m: _blank(m, 0), shell_text)
    yield from commands.text_models(shell_text)


class ShellDetector(Detector):
    name = "shell"
    description = "shell scripts, Dockerfiles, Makefiles, Procfiles and .env files: --model ID, vllm serve ID, MODEL=ID"

    def accepts(self, filename: str) -> bool:
        return file_kinds.shell(filename)

    def detect(self, source: SourceFile) -> Iterable[Reference | Note]:
        filename = source.path.rsplit("/", 1)[-1]
        for found in script_models(source.text, filename):
            yield reference_to(source, found.offset, found.name, self.name, loader=found.loader,
                               revision=found.revision, trust_remote_code=found.trust_remote_code, confidence=found.confidence)
        if " -c " in source.text:
            yield from self._inline_python(source)
        if "#" in source.text:  # commented alternatives: # MODEL=org/x, # vllm serve org/x
            yield from free_text.references(source, prose.hash_comments(source.text), self.name)

    def _inline_python(self, source: SourceFile) -> Iterator[Reference]:
        """``python -c "from huggingface_hub import snapshot_download; snapshot_download('org/x')"``"""
        for words in commands.split_commands(source.text):
            for program, flag, code in zip(words, words[1:], words[2:]):
                if program.text.rsplit("/", 1)[-1].startswith("python") and flag.text == "-c":
                    embedded = EmbeddedCode(source, [Piece(code.text, code.offset, code.offset + len(code.raw))])
                    virtual = embedded.source()
                    items = python_source.python_references(virtual, self.name)
                    yield from (r for r in embedded.relocate(items, virtual, self.name) if isinstance(r, Reference))
