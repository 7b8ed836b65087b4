"""The cache does not decide the verdict: a shared or tampered cache directory holds only Hub answers,
each checked against the record's schema and its own lookup on read (a bad entry is dropped and fetched
again), and the rule packs, data tables and config are never read through it."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from support.fakehub import model

from model_risk import __version__
from model_risk.common.resources import read_package_text

LOAD = 'from transformers import AutoModel\nAutoModel.from_pretrained("{}")\n'


def _entries(cache_dir: Path) -> list[Path]:
    return sorted((cache_dir / "models").rglob("*.json"))


def _scan(cli, root: Path) -> dict:
    run = cli("scan", root, "--format", "json", "--fail-on", "never")
    assert run.code == 0, run.stderr
    assert "internal error" not in run.stderr
    return run.json()


@pytest.mark.parametrize("tamper", [
    lambda e: e["record"].update(downloads="lots"),
    lambda e: e["record"].update(license={"id": {"nested": True}}),
    lambda e: e["record"].update(card={"languages": [{"x": 1}]}),
    lambda e: e["record"].update(formats="safetensors"),
    lambda e: e.update(record=[1, 2, 3]),
    lambda e: e["record"].update(status="trusted"),
])
def test_a_malformed_cache_entry_is_dropped_and_fetched_again(cli, hub, project, cache_dir: Path, tamper):
    hub.models["acme/nc"] = model("acme/nc", license="cc-by-nc-4.0")
    root = project({"app.py": LOAD.format("acme/nc")})
    _scan(cli, root)
    (entry_path,) = _entries(cache_dir)
    entry = json.loads(entry_path.read_text())
    tamper(entry)
    entry_path.write_text(json.dumps(entry))
    hub.reset_log()
    report = _scan(cli, root)
    (facts,) = report["models"]
    assert len(hub.model_requests("acme/nc")) == 1  # dropped and fetched again
    assert facts["license"]["hub"] == "cc-by-nc-4.0"
    assert json.loads(entry_path.read_text())["record"]["license"]["id"] == "cc-by-nc-4.0"


def test_an_entry_copied_under_another_models_name_is_not_used(cli, hub, project, cache_dir: Path):
    hub.models["acme/permissive"] = model("acme/permissive", license="apache-2.0")
    hub.models["acme/research"] = model("acme/research", license="cc-by-nc-4.0")
    root = project({"app.py": LOAD.format("acme/permissive") + LOAD.format("acme/research").split("\n", 1)[1]})
    _scan(cli, root)
    entries = {json.loads(p.read_text())["request"]["id"]: p for p in _entries(cache_dir)}
    entries["acme/research"].write_text(entries["acme/permissive"].read_text())
    report = _scan(cli, root)
    licenses = {m["id"]: m["license"]["hub"] for m in report["models"]}
    assert licenses == {"acme/permissive": "apache-2.0", "acme/research": "cc-by-nc-4.0"}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_planted_as_a_cache_entry_is_dropped_without_hanging(cli, hub, project, cache_dir: Path):
    root = project({"app.py": LOAD.format("gpt2")})
    _scan(cli, root)
    (entry_path,) = _entries(cache_dir)
    entry_path.unlink()
    os.mkfifo(entry_path)
    report = _scan(cli, root)
    assert report["models"][0]["status"] == "resolved"
    assert entry_path.is_file()


def test_the_cache_directory_holds_only_hub_answers(cli, hub, project, cache_dir: Path):
    root = project({"app.py": LOAD.format("gpt2"), ".model-risk.yaml": "fail-on: high\n"})
    _scan(cli, root)
    assert {p.name for p in cache_dir.iterdir()} <= {"models", ".model-risk-tmp"}


def test_a_poisoned_table_in_the_cache_directory_changes_nothing(cli, hub, project, cache_dir: Path):
    """Before this was fixed, data tables were read through a JSON memo in the cache directory: a cache
    restored from another branch could declare a non-commercial license commercial."""
    hub.models["acme/nc"] = model("acme/nc", license="cc-by-nc-4.0")
    root = project({"app.py": LOAD.format("acme/nc")})
    baseline = _scan(cli, root)
    text = read_package_text("knowledge/data/licenses.yaml")
    digest = hashlib.sha256(f"{__version__}\0None\0{text}".encode()).hexdigest()
    poisoned = cache_dir / "documents" / digest[:2] / f"{digest}.json"
    poisoned.parent.mkdir(parents=True)
    poisoned.write_text(json.dumps({"licenses": []}))
    assert _scan(cli, root)["findings"] == baseline["findings"]


# -- round three: a shared cache with symlinks (actions/cache restores them) ---------------------------

def _planted(cache_dir: Path, tmp_path: Path, kind: str) -> Path:
    """After one scan wrote the entry, replace part of the cache with a symlink out of it; returns the
    place outside that model-risk must leave alone."""
    (entry,) = _entries(cache_dir)
    outside = tmp_path / "outside"
    outside.mkdir()
    if kind == "entry":
        entry.unlink()
        entry.symlink_to(outside / "entry.json")  # dangling: writing through it would create the file
    elif kind == "lock":
        lock = entry.with_suffix(".lock")
        lock.unlink(missing_ok=True)
        lock.symlink_to(outside / "created-by-lock")
        entry.unlink()  # a miss, so the lookup takes the lock
    elif kind == "shard":
        shard = entry.parent
        for child in shard.iterdir():
            child.unlink()
        shard.rmdir()
        shard.symlink_to(outside)
    elif kind == "temp folder":
        temp = cache_dir / ".model-risk-tmp"
        if temp.exists():
            for child in temp.iterdir():
                child.unlink()
            temp.rmdir()
        temp.symlink_to(outside)
        (outside / ".old.1.abcd.tmp").write_text("not model-risk's\n")
        os.utime(outside / ".old.1.abcd.tmp", (0, 0))
        entry.unlink()
    return outside


@pytest.mark.parametrize("kind", ["entry", "lock", "shard", "temp folder"])
def test_symlinks_in_a_shared_cache_make_nothing_appear_outside_it(cli, hub, project, cache_dir: Path,
                                                                 tmp_path: Path, kind):
    root = project({"app.py": LOAD.format("gpt2")})
    _scan(cli, root)
    outside = _planted(cache_dir, tmp_path, kind)
    before = sorted(p.name for p in outside.iterdir())
    report = _scan(cli, root)
    assert report["models"][0]["status"] == "resolved"
    assert sorted(p.name for p in outside.iterdir()) == before
