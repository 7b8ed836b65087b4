"""The command line contract: options, exit statuses, and one-line errors without tracebacks."""

from __future__ import annotations

from pathlib import Path

from support.project import EXAMPLE

from model_risk import __version__


def test_version(cli):
    run = cli("--version")
    assert run.code == 0
    assert __version__ in run.stdout


def test_help_lists_commands_and_examples(cli):
    run = cli("--help")
    assert run.code == 0
    for command in ("scan", "lock", "rules", "explain", "plugins"):
        assert command in run.stdout
    assert "Examples:" in run.stdout and "Exit status" in run.stdout


def test_missing_path_is_a_usage_error(cli, tmp_path: Path):
    run = cli("scan", tmp_path / "nope")
    assert run.code == 2
    assert run.stderr.strip().count("\n") == 0
    assert "no such file or directory" in run.stderr and "nope" in run.stderr
    assert "Traceback" not in run.stderr


def test_unknown_format_is_a_usage_error(cli):
    run = cli("scan", EXAMPLE, "--offline", "--format", "pdf")
    assert run.code == 2
    assert "unknown format 'pdf'" in run.stderr


def test_more_outputs_than_formats(cli, tmp_path: Path):
    run = cli("scan", EXAMPLE, "--offline", "-o", tmp_path / "a", "-o", tmp_path / "b")
    assert run.code == 2
    assert "--output" in run.stderr


def test_output_into_missing_directory_fails_before_scanning(cli, tmp_path: Path):
    run = cli("scan", EXAMPLE, "--offline", "--format", "json", "--output", tmp_path / "no" / "r.json")
    assert run.code == 2
    assert "does not exist" in run.stderr


def test_broken_yaml_config_names_file_and_line(cli, project):
    root = project({"app.py": "x = 1\n", ".model-risk.yaml": "fail-on: high\nrules:\n  disable: [a\n"})
    run = cli("scan", root, "--offline")
    assert run.code == 2
    line = run.stderr.strip()
    assert "\n" not in line and "Traceback" not in line
    assert ".model-risk.yaml:" in line and "invalid YAML" in line


def test_invalid_config_value_names_the_line(cli, project):
    root = project({"app.py": "x = 1\n", ".model-risk.yaml": "offline: true\nfail-on: hgh\n"})
    run = cli("scan", root)
    assert run.code == 2
    assert ".model-risk.yaml:2:" in run.stderr and "fail-on" in run.stderr and "'hgh'" in run.stderr


def test_config_in_pyproject(cli, project):
    root = project({
        "app.py": 'from transformers import AutoModel\nAutoModel.from_pretrained("acme/missing-model")\n',
        "pyproject.toml": '[project]\nname = "x"\n\n[tool.model-risk]\nfail-on = "low"\noffline = true\n',
    })
    run = cli("scan", root)
    # offline from the config: the model is unresolved (low), and fail-on low makes that fail
    assert run.code == 1, run.stderr
    assert "unresolved-model" in run.stdout


def test_unknown_rule_in_config_is_an_error(cli, project):
    root = project({"app.py": "x = 1\n", ".model-risk.yaml": "rules:\n  disable: [no-such-rule]\n"})
    run = cli("scan", root, "--offline")
    assert run.code == 2
    assert "no-such-rule" in run.stderr


def test_fail_on_never_and_levels(cli):
    assert cli("scan", EXAMPLE, "--offline", "--fail-on", "never").code == 0
    assert cli("scan", EXAMPLE, "--offline", "--fail-on", "critical").code == 0
    assert cli("scan", EXAMPLE, "--offline", "--fail-on", "high").code == 1
    assert cli("scan", EXAMPLE, "--offline").code == 1


def test_broken_lockfile_is_an_error(cli, project):
    root = project({"app.py": "x = 1\n", "model-risk.lock": '{"version": 1,\n "models": [\n'})
    run = cli("scan", root, "--offline")
    assert run.code == 2
    assert "model-risk.lock:3:" in run.stderr and "invalid JSON" in run.stderr


def test_rules_lists_every_builtin_rule(cli):
    run = cli("rules")
    assert run.code == 0
    for name in ("non-osi-license", "non-commercial-license", "unknown-license", "single-vendor-weights",
                 "vendor-watchlist", "gated-model", "model-not-found", "renamed-model", "unpinned-revision",
                 "trust-remote-code", "pickle-only-weights", "license-drift", "unresolved-model",
                 "gating-drift", "availability-drift", "revision-drift"):
        assert name in run.stdout


def test_rule_documentation(cli):
    run = cli("rules", "MR302")
    assert run.code == 0
    assert "trust-remote-code" in run.stdout
    assert "Why it matters" in run.stdout and "How to fix" in run.stdout and "Example" in run.stdout
    assert cli("rules", "nope").code == 2


def test_plugins_command_lists_builtins(cli):
    run = cli("plugins")
    assert run.code == 0
    assert "model_risk.detect.plugins.python" in run.stdout
    assert "formats:" in run.stdout and "json" in run.stdout
