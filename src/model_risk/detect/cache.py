"""The detection cache: what detection found in each file of a tree, kept for the next scan of it.

Most scans are not the first: CI scans the same repository with a few files changed, a developer scans
again after an edit. Detection is nearly all of a scan's work, and what it finds in a file depends only
on the file (its path and bytes) and on what does the finding (model-risk's code and data, the Python
and libraries it runs on, the detectors selected and their plugins, ``max-file-size``: the *detection
key*, made by the application). So each scanned tree has one record in the cache directory, named by a
digest of the key and the tree (its root and the paths asked for), holding for every file its status
(size, mtime, ctime, inode, device), the SHA-256 of its bytes, and its references and notes.

The next scan of the tree reads the record and, for each file the walk yields:

- its status is the recorded one: the recorded outcome, without reading the file;
- else its bytes hash to the recorded digest (a fresh checkout, a touched file): the recorded outcome;
- else the file is detected again.

When every file is answered by its status and the set of files is the same, the record is the whole
result and nothing is written. A file changed less than ``RACY_NS`` before a record is written keeps no
status (its next change could leave size and timestamps as they were: git's "racily clean" files), so
it is hashed next time. Outcomes that must be found again are not kept: a file that could not be read,
or one a detector failed on.

The cache decides what a scan reports, so it is guarded like input (docs/security.md, "The detection
cache"): a record is read only from a real directory of the cache owned by the user, without following
a symlink or opening anything but a regular file, up to ``MAX_RECORD_BYTES``; it must match the SHA-256
it starts with, name the key and tree it was asked for, and hold well-typed values, or it is ignored
(and replaced by this scan's). Records are written to a temporary file and renamed into place, which
replaces a symlink or FIFO planted there instead of following it; concurrent scans each see a whole
record, the last one written wins. The directory is kept under ``MAX_TOTAL_BYTES``, least recently
used records removed first.
"""

from __future__ import annotations

import errno
import hashlib
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, get_args

from model_risk.common.fileio import TEMP_DIR, atomic_write, open_regular, read_bytes, real_directory
from model_risk.contract.domain import Note, Reference, ReferenceKind
from model_risk.detect.runner import FileOutcome, file_status
from model_risk.detect.walk import Candidate

#: The record layout; part of each record's name, so a new layout never reads an old one.
FORMAT = 2
#: The folder of the cache directory holding the records, and their suffix (a record is a line with the
#: SHA-256 of the rest, then JSON).
FOLDER = "detection"
RECORD_SUFFIX = ".record"
#: A larger record is neither written nor read (a tree of some 200,000 files with references).
MAX_RECORD_BYTES = 64 * 1024 * 1024
#: Least recently used records are removed while the folder holds more than this.
MAX_TOTAL_BYTES = 256 * 1024 * 1024
#: A file whose mtime or ctime is this close to the time its record is written keeps no status.
RACY_NS = 2_000_000_000

#: Reference fields as a record holds them, in order (``path`` is the file's, ``scope`` and ``verified_by``
#: are set after detection): a test keeps this in step with :class:`~model_risk.contract.domain.Reference`.
REFERENCE_FIELDS = ("model", "line", "column", "detector", "revision", "trust_remote_code", "loader", "kind",
                    "api_vendor", "provider", "lookup_id", "ignore", "confidence", "call_lines")
_KINDS = frozenset(get_args(ReferenceKind))
_CONFIDENCES = frozenset({"certain", "likely", "possible"})
_LEVELS = frozenset({"info", "warning", "error"})


class CacheUnusable(OSError):
    """The cache's folder cannot be trusted or made: the scan goes on without the cache."""


class _Invalid(ValueError):
    pass


def _json() -> tuple[Callable[[bytes], Any], Callable[[Any], bytes]]:
    try:
        import orjson
    except ImportError:
        import json

        return json.loads, lambda value: json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    return orjson.loads, orjson.dumps


def _folder(cache_dir: Path) -> Path:
    """``cache_dir/detection``, a real directory owned by this user and closed to others."""
    folder = cache_dir / FOLDER
    try:
        real_directory(folder, under=cache_dir)  # a symlink in its place raises, nothing goes through it
        status = os.lstat(folder)
        if hasattr(os, "getuid") and status.st_uid != os.getuid():
            raise CacheUnusable(errno.EPERM, "its folder belongs to another user", str(folder))
        if status.st_mode & 0o077:
            os.chmod(folder, 0o700)
    except CacheUnusable:
        raise
    except OSError as exc:
        raise CacheUnusable(exc.errno or errno.EIO, f"its folder cannot be used ({exc.strerror or exc})",
                            str(folder)) from None
    return folder


