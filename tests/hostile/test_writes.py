"""Writes stay where they belong, and never replace what is not a regular file.

Reports go through device files, FIFOs and symlinks instead of renaming over them; the lockfile and
baseline a repository's config names stay inside the project; what an interrupted write leaves behind is
git-ignored, recognisable, and cleaned by the next run.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from support.project import write_tree

LOAD = 'from transformers import AutoModel\nAutoModel.from_pretrained("{}")\n'


def _null_device(path: Path) -> Path:
    """A private /dev/null (same device numbers): the test never touches the machine's own."""
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, AttributeError, OSError):
        pytest.skip("needs mknod (root)")
    return path


def test_output_to_a_null_device_writes_through_and_leaves_it_a_device(cli, project, tmp_path: Path):
    root = project({"app.py": LOAD.format("acme/x")})
    null = _null_device(tmp_path / "null")
    run = cli("scan", root, "--offline", "--format", "json", "--output", null, "--fail-on", "never")
    assert run.code == 0, run.stderr
    assert stat.S_ISCHR(os.stat(null).st_mode)
    assert not (tmp_path / ".model-risk-tmp").exists()


def test_output_to_dev_stdout_writes_through(tmp_path: Path):
    root = write_tree(tmp_path / "p", {"app.py": LOAD.format("acme/x")})
    run = subprocess.run([sys.executable, "-m", "model_risk", "scan", str(root), "--offline", "--format", "json",
                          "--output", "/dev/stdout", "--fail-on", "never"], capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["references"][0]["model"] == "acme/x"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_output_to_a_fifo_reaches_its_reader_or_is_an_error_without_one(cli, project, tmp_path: Path):
    root = project({"app.py": LOAD.format("acme/x")})
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    no_reader = cli("scan", root, "--offline", "--format", "json", "--output", fifo, "--fail-on", "never")
    assert no_reader.code == 2
    assert "a FIFO with no reader" in no_reader.stderr
    received = _through_fifo(fifo, lambda: cli("scan", root, "--offline", "--format", "json", "--output", fifo,
                                               "--fail-on", "never"))
    assert json.loads(received)["references"][0]["model"] == "acme/x"
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def _through_fifo(fifo: Path, write) -> bytes:  # type: ignore[no-untyped-def]
    """What ``write()`` sends into ``fifo`` once a reader has opened its other end."""
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    try:
        for _ in range(100):  # until the reader has opened its end
            run = write()
            if run.code == 0:
                break
    finally:
        reader.join(timeout=30)
    assert run.code == 0, run.stderr
    return received[0]


def _written_models(fmt: str, path: Path) -> list[str]:
    if fmt == "sqlite":  # the database has its own writer: the same safe-write holds for it
        import sqlite3

        return [row[0] for row in sqlite3.connect(path).execute("SELECT written FROM model_references")]
    return [r["model"] for r in json.loads(path.read_text())["references"]]


@pytest.mark.parametrize("fmt", ["json", "sqlite"])
def test_output_to_a_symlink_updates_its_target_and_keeps_the_link(cli, project, tmp_path: Path, fmt: str):
    root = project({"app.py": LOAD.format("acme/x")})
    target = tmp_path / "reports" / "real.out"
    target.parent.mkdir()
    target.write_text("old")
    link = tmp_path / "link.out"
    link.symlink_to(target)
    run = cli("scan", root, "--offline", "--format", fmt, "--output", link, "--fail-on", "never")
    assert run.code == 0, run.stderr
    assert link.is_symlink()
    assert _written_models(fmt, target) == ["acme/x"]


@pytest.mark.parametrize("setting", ["lockfile: ../../stolen.lock", "lockfile: /tmp/stolen.lock",
                                     "baseline: ../outside.json", "lockfile: link/model-risk.lock"])
def test_a_repository_config_cannot_point_writes_outside_the_project(cli, project, tmp_path: Path, setting):
    root = project({"app.py": LOAD.format("acme/x"), ".model-risk.yaml": setting + "\n"})
    (tmp_path / "elsewhere").mkdir()
    (root / "link").symlink_to(tmp_path / "elsewhere")
    for command in (["lock", str(root), "--offline"], ["baseline", str(root), "--offline"]):
        run = cli(*command)
        assert run.code == 2, run.stderr
        assert "is outside the project" in run.stderr and ".model-risk.yaml:1:" in run.stderr
    assert not list((tmp_path / "elsewhere").iterdir()) and not Path("/tmp/stolen.lock").exists()


_CRASH_DURING_WRITE = """
import os
_real_fsync = os.fsync
def _fsync(fd):
    if ".model-risk.lock." in os.readlink(f"/proc/self/fd/{fd}"):
        os._exit(9)
    _real_fsync(fd)
os.fsync = _fsync
"""


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir() or shutil.which("git") is None, reason="needs /proc, git")
def test_an_interrupted_write_leaves_a_git_ignored_temp_file_that_the_next_run_removes(tmp_path: Path, hub):
    root = write_tree(tmp_path / "p", {"app.py": LOAD.format("gpt2")})
    subprocess.run(["git", "-C", str(root), "init", "-q"], check=True)
    env = {**os.environ, "MODEL_RISK_CACHE_DIR": str(tmp_path / "cache")}
    crash = write_tree(tmp_path / "crash", {"sitecustomize.py": _CRASH_DURING_WRITE})
    killed = subprocess.run([sys.executable, "-m", "model_risk", "lock", str(root)], capture_output=True,
                            env={**env, "PYTHONPATH": str(crash)}, timeout=120)
    assert killed.returncode == 9
    left = list((root / ".model-risk-tmp").glob(".model-risk.lock.*.tmp"))
    assert len(left) == 1  # recognisable: which file, which process
    status = subprocess.run(["git", "-C", str(root), "status", "--porcelain"], capture_output=True, text=True)
    assert ".model-risk-tmp" not in status.stdout and "app.py" in status.stdout
    again = subprocess.run([sys.executable, "-m", "model_risk", "lock", str(root)], capture_output=True, env=env,
                           timeout=120)
    assert again.returncode == 0, again.stderr
    assert not (root / ".model-risk-tmp").exists()
    assert json.loads((root / "model-risk.lock").read_text())["models"]


