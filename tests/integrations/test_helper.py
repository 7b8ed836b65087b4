"""The warm helper the pre-commit hook talks to: the same output and exit status as a scan in the process,
a private socket, and a plain fallback whenever the helper cannot answer (model_risk/helper.py)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from support.project import write_tree

pytestmark = pytest.mark.skipif(not hasattr(socket, "SO_PEERCRED"), reason="the helper needs SO_PEERCRED")

FILES = {
    "app.py": 'from transformers import AutoModel\nAutoModel.from_pretrained("Qwen/Qwen2.5-7B-Instruct")\n',
}
HOOK = ["scan", "--per-file", "--quiet", "--offline", "--helper", "--", "app.py"]
#: Asks through the helper module only: ANSWERED when a helper ran the command, FALLBACK otherwise.
PROBE = ("import sys; from model_risk import helper; code = helper.run(sys.argv[1:]); "
         "print('ANSWERED' if code is not None else 'FALLBACK', code, file=sys.stderr)")


@pytest.fixture
def helper_env(tmp_path: Path):
    # A short folder of its own: a socket's path is limited to 107 bytes (a longer one means /tmp/model-risk-UID).
    run_dir = Path(tempfile.mkdtemp(prefix="mr-"))
    env = {**os.environ, "XDG_RUNTIME_DIR": str(run_dir), "MODEL_RISK_CACHE_DIR": str(tmp_path / "cache"),
           "HOME": str(tmp_path)}
    env.pop("MODEL_RISK_HELPER", None)  # conftest turns the helper off for every other test
    env.pop("COLUMNS", None)
    yield env
    for path in (run_dir / "model-risk").glob("*.sock") if (run_dir / "model-risk").is_dir() else ():
        _stop(path)
    shutil.rmtree(run_dir, ignore_errors=True)


def _stop(path: Path) -> None:
    """Stop the helper listening on ``path`` (its pid, as the socket tells it)."""
    try:
        with socket.socket(socket.AF_UNIX) as connection:
            connection.connect(str(path))
            pid, _uid, _gid = struct.unpack("3i", connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED,
                                                                        struct.calcsize("3i")))
        os.kill(pid, signal.SIGTERM)
    except OSError:
        pass


def _model_risk(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "model_risk", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


def _probe(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", PROBE, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120)


def _wait_for_helper(env: dict[str, str]) -> Path:
    folder = Path(env["XDG_RUNTIME_DIR"]) / "model-risk"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for path in folder.glob("*.sock") if folder.is_dir() else ():
            with socket.socket(socket.AF_UNIX) as connection:
                try:
                    connection.connect(str(path))
                    return path
                except OSError:
                    pass
        time.sleep(0.1)
    raise AssertionError("no helper started")


def test_the_hook_gets_the_same_output_and_status_from_the_helper(tmp_path, helper_env):
    project = write_tree(tmp_path / "project", FILES)
    in_process = _model_risk([a for a in HOOK if a != "--helper"], project, helper_env)
    first = _model_risk(HOOK, project, helper_env)  # no helper yet: runs here, starts one
    assert (first.returncode, first.stdout, first.stderr) == (in_process.returncode, in_process.stdout,
                                                              in_process.stderr)
    assert "Qwen/Qwen2.5-7B-Instruct" in first.stdout
    socket_path = _wait_for_helper(helper_env)
    assert oct(socket_path.stat().st_mode & 0o777) == "0o600"
    answered = _probe(HOOK, project, helper_env)
    assert answered.stderr.startswith(f"ANSWERED {in_process.returncode}"), answered.stderr
    assert answered.stdout == in_process.stdout
    again = _model_risk(HOOK, project, helper_env)
    assert (again.returncode, again.stdout, again.stderr) == (in_process.returncode, in_process.stdout,
                                                              in_process.stderr)


def test_the_helper_runs_with_the_clients_directory_and_environment(tmp_path, helper_env):
    project = write_tree(tmp_path / "project", FILES)
    other = write_tree(tmp_path / "other", {"app.py": FILES["app.py"].replace("Qwen/Qwen2.5-7B-Instruct", "gpt2")})
    _model_risk(HOOK, project, helper_env)
    _wait_for_helper(helper_env)
    narrow = {**helper_env, "COLUMNS": "50"}
    answered = _probe(HOOK, other, narrow)
    assert answered.stderr.startswith("ANSWERED"), answered.stderr
    assert answered.stdout == _model_risk([a for a in HOOK if a != "--helper"], other, narrow).stdout
    assert "gpt2" in answered.stdout and "Qwen" not in answered.stdout


def test_no_helper_is_started_when_turned_off_or_on_a_terminal_less_scan_of_another_command(tmp_path, helper_env):
    project = write_tree(tmp_path / "project", FILES)
    off = {**helper_env, "MODEL_RISK_HELPER": "0"}
    assert _model_risk(HOOK, project, off).returncode == 0
    assert _model_risk(["scan", "--offline", "--quiet", "--", "app.py"], project, helper_env).returncode == 0
    time.sleep(1)
    assert not (Path(helper_env["XDG_RUNTIME_DIR"]) / "model-risk").exists() or \
        not list((Path(helper_env["XDG_RUNTIME_DIR"]) / "model-risk").glob("*.sock"))


def test_a_socket_folder_open_to_others_is_not_used(tmp_path, helper_env):
    project = write_tree(tmp_path / "project", FILES)
    folder = Path(helper_env["XDG_RUNTIME_DIR"]) / "model-risk"
    folder.mkdir(mode=0o777)
    folder.chmod(0o777)
    expected = _model_risk([a for a in HOOK if a != "--helper"], project, helper_env)
    run = _model_risk(HOOK, project, helper_env)
    assert (run.returncode, run.stdout) == (expected.returncode, expected.stdout)
    assert _probe(HOOK, project, helper_env).stderr.startswith("FALLBACK")
    assert list(folder.iterdir()) == []


def test_a_garbled_or_silent_helper_means_a_scan_in_the_process(tmp_path, helper_env):
    project = write_tree(tmp_path / "project", FILES)
    expected = _model_risk([a for a in HOOK if a != "--helper"], project, helper_env)
    # Learn the socket's name from a real helper, then put an impostor in its place.
    _model_risk(HOOK, project, helper_env)
    path = _wait_for_helper(helper_env)
    _stop(path)
    time.sleep(0.5)
    if path.exists():
        path.unlink()
    impostor = socket.socket(socket.AF_UNIX)
    impostor.bind(str(path))
    impostor.listen(4)

    def answer_garbage() -> None:
        for reply in (b"\xff\xff\xff\xffgarbage", b""):
            connection, _ = impostor.accept()
            with connection:
                connection.recv(1 << 20)
                connection.sendall(reply)

    thread = threading.Thread(target=answer_garbage, daemon=True)
    thread.start()
    for _ in range(2):
        run = _model_risk(HOOK, project, helper_env)
        assert (run.returncode, run.stdout, run.stderr) == (expected.returncode, expected.stdout, expected.stderr)
    thread.join(timeout=30)
    impostor.close()


def test_a_helper_whose_code_changed_hands_the_command_back_and_stops(tmp_path, helper_env, monkeypatch):
    from model_risk import helper

    project = write_tree(tmp_path / "project", FILES)
    monkeypatch.chdir(project)
    for name, value in helper_env.items():
        monkeypatch.setenv(name, value)
    serving = helper._Helper(str(tmp_path / "unused.sock"))
    request = [helper._PROTOCOL, serving.identity, os.fsencode(str(project)), b"18",
               "\0".join(HOOK).encode(), "\0".join(f"{k}={v}" for k, v in helper_env.items()).encode()]
    answer = serving.answer(request)
    assert answer[0] == helper._DONE and b"Qwen/Qwen2.5-7B-Instruct" in answer[2]
    assert serving.answer([request[0], b"another identity", *request[2:]]) == [helper._FALLBACK]
    serving.code = ("files as they were at another start",)
    with pytest.raises(helper._Stale):
        serving.answer(request)
