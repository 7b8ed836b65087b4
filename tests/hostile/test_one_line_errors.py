"""Bad input is a one-line error and exit 2, never exit 3 (an internal error) and never a traceback.

Each case here used to end as ``internal error`` (exit 3).
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

LOAD = 'from transformers import AutoModel\nAutoModel.from_pretrained("{}")\n'
HUGE_NUMBER = "1" * 5000


def _one_line_error(run, *expected: str) -> None:
    assert run.code == 2, (run.code, run.stderr[:500])
    assert len(run.stderr.strip().splitlines()) == 1, run.stderr[:500]
    assert "internal error" not in run.stderr and "Traceback" not in run.stderr
    for text in expected:
        assert text in run.stderr, run.stderr[:500]


def test_directories_nested_past_the_limit_are_skipped_with_a_note_and_the_scan_goes_on(cli, project):
    root = project({"app.py": LOAD.format("acme/top")})
    deep = root
    for _ in range(1000):  # one level at a time: mkdir(parents=True) itself recurses too deep
        deep = deep / "d"
        deep.mkdir()
    (deep / "app.py").write_text(LOAD.format("acme/bottom"))
    try:
        run = cli("scan", root, "--offline", "--format", "json", "--fail-on", "never")
    finally:  # removed level by level: pytest's own clean-up of old temporary folders recurses too deep
        (deep / "app.py").unlink()
        while deep != root:
            deep.rmdir()
            deep = deep.parent
    assert run.code == 0, run.stderr[:500]
    report = run.json()
    assert [r["model"] for r in report["references"]] == ["acme/top"]
    assert any("nested more than 256 levels deep" in n["message"] for n in report["notes"])


def test_an_impossible_expiry_date_is_a_config_error_with_its_line(cli, project):
    root = project({".model-risk.yaml": "allow:\n  - model: a/b\n    reason: r\n    expires: 2024-02-30\n",
                    "app.py": "x\n"})
    _one_line_error(cli("scan", root, "--offline"), ".model-risk.yaml:4:", "'2024-02-30' is not a date")


def test_a_deeply_nested_pyproject_table_is_a_config_error(cli, project):
    root = project({"pyproject.toml": "[tool.model-risk]\nx = " + "[" * 3000 + "]" * 3000 + "\n", "app.py": "x\n"})
    _one_line_error(cli("scan", root, "--offline"), "pyproject.toml: nested too deeply to read")


def test_a_deeply_nested_rule_pack_is_a_rule_pack_error(cli, project):
    when = "{not: " * 3000 + "{field: id, equals: x}" + "}" * 3000
    pack = ("pack: t\nversion: 1\nrules:\n  - {code: T001, name: t, severity: low, scope: model, summary: s, "
            f"message: m, when: {when}}}\n")
    root = project({"deep.yaml": pack, ".model-risk.yaml": "rules:\n  extra-packs: [deep.yaml]\n", "app.py": "x\n"})
    _one_line_error(cli("scan", root, "--offline"), "deep.yaml:4:", "nesting depth")


@pytest.mark.parametrize("what", ["lockfile", "saved report", "baseline"])
def test_an_integer_of_thousands_of_digits_is_named(cli, project, what):
    root = project({"app.py": "x\n"})
    if what == "lockfile":
        (root / "model-risk.lock").write_text('{"version": 1, "models": {"a/b": {"downloads": ' + HUGE_NUMBER + "}}}")
        run = cli("scan", root, "--offline")
    elif what == "saved report":
        (root / "r.json").write_text('{"version": ' + HUGE_NUMBER + ', "findings": []}')
        run = cli("report", root / "r.json")
    else:
        (root / "b.json").write_text('{"version": 1, "findings": [' + HUGE_NUMBER + "]}")
        run = cli("scan", root, "--offline", "--baseline", root / "b.json")
    _one_line_error(run, "a number has more digits than Python reads")


def test_a_lockfile_in_a_missing_folder_is_named(cli, project):
    root = project({"app.py": LOAD.format("acme/x"), ".model-risk.yaml": "lockfile: missing/model-risk.lock\n"})
    _one_line_error(cli("lock", root, "--offline"), "missing/model-risk.lock: cannot write the lockfile: "
                                                      "its folder does not exist")


@pytest.mark.parametrize("failure, words", [(errno.ENOSPC, "the disk is full"),
                                            (errno.EROFS, "the file system is read-only")])
@pytest.mark.parametrize("command", ["lock", "baseline"])
def test_lock_and_baseline_on_a_full_or_read_only_disk_are_one_line(cli, hub, project, monkeypatch, failure, words,
                                                                    command):
    root = project({"app.py": LOAD.format("gpt2")})
    real_replace = os.replace

    def replace(src, dst, *args, **kwargs):
        if Path(dst).parent == root:  # the write into the project fails; the cache's do not
            raise OSError(failure, os.strerror(failure))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    _one_line_error(cli(command, root), f"cannot write the {command}{'file' if command == 'lock' else ''}: {words}")
    assert not list((root / ".model-risk-tmp").glob("*.tmp")) if (root / ".model-risk-tmp").exists() else True


def test_unknown_rule_parameters_are_named(cli, project):
    root = project({".model-risk.yaml": "rules:\n  params:\n    unpinned-revision:\n      bogus: 1\n      other: 2\n",
                    "app.py": "x\n"})
    _one_line_error(cli("scan", root, "--offline"),
                    "rules.params.unpinned-revision names unknown parameters 'bogus', 'other'")


def test_a_saved_report_with_a_bad_value_says_what_is_wrong(cli, project):
    root = project({"app.py": "x\n"})
    report = cli("scan", root, "--offline", "--format", "json", "--fail-on", "never").json()
    report["summary"]["files"] = "many"
    (root / "r.json").write_text(json.dumps(report))
    _one_line_error(cli("report", root / "r.json"), "not a valid model-risk report: summary.files")


# -- round three ---------------------------------------------------------------------------------------

def test_merge_and_report_clip_huge_fields_and_replace_lone_surrogates(cli, hub, project, tmp_path: Path):
    """A saved report is input like any other: a lone surrogate (JSON can spell one, no output can encode
    it) made `merge` exit 3, and a 50 MB license name became 50 MB of every output."""
    from support.fakehub import model

    hub.models["acme/x"] = model("acme/x", license="other", card={"license_name": "acme"})
    root = project({"app.py": LOAD.format("acme/x")})
    report = cli("scan", root, "--format", "json", "--fail-on", "never").json()
    report["models"][0]["license"]["name"] = "L" * 50_000_000
    report["scan"]["repository"] = "acme/lone-\ud800-surrogate"
    saved = tmp_path / "reports" / "acme.json"
    saved.parent.mkdir()
    saved.write_text(json.dumps(report))
    for command in (["merge", saved.parent], ["report", saved]):
        for fmt in ("text", "json", "markdown", "html", "cyclonedx"):
            run = cli(*command, "--format", fmt)
            assert run.code == 0, (command[0], fmt, run.stderr[:500])
            assert len(run.stdout) < 1_000_000, (command[0], fmt, len(run.stdout))
    assert cli("merge", saved.parent, "--format", "sqlite", "--output", tmp_path / "org.db").code == 0
    assert (tmp_path / "org.db").stat().st_size < 1_000_000


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_named_on_the_command_line_is_named_in_a_note(cli, project):
    root = project({"app.py": LOAD.format("acme/x")})
    os.mkfifo(root / "pipe.py")
    run = cli("scan", root / "app.py", root / "pipe.py", "--offline", "--format", "json", "--fail-on", "never",
              cwd=root)
    assert run.code == 0, run.stderr
    notes = {n["path"]: n["message"] for n in run.json()["notes"]}
    assert notes["pipe.py"] == "skipped: not a regular file (a FIFO or device)"
