"""Hub answers are bounded: an answer over 4 MiB is not read, and every text kept from one is clipped
before it is cached, locked or reported."""

from __future__ import annotations

import json
from pathlib import Path

from support.fakehub import model

LOAD = 'from transformers import AutoModel\nAutoModel.from_pretrained("{}")\n'


def test_a_huge_license_name_gives_a_reason_not_a_huge_report(cli, hub, project, cache_dir: Path):
    hub.models["acme/huge"] = model("acme/huge", license="other", card={"license_name": "x" * (6 * 2**20)})
    root = project({"app.py": LOAD.format("acme/huge")})
    run = cli("scan", root, "--format", "json", "--fail-on", "never")
    assert run.code == 0, run.stderr
    assert len(run.stdout) < 200_000
    (huge,) = run.json()["models"]
    assert huge["status"] == "unresolved"
    assert huge["reason"] == "the Hub's answer is larger than 4 MiB: not read"
    assert len(hub.model_requests("acme/huge")) == 1  # not retried
    assert not list((cache_dir / "models").rglob("*.json")) if (cache_dir / "models").exists() else True


def test_long_hub_texts_are_clipped_before_caching_locking_and_reporting(cli, hub, project, cache_dir: Path):
    long = "L" * 100_000  # 3.3 MB in all: under the answer cap, far over what is kept of a field
    hub.models["acme/long"] = model("acme/long", license="other",
                                    card={"license_name": long, "language": ["L" * 10_000] * 300, "datasets": long})
    root = project({"app.py": LOAD.format("acme/long")})
    assert cli("lock", root).code == 0
    lockfile = (root / "model-risk.lock").read_text()
    assert len(lockfile) < 200_000
    for fmt in ("json", "html", "sarif", "markdown", "cyclonedx", "text"):
        run = cli("scan", root, "--format", fmt, "--fail-on", "never")
        assert run.code == 0, run.stderr
        assert len(run.stdout) < 300_000, (fmt, len(run.stdout))
        assert "L" * 501 not in run.stdout
    entries = [p.read_text() for p in (cache_dir / "models").rglob("*.json")]
    assert entries and all(len(e) < 200_000 for e in entries)
    assert json.loads(lockfile)["models"]["acme/long"]["license"]["name"].endswith("…")


def test_valid_json_with_a_bad_date_says_what_is_wrong(cli, hub, project):
    hub.models["acme/dated"] = {**model("acme/dated", license="mit"), "createdAt": "the day before yesterday"}
    root = project({"app.py": LOAD.format("acme/dated")})
    run = cli("scan", root, "--format", "json", "--fail-on", "never")
    assert run.code == 0, run.stderr
    (dated,) = run.json()["models"]
    assert dated["status"] == "unresolved"
    assert "not valid JSON" not in dated["reason"]
    assert "the day before yesterday" in dated["reason"]


def test_an_answer_whose_id_is_no_repo_id_keeps_the_id_asked_for(cli, hub, project):
    """The Hub's ``id`` names the model in every report and every license link: one that is no repo id
    (a path, a control character) is not taken."""
    hub.models["acme/asked"] = model("acme/asked", license="other", card={"license_link": "LICENSE"},
                                     id="../../evil\x1b[2J", modelId="../../evil")
    root = project({"app.py": LOAD.format("acme/asked")})
    run = cli("scan", root, "--format", "json", "--fail-on", "never")
    assert run.code == 0, run.stderr
    (facts,) = run.json()["models"]
    assert facts["id"] == "acme/asked" and "evil" not in run.stdout
