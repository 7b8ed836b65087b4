"""Monorepos: one ``model-risk.lock`` per sub-project, each reference answered by the nearest one.

A scan from the repository root finds, for every reference, the lockfile in the reference's own
directory or the closest directory above it, up to the scan root, the way tools such as npm or uv find
the project a file belongs to. ``model-risk lock --per-project`` writes them: one lockfile per
sub-project, a sub-project being a directory that holds a lockfile already or a project manifest.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from model_risk.common.project_paths import within_project
from model_risk.contract.domain import ModelFacts
from model_risk.contract.resolver import ModelRequest, VendorDirectory
from model_risk.resolve.lockfile import LOCKFILE_NAME, Lockfile, read_lockfile

#: Files that make a directory a project of its own (Python and JavaScript packaging).
PROJECT_MARKERS = (LOCKFILE_NAME, "pyproject.toml", "setup.py", "setup.cfg", "package.json")


def nearest_directory(root: Path, rel_path: str, has: Iterable[str], cache: dict[str, str]) -> str:
    """The directory (relative to ``root``, ``""`` for the root) closest above ``rel_path`` that holds
    one of the files named in ``has``; the root when none does."""
    names = tuple(has)
    start = str(PurePosixPath(rel_path).parent)
    chain = []
    directory = "" if start == "." else start
    while True:
        if directory in cache:
            found = cache[directory]
            break
        chain.append(directory)
        if any((root / directory / name).is_file() for name in names):
            found = directory
            break
        if not directory:
            found = ""
            break
        parent = str(PurePosixPath(directory).parent)
        directory = "" if parent == "." else parent
    for visited in chain:
        cache[visited] = found
    return found


@dataclass(frozen=True)
class NearestLockfiles:
    """Several lockfiles: a referenced model is answered by the lockfiles nearest to its references (in
    the order of the references); a model reached through lineage only, by the first lockfile holding it."""

    by_request: Mapping[ModelRequest, tuple[Lockfile, ...]]
    lockfiles: tuple[Lockfile, ...]

    def facts(self, request: ModelRequest, vendors: VendorDirectory) -> ModelFacts | None:
        for lockfile in self.by_request.get(request, self.lockfiles):
            facts = lockfile.facts(request, vendors)
            if facts is not None:
                return facts
        return None

    def alternatives_for(self, model_id: str) -> Mapping[str, Any] | None:
        """Replacements recorded for ``model_id``: the first lockfile (root first) that records some."""
        for lockfile in self.lockfiles:
            entry = lockfile.alternatives_for(model_id)
            if entry is not None:
                return entry
        return None


def project_lockfile(root: Path, directory: str) -> Path:
    """The lockfile of the sub-project at ``directory`` (relative to ``root``): refused when it is a
    symlink out of the project, as it is read and written like the project's own."""
    return within_project(root / directory / LOCKFILE_NAME, root, what=f"{directory or '.'}/{LOCKFILE_NAME}")


def nearest_lockfiles(root: Path, located: Sequence[tuple[str, ModelRequest]]) -> NearestLockfiles | Lockfile | None:
    """The lockfiles for references at ``located`` (path relative to ``root``, request). One lockfile
    (the usual single project) is returned as it is; none gives None."""
    cache: dict[str, str] = {}
    read: dict[str, Lockfile | None] = {}
    order: dict[ModelRequest, list[Lockfile]] = {}
    directory_of: dict[str, str] = {}
    for rel_path, request in dict.fromkeys(located):  # a file names a model many times: ask once
        directory = directory_of.get(rel_path)
        if directory is None:
            directory = directory_of[rel_path] = nearest_directory(root, rel_path, (LOCKFILE_NAME,), cache)
        if directory not in read:
            read[directory] = read_lockfile(project_lockfile(root, directory))
        lockfile = read[directory]
        if lockfile is not None and lockfile not in order.setdefault(request, []):
            order[request].append(lockfile)
    if "" not in read:
        read[""] = read_lockfile(project_lockfile(root, ""))
    found = tuple(lockfile for _, lockfile in sorted(read.items()) if lockfile is not None)
    if len(found) <= 1:
        return found[0] if found else None
    return NearestLockfiles({request: tuple(files) for request, files in order.items()}, found)


def projects_of(root: Path, rel_paths: Iterable[str]) -> dict[str, list[str]]:
    """Sub-project directory -> the paths (of references) that belong to it."""
    cache: dict[str, str] = {}
    grouped: dict[str, list[str]] = {}
    for rel_path in rel_paths:
        grouped.setdefault(nearest_directory(root, rel_path, PROJECT_MARKERS, cache), []).append(rel_path)
    return grouped
