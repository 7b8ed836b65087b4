"""Which repository a scan was of: name, remote URL (credentials stripped), commit and branch.

An organisation-wide merge (``model-risk merge``) names each report's repository by these. They are read
from the ``.git`` files directly rather than by running ``git``: a pre-commit scan pays for every
process it starts, and the three facts need only HEAD, the refs and the config file.

In GitHub Actions, ``GITHUB_REPOSITORY``, ``GITHUB_SHA`` and ``GITHUB_REF_NAME`` describe the workflow's
own checkout (``GITHUB_WORKSPACE``); they take precedence for a scan of that checkout only. A scan of
another repository checked out below it (a fan-out job scanning ``owner/other`` into a sub-folder)
keeps that repository's own remote, which is what the org report needs.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from model_risk.detect.walk import find_git_root

_SHA = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")  # SHA-1, or SHA-256 object format


@dataclass(frozen=True)
class RepositoryIdentity:
    name: str
    remote_url: str | None = None
    commit: str | None = None
    branch: str | None = None


def strip_credentials(url: str) -> str:
    """``url`` without user name or password: ``https://x-access-token:ghs_…@github.com/o/r`` is a
    secret in a report. The user of an scp-like ssh address (``git@github.com:o/r``) is a login name,
    not a secret, and stays."""
    if "://" not in url:
        return url
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def name_from_remote(url: str) -> str | None:
    """``owner/name`` (or ``group/sub/name``) for a hosted remote; the last path part for a local one."""
    if "://" in url:
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        path = parts.path
        hosted = parts.scheme != "file"
    elif re.match(r"^[^/]+@[^/:]+:", url) or re.match(r"^[A-Za-z0-9.-]+:(?!/)", url):
        path = url.split(":", 1)[1]  # scp-like: [user@]host:path
        hosted = True
    else:
        path, hosted = url, False
    path = path.strip("/")
    if path.endswith(".git"):
        path = path[:-4]
    if not path:
        return None
    return path if hosted else path.rsplit("/", 1)[-1]


def _git_dirs(top: Path) -> tuple[Path, Path] | None:
    """(the work tree's git dir, the common git dir holding refs and config) for a work tree top."""
    dot_git = top / ".git"
    try:
        if dot_git.is_file():
            text = dot_git.read_text(encoding="utf-8").strip()
            if not text.startswith("gitdir:"):
                return None
            git_dir = Path(text[len("gitdir:"):].strip())
            if not git_dir.is_absolute():
                git_dir = (top / git_dir).resolve()
        else:
            git_dir = dot_git
        common = git_dir
        commondir = git_dir / "commondir"
        if commondir.is_file():  # a linked work tree (git worktree add)
            common = (git_dir / commondir.read_text(encoding="utf-8").strip()).resolve()
        return git_dir, common
    except OSError:
        return None


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None


def _ref_sha(common: Path, git_dir: Path, ref: str) -> str | None:
    for directory in (git_dir, common):
        value = _read(directory / ref)
        if value and _SHA.fullmatch(value):
            return value
    packed = _read(common / "packed-refs") or ""
    for line in packed.splitlines():
        sha, _, name = line.partition(" ")
        if name == ref and _SHA.fullmatch(sha):
            return sha
    return None


def _remote_url(common: Path) -> str | None:
    import configparser  # only here: a pre-commit run pays for every module it imports

    parser = configparser.RawConfigParser(strict=False)
    try:
        parser.read(common / "config", encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return None
    remotes = [s for s in parser.sections() if s.startswith('remote "') and parser.has_option(s, "url")]
    if not remotes:
        return None
    # origin when there is one (git clone's name); otherwise the first, so a fork's "upstream" is not preferred
    chosen = 'remote "origin"' if 'remote "origin"' in remotes else remotes[0]
    return parser.get(chosen, "url").strip() or None


def _from_git(top: Path, fallback_name: str) -> RepositoryIdentity | None:
    dirs = _git_dirs(top)
    if dirs is None:
        return None
    git_dir, common = dirs
    head = _read(git_dir / "HEAD")
    commit = branch = None
    if head and head.startswith("ref:"):
        ref = head[4:].strip()
        branch = ref.removeprefix("refs/heads/") if ref.startswith("refs/heads/") else None
        commit = _ref_sha(common, git_dir, ref)
    elif head and _SHA.fullmatch(head):
        commit = head  # detached HEAD (what CI checkouts do): no branch
    raw_url = _remote_url(common)
    url = strip_credentials(raw_url) if raw_url else None
    name = (name_from_remote(url) if url else None) or fallback_name
    return RepositoryIdentity(name=name, remote_url=url, commit=commit, branch=branch)


def _from_github(root: Path, top: Path | None) -> RepositoryIdentity | None:
    env = os.environ
    repository = env.get("GITHUB_REPOSITORY")
    workspace = env.get("GITHUB_WORKSPACE")
    if env.get("GITHUB_ACTIONS") != "true" or not repository or not workspace:
        return None
    workspace_path = Path(workspace).resolve()
    if top is not None and top != workspace_path:
        return None  # another repository checked out inside the workspace: its own git says what it is
    if top is None and not root.is_relative_to(workspace_path):
        return None
    server = env.get("GITHUB_SERVER_URL") or "https://github.com"
    return RepositoryIdentity(name=repository, remote_url=strip_credentials(f"{server.rstrip('/')}/{repository}"),
                              commit=env.get("GITHUB_SHA") or None, branch=env.get("GITHUB_REF_NAME") or None)


def identify(root: Path) -> RepositoryIdentity:
    """What the repository at scan root ``root`` is called, where it lives, and which commit was scanned."""
    resolved = root.resolve()
    top = find_git_root(resolved)
    github = _from_github(resolved, top)
    if github is not None:
        return github
    fallback_name = resolved.name or str(resolved)
    if top is not None:
        found = _from_git(top, fallback_name)
        if found is not None:
            return found
    return RepositoryIdentity(name=fallback_name)
