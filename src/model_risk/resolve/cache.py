"""The on-disk cache of Hub answers, and the resolver that reads it.

One small JSON file per lookup (endpoint, id, revision), written atomically, so concurrent runs (pre-commit
starts several) never see a half-written entry. Beside each entry, an empty ``.lock`` file: the Hub
resolver holds an exclusive ``flock`` on it while it checks the entry, asks the Hub and writes the answer,
so scans sharing the directory ask the Hub at most once per model and TTL. (Why files and not SQLite:
docs/resolution.md, "Sharing the cache".) Resolved models stay fresh for ``cache_ttl``; missing,
disabled and unknown-revision answers for the shorter ``negative_cache_ttl``; failed lookups are never
cached. An unreadable or corrupt entry counts as a miss and is overwritten by the next answer.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from model_risk.common.fileio import TEMP_DIR, atomic_write, read_bytes, real_directory
from model_risk.contract.domain import ModelFacts, ModelStatus
from model_risk.contract.resolver import ModelRequest, ResolveContext
from model_risk.knowledge import facts as records
from model_risk.resolve import hub_client

CACHE_VERSION = 1
#: Entries are a few KiB (every Hub text is clipped before it is cached); a larger file is not read.
MAX_ENTRY_SIZE = 2 * 1024 * 1024


class ModelCache:
    def __init__(self, directory: Path, *, ttl: float, negative_ttl: float) -> None:
        self.directory = Path(directory)
        self.ttl = ttl
        self.negative_ttl = negative_ttl
        #: Shard directories known to be real directories: saves the checks per entry written.
        self._made: set[Path] = set()

    def _path(self, endpoint: str, request: ModelRequest) -> Path:
        key = "\0".join((endpoint, request.model_id, request.revision or ""))
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
        return self.directory / "models" / digest[:2] / f"{digest}.json"

    def _shard(self, path: Path) -> None:
        """Make the folder of ``path`` a real directory of the cache. A shared cache may hold symlinks
        (actions/cache restores them): a folder that is one raises OSError, and nothing is written or
        locked through it."""
        if path.parent not in self._made:
            real_directory(path.parent, under=self.directory)
            self._made.add(path.parent)

    @contextlib.contextmanager
    def locked(self, endpoint: str, request: ModelRequest) -> Iterator[None]:
        """Hold the lookup's lock: other processes (and threads) locking it wait until this one is done.

        Without ``fcntl`` (Windows) or when the lock file cannot be made, the lookup runs unlocked: at
        worst two processes ask the Hub for the same model, which is what happened before locks."""
        path = self._path(endpoint, request).with_suffix(".lock")
        try:
            import fcntl
        except ImportError:
            yield
            return
        try:
            self._shard(path)
            # O_NOFOLLOW: a planted symlink (dangling or not) is never followed to create or open a file.
            flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
            handle = os.open(path, flags, 0o666)
        except OSError:
            yield
            return
        try:
            # Released when the descriptor closes, also if the process dies: a crash cannot leave it held.
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield
        finally:
            os.close(handle)

    def get(self, endpoint: str, request: ModelRequest,
            authenticated: Callable[[], bool] | None = None) -> dict[str, Any] | None:
        """The stored record for a lookup, if present and fresh.

        ``authenticated`` tells whether lookups now send a token: a repo missing for an anonymous
        lookup may be a private one the token can see, so that answer is not reused."""
        path = self._path(endpoint, request)
        try:
            # Never follows a planted symlink, blocks on a FIFO or reads a huge file: a miss, dropped below.
            entry = json.loads(read_bytes(path, limit=MAX_ENTRY_SIZE, follow_symlinks=False))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, RecursionError):
            self._drop(path)
            return None
        try:
            if entry.get("version") != CACHE_VERSION:
                return None
            # Checked against the record's schema, and against the lookup it claims to answer: an entry
            # copied under another model's name is not that model's answer.
            if entry["request"] != {"id": request.model_id, "revision": request.revision}:
                raise ValueError("entry for another lookup")
            record = entry["record"]
            records.check_record(record)
            age = time.time() - float(entry["fetched_at"])
            status = record["status"]
            anonymous = not entry.get("authenticated", False)
        except (ValueError, KeyError, TypeError, AttributeError):
            self._drop(path)  # refetched, and overwritten by the answer
            return None
        resolved = status == ModelStatus.RESOLVED.value
        if not 0 <= age <= (self.ttl if resolved else self.negative_ttl):
            return None
        if not resolved and anonymous and authenticated is not None and authenticated():
            return None
        return record

    @staticmethod
    def _drop(path: Path) -> None:
        try:
            path.unlink()
        except OSError:
            pass

    def put(self, endpoint: str, request: ModelRequest, facts: ModelFacts, *, authenticated: bool = False) -> None:
        if facts.status in (ModelStatus.UNRESOLVED, ModelStatus.API):
            return
        path = self._path(endpoint, request)
        entry = {"version": CACHE_VERSION, "fetched_at": time.time(), "endpoint": endpoint,
                 "request": {"id": request.model_id, "revision": request.revision},
                 "authenticated": authenticated, "record": records.to_record(facts)}
        try:
            self._shard(path)
            # Not flushed to disk: a crash may lose an entry or leave it empty, and either is a miss. A
            # symlink in the entry's place is replaced, never written through.
            atomic_write(path, json.dumps(entry, sort_keys=True), durable=False,
                         temp_dir=self.directory / TEMP_DIR, symlink="replace")
        except OSError:
            pass  # a read-only or full cache directory slows the next run down; it must not fail this one


def cached_facts(request: ModelRequest, context: ResolveContext, cache: ModelCache) -> ModelFacts | None:
    """The cached answer for ``request``, if there is a fresh one."""
    # Offline, nothing better than a stale "missing" exists, and finding the token may use the network.
    authenticated = None if context.offline else lambda: hub_client.state_for(context).authenticated()
    record = cache.get(context.hub.public_endpoint, request, authenticated)
    if record is None:
        return None
    try:
        return records.from_record(record, context.vendors, source="cache")
    except records.RecordError:
        return None
