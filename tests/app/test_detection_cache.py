"""The detection cache, through the command line: a warm scan reports what a cold one does, anything
detection depends on invalidates it, and a damaged or planted record is ignored, never followed, and
replaced (docs/security.md, "The detection cache")."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from model_risk.app import detection_cache as keys
from model_risk.contract.domain import Reference
from model_risk.detect import cache as detection_cache
from model_risk.detect import runner

FILES = {
    "app/llm.py": '''
        from transformers import AutoModel, AutoTokenizer
        MODEL = "Qwen/Qwen2.5-7B-Instruct"
        tokenizer = AutoTokenizer.from_pretrained(MODEL)
        model = AutoModel.from_pretrained(MODEL, trust_remote_code=True, revision="main")
        AutoModel.from_pretrained("gpt2")  # model-risk: ignore[unpinned-revision]
        ''',
    "app/chat.py": '''
        from openai import OpenAI
        OpenAI().chat.completions.create(model="gpt-4o", messages=[])
        from sentence_transformers import SentenceTransformer
        SentenceTransformer("all-MiniLM-L6-v2")
        ''',
    "app/broken.py": "def broken(:\n    pass\n",
    "configs/serve.yaml": "model:\n  name: meta-llama/Llama-3.1-8B-Instruct\n",
    "README.md": "# demo\n\nWe fine-tune [Mistral](https://huggingface.co/mistralai/Mistral-7B-v0.1).\n",
    "docs/latin1.md": b"Mod\xe8le: google/gemma-2-9b\n",
    "assets/blob.json": b"\x00\x01binary",
    # Over 1 KiB, for max-file-size.
    "app/big.py": "# padding\n" * 120 + 'from transformers import AutoModel\nAutoModel.from_pretrained("acme-research/big")\n',
}
#: The files detection reads: the text files above.
TEXT_FILES = 7


def _report(cli, root: Path, *extra: str) -> dict:
    run = cli("scan", root, "--offline", "--format", "json", "--fail-on", "never", *extra)
    assert run.code == 0, run.stderr
    assert "internal error" not in run.stderr
    document = run.json()
    document["scan"].pop("started_at")
    return document


@pytest.fixture
def detected(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files detection reads in this process (scans of a few files run in it, without workers)."""
    seen: list[str] = []
    detect_file = runner.detect_file

    def counting(source, detectors, **options):  # type: ignore[no-untyped-def]
        seen.append(source.path)
        return detect_file(source, detectors, **options)

    monkeypatch.setattr(runner, "detect_file", counting)
    return seen


def _records(cache_dir: Path) -> list[Path]:
    return sorted((cache_dir / "detection").glob("*" + detection_cache.RECORD_SUFFIX))


def _rewrite(record: Path, change) -> None:  # type: ignore[no-untyped-def]
    """Change a record's document and give it the checksum of its new body, as a forger would."""
    document = json.loads(record.read_bytes().split(b"\n", 1)[1])
    change(document)
    body = json.dumps(document).encode()
    record.write_bytes(hashlib.sha256(body).hexdigest().encode() + b"\n" + body)


def test_a_warm_scan_reports_what_a_cold_one_does_without_reading_a_file(cli, project, cache_dir, detected):
    root = project(FILES)
    cold = _report(cli, root)
    assert len(detected) == TEXT_FILES  # every file but the binary one
    assert cold["references"] and cold["notes"]
    detected.clear()
    warm = _report(cli, root)
    assert warm == cold
    assert detected == []
    assert len(_records(cache_dir)) == 1
    uncached = _report(cli, root, "--no-cache")
    assert uncached == cold


@pytest.mark.parametrize("same_size", [True, False])
def test_a_changed_file_is_detected_again(cli, project, detected, same_size):
    root = project(FILES)
    _report(cli, root)
    path = root / "configs" / "serve.yaml"
    # Right after the scan and of the same size: only the bytes tell the change apart.
    path.write_text(path.read_text().replace("8B", "9B") if same_size else "model:\n  name: gpt2-medium\n")
    detected.clear()
    warm = _report(cli, root)
    assert detected == ["configs/serve.yaml"]
    models = {r["model"] for r in warm["references"] if r["path"] == "configs/serve.yaml"}
    assert models == ({"meta-llama/Llama-3.1-9B-Instruct"} if same_size else {"gpt2-medium"})
    assert warm == _report(cli, root, "--no-cache")


