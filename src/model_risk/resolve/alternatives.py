"""Candidate replacements from the Hub: ``HfApi.list_models`` with the target's task, library and size,
and what the selection reads about each candidate.

One query per task asked (an embedder asks for both embedding tasks): ``pipeline_tag``, the library as a
filter (none for embedders), ``num_parameters`` around the target's size, only models without gating,
sorted by downloads, with the properties the selection needs (``expand``: downloads, safetensors, gguf,
cardData, tags, sha ...). ``model_info(expand=["safetensors", "gguf"])`` gives the size of a target whose
facts do not carry one; :mod:`model_risk.resolve.model_files` reads config files and lists variants.

Every answer is stored in the cache directory like other Hub facts (``lists/``, ``sizes/``, ``files/``,
``variants/``), so a second run within ``cache_ttl`` asks the Hub nothing and an offline run reuses them.
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

from model_risk.common.fileio import atomic_write, read_bytes, real_directory
from model_risk.contract.domain import ModelFacts
from model_risk.contract.resolver import ResolveContext
from model_risk.resolve import hub_client, model_files
from model_risk.resolve.bounded_calls import CandidatesUnavailable, usable_state, well_formed, within

__all__ = ["EXPAND", "POOL", "Candidate", "CandidateLookups", "CandidatesUnavailable", "ListCache", "Query",
           "RepoFiles", "list_candidates", "parameters_of"]

#: Candidates asked for per query: enough for three to survive the license, size and vendor checks in
#: a popular task, small enough for one page.
POOL = 50
#: What the selection reads from each listed model.
EXPAND = ["downloads", "safetensors", "gguf", "cardData", "tags", "gated", "library_name", "pipeline_tag",
          "disabled", "sha"]
CACHE_VERSION = 2
#: A list answer holds a few hundred short candidates; a larger cache file is not read.
MAX_ENTRY_SIZE = 8 * 1024 * 1024


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
    #: The safetensors parameter count, else the GGUF metadata's.
    parameters: int | None
    license_id: str | list[str] | None
    license_name: str | None
    base_models: tuple[str, ...]
    base_relation: str | None
    library_name: str | None
    pipeline_tag: str | None
    gated: bool | str
    tags: tuple[str, ...] = ()
    #: The card's ``language`` (one value or a list).
    languages: tuple[str, ...] = ()
    sha: str | None = None

    @property
    def custom_code(self) -> bool:
        return "custom_code" in self.tags

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
        gguf = getattr(info, "gguf", None)
        parameters = hub_client._count(getattr(safetensors, "total", None)) or \
            hub_client._count(gguf.get("total") if isinstance(gguf, dict) else None)
        return cls(id=str(info.id), downloads=hub_client._count(getattr(info, "downloads", None)),
                   parameters=parameters,
                   license_id=declared if isinstance(declared, (str, list)) else None,
                   license_name=hub_client._text(card.get("license_name")), base_models=tuple(bases),
                   base_relation=relation, library_name=hub_client._text(getattr(info, "library_name", None)),
                   pipeline_tag=hub_client._text(getattr(info, "pipeline_tag", None)),
                   gated=getattr(info, "gated", False) or False, tags=tuple(tags),
                   languages=tuple(hub_client._texts(card.get("language"))),
                   sha=hub_client._text(getattr(info, "sha", None)))

    @classmethod
    def from_facts(cls, facts: ModelFacts, *, tags: tuple[str, ...] = ()) -> Candidate:
        """A candidate from resolved facts (a substitute of model-risk's table looked up by id)."""
        parameters = facts.card_value("parameters")
        langs = facts.card_value("languages")
        lic = facts.license
        return cls(id=facts.id, downloads=facts.downloads,
                   parameters=parameters if isinstance(parameters, int) and not isinstance(parameters, bool) else None,
                   license_id=lic.hub if lic is not None else None, license_name=lic.declared_name if lic else None,
                   base_models=facts.base_models, base_relation=facts.base_relation, library_name=facts.library_name,
                   pipeline_tag=facts.pipeline_tag, gated=facts.gated,
                   tags=(*tags, *(("custom_code",) if facts.custom_code else ())),
                   languages=tuple(str(x) for x in langs) if isinstance(langs, list) else (), sha=facts.sha)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Candidate:
        return cls(**{**data, "base_models": tuple(data.get("base_models") or ()),
                      "tags": tuple(data.get("tags") or ()), "languages": tuple(data.get("languages") or ())})


@dataclass(frozen=True)
class RepoFiles:
    """What a repository's small config files hold: each file parsed, ``None`` when the repository has no
    such file; a file that could not be read is missing from ``files`` and its reason is in ``problems``."""

    files: dict[str, dict[str, Any] | None]
    problems: tuple[str, ...] = ()

    def get(self, name: str) -> dict[str, Any] | None:
        return self.files.get(name)

    def known(self, name: str) -> bool:
        return name in self.files


class ListCache:
    """Answers of the list endpoint (one JSON file per query, ``lists/``), of size lookups (``sizes/``), of
    config files (``files/``) and of variant listings (``variants/``), fresh for ``ttl`` seconds; an answer
    that there is nothing (no size, no such file) for ``negative_ttl``, like a model the Hub does not have.
    Within one run, :class:`CandidateLookups` answers a repeated question from memory."""

    def __init__(self, directory: Path, ttl: float, negative_ttl: float | None = None) -> None:
        self.root = Path(directory)
        self.directory = self.root / "lists"
        self.sizes = self.root / "sizes"
        self.ttl = ttl
        self.negative_ttl = ttl if negative_ttl is None else negative_ttl

    def _path(self, endpoint: str, query: Query) -> Path:
        key = json.dumps([endpoint, asdict(query), POOL], sort_keys=True)
        return self.directory / f"{hashlib.sha256(key.encode()).hexdigest()}.json"

    def _size_path(self, endpoint: str, model_id: str) -> Path:
        key = json.dumps([endpoint, model_id.lower()])
        return self.sizes / f"{hashlib.sha256(key.encode()).hexdigest()}.json"

    def _keyed_path(self, kind: str, *parts: object) -> Path:
        key = json.dumps([str(p) for p in parts])
        return self.root / kind / f"{hashlib.sha256(key.encode()).hexdigest()}.json"

    def _read(self, path: Path) -> dict[str, Any] | None:
        try:  # a planted symlink, FIFO or huge file in a shared cache is a miss
            entry = json.loads(read_bytes(path, limit=MAX_ENTRY_SIZE, follow_symlinks=False))
        except (OSError, ValueError, RecursionError):
            return None
        return entry if isinstance(entry, dict) and entry.get("version") == CACHE_VERSION else None

    def _fresh(self, entry: dict[str, Any], ttl: float, any_age: bool) -> bool:
        try:
            return any_age or 0 <= time.time() - float(entry["fetched_at"]) <= ttl
        except (KeyError, TypeError, ValueError):
            return False

    def _write(self, path: Path, entry: dict[str, Any]) -> None:
        try:
            # A shared cache may hold symlinks: the folder must be a real one, an entry's link is replaced.
            real_directory(path.parent, under=path.parent.parent)
            atomic_write(path, json.dumps(entry, sort_keys=True), durable=False, symlink="replace")
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

    def get_file(self, endpoint: str, model_id: str, revision: str | None, name: str, *, any_age: bool = False
                 ) -> tuple[bool, dict[str, Any] | None]:
        """(known, content) of one config file: whether an answer is cached, and the file (None: the
        repository has no such file)."""
        entry = self._read(self._keyed_path("files", endpoint, model_id.lower(), revision or "", name))
        if entry is None:
            return False, None
        data = entry.get("content")
        if data is not None and not isinstance(data, dict):
            return False, None
        if not self._fresh(entry, self.ttl if data is not None else self.negative_ttl, any_age):
            return False, None
        return True, data

    def put_file(self, endpoint: str, model_id: str, revision: str | None, name: str,
                 content: dict[str, Any] | None) -> None:
        self._write(self._keyed_path("files", endpoint, model_id.lower(), revision or "", name), {
            "version": CACHE_VERSION, "fetched_at": time.time(), "endpoint": endpoint, "model": model_id,
            "revision": revision, "file": name, "content": content})

    def get_variants(self, endpoint: str, model_id: str, *, any_age: bool = False) -> list[tuple[str, str]] | None:
        entry = self._read(self._keyed_path("variants", endpoint, model_id.lower()))
        if entry is None or not self._fresh(entry, self.ttl, any_age):
            return None
        variants = entry.get("variants")
        if not isinstance(variants, list) or not all(
                isinstance(v, list) and len(v) == 2 and all(isinstance(x, str) for x in v) for v in variants):
            return None
        return [(v[0], v[1]) for v in variants]

    def put_variants(self, endpoint: str, model_id: str, variants: list[tuple[str, str]]) -> None:
        self._write(self._keyed_path("variants", endpoint, model_id.lower()), {
            "version": CACHE_VERSION, "fetched_at": time.time(), "endpoint": endpoint, "model": model_id,
            "variants": [list(v) for v in variants]})


class CandidateLookups:
    """The list, size, file and variant lookups of one run: each distinct question is asked once (a second
    asker waits for the first one's answer), through the cache (when given), then the Hub."""

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

    @property
    def endpoint(self) -> str:
        return self.context.hub.public_endpoint

    def candidates(self, query: Query) -> list[Candidate]:
        return self._once(("list", query),
                          lambda: list_candidates(query, self.context, self.cache, timeout=self.timeout))

    def size(self, model_id: str) -> int | None:
        return self._once(("size", model_id.lower()), lambda: self._size(model_id))

    def _size(self, model_id: str) -> int | None:
        if self.cache is not None:
            known, size = self.cache.get_size(self.endpoint, model_id, any_age=self.context.offline)
            if known:
                return size
        size = parameters_of(model_id, self.context, timeout=self.timeout)
        if self.cache is not None and not self.context.offline:
            self.cache.put_size(self.endpoint, model_id, size)
        return size

    def files(self, model_id: str, revision: str | None, names: tuple[str, ...]) -> RepoFiles:
        """The config files ``names`` of a repository at ``revision``, from the cache or the Hub; offline,
        only what is cached. Files that cannot be read are left out, with the reason."""
        return self._once(("files", model_id.lower(), revision, names), lambda: self._files(model_id, revision, names))

    def _files(self, model_id: str, revision: str | None, names: tuple[str, ...]) -> RepoFiles:
        found: dict[str, dict[str, Any] | None] = {}
        missing: list[str] = []
        for name in names:
            if self.cache is not None:
                known, content = self.cache.get_file(self.endpoint, model_id, revision, name,
                                                     any_age=self.context.offline)
                if known:
                    found[name] = content
                    continue
            if not self.context.offline:
                missing.append(name)
        if len(missing) > 1:  # one round trip for all of them, not one after another
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(max_workers=len(missing), thread_name_prefix="model-risk-files") as pool:
                fetched = list(pool.map(lambda name: self._fetch_file(model_id, revision, name), missing))
        else:
            fetched = [self._fetch_file(model_id, revision, name) for name in missing]
        problems = []
        for name, (content, problem) in zip(missing, fetched):
            if problem is not None:
                problems.append(problem)
                continue
            found[name] = content
            if self.cache is not None:
                self.cache.put_file(self.endpoint, model_id, revision, name, content)
        return RepoFiles(found, tuple(problems))

    def _fetch_file(self, model_id: str, revision: str | None, name: str) -> tuple[dict[str, Any] | None, str | None]:
        """(content, None), or (None, why it could not be read). A template file's text is kept as
        ``{"chat_template": text}``."""
        try:
            if name == model_files.CHAT_TEMPLATE:
                text = model_files.read_file(model_id, name, revision, self.context, timeout=self.timeout)
                return (None if text is None else {"chat_template": text}), None
            return model_files.read_json(model_id, name, revision, self.context, timeout=self.timeout), None
        except (model_files.FileUnreadable, CandidatesUnavailable) as exc:
            return None, str(exc)

    def variants(self, model_id: str) -> list[tuple[str, str]] | None:
        """(format, repo id) of the model's quantisations on the Hub; None when they could not be listed."""
        try:
            return self._once(("variants", model_id.lower()), lambda: self._variants(model_id))
        except CandidatesUnavailable:
            return None

    def _variants(self, model_id: str) -> list[tuple[str, str]]:
        if self.cache is not None:
            cached = self.cache.get_variants(self.endpoint, model_id, any_age=self.context.offline)
            if cached is not None:
                return cached
        if self.context.offline:
            raise CandidatesUnavailable("offline, and no earlier answer is cached")
        found = model_files.list_variants(model_id, self.context, timeout=self.timeout)
        if self.cache is not None:
            self.cache.put_variants(self.endpoint, model_id, found)
        return found


def list_candidates(query: Query, context: ResolveContext, cache: ListCache | None, *, timeout: float
                    ) -> list[Candidate]:
    """Listed models for ``query``, most downloaded first: from the cache when fresh, else the Hub."""
    endpoint = context.hub.public_endpoint
    if cache is not None and (cached := cache.get(endpoint, query, any_age=context.offline)) is not None:
        return cached
    if context.offline:
        raise CandidatesUnavailable("offline, and no earlier answer is cached")
    state = usable_state(context)
    api = state.api()
    arguments = query.list_arguments()
    try:
        infos = within(time.monotonic() + timeout, lambda: list(api.list_models(**arguments)))
        # A listed id becomes a name and a link's path in every report: one without an id's grammar is dropped.
        candidates = [Candidate.from_info(info) for info in infos if well_formed(getattr(info, "id", None))]
    except CandidatesUnavailable:
        state.record(True)
        raise
    except Exception as exc:  # every Hub fault is a reason, never a traceback
        failure = hub_client._classify(exc)
        state.count(failure)
        raise CandidatesUnavailable(f"listing models failed: {failure.reason}") from None
    candidates.sort(key=lambda c: -(c.downloads or 0))
    if cache is not None:
        cache.put(endpoint, query, candidates)
    return candidates


def parameters_of(model_id: str, context: ResolveContext, *, timeout: float) -> int | None:
    """The parameter count of one model (safetensors metadata), or None when the Hub does not say."""
    if context.offline:
        return None
    api = usable_state(context).api()
    try:
        info = within(time.monotonic() + timeout,
                      lambda: api.model_info(model_id, expand=["safetensors", "gguf"], timeout=context.hub.timeout))
    except CandidatesUnavailable:
        raise
    except Exception as exc:
        raise CandidatesUnavailable(f"looking up the size of {model_id} failed: {hub_client._classify(exc).reason}") from None
    # The scan's own lookup read safetensors already; a GGUF-only repository states its size here.
    gguf = getattr(info, "gguf", None)
    return hub_client._count(getattr(getattr(info, "safetensors", None), "total", None)) or \
        hub_client._count(gguf.get("total") if isinstance(gguf, dict) else None)
