"""The terminal report, and the progress line: colour and progress on a terminal only, plain when piped."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from support.fakehub import FakeHub, model
from support.project import REPO

FIXTURE = REPO / "tests" / "fixtures" / "report-project"


def test_grouped_by_severity_with_license_names_clipped_to_the_column(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "160")  # wide enough for every column at its limit
    run = cli("scan", FIXTURE, "--offline")
    assert run.code == 1
    text = run.stdout
    assert text.index("HIGH (3)") < text.index("MEDIUM (5)") < text.index("LOW (4)") < text.index("Models (10)")
    assert "1 of 10 models not checked: neither in model-risk.lock nor in the cache" in " ".join(text.split())
    assert "\x1b" not in text, "no colour when stdout is not a terminal"
    rows = {line.split()[0]: line.split() for line in text.splitlines() if line.startswith("  ") and "/" in line}
    assert rows["Qwen/Qwen2.5-3B-Instruct"][1:6] == ["Qwen", "Research", "License", "A…", "no"]
    assert rows["meta-llama/Llama-3.1-8B-Instruct"][1:7] == ["Llama", "3.1", "Community", "Lic…", "with", "conditions"]
    assert rows["Helsinki-NLP/opus-mt-de-en"][1:3] == ["-", "-"], "unresolved: license not known"
    assert rows["acme-labs/sentiment-tiny"][1:3] == ["no", "license"]
    assert "Weights by root vendor: Alibaba 4 (40%)" in text


def test_eighty_columns_when_piped_wrapping_on_words(cli):
    run = cli("scan", FIXTURE, "--offline")
    lines = run.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert max(len(line) for line in lines) > 70, "the width is used"
    words = set(run.stdout.split())
    # Messages that do not fit are wrapped between words, never inside one.
    for word in ("Agreement,", "OSI-approved", "trust_remote_code=True:", "commercial"):
        assert word in words, word
    [row] = [line for line in lines if line.startswith("  meta-llama/Llama-3.1-8B-Instruct ")]
    assert "Llama 3.1" in row and "with cond" in row


def test_the_width_follows_columns(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    run = cli("scan", FIXTURE, "--offline")
    assert max(len(line) for line in run.stdout.splitlines()) <= 60


def test_color_can_be_forced(cli):
    run = cli("scan", FIXTURE, "--offline", "--color")
    assert "\x1b[1;31mHIGH (3)\x1b[0m" in run.stdout


def _run_on_terminal(args: list[str], env: dict[str, str], terminal: str) -> tuple[str, str]:
    """Run the CLI with stdout or stderr on a pseudo-terminal; return (stdout, stderr) as text."""
    controller, device = pty.openpty()
    streams = {"stdout": device if terminal == "stdout" else subprocess.PIPE,
               "stderr": device if terminal == "stderr" else subprocess.PIPE}
    process = subprocess.Popen([sys.executable, "-m", "model_risk", *args], env=env, **streams)
    os.close(device)
    captured = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the other side closed
            break
        if not chunk:
            break
        captured += chunk
    out, err = process.communicate(timeout=60)
    os.close(controller)
    piped = (out if terminal == "stderr" else err) or b""
    on_terminal = captured.decode("utf-8", "replace")
    return (on_terminal, piped.decode()) if terminal == "stdout" else (piped.decode(), on_terminal)


@pytest.fixture
def subprocess_env(isolated_env: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO / "src")
    return env


def test_colour_on_a_terminal_unless_no_color(subprocess_env: dict[str, str]):
    coloured, _ = _run_on_terminal(["scan", str(FIXTURE), "--offline"], subprocess_env, "stdout")
    assert "\x1b[1;31mHIGH (3)" in coloured
    plain, _ = _run_on_terminal(["scan", str(FIXTURE), "--offline"], {**subprocess_env, "NO_COLOR": "1"}, "stdout")
    assert "HIGH (3)" in plain and "\x1b[" not in plain
    dumb, _ = _run_on_terminal(["scan", str(FIXTURE), "--offline"], {**subprocess_env, "TERM": "dumb"}, "stdout")
    assert "HIGH (3)" in dumb and "\x1b[" not in dumb, "a dumb terminal shows escape codes as garbage"
    flag, _ = _run_on_terminal(["scan", str(FIXTURE), "--offline", "--no-color"], subprocess_env, "stdout")
    assert "HIGH (3)" in flag and "\x1b[" not in flag


def test_progress_line_on_a_terminal_never_in_piped_output(subprocess_env: dict[str, str], project):
    # A slow Hub and a two-generation lineage make the scan last long enough for the line to appear.
    models = {"acme/chat": model("acme/chat", license="mit", base_model="acme/base"),
              "acme/base": model("acme/base", license="mit")}
    root = project({"app.py": 'from transformers import AutoModel\nAutoModel.from_pretrained("acme/chat")\n'})
    with FakeHub(models, snapshot=False, latency=0.4) as hub:
        stdout, stderr = _run_on_terminal(["scan", str(root), "--format", "json"],
                                          {**subprocess_env, "HF_ENDPOINT": hub.url}, "stderr")
    assert "resolving models [" in stderr
    assert stderr.endswith("\r"), "the line is blanked before the scan ends"
    last_line = stderr.rsplit("\r", 2)[-2]
    assert last_line.strip() == ""
    assert "\r" not in stdout and "resolving" not in stdout and stdout.startswith("{")


def test_no_progress_line_when_stderr_is_not_a_terminal(cli, project):
    root = project({"app.py": 'from transformers import AutoModel\nAutoModel.from_pretrained("acme/tiny")\n'})
    run = cli("scan", root, "--offline")
    assert "\r" not in run.stderr and "\r" not in run.stdout
