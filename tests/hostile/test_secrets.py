"""Secrets and files stay private: credentials in HF_ENDPOINT go nowhere, a config cannot make model-risk
read a file outside the project, and errors quote a short escaped excerpt of a value, never a file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.fakehub import model
from support.project import write_tree

LOAD = 'from transformers import AutoModel\nAutoModel.from_pretrained("{}")\n'
SECRET = "s3cr3t-password"


def test_credentials_in_hf_endpoint_reach_no_cache_entry_lockfile_report_or_message(
        cli, hub, project, monkeypatch, cache_dir: Path, tmp_path: Path):
    hub.models["acme/linked"] = model("acme/linked", license="other",
                                      card={"license_name": "acme", "license_link": "LICENSE"})
    monkeypatch.setenv("HF_ENDPOINT", hub.url.replace("http://", f"http://mr-user:{SECRET}@"))
    root = project({"app.py": LOAD.format("acme/linked") + LOAD.format("acme/missing").split("\n", 1)[1]})
    outputs = []
    lock = cli("lock", root)
    outputs += [lock.stdout, lock.stderr, (root / "model-risk.lock").read_text()]
    assert "acme/linked" in outputs[-1]
    for fmt in ("text", "json", "sarif", "html", "markdown", "cyclonedx"):
        run = cli("scan", root, "--format", fmt, "--fail-on", "never", "--no-drift")
        assert run.code == 0, run.stderr
        outputs += [run.stdout, run.stderr]
    explained = cli("explain", "acme/linked", "--format", "json")
    outputs += [explained.stdout, explained.stderr]
    assert "/acme/linked/blob/main/LICENSE" in explained.stdout  # the link is there, without credentials
    cached = [p.read_text() for p in cache_dir.rglob("*") if p.is_file()]
    assert cached
    for text in outputs + cached:
        assert SECRET not in text and "mr-user" not in text


def test_a_bad_hf_endpoint_is_named_without_its_credentials(cli, project, monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", f"ftp://mr-user:{SECRET}@example.invalid")
    run = cli("scan", project({"app.py": LOAD.format("acme/x")}))
    assert run.code == 2
    assert "HF_ENDPOINT must be an http:// or https:// URL: 'ftp://example.invalid'" in run.stderr
    assert SECRET not in run.stderr


def test_a_config_file_that_is_a_symlink_out_of_the_project_is_refused_unread(cli, project, tmp_path: Path):
    private = tmp_path / "private.yaml"
    private.write_text(f"password: {SECRET}\n")
    root = project({"app.py": "x = 1\n"})
    (root / ".model-risk.yaml").symlink_to(private)
    run = cli("scan", root, "--offline")
    assert run.code == 2
    assert "the config file is a symlink out of the project: refused" in run.stderr
    assert SECRET not in run.stderr


def test_a_schema_error_quotes_a_short_escaped_excerpt_of_the_value(cli, project):
    value = "never\n" + "x" * 100_000
    root = project({".model-risk.yaml": f"fail-on: {value!r}\nexclude: 5\n".replace("'", '"'), "app.py": "x\n"})
    run = cli("scan", root, "--offline")
    assert run.code == 2
    assert len(run.stderr) < 400, run.stderr[:1000]
    assert "'never\\nxxx" in run.stderr and "characters)" in run.stderr


def test_a_rule_pack_schema_error_quotes_a_short_excerpt(cli, project):
    pack = "pack: team\nversion: 1\nrules:\n  - code: " + "X" * 50_000 + "\n"
    root = project({"team.yaml": pack, ".model-risk.yaml": "rules:\n  extra-packs: [team.yaml]\n", "app.py": "x\n"})
    run = cli("scan", root, "--offline")
    assert run.code == 2
    assert len(run.stderr) < 400, run.stderr[:1000]
    assert "team.yaml" in run.stderr


# -- round three: a repository's config names files; nothing outside the project is read or quoted ----

def _outside_secret(tmp_path: Path, text: str) -> Path:
    secret = tmp_path / "home" / ".git-credentials"
    secret.parent.mkdir(exist_ok=True)
    secret.write_text(text)
    return secret


@pytest.mark.parametrize("how", ["absolute", "parent", "symlink"])
def test_extra_packs_outside_the_project_are_refused_unread(cli, project, tmp_path: Path, how):
    secret = _outside_secret(tmp_path, f"https://mr-user:{SECRET}@github.com\n")
    root = project({"app.py": "x = 1\n"})
    named = {"absolute": str(secret), "parent": os.path.relpath(secret, root), "symlink": "pack.yaml"}[how]
    if how == "symlink":
        (root / "pack.yaml").symlink_to(secret)
    (root / ".model-risk.yaml").write_text(f"rules:\n  extra-packs: [{named}]\n")
    run = cli("scan", root, "--offline")
    assert run.code == 2
    assert ".model-risk.yaml:2: rules.extra-packs:" in run.stderr and "is outside the project" in run.stderr
    assert SECRET not in run.stderr and "mr-user" not in run.stderr


@pytest.mark.parametrize("content", [f"{SECRET}-0123456789\n", f"- {SECRET}\n", f"{SECRET}: 1\nother: 2\n"],
                         ids=["text", "list", "mapping"])
def test_a_config_outside_the_project_is_never_quoted_in_an_error(tmp_path: Path, content: str):
    """The Action's `config` input may name any file: its schema errors quote nothing of it, neither a
    value nor a key, and the ::error annotation carries only the file, the line and what is wrong."""
    shadow = _outside_secret(tmp_path, content)
    workspace = write_tree(tmp_path / "workspace", {"app.py": "x = 1\n"})
    env = {**os.environ, "MR_CONFIG": str(shadow), "MR_OFFLINE": "true", "MR_FORMATS": "json",
           "GITHUB_EVENT_NAME": "push", "GITHUB_OUTPUT": str(tmp_path / "out")}
    run = subprocess.run([sys.executable, "-m", "model_risk.github_action", "scan"], cwd=workspace, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2, run.stdout + run.stderr
    assert "::error" in run.stdout and str(shadow) in run.stdout
    assert SECRET not in run.stdout + run.stderr


def test_a_schema_error_names_one_unknown_key_of_the_projects_own_config(cli, project):
    keys = "".join(f"secret_{i}_{'k' * 80}: 1\n" for i in range(20))
    root = project({".model-risk.yaml": keys, "app.py": "x = 1\n"})
    run = cli("scan", root, "--offline")
    assert run.code == 2
    assert "unknown setting 'secret_0_kkk" in run.stderr and "(and 19 more)" in run.stderr
    assert "secret_1_" not in run.stderr and len(run.stderr) < 300


@pytest.mark.parametrize("content", [f"{SECRET}-0123456789\n", f"- {SECRET}\n", f"key: *{SECRET}\n"],
                         ids=["text", "list", "undefined alias"])
def test_a_pack_outside_the_project_named_by_an_explicit_config_is_never_quoted(cli, project, tmp_path: Path,
                                                                               content: str):
    """An explicit --config is the user's and may name packs anywhere; a file that turns out not to be a
    pack is named with its line and the problem, and nothing of its content."""
    secret = _outside_secret(tmp_path, content)
    root = project({"app.py": "x = 1\n", "ci.yaml": f"rules:\n  extra-packs: [{secret}]\n"})
    run = cli("scan", root, "--offline", "--config", root / "ci.yaml")
    assert run.code == 2
    assert str(secret) in run.stderr
    assert SECRET not in run.stderr
