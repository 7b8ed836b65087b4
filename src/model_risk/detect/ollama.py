"""Ollama: the models a project pulls and runs through Ollama (``ollama pull qwen2.5:7b``, a Modelfile's
``FROM qwen2.5:7b``, ``ollama.chat(model="qwen2.5-coder:7b")``, LangChain's ``ChatOllama``, LiteLLM's
``ollama/`` and ``ollama_chat/`` prefixes, an OpenAI client pointed at an Ollama server on port 11434,
compose files that pull models). Each is reported as an ``ollama`` reference; resolution ties the tag to the
published weights it packages (knowledge/data/ollama.yaml). See :mod:`model_risk.detect.doors`.
"""

from __future__ import annotations

from collections.abc import Iterable

from model_risk.contract.detector import Detector
from model_risk.contract.domain import Note, Reference
from model_risk.contract.source import SourceFile
from model_risk.detect import doors

_KINDS = frozenset({"ollama"})


class OllamaDetector(Detector):
    name = "ollama"
    description = ("Ollama: the CLI (pull, run), Modelfiles (FROM), the Python and JavaScript clients, LangChain "
                   "and LlamaIndex classes, LiteLLM's ollama/ prefixes, OpenAI clients on an Ollama server")

    def accepts(self, filename: str) -> bool:
        return doors.is_modelfile(filename) or doors.is_code_file(filename)

    def prefilter(self, text: str) -> bool:
        # A Modelfile needs no marker: its FROM is Ollama's by the file's name (checked in detect).
        return doors.wants(text, ("ollama",)) or "FROM" in text

    def detect(self, source: SourceFile) -> Iterable[Reference | Note]:
        modelfile = doors.is_modelfile(source.path.rsplit("/", 1)[-1])
        if not modelfile and not doors.wants(source.text, ("ollama",)):
            return
        yield from doors.references(source, self.name, _KINDS, modelfile=modelfile)
