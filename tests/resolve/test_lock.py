"""model-risk.lock: writing it, reading it first, offline scans, drift, and `lock --check`."""

from __future__ import annotations

import json

from support.fakehub import Fault, model
from support.project import validate_report
from support.scanning import findings_of, loader, models_by_id

QWEN = "Qwen/Qwen2.5-7B-Instruct"
GGUF = "bartowski/Qwen2.5-7B-Instruct-GGUF"
#: Drift is compared with fresh answers: no cache in between for these tests.
NO_CACHE = "hub:\n  cache-ttl: 0\n  negative-cache-ttl: 0\n  backoff: 0.01\n  retries: 1\n  timeout: 0.5\n"


def lock(cli, root, *extra):
    run = cli("lock", root, *extra)
    assert "Traceback" not in run.stderr
    return run


def read_lock(root):
    return json.loads((root / "model-risk.lock").read_text())


def scan_json(cli, root, *extra):
    run = cli("scan", root, "--format", "json", "--fail-on", "never", *extra)
    assert run.code == 0, run.stderr
    validate_report(run.json())
    return run.json()


def locked_project(cli, hub, project, *models):
    root = project({"app.py": loader(*models), ".model-risk.yaml": NO_CACHE})
    run = lock(cli, root)
    assert run.code == 0, run.stderr
    hub.reset_log()
    return root


def test_lock_records_every_model_and_its_lineage(cli, hub, project):
    root = project({"app.py": loader(GGUF, "gpt2")})
    run = lock(cli, root)
    assert run.code == 0, run.stderr
    assert f"Wrote 4 models to {root / 'model-risk.lock'}" in run.stdout
    entries = read_lock(root)["models"]
    assert list(entries) == sorted([GGUF, QWEN, "Qwen/Qwen2.5-7B", "gpt2"])  # one per lookup
    assert entries[GGUF]["base_models"] == [QWEN] and entries[GGUF]["base_relation"] == "quantized"
    assert entries[QWEN]["license"]["id"] == "apache-2.0"
    assert entries["Qwen/Qwen2.5-7B"]["status"] == "resolved" and entries["Qwen/Qwen2.5-7B"]["base_models"] == []
    assert entries["gpt2"]["id"] == "openai-community/gpt2" and entries["gpt2"]["redirected_from"] == ["gpt2"]
    assert "downloads" not in entries[QWEN], "counts that change daily stay out of the lockfile"


def test_relocking_without_upstream_changes_gives_the_same_file(cli, hub, project):
    root = project({"app.py": loader(GGUF, "openai-community/gpt2", "meta-llama/Llama-3.1-8B-Instruct")})
    lock(cli, root)
    first = (root / "model-risk.lock").read_text()
    assert first.endswith("\n") and first.count("\n") > 50, "one field a line: diffs stay readable"
    hub.models[QWEN]["downloads"] = 1
    hub.models[QWEN]["likes"] = 123456
    assert lock(cli, root).code == 0
    assert (root / "model-risk.lock").read_text() == first


def test_scan_answers_from_the_lockfile_first(cli, hub, project):
    root = locked_project(cli, hub, project, GGUF)
    report = scan_json(cli, root, "--no-drift")
    assert hub.requests == []
    models = models_by_id(report)
    assert models[GGUF]["source"] == "lockfile"
    assert models[GGUF]["lineage"] == [GGUF, QWEN, "Qwen/Qwen2.5-7B"] and models[GGUF]["root_vendor"] == "Alibaba"


def test_offline_scan_uses_only_lockfile_and_cache(cli, hub, project):
    root = locked_project(cli, hub, project, GGUF)
    (root / "more.py").write_text(loader("openai-community/gpt2"))
    report = scan_json(cli, root, "--offline")
    assert hub.requests == []
    models = models_by_id(report)
    assert models[GGUF]["status"] == "resolved" and models[GGUF]["drift"] == []
    assert models["openai-community/gpt2"]["status"] == "unresolved"


def test_unchanged_models_do_not_drift(cli, hub, project):
    root = locked_project(cli, hub, project, GGUF, "openai-community/gpt2")
    report = scan_json(cli, root)
    assert all(m["drift"] == [] for m in report["models"])
    assert findings_of(report, "license-drift") == {}
    assert hub.model_requests(GGUF), "an online scan compares the lockfile with the Hub"