def test_a_touched_file_with_the_same_bytes_is_not_detected_again(cli, project, detected):
    root = project(FILES)
    cold = _report(cli, root)
    path = root / "app" / "llm.py"
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    detected.clear()
    assert _report(cli, root) == cold
    assert detected == []


def test_files_that_come_and_go_are_found_and_forgotten(cli, project):
    root = project(FILES)
    _report(cli, root)
    (root / "app" / "chat.py").unlink()
    (root / "app" / "new.py").write_text('from diffusers import DiffusionPipeline\n'
                                         'DiffusionPipeline.from_pretrained("stabilityai/sdxl-turbo")\n')
    warm = _report(cli, root)
    paths = {r["path"] for r in warm["references"]}
    assert "app/new.py" in paths and "app/chat.py" not in paths
    assert warm == _report(cli, root, "--no-cache")


@pytest.mark.parametrize("config", [
    "detectors:\n  disable: [python]\n",
    "docs: false\n",
    "max-file-size: 1024\n",
])
def test_a_configuration_that_changes_detection_is_a_new_key(cli, project, config):
    root = project(FILES)
    cold = _report(cli, root)
    (root / ".model-risk.yaml").write_text(config)
    warm = _report(cli, root)
    assert warm != cold
    assert warm == _report(cli, root, "--no-cache")


def test_a_knowledge_overlay_that_detection_reads_is_a_new_key(cli, project):
    root = project({**FILES, "app/acme.py": 'client.chat.completions.create(model="acme-chat-2", messages=[])\n'})
    cold = _report(cli, root)
    assert not any(r["model"] == "acme-chat-2" for r in cold["references"])
    (root / "knowledge.yaml").write_text(
        "as_of: 2026-12-01\napi_models:\n  ACME AI:\n    names: [acme-chat-2]\n"
        "    source: https://acme.example/docs/models\n")
    (root / ".model-risk.yaml").write_text("knowledge:\n  - knowledge.yaml\n")
    warm = _report(cli, root)
    assert any(r["model"] == "acme-chat-2" for r in warm["references"])
    assert warm == _report(cli, root, "--no-cache")


def test_settings_applied_after_detection_keep_the_cache_and_still_apply(cli, project, detected):
    root = project(FILES)
    _report(cli, root)
    (root / ".model-risk.yaml").write_text("scopes:\n  paths:\n    docs: ['app/*']\ninternal_orgs: [Qwen]\n")
    detected.clear()
    warm = _report(cli, root)
    assert detected == []
    assert warm == _report(cli, root, "--no-cache")
    llm = [r for r in warm["references"] if r["path"] == "app/llm.py"]
    assert {r["scope"] for r in llm} == {"docs"}


def test_another_plugin_set_is_a_new_key(cli, project, monkeypatch):
    root = project(FILES)
    cold = _report(cli, root)
    monkeypatch.setenv("MODEL_RISK_DISABLE_PLUGINS", "model_risk.detect.plugins.markdown")
    warm = _report(cli, root)
    assert any(r["detector"] == "markdown" for r in cold["references"])
    assert not any(r["detector"] == "markdown" for r in warm["references"])


