"""The `scan` fixture of the detector tests: scan a small tree through the CLI, read the JSON report."""

from __future__ import annotations

import pytest


@pytest.fixture
def scan(cli, project):
    """Scan a tree given as {path: text} and return its JSON report, after checking that every
    reference's line and column point at the id in the file as written."""

    def run(files: dict[str, str | bytes]) -> dict:
        root = project(files)
        result = cli("scan", root, "--offline", "--format", "json", "--fail-on", "never")
        assert result.code == 0, result.stderr
        assert "Traceback" not in result.stderr
        report = result.json()
        for ref in report["references"]:
            line = (root / ref["path"]).read_text(encoding="utf-8").splitlines()[ref["line"] - 1]
            assert line[ref["column"] - 1:].startswith(ref["model"]), (ref, line)
        return report

    return run
