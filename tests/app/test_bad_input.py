"""Bad input gets a one-line note naming the file (and line), and the scan goes on."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

GOOD = 'from transformers import AutoModel\nAutoModel.from_pretrained("acme/good-model")\n'


def _scan(cli, root: Path):
    run = cli("scan", root, "--offline", "--format", "json", "--fail-on", "never")
    assert run.code == 0, run.stderr
    assert "Traceback" not in run.stderr
    return run


def _notes(report) -> dict[str, dict]:
    return {n["path"]: n for n in report["notes"]}


def test_invalid_utf8_is_noted_and_still_scanned(cli, project):
    root = project({"app.py": b"# caf\xe9\n" + GOOD.encode()})
    run = _scan(cli, root)
    report = run.json()
    assert _notes(report)["app.py"]["line"] == 1
    assert "UTF-8" in _notes(report)["app.py"]["message"]
    assert [r["model"] for r in report["references"]] == ["acme/good-model"]
    assert "app.py:1: not valid UTF-8" in run.stderr


def test_binary_file_with_source_extension_is_skipped(cli, project):
    root = project({"weights.py": b"\x00\x01\x02" * 100, "app.py": GOOD})
    report = _scan(cli, root).json()
    assert "binary" in _notes(report)["weights.py"]["message"]
    assert report["summary"]["files"] == 1


def test_python_syntax_error_names_the_line(cli, project):
    root = project({"broken.py": "def f(:\n    AutoModel.from_pretrained(\"acme/x\")\n", "app.py": GOOD})
    run = _scan(cli, root)
    note = _notes(run.json())["broken.py"]
    assert note["line"] == 1 and "syntax error" in note["message"]
    assert "broken.py:1: skipped: Python syntax error" in run.stderr


def test_broken_yaml_names_the_line(cli, project):
    root = project({"config.yaml": "model: acme/x\nlist: [1, 2\nother: 3\n", "app.py": GOOD})
    note = _notes(_scan(cli, root).json())["config.yaml"]
    assert note["line"] and "invalid YAML" in note["message"]


def test_oversized_file_is_skipped(cli, project):
    root = project({"huge.json": "[" + "1," * 600_000 + "1]", "app.py": GOOD,
                    ".model-risk.yaml": "max-file-size: 1048576\n"})
    report = _scan(cli, root).json()
    assert "over the 1 MiB limit" in _notes(report)["huge.json"]["message"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_is_not_opened(cli, project):
    root = project({"app.py": GOOD})
    os.mkfifo(root / "pipe.py")
    report = _scan(cli, root).json()
    assert "not a regular file" in _notes(report)["pipe.py"]["message"]


def test_broken_and_outside_symlinks(cli, project, tmp_path: Path):
    root = project({"app.py": GOOD})
    outside = tmp_path / "outside.py"
    outside.write_text(GOOD)
    (root / "dangling.py").symlink_to(root / "missing.py")
    (root / "out.py").symlink_to(outside)
    (root / "loop").symlink_to(root / "loop")
    report = _scan(cli, root).json()
    notes = _notes(report)
    assert "broken symlink" in notes["dangling.py"]["message"]
    assert "outside the scan root" in notes["out.py"]["message"]
    assert report["summary"]["files"] == 1


def _without_permission_override() -> list[str] | None:
    """A command prefix under which file permissions apply: as root, drop the capabilities that let
    root read any file (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH) for the child process."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search"]


def test_unreadable_file_is_noted(project, tmp_path: Path):
    prefix = _without_permission_override()
    if prefix is None:
        pytest.skip("running as root without setpriv: every file is readable")
    root = project({"app.py": GOOD, "secret.py": GOOD.replace("good", "secret")})
    (root / "secret.py").chmod(0o000)
    proc = subprocess.run([*prefix, sys.executable, "-m", "model_risk", "scan", str(root), "--offline",
                           "--fail-on", "never", "--format", "json"],
                          capture_output=True, text=True, env=os.environ, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "model-risk: warning: secret.py: skipped: permission denied" in proc.stderr.splitlines()
    assert "Traceback" not in proc.stderr
    import json

    assert [r["model"] for r in json.loads(proc.stdout)["references"]] == ["acme/good-model"]
