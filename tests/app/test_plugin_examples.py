"""Every plugin example of docs/plugins.md, installed as a package by pip and exercised through the CLI;
the docs show the files exactly as they are; a plugin that breaks the contract is one line, exit 2."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from support.project import REPO, write_tree

EXAMPLES = REPO / "docs" / "examples" / "acme-plugins"
DOCS = REPO / "docs" / "plugins.md"
SHA = "0123456789abcdef0123456789abcdef01234567"


@pytest.fixture(scope="module")
def acme_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """docs/examples/acme-plugins built and installed by pip (entry points and all) into a directory."""
    target = tmp_path_factory.mktemp("acme-site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
         "--target", str(target), str(EXAMPLES)],
        check=True, capture_output=True, text=True, env={**os.environ, "TMPDIR": str(tmp_path_factory.mktemp("b"))},
    )
    return target


def _model_risk(*args: str, site: Path, cwd: Path | None = None, env: dict[str, str] | None = None
                ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "model_risk", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {}), "PYTHONPATH": str(site)}, cwd=cwd, timeout=120)


class _Registry:
    """Acme's internal model registry, on loopback."""

    def __init__(self, entries: dict[str, dict]) -> None:
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):  # noqa: N802
                entry = entries.get(self.path.removeprefix("/models/"))
                body = json.dumps(entry or {"error": "not found"}).encode()
                self.send_response(200 if entry else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"


@pytest.fixture
def registry():
    server = _Registry({"acme/support-llm": {
        "id": "acme/support-llm", "license": "apache-2.0", "base_model": "Qwen/Qwen2.5-7B-Instruct",
        "sha": SHA, "formats": ["safetensors"], "updated": "2021-03-01T00:00:00Z"}})
    yield server
    server.server.shutdown()


def _project(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "proj", {
        "deploy/prod.properties": f"model.id=acme/support-llm\nmodel.revision={SHA}\nmodel.trust-remote-code=true\n",
        "deploy/old.properties": "# retired last year\nmodel.id = acme/retired-model\n",
        "deploy/bad.properties": "model.id=just-a-name\n",
    })


def test_all_six_example_plugins_are_installed_through_entry_points(acme_site: Path):
    proc = _model_risk("plugins", site=acme_site)
    assert proc.returncode == 0, proc.stderr
    for name, hook in [("acme-properties-detector", "register_detectors"), ("acme-registry", "resolve_model"),
                       ("acme-findings-tsv", "register_reporters"), ("acme-stale-model", "register_conditions"),
                       ("acme-rules", "register_rule_packs"), ("acme-models-command", "register_commands")]:
        assert f"{name}  (acme-model-risk 1.0.0): {hook}" in proc.stdout
    assert "acme-properties" in proc.stdout and "findings-tsv" in proc.stdout and "stale-model" in proc.stdout


def test_detector_resolver_condition_and_rule_pack_in_one_scan(acme_site: Path, registry: _Registry, hub,
                                                                tmp_path: Path):
    root = _project(tmp_path)
    proc = _model_risk("scan", str(root), "--format", "json", "--fail-on", "never", site=acme_site,
                       env={"ACME_REGISTRY_URL": registry.url})
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    refs = {r["model"]: r for r in report["references"]}
    # The detector set revision= and trust_remote_code= on the reference.
    assert (refs["acme/support-llm"]["path"], refs["acme/support-llm"]["line"], refs["acme/support-llm"]["column"],
            refs["acme/support-llm"]["detector"]) == ("deploy/prod.properties", 1, 10, "acme-properties")
    assert refs["acme/support-llm"]["revision"] == SHA and refs["acme/support-llm"]["trust_remote_code"] is True
    assert refs["acme/retired-model"]["trust_remote_code"] is False
    assert "deploy/bad.properties:1: model.id 'just-a-name' is not an org/name id" in proc.stderr
    models = {m["id"]: m for m in report["models"]}
    # The registry answered for its own namespace; the Hub answered for the base model.
    assert models["acme/support-llm"]["status"] == "resolved"
    assert models["acme/support-llm"]["lineage"] == ["acme/support-llm", "Qwen/Qwen2.5-7B-Instruct", "Qwen/Qwen2.5-7B"]
    assert models["acme/support-llm"]["root_vendor"] == "Alibaba"
    assert models["acme/retired-model"]["status"] == "not-found"
    rules = {(f["rule"], f["model"]) for f in report["findings"]}
    assert ("stale-model", "acme/support-llm") in rules  # the plugin's rule pack, through its condition
    assert ("trust-remote-code", "acme/support-llm") in rules
    assert ("model-not-found", "acme/retired-model") in rules
    stale = next(f for f in report["findings"] if f["rule"] == "stale-model")
    assert stale["code"] == "ACME001" and stale["severity"] == "low"
    assert stale["message"] == "acme/support-llm has had no commit since 2021-03-01T00:00:00Z"


def test_the_reporter_prints_severity_as_its_value(acme_site: Path, registry: _Registry, hub, tmp_path: Path):
    root = _project(tmp_path)
    proc = _model_risk("scan", str(root), "--format", "findings-tsv", "--fail-on", "never", site=acme_site,
                       env={"ACME_REGISTRY_URL": registry.url})
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "severity\trule\tcode\tmodel\tlocation\tmessage"
    # The line docs/plugins.md shows.
    assert "\nhigh\ttrust-remote-code\tMR302\tacme/support-llm\tdeploy/prod.properties:1\t" in proc.stdout
    assert "`high\ttrust-remote-code\tMR302\tacme/support-llm\tdeploy/prod.properties:1\t...`" in DOCS.read_text()
    assert {line.split("\t")[0] for line in lines[1:]} <= {"info", "low", "medium", "high", "critical"}
    assert "Severity." not in proc.stdout


def test_the_resolver_stays_off_the_network_offline(acme_site: Path, registry: _Registry, tmp_path: Path):
    root = _project(tmp_path)
    proc = _model_risk("scan", str(root), "--offline", "--format", "json", "--fail-on", "never", site=acme_site,
                       env={"ACME_REGISTRY_URL": registry.url})
    models = {m["id"]: m for m in json.loads(proc.stdout)["models"]}
    assert models["acme/support-llm"]["status"] == "unresolved"


def test_the_command(acme_site: Path, tmp_path: Path):
    root = _project(tmp_path)
    proc = _model_risk("models", str(root), site=acme_site)
    assert proc.returncode == 0, proc.stderr
    assert sorted(proc.stdout.splitlines()) == ["   1  acme/retired-model", "   1  acme/support-llm"]


def _code_blocks(text: str) -> list[str]:
    return [m.group(1) for m in re.finditer(r"```[a-z]*\n(.*?)```", text, flags=re.S)]


def test_docs_show_every_example_file_exactly():
    blocks = _code_blocks(DOCS.read_text(encoding="utf-8"))
    files = [EXAMPLES / "pyproject.toml", *sorted((EXAMPLES / "src").rglob("*.py")),
             *sorted((EXAMPLES / "src").rglob("*.yaml"))]
    for path in files:
        if path.name == "__init__.py":
            continue
        assert path.read_text(encoding="utf-8") in blocks, f"docs/plugins.md does not show {path.relative_to(REPO)}"


def test_docs_document_every_hook_with_its_signature():
    from model_risk.contract import hookspecs

    docs = DOCS.read_text(encoding="utf-8")
    import inspect

    for name in ("register_detectors", "resolve_model", "register_reporters", "register_conditions",
                 "register_rule_packs", "register_commands"):
        spec = getattr(hookspecs, name)
        signature = f"{name}{inspect.signature(spec)}".replace("'", "")
        assert f"### `{signature}`" in docs, signature


# --- plugins that break the contract --------------------------------------------------------------

def _broken_site(tmp_path: Path, module: str) -> Path:
    return write_tree(tmp_path / "site", {
        "broken_plugin.py": module,
        "broken_plugin-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: broken-plugin\nVersion: 1.0\n",
        "broken_plugin-1.0.dist-info/entry_points.txt": "[model_risk]\nbroken = broken_plugin\n",
    })


BROKEN = {
    "register with a name and a function": (
        "from model_risk import hookimpl\n"
        "@hookimpl\ndef register_conditions(register):\n    register('always', lambda subject, args: True)\n",
        ("rules",),
        "model-risk: error: plugin 'broken', hook register_conditions: register() takes one Condition object, "
        "not (str, function) (see docs/plugins.md)"),
    "a reporter that raises": (
        "from model_risk import hookimpl\nfrom model_risk.contract.reporter import Reporter\n"
        "class R(Reporter):\n    format = 'bad'\n    def render(self, result, options):\n        return 1 / 0\n"
        "@hookimpl\ndef register_reporters(register):\n    register(R())\n",
        ("scan", "--offline", "--format", "bad", "{root}"),
        "model-risk: error: plugin 'broken' failed in hook register_reporters (bad.render): "
        "ZeroDivisionError: division by zero"),
    "a condition that raises": (
        "from model_risk import hookimpl\nfrom model_risk.contract.condition import Condition\n"
        "@hookimpl\ndef register_conditions(register):\n"
        "    register(Condition(name='odd', test=lambda subject, args: subject['nope']))\n"
        "@hookimpl\ndef register_rule_packs(register):\n    import pathlib\n    register(pathlib.Path(__file__).parent / 'pack.yaml')\n",
        ("scan", "--offline", "{root}"),
        "model-risk: error: plugin 'broken' failed in hook register_conditions (odd.test): KeyError: 'nope'"),
    "a register_rule_packs hook that raises": (
        "from model_risk import hookimpl\n@hookimpl\ndef register_rule_packs(register):\n"
        "    raise FileNotFoundError('rules.yaml')\n",
        ("rules",),
        "model-risk: error: plugin 'broken' failed in hook register_rule_packs: FileNotFoundError: rules.yaml"),
    "a command that raises": (
        "import click\nfrom model_risk import hookimpl\n@hookimpl\ndef register_commands(cli):\n"
        "    @cli.command('hello')\n    def hello():\n        raise RuntimeError('oops')\n",
        ("hello",),
        "model-risk: error: plugin 'broken' failed in hook register_commands (hello command): RuntimeError: oops"),
    "an import that fails": (
        "raise ImportError('needs a library that is not installed')\n",
        ("rules",),
        "model-risk: error: plugin 'broken' (broken_plugin) failed to load: "
        "ImportError: needs a library that is not installed"),
}

PACK = """\
pack: broken
version: 1
rules:
  - {code: BRK001, name: odd, severity: low, scope: model, summary: odd, message: odd, when: {check: odd}}
"""


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_wrong_plugin_is_one_line_naming_it_and_the_hook(case: str, tmp_path: Path, hub):
    module, args, expected = BROKEN[case]
    site = _broken_site(tmp_path, module)
    (site / "pack.yaml").write_text(PACK)
    root = write_tree(tmp_path / "proj", {
        "a.py": 'from transformers import AutoModel\nAutoModel.from_pretrained("Qwen/Qwen2.5-7B-Instruct")\n'})
    proc = _model_risk(*[a.replace("{root}", str(root)) for a in args], site=site, cwd=root)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.strip() == expected
    assert "Traceback" not in proc.stderr


def test_severity_prints_as_its_value():
    from model_risk.contract.domain import ModelStatus, Severity

    assert str(Severity.LOW) == "low" and f"{Severity.CRITICAL}" == "critical"
    assert str(ModelStatus.NOT_FOUND) == "not-found"


def test_a_detector_or_resolver_that_raises_costs_one_file_or_model_and_says_so(tmp_path: Path, hub):
    """The error boundary of issue 11: a failing detector costs the file it read (an error note), a
    failing resolver the model it was asked about (unresolved, the reason naming the plugin); the scan
    goes on, so one plugin bug does not hide every other finding."""
    site = _broken_site(tmp_path, (
        "from model_risk import hookimpl\nfrom model_risk.contract.detector import Detector\n"
        "class D(Detector):\n    name = 'boom'\n    def accepts(self, filename):\n        return filename == 'a.py'\n"
        "    def detect(self, source):\n        raise KeyError('model')\n"
        "@hookimpl\ndef register_detectors(register):\n    register(D())\n"
        "@hookimpl\ndef resolve_model(request, context):\n    raise ConnectionError('registry down')\n"))
    root = write_tree(tmp_path / "proj", {
        "a.py": 'from transformers import AutoModel\nAutoModel.from_pretrained("Qwen/Qwen2.5-7B-Instruct")\n'})
    proc = _model_risk("scan", str(root), "-j", "1", "--format", "json", "--fail-on", "never", site=site, cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip() == "model-risk: error: a.py: detector 'boom' failed: KeyError: 'model'"
    (model,) = json.loads(proc.stdout)["models"]
    assert model["status"] == "unresolved"
    assert model["reason"] == ("resolver failed: plugin 'broken' failed in hook resolve_model: "
                               "ConnectionError: registry down")
