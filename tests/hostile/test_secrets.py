"""Secrets and files stay private: credentials in HF_ENDPOINT go nowhere, a config cannot make model-risk
read a file outside the project, and errors quote a short escaped excerpt of a value, never a file."""

from __future__ import annotations

from pathlib import Path

from support.fakehub import model

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
