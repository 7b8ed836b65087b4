"""Model references in Jupyter notebooks.

The code cells are read as one Python module, in order (a constant set in one cell is followed into the
cells below); ``!`` and ``%`` lines and ``%%bash`` cells are read as shell commands; links to the Hub
are found in all of them. Markdown cells and outputs are not read. References are reported at the line
of the ``.ipynb`` file where the id is written, so a ``# model-risk: ignore`` comment in the cell works.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from model_risk.contract.detector import Detector
from model_risk.contract.domain import Note, Reference
from model_risk.contract.source import SourceFile
from model_risk.detect import commands, file_kinds, free_text, hub_urls, prose, python_source, structured, text_search
from model_risk.detect.embedded import EmbeddedCode, Piece
from model_risk.detect.references import reference_to
from model_risk.detect.structured import LocatedStr

#: Strings of cell sources located in one notebook (each costs a few hundred bytes); the rest is noted.
MAX_LOCATED_LINES = 20_000
#: Strings of outputs read in one notebook (the first ones).
MAX_OUTPUT_LINES = 20_000
_SOURCE_KEYS = frozenset({("cells", "source"), ("cells", "input"), ("worksheets", "cells", "source"),
                          ("worksheets", "cells", "input")})
#: Output fields that hold text: a stream's ``text``, a result's ``text/plain`` or Markdown.
_OUTPUT_TEXT = ("text/plain", "text/markdown")
_OUTPUT_KEYS = frozenset({("cells", "outputs", "text"), *(("cells", "outputs", "data", kind) for kind in _OUTPUT_TEXT)})


def _code_strings(keys: tuple[str, ...]) -> str | None:
    """The strings the code cells are read from: every cell's source, located."""
    return "source" if keys in _SOURCE_KEYS else None


def _text_strings(keys: tuple[str, ...]) -> str | None:
    """Cell sources, and outputs (logs and results, sometimes megabytes of them: the first lines)."""
    return "source" if keys in _SOURCE_KEYS else "output" if keys in _OUTPUT_KEYS else None


_SHELL_CELLS = ("%%bash", "%%sh", "%%script bash", "%%script sh", "%%system")
#: Cell magics whose body is still Python.
_PYTHON_CELLS = ("%%time", "%%timeit", "%%capture", "%%prun", "%%memit")
_MAGIC_LINE = text_search.lazy(r"^[ \t]*[!%][^\n]*", re.MULTILINE)


def _blank(text: str) -> str:
    return "".join(c if c == "\n" else " " for c in text)


def _python_only(text: str) -> str:
    """Blank the IPython lines (``!cmd``, ``%magic``) so that the rest parses as Python."""
    return _MAGIC_LINE.sub(lambda m: " " * len(m.group()), text)


def _shell_only(text: str) -> str:
    """Keep only the IPython lines, with the ``!`` that marks a shell command blanked."""
    out = []
    for line in text.splitlines(keepends=True):
        stripped = line.lstrip(" \t")
        if stripped.startswith("!"):
            out.append(line.replace("!", " ", 1))
        elif stripped.startswith("%"):
            out.append(line)
        else:
            out.append(_blank(line))
    return "".join(out)


class _Cell:
    def __init__(self, pieces: list[Piece]) -> None:
        self.pieces = pieces
        self.text = "".join(p.text for p in pieces)
        first = self.text.lstrip().split("\n", 1)[0].strip()
        self.kind = "python"
        if first.startswith(_SHELL_CELLS):
            self.kind = "shell"
        elif first.startswith("%%writefile"):
            target = first.split()[-1] if len(first.split()) > 1 else ""
            self.kind = "python" if target.endswith(".py") else "shell" if target.endswith(".sh") else "other"
        elif first.startswith("%%") and not first.startswith(_PYTHON_CELLS):
            self.kind = "other"


def _cells(notebook: object, cell_type: str = "code") -> list[_Cell]:
    """The cells of one type, each as pieces of the notebook's text (nbformat 3 and 4)."""
    if not isinstance(notebook, dict):
        return []
    cells = notebook.get("cells")
    if cells is None:  # nbformat 3 kept cells in worksheets and code in "input"
        cells = [c for sheet in notebook.get("worksheets") or [] if isinstance(sheet, dict)
                 for c in sheet.get("cells") or []]
    found = []
    for cell in cells if isinstance(cells, list) else []:
        if not isinstance(cell, dict) or cell.get("cell_type") != cell_type:
            continue
        source = cell.get("source", cell.get("input"))
        parts = [source] if isinstance(source, str) else source if isinstance(source, list) else []
        pieces = [Piece(p, p.start + 1, p.end - 1) for p in parts if isinstance(p, LocatedStr)]
        if pieces:
            if not pieces[-1].text.endswith("\n"):  # the next cell starts on a line of its own
                pieces.append(Piece("\n", pieces[-1].end, pieces[-1].end))
            found.append(_Cell(pieces))
    return found


