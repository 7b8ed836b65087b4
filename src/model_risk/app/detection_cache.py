"""Whether a run keeps detection's outcomes between scans, and under which key (:mod:`model_risk.detect.cache`).

The key names everything besides a file's path and bytes that what detection finds in it depends on:

- model-risk's code and data as installed (its version, and the size and mtime of every file of the
  package: an editable install changes without a new version, and the bundled knowledge tables are
  package files), and the Python running it (its parser decides what parses);
- the installed distributions (names and versions from ``*.dist-info``): detector plugins, and the
  libraries detectors use (PyYAML reads the YAML files);
- the detectors selected (``detectors: disable:`` and ``docs:`` in the configuration; each detector's
  name and class) and the plugins loaded (``MODEL_RISK_DISABLE_PLUGINS``), with their distributions;
- ``max-file-size``;
- the knowledge overlays of the configuration (``knowledge:``, by the SHA-256 of each file): detection
  reads the publisher and API-model tables they extend.

What the configuration does after detection (scopes, ``internal_orgs``, rules, the allowlist) is not in
the key: it is applied to cached and fresh references alike. ``exclude:`` and the .gitignore files
decide which files the walk yields, which is checked file by file.

The cache is used for scans of directories. A scan of listed files (the pre-commit hook) reads only
those, which costs less than reading a record. It is never used when the cache directory is inside the
scanned project: a repository must not be able to supply the outcomes of its own files.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from model_risk.app.plugins import Plugins
from model_risk.common.resources import PACKAGE
from model_risk.contract.detector import Detector
from model_risk.contract.domain import Note
from model_risk.contract.version import __version__
from model_risk.detect.cache import CacheUnusable, DetectionCache
from model_risk.detect.runner import CandidatePass
from model_risk.knowledge import catalog

#: Files of the package that are not code or data.
_SKIPPED_FOLDERS = frozenset({"__pycache__"})


def package_fingerprint() -> list[list[object]]:
    """(path, size, mtime) of every file of the installed model_risk package."""
    root = str(PACKAGE)
    found: list[list[object]] = []
    stack = [root]
    while stack:
        directory = stack.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue
        for entry in entries:
            if entry.name in _SKIPPED_FOLDERS or entry.name.endswith(".pyc"):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                    continue
                status = entry.stat()
            except OSError:
                continue
            found.append([os.path.relpath(entry.path, root), status.st_size, status.st_mtime_ns])
    found.sort()
    return found


def installed_distributions() -> list[str]:
    """The ``*.dist-info`` and ``*.egg-info`` names (distribution and version) on ``sys.path``."""
    names: set[str] = set()
    for entry in sys.path:
        try:
            listed = os.listdir(entry or ".")
        except OSError:
            continue
        names.update(name for name in listed if name.endswith((".dist-info", ".egg-info")))
    return sorted(names)


def detection_key(detectors: Sequence[Detector], plugins: Plugins, max_size: int,
                  candidate_pass: CandidatePass | None = None) -> str:
    """What, besides a file, decides what detection finds in it (the module docstring lists it)."""
    from model_risk.detect.cache import FORMAT, REFERENCE_FIELDS

    parts = {
        "format": FORMAT,
        "model-risk": __version__,
        "python": [sys.version, sys.implementation.cache_tag],
        "package": package_fingerprint(),
        "distributions": installed_distributions(),
        # A built-in detector is registered by the name of its class (detect/lazy.py).
        "detectors": sorted([d.name, getattr(d, "target", None) or f"{type(d).__module__}:{type(d).__qualname__}"]
                            for d in detectors),
        "plugins": sorted([info.name, info.distribution or ""] for info in plugins.infos()),
        "max-file-size": max_size,
        # Whether the candidate pass runs, and over documentation too (``docs:``).
        "candidate-pass": None if candidate_pass is None else list(candidate_pass),
        # The bundled tables are package files (above); a project's overlays on them are installed
        # with its configuration, before detection, and detection reads them (publishers, API names).
        "knowledge": list(catalog.key()),
        "reference-fields": REFERENCE_FIELDS,
    }
    import json

    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _inside(path: Path, directory: Path) -> bool:
    try:
        return path.resolve().is_relative_to(directory.resolve())
    except (OSError, RuntimeError):
        return True  # cannot tell (a symlink loop): as if inside


def open_detection_cache(cache_dir: Path, root: Path, paths: Sequence[Path], detectors: Sequence[Detector],
                         plugins: Plugins, max_size: int, tree: str | None = None, *,
                         candidate_pass: CandidatePass | None = None,
                         scope_of: Callable[[str], str] | None = None) -> tuple[DetectionCache | None, Note | None]:
    """The detection cache of a scan of ``paths`` (directories) under ``root``, or None with a note saying
    why it is not used. ``tree`` names the tree when its path does not (the tree at a diff base, which is
    extracted to a new temporary folder on each run). ``scope_of(path)``: the scope the scan gives a
    file's references, which kept references are built with (not part of the key)."""
    if not paths or not all(p.is_dir() for p in paths):
        return None, None
    if _inside(cache_dir, root) or any(_inside(cache_dir, p) for p in paths):
        return None, Note(f"detection cache not used: the cache directory ({cache_dir}) is inside the scanned "
                          "project, which must not supply what is found in it", level="info")
    relative = sorted(os.path.relpath(p, root) for p in paths)
    label = "\0".join([tree or str(root.resolve()), *relative])
    key = detection_key(detectors, plugins, max_size, candidate_pass)
    try:
        return DetectionCache.open(cache_dir, key, label, max_size, scope_of=scope_of), None
    except CacheUnusable as exc:
        return None, Note(f"detection cache not used: {exc.strerror}", exc.filename, level="warning")