_CRASH_DURING_CACHE_WRITE = """
import os
_real_replace = os.replace
def _replace(src, dst, *args, **kwargs):
    if "/models/" in str(dst):
        os._exit(9)  # the cache entry is written to its temporary file, not renamed
    return _real_replace(src, dst, *args, **kwargs)
os.replace = _replace
"""


def test_an_interrupted_cache_write_is_cleaned_by_the_next_run(tmp_path: Path, hub):
    root = write_tree(tmp_path / "p", {"app.py": LOAD.format("gpt2")})
    cache = tmp_path / "cache"
    env = {**os.environ, "MODEL_RISK_CACHE_DIR": str(cache)}
    crash = write_tree(tmp_path / "crash", {"sitecustomize.py": _CRASH_DURING_CACHE_WRITE})
    killed = subprocess.run([sys.executable, "-m", "model_risk", "scan", str(root), "--fail-on", "never"],
                            capture_output=True, env={**env, "PYTHONPATH": str(crash)}, timeout=120)
    assert killed.returncode == 9
    assert list((cache / ".model-risk-tmp").glob("*.tmp"))
    again = subprocess.run([sys.executable, "-m", "model_risk", "scan", str(root), "--fail-on", "never"],
                           capture_output=True, env=env, timeout=120)
    assert again.returncode == 0, again.stderr
    assert not list((cache / ".model-risk-tmp").glob("*.tmp"))
    assert list((cache / "models").rglob("*.json"))


# -- round three: files a repository holds at names model-risk knows ------------------------------------

def _outside(tmp_path: Path) -> Path:
    folder = tmp_path / "elsewhere"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.mark.parametrize("dangling", [False, True], ids=["existing", "dangling"])
