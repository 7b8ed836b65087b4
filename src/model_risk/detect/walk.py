"""Finding the files to scan.

A directory is walked in sorted order without following directory symlinks (so no loops), skipping
version-control metadata, virtual environments, dependency folders and caches. Inside a git work tree
the ``.gitignore`` files (and ``.git/info/exclude``) apply as git applies them. Explicit files, as
pre-commit passes them, are taken as given.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from model_risk.contract.domain import Note

if TYPE_CHECKING:
    import pathspec

#: Directories that never hold a project's own model references.
SKIP_DIRS = frozenset({
    ".git", ".hg", ".svn", ".bzr", "node_modules", "__pycache__", ".tox", ".nox", ".venv", "venv",
    ".mypy_cache", ".pytest_cache", ".ruff_cache", ".hypothesis", ".eggs", "site-packages",
    ".ipynb_checkpoints", ".terraform", ".gradle", ".idea", ".vscode", ".model-risk-tmp",
})
#: Deeper directories are skipped with a note: each level costs a stack frame, and Python allows ~1000.
MAX_DEPTH = 256
#: A directory holding one of these files is a Python or conda environment.
ENVIRONMENT_MARKERS = ("pyvenv.cfg", "conda-meta")


@dataclass(frozen=True, slots=True)
class Candidate:
    abs_path: str
    #: Relative to the scan root, ``/``-separated, safe to print.
    rel_path: str
    #: Size in bytes when the walk knows it (0 otherwise): the runner sizes its batches by it.
    size: int = 0


def display_path(path: str) -> str:
    """A path that can be printed and written as UTF-8 even if the file name is not valid UTF-8."""
    return os.fsencode(path).decode("utf-8", "replace") if _has_surrogates(path) else path


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def relative_path(path: Path, root: Path) -> str:
    try:
        rel = path.relative_to(root)
    except ValueError:
        rel = Path(os.path.relpath(path, root))
    return display_path(rel.as_posix())


def find_git_root(start: Path) -> Path | None:
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return None


class _IgnoreRules:
    """The gitignore specs that apply to one directory, from the repository root down, plus the
    user's ``exclude`` patterns, which win over everything."""

    def __init__(self, specs: tuple[tuple[str, pathspec.GitIgnoreSpec], ...] = (),
                 exclude: pathspec.GitIgnoreSpec | None = None, skipped: list[str] | None = None) -> None:
        self.specs = specs
        self.exclude = exclude
        #: Directories whose .gitignore was too large to apply (shared by all the rules of one walk).
        self.skipped = skipped if skipped is not None else []

    def child(self, directory_rel: str, lines: list[str]) -> _IgnoreRules:
        import pathspec

        try:
            spec = pathspec.GitIgnoreSpec.from_lines(lines)
        except Exception:  # RE2 refuses a set of patterns that large (only when git cannot be used)
            self.skipped.append(directory_rel or ".")
            return self
        return _IgnoreRules((*self.specs, (directory_rel, spec)), self.exclude, self.skipped)

    def without_exclude(self) -> _IgnoreRules:
        return _IgnoreRules(self.specs, None, self.skipped)

    def excluded(self, rel_path: str, is_dir: bool) -> bool:
        """Whether the user's ``exclude`` patterns (not a .gitignore) leave ``rel_path`` out."""
        return self.exclude is not None and self.exclude.match_file(rel_path + "/" if is_dir else rel_path)

    def ignored(self, rel_path: str, is_dir: bool) -> bool:
        """Git semantics: the last matching pattern wins, deeper .gitignore files after shallower ones."""
        candidate = rel_path + "/" if is_dir else rel_path
        if self.exclude is not None and self.exclude.match_file(candidate):
            return True
        verdict = False
        for base, spec in self.specs:
            if base:
                if not candidate.startswith(base + "/"):
                    continue
                local = candidate[len(base) + 1:]
            else:
                local = candidate
            result = spec.check_file(local)
            if result.include is not None:
                verdict = result.include
        return verdict


class _GitIgnored:
    """What git itself says is ignored under the scan root (``git ls-files --others --ignored``), plus the
    user's ``exclude`` patterns. This costs about what ``git status`` costs, even for a 100,000-line
    .gitignore, which pathspec needs half a minute to compile (docs/security.md)."""

    def __init__(self, paths: frozenset[str], exclude: pathspec.GitIgnoreSpec | None) -> None:
        self.paths = paths
        self.exclude = exclude
        self.skipped: list[str] = []

    def child(self, directory_rel: str, lines: list[str]) -> _GitIgnored:
        return self  # git has read every .gitignore already

    def without_exclude(self) -> _GitIgnored:
        return _GitIgnored(self.paths, None)

    def excluded(self, rel_path: str, is_dir: bool) -> bool:
        return self.exclude is not None and self.exclude.match_file(rel_path + "/" if is_dir else rel_path)

    def ignored(self, rel_path: str, is_dir: bool) -> bool:
        candidate = rel_path + "/" if is_dir else rel_path
        if self.exclude is not None and self.exclude.match_file(candidate):
            return True
        return candidate in self.paths