def test_a_third_party_detector_is_a_new_key(cli, project):
    from model_risk.app.plugins import load_plugins
    from model_risk.contract.hookspecs import hookimpl
    from model_risk.detect.references import reference_at

    class Modelfiles:
        name = "modelfile"
        description = "FROM lines"
        documentation = False

        def accepts(self, filename: str) -> bool:
            return filename.endswith(".yaml")

        def prefilter(self, text: str) -> bool:
            return True

        def detect(self, source):  # type: ignore[no-untyped-def]
            offset = source.text.find("meta-llama")
            if offset >= 0:
                yield reference_at(source, offset, "acme/from-plugin", "modelfile")

    class Plugin:
        @hookimpl
        def register_detectors(self, register):  # type: ignore[no-untyped-def]
            register(Modelfiles())

    root = project(FILES)
    _report(cli, root)
    plugins = load_plugins()
    plugins.manager.register(Plugin(), name="modelfile-plugin")
    run = cli("scan", root, "--offline", "--format", "json", "--fail-on", "never", plugins=plugins)
    assert run.code == 0, run.stderr
    assert any(r["detector"] == "modelfile" for r in run.json()["references"])


def test_another_model_risk_version_is_a_new_key(cli, project, detected, monkeypatch):
    root = project(FILES)
    _report(cli, root)
    monkeypatch.setattr(keys, "__version__", "99.0.0")
    detected.clear()
    _report(cli, root)
    assert len(detected) == TEXT_FILES


@pytest.mark.parametrize("damage", ["corrupt", "truncated", "wrong types", "another tree"])
def test_a_damaged_record_is_ignored_and_replaced(cli, project, cache_dir, detected, damage):
    root = project(FILES)
    cold = _report(cli, root)
    (record,) = _records(cache_dir)
    data = record.read_bytes()
    if damage == "corrupt":
        record.write_bytes(data.replace(b"Qwen2.5-7B", b"Qwen2.5-1B"))
    elif damage == "truncated":
        record.write_bytes(data[: len(data) // 2])
    elif damage == "wrong types":  # one entry: the others are still used
        _rewrite(record, lambda d: d["files"]["app/llm.py"][3].__setitem__(0, ["x", "1", 1, "python"]))
    else:
        _rewrite(record, lambda d: d.update(tree="/somewhere/else"))
    detected.clear()
    assert _report(cli, root) == cold
    assert len(detected) == (1 if damage == "wrong types" else TEXT_FILES)
    detected.clear()
    assert _report(cli, root) == cold  # the record was written again, and is used
    assert detected == []


def test_a_forged_record_is_believed_which_is_why_it_must_come_from_the_user(cli, project, cache_dir):
    """What the trust model guards against: a record with a valid checksum decides what a file holds."""
    root = project(FILES)
    _report(cli, root)
    (record,) = _records(cache_dir)
    _rewrite(record, lambda d: d["files"]["app/llm.py"].__setitem__(3, []))
    assert not any(r["path"] == "app/llm.py" for r in _report(cli, root)["references"])
    assert any(r["path"] == "app/llm.py" for r in _report(cli, root, "--no-cache")["references"])


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_a_symlinked_record_is_not_followed_out_of_the_cache(cli, project, cache_dir, tmp_path, detected):
    root = project(FILES)
    cold = _report(cli, root)
    (record,) = _records(cache_dir)
    outside = tmp_path / "outside.record"
    outside.write_bytes(record.read_bytes())
    _rewrite(outside, lambda d: d["files"]["app/llm.py"].__setitem__(3, []))  # would hide llm.py's models
    planted = outside.read_bytes()
    record.unlink()
    record.symlink_to(outside)
    detected.clear()
    assert _report(cli, root) == cold
    assert len(detected) == TEXT_FILES
    assert outside.read_bytes() == planted  # neither read nor written through
    assert record.is_file() and not record.is_symlink()


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_a_symlinked_cache_folder_is_not_used(cli, project, cache_dir, tmp_path):
    root = project(FILES)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    cache_dir.mkdir(parents=True, exist_ok=True)
    (cache_dir / "detection").symlink_to(elsewhere)
    run = cli("scan", root, "--offline", "--format", "json", "--fail-on", "never")
    assert run.code == 0
    assert "detection cache not used" in run.stderr
    assert list(elsewhere.iterdir()) == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_planted_as_a_record_is_ignored_without_hanging_and_replaced(cli, project, cache_dir):
    root = project(FILES)
    cold = _report(cli, root)
    (record,) = _records(cache_dir)
    record.unlink()
    os.mkfifo(record)
    assert _report(cli, root) == cold
    assert record.is_file()


def test_no_cache_reads_and_writes_nothing(cli, project, cache_dir, hub):
    root = project(FILES)
    _report(cli, root)
    (record,) = _records(cache_dir)
    _rewrite(record, lambda d: d["files"]["app/llm.py"].__setitem__(3, []))
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in cache_dir.rglob("*") if p.is_file()}
    run = cli("scan", root, "--format", "json", "--fail-on", "never", "--no-cache")  # online: the Hub answers
    assert run.code == 0, run.stderr
    assert any(r["path"] == "app/llm.py" for r in run.json()["references"])  # the forged record was not read
    after = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in cache_dir.rglob("*") if p.is_file()}
    assert after == before
    assert not (cache_dir / "models").exists()


