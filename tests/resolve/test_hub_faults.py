"""A Hub that misbehaves: every fault ends as a status with a reason, and the scan always reports.

The real huggingface_hub client talks to the stand-in Hub; the config's ``hub:`` settings keep
timeouts and retries short.
"""

from __future__ import annotations

import time

import pytest
from support.fakehub import Fault, hang, model
from support.project import DEAD_ENDPOINT, validate_report
from support.scanning import FAST_HUB, loader, models_by_id

QWEN = "Qwen/Qwen2.5-7B-Instruct"


def scan_json(cli, root):
    run = cli("scan", root, "--format", "json", "--fail-on", "never")
    assert run.code == 0, run.stderr
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr
    validate_report(run.json())
    return run.json()


@pytest.mark.parametrize("fault", [
    Fault(500), Fault(502), Fault(503), Fault(504),
    Fault(kind="truncated"), Fault(kind="short"), Fault(kind="garbage"), Fault(kind="close"),
    Fault(delay=0.05),  # slow, but within the timeout
], ids=lambda f: f.kind or ("delay" if f.delay else str(f.status)))
def test_a_passing_fault_is_retried_to_resolved(cli, hub, project, fault):
    root = project({"app.py": loader(QWEN), ".model-risk.yaml": FAST_HUB})
    hub.fail(QWEN, fault)
    facts = models_by_id(scan_json(cli, root))[QWEN]
    assert facts["status"] == "resolved", facts["reason"]
    assert facts["license"]["hub"] == "apache-2.0"


@pytest.mark.parametrize(("fault", "reason"), [
    (Fault(500, times=None), "Hub server error (HTTP 500) (gave up after 3 attempts)"),
    (Fault(503, times=None), "Hub server error (HTTP 503) (gave up after 3 attempts)"),
    (Fault(429, times=None), "rate limited by the Hub (HTTP 429) (gave up after 3 attempts)"),
    (Fault(kind="truncated", times=None), "garbled answer from the Hub (not valid JSON) (gave up after 3 attempts)"),
    (Fault(kind="garbage", times=None), "garbled answer from the Hub (not valid JSON) (gave up after 3 attempts)"),
    (Fault(kind="close", times=None), "Hub request network error (gave up after 3 attempts)"),
    (Fault(kind="short", times=None), "Hub request network error (gave up after 3 attempts)"),
    (hang(), "Hub request timed out (gave up after 3 attempts)"),
], ids=["500", "503", "429", "truncated", "garbage", "close", "short", "hang"])
def test_a_lasting_fault_is_retried_a_bounded_number_of_times(cli, hub, project, fault, reason):
    root = project({"app.py": loader(QWEN), ".model-risk.yaml": FAST_HUB})
    hub.fail(QWEN, fault)
    report = scan_json(cli, root)
    facts = models_by_id(report)[QWEN]
    assert (facts["status"], facts["reason"]) == ("unresolved", reason)
    assert len(hub.model_requests(QWEN)) == 3  # retries: 2
    assert QWEN in {f["model"] for f in report["findings"] if f["rule"] == "unresolved-model"}


def test_one_failing_model_does_not_affect_the_others(cli, hub, project):
    root = project({"app.py": loader(QWEN, "openai-community/gpt2", "BAAI/bge-m3"),
                    ".model-risk.yaml": FAST_HUB})
    hub.fail("openai-community/gpt2", Fault(500, times=None))
    models = models_by_id(scan_json(cli, root))
    assert models["openai-community/gpt2"]["status"] == "unresolved"
    assert models[QWEN]["status"] == models["BAAI/bge-m3"]["status"] == "resolved"


def test_wrong_json_shape_is_unresolved(cli, hub, project):
    root = project({"app.py": loader(QWEN), ".model-risk.yaml": FAST_HUB})
    hub.fail(QWEN, Fault(200, body=b'["not", "a", "model"]', times=None))
    facts = models_by_id(scan_json(cli, root))[QWEN]
    assert facts["status"] == "unresolved" and facts["reason"].startswith("unexpected answer from the Hub")


def test_redirect_loop_is_unresolved(cli, hub, project):
    hub.redirects.update({"acme/ping": "acme/pong", "acme/pong": "acme/ping"})
    root = project({"app.py": loader("acme/ping"), ".model-risk.yaml": FAST_HUB})
    facts = models_by_id(scan_json(cli, root))["acme/ping"]
    assert facts["status"] == "unresolved" and "redirect" in facts["reason"]