#: git's wildmatch is polynomial of high degree in the stars of a pattern (``*a*a*a*a*a*a*a*b`` against a
#: 60-character name: a minute): past this many seconds, model-risk's own linear matcher takes over.
GIT_TIMEOUT = 10.0


class GitTooSlow(Exception):
    pass


#: Either kind of ignore rules: git's answer, or model-risk's own matcher.
_Rules = _IgnoreRules | _GitIgnored


def _git_ignored_paths(root: Path) -> frozenset[str] | None:
    """The ignored, untracked files and directories (``dir/``) under ``root``, relative to it; None when
    git is not installed or refuses (a repository owned by someone else, say). Raises GitTooSlow."""
    from model_risk.common.git import GitUnavailable, run_git

    # Through the one git helper: nothing a scanned repository's .git/config names is run.
    try:
        done = run_git(root, "ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory",
                       timeout=GIT_TIMEOUT)
    except GitUnavailable as exc:
        if exc.timed_out:
            raise GitTooSlow from None
        return None
    if done.returncode != 0:
        return None
    return frozenset(display_path(os.fsdecode(p)) for p in done.stdout.split(b"\0") if p)


#: The most of one .gitignore (or .git/info/exclude) model-risk applies itself; git reads larger ones.
MAX_IGNORE_FILE = 16 * 1024 * 1024


def _read_lines(path: Path) -> list[str] | None:
    from model_risk.common.fileio import read_bytes

    try:  # a FIFO or device planted as a .gitignore is refused, not read
        return read_bytes(path, limit=MAX_IGNORE_FILE).decode("utf-8", "replace").splitlines()
    except OSError:
        return None


