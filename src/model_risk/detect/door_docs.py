"""The doors to open weights in documentation (Markdown, reStructuredText): the Ollama, hosted and
ModelScope references of :mod:`model_risk.detect.doors` in READMEs and docs pages (``ollama run
qwen2.5:7b`` in a code block, an OpenRouter example). A detector of its own so that ``docs: false`` turns
it off with the other documentation detectors.
"""

from __future__ import annotations

from collections.abc import Iterable

from model_risk.contract.detector import Detector
from model_risk.contract.domain import Note, Reference
from model_risk.contract.source import SourceFile
from model_risk.detect import doors

_KINDS = frozenset({"ollama", "hosted", "modelscope"})


class DoorDocsDetector(Detector):
    name = "door-docs"
    description = "Ollama, hosted and ModelScope models in Markdown and reStructuredText"
    documentation = True

    def accepts(self, filename: str) -> bool:
        return filename.endswith(doors.DOC_SUFFIXES)

    def prefilter(self, text: str) -> bool:
        return doors.wants(text, tuple(_KINDS))

    def detect(self, source: SourceFile) -> Iterable[Reference | Note]:
        yield from doors.references(source, self.name, _KINDS)