def test_a_committed_lockfile_symlink_out_of_the_project_is_neither_written_nor_read(cli, hub, project,
                                                                                    tmp_path: Path, dangling):
    target = _outside(tmp_path) / "victim"
    if not dangling:
        target.write_text("precious\n")
    root = project({"app.py": LOAD.format("gpt2")})
    (root / "model-risk.lock").symlink_to(target)
    for command in (["lock", str(root)], ["scan", str(root), "--fail-on", "never"]):
        run = cli(*command)
        assert run.code == 2, run.stderr
        assert "model-risk.lock is outside the project" in run.stderr
    assert (target.read_text() == "precious\n") if not dangling else not target.exists()


@pytest.mark.parametrize("dangling", [False, True], ids=["existing", "dangling"])
def test_a_committed_baseline_symlink_out_of_the_project_is_not_written(cli, project, tmp_path: Path, dangling):
    target = _outside(tmp_path) / "victim"
    if not dangling:
        target.write_text("precious\n")
    root = project({"app.py": LOAD.format("acme/x")})
    (root / ".model-risk-baseline.json").symlink_to(target)
    run = cli("baseline", root, "--offline")
    assert run.code == 2, run.stderr
    assert ".model-risk-baseline.json is outside the project" in run.stderr
    assert (target.read_text() == "precious\n") if not dangling else not target.exists()


def test_a_sub_projects_lockfile_symlink_out_of_the_project_is_not_written(cli, hub, project, tmp_path: Path):
    target = _outside(tmp_path) / "victim"
    root = project({"svc/pyproject.toml": "[project]\nname = 'svc'\n", "svc/app.py": LOAD.format("gpt2")})
    (root / "svc" / "model-risk.lock").symlink_to(target)
    run = cli("lock", root, "--per-project")
    assert run.code == 2, run.stderr
    assert "svc/model-risk.lock is outside the project" in run.stderr
    assert not target.exists()


@pytest.mark.parametrize("dangling", [False, True], ids=["to a folder", "dangling"])
def test_a_committed_temp_folder_symlink_is_never_cleaned_or_written_through(cli, hub, project, tmp_path: Path,
                                                                             dangling):
    """The clean-up of .model-risk-tmp removes leftovers of dead writers and its own .gitignore: through a
    symlink it would delete and create files wherever the link points."""
    target = _outside(tmp_path) / "tmp"
    if not dangling:
        target.mkdir()
        (target / ".gitignore").write_text("mine\n")
        (target / ".important.1.abcd.tmp").write_text("not model-risk's\n")
        os.utime(target / ".important.1.abcd.tmp", (0, 0))
    before = sorted((p.name, p.read_text()) for p in target.iterdir()) if not dangling else None
    root = project({"app.py": LOAD.format("gpt2")})
    (root / ".model-risk-tmp").symlink_to(target)
    run = cli("lock", root)
    assert run.code == 2, run.stderr
    assert "in the way of model-risk's temporary files" in run.stderr
    if dangling:
        assert not target.exists()
    else:
        assert sorted((p.name, p.read_text()) for p in target.iterdir()) == before
    assert not (root / "model-risk.lock").exists()


def test_baseline_creates_the_file_the_config_names(cli, project):
    root = project({"app.py": LOAD.format("acme/x"), ".model-risk.yaml": "baseline: accepted.json\n"})
    run = cli("baseline", root, "--offline")
    assert run.code == 0, run.stderr
    assert json.loads((root / "accepted.json").read_text())["version"] == 1
    assert cli("scan", root, "--offline", "--fail-on", "never").code == 0  # and the scan reads it


# -- the SQLite database goes through the same safe-write as every other file ------------------------------

def _sqlite_scan(cli, root: Path, output: Path):
    return cli("scan", root, "--offline", "--format", "sqlite", "--output", output, "--fail-on", "never")