class DetectionCache:
    """The record of one tree under one detection key: read when opened, written by :meth:`save`."""

    def __init__(self, folder: Path, key: str, tree: str, max_size: int,
                 scope_of: Callable[[str], str] | None = None) -> None:
        self.folder = folder
        self.key = key
        self.tree = tree
        self.max_size = max_size
        #: The scope the scan gives a file's references: kept references are built with it at once, rather
        #: than built and then copied with it (a warm scan of a large project builds thousands).
        self.scope_of = scope_of
        self.path = folder / (hashlib.sha256(f"{FORMAT}\0{key}\0{tree}".encode()).hexdigest() + RECORD_SUFFIX)
        #: rel path -> [status or None, digest, scanned, references, notes], as the record on disk has them.
        self._recorded: dict[str, list] = {}
        #: The entries of the record this scan leaves.
        self._kept: dict[str, list] = {}
        self._changed = False
        self._loads, self._dumps = _json()

    @classmethod
    def open(cls, cache_dir: Path, key: str, tree: str, max_size: int,
             scope_of: Callable[[str], str] | None = None) -> DetectionCache:
        """The cache of ``tree`` (raises :class:`CacheUnusable` when its folder cannot be trusted)."""
        cache = cls(_folder(cache_dir), key, tree, max_size, scope_of)
        cache._recorded = cache._read()
        return cache

    # -- reading -------------------------------------------------------------------------------------
    def _read(self) -> dict[str, list]:
        try:
            # The one safe-open, refusing symlinks: a FIFO or device is never read, a symlink never followed.
            with os.fdopen(open_regular(self.path, follow_symlinks=False), "rb") as handle:
                status = os.fstat(handle.fileno())
                if status.st_size > MAX_RECORD_BYTES or (hasattr(os, "getuid") and status.st_uid != os.getuid()):
                    return {}
                data = handle.read(MAX_RECORD_BYTES + 1)
                try:
                    os.utime(handle.fileno())  # used now: eviction removes the least recently used first
                except OSError:
                    pass
        except OSError:
            return {}  # none yet, or something other than a record in its place
        if len(data) > MAX_RECORD_BYTES:
            return {}
        digest, _, body = data.partition(b"\n")
        if digest != hashlib.sha256(body).hexdigest().encode():
            return {}  # truncated or damaged
        try:
            document = self._loads(body)
            return self._entries(document)
        except (ValueError, TypeError, KeyError, RecursionError):
            return {}

    def _entries(self, document: Any) -> dict[str, list]:
        if (type(document) is not dict or document.get("format") != FORMAT or document.get("key") != self.key
                or document.get("tree") != self.tree or type(document.get("files")) is not dict):
            raise _Invalid("a record of another tree or key")
        entries: dict[str, list] = {}
        for rel, entry in document["files"].items():
            if type(entry) is not list or len(entry) != 5:
                raise _Invalid("entry")
            status, digest, scanned, references, notes = entry
            if status is not None:
                if type(status) is not list or len(status) != 5 or any(type(v) is not int for v in status):
                    raise _Invalid("status")
                entry[0] = tuple(status)
            if (type(digest) is not str or len(digest) != 64 or type(scanned) is not bool
                    or type(references) is not list or type(notes) is not list):
                raise _Invalid("entry")
            entries[rel] = entry
        return entries

    def unanswered(self, candidates: Iterable[Candidate], answer: Callable[[FileOutcome], None]
                   ) -> Iterator[Candidate]:
        """The candidates whose outcome is not recorded; ``answer`` gets the recorded ones."""
        recorded = self._recorded
        for candidate in candidates:
            rel = candidate.rel_path
            entry = recorded.get(rel)
            if entry is None:
                yield candidate
                continue
            try:
                status = file_status(candidate.status or os.stat(candidate.abs_path))
            except OSError:
                yield candidate
                continue
            if entry[0] != status:
                if self._digest(candidate.abs_path) != entry[1]:
                    yield candidate
                    continue
                self._changed = True  # the same bytes under a new status: record the status
            try:
                scope = self.scope_of(rel) if self.scope_of is not None and entry[3] else ""
                outcome = FileOutcome(rel, entry[2], _references(entry[3], rel, scope), _notes(entry[4]), entry[1],
                                      status)
            except (_Invalid, TypeError, ValueError):
                self._changed = True
                yield candidate
                continue
            self._kept[rel] = [status, entry[1], entry[2], entry[3], entry[4]]
            answer(outcome)

    def _digest(self, path: str) -> str | None:
        """SHA-256 of a regular file's bytes (None when it cannot be read or is over the size limit)."""
        try:
            return hashlib.sha256(read_bytes(path, limit=self.max_size)).hexdigest()
        except OSError:
            return None

    # -- writing -------------------------------------------------------------------------------------
    def save(self, outcomes: Sequence[FileOutcome]) -> None:
        """Record this scan: the answered files as they were and the outcomes of the others. Nothing is
        written when every file was answered by its status and no file came or went."""
        for outcome in outcomes:
            self._changed = True
            if outcome.digest is None or outcome.status is None:
                continue
            self._kept[outcome.path] = [outcome.status, outcome.digest, outcome.scanned,
                                        [_encoded_reference(r) for r in outcome.references],
                                        [[n.message, n.path, n.line, n.level] for n in outcome.notes]]
        if not self._changed and self._kept.keys() == self._recorded.keys():
            return
        racy = time.time_ns() - RACY_NS
        files = {}
        for rel in sorted(self._kept):
            status, digest, scanned, references, notes = self._kept[rel]
            if status is not None and (status[1] >= racy or status[2] >= racy):
                status = None
            files[rel] = [status, digest, scanned, references, notes]
        body = self._dumps({"format": FORMAT, "key": self.key, "tree": self.tree, "files": files})
        data = hashlib.sha256(body).hexdigest().encode() + b"\n" + body
        if len(data) > MAX_RECORD_BYTES:
            return
        try:
            # The one safe-write: renamed into place, which replaces a symlink or FIFO planted there
            # rather than following it. Not flushed to disk: a record lost in a crash is a cold scan.
            atomic_write(self.path, data, mode=0o600, durable=False, temp_dir=self.folder / TEMP_DIR,
                         symlink="replace")
        except OSError:
            return  # a full or read-only cache costs the next scan time, never this one
        self._evict()

    def _evict(self) -> None:
        """Remove the least recently used records while the folder holds more than ``MAX_TOTAL_BYTES``."""
        records = []
        total = 0
        try:
            with os.scandir(self.folder) as entries:
                for entry in entries:
                    if not entry.name.endswith(RECORD_SUFFIX):
                        continue
                    try:
                        status = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    records.append((status.st_mtime_ns, entry.path, status.st_size))
                    total += status.st_size
        except OSError:
            return
        if total <= MAX_TOTAL_BYTES:
            return
        for _mtime, path, size in sorted(records):
            if total <= MAX_TOTAL_BYTES * 3 // 4:
                break
            if path != str(self.path) and _unlink(path):
                total -= size


