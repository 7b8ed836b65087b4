"""The stand-in Hub serves repository files the way ``hf_hub_download`` fetches them from the real one
(hub-facts.md §1.4, §1.6, §1.7): ``HEAD /{id}/resolve/{rev}/{file}`` with ``X-Repo-Commit``, ``ETag`` and the
size, then ``GET``; a file the repository lacks is 404 ``EntryNotFound``, a gated repository's files are 401
``GatedRepo`` without a token, an unknown revision is 404 ``RevisionNotFound``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.fakehub import FakeHub, fake_sha


def _download(hub: FakeHub, tmp_path: Path, repo_id: str, filename: str, revision: str | None = None) -> str:
    from huggingface_hub import hf_hub_download
    from huggingface_hub.utils import disable_progress_bars

    disable_progress_bars()
    return hf_hub_download(repo_id, filename, revision=revision, cache_dir=tmp_path / "hf", endpoint=hub.url,
                           token=False)


def test_hf_hub_download_reads_a_config_file(hub: FakeHub, tmp_path: Path):
    path = _download(hub, tmp_path, "Qwen/Qwen2.5-7B-Instruct", "config.json")
    config = json.loads(Path(path).read_text())
    assert config["architectures"] == ["Qwen2ForCausalLM"] and config["max_position_embeddings"] == 32768
    # The client asked for the file's metadata, then the file, and stored it under the commit the Hub named.
    assert hub.file_requests() == ["HEAD /Qwen/Qwen2.5-7B-Instruct/resolve/main/config.json",
                                   "/Qwen/Qwen2.5-7B-Instruct/resolve/main/config.json"]
    assert f"/snapshots/{fake_sha('Qwen/Qwen2.5-7B-Instruct@main')}/config.json" in path


def test_a_pinned_revision_is_served_at_that_commit(hub: FakeHub, tmp_path: Path):
    commit = "929d90a7473be218ae132181708d94dbf08a0420"  # a _known_commits entry of the snapshot
    path = _download(hub, tmp_path, "Qwen/Qwen2.5-7B-Instruct", "tokenizer_config.json", revision=commit)
    assert f"/snapshots/{commit}/" in path and "<|im_start|>" in json.loads(Path(path).read_text())["chat_template"]


def test_missing_files_gated_repositories_and_unknown_revisions_raise_what_the_client_expects(hub, tmp_path):
    from huggingface_hub.errors import EntryNotFoundError, GatedRepoError, RepositoryNotFoundError, RevisionNotFoundError

    with pytest.raises(EntryNotFoundError):
        _download(hub, tmp_path, "bartowski/Qwen2.5-7B-Instruct-GGUF", "config.json")  # a GGUF repository
    with pytest.raises(GatedRepoError):
        _download(hub, tmp_path, "meta-llama/Llama-3.1-8B-Instruct", "config.json")
    with pytest.raises(RevisionNotFoundError):
        _download(hub, tmp_path, "Qwen/Qwen2.5-7B-Instruct", "config.json", revision="0" * 40)
    with pytest.raises(RepositoryNotFoundError):
        _download(hub, tmp_path, "nobody/nothing", "config.json")
