"""Hostile and broken input: a one-line note, never a crash or a hang.

The adversarial files are built to trip up the regular expressions and parsers the detectors use
(unterminated strings and comments, deep nesting, alias bombs, one enormous line). They are scanned in
a child process with a generous watchdog, so that a hang fails the test instead of stalling the suite.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model_risk.app.plugins import load_plugins
from model_risk.contract.domain import Note, Reference
from model_risk.contract.source import SourceFile
from model_risk.detect.runner import detect_file

TEN_MB = 10 * 1024 * 1024


def _scan_json(cli, root: Path) -> dict:
    run = cli("scan", root, "--offline", "--format", "json", "--fail-on", "never")
    assert run.code == 0, run.stderr
    assert "Traceback" not in run.stderr
    return run.json()


def _notes(report: dict) -> dict[str, dict]:
    return {n["path"]: n for n in report["notes"]}


def test_broken_notebook_is_noted_with_its_line(cli, project):
    root = project({"nb.ipynb": '{\n "cells": [\n  {"cell_type": "code", "source": ["x = 1\\n"]\n',
                    "list.ipynb": "[1, 2, 3]\n"})
    report = _scan_json(cli, root)
    note = _notes(report)["nb.ipynb"]
    assert "not a valid notebook" in note["message"] and note["line"] == 4
    assert "list.ipynb" not in _notes(report) and report["references"] == []


def test_yaml_alias_bomb_is_refused(cli, project):
    lines = ['a0: &a0 ["model: acme/hidden"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    root = project({"bomb.yaml": "\n".join(lines) + "\n", "ok.yaml": "model: acme/fine\n"})
    report = _scan_json(cli, root)
    assert "alias bomb" in _notes(report)["bomb.yaml"]["message"]
    # The aliases are never expanded; the candidate pass reads the id where it is written, once.
    assert [(r["path"], r["model"]) for r in report["references"]] == [("bomb.yaml", "acme/hidden"),
                                                                      ("ok.yaml", "acme/fine")]


def _adversarial_files(size: int) -> dict[str, str]:
    """One line each, ``size`` characters, shaped against each detector's parser."""
    def fill(unit: str) -> str:
        return (unit * (size // len(unit) + 1))[:size]

    return {
        "long.py": 'MODEL = "' + fill("org/name-") + '"',
        "unterminated.js": fill('/*`\\`"\\"'),
        "quotes.sh": fill('--model "\\" \'x'),
        "deep.json": fill("[") ,
        "flat.yaml": "model: " + fill("a/b/c "),
        "fences.md": fill("```x https://huggingface.co/"),
        "nb.ipynb": '{"cells": [{"cell_type": "code", "source": ["' + fill("hf-hub:") + '"]}]}',
        "config.toml": 'model = "' + fill("\\u00e9") + '"',
    }


def test_ten_megabyte_single_line_files_are_skipped_with_a_note(cli, project):
    root = project({name: text.encode() for name, text in _adversarial_files(TEN_MB + 1).items()})
    notes = _notes(_scan_json(cli, root))
    assert len(notes) == len(_adversarial_files(1))
    assert all("over the 8 MiB limit" in note["message"] for note in notes.values())


def test_huge_single_line_files_are_scanned_when_allowed(tmp_path: Path):
    """With the size limit raised, every detector reads its adversarial file to the end. (2 MB keeps
    the suite fast; benchmarks/bench_hostile.py runs the same files at 10 MB.)"""
    root = tmp_path / "big"
    root.mkdir()
    for name, text in _adversarial_files(2 * 1024 * 1024).items():
        (root / name).write_text(text, encoding="utf-8")
    (root / ".model-risk.yaml").write_text("max-file-size: 16777216\n", encoding="utf-8")
    env = {**os.environ, "HF_ENDPOINT": "http://127.0.0.1:9"}
    proc = subprocess.run([sys.executable, "-m", "model_risk", "scan", str(root), "--offline", "--format", "json",
                           "--fail-on", "never"], capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    report = json.loads(proc.stdout)
    assert report["summary"]["files"] == len(_adversarial_files(1))
    assert all(n["path"] for n in report["notes"])  # every note names its file


# -- property: no input makes a detector raise, and every reference points at its id ----------------

_PIECES = st.sampled_from([
    "model", "model_id", "=", ":", " ", "\n", "\t", '"', "'", "`", "\\", "/", "#", "//", "/*", "*/", "<!--",
    "-->", "```", "```python\n", "```yaml\n", "{", "}", "[", "]", "(", ")", ",", ";", "&&", "|", "$", "${",
    "}", "-", "--model", "--model=", "vllm serve ", "hf download ", "from_pretrained(", "pipeline(",
    "SentenceTransformer(", "os.environ.get(", "org/name", "Qwen/Qwen2.5-7B", "gpt2", "gpt-4o", "hf-hub:",
    "https://huggingface.co/", "hf.co/", "hf://", "datasets/", "resolve/main/", "é", "\u2028", "\r\n", "\x00",
    "!", "%%bash\n", "ENV ", "CMD [", "&a ", "*a", "<<: ", "model-risk: ignore",
])
_TEXT = st.lists(_PIECES, max_size=60).map("".join)
_NAMES = ["a.py", "a.yaml", "a.json", "a.toml", "a.sh", "Dockerfile", ".env", "Makefile", "a.js", "a.ts", "a.md",
          "a.ipynb"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_TEXT, name=st.sampled_from(_NAMES))
def test_detectors_never_raise_and_locate_what_they_report(text: str, name: str):
    source = SourceFile(name, text)
    detectors = [d for d in load_plugins().detectors.values() if d.accepts(name)]
    references, notes = detect_file(source, detectors)
    assert not [n for n in notes if "failed" in n.message], notes
    assert all(isinstance(n, Note) for n in notes)
    for ref in references:
        assert isinstance(ref, Reference)
        line = source.line_text(ref.line)
        assert line[ref.column - 1:].startswith(ref.model), (ref, line)


@settings(max_examples=60, deadline=None)
@given(cells=st.lists(_TEXT, min_size=1, max_size=4))
def test_notebook_references_point_into_the_ipynb_text(cells: list[str]):
    text = json.dumps({"cells": [{"cell_type": "code", "source": cell.splitlines(keepends=True)} for cell in cells]},
                      indent=1)
    source = SourceFile("nb.ipynb", text)
    references, notes = detect_file(source, [load_plugins().detectors["notebook"]])
    assert not [n for n in notes if "failed" in n.message], notes
    for ref in references:
        assert source.line_text(ref.line)[ref.column - 1:].startswith(ref.model), ref
