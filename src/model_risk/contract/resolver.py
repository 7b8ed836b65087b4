"""Resolvers: a model id (and revision) in, :class:`~model_risk.contract.domain.ModelFacts` out.

Resolvers are plugins implementing the ``resolve_model`` hook; the first answer wins, and the Hub resolver
answers last. Before any of them, the resolve runner asks its stores (model-risk.lock, then the cache).
This module holds what resolvers share: the request, the context, and the Hub settings.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

DEFAULT_ENDPOINT = "https://huggingface.co"


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
    #: Lookups a scan may send to verify candidates (references below ``certain`` that neither the
    #: lockfile nor the cache answers); the rest are reported unverified.
    verify_limit: int = 300

    @property
    def public_endpoint(self) -> str:
        """The endpoint without credentials (``https://user:pass@host`` gives ``https://host``): the only
        form that may reach a cache entry, the lockfile, a report or a message."""
        return redact_url(self.endpoint)

    def endpoint_problem(self) -> str | None:
        """Why ``endpoint`` cannot be a Hub URL, or None. Checked before any lookup, so that a typo in
        HF_ENDPOINT is one clear error rather than every model unresolved."""
        try:
            parts = urlsplit(self.endpoint)
            parts.port  # noqa: B018 (raises on a bad port)
        except ValueError as exc:
            return f"HF_ENDPOINT is not a valid URL ({exc}): {self.public_endpoint!r}"
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return f"HF_ENDPOINT must be an http:// or https:// URL: {self.public_endpoint!r}"
        return None


def redact_url(url: str) -> str:
    """``url`` without the ``user:password@`` part, if it has one."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url.split("@")[-1] if "@" in url else url
    authority, slash, path = rest.partition("/")
    return f"{scheme}://{authority.rsplit('@', 1)[-1]}{slash}{path}"


class VendorDirectory(Protocol):
    """Who is behind a Hub organisation, as resolvers may ask it (model-risk's vendor table, with the
    user's additions, implements it)."""

    def vendor_of(self, model_id: str) -> tuple[str | None, str | None]:
        """(vendor, country) of a repo id ``ORG/NAME``; an organisation nobody lists is its own vendor."""
        ...

    def country_of(self, vendor_name: str | None) -> str | None:
        """The country of a vendor by name, when known."""
        ...

    def is_redistributor(self, model_id: str) -> bool:
        """Whether the repo's organisation re-uploads other vendors' weights (quantisers, mirrors)."""
        ...


@dataclass(frozen=True)
class ResolveContext:
    offline: bool
    vendors: VendorDirectory
    hub: HubSettings = field(default_factory=HubSettings)
    root: Path | None = None
    #: Per-scan scratch space for resolver plugins (connection state, counters), keyed by plugin.
    stash: dict[str, object] = field(default_factory=dict, compare=False, hash=False)
