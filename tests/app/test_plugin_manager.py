"""The plugin manager as a plugin author meets it: every hook, and every way a plugin can be wrong.

Plugins here are plain objects registered on a freshly loaded manager and handed to the CLI, the same
path an installed entry point takes after it is imported.
"""

from __future__ import annotations

import click
import pytest
from support.project import write_tree

from model_risk import hookimpl
from model_risk.app.plugins import load_plugins
from model_risk.contract.condition import Condition

QWEN_LOADER = 'from transformers import AutoModel\nAutoModel.from_pretrained("Qwen/Qwen2.5-7B-Instruct")\n'


def _with(*plugins: object, disabled: tuple[str, ...] | None = None):
    loaded = load_plugins(disabled)
    for index, plugin in enumerate(plugins):
        loaded.manager.register(plugin, name=getattr(plugin, "plugin_name", f"test-plugin-{index}"))
    loaded.manager.check_pending()
    return loaded


class PackPlugin:
    plugin_name = "house-rules"

    def __init__(self, pack):
        self.pack = pack

    @hookimpl
    def register_rule_packs(self, register):
        register(self.pack)


def test_register_rule_packs_adds_a_pack_that_scans_use(cli, tmp_path):
    pack = write_tree(tmp_path / "packs", {"house.yaml": """
        pack: house
        version: 1
        rules:
          - name: no-qwen-in-house
            code: HR001
            severity: high
            scope: model
            summary: Qwen models need a sign-off
            message: "{model} needs a sign-off"
            when: {field: root_vendor, equals: Alibaba}
    """}) / "house.yaml"
    root = write_tree(tmp_path / "project", {"app.py": QWEN_LOADER})
    plugins = _with(PackPlugin(pack))
    listed = cli("rules", plugins=plugins)
    assert "HR001  no-qwen-in-house" in listed.stdout
    run = cli("scan", root, "--offline", "--format", "json", "--fail-on", "never", plugins=plugins)
    assert run.code == 0, run.stderr
    assert [f["code"] for f in run.json()["findings"] if f["rule"] == "no-qwen-in-house"] == ["HR001"]


class CommandPlugin:
    plugin_name = "hello-command"

    @hookimpl
    def register_commands(self, cli):
        @cli.command("hello")
        def hello() -> None:
            click.echo("hello from a plugin")


def test_register_commands_adds_a_subcommand(cli):
    run = cli("hello", plugins=_with(CommandPlugin()))
    assert (run.code, run.stdout) == (0, "hello from a plugin\n")


def test_disabled_plugins_are_blocked_built_ins_included(cli, tmp_path, monkeypatch):
    root = write_tree(tmp_path / "project", {"app.py": QWEN_LOADER, "serve.sh": "vllm serve Qwen/Qwen2.5-7B-Instruct\n"})
    monkeypatch.setenv("MODEL_RISK_DISABLE_PLUGINS", "model_risk.detect.plugins.python, unknown-plugin")
    run = cli("scan", root, "--offline", "--format", "json", "--fail-on", "never")
    assert run.code == 0, run.stderr
    # app.py is read by the candidate pass alone (a built-in pass, not a plugin)
    assert {r["detector"] for r in run.json()["references"]} == {"shell", "candidates"}
    listing = cli("plugins")
    assert "model_risk.detect.plugins.python" not in listing.stdout


class MisspelledHook:
    plugin_name = "typo-plugin"

    @hookimpl
    def register_detector(self, register):  # the hook is register_detectors
        pass


def test_a_misspelled_hook_is_an_error_naming_the_plugin():
    loaded = load_plugins()
    loaded.manager.register(MisspelledHook(), name="typo-plugin")
    with pytest.raises(Exception) as caught:
        loaded.manager.check_pending()
    assert "register_detector" in str(caught.value)


class WrongRegisterCall:
    plugin_name = "guessing-plugin"

    @hookimpl
    def register_conditions(self, register):
        register("always", lambda subject, args: True)  # register takes a Condition object


def test_register_with_the_wrong_arguments_is_one_line_naming_plugin_and_hook(cli, tmp_path):
    root = write_tree(tmp_path / "project", {"app.py": QWEN_LOADER})
    run = cli("scan", root, "--offline", plugins=_with(WrongRegisterCall()))
    assert run.code == 2
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr
    assert "plugin 'guessing-plugin'" in run.stderr and "register_conditions" in run.stderr
    assert "internal error" not in run.stderr


class RaisingCondition:
    plugin_name = "flaky-condition"

    @hookimpl
    def register_conditions(self, register):
        def test(subject, args):
            raise RuntimeError("lookup service down")

        register(Condition(name="flaky", test=test, scopes=("model",)))

    @hookimpl
    def register_rule_packs(self, register):
        register(self.pack)


def test_a_plugin_that_raises_while_a_scan_runs_is_one_line_exit_2(cli, tmp_path):
    plugin = RaisingCondition()
    plugin.pack = write_tree(tmp_path / "packs", {"flaky.yaml": """
        pack: flaky
        version: 1
        rules:
          - name: flaky-rule
            code: FL001
            severity: low
            scope: model
            summary: uses a plugin condition
            message: "{model}"
            when: {check: flaky}
    """}) / "flaky.yaml"
    root = write_tree(tmp_path / "project", {"app.py": QWEN_LOADER})
    run = cli("scan", root, "--offline", plugins=_with(plugin))
    assert run.code == 2, run.stderr
    assert "plugin 'flaky-condition' failed in hook register_conditions (flaky.test): RuntimeError: lookup service " \
           "down" in run.stderr
    assert run.stderr.count("\n") == 1


class RaisingReporter:
    plugin_name = "broken-format"

    @hookimpl
    def register_reporters(self, register):
        from model_risk.contract.reporter import Reporter

        class Broken(Reporter):
            format = "broken"

            def render(self, result, options):
                raise ValueError("template missing")

        register(Broken())


def test_a_reporter_that_raises_names_its_plugin(cli, tmp_path):
    root = write_tree(tmp_path / "project", {"app.py": QWEN_LOADER})
    run = cli("scan", root, "--offline", "--format", "broken", plugins=_with(RaisingReporter()))
    assert run.code == 2
    assert "plugin 'broken-format' failed in hook register_reporters (broken.render): ValueError: template missing" \
        in run.stderr


def test_a_failing_built_in_plugin_is_a_bug_in_model_risk_exit_3(cli, tmp_path, monkeypatch):
    """The user's input is not at fault when a built-in reporter fails: exit 3 and a request to report it,
    not exit 2 (a usage error); MODEL_RISK_DEBUG=1 shows the traceback on this path too."""
    from model_risk.report import json_report

    def broken(self, result, options):
        return ("x",)[result.files_scanned + 5]  # the IndexError a grouping bug once raised here

    monkeypatch.setattr(json_report.JsonReporter, "render", broken)
    root = write_tree(tmp_path / "project", {"app.py": QWEN_LOADER})
    run = cli("scan", root, "--offline", "--format", "json")
    assert run.code == 3
    assert run.stderr.startswith("model-risk: internal error: plugin 'model_risk.report.builtin' failed in hook "
                                 "register_reporters (json.render): IndexError")
    assert "please report it" in run.stderr and "Traceback" not in run.stderr
    monkeypatch.setenv("MODEL_RISK_DEBUG", "1")
    debugged = cli("scan", root, "--offline", "--format", "json")
    assert debugged.code == 3
    assert "Traceback (most recent call last)" in debugged.stderr and "in broken" in debugged.stderr
