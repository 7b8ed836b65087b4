"""Candidate replacements from the Hub: ``HfApi.list_models`` with the target's task, library and size.

One query per target: ``pipeline_tag`` and the library as a filter, ``num_parameters`` around the target's
size, only models without gating, sorted by downloads, with the properties the selection needs
(``expand``: downloads, safetensors, cardData, tags ...). The answer is stored in the cache directory like
other Hub facts (``lists/``), so a second scan within ``cache_ttl`` and an offline scan reuse it.
``model_info(expand=["safetensors", "gguf"])`` gives the size of a target whose facts do not carry one.

Hub faults raise :class:`CandidatesUnavailable` with a one-line reason; the caller turns it into a note.
Nothing here decides what qualifies: see :mod:`model_risk.evaluate.alternatives`.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from model_risk.common.fileio import atomic_write
from model_risk.contract.resolver import ResolveContext
from model_risk.resolve import hub_client

#: Candidates asked for per query: enough for three to survive the license, size and vendor checks in
#: a popular task, small enough for one page.
POOL = 50
#: What the selection reads from each listed model.
EXPAND = ["downloads", "safetensors", "cardData", "tags", "gated", "library_name", "pipeline_tag", "disabled"]
CACHE_VERSION = 1


class CandidatesUnavailable(Exception):
    """The Hub could not be asked (offline with nothing cached, or a fault); ``str()`` says why."""


@dataclass(frozen=True)
class Query:
    pipeline_tag: str
    library_name: str | None
    #: ``num_parameters`` bounds, or None when the target's size is unknown.
    min_parameters: int | None = None
    max_parameters: int | None = None

    def list_arguments(self) -> dict[str, Any]:
        arguments: dict[str, Any] = {"pipeline_tag": self.pipeline_tag, "gated": False, "sort": "downloads",
                                     "limit": POOL, "expand": EXPAND}
        if self.library_name:
            arguments["filter"] = [self.library_name]
        if self.min_parameters is not None and self.max_parameters is not None:
            arguments["num_parameters"] = f"min:{self.min_parameters},max:{self.max_parameters}"
        return arguments


@dataclass(frozen=True)
class Candidate:
    """What the Hub says about one listed model (JSON-able, for the cache)."""

    id: str
    downloads: int | None
    parameters: int | None
    license_id: str | list[str] | None
    license_name: str | None
    base_models: tuple[str, ...]
    base_relation: str | None
    library_name: str | None
    pipeline_tag: str | None
    gated: bool | str

    @classmethod
    def from_info(cls, info: Any) -> Candidate:
        card_data = getattr(info, "card_data", None)
        card: dict[str, Any] = card_data.to_dict() if card_data is not None else {}
        tags = [str(t) for t in (getattr(info, "tags", None) or [])]
        declared = card.get("license")
        if not declared:
            declared = next((t.split(":", 1)[1] for t in tags if t.startswith("license:")), None)
        bases, relation = hub_client._base_models(card, tags, {str(info.id).lower()})
        safetensors = getattr(info, "safetensors", None)
        return cls(id=str(info.id), downloads=hub_client._count(getattr(info, "downloads", None)),
                   parameters=hub_client._count(getattr(safetensors, "total", None)),
                   license_id=declared if isinstance(declared, (str, list)) else None,
                   license_name=hub_client._text(card.get("license_name")), base_models=tuple(bases),
                   base_relation=relation, library_name=hub_client._text(getattr(info, "library_name", None)),
                   pipeline_tag=hub_client._text(getattr(info, "pipeline_tag", None)),
                   gated=getattr(info, "gated", False) or False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Candidate:
        return cls(**{**data, "base_models": tuple(data.get("base_models") or ())})


class ListCache:
    """Answers of the list endpoint (one JSON file per query, ``lists/``) and of size lookups (``sizes/``),
    fresh for ``ttl`` seconds; a size the Hub does not know for ``negative_ttl``, like a model it does not
    have. Within one run, :class:`CandidateLookups` answers a repeated question from memory."""

    def __init__(self, directory: Path, ttl: float, negative_ttl: float | None = None) -> None:
        self.directory = Path(directory) / "lists"
        self.sizes = Path(directory) / "sizes"
        self.ttl = ttl
        self.negative_ttl = ttl if negative_ttl is None else negative_ttl

    def _path(self, endpoint: str, query: Query) -> Path:
        key = json.dumps([endpoint, asdict(query), POOL], sort_keys=True)
        return self.directory / f"{hashlib.sha256(key.encode()).hexdigest()}.json"

    def _size_path(self, endpoint: str, model_id: str) -> Path:
        key = json.dumps([endpoint, model_id.lower()])
        return self.sizes / f"{hashlib.sha256(key.encode()).hexdigest()}.json"

    def _read(self, path: Path) -> dict[str, Any] | None:
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return entry if isinstance(entry, dict) and entry.get("version") == CACHE_VERSION else None

    def _fresh(self, entry: dict[str, Any], ttl: float, any_age: bool) -> bool:
        try:
            return any_age or 0 <= time.time() - float(entry["fetched_at"]) <= ttl
        except (KeyError, TypeError, ValueError):
            return False

    def _write(self, path: Path, entry: dict[str, Any]) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, json.dumps(entry, sort_keys=True), durable=False)
        except OSError:
            pass  # a read-only cache slows the next run down; it must not fail this one

    def get(self, endpoint: str, query: Query, *, any_age: bool = False) -> list[Candidate] | None:
        entry = self._read(self._path(endpoint, query))
        if entry is None or not self._fresh(entry, self.ttl, any_age):
            return None
        try:
            return [Candidate.from_json(c) for c in entry["candidates"]]
        except (KeyError, TypeError):
            return None

    def put(self, endpoint: str, query: Query, candidates: list[Candidate]) -> None:
        self._write(self._path(endpoint, query), {
            "version": CACHE_VERSION, "fetched_at": time.time(), "endpoint": endpoint, "query": asdict(query),
            "candidates": [asdict(c) for c in candidates]})

    def get_size(self, endpoint: str, model_id: str, *, any_age: bool = False) -> tuple[bool, int | None]:
        """(known, parameters): whether an answer is cached, and the size it gave (None: the Hub has none)."""
        entry = self._read(self._size_path(endpoint, model_id))
        if entry is None:
            return False, None
        size = entry.get("parameters")
        if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size <= 0):
            return False, None
        if not self._fresh(entry, self.ttl if size is not None else self.negative_ttl, any_age):
            return False, None
        return True, size

    def put_size(self, endpoint: str, model_id: str, parameters: int | None) -> None:
        self._write(self._size_path(endpoint, model_id), {
            "version": CACHE_VERSION, "fetched_at": time.time(), "endpoint": endpoint, "model": model_id,
            "parameters": parameters})


class CandidateLookups:
    """The list and size lookups of one run: each distinct question is asked once (a second asker waits
    for the first one's answer), through the cache (when given), then the Hub."""

    def __init__(self, context: ResolveContext, cache: ListCache | None, *, timeout: float) -> None:
        self.context = context
        self.cache = cache
        self.timeout = timeout
        self._lock = threading.Lock()
        self._pending: dict[object, threading.Lock] = {}
        self._answers: dict[object, Any] = {}

    def _once(self, key: object, ask: Any) -> Any:
        with self._lock:
            gate = self._pending.setdefault(key, threading.Lock())
        with gate:
            if key not in self._answers:
                try:
                    self._answers[key] = ask()
                except CandidatesUnavailable as exc:
                    self._answers[key] = exc
        answer = self._answers[key]
        if isinstance(answer, CandidatesUnavailable):
            raise answer
        return answer

    def candidates(self, query: Query) -> list[Candidate]:
        return self._once(("list", query),
                          lambda: list_candidates(query, self.context, self.cache, timeout=self.timeout))

    def size(self, model_id: str) -> int | None:
        return self._once(("size", model_id.lower()), lambda: self._size(model_id))

    def _size(self, model_id: str) -> int | None:
        endpoint = self.context.hub.public_endpoint
        if self.cache is not None:
            known, size = self.cache.get_size(endpoint, model_id, any_age=self.context.offline)
            if known:
                return size
        size = parameters_of(model_id, self.context, timeout=self.timeout)
        if self.cache is not None and not self.context.offline:
            self.cache.put_size(endpoint, model_id, size)
        return size


def _within(deadline: float, call: Any) -> Any:
    try:
        return hub_client.within(deadline, call, "model-risk-alternatives")
    except hub_client.NoAnswerInTime:
        raise CandidatesUnavailable("the Hub did not answer in time") from None


def list_candidates(query: Query, context: ResolveContext, cache: ListCache | None, *, timeout: float
                    ) -> list[Candidate]:
    """Listed models for ``query``, most downloaded first: from the cache when fresh, else the Hub."""
    endpoint = context.hub.public_endpoint
    if cache is not None and (cached := cache.get(endpoint, query, any_age=context.offline)) is not None:
        return cached
    if context.offline:
        raise CandidatesUnavailable("offline, and no earlier answer is cached")
    state = _usable_state(context)
    api = state.api()
    arguments = query.list_arguments()
    try:
        infos = _within(time.monotonic() + timeout, lambda: list(api.list_models(**arguments)))
        candidates = [Candidate.from_info(info) for info in infos]
    except CandidatesUnavailable:
        state.record(True)
        raise
    except Exception as exc:  # every Hub fault is a reason, never a traceback
        failure = hub_client._classify(exc)
        state.record(failure.kind in ("transport", "server"))
        raise CandidatesUnavailable(f"listing models failed: {failure.reason}") from None
    candidates.sort(key=lambda c: -(c.downloads or 0))
    if cache is not None:
        cache.put(endpoint, query, candidates)
    return candidates


def _usable_state(context: ResolveContext) -> hub_client.HubState:
    """The scan's Hub state, unless its model lookups already found the Hub unreachable: then asking
    again would only wait out huggingface_hub's own retries."""
    state = hub_client.state_for(context)
    if state.failing:
        raise CandidatesUnavailable("the Hub did not answer the scan's model lookups")
    return state


def parameters_of(model_id: str, context: ResolveContext, *, timeout: float) -> int | None:
    """The parameter count of one model (safetensors metadata), or None when the Hub does not say."""
    if context.offline:
        return None
    api = _usable_state(context).api()
    try:
        info = _within(time.monotonic() + timeout,
                       lambda: api.model_info(model_id, expand=["safetensors", "gguf"], timeout=context.hub.timeout))
    except CandidatesUnavailable:
        raise
    except Exception as exc:
        raise CandidatesUnavailable(f"looking up the size of {model_id} failed: {hub_client._classify(exc).reason}") from None
    # The scan's own lookup read safetensors already; a GGUF-only repository states its size here.
    gguf = getattr(info, "gguf", None)
    return hub_client._count(getattr(getattr(info, "safetensors", None), "total", None)) or \
        hub_client._count(gguf.get("total") if isinstance(gguf, dict) else None)
