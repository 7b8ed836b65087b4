"""Running model-risk as a user does, and the paths and checks the tests share."""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from model_risk.cli import run

TESTS = Path(__file__).resolve().parents[1]
REPO = TESTS.parent
EXAMPLE = REPO / "examples" / "support-bot"
SCHEMAS = REPO / "src" / "model_risk" / "schemas"

#: An endpoint nothing listens on: a test that must stay offline fails loudly if it is used.
DEAD_ENDPOINT = "http://127.0.0.1:9"


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def run_cli(*args: str | Path, cwd: Path | None = None, plugins=None) -> Run:
    """Run ``model-risk ARGS`` in this process through the real entry point (and its error boundary)."""
    runner = CliRunner()
    argv = [str(a) for a in args]
    with runner.isolation() as streams:
        previous = Path.cwd()
        if cwd is not None:
            import os

            os.chdir(cwd)
        try:
            code = run(argv, plugins=plugins)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        finally:
            if cwd is not None:
                import os

                os.chdir(previous)
        out, err = streams[0].getvalue(), streams[1].getvalue()
    return Run(code, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"))


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Create files under ``root``; text is dedented so tests can indent it naturally."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


def load_schema(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def validate_report(document: dict[str, Any]) -> None:
    import jsonschema

    jsonschema.Draft202012Validator(load_schema("report.schema.json")).validate(document)
