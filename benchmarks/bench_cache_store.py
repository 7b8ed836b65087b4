"""Which store for a cache shared by several processes: one JSON file per entry, or SQLite in WAL mode?

Two workloads, both with the real ``ModelCache`` (per-file JSON, atomic rename, per-entry flock) against a
minimal SQLite WAL store written here with the same interface:

- warm: one process reads 300 cached entries (a scan of a project with 300 models, all cached), with
  the import and the open included, since a pre-commit run pays them every time;
- shared: eight processes at once, each doing "lock, read, on a miss write" for the same 300 keys
  in its own shuffled order (eight CI jobs on one runner starting together).

Measured: per-file JSON. Baseline: SQLite WAL. Both must end with 300 readable entries and no error.
"""

from __future__ import annotations

import json
import multiprocessing
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from run import Row

KEYS = 300
PROCESSES = 8
RECORD = {"status": "resolved", "id": "org/model", "license": "apache-2.0", "sha": "0" * 40,
          "lineage": ["org/model", "org/base"], "formats": ["safetensors"], "downloads": 123456}


def _request(i: int):  # type: ignore[no-untyped-def]
    from model_risk.contract.resolver import ModelRequest

    return ModelRequest(f"org-{i % 17}/model-{i:04d}", None)


def _facts(i: int):  # type: ignore[no-untyped-def]
    from model_risk.contract.domain import ModelStatus
    from model_risk.knowledge.facts import build_facts
    from model_risk.knowledge.vendors import builtin_vendors

    return build_facts(model_id=f"org-{i % 17}/model-{i:04d}", status=ModelStatus.RESOLVED,
                       vendors=builtin_vendors(), source="hub", sha="0" * 40, license_id="apache-2.0")


class SqliteStore:
    """The alternative: one table, WAL journal, a write transaction (BEGIN IMMEDIATE) per miss."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, fetched_at REAL, body TEXT)")

    def get_or_put(self, key: str) -> bool:
        """True when this call wrote the entry (a "Hub request")."""
        self.db.execute("BEGIN IMMEDIATE")  # the write lock, held across check and write, like the flock
        try:
            row = self.db.execute("SELECT body FROM entries WHERE key = ?", (key,)).fetchone()
            if row is not None:
                json.loads(row[0])
                return False
            self.db.execute("INSERT INTO entries VALUES (?, ?, ?)", (key, time.time(), json.dumps(RECORD)))
            return True
        finally:
            self.db.execute("COMMIT")


def _file_worker(directory: str, seed: int, barrier, queue) -> None:  # type: ignore[no-untyped-def]
    from model_risk.resolve.cache import ModelCache

    cache = ModelCache(Path(directory), ttl=86400, negative_ttl=3600)
    order = list(range(KEYS))
    random.Random(seed).shuffle(order)
    requests = {i: _request(i) for i in order}
    facts = _facts(0)  # the content does not matter here, only the key: keep classification out of the timing
    barrier.wait()
    start, wrote = time.perf_counter(), 0
    for i in order:
        with cache.locked("http://hub", requests[i]):
            if cache.get("http://hub", requests[i]) is None:
                cache.put("http://hub", requests[i], facts)
                wrote += 1
    queue.put((time.perf_counter() - start, wrote))


def _sqlite_worker(path: str, seed: int, barrier, queue) -> None:  # type: ignore[no-untyped-def]
    store = SqliteStore(Path(path))
    order = list(range(KEYS))
    random.Random(seed).shuffle(order)
    barrier.wait()
    start = time.perf_counter()
    wrote = sum(store.get_or_put(f"key-{i}") for i in order)
    queue.put((time.perf_counter() - start, wrote))


def _shared(worker, target: str) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    """The slowest worker's time from the common start (after imports), and the writes of all."""
    context = multiprocessing.get_context("fork")
    queue, barrier = context.Queue(), context.Barrier(PROCESSES)
    processes = [context.Process(target=worker, args=(target, seed, barrier, queue)) for seed in range(PROCESSES)]
    for p in processes:
        p.start()
    results = [queue.get(timeout=300) for _ in processes]
    for p in processes:
        p.join()
    return max(t for t, _ in results), sum(w for _, w in results)


# A scan has imported model-risk's resolvers already; it has not imported sqlite3 (so that import counts).
_WARM_FILES = """
import sys, time
from pathlib import Path
from model_risk.resolve.cache import ModelCache
from model_risk.contract.resolver import ModelRequest
t = time.perf_counter()
cache = ModelCache(Path(sys.argv[1]), ttl=86400, negative_ttl=3600)
hits = sum(cache.get("http://hub", ModelRequest(f"org-{i % 17}/model-{i:04d}", None)) is not None
           for i in range(int(sys.argv[2])))
print(time.perf_counter() - t, hits)
"""

_WARM_SQLITE = """
import sys, time, json
from model_risk.resolve.cache import ModelCache
t = time.perf_counter()
import sqlite3
db = sqlite3.connect(sys.argv[1])
hits = 0
for i in range(int(sys.argv[2])):
    row = db.execute("SELECT body FROM entries WHERE key = ?", (f"key-{i}",)).fetchone()
    hits += row is not None and bool(json.loads(row[0]))
print(time.perf_counter() - t, hits)
"""


def _warm(script: str, target: str) -> tuple[float, int]:
    runs = []
    for _ in range(5):
        out = subprocess.run([sys.executable, "-c", script, target, str(KEYS)], capture_output=True, text=True,
                             check=True).stdout.split()
        runs.append((float(out[0]), int(out[1])))
    return sorted(runs)[2]


def run() -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        files, database = Path(tmp) / "files", Path(tmp) / "cache.sqlite"
        files_time, files_writes = _shared(_file_worker, str(files))
        SqliteStore(database)  # create the table before the workers race to
        sqlite_time, sqlite_writes = _shared(_sqlite_worker, str(database))
        entries = len(list((files / "models").rglob("*.json")))
        rows_in_db = sqlite3.connect(database).execute("SELECT count(*) FROM entries").fetchone()[0]
        warm_files, hits_files = _warm(_WARM_FILES, str(files))
        warm_sqlite, hits_sqlite = _warm(_WARM_SQLITE, str(database))
    ok_shared = files_writes == KEYS and sqlite_writes == KEYS and entries == KEYS and rows_in_db == KEYS
    return [
        Row("cache: 8 processes share 300 keys", f"files {files_time:.2f} s, {files_writes} writes",
            f"sqlite-wal {sqlite_time:.2f} s, {sqlite_writes} writes", f"{files_time / sqlite_time:.2f}x",
            f"{KEYS} writes, {KEYS} entries each", ok_shared),
        Row("cache: warm read of 300 entries", f"files {warm_files * 1000:.0f} ms ({hits_files} hits)",
            f"sqlite-wal {warm_sqlite * 1000:.0f} ms ({hits_sqlite} hits)", f"{warm_files / warm_sqlite:.2f}x",
            "all hits", hits_files == KEYS and hits_sqlite == KEYS),
    ]