def test_license_changed_upstream(cli, hub, project):
    hub.models["acme/relicensed"] = model("acme/relicensed", license="apache-2.0")
    root = locked_project(cli, hub, project, "acme/relicensed")
    hub.models["acme/relicensed"] = model("acme/relicensed", license="cc-by-nc-4.0")
    report = scan_json(cli, root)
    facts = models_by_id(report)["acme/relicensed"]
    assert facts["drift"] == [{"field": "license", "locked": "apache-2.0", "current": "cc-by-nc-4.0"}]
    finding = findings_of(report, "license-drift")["acme/relicensed"]
    assert finding["severity"] == "high" and finding["message"].endswith("written: apache-2.0 -> cc-by-nc-4.0")
    assert finding["locations"] == [{"path": "app.py", "line": 2, "column": 28}]
    # The license rules judge the license as it is now, besides the drift finding.
    assert "acme/relicensed" in findings_of(report, "non-commercial-license")
    assert facts["license"]["hub"] == "cc-by-nc-4.0" and facts["source"] == "hub"


def test_custom_license_renamed_upstream(cli, hub, project):
    hub.models["acme/custom"] = model("acme/custom", license="other", card={"license_name": "acme-v1"})
    root = locked_project(cli, hub, project, "acme/custom")
    hub.models["acme/custom"]["cardData"]["license_name"] = "acme-v2-research"
    report = scan_json(cli, root)
    assert models_by_id(report)["acme/custom"]["drift"] == [
        {"field": "license", "locked": "other (acme-v1)", "current": "other (acme-v2-research)"}]


def test_model_became_gated(cli, hub, project):
    root = locked_project(cli, hub, project, "openai-community/gpt2")
    hub.models["openai-community/gpt2"]["gated"] = "manual"
    report = scan_json(cli, root)
    assert models_by_id(report)["openai-community/gpt2"]["drift"] == [
        {"field": "gated", "locked": "false", "current": "manual"}]
    assert findings_of(report, "license-drift") == {}
    assert "openai-community/gpt2" in findings_of(report, "gating-drift")
    assert "openai-community/gpt2" in findings_of(report, "gated-model")


def test_commit_moved_on_an_unpinned_reference(cli, hub, project):
    hub.models["acme/busy"] = model("acme/busy", license="mit", sha="0" * 40)
    root = locked_project(cli, hub, project, "acme/busy")
    hub.models["acme/busy"]["sha"] = "1" * 40
    report = scan_json(cli, root)
    assert models_by_id(report)["acme/busy"]["drift"] == [{"field": "sha", "locked": "0" * 40, "current": "1" * 40}]
    assert findings_of(report, "revision-drift")["acme/busy"]["severity"] == "low"
    assert models_by_id(report)["acme/busy"]["source"] == "lockfile"  # a new commit alone: the reviewed facts stay


def test_repo_renamed_after_locking(cli, hub, project):
    hub.models["acme/first-name"] = model("acme/first-name", license="mit")
    root = locked_project(cli, hub, project, "acme/first-name")
    hub.models["acme/second-name"] = model("acme/second-name", license="mit")
    del hub.models["acme/first-name"]
    hub.redirects["acme/first-name"] = "acme/second-name"
    report = scan_json(cli, root)
    # Judged as it is now: the reference names a repo that the Hub redirects.
    renamed = models_by_id(report)["acme/second-name"]
    assert renamed["drift"] == [{"field": "id", "locked": "acme/first-name", "current": "acme/second-name"}]
    assert renamed["aliases"] == ["acme/first-name"]
    assert "acme/second-name" in findings_of(report, "availability-drift")
    assert "acme/second-name" in findings_of(report, "renamed-model")


def test_repo_vanished(cli, hub, project):
    hub.models["acme/ephemeral"] = model("acme/ephemeral", license="mit")
    root = locked_project(cli, hub, project, "acme/ephemeral")
    del hub.models["acme/ephemeral"]
    report = scan_json(cli, root)
    facts = models_by_id(report)["acme/ephemeral"]
    assert facts["status"] == "not-found" and facts["source"] == "hub"
    assert facts["drift"] == [{"field": "status", "locked": "resolved", "current": "not-found"}]
    assert "acme/ephemeral" in findings_of(report, "availability-drift")
    assert "acme/ephemeral" in findings_of(report, "model-not-found")
    assert findings_of(report, "license-drift") == {}