def test_sqlite_output_to_a_null_device_writes_through_and_leaves_it_a_device(cli, project, tmp_path: Path):
    root = project({"app.py": LOAD.format("acme/x")})
    null = _null_device(tmp_path / "null")
    run = _sqlite_scan(cli, root, null)
    assert run.code == 0, run.stderr
    assert stat.S_ISCHR(os.stat(null).st_mode)
    assert not (tmp_path / ".model-risk-tmp").exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_sqlite_output_to_a_fifo_reaches_its_reader_and_stays_a_fifo(cli, project, tmp_path: Path):
    root = project({"app.py": LOAD.format("acme/x")})
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert "a FIFO with no reader" in _sqlite_scan(cli, root, fifo).stderr
    assert _through_fifo(fifo, lambda: _sqlite_scan(cli, root, fifo)).startswith(b"SQLite format 3\0")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


_CRASH_DURING_SQLITE = """
import os
_real_replace = os.replace
def _replace(src, dst, *args, **kwargs):
    if str(dst).endswith("org.db"):
        os._exit(9)  # the database is complete in its temporary file, not renamed
    return _real_replace(src, dst, *args, **kwargs)
os.replace = _replace
"""


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_killed_sqlite_write_leaves_a_git_ignored_temp_file_that_the_next_run_removes(tmp_path: Path):
    root = write_tree(tmp_path / "p", {"app.py": LOAD.format("acme/x")})
    subprocess.run(["git", "-C", str(root), "init", "-q"], check=True)
    crash = write_tree(tmp_path / "crash", {"sitecustomize.py": _CRASH_DURING_SQLITE})
    command = [sys.executable, "-m", "model_risk", "scan", str(root), "--offline", "--format", "sqlite",
               "--output", str(root / "org.db"), "--fail-on", "never"]
    killed = subprocess.run(command, capture_output=True, env={**os.environ, "PYTHONPATH": str(crash)}, timeout=120)
    assert killed.returncode == 9
    assert len(list((root / ".model-risk-tmp").glob(".org.db.*.tmp"))) == 1
    status = subprocess.run(["git", "-C", str(root), "status", "--porcelain"], capture_output=True, text=True)
    assert ".model-risk-tmp" not in status.stdout
    again = subprocess.run(command, capture_output=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert not (root / ".model-risk-tmp").exists()
    assert (root / "org.db").read_bytes().startswith(b"SQLite format 3\0")


def _action_scan(workspace: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MR_OFFLINE": "true", "MR_FORMATS": "json", "GITHUB_EVENT_NAME": "push",
           "GITHUB_OUTPUT": str(tmp_path / "out"), "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md")}
    return subprocess.run([sys.executable, "-m", "model_risk.github_action", "scan"], cwd=workspace, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_actions_reports_folder_cannot_be_a_symlink_out_of_the_checkout(tmp_path: Path):
    """The checkout is the pull request's: a committed model-risk-reports symlink would send the reports
    (and what they overwrite) anywhere the runner can write."""
    elsewhere = _outside(tmp_path)
    workspace = write_tree(tmp_path / "workspace", {"app.py": LOAD.format("acme/x")})
    (workspace / "model-risk-reports").symlink_to(elsewhere)
    run = _action_scan(workspace, tmp_path)
    assert run.returncode == 2, run.stdout + run.stderr
    assert "input 'output-dir'" in run.stdout and "leads out of it" in run.stdout
    assert not list(elsewhere.iterdir())


def test_a_report_file_committed_as_a_symlink_is_replaced_not_written_through(tmp_path: Path):
    victim = _outside(tmp_path) / "victim"
    victim.write_text("precious\n")
    workspace = write_tree(tmp_path / "workspace", {"app.py": LOAD.format("acme/x")})
    (workspace / "model-risk-reports").mkdir()
    (workspace / "model-risk-reports" / "model-risk.json").symlink_to(victim)
    run = _action_scan(workspace, tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert victim.read_text() == "precious\n"
    report = workspace / "model-risk-reports" / "model-risk.json"
    assert not report.is_symlink() and json.loads(report.read_text())["references"][0]["model"] == "acme/x"
