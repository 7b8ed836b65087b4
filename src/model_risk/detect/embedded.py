"""Code embedded in another file: notebook cells, Markdown code blocks.

The code is put together from *pieces* of the host file (a JSON string of a notebook cell, one line of
a code block without its indentation or prompt), handed to the detectors of its language as a file of
its own, and every reference found is moved back to where its id is written in the host file.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from model_risk.contract.domain import Note, Reference
from model_risk.contract.source import SourceFile
from model_risk.detect.structured import nth_offset


@dataclass(frozen=True, slots=True)
class Piece:
    """Decoded ``text`` whose source text in the host file spans ``start:end``."""

    text: str
    start: int
    end: int


class EmbeddedCode:
    """Pieces of a host file read as one piece of code."""

    def __init__(self, host: SourceFile, pieces: Sequence[Piece]) -> None:
        self.host = host
        self.pieces = list(pieces)
        self._starts: list[int] = []
        position = 0
        for piece in self.pieces:
            self._starts.append(position)
            position += len(piece.text)

    @property
    def text(self) -> str:
        return "".join(piece.text for piece in self.pieces)

    def source(self, transform: Callable[[str], str] | None = None) -> SourceFile:
        """The code as a file of its own. ``transform`` may rewrite each piece without changing its
        length (blanking notebook magics so that Python can parse the rest)."""
        texts = (transform(p.text) if transform else p.text for p in self.pieces)
        return SourceFile(self.host.path, "".join(texts))

    def piece_at(self, offset: int) -> int:
        return max(bisect.bisect_right(self._starts, offset) - 1, 0)

    def host_offset(self, offset: int, needle: str) -> int:
        """The host offset of ``needle``, found at ``offset`` of the embedded code."""
        index = self.piece_at(offset)
        piece = self.pieces[index]
        raw = self.host.text[piece.start:piece.end]
        return piece.start + nth_offset(raw, piece.text, offset - self._starts[index], needle)

    def host_line(self, line: int | None, code: SourceFile) -> int | None:
        """The host line of a 1-based line of ``code`` (a file made by :meth:`source`)."""
        if line is None or not self.pieces:
            return None
        piece = self.pieces[self.piece_at(code.line_offset(line))]
        return self.host.position(piece.start)[0]

    def relocate(self, items: Iterable[Reference | Note], code: SourceFile, detector: str
                 ) -> Iterator[Reference | Note]:
        """References and notes found in ``code``, moved to the host file and credited to ``detector``."""
        for item in items:
            if isinstance(item, Note):
                yield dataclasses.replace(item, line=self.host_line(item.line, code))
                continue
            offset = code.line_offset(item.line) + item.column - 1
            line, column = self.host.position(self.host_offset(offset, item.model))
            yield dataclasses.replace(item, line=line, column=column, detector=detector)
