"""Verifying candidate references (app/verification.py, resolve/verification.py), through the CLI, the
JSON report and the stand-in Hub: what is dropped, how each reference was checked, what it costs."""

from __future__ import annotations

from support.fakehub import LIST, Fault, model

FAST_HUB = "hub:\n  backoff: 0.01\n  retries: 2\n"


def _scan(cli, root, *extra: str) -> dict:
    run = cli("scan", root, "--format", "json", "--fail-on", "never", "--no-drift", *extra)
    assert run.code == 0, run.stderr
    assert "Traceback" not in run.stderr
    return run.json()


def _references(report: dict) -> list[tuple]:
    return sorted((r["model"], r["confidence"], r["verified_by"]) for r in report["references"])


def test_candidates_the_hub_does_not_serve_as_models_are_dropped_and_counted(cli, hub, project):
    hub.models["acme-lab/chat-7b"] = model("acme-lab/chat-7b", license="apache-2.0")
    root = project({
        ".model-risk.yaml": FAST_HUB,
        # likely (a known publisher), possible (quoted), and one that is a dataset on the Hub: the model
        # API does not serve it, as the real Hub serves no dataset or Space from /api/models
        "README.md": "Try Qwen/Qwen9-Nothing-1B, `acme-lab/chat-7b` or `acme-data/dialogues-7b`.\n",
        "app.py": 'from transformers import AutoModel\nAutoModel.from_pretrained("acme-lab/gone-7b")\n',
    })
    report = _scan(cli, root)
    assert _references(report) == [("acme-lab/chat-7b", "possible", "hub"), ("acme-lab/gone-7b", "certain", "hub")]
    assert [(f["rule"], f["model"]) for f in report["findings"] if f["rule"] == "model-not-found"] == [
        ("model-not-found", "acme-lab/gone-7b")], "a certain reference the Hub does not know stays, as a finding"
    dropped = sorted(n["message"].split()[0] for n in report["notes"] if "looked like a model" in n["message"])
    assert dropped == ["Qwen/Qwen9-Nothing-1B", "acme-data/dialogues-7b"]
    verification = report["summary"]["verification"]
    assert (verification["checked"], verification["dropped"], verification["unverified"]) == (3, 2, 0)
    assert verification["hub_requests"] >= 4
    text = cli("scan", root, "--fail-on", "never", "--no-drift").stdout
    assert "3 candidate references checked, 2 left out" in text


def test_each_reference_says_how_it_was_checked(cli, hub, project, cache_dir):
    hub.models["acme-lab/chat-7b"] = model("acme-lab/chat-7b", license="apache-2.0")
    hub.models["acme-lab/embed-2"] = model("acme-lab/embed-2", license="apache-2.0")
    root = project({
        ".model-risk.yaml": FAST_HUB,
        "src/main.rs": 'let a = "acme-lab/chat-7b";\nlet b = "acme-lab/embed-2";\n',
    })
    assert _references(_scan(cli, root)) == [("acme-lab/chat-7b", "possible", "hub"),
                                             ("acme-lab/embed-2", "possible", "hub")]
    assert _references(_scan(cli, root)) == [("acme-lab/chat-7b", "possible", "cache"),
                                             ("acme-lab/embed-2", "possible", "cache")]
    lock = cli("lock", root)
    assert lock.code == 0, lock.stderr
    assert {r[2] for r in _references(_scan(cli, root, "--offline"))} == {"lockfile"}
    (root / "model-risk.lock").unlink()
    for entry in cache_dir.rglob("*.json"):
        entry.unlink()
    assert {r[2] for r in _references(_scan(cli, root, "--offline"))} == {"unverified"}


def _one_organisation(hub, project):
    """A project naming four candidates of one organisation, of which the Hub serves one."""
    hub.models["acme-lab/real-7b"] = model("acme-lab/real-7b", license="apache-2.0")
    return project({
        ".model-risk.yaml": FAST_HUB,
        "docs/notes.txt": "".join(f'"acme-lab/{name}"\n' for name in ("real-7b", "ghost-1b", "ghost-2b", "ghost-3b")),
    })


