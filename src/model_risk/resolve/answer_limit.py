"""A cap on the size of a Hub answer, applied inside the ``huggingface_hub`` client's own HTTP session.

A model's metadata is a few kilobytes (a few hundred with thousands of files). A hostile or broken Hub
could answer with gigabytes; ``model_info`` would read them all into memory before model-risk saw any.
The cap is checked against ``Content-Length`` before the body is read, and again while it streams (an
answer without a length, or one that lies), so no more than :data:`MAX_ANSWER_BYTES` is ever held.

``install`` also hooks a callback to every request the session sends (retries and list pages
included), which :mod:`model_risk.resolve.hub` counts.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

#: Largest Hub answer read; larger ones make the model unresolved with a reason.
MAX_ANSWER_BYTES = 4 * 1024 * 1024


class AnswerTooLarge(Exception):
    """The Hub's answer is larger than MAX_ANSWER_BYTES (raised inside the client; see hub_client._classify)."""


_installed = False
_lock = threading.Lock()


def install(on_request: Callable[[Any], None]) -> None:
    """Make the ``huggingface_hub`` session cap every answer and call ``on_request`` with every request
    (once per process; the session is shared)."""
    global _installed
    with _lock:
        if _installed:
            return
        from huggingface_hub import set_client_factory
        from huggingface_hub.utils._http import default_client_factory

        def bounded_client() -> Any:
            client = default_client_factory()
            hooks = dict(client.event_hooks)
            hooks["request"] = [*hooks.get("request", []), on_request]
            hooks["response"] = [*hooks.get("response", []), _limit]
            client.event_hooks = hooks
            return client

        set_client_factory(bounded_client)
        _installed = True


def _limit(response: Any) -> None:
    length = response.headers.get("Content-Length", "")
    if length.isdigit() and int(length) > MAX_ANSWER_BYTES:
        response.close()
        raise AnswerTooLarge(f"Content-Length {length}")
    response.stream = _bounded(response.stream)


class _Bounded:
    """The answer's byte stream, cut off past MAX_ANSWER_BYTES. Made a subclass of the client's own
    SyncByteStream class (httpx or httpx2, whichever huggingface_hub uses) when first needed."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __iter__(self) -> Iterator[bytes]:
        seen = 0
        for chunk in self.inner:
            seen += len(chunk)
            if seen > MAX_ANSWER_BYTES:
                self.close()
                raise AnswerTooLarge(f"more than {MAX_ANSWER_BYTES} bytes")
            yield chunk

    def close(self) -> None:
        close = getattr(self.inner, "close", None)
        if close is not None:
            close()


_bounded_classes: dict[type, type] = {}


def _bounded(inner: Any) -> Any:
    base = next((c for c in type(inner).__mro__ if c.__name__ == "SyncByteStream"), object)
    cls = _bounded_classes.get(base)
    if cls is None:
        cls = _bounded_classes.setdefault(base, type("BoundedStream", (_Bounded, base), {}))
    return cls(inner)
