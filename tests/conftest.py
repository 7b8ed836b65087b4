"""Shared fixtures: an isolated environment, the stand-in Hub, and a way to run the CLI."""

from __future__ import annotations

import json
import shutil
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent))

from fakehub import FakeHub  # noqa: E402

from model_risk.cli import run  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
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


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No developer token, no shared cache, no telemetry, and no real Hub."""
    home = tmp_path_factory.mktemp("home")
    for name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_HUB_OFFLINE", "NO_COLOR", "MODEL_RISK_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    # Reports link to the commit when run in a GitHub workflow; tests (and golden files) must not depend
    # on where they run, nor on the terminal.
    for name in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA", "COLUMNS", "TERM",
                 "MODEL_RISK_SARIF_CATEGORY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HF_HOME", str(home / "hf"))
    monkeypatch.setenv("MODEL_RISK_CACHE_DIR", str(home / "cache"))
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    monkeypatch.setenv("HF_ENDPOINT", DEAD_ENDPOINT)
    return home


@pytest.fixture
def cache_dir(isolated_env: Path) -> Path:
    return isolated_env / "cache"


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    server = FakeHub().start()
    monkeypatch.setenv("HF_ENDPOINT", server.url)
    yield server
    server.stop()


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


@pytest.fixture
def cli():
    return run_cli


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


@pytest.fixture
def project(tmp_path: Path):
    def make(files: dict[str, str | bytes]) -> Path:
        return write_tree(tmp_path / "project", files)

    return make


@pytest.fixture
def example_copy(tmp_path: Path) -> Path:
    target = tmp_path / "support-bot"
    shutil.copytree(EXAMPLE, target)
    return target


def load_schema(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def validate_report(document: dict[str, Any]) -> None:
    import jsonschema

    jsonschema.Draft202012Validator(load_schema("report.schema.json")).validate(document)
