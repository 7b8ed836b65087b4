"""What a scan reads of ``.git`` to say which repository it is of (app/repo_identity.py) cannot hang it,
exhaust its memory, leak a credential or claim another repository: every file is read through the
safe-open (special files refused, size bounded, packed-refs a line at a time), the config is read with
git's own quoting rules, credentials are cut from the URL's text (no parser that can fail), and a
``.git`` file counts only when the git dir it names points back at the work tree."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from support.measure import measured_run
from support.project import write_tree

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

LOAD = 'from transformers import AutoModel\nAutoModel.from_pretrained("{}")\n'
SECRET = "pa55word-s3cret"


def _git(root: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True,
                          env=env).stdout.strip()


def _repository(tmp_path: Path, name: str = "repo") -> Path:
    root = write_tree(tmp_path / name, {"app.py": LOAD.format("acme/x")})
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "first")
    return root


def _scan_info(root: Path, limit_mb: float = 300) -> dict:
    """The report's ``scan`` object, scanned in a child process (a hang fails at the timeout) whose peak
    memory must stay under ``limit_mb``."""
    run = measured_run("scan", root, "--offline", "--format", "json", "--fail-on", "never", timeout=60)
    assert run.code == 0, run.stderr
    assert run.peak_mb < limit_mb, f"{run.peak_mb:.0f} MB"
    return run.json()["scan"]


#: Files planted together: HEAD is read first and alone; with HEAD intact, the branch's loose ref, then
#: packed-refs (when the loose ref cannot be read), and the config are each read in one scan.
PLANTED = [("HEAD",), ("refs/heads/main", "packed-refs", "config")]


def _plant(root: Path, names: tuple[str, ...], make) -> None:  # type: ignore[no-untyped-def]
    for name in names:
        planted = root / ".git" / name
        if planted.is_dir():
            shutil.rmtree(planted)
        planted.unlink(missing_ok=True)
        make(planted)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("names", PLANTED, ids="+".join)
def test_a_fifo_in_git_metadata_does_not_hang_the_scan(tmp_path: Path, names: tuple[str, ...]):
    root = _repository(tmp_path)
    _plant(root, names, os.mkfifo)
    assert _scan_info(root)["repository"] == "repo"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_in_place_of_git_does_not_stall_the_walk(tmp_path: Path):
    """git would wait on a .git FIFO until the walk's 10 s timeout; it is not started at all."""
    root = write_tree(tmp_path / "repo", {"app.py": LOAD.format("acme/x")})
    os.mkfifo(root / ".git")
    run = measured_run("scan", root, "--offline", "--format", "json", "--fail-on", "never", timeout=60)
    assert run.code == 0, run.stderr
    assert run.json()["scan"]["repository"] == "repo"
    assert not any("git took over" in n["message"] for n in run.json()["notes"])


@pytest.mark.parametrize("names", PLANTED, ids="+".join)
def test_a_device_in_git_metadata_is_not_read(tmp_path: Path, names: tuple[str, ...]):
    """/dev/zero never ends: read whole, it grew until MemoryError."""
    root = _repository(tmp_path)
    _plant(root, names, lambda planted: planted.symlink_to("/dev/zero"))
    assert _scan_info(root)["repository"] == "repo"


def _sparse(size: int, start: bytes = b""):  # type: ignore[no-untyped-def]
    def make(path: Path) -> None:
        with open(path, "wb") as handle:
            handle.write(start)
            handle.truncate(size)

    return make


@pytest.mark.parametrize("names", [(".git",), ("refs/heads/main", "packed-refs", "config")], ids="+".join)
def test_a_huge_git_metadata_file_costs_no_memory(tmp_path: Path, names: tuple[str, ...]):
    """A 200 MB .git file took 1.8 GB. Here 300 MB, sparse (no disk), in the place of each file read."""
    root = _repository(tmp_path)
    if names == (".git",):
        shutil.rmtree(root / ".git")
        _sparse(300 * 2**20, b"gitdir: ")(root / ".git")
    else:
        _plant(root, names, _sparse(300 * 2**20))
    assert _scan_info(root, limit_mb=150)["repository"] == "repo"


@pytest.mark.parametrize("written", [
    f'"https://mr-user:{SECRET};x@github.com/acme/widgets.git"',  # a quoted ';' starts no comment
    f'"https://mr-user:{SECRET}@github.com/acme/widgets.git "',  # a quoted trailing space
    f'"https://mr-user:{SECRET}@github.com/acme/widgets.git"  ; a comment',
    f'https://mr-user:{SECRET}\\"x@github.com/acme/widgets.git',  # an escaped quote
], ids=["quoted semicolon", "quoted trailing space", "quoted with comment", "escaped quote"])
def test_credentials_in_a_quoted_remote_url_are_removed(tmp_path: Path, written: str):
    root = _repository(tmp_path)
    with open(root / ".git" / "config", "a", encoding="utf-8") as handle:
        handle.write(f'[remote "origin"]\n\turl = {written}\n')
    info = _scan_info(root)
    assert info["remote_url"] == "https://github.com/acme/widgets.git"
    assert info["repository"] == "acme/widgets"


def test_a_remote_with_an_invalid_port_is_no_internal_error(tmp_path: Path):
    root = _repository(tmp_path)
    _git(root, "remote", "add", "origin", f"https://mr-user:{SECRET}@github.com:99999999/acme/widgets.git")
    info = _scan_info(root)
    assert info["remote_url"] == "https://github.com:99999999/acme/widgets.git"
    assert info["repository"] == "acme/widgets"


def test_a_git_file_cannot_claim_another_repositorys_identity(tmp_path: Path):
    other = _repository(tmp_path, "other")
    _git(other, "remote", "add", "origin", "https://github.com/victim/private-repo")
    planted = write_tree(tmp_path / "planted", {"app.py": LOAD.format("acme/x")})
    (planted / ".git").write_text(f"gitdir: {other / '.git'}\n")
    info = _scan_info(planted)
    assert info["repository"] == "planted"
    assert info["remote_url"] is None and info["commit"] is None


def test_a_submodules_git_file_still_names_it(tmp_path: Path):
    """Submodules (core.worktree) and linked work trees (their gitdir file) point back: they are believed."""
    sub = _repository(tmp_path, "sub")
    top = _repository(tmp_path, "top")
    _git(top, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub), "vendored")
    _git(top, "worktree", "add", "-q", "-b", "feature", str(tmp_path / "linked"))
    info = _scan_info(top / "vendored")
    assert (info["remote_url"], info["commit"]) == (str(sub), _git(sub, "rev-parse", "HEAD"))
    assert _scan_info(tmp_path / "linked")["branch"] == "feature"