def test_a_failing_hub_is_no_drift_and_says_so(cli, hub, project):
    root = locked_project(cli, hub, project, QWEN)
    hub.fail(QWEN, Fault(503, times=None))
    run = cli("scan", root, "--format", "json", "--fail-on", "never")
    report = run.json()
    assert models_by_id(report)[QWEN]["drift"] == [] and findings_of(report, "license-drift") == {}
    assert any("drift is unknown" in n["message"] for n in report["notes"])
    assert "drift is unknown" in run.stderr


def test_failed_lookups_keep_the_locked_entry_and_its_lineage(cli, hub, project):
    root = locked_project(cli, hub, project, GGUF)
    before = read_lock(root)
    hub.fail(GGUF, Fault(500, times=None))
    run = lock(cli, root)
    assert run.code == 0, run.stderr
    assert f"{GGUF}: Hub server error (HTTP 500)" in run.stderr and "kept the entry" in run.stderr
    assert read_lock(root) == before


def test_a_model_that_cannot_be_locked_fails_the_lock(cli, hub, project):
    root = locked_project(cli, hub, project, QWEN)
    (root / "more.py").write_text(loader("openai-community/gpt2"))
    hub.fail("openai-community/gpt2", Fault(500, times=None))
    run = lock(cli, root)
    assert run.code == 1
    assert "openai-community/gpt2: Hub server error (HTTP 500)" in run.stderr and "not locked" in run.stderr
    assert QWEN in read_lock(root)["models"] and "openai-community/gpt2" not in read_lock(root)["models"]


def test_offline_lock_uses_the_cache(cli, hub, project):
    root = project({"app.py": loader(GGUF)})
    scan_json(cli, root)  # fills the cache
    hub.reset_log()
    run = lock(cli, root, "--offline")
    assert run.code == 0, run.stderr
    assert hub.requests == []
    assert set(read_lock(root)["models"]) == {GGUF, QWEN, "Qwen/Qwen2.5-7B"}


def test_lock_check_for_pre_commit(cli, hub, project):
    root = locked_project(cli, hub, project, GGUF)
    run = lock(cli, root, "--check")
    assert run.code == 0 and "model-risk.lock is up to date." in run.stdout
    (root / "app.py").write_text(loader("openai-community/gpt2"))
    run = lock(cli, root, "--check")
    assert run.code == 1
    assert "not locked: openai-community/gpt2" in run.stdout
    assert f"no longer referenced: {GGUF}" in run.stdout and "no longer referenced: Qwen/Qwen2.5-7B" in run.stdout
    assert hub.requests == [], "lock --check works offline"


def test_lock_check_without_a_lockfile(cli, project):
    root = project({"app.py": loader(QWEN)})
    run = lock(cli, root, "--check")
    assert run.code == 1 and f"not locked: {QWEN}" in run.stdout


def test_a_broken_lockfile_entry_names_its_line(cli, hub, project):
    root = locked_project(cli, hub, project, QWEN)
    original = (root / "model-risk.lock").read_text()
    start = original.index(f'"{QWEN}": {{')
    text = original[:start] + original[start:].replace('"status": "resolved"', '"status": "fine"', 1)
    (root / "model-risk.lock").write_text(text)
    line = text.splitlines().index(f'    "{QWEN}": {{') + 1
    run = cli("scan", root, "--offline")
    assert run.code == 2 and "Traceback" not in run.stderr
    assert f"model-risk.lock:{line}: entry '{QWEN}'" in run.stderr
    assert "'fine' is not a valid ModelStatus" in run.stderr


def test_lookups_cut_off_by_the_deadline_keep_their_entry(cli, hub, project):
    from support.fakehub import hang

    root = locked_project(cli, hub, project, QWEN)
    before = read_lock(root)
    hub.fail(QWEN, hang())
    (root / ".model-risk.yaml").write_text("hub:\n  timeout: 30\n  deadline: 0.5\n")
    run = lock(cli, root)
    assert run.code == 0, run.stderr
    assert "lookup did not finish before the deadline; kept the entry" in run.stderr
    assert read_lock(root) == before