def test_a_hub_that_hangs_costs_one_timeout_not_one_per_model(cli, hub, project):
    names = [f"acme/m{i}" for i in range(12)]
    for name in names:
        hub.models[name] = model(name)
    hub.fail_all(hang())
    root = project({"app.py": loader(*names),
                    ".model-risk.yaml": "hub:\n  timeout: 0.3\n  retries: 3\n  backoff: 0.01\n  concurrency: 4\n"})
    started = time.monotonic()
    report = scan_json(cli, root)
    elapsed = time.monotonic() - started
    assert {m["status"] for m in report["models"]} == {"unresolved"}
    reasons = {m["reason"] for m in report["models"]}
    assert "Hub unreachable (several requests in a row failed)" in reasons
    # 12 models x 4 attempts x 0.3 s one after another would be 14 s; the circuit breaker stops it.
    assert elapsed < 5, elapsed
    assert len(hub.model_requests()) < 12


def test_the_deadline_ends_a_scan_whose_lookups_do_not_finish(cli, hub, project):
    hub.fail(QWEN, hang())
    root = project({"app.py": loader(QWEN, "openai-community/gpt2"),
                    ".model-risk.yaml": "hub:\n  timeout: 30\n  deadline: 0.5\n"})
    started = time.monotonic()
    report = scan_json(cli, root)
    assert time.monotonic() - started < 5
    models = models_by_id(report)
    assert models[QWEN]["status"] == "unresolved"
    assert models[QWEN]["reason"] == "lookup did not finish before the deadline"
    assert models["openai-community/gpt2"]["status"] == "resolved"


def test_a_hub_that_goes_down_in_the_middle_of_a_scan(cli, hub, project):
    names = [f"acme/model-{i:02d}" for i in range(40)]
    for name in names:
        hub.models[name] = model(name, license="mit")
    hub.go_down_after(10)
    root = project({"app.py": loader(*names),
                    ".model-risk.yaml": "hub:\n  timeout: 0.5\n  retries: 2\n  backoff: 0.01\n  concurrency: 4\n"})
    report = scan_json(cli, root)
    statuses = [m["status"] for m in report["models"]]
    assert len(statuses) == 40
    assert statuses.count("resolved") == 10
    unresolved = [m for m in report["models"] if m["status"] == "unresolved"]
    assert len(unresolved) == 30 and all(m["reason"] for m in unresolved)
    # No retry storm: once several requests in a row fail, the rest of the scan stops asking.
    assert len(hub.requests) < 10 + 4 * 3 + 4
    assert report["summary"]["models"] == 40


def test_an_unreachable_hub_reports_every_model_unresolved(cli, project, monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", DEAD_ENDPOINT)
    root = project({"app.py": loader(QWEN, "openai-community/gpt2"), ".model-risk.yaml": FAST_HUB})
    run = cli("scan", root, "--format", "json")
    assert run.code == 0, run.stderr  # a Hub outage is not an error of the scan (unresolved-model is low)
    report = run.json()
    assert {m["status"] for m in report["models"]} == {"unresolved"}
    assert all("network error" in m["reason"] or "unreachable" in m["reason"] for m in report["models"])
    assert {f["rule"] for f in report["findings"]} >= {"unresolved-model"}


@pytest.mark.parametrize("endpoint", ["huggingface.co", "ftp://mirror.example", "http://[::1", "http://mirror:99999"])
def test_a_malformed_endpoint_is_a_configuration_error(cli, project, monkeypatch, endpoint):
    monkeypatch.setenv("HF_ENDPOINT", endpoint)
    root = project({"app.py": loader(QWEN)})
    run = cli("scan", root)
    assert run.code == 2 and "Traceback" not in run.stderr
    assert run.stderr.startswith("model-risk: error: HF_ENDPOINT") and repr(endpoint) in run.stderr
    assert cli("scan", root, "--offline", "--fail-on", "never").code == 0  # offline, the endpoint is not used


def test_a_hub_answering_server_errors_to_everything_is_not_hammered(cli, hub, project):
    names = [f"acme/model-{i:02d}" for i in range(40)]
    for name in names:
        hub.models[name] = model(name)
    hub.fail_all(Fault(503, times=None))
    root = project({"app.py": loader(*names),
                    ".model-risk.yaml": "hub:\n  retries: 2\n  backoff: 0.01\n  concurrency: 4\n"})
    report = scan_json(cli, root)
    assert {m["status"] for m in report["models"]} == {"unresolved"}
    assert "Hub unreachable (several requests in a row failed)" in {m["reason"] for m in report["models"]}
    # Retrying every model would be 120 requests; after a few models in a row fail, the rest are not asked.
    assert len(hub.model_requests()) <= 8 * 3


def test_lookups_abandoned_at_the_deadline_do_not_keep_the_process_alive(hub, project, tmp_path):
    import os
    import subprocess
    import sys

    hub.fail_all(hang())
    root = project({"app.py": loader(QWEN), ".model-risk.yaml": "hub:\n  timeout: 60\n  deadline: 1\n"})
    env = {**os.environ, "HF_ENDPOINT": hub.url}
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "model_risk", "scan", str(root), "--format", "json",
                           "--fail-on", "never"], env=env, capture_output=True, text=True, timeout=50)
    assert time.monotonic() - started < 30, "the process waited for the hung request's 60 s timeout"
    assert done.returncode == 0, done.stderr
    assert '"lookup did not finish before the deadline"' in done.stdout