def test_the_cache_is_not_used_when_it_is_inside_the_scanned_project(cli, project, monkeypatch):
    root = project(FILES)
    monkeypatch.setenv("MODEL_RISK_CACHE_DIR", str(root / ".cache"))
    run = cli("scan", root, "--offline", "--format", "json", "--fail-on", "never", "--verbose")
    assert run.code == 0
    assert "detection cache not used" in run.stderr
    assert not (root / ".cache" / "detection").exists()


def test_listed_files_are_scanned_without_the_cache(cli, project, cache_dir):
    root = project(FILES)
    run = cli("scan", "app/llm.py", "--offline", "--format", "json", "--fail-on", "never", cwd=root)
    assert run.code == 0, run.stderr
    assert run.json()["references"]
    assert _records(cache_dir) == []


def test_two_concurrent_scans_sharing_a_cache_both_succeed(project, tmp_path):
    files = dict(FILES)
    files.update({f"pkg/module_{i}.py": f'from transformers import AutoModel\nAutoModel.from_pretrained("acme-research/encoder-{i}")\n'
                  for i in range(300)})  # enough for the worker pool
    root = project(files)
    env = {**os.environ, "MODEL_RISK_CACHE_DIR": str(tmp_path / "shared-cache")}
    command = [sys.executable, "-m", "model_risk", "scan", str(root), "--offline", "--format", "json",
               "--fail-on", "never", "--quiet"]
    reports = []
    for _round in range(2):  # cold, then warm, each time two at once
        scans = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) for _ in range(2)]
        for scan in scans:
            out, err = scan.communicate(timeout=300)
            assert scan.returncode == 0, err.decode()
            document = json.loads(out)
            document["scan"].pop("started_at")
            reports.append(document)
    assert all(report == reports[0] for report in reports)
    assert len(reports[0]["references"]) >= 300


def test_the_least_recently_used_records_go_when_the_cache_is_full(cli, project, cache_dir, monkeypatch, tmp_path):
    roots = []
    for i in range(3):
        roots.append(project({f"tree{i}/app.py": 'from transformers import AutoModel\n'
                                                 f'AutoModel.from_pretrained("acme-research/encoder-{i}")\n'}) / f"tree{i}")
    _report(cli, roots[0])
    (first,) = _records(cache_dir)
    monkeypatch.setattr(detection_cache, "MAX_TOTAL_BYTES", first.stat().st_size * 2)
    os.utime(first, ns=(1_000_000_000, 1_000_000_000))  # long unused
    _report(cli, roots[1])
    _report(cli, roots[2])
    records = _records(cache_dir)
    assert first not in records
    trees = [json.loads(r.read_bytes().split(b"\n", 1)[1])["tree"] for r in records]
    assert any("tree2" in tree for tree in trees)  # the one just written stays


def test_the_record_codec_knows_every_reference_field():
    """A field added to Reference must be added to the record (and so to the detection key) too, unless a
    later stage sets it (``scope``, ``verified_by``) and detection never does."""
    fields = [f.name for f in dataclasses.fields(Reference)]
    assert [f for f in fields if f not in ("path", "scope", "verified_by")] == list(detection_cache.REFERENCE_FIELDS)
