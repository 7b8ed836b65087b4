"""Resolvers: a model id (and revision) in, :class:`~model_risk.domain.ModelFacts` out.

Resolvers are plugins implementing the ``resolve_model`` hook; the first answer wins. Built-in order:
lockfile, cache, Hub. This module holds what they share: the request, the context, and the Hub settings.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from model_risk import hub_ids
from model_risk.vendors import VendorTable

if TYPE_CHECKING:
    from model_risk.lockfile import Lockfile
    from model_risk.resolvers.cache import ModelCache

DEFAULT_ENDPOINT = "https://huggingface.co"

#: Model cards and users sometimes give a model as a link rather than an id.
_HUB_LINK = re.compile(r"^https?://(?:www\.)?huggingface\.co/(?P<path>[^?#]+)", re.IGNORECASE)


def repo_id_from(value: object) -> str | None:
    """A Hub repo id from an id or a huggingface.co link; None for what cannot be one (a local path)."""
    text = str(value or "").strip()
    link = _HUB_LINK.match(text)
    if link:  # https://huggingface.co/Qwen/Qwen2.5-7B/tree/main -> Qwen/Qwen2.5-7B
        text = "/".join(link.group("path").strip("/").split("/")[:2])
    if hub_ids.is_repo_id(text) or hub_ids.LEGACY_ID.fullmatch(text):
        return text
    return None


@dataclass(frozen=True, slots=True)
class ModelRequest:
    """One lookup: a repo id as the code names it (after short-name completion) and a revision."""

    model_id: str
    revision: str | None = None

    def __str__(self) -> str:
        return f"{self.model_id}@{self.revision}" if self.revision else self.model_id


@dataclass(frozen=True)
class HubSettings:
    """How to talk to the Hub. ``endpoint`` defaults to ``HF_ENDPOINT``, then huggingface.co."""

    endpoint: str = field(default_factory=lambda: os.environ.get("HF_ENDPOINT", DEFAULT_ENDPOINT).rstrip("/"))
    #: Seconds to wait for a connection or a response, per request.
    timeout: float = 10.0
    #: Retries after a 429, a 5xx, a timeout or a network error (so at most ``retries + 1`` requests).
    retries: int = 3
    #: First backoff in seconds; doubles on each retry unless the Hub sends ``Retry-After``.
    backoff: float = 0.5
    #: Longest single wait, including a ``Retry-After`` the Hub asks for.
    max_wait: float = 30.0
    #: Concurrent Hub lookups.
    concurrency: int = 32
    #: Seconds a cached answer stays fresh: resolved models, then missing ones.
    cache_ttl: float = 24 * 3600
    negative_cache_ttl: float = 3600
    #: Seconds after which lookups still waiting are given up (a Hub that hangs).
    deadline: float = 120.0

    def endpoint_problem(self) -> str | None:
        """Why ``endpoint`` cannot be a Hub URL, or None. Checked before any lookup, so that a typo in
        HF_ENDPOINT is one clear error rather than every model unresolved."""
        try:
            parts = urlsplit(self.endpoint)
            parts.port  # noqa: B018 (raises on a bad port)
        except ValueError as exc:
            return f"HF_ENDPOINT is not a valid URL ({exc}): {self.endpoint!r}"
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return f"HF_ENDPOINT must be an http:// or https:// URL: {self.endpoint!r}"
        return None


@dataclass(frozen=True)
class ResolveContext:
    offline: bool
    vendors: VendorTable
    hub: HubSettings = field(default_factory=HubSettings)
    lockfile: Lockfile | None = None
    cache: ModelCache | None = None
    root: Path | None = None
    #: Per-scan scratch space for resolver plugins (connection state, counters), keyed by plugin.
    stash: dict[str, object] = field(default_factory=dict, compare=False, hash=False)
