"""Running git on a tree model-risk scans: the one helper every git call goes through.

A scanned repository's ``.git/config`` (and any file it includes) can name programs that git runs on its
own: an fsmonitor hook, clean and smudge filters and filter processes (chosen by ``.gitattributes``),
textconv and external diff drivers, hooks, a pager, credential helpers, an ssh command, transports. A
scan must run none of them, so each call here overrides every such setting on the command line, where a
setting beats every config file:

- ``core.fsmonitor=false``, ``core.hooksPath`` pointing at an empty place, ``core.pager=cat``,
  ``diff.external`` and ``credential.helper`` and ``core.sshCommand`` and ``core.askPass`` emptied,
  ``gc.auto=0`` and ``maintenance.auto=false`` (no background git), no submodule recursion;
- for every filter, diff and merge driver the repository's configuration names (read with ``git config
  --list``, includes followed, which runs nothing): its ``clean``, ``smudge``, ``process``, ``textconv``,
  ``command`` and ``driver`` emptied and ``required`` off, so git treats the file as unfiltered;
- ``protocol.allow=never`` and ``GIT_ALLOW_PROTOCOL`` (which wins over config): no transport unless the
  caller allows one by name (the Action's fetch of the base branch allows ``https``);
- ``GIT_CONFIG_NOSYSTEM``: the machine-wide config is not read; ``GIT_TERMINAL_PROMPT=0``: never a prompt.

Overrides are passed as ``GIT_CONFIG_COUNT``/``GIT_CONFIG_KEY_n``/``GIT_CONFIG_VALUE_n`` (git 2.31), which
keep a driver name with ``=`` or spaces in it intact, as ``-c`` would not.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path

#: Settings that would otherwise let a repository's configuration start a program, or reach the network.
FIXED_SETTINGS: tuple[tuple[str, str], ...] = (
    ("core.fsmonitor", "false"),
    ("core.hooksPath", os.devnull),
    ("core.pager", "cat"),
    ("core.sshCommand", ""),
    ("core.gitProxy", ""),
    ("core.askPass", ""),
    ("core.alternateRefsCommand", ""),
    ("credential.helper", ""),
    ("diff.external", ""),
    ("gc.auto", "0"),
    ("maintenance.auto", "false"),
    ("fetch.recurseSubmodules", "false"),
    ("submodule.recurse", "false"),
    ("protocol.allow", "never"),
)
#: Per driver: the keys that name a program, and what they are set to.
DRIVER_SETTINGS: dict[str, tuple[tuple[str, str], ...]] = {
    "filter": (("clean", ""), ("smudge", ""), ("process", ""), ("required", "false")),
    "diff": (("textconv", ""), ("command", "")),
    "merge": (("driver", ""),),
}


_DROPPED_ENV = frozenset({"GIT_EXTERNAL_DIFF", "GIT_PAGER", "GIT_ASKPASS", "SSH_ASKPASS", "GIT_SSH",
                          "GIT_SSH_COMMAND", "GIT_PROXY_COMMAND", "GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT",
                          "GIT_CONFIG_SYSTEM"})


class GitUnavailable(Exception):
    """git is not installed, or did not finish in time (``timed_out``)."""

    def __init__(self, message: str, *, timed_out: bool = False) -> None:
        super().__init__(message)
        self.timed_out = timed_out


def _environment(overrides: Sequence[tuple[str, str]], allow_protocols: Iterable[str]) -> dict[str, str]:
    # Programs the environment would name are dropped too, and settings passed in it are replaced by ours.
    env = {key: value for key, value in os.environ.items()
           if key not in _DROPPED_ENV and not key.startswith(("GIT_CONFIG_KEY_", "GIT_CONFIG_VALUE_"))}
    allowed = list(allow_protocols)
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_TERMINAL_PROMPT="0", GIT_PAGER="cat", PAGER="cat",
               GIT_PROTOCOL_FROM_USER="0", GIT_ALLOW_PROTOCOL=":".join(allowed) or "none",
               GIT_CONFIG_COUNT=str(len(overrides)))
    for index, (key, value) in enumerate(overrides):
        env[f"GIT_CONFIG_KEY_{index}"] = key
        env[f"GIT_CONFIG_VALUE_{index}"] = value
    return env


def _run(repo: Path, args: Sequence[str], env: dict[str, str], timeout: float) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, stdin=subprocess.DEVNULL,
                              env=env, timeout=timeout, check=False)
    except FileNotFoundError:
        raise GitUnavailable("git is not installed") from None
    except subprocess.TimeoutExpired:
        raise GitUnavailable(f"git {args[0]} did not finish in {timeout:g} s", timed_out=True) from None
    except OSError as exc:
        raise GitUnavailable(f"cannot run git: {exc.strerror or exc}") from None


def driver_overrides(names: Iterable[str]) -> list[tuple[str, str]]:
    """The settings that empty every filter, diff and merge driver among the config keys ``names``."""
    drivers: dict[tuple[str, str], None] = {}
    for name in names:
        section, _, rest = name.partition(".")
        subsection, dot, _key = rest.rpartition(".")
        if dot and subsection and section.lower() in DRIVER_SETTINGS:
            drivers[(section.lower(), subsection)] = None
    return [(f"{section}.{subsection}.{key}", value)
            for section, subsection in drivers for key, value in DRIVER_SETTINGS[section]]


_drivers_of: dict[str, list[tuple[str, str]]] = {}


def _safe_overrides(repo: Path, timeout: float) -> list[tuple[str, str]]:
    key = os.path.realpath(repo)
    if key not in _drivers_of:
        listed = _run(repo, ["config", "--list", "--null", "--name-only"], _environment(FIXED_SETTINGS, ()),
                      timeout)
        names = [item.decode("utf-8", "replace") for item in listed.stdout.split(b"\0") if item] \
            if listed.returncode == 0 else []
        _drivers_of[key] = driver_overrides(names)
    return [*FIXED_SETTINGS, *_drivers_of[key]]


#: Files of a git dir that every git command reads: one that is a FIFO or a device would stall git
#: until the timeout (HEAD as a FIFO: git waits for a writer), so git is not run at all.
_READ_BY_EVERY_COMMAND = ("HEAD", "config", "index", "packed-refs", "commondir", "info/exclude")


def _special_file_in_git_dir(repo: Path) -> str | None:
    """The first of :data:`_READ_BY_EVERY_COMMAND` in the git dir above ``repo`` that exists and is not a
    regular file (symlinks followed, as git follows them)."""
    import stat

    for directory in (repo, *repo.parents):
        git_dir = directory / ".git"
        try:
            if not git_dir.is_dir():
                if git_dir.is_file():
                    return None  # a .git file (work trees, submodules): git reads the one line itself
                if git_dir.exists():
                    return ".git"  # a FIFO or device where .git belongs
                continue
        except OSError:
            return None
        for name in _READ_BY_EVERY_COMMAND:
            try:
                mode = os.stat(git_dir / name).st_mode
            except OSError:
                continue
            if not stat.S_ISREG(mode):
                return f".git/{name}"
        return None
    return None


def run_git(repo: Path, *args: str, timeout: float, allow_protocols: Sequence[str] = ()
            ) -> subprocess.CompletedProcess[bytes]:
    """``git -C repo ARGS`` with nothing of the repository's configuration able to run a program (see the
    module's docstring); output captured, stdin closed. Raises :class:`GitUnavailable` when git is
    missing, would read a FIFO or device in the git dir, or runs past ``timeout`` seconds; a failing
    command is returned with its exit status."""
    special = _special_file_in_git_dir(Path(os.path.abspath(repo)))
    if special is not None:
        raise GitUnavailable(f"{special} is not a regular file: git is not run")
    overrides = _safe_overrides(repo, timeout)
    if allow_protocols:
        overrides = [*overrides, *((f"protocol.{name}.allow", "always") for name in allow_protocols)]
    return _run(repo, args, _environment(overrides, allow_protocols), timeout)
