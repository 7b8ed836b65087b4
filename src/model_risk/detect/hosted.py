"""Hosted open weights: a model name used with a hosting provider's client, base URL or routing prefix
(OpenRouter, Together, Fireworks, Groq, Amazon Bedrock with its cross-Region prefixes, Google Vertex AI,
Azure AI Foundry, Cloudflare Workers AI, DeepInfra, the Hugging Face router's ``ID:provider``, LiteLLM's
prefixes). Each is reported as a ``hosted`` reference naming the provider, never as a Hub repo; a vendor's
own API model found there (``anthropic.claude-...`` on Bedrock) stays an ``api`` reference, with the
provider named. See :mod:`model_risk.detect.doors` and knowledge/data/hosting.yaml.
"""

from __future__ import annotations

from model_risk.detect.doors import DoorDetector


class HostedDetector(DoorDetector):
    name = "hosted"
    description = ("Open weights served by a hosting provider's API: OpenRouter, Together, Fireworks, Groq, "
                   "Bedrock, Vertex AI, Azure AI Foundry, Cloudflare Workers AI, DeepInfra, Hugging Face router")
    kinds = frozenset({"hosted"})
