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
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from model_risk.common.fileio import open_regular, read_bytes
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
    not a secret, and stays; one with a password (``user:token@host:o/r``) loses both. Works on the text
    alone, so no URL makes it fail (an invalid port, brackets, stray characters)."""
    scheme, separator, rest = url.partition("://")
    if separator:
        end = min((i for i in (rest.find("/"), rest.find("?"), rest.find("#")) if i >= 0), default=len(rest))
        authority = rest[:end]
        if "@" not in authority:
            return url
        return f"{scheme}://{authority.rpartition('@')[2]}{rest[end:]}"
    host, slash, path = url.partition("/")
    user, at, address = host.rpartition("@")
    if at and ":" in user:
        return address + slash + path
    return url


def name_from_remote(url: str) -> str | None:
    """``owner/name`` (or ``group/sub/name``) for a hosted remote; the last path part for a local one."""
    if "://" in url:
        scheme, _, rest = url.partition("://")
        path = rest[len(rest.split("/", 1)[0]):].split("?", 1)[0].split("#", 1)[0]
        hosted = scheme.lower() != "file"
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


#: Bounds on what is read of the files in .git: HEAD, a loose ref, a .git file and commondir are one
#: line; the config a page; packed-refs is read a line at a time, up to its bound.
MAX_LINE_FILE = 64 * 1024
MAX_CONFIG = 1024 * 1024
MAX_PACKED_REFS = 256 * 1024 * 1024


def _read(path: Path, limit: int = MAX_LINE_FILE) -> str | None:
    """A file of .git, through the safe-open: a FIFO, a device or a file over ``limit`` is None."""
    try:
        return read_bytes(path, limit=limit).decode("utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None


def _git_dirs(top: Path) -> tuple[Path, Path] | None:
    """(the work tree's git dir, the common git dir holding refs and config) for a work tree top.

    A ``.git`` file is believed only when the git dir it names points back at this work tree, as those
    of linked work trees (their ``gitdir`` file) and submodules (``core.worktree``) do: a ``.git`` file
    planted in a scanned tree must not give it another repository's name, remote and commit."""
    dot_git = top / ".git"
    if not dot_git.is_file():
        return (dot_git, dot_git) if dot_git.is_dir() else None
    text = _read(dot_git)
    if not text or not text.startswith("gitdir:"):
        return None
    git_dir = Path(os.path.realpath(top / text[len("gitdir:"):].strip()))
    if not _points_back(git_dir, top):
        return None
    common = git_dir
    commondir = _read(git_dir / "commondir")
    if commondir:  # a linked work tree (git worktree add)
        common = Path(os.path.realpath(git_dir / commondir))
    return git_dir, common


def _points_back(git_dir: Path, top: Path) -> bool:
    here = os.path.realpath(top)
    back = _read(git_dir / "gitdir")  # a linked work tree: the path of its .git file
    if back:
        return os.path.realpath(os.path.dirname(os.path.join(git_dir, back))) == here
    config = _read(git_dir / "config", MAX_CONFIG)
    worktree = config_value(config, "core", None, "worktree") if config else None
    return worktree is not None and os.path.realpath(os.path.join(git_dir, worktree)) == here


def _packed_ref(common: Path, ref: str) -> str | None:
    """The sha ``packed-refs`` records for ``ref``, read a line at a time (a huge file costs no memory)."""
    try:
        fd = open_regular(common / "packed-refs")
    except OSError:
        return None
    wanted = f" {ref}".encode()
    longest = len(wanted) + 66  # a SHA-256 sha, a space, the ref and the line end
    read = 0
    whole_line = True  # whether the next chunk starts a line
    with os.fdopen(fd, "rb") as handle:
        while read <= MAX_PACKED_REFS and (chunk := handle.readline(longest + 1)):
            read += len(chunk)
            starts_line, whole_line = whole_line, chunk.endswith(b"\n")
            line = chunk.rstrip(b"\r\n")
            if starts_line and whole_line and line.endswith(wanted):
                sha = line[: -len(wanted)].decode("ascii", "replace")
                if _SHA.fullmatch(sha):
                    return sha
    return None


def _ref_sha(common: Path, git_dir: Path, ref: str) -> str | None:
    for directory in (git_dir, common):
        value = _read(directory / ref)
        if value and _SHA.fullmatch(value):
            return value
    return _packed_ref(common, ref)


def _remote_url(common: Path) -> str | None:
    text = _read(common / "config", MAX_CONFIG)
    if not text:
        return None
    # origin when there is one (git clone's name); otherwise the first, so a fork's "upstream" is not preferred
    url = config_value(text, "remote", "origin", "url")
    if url is None:
        url = next((value for section, _sub, key, value in config_entries(text)
                    if section == "remote" and key == "url" and value), None)
    return url.strip() or None if url is not None else None


def config_entries(text: str) -> Iterator[tuple[str, str | None, str, str | None]]:
    """(section, subsection, key, value) of each setting in a git config file, read as git reads it:
    quoted parts, the escapes ``\\"`` ``\\\\`` ``\\n`` ``\\t`` ``\\b``, line continuations, comments
    after ``;`` or ``#`` outside quotes, whitespace outside quotes trimmed at the ends and kept inside.
    Section and key names are lower-cased, subsections kept. Stops at the first line git would refuse.
    (configparser knows none of this: a quoted URL kept its quotes, and with them its password.)"""
    section: str | None = None
    subsection: str | None = None
    position, size = 0, len(text)
    while position < size:
        while position < size and text[position] in " \t\r\n":
            position += 1
        if position >= size:
            return
        char = text[position]
        if char in ";#":
            position = _line_end(text, position)
            continue
        if char == "[":
            header = _section_header(text, position)
            if header is None:
                return
            section, subsection, position = header
            continue
        match = _KEY.match(text, position)
        if match is None or section is None:
            return
        key, position = match.group(1).lower(), match.end()
        while position < size and text[position] in " \t":
            position += 1
        if position >= size or text[position] in "\n;#" or text[position:position + 2] == "\r\n":
            yield section, subsection, key, None  # a key alone: boolean true
            position = _line_end(text, position)
            continue
        if text[position] != "=":
            return
        parsed = _value(text, position + 1)
        if parsed is None:
            return
        value, position = parsed
        yield section, subsection, key, value


def config_value(text: str, section: str, subsection: str | None, key: str) -> str | None:
    """The first value of ``section.subsection.key`` in a git config file's text, or None."""
    return next((value for s, sub, k, value in config_entries(text)
                 if s == section and sub == subsection and k == key and value is not None), None)


_KEY = re.compile(r"([A-Za-z][A-Za-z0-9-]*)")


def _line_end(text: str, position: int) -> int:
    end = text.find("\n", position)
    return len(text) if end < 0 else end + 1


def _section_header(text: str, position: int) -> tuple[str, str | None, int] | None:
    """``[section]``, ``[section "sub"]`` or the old ``[section.sub]`` at ``position``."""
    match = re.compile(r'\[[ \t]*([A-Za-z0-9.-]+)[ \t]*(?:"((?:[^"\\\n]|\\.)*)")?[ \t]*\]').match(text, position)
    if match is None:
        return None
    name, quoted = match.group(1), match.group(2)
    if quoted is not None:
        return name.lower(), re.sub(r"\\(.)", r"\1", quoted), match.end()
    section, dot, old_sub = name.partition(".")
    return section.lower(), (old_sub.lower() if dot else None), match.end()


def _value(text: str, position: int) -> tuple[str, int] | None:
    """The value that starts at ``position`` (after ``=``), as git's parse_value reads it, and where the
    next line starts; None for an unknown escape or a quote left open at the end of the line."""
    out: list[str] = []
    quoted = comment = False
    spaces = 0
    size = len(text)
    while True:
        if position >= size:
            return (None if quoted else "".join(out)), position  # type: ignore[return-value]
        char = text[position]
        position += 1
        if char == "\n":
            return None if quoted else ("".join(out), position)
        if comment:
            continue
        if char in " \t\r\f\v" and not quoted:
            if out:
                spaces += 1
            continue
        if not quoted and char in ";#":
            comment = True
            continue
        out.append(" " * spaces)
        spaces = 0
        if char == "\\":
            escaped = text[position] if position < size else ""
            position += 1
            if escaped == "\n":
                continue
            if escaped in ('"', "\\"):
                out.append(escaped)
            elif escaped in _ESCAPES:
                out.append(_ESCAPES[escaped])
            else:
                return None
            continue
        if char == '"':
            quoted = not quoted
            continue
        out.append(char)


_ESCAPES = {"n": "\n", "t": "\t", "b": "\b"}


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