class Walker:
    """Yields the candidate files under the given paths; records what it skipped as notes."""

    def __init__(self, root: Path, *, accepts: Callable[[str], bool],
                 exclude: Sequence[str] = (), use_gitignore: bool = True) -> None:
        self.root = root
        self.accepts = accepts
        self.notes: list[Note] = []
        self._exclude = exclude
        self._git_root = find_git_root(root) if use_gitignore else None

    # -- ignore rules ------------------------------------------------------------------------
    def _base_rules(self) -> _Rules | None:
        """Rules in force at the scan root: repository-wide excludes and the .gitignore files above it."""
        exclude = None
        if self._exclude:
            import pathspec

            exclude = pathspec.GitIgnoreSpec.from_lines(list(self._exclude))
        if self._git_root is None:
            return _IgnoreRules((), exclude) if exclude is not None else None
        try:
            ignored_by_git = _git_ignored_paths(self.root)
        except GitTooSlow:
            ignored_by_git = None
            self.notes.append(Note(f"git took over {GIT_TIMEOUT:.0f}s to apply the .gitignore files (a pattern "
                                   "with many *?); model-risk applied them itself", ".", level="warning"))
        if ignored_by_git is not None:
            return _GitIgnored(ignored_by_git, exclude)
        rules = _IgnoreRules((), exclude)
        git_root = self._git_root
        sources = [(git_root / ".git" / "info" / "exclude", git_root)]
        above = self.root.relative_to(git_root).parts
        for i in range(len(above)):
            directory = git_root.joinpath(*above[:i])
            sources.append((directory / ".gitignore", directory))
        for path, base in sources:
            lines = _read_lines(path)
            if lines:
                rules = rules.child("", _reanchor(lines, base, self.root))
        return rules

    def _rules_for(self, directory: Path, base: _Rules | None) -> _Rules | None:
        """Rules in force inside ``directory`` before its own .gitignore: those of the directories
        between the scan root and it."""
        if base is None or self._git_root is None or isinstance(base, _GitIgnored):
            return base
        try:
            parts = directory.relative_to(self.root).parts
        except ValueError:
            return base
        rules = base
        for i in range(len(parts)):
            above = self.root.joinpath(*parts[:i])
            lines = _read_lines(above / ".gitignore")
            if lines:
                rules = rules.child("/".join(parts[:i]), lines)
        return rules

    # -- walking -----------------------------------------------------------------------------
    def walk(self, paths: Sequence[Path]) -> Iterator[Candidate]:
        base_rules: _Rules | None = None
        loaded = False
        for path in paths:
            if path.is_dir() and not path.is_symlink():
                if not loaded:  # explicit files (pre-commit) never need the ignore rules
                    base_rules, loaded = self._base_rules(), True
                rel = relative_path(path, self.root)
                rules = self._rules_for(path, base_rules)
                if rel != "." and rules is not None and rules.excluded(rel, True):
                    # Named on the command line: scanned although the configuration leaves it out, as an
                    # explicit file is (and as ruff does); the walk below it applies the .gitignore files.
                    self.notes.append(Note("scanned although the configuration's exclude: covers it (named "
                                           "explicitly)", rel, level="info"))
                    rules = rules.without_exclude()
                if rel != "." and rules is not None and rules.ignored(rel, True):
                    self.notes.append(Note("not scanned: ignored by a .gitignore", rel, level="warning"))
                    continue
                yield from self._walk_dir(path, "" if rel == "." else rel, rules)
            elif path.is_file():
                if self.accepts(path.name):
                    yield Candidate(str(path), relative_path(path, self.root))
            elif path.is_symlink():
                self.notes.append(Note("skipped: broken symlink", relative_path(path, self.root)))
            elif not path.exists():
                self.notes.append(Note("skipped: no such file or directory", relative_path(path, self.root),
                                       level="error"))
            else:  # a FIFO or device named on the command line: said, not skipped in silence
                self.notes.append(Note("skipped: not a regular file (a FIFO or device)",
                                       relative_path(path, self.root), level="warning"))
        for directory in base_rules.skipped if base_rules is not None else ():
            self.notes.append(Note("not applied: this .gitignore has more patterns than model-risk's matcher "
                                   "takes", f"{directory}/.gitignore" if directory != "." else ".gitignore"))

    def _walk_dir(self, directory: Path, rel_dir: str, rules: _Rules | None) -> Iterator[Candidate]:
        if rel_dir.count("/") >= MAX_DEPTH:
            self.notes.append(Note(f"skipped directory: nested more than {MAX_DEPTH} levels deep", rel_dir))
            return
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda e: e.name)
        except PermissionError:
            self.notes.append(Note("skipped directory: permission denied", rel_dir or "."))
            return
        except OSError as exc:
            self.notes.append(Note(f"skipped directory: {exc.strerror}", rel_dir or "."))
            return
        names = {e.name for e in entries}
        if rel_dir and any(marker in names for marker in ENVIRONMENT_MARKERS):
            return
        if rules is not None and self._git_root is not None and ".gitignore" in names:
            lines = _read_lines(directory / ".gitignore")
            if lines:
                rules = rules.child(rel_dir, lines)
        subdirs: list[tuple[os.DirEntry[str], str]] = []
        for entry in entries:
            name = display_path(entry.name)
            rel = f"{rel_dir}/{name}" if rel_dir else name
            try:
                if entry.is_symlink():
                    self._note_symlink(entry, rel)
                    continue
                is_dir = entry.is_dir()
            except OSError:
                continue
            if is_dir:
                if entry.name in SKIP_DIRS:
                    continue
                if rules is not None and rules.ignored(rel, True):
                    continue
                subdirs.append((entry, rel))
            elif self.accepts(entry.name):
                if rules is not None and rules.ignored(rel, False):
                    continue
                try:
                    regular = entry.is_file()
                    size = entry.stat().st_size if regular else 0
                except OSError:
                    regular = False
                if not regular:  # a FIFO or device would block or never end
                    self.notes.append(Note("skipped: not a regular file", rel, level="info"))
                    continue
                yield Candidate(entry.path, rel, size)
        for entry, rel in subdirs:
            yield from self._walk_dir(Path(entry.path), rel, rules)

    def _note_symlink(self, entry: os.DirEntry[str], rel: str) -> None:
        """Symlinks are not followed; say so when what they point at will not be scanned otherwise."""
        try:
            target = Path(entry.path).resolve(strict=True)
        except (OSError, RuntimeError):
            self.notes.append(Note("skipped: broken symlink or symlink loop", rel))
            return
        try:
            target.relative_to(self.root.resolve())
        except ValueError:
            self.notes.append(Note("skipped: symlink to a path outside the scan root", rel, level="info"))


def _reanchor(lines: list[str], base: Path, root: Path) -> list[str]:
    """Rewrite gitignore lines from a directory above the scan root so they match root-relative paths.

    Unanchored patterns (no slash but a trailing one) match at any depth and need no change. Anchored
    patterns are relative to ``base``; those that point inside the scan root are re-rooted and the
    rest cannot match anything we walk and are dropped.
    """
    if base == root:
        return lines
    prefix = root.relative_to(base).as_posix() + "/"
    out: list[str] = []
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        body = line[1:] if negate else line
        anchored = "/" in body.rstrip("/")
        if not anchored:
            out.append(line)
            continue
        body = body.lstrip("/")
        if body.startswith("**/"):
            out.append(line)
        elif body.startswith(prefix):
            out.append(("!" if negate else "") + "/" + body[len(prefix):])
    return out
