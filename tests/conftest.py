"""Shared fixtures: an isolated environment, the stand-in Hub, and a way to run the CLI."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.fakehub import FakeHub
from support.project import DEAD_ENDPOINT, EXAMPLE, run_cli, write_tree


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
    # The hook's warm helper outlives the command that starts it: only tests/integrations/test_helper.py
    # starts helpers, each in a folder of its own, and stops them.
    monkeypatch.setenv("MODEL_RISK_HELPER", "0")
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


@pytest.fixture
def cli():
    return run_cli


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
