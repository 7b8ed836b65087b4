"""Recall and precision of detection on the labelled corpus (tests/corpus/).

Each ``tests/corpus/NAME.labels`` lists, by hand, every model reference in ``tests/corpus/NAME/`` as
``PATH:LINE  MODEL`` (the id as written). The projects are written the way open-source ML projects
write training configs, serving scripts, manifests, notebooks and READMEs, with look-alikes that are
not references mixed in; ``lookalikes/`` holds nothing but look-alikes. The scan is the real CLI with
``--offline``; anything it reports that is not labelled is a false positive.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
LABEL_FILES = sorted(CORPUS.glob("*.labels"))

Key = tuple[str, str, int, str]  # project, path, line, model


def read_labels(path: Path) -> Counter[Key]:
    labels: Counter[Key] = Counter()
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        location, model = line.split()
        file, _, line_no = location.rpartition(":")
        assert file and line_no.isdigit(), f"{path.name}:{number}: expected PATH:LINE MODEL"
        labels[(path.stem, file, int(line_no), model)] += 1
    return labels


def scan(cli, project: Path, *extra: str) -> dict:
    run = cli("scan", project, "--offline", "--format", "json", "--fail-on", "never", *extra)
    assert run.code == 0, run.stderr
    return run.json()


def found_references(report: dict, project: str) -> Counter[Key]:
    # Inside this repository a corpus project belongs to it (its configuration is the nearest one above), so
    # paths come relative to the repository; labels are relative to the project.
    prefix = f"tests/corpus/{project}/"
    return Counter((project, r["path"].removeprefix(prefix), r["line"], r["model"]) for r in report["references"])


@pytest.fixture(scope="module")
def corpus_results() -> tuple[Counter[Key], Counter[Key]]:
    from support.project import run_cli

    expected: Counter[Key] = Counter()
    found: Counter[Key] = Counter()
    for label_file in LABEL_FILES:
        expected += read_labels(label_file)
        found += found_references(scan(run_cli, CORPUS / label_file.stem), label_file.stem)
    return expected, found


def _listing(title: str, keys: Counter[Key]) -> str:
    rows = [f"  {project}/{path}:{line}  {model}" + (f"  (x{n})" if n > 1 else "")
            for (project, path, line, model), n in sorted(keys.items())]
    return f"{title} ({sum(keys.values())}):\n" + ("\n".join(rows) if rows else "  none")


def test_corpus_is_large_enough():
    labels = sum((read_labels(p) for p in LABEL_FILES), Counter())
    assert sum(labels.values()) >= 200
    for label_file in LABEL_FILES:
        assert (CORPUS / label_file.stem).is_dir(), f"{label_file.name} labels a missing project"


def test_labels_point_at_the_id(corpus_results):
    """A label names a line that really holds the id: a typo in the labels must not pass as a miss."""
    expected, _found = corpus_results
    for project, path, line, model in expected:
        lines = (CORPUS / project / path).read_text(encoding="utf-8").splitlines()
        assert model in lines[line - 1], f"{project}/{path}:{line} does not contain {model}"


def test_recall_and_precision(corpus_results):
    expected, found = corpus_results
    hits = sum((expected & found).values())
    misses = expected - found
    false_positives = found - expected
    recall = hits / sum(expected.values())
    precision = hits / sum(found.values())
    summary = "\n".join([
        f"corpus: {sum(expected.values())} labelled references in {len(LABEL_FILES)} projects",
        f"recall {recall:.3f}, precision {precision:.3f}",
        _listing("missed", misses),
        _listing("false positives", false_positives),
    ])
    print(summary)
    assert recall >= 0.95 and precision >= 0.95, summary


def test_lookalikes_yield_nothing(corpus_results):
    _expected, found = corpus_results
    assert not [key for key in found if key[0] == "lookalikes"]


def test_docs_false_turns_documentation_off(cli, tmp_path: Path):
    """With ``docs: false`` READMEs and notebook Markdown cells are not read; code still is."""
    import shutil

    project = tmp_path / "embedding-eval"
    shutil.copytree(CORPUS / "embedding-eval", project)
    (project / ".model-risk.yaml").write_text("docs: false\n", encoding="utf-8")
    report = scan(cli, project)
    detectors = {r["detector"] for r in report["references"]}
    assert "markdown" not in detectors and "notebook-docs" not in detectors
    assert {"python", "notebook", "yaml", "json"} <= detectors
