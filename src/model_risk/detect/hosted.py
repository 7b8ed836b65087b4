"""Hosted open weights: a model name used with a hosting provider's client, base URL or routing prefix
(OpenRouter, Together, Fireworks, Groq, Amazon Bedrock with its cross-Region prefixes, Google Vertex AI,
Azure AI Foundry, Cloudflare Workers AI, DeepInfra, the Hugging Face router's ``ID:provider``, LiteLLM's
prefixes). Each is reported as a ``hosted`` reference naming the provider, never as a Hub repo; a vendor's
own API model found there (``anthropic.claude-...`` on Bedrock) stays an ``api`` reference, with the
provider named. See :mod:`model_risk.detect.doors` and knowledge/data/hosting.yaml.
"""

from __future__ import annotations

from collections.abc import Iterable

from model_risk.contract.detector import Detector
from model_risk.contract.domain import Note, Reference
from model_risk.contract.source import SourceFile
from model_risk.detect import doors

_KINDS = frozenset({"hosted"})


class HostedDetector(Detector):
    name = "hosted"
    description = ("Open weights served by a hosting provider's API: OpenRouter, Together, Fireworks, Groq, "
                   "Bedrock, Vertex AI, Azure AI Foundry, Cloudflare Workers AI, DeepInfra, Hugging Face router")

    def accepts(self, filename: str) -> bool:
        return doors.is_code_file(filename)

    def prefilter(self, text: str) -> bool:
        return doors.wants(text, ("hosted",))

    def detect(self, source: SourceFile) -> Iterable[Reference | Note]:
        yield from doors.references(source, self.name, _KINDS)
