"""Every built-in rule: a project that triggers it, and a near miss that does not.

Findings are asserted exactly: rule, model (or vendor) and locations. The models are served by the
stand-in Hub through the real client.
"""

from __future__ import annotations

import json

import pytest
from support.fakehub import Fault, model

SHA = "0123456789abcdef0123456789abcdef01234567"
FAST_HUB = "hub:\n  backoff: 0.01\n  retries: 1\n"


def _app(*calls: str) -> str:
    return "\n".join(["from transformers import AutoModel", *calls]) + "\n"


def _findings(cli, root, rule: str) -> set[tuple]:
    run = cli("scan", root, "--format", "json", "--fail-on", "never")
    assert run.code == 0, run.stderr
    return {
        (f["model"] or f["vendor"], f["severity"], tuple((loc["path"], loc["line"]) for loc in f["locations"]))
        for f in run.json()["findings"] if f["rule"] == rule
    }


def _serve(hub, *entries: dict) -> None:
    for entry in entries:
        hub.models[entry["id"]] = entry


# rule -> (trigger models, trigger code, expected findings, near-miss models, near-miss code)
CASES = {
    "non-osi-license": (
        [model("acme/rail", license="openrail")], ['AutoModel.from_pretrained("acme/rail")'],
        {("acme/rail", "medium", (("app.py", 2),))},
        [model("acme/open", license="apache-2.0")], ['AutoModel.from_pretrained("acme/open")'],
    ),
    "non-commercial-license": (
        [model("acme/nc", license="cc-by-nc-4.0")], ['AutoModel.from_pretrained("acme/nc")'],
        {("acme/nc", "high", (("app.py", 2),))},
        [model("acme/by", license="cc-by-4.0")], ['AutoModel.from_pretrained("acme/by")'],
    ),
    "unknown-license": (
        [model("acme/nolicense")], ['AutoModel.from_pretrained("acme/nolicense")'],
        {("acme/nolicense", "medium", (("app.py", 2),))},
        [model("acme/mit", license="mit")], ['AutoModel.from_pretrained("acme/mit")'],
    ),
    "unpinned-revision": (
        [model("acme/m", license="mit", sha=SHA)],
        ['AutoModel.from_pretrained("acme/m")', 'AutoModel.from_pretrained("acme/m", revision="main")'],
        {("acme/m", "low", (("app.py", 2), ("app.py", 3)))},  # "main" is the default branch: same model
        [model("acme/m", license="mit", sha=SHA)], [f'AutoModel.from_pretrained("acme/m", revision="{SHA}")'],
    ),
    "trust-remote-code": (
        [model("acme/custom", license="mit")],
        ['AutoModel.from_pretrained("acme/custom", trust_remote_code=True)'],
        {("acme/custom", "high", (("app.py", 2),))},
        [model("acme/custom", license="mit")],
        ['AutoModel.from_pretrained("acme/custom", trust_remote_code=False)'],
    ),
    "pickle-only-weights": (
        [model("acme/old", license="mit", siblings=[{"rfilename": "pytorch_model.bin"}])],
        ['AutoModel.from_pretrained("acme/old")'],
        {("acme/old", "medium", (("app.py", 2),))},
        [model("acme/both", license="mit",
               siblings=[{"rfilename": "pytorch_model.bin"}, {"rfilename": "model.safetensors"}])],
        ['AutoModel.from_pretrained("acme/both")'],
    ),
    "gated-model": (
        [model("acme/gated", license="mit", gated="manual")], ['AutoModel.from_pretrained("acme/gated")'],
        {("acme/gated", "low", (("app.py", 2),))},
        [model("acme/open", license="mit")], ['AutoModel.from_pretrained("acme/open")'],
    ),
    "model-not-found": (
        [model("acme/disabled", license="mit", _status="disabled")],
        ['AutoModel.from_pretrained("acme/vanished")', 'AutoModel.from_pretrained("acme/disabled")'],
        {("acme/vanished", "high", (("app.py", 2),)), ("acme/disabled", "high", (("app.py", 3),))},
        [model("acme/here", license="mit")], ['AutoModel.from_pretrained("acme/here")'],
    ),
}


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_triggers_exactly(rule, cli, hub, project):
    models, code, expected, _, _ = CASES[rule]
    _serve(hub, *models)
    root = project({"app.py": _app(*code)})
    assert _findings(cli, root, rule) == expected


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_near_miss_does_not_trigger(rule, cli, hub, project):
    _, _, _, models, code = CASES[rule]
    _serve(hub, *models)
    root = project({"app.py": _app(*code)})
    assert _findings(cli, root, rule) == set()


def test_revision_not_found(cli, hub, project):
    _serve(hub, model("acme/m", license="mit", sha=SHA))
    root = project({"app.py": _app('AutoModel.from_pretrained("acme/m", revision="v9-does-not-exist")')})
    assert _findings(cli, root, "model-not-found") == {("acme/m", "high", (("app.py", 2),))}


def test_renamed_model_and_near_miss(cli, hub, project):
    _serve(hub, model("newco/model", license="mit"))
    hub.redirects["oldco/model"] = "newco/model"
    root = project({"app.py": _app('AutoModel.from_pretrained("oldco/model")')})
    assert _findings(cli, root, "renamed-model") == {("newco/model", "low", (("app.py", 2),))}
    near = project({"app.py": _app('AutoModel.from_pretrained("newco/model")'), "x.py": ""})
    assert _findings(cli, near, "renamed-model") == set()