class _BrokenRegistry:
    """A resolver plugin with bugs: it raises for one model and answers another with the wrong type."""

    from model_risk.contract.hookspecs import hookimpl

    @hookimpl(tryfirst=True)
    def resolve_model(self, request, context):
        if request.model_id == "acme/raises":
            raise RuntimeError("registry down")
        if request.model_id == "acme/wrong-type":
            return {"id": request.model_id}
        return None


def test_a_broken_resolver_plugin_costs_one_model(cli, hub, project):
    from model_risk.app.plugins import load_plugins

    plugins = load_plugins()
    plugins.manager.register(_BrokenRegistry(), name="broken-registry")
    root = project({"app.py": loader("acme/raises", "acme/wrong-type", QWEN)})
    run = cli("scan", root, "--format", "json", "--fail-on", "never", plugins=plugins)
    assert run.code == 0, run.stderr
    models = models_by_id(run.json())
    assert models["acme/raises"]["reason"] == \
        "resolver failed: plugin 'broken-registry' failed in hook resolve_model: RuntimeError: registry down"
    assert models["acme/wrong-type"]["reason"] == "resolver failed: TypeError: returned dict, not ModelFacts"
    assert models[QWEN]["status"] == "resolved"


def test_a_hub_whose_host_name_does_not_resolve_is_asked_nothing_more(cli, project, monkeypatch):
    """No network at all (a commit on a train): the name is looked up once, and neither model lookups nor
    the organisation listings of verification retry it (they waited out huggingface_hub's own retries)."""
    import socket

    real = socket.getaddrinfo
    asked: list[str] = []

    def lookup(host, *args, **kwargs):  # type: ignore[no-untyped-def]
        if host == "hub.invalid":
            asked.append(host)
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    monkeypatch.setenv("HF_ENDPOINT", "http://hub.invalid")
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    text = "\n".join(f"# candidates: acme-lab/tool-{i}, acme-lab/model-{i}" for i in range(3))
    root = project({"app.py": loader(QWEN) + loader("meta-llama/Llama-3.1-8B-Instruct"), "NOTES.md": text + "\n"})
    report = scan_json(cli, root)
    assert {m["status"] for m in report["models"]} == {"unresolved"}
    assert all("host name does not resolve" in m["reason"] for m in report["models"])
    assert asked == ["hub.invalid"]
    assert report["summary"]["verification"]["hub_requests"] == 0


def test_behind_a_proxy_a_name_the_machine_cannot_resolve_is_still_asked(monkeypatch):
    """A proxy resolves the Hub's name for the machine: a failing local lookup must not stop the scan."""
    import socket

    from model_risk.resolve import hub_client

    real = socket.getaddrinfo

    def lookup(host, *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(host).endswith(".invalid"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    assert hub_client.host_resolves("https://hub.invalid") is False
    assert hub_client.host_resolves("http://127.0.0.1:8080") is True  # an address needs no name server
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:3128")
    assert hub_client.host_resolves("https://hub.invalid") is True