class NotebookDetector(Detector):
    name = "notebook"
    description = "Jupyter notebooks: code cells as Python, ! lines and %%bash cells as shell"

    def accepts(self, filename: str) -> bool:
        return file_kinds.notebook(filename)

    def detect(self, source: SourceFile) -> Iterable[Reference | Note]:
        import json

        try:
            if not (python_source.could_reference(source.text) or hub_urls.has_marker(source.text)
                    or "serve" in source.text or free_text.worth_scanning(source.text)):
                json.loads(source.text)  # a broken notebook is worth a note even when it names no model
                return
            notebook, clipped = structured.located_json(source.text, _code_strings, {"source": MAX_LOCATED_LINES})
        except ValueError as exc:
            yield Note(f"skipped: not a valid notebook (invalid JSON: {getattr(exc, 'msg', exc)})", source.path,
                       getattr(exc, "lineno", None))
            return
        except RecursionError:
            yield Note("skipped: notebook JSON nested too deeply", source.path)
            return
        if "source" in clipped:
            yield Note(f"read the first {MAX_LOCATED_LINES:,} lines of the notebook's cells only", source.path,
                       level="warning")
        cells = _cells(notebook)
        if not cells:
            return
        yield from self._python(source, [c for c in cells if c.kind == "python"])
        everything = EmbeddedCode(source, [p for c in cells if c.kind != "other" for p in c.pieces])
        shell_pieces = [Piece(_shell_only(p.text) if c.kind == "python" else p.text, p.start, p.end)
                        for c in cells if c.kind != "other" for p in c.pieces]
        yield from self._found(everything, commands.text_models(EmbeddedCode(source, shell_pieces).text))
        yield from self._found(everything, hub_urls.find_models(everything.text))
        # comments (commented alternatives: # model_id = "org/x") and strings with prose in them
        python = EmbeddedCode(source, [p for c in cells if c.kind == "python" for p in c.pieces])
        virtual = python.source()
        prose_found = free_text.references(virtual, prose.python_prose(virtual.text), self.name)
        yield from python.relocate(prose_found, virtual, self.name)

    def _python(self, source: SourceFile, cells: list[_Cell]) -> Iterator[Reference | Note]:
        """Parse the cells as one module; a cell with a syntax error is noted and left out."""
        excluded: set[int] = set()
        while True:
            pieces = [Piece(p.text if i not in excluded else _blank(p.text), p.start, p.end)
                      for i, c in enumerate(cells) for p in c.pieces]
            code = EmbeddedCode(source, pieces)
            virtual = code.source(_python_only)
            items = list(python_source.python_references(virtual, self.name))
            broken = next((n for n in items if isinstance(n, Note)), None)
            if broken is None or broken.line is None:
                yield from code.relocate(items, virtual, self.name)
                return
            cell = self._cell_at(cells, code.pieces[code.piece_at(virtual.line_offset(broken.line))])
            if cell in excluded:
                yield from code.relocate([broken], virtual, self.name)
                return
            excluded.add(cell)
            yield from code.relocate([broken], virtual, self.name)

    @staticmethod
    def _cell_at(cells: list[_Cell], piece: Piece) -> int:
        for i, cell in enumerate(cells):
            if any(p.start == piece.start for p in cell.pieces):
                return i
        return -1

    def _found(self, code: EmbeddedCode, found: Iterable[commands.Found]) -> Iterator[Reference]:
        virtual = code.source()
        references = (reference_to(virtual, f.offset, f.name, self.name, loader=f.loader, revision=f.revision,
                                   trust_remote_code=f.trust_remote_code, confidence=f.confidence) for f in found)
        yield from code.relocate(references, virtual, self.name)  # type: ignore[misc]


class NotebookDocsDetector(Detector):
    """Hub links in a notebook's Markdown cells: documentation, like a README."""

    name = "notebook-docs"
    description = "Hub links in notebook Markdown cells (turned off by docs: false)"
    documentation = True

    def accepts(self, filename: str) -> bool:
        return file_kinds.notebook(filename)

    def prefilter(self, text: str) -> bool:
        return hub_urls.has_marker(text) or free_text.worth_scanning(text)

    def detect(self, source: SourceFile) -> Iterable[Reference | Note]:
        try:
            notebook, _ = structured.located_json(source.text, _text_strings, {"source": MAX_LOCATED_LINES,
                                                                               "output": MAX_OUTPUT_LINES})
        except (ValueError, RecursionError):
            return  # the notebook detector says so
        for pieces in [c.pieces for c in _cells(notebook, "markdown")] + _outputs(notebook):
            code = EmbeddedCode(source, pieces)
            virtual = code.source()
            links = [reference_to(virtual, f.offset, f.name, self.name, loader=f.loader, revision=f.revision)
                     for f in hub_urls.find_models(virtual.text)]
            found = links + list(free_text.references(virtual, virtual.text, self.name, known=links))
            yield from code.relocate(found, virtual, self.name)


def _outputs(notebook: object) -> list[list[Piece]]:
    """The text of the code cells' outputs (printed logs, results), one list of pieces per output.
    Images, HTML and widget state are not read."""
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        return []
    found = []
    for cell in notebook["cells"]:
        outputs = cell.get("outputs") if isinstance(cell, dict) else None
        for output in outputs if isinstance(outputs, list) else []:
            if not isinstance(output, dict):
                continue
            data = output.get("data")
            texts = [output.get("text")]
            if isinstance(data, dict):
                texts += [data.get(kind) for kind in _OUTPUT_TEXT]
            for text in texts:
                parts = [text] if isinstance(text, str) else text if isinstance(text, list) else []
                pieces = [Piece(p, p.start + 1, p.end - 1) for p in parts if isinstance(p, LocatedStr)]
                if pieces:
                    if not pieces[-1].text.endswith("\n"):
                        pieces.append(Piece("\n", pieces[-1].end, pieces[-1].end))
                    found.append(pieces)
    return found