def test_one_listing_answers_many_candidates_of_one_organisation(cli, hub, project):
    root = _one_organisation(hub, project)
    report = _scan(cli, root)
    assert _references(report) == [("acme-lab/real-7b", "possible", "hub")]
    assert len([r for r in hub.list_requests() if "author=acme-lab" in r]) == 1
    looked_up = {r for r in hub.requests if r.startswith("/api/models/")}
    assert not [r for r in looked_up if "ghost" in r], "the listing answered them"
    assert report["summary"]["verification"]["listings"] == 1
    # the denials are cached: a second scan sends no request about them at all
    hub.reset_log()
    again = _scan(cli, root)
    assert _references(again) == [("acme-lab/real-7b", "possible", "cache")]
    assert hub.requests == [] and again["summary"]["verification"]["hub_requests"] == 0


def test_a_listing_the_hub_rate_limits_is_retried_as_told(cli, hub, project):
    root = _one_organisation(hub, project)
    hub.fail(LIST, Fault(status=429, headers={"Retry-After": "1"}, times=1))
    report = _scan(cli, root)
    assert _references(report) == [("acme-lab/real-7b", "possible", "hub")]
    assert len([r for r in hub.list_requests() if "author=acme-lab" in r]) == 2


def test_a_rate_limited_candidate_lookup_waits_as_told(cli, hub, project):
    hub.models["acme-lab/chat-7b"] = model("acme-lab/chat-7b", license="apache-2.0")
    hub.fail("acme-lab/chat-7b", Fault(status=429, headers={"Retry-After": "1"}, times=1))
    root = project({".model-risk.yaml": FAST_HUB, "src/main.rs": 'let chat = "acme-lab/chat-7b";\n'})
    report = _scan(cli, root)
    assert _references(report) == [("acme-lab/chat-7b", "possible", "hub")]
    assert len(hub.model_requests("acme-lab/chat-7b")) == 2


def test_verification_is_bounded_and_an_unverified_possible_candidate_never_fails_the_build(cli, hub, project):
    for i in range(4):
        hub.models[f"lab{i}/chat-7b"] = model(f"lab{i}/chat-7b", license="apache-2.0")
    root = project({
        ".model-risk.yaml": FAST_HUB + "  verify-limit: 1\nrules:\n  disable: [unpinned-revision]\n",
        "src/main.rs": "".join(f'let m{i} = "lab{i}/chat-7b";\n' for i in range(4)),
    })
    run = cli("scan", root, "--format", "json", "--fail-on", "low", "--no-drift")
    report = run.json()
    verified = [r for r in report["references"] if r["verified_by"] == "hub"]
    unverified = [r for r in report["references"] if r["verified_by"] == "unverified"]
    assert (len(verified), len(unverified)) == (1, 3)
    assert len([r for r in hub.requests if r.startswith("/api/models/lab")]) == 1
    assert report["summary"]["verification"]["skipped"] == 3
    assert sorted(f["model"] for f in report["findings"] if f["rule"] == "unresolved-model") == sorted(
        r["model"] for r in unverified), "reported, as low findings"
    assert run.code == 0 and report["summary"]["failed"] is False, "but they never fail the build"


def test_offline_the_cache_decides(cli, hub, project):
    hub.models["acme-lab/chat-7b"] = model("acme-lab/chat-7b", license="apache-2.0")
    root = project({
        ".model-risk.yaml": FAST_HUB,
        "src/main.rs": 'let a = "acme-lab/chat-7b";\nlet b = "acme-lab/ghost-7b";\n',
    })
    _scan(cli, root)
    offline = _scan(cli, root, "--offline")
    assert _references(offline) == [("acme-lab/chat-7b", "possible", "cache")], "the cached denial drops it offline"
    assert any("acme-lab/ghost-7b" in n["message"] for n in offline["notes"])
