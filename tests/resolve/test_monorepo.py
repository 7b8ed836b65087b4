"""Monorepos: one model-risk.lock per sub-project; a scan from the root uses the nearest one above
each reference, and `lock --per-project` writes them."""

from __future__ import annotations

import json

from support.fakehub import model
from support.scanning import findings_of, loader, models_by_id

NO_CACHE = "hub:\n  cache-ttl: 0\n  negative-cache-ttl: 0\n"


def _monorepo(project):
    return project({
        ".model-risk.yaml": NO_CACHE,
        "services/chat/pyproject.toml": "[project]\nname = 'chat'\n",
        "services/chat/app/main.py": loader("acme/chat-model"),
        "services/search/package.json": '{"name": "search"}\n',
        "services/search/src/embed.py": loader("acme/embedder"),
        "tools/script.py": loader("acme/tool-model"),
    })


def test_lock_per_project_writes_one_lockfile_per_sub_project(cli, hub, project):
    for name in ("acme/chat-model", "acme/embedder", "acme/tool-model"):
        hub.models[name] = model(name, license="apache-2.0")
    root = _monorepo(project)
    run = cli("lock", root, "--per-project")
    assert run.code == 0, run.stderr
    assert run.stdout.splitlines() == [
        f"Wrote 1 model to {root / 'model-risk.lock'}.",
        f"Wrote 1 model to {root / 'services/chat/model-risk.lock'}.",
        f"Wrote 1 model to {root / 'services/search/model-risk.lock'}.",
    ]
    def locked(directory):
        return list(json.loads((root / directory / "model-risk.lock").read_text())["models"])
    assert locked("services/chat") == ["acme/chat-model"]
    assert locked("services/search") == ["acme/embedder"]
    assert locked(".") == ["acme/tool-model"]  # files outside any sub-project belong to the root


def test_a_root_scan_uses_the_nearest_lockfile_above_each_reference(cli, hub, project):
    for name in ("acme/chat-model", "acme/embedder", "acme/tool-model"):
        hub.models[name] = model(name, license="apache-2.0")
    root = _monorepo(project)
    assert cli("lock", root, "--per-project").code == 0
    # Offline, with nothing in the cache: only the sub-projects' lockfiles can answer.
    run = cli("scan", root, "--offline", "--format", "json", "--fail-on", "never")
    assert run.code == 0, run.stderr
    models = models_by_id(run.json())
    assert {m: (f["status"], f["source"]) for m, f in models.items()} == {
        "acme/chat-model": ("resolved", "lockfile"), "acme/embedder": ("resolved", "lockfile"),
        "acme/tool-model": ("resolved", "lockfile")}
    # A sub-project's own lockfile is what its references are judged by: drift is found there too.
    hub.models["acme/embedder"] = model("acme/embedder", license="cc-by-nc-4.0")
    report = cli("scan", root, "--format", "json", "--fail-on", "never").json()
    assert "acme/embedder" in findings_of(report, "license-drift")
    assert "acme/embedder" in findings_of(report, "non-commercial-license")
    assert findings_of(report, "license-drift").keys() == {"acme/embedder"}


def test_the_nearest_lockfile_wins_over_the_roots(cli, hub, project):
    hub.models["acme/shared"] = model("acme/shared", license="apache-2.0")
    root = project({".model-risk.yaml": NO_CACHE, "a/pyproject.toml": "", "a/x.py": loader("acme/shared"),
                    "b/y.py": loader("acme/shared")})
    assert cli("lock", root).code == 0  # the root lockfile: apache-2.0
    hub.models["acme/shared"] = model("acme/shared", license="mit")
    assert cli("lock", root / "a").code == 0  # a's own lockfile: mit
    report = cli("scan", root, "--offline", "--format", "json", "--fail-on", "never").json()
    # a/x.py is the first reference: its nearest lockfile (a/) answers for the model.
    assert models_by_id(report)["acme/shared"]["license"]["hub"] == "mit"
    (root / "a" / "x.py").unlink()
    report = cli("scan", root, "--offline", "--format", "json", "--fail-on", "never").json()
    assert models_by_id(report)["acme/shared"]["license"]["hub"] == "apache-2.0"


def test_a_configured_lockfile_is_the_only_one(cli, hub, project):
    root = project({".model-risk.yaml": "lockfile: deps/models.lock\n", "a/pyproject.toml": "",
                    "a/x.py": loader("acme/one")})
    run = cli("lock", root, "--per-project")
    assert run.code == 2 and "the config names one lockfile" in run.stderr


def test_lock_check_per_project(cli, hub, project):
    for name in ("acme/chat-model", "acme/embedder", "acme/tool-model"):
        hub.models[name] = model(name, license="apache-2.0")
    root = _monorepo(project)
    assert cli("lock", root, "--per-project").code == 0
    run = cli("lock", root, "--check", "--per-project")
    assert run.code == 0, run.stdout + run.stderr
    (root / "services/search/src/embed.py").write_text(loader("acme/embedder", "acme/new-model"))
    run = cli("lock", root, "--check", "--per-project")
    assert run.code == 1
    assert f"not locked: acme/new-model (in {root / 'services/search/model-risk.lock'})" in run.stdout


def test_recorded_alternatives_are_found_in_any_of_the_lockfiles(tmp_path):
    from pathlib import Path

    from model_risk.contract.resolver import ModelRequest
    from model_risk.resolve.lockfile import Lockfile
    from model_risk.resolve.monorepo import NearestLockfiles

    root = Lockfile(Path("model-risk.lock"), {}, {"Qwen/Qwen2.5-3B-Instruct": {"suggestions": [{"id": "a/b"}]}})
    service = Lockfile(Path("svc/model-risk.lock"), {}, {"org/other": {"suggestions": []}})
    both = NearestLockfiles({ModelRequest("org/other"): (service,)}, (root, service))
    assert both.alternatives_for("qwen/qwen2.5-3b-instruct") == {"suggestions": [{"id": "a/b"}]}
    assert both.alternatives_for("org/other") == {"suggestions": []}
    assert both.alternatives_for("nobody/recorded") is None
