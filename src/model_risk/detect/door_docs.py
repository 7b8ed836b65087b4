"""The doors to open weights in documentation (Markdown, reStructuredText): the Ollama, hosted and
ModelScope references of :mod:`model_risk.detect.doors` in READMEs and docs pages (``ollama run
qwen2.5:7b`` in a code block, an OpenRouter example). A detector of its own so that ``docs: false`` turns
it off with the other documentation detectors.
"""

from __future__ import annotations

from model_risk.detect import file_kinds
from model_risk.detect.doors import DoorDetector


class DoorDocsDetector(DoorDetector):
    name = "door-docs"
    description = "Ollama, hosted and ModelScope models in Markdown and reStructuredText"
    documentation = True
    kinds = frozenset({"ollama", "hosted", "modelscope"})

    def accepts(self, filename: str) -> bool:
        return file_kinds.door_document(filename)
