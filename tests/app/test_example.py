"""The bundled example: an offline scan from its committed lockfile shows the tool's value."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from support.project import EXAMPLE, validate_report


def test_offline_text_report(cli, hub):
    run = cli("scan", EXAMPLE, "--offline")
    assert run.code == 1  # high findings, at the default --fail-on high
    assert "non-commercial-license" in run.stdout and "Qwen/Qwen2.5-3B-Instruct" in run.stdout
    assert "single-vendor-weights" in run.stdout and "Alibaba" in run.stdout
    assert "FAILED" in run.stdout
    assert hub.requests == [], "an offline scan must not touch the network"


def test_offline_json_report(cli, hub):
    run = cli("scan", EXAMPLE, "--offline", "--format", "json")
    assert hub.requests == []
    report = run.json()
    validate_report(report)
    assert report["version"] == 1 and report["tool"]["name"] == "model-risk"

    refs = {(r["model"], r["path"], r["line"]) for r in report["references"]}
    assert ("Qwen/Qwen2.5-7B-Instruct", "app/llm.py", 5) in refs
    assert ("all-MiniLM-L6-v2", "app/search.py", 6) in refs
    assert ("Qwen/Qwen2.5-3B-Instruct", "configs/router.yaml", 4) in refs
    assert all(not r["path"].startswith("/") for r in report["references"])

    models = {m["id"]: m for m in report["models"]}
    bert = models["google-bert/bert-base-uncased"]
    assert bert["aliases"] == ["bert-base-uncased"] and bert["vendor"] == "Google"
    assert models["sentence-transformers/all-MiniLM-L6-v2"]["aliases"] == ["all-MiniLM-L6-v2"]
    distill = models["deepseek-ai/DeepSeek-R1-Distill-Qwen-7B"]
    assert distill["vendor"] == "DeepSeek" and distill["root_vendor"] == "Alibaba"
    quant = models["bartowski/Qwen2.5-7B-Instruct-GGUF"]
    assert quant["lineage"] == ["bartowski/Qwen2.5-7B-Instruct-GGUF", "Qwen/Qwen2.5-7B-Instruct", "Qwen/Qwen2.5-7B"]
    assert quant["root_vendor"] == "Alibaba"
    research = models["Qwen/Qwen2.5-3B-Instruct"]["license"]
    assert research["hub"] == "other" and research["commercial"] is False and research["osi"] is False

    vendor = [f for f in report["findings"] if f["rule"] == "single-vendor-weights"]
    assert len(vendor) == 1 and vendor[0]["model"] is None and vendor[0]["vendor"] == "Alibaba"
    assert report["summary"]["findings"]["high"] == 2
    assert report["summary"]["models"] == len(report["models"]) == 9


def test_output_file_and_several_formats(cli, tmp_path: Path):
    json_out, text_out = tmp_path / "r.json", tmp_path / "r.txt"
    run = cli("scan", EXAMPLE, "--offline", "--format", "json", "--output", json_out,
              "--format", "text", "--output", text_out)
    assert run.code == 1 and run.stdout == ""
    validate_report(json.loads(json_out.read_text()))
    assert "Weights by root vendor" in text_out.read_text()


def test_committed_lockfile_is_current(cli):
    run = cli("lock", EXAMPLE, "--check")
    assert run.code == 0, run.stdout + run.stderr


def test_lockfile_regenerates_identically_from_the_hub(cli, hub, tmp_path: Path):
    copy = tmp_path / "demo"
    shutil.copytree(EXAMPLE, copy)
    (copy / "model-risk.lock").unlink()
    run = cli("lock", copy)
    assert run.code == 0, run.stderr
    assert (copy / "model-risk.lock").read_text() == (EXAMPLE / "model-risk.lock").read_text()