def test_unresolved_model_and_near_miss(cli, hub, project):
    _serve(hub, model("acme/flaky", license="mit"), model("acme/fine", license="mit"))
    hub.fail("acme/flaky", Fault(500, times=None))
    root = project({"app.py": _app('AutoModel.from_pretrained("acme/flaky")',
                                   'AutoModel.from_pretrained("acme/fine")'), ".model-risk.yaml": FAST_HUB})
    assert _findings(cli, root, "unresolved-model") == {("acme/flaky", "low", (("app.py", 2),))}


def test_license_drift_and_near_miss(cli, hub, project):
    _serve(hub, model("acme/drifting", license="apache-2.0"))
    root = project({"app.py": _app('AutoModel.from_pretrained("acme/drifting")')})
    assert cli("lock", root).code == 0
    assert _findings(cli, root, "license-drift") == set()  # near miss: nothing changed upstream
    hub.models["acme/drifting"] = model("acme/drifting", license="cc-by-nc-4.0", gated="auto")
    (root / ".model-risk.yaml").write_text("hub:\n  cache-ttl: 0\n")
    findings = _findings(cli, root, "license-drift")
    assert findings == {("acme/drifting", "high", (("app.py", 2),))}
    report = cli("scan", root, "--format", "json", "--fail-on", "never").json()
    messages = {f["rule"]: f["message"] for f in report["findings"]}
    # Each change is named for what it is: the gate is not called a license drift.
    assert messages["license-drift"] == ("acme/drifting's license changed on the Hub since model-risk.lock was "
                                         "written: apache-2.0 -> cc-by-nc-4.0")
    assert messages["gating-drift"] == ("acme/drifting's gating changed on the Hub since model-risk.lock was "
                                        "written: gated false -> auto")
    # ... and the model is judged on today's facts: non-commercial now, and gated now.
    assert _findings(cli, root, "non-commercial-license") == {("acme/drifting", "high", (("app.py", 2),))}
    assert _findings(cli, root, "gated-model") == {("acme/drifting", "low", (("app.py", 2),))}
    drifted = next(m for m in report["models"] if m["id"] == "acme/drifting")
    assert drifted["license"]["hub"] == "cc-by-nc-4.0" and drifted["gated"] == "auto"


def test_a_gating_change_alone_is_gating_drift_not_license_drift(cli, hub, project):
    _serve(hub, model("acme/gate", license="mit"))
    root = project({"app.py": _app('AutoModel.from_pretrained("acme/gate")')})
    assert cli("lock", root).code == 0
    hub.models["acme/gate"] = model("acme/gate", license="mit", gated="manual")
    (root / ".model-risk.yaml").write_text("hub:\n  cache-ttl: 0\n")
    assert _findings(cli, root, "license-drift") == set()
    assert _findings(cli, root, "gating-drift") == {("acme/gate", "high", (("app.py", 2),))}


def test_vendor_watchlist_counts_through_lineage(cli, hub, project):
    root = project({
        "app.py": _app('AutoModel.from_pretrained("bartowski/Qwen2.5-7B-Instruct-GGUF")',
                       'AutoModel.from_pretrained("meta-llama/Llama-3.1-8B-Instruct")'),
        ".model-risk.yaml": "watchlist:\n  - vendor: Alibaba\n    reason: strategy under review\n"
                            "    severity: high\n",
    })
    assert _findings(cli, root, "vendor-watchlist") == {
        ("bartowski/Qwen2.5-7B-Instruct-GGUF", "high", (("app.py", 2),))}
    (root / ".model-risk.yaml").write_text("watchlist: [Mistral AI]\n")
    assert _findings(cli, root, "vendor-watchlist") == set()


def test_inline_suppression_is_reported_not_dropped(cli, hub, project):
    _serve(hub, model("acme/nc", license="cc-by-nc-4.0"))
    root = project({"app.py": _app(
        'AutoModel.from_pretrained("acme/nc")  # model-risk: ignore[non-commercial-license]',
        'AutoModel.from_pretrained("acme/nc", revision="main")  # model-risk: ignore',
    )})
    run = cli("scan", root, "--format", "json")
    assert run.code == 0  # the only high finding is suppressed
    report = run.json()
    nc = next(f for f in report["findings"] if f["rule"] == "non-commercial-license")
    assert nc["suppressed"] == {"kind": "inline", "reason": None}
    assert report["summary"]["findings"]["high"] == 0 and report["summary"]["suppressed"] >= 1
    unpinned = next(f for f in report["findings"] if f["rule"] == "unpinned-revision")
    # line 3 silences everything; line 2 only the license rule, so it still counts here
    assert unpinned["suppressed"] is None
    assert [(x["path"], x["line"]) for x in unpinned["locations"]] == [("app.py", 2)]
    assert [(x["path"], x["line"]) for x in unpinned["suppressed_locations"]] == [("app.py", 3)]
    assert json.dumps(report)  # serialisable as-is


def test_a_new_upstream_commit_alone_is_low_drift(cli, hub, project):
    _serve(hub, model("acme/busy", license="mit", sha="a" * 40))
    root = project({"app.py": _app('AutoModel.from_pretrained("acme/busy")')})
    assert cli("lock", root).code == 0
    hub.models["acme/busy"] = model("acme/busy", license="mit", sha="b" * 40)
    (root / ".model-risk.yaml").write_text("hub:\n  cache-ttl: 0\n")
    assert _findings(cli, root, "license-drift") == set()
    assert _findings(cli, root, "revision-drift") == {("acme/busy", "low", (("app.py", 2),))}