def _unlink(path: str) -> bool:
    try:
        os.unlink(path)
    except OSError:
        return False
    return True


# -- the record's codec of references and notes ------------------------------------------------------

def _encoded_reference(ref: Reference) -> list:
    return [ref.model, ref.line, ref.column, ref.detector, ref.revision, ref.trust_remote_code, ref.loader,
            ref.kind, ref.api_vendor, ref.provider, ref.lookup_id,
            sorted(ref.ignore) if ref.ignore is not None else None, ref.confidence,
            [list(pair) for pair in ref.call_lines]]


def _optional_text(value: object) -> bool:
    return value is None or type(value) is str


def _references(values: list, path: str, scope: str = "") -> tuple[Reference, ...]:
    """The references of a record's entry, checked value by value (a record is input like any other)."""
    found = []
    for value in values:
        if type(value) is not list or len(value) != 14:
            raise _Invalid("reference")
        (model, line, column, detector, revision, trust, loader, kind, api_vendor, provider, lookup_id, ignore,
         confidence, call_lines) = value
        if (type(model) is not str or type(line) is not int or type(column) is not int
                or type(detector) is not str or type(trust) is not bool or kind not in _KINDS
                or confidence not in _CONFIDENCES or not _optional_text(revision) or not _optional_text(loader)
                or not _optional_text(api_vendor) or not _optional_text(provider) or not _optional_text(lookup_id)
                or type(call_lines) is not list):
            raise _Invalid("reference")
        if ignore is not None:
            if type(ignore) is not list or any(type(rule) is not str for rule in ignore):
                raise _Invalid("reference")
            ignore = frozenset(ignore)
        calls: tuple[tuple[int, int], ...] = ()
        if call_lines:
            if any(type(pair) is not list or len(pair) != 2 or type(pair[0]) is not int
                   or type(pair[1]) is not int for pair in call_lines):
                raise _Invalid("reference")
            calls = tuple((first, last) for first, last in call_lines)
        found.append(Reference(model, path, line, column, detector, revision, trust, loader, kind, api_vendor,
                               provider, lookup_id, ignore, confidence, calls, scope))
    return tuple(found)


def _notes(values: list) -> tuple[Note, ...]:
    found = []
    for value in values:
        if type(value) is not list or len(value) != 4:
            raise _Invalid("note")
        message, path, line, level = value
        if (type(message) is not str or not _optional_text(path) or not (line is None or type(line) is int)
                or level not in _LEVELS):
            raise _Invalid("note")
        found.append(Note(message, path, line, level))
    return tuple(found)
