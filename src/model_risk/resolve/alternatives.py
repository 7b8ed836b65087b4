"""Candidate replacements from the Hub: ``HfApi.list_models`` with the target's task, library and size.

One query per target: ``pipeline_tag`` and the library as a filter, ``num_parameters`` around the target's
size, only models without gating, sorted by downloads, with the properties the selection needs
(``expand``: downloads, safetensors, cardData, tags ...). The answer is stored in the cache directory like
other Hub facts (``lists/``), so a second scan within ``cache_ttl`` and an offline scan reuse it.
``model_info(expand=["safetensors"])`` gives the size of a target whose facts do not carry one.

Hub faults raise :class:`CandidatesUnavailable` with a one-line reason; the caller turns it into a note.
Nothing here decides what qualifies: see :mod:`model_risk.evaluate.alternatives`.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from model_risk.common.fileio import atomic_write
from model_risk.contract.resolver import ResolveContext
from model_risk.resolve import hub

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
        bases, relation = hub._base_models(card, tags, {str(info.id).lower()})
        safetensors = getattr(info, "safetensors", None)
        return cls(id=str(info.id), downloads=hub._count(getattr(info, "downloads", None)),
                   parameters=hub._count(getattr(safetensors, "total", None)),
                   license_id=declared if isinstance(declared, (str, list)) else None,
                   license_name=hub._text(card.get("license_name")), base_models=tuple(bases),
                   base_relation=relation, library_name=hub._text(getattr(info, "library_name", None)),
                   pipeline_tag=hub._text(getattr(info, "pipeline_tag", None)),
                   gated=getattr(info, "gated", False) or False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Candidate:
        return cls(**{**data, "base_models": tuple(data.get("base_models") or ())})


class ListCache:
    """Answers of the list endpoint, one JSON file per query, fresh for ``ttl`` seconds."""

    def __init__(self, directory: Path, ttl: float) -> None:
        self.directory = Path(directory) / "lists"
        self.ttl = ttl

    def _path(self, endpoint: str, query: Query) -> Path:
        key = json.dumps([endpoint, asdict(query), POOL], sort_keys=True)
        return self.directory / f"{hashlib.sha256(key.encode()).hexdigest()}.json"

    def get(self, endpoint: str, query: Query, *, any_age: bool = False) -> list[Candidate] | None:
        try:
            entry = json.loads(self._path(endpoint, query).read_text(encoding="utf-8"))
            if entry.get("version") != CACHE_VERSION:
                return None
            if not any_age and not 0 <= time.time() - float(entry["fetched_at"]) <= self.ttl:
                return None
            return [Candidate.from_json(c) for c in entry["candidates"]]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, endpoint: str, query: Query, candidates: list[Candidate]) -> None:
        entry = {"version": CACHE_VERSION, "fetched_at": time.time(), "endpoint": endpoint, "query": asdict(query),
                 "candidates": [asdict(c) for c in candidates]}
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            atomic_write(self._path(endpoint, query), json.dumps(entry, sort_keys=True), durable=False)
        except OSError:
            pass  # a read-only cache slows the next run down; it must not fail this one


def _within(deadline: float, call: Any) -> Any:
    try:
        return hub.within(deadline, call, "model-risk-alternatives")
    except hub.NoAnswerInTime:
        raise CandidatesUnavailable("the Hub did not answer in time") from None


def list_candidates(query: Query, context: ResolveContext, cache: ListCache | None, *, timeout: float
                    ) -> list[Candidate]:
    """Listed models for ``query``, most downloaded first: from the cache when fresh, else the Hub."""
    endpoint = context.hub.endpoint
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
        failure = hub._classify(exc)
        state.record(failure.kind in ("transport", "server"))
        raise CandidatesUnavailable(f"listing models failed: {failure.reason}") from None
    candidates.sort(key=lambda c: -(c.downloads or 0))
    if cache is not None:
        cache.put(endpoint, query, candidates)
    return candidates


def _usable_state(context: ResolveContext) -> hub.HubState:
    """The scan's Hub state, unless its model lookups already found the Hub unreachable: then asking
    again would only wait out huggingface_hub's own retries."""
    state = hub.state_for(context)
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
                       lambda: api.model_info(model_id, expand=["safetensors"], timeout=context.hub.timeout))
    except CandidatesUnavailable:
        raise
    except Exception as exc:
        raise CandidatesUnavailable(f"looking up the size of {model_id} failed: {hub._classify(exc).reason}") from None
    return hub._count(getattr(getattr(info, "safetensors", None), "total", None))
