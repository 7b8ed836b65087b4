"""One session per run (app/session.py): the configuration a command meets, found and applied once, as a
user running the CLI from somewhere in a repository sees it."""

from __future__ import annotations

import subprocess
from pathlib import Path

from support.fakehub import model

NC_LOADER = 'from transformers import AutoModel\nAutoModel.from_pretrained("acme/chat-nc-7b")\n'


def _git_init(root: Path) -> None:
    subprocess.run(["git", "init", "-q", str(root)], check=True, capture_output=True)


def test_scanning_a_folder_uses_the_configuration_lockfile_and_baseline_of_its_project(cli, hub, project):
    """`model-risk scan app` from the project's root, as ruff or pre-commit users expect: the root's
    .model-risk.yaml (a watchlist), model-risk.lock and baseline all apply."""
    hub.models["acme/chat-nc-7b"] = model("acme/chat-nc-7b", license="apache-2.0")
    root = project({
        ".model-risk.yaml": "watchlist:\n  - vendor: acme\n    severity: high\n",
        "app/chat.py": NC_LOADER,
        "app/deep/tools.py": "x = 1\n",
    })
    _git_init(root)
    assert cli("lock", root).code == 0
    hub.reset_log()
    run = cli("scan", "app", "--format", "json", cwd=root)
    assert run.code == 1, run.stderr
    report = run.json()
    assert {f["rule"] for f in report["findings"]} >= {"vendor-watchlist"}
    assert [r["path"] for r in report["references"]] == ["app/chat.py"], "paths from the project's root"
    assert hub.model_requests() == [], "answered by the project's lockfile"
    # From a deeper folder as the working directory, the same project and the same answer.
    deeper = cli("scan", "--format", "json", cwd=root / "app" / "deep")
    assert deeper.code == 0 and deeper.json()["references"] == []
    # The baseline is the project's too: accepted from the folder, written at the root, named by the config.
    assert cli("baseline", "app", cwd=root).code == 0
    assert (root / ".model-risk-baseline.json").is_file()
    config = root / ".model-risk.yaml"
    config.write_text(config.read_text() + "baseline: .model-risk-baseline.json\n")
    accepted = cli("scan", "app", "--format", "json", cwd=root)
    assert accepted.code == 0, accepted.stdout
    assert all(f["suppressed"] for f in accepted.json()["findings"])


def test_the_search_stops_at_the_top_of_the_repository(cli, project, tmp_path):
    outer = project({".model-risk.yaml": "fail-on: low\n", "inner/app.py": NC_LOADER})
    _git_init(outer / "inner")
    run = cli("scan", outer / "inner", "--offline", "--format", "json")
    assert run.json()["scan"]["fail_on"] == "high", "a configuration above the repository is not the project's"


def test_lock_honours_offline_in_the_configuration(cli, hub, project):
    root = project({".model-risk.yaml": "offline: true\n", "app.py": NC_LOADER})
    run = cli("lock", root)
    assert hub.model_requests() == [], "offline: true means no Hub, for every command"
    assert run.code == 1 and "could not be locked" in run.stderr


def test_a_named_folder_the_configuration_excludes_is_scanned_with_a_note(cli, project):
    root = project({".model-risk.yaml": "exclude:\n  - vendor/\n", "vendor/lib/load.py": NC_LOADER,
                    "app.py": "x = 1\n"})
    _git_init(root)
    everything = cli("scan", root, "--offline", "--format", "json").json()
    assert everything["references"] == []
    named = cli("scan", "vendor/lib", "--offline", "--format", "json", "--verbose", cwd=root)
    assert [r["path"] for r in named.json()["references"]] == ["vendor/lib/load.py"]
    assert "scanned although the configuration's exclude: covers it" in named.stderr


def test_an_explicit_config_file_wins(cli, project):
    root = project({".model-risk.yaml": "fail-on: low\n", "ci.yaml": "fail-on: critical\n", "app.py": NC_LOADER})
    run = cli("scan", root, "--offline", "--format", "json", "--config", root / "ci.yaml")
    assert run.json()["scan"]["fail_on"] == "critical"
