"""The one rule for every path a scanned repository names or holds.

A repository's config names files (rule packs, the lockfile, the baseline), and a repository holds files
at names model-risk knows (``model-risk.lock``, ``.model-risk-baseline.json``, the config itself, each
sub-project's lockfile). Any of them may be an absolute path, climb out with ``../``, or be a committed
symlink (dangling or not) to a file of the machine's. Reading such a file could put a secret into an
error message; writing it could change a file anywhere. So each must resolve, every symlink followed
(a dangling one too, to what it would create), to a place inside the project. The temporary folder
``.model-risk-tmp`` is held to a stricter rule in :mod:`common.fileio`: it is never a symlink.

Paths the user gives (command-line options, an explicit ``--config`` and what it names) are the user's
and are not limited.
"""

from __future__ import annotations

import os
from pathlib import Path

from model_risk.contract.errors import ConfigError


class OutsideProjectError(ConfigError):
    """A path a repository names or holds resolves outside the project."""


def inside(project: Path, path: Path) -> bool:
    """Whether ``path``, with every symlink followed (dangling ones to their target), is ``project`` or
    below it."""
    return Path(os.path.realpath(path)).is_relative_to(os.path.realpath(project))


def within_project(path: Path, project: Path, *, what: str, source: str | None = None,
                   line: int | None = None) -> Path:
    """``path`` when it resolves inside ``project``; else :class:`OutsideProjectError` naming ``what``,
    located at ``source``:``line`` (the config that named it) or at the path itself."""
    if inside(project, path):
        return path
    raise OutsideProjectError(f"{what} is outside the project (absolute paths, ../ and symlinks out are "
                              "refused)", path=source or str(path), line=line)
