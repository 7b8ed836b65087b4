"""A tree of hostile input: every case ends with a note, the right exit status and no traceback, within
a time bound (a subprocess timeout, not a performance assertion)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.project import write_tree

GOOD = 'from transformers import AutoModel\nAutoModel.from_pretrained("acme/good-model")\n'
BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8)
) + "model: acme/bomb-model\n"
TIME_BOUND = 120


def _hostile_tree(root: Path) -> Path:
    write_tree(root, {
        "app.py": GOOD,
        "binary.py": b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 40,
        "latin1.py": b"# r\xe9sum\xe9 of the service\n" + GOOD.replace("good", "latin1").encode(),
        "syntax.py": "def broken(:\n    AutoModel.from_pretrained('acme/x')\n",
        "nested.json": '{"model_name": "acme/nested-model", "deep": ' + "[" * 100_000 + "]" * 100_000 + "}",
        "nested.yaml": "model:\n" + "".join("  " * i + "- \n" for i in range(1, 400)),
        "bomb.yaml": BOMB,
        "broken.ipynb": '{"cells": [{"cell_type": "code", "source": "AutoModel.from_pretr',
        "weird.ipynb": json.dumps({"cells": [{"cell_type": "code", "source": 42}, "not a cell"],
                                   "nbformat": 4}),
        "minified.json": '{"model": "acme/min-model", "pad": "' + "x" * 10_500_000 + '"}',
        "configs/empty.yaml": "",
        "configs/only-comments.yaml": "# nothing here\n",
        "odd names/with space.py": GOOD.replace("good", "space"),
        "odd names/ünïcödé.py": GOOD.replace("good", "unicode"),
        "odd names/-rf.py": GOOD.replace("good", "dash"),
        "odd names/star*.py": GOOD.replace("good", "star"),
    })
    (root / "big.py").write_bytes(b"# padding\n" * 5_300_000)  # 53 MB
    (root / "loop").symlink_to(root / "loop")
    (root / "up").mkdir()
    (root / "up" / "parent").symlink_to(root)
    (root / "outside.py").symlink_to("/etc/hostname")
    try:
        (root / os.fsdecode(b"bad-\xff-name.py")).write_text(GOOD.replace("good", "badname"))
        (root / "new\nline.py").write_text(GOOD.replace("good", "newline"))
    except (OSError, UnicodeEncodeError):
        pass  # a filesystem that refuses such names
    return root


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _hostile_tree(tmp_path_factory.mktemp("hostile") / "tree")


def _scan(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MODEL_RISK_CACHE_DIR": str(root.parent / "cache")}
    return subprocess.run([sys.executable, "-m", "model_risk", "scan", str(root), "--offline", "--fail-on",
                           "never", *args], capture_output=True, text=True, env=env, timeout=TIME_BOUND)


def test_hostile_tree_scans_to_the_end(hostile: Path):
    proc = _scan(hostile, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    report = json.loads(proc.stdout)
    models = {r["model"] for r in report["references"]}
    assert {"acme/good-model", "acme/latin1-model", "acme/space-model", "acme/unicode-model",
            "acme/dash-model", "acme/star-model"} <= models
    notes = {n["path"]: n for n in report["notes"] if n["path"]}
    assert "binary" in notes["binary.py"]["message"]
    assert notes["latin1.py"]["line"] == 1
    assert notes["syntax.py"]["line"] == 1
    assert "over the" in notes["big.py"]["message"]
    assert "over the" in notes["minified.json"]["message"]
    assert "alias" in notes["bomb.yaml"]["message"] and notes["bomb.yaml"]["line"]
    assert "nested too deeply" in notes["nested.json"]["message"]
    assert "broken.ipynb" in notes
    assert "loop" in notes and "outside.py" in notes
    for path in {r["path"] for r in report["references"]}:
        assert not path.startswith("/") and ".." not in path.split("/")
    json.dumps(report, ensure_ascii=False).encode("utf-8")  # every path is valid UTF-8


def test_every_warning_is_one_line_naming_a_file(hostile: Path):
    proc = _scan(hostile)
    warnings = [line for line in proc.stderr.splitlines() if line]
    assert warnings, "the hostile files deserve warnings"
    for line in warnings:
        assert line.startswith("model-risk: "), line


def test_empty_repository(tmp_path: Path):
    (tmp_path / "empty").mkdir()
    proc = _scan(tmp_path / "empty")
    assert proc.returncode == 0
    assert "No model references found." in proc.stdout
    assert proc.stderr == ""


def test_alias_bomb_in_the_config_is_one_line_and_exit_2(tmp_path: Path):
    root = write_tree(tmp_path / "p", {"app.py": GOOD, ".model-risk.yaml": BOMB.replace("model:", "docs:")})
    proc = _scan(root)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "alias bomb" in proc.stderr and ".model-risk.yaml:" in proc.stderr
