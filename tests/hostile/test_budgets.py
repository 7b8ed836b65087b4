"""Work a hostile input drives is bounded: Hub answers cannot make a scan look up models without end, run
past its deadline or fill the memory, online or offline from the cache they filled; and no file under the
size limit makes a detector use more than a bounded amount of memory or time.

The full-scale cases (a Hub naming 200 base models per model, 8 generations deep) are measured by
benchmarks/bench_fan_out.py; here they run small, with the lookup budget lowered to keep them quick.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from support.fakehub import FakeHub
from support.measure import measured_run
from support.project import write_tree

LOAD = 'from transformers import AutoModel\nAutoModel.from_pretrained("{}")\n'


def _lineage(report: dict) -> list[str]:
    (root,) = [m for m in report["models"] if m["id"] == "fan/root"]
    return root["lineage"]


def test_base_model_lookups_per_scan_are_capped_online_and_offline(cli, hub, project, monkeypatch):
    """8 bases per model, 3 generations: 584 base models. With the budget at 40, the online scan asks the
    Hub for 41 models and the offline scan of the cache reads no more entries than that."""
    from model_risk.resolve import cache, lineage

    monkeypatch.setattr(lineage, "MAX_LINEAGE_LOOKUPS", 40, raising=False)
    hub.fan_out("fan/root", 8, 3, license="apache-2.0")
    root = project({"app.py": LOAD.format("fan/root")})
    online = cli("scan", root, "--format", "json", "--fail-on", "never")
    assert online.code == 0, online.stderr
    assert len(hub.model_requests()) == 41
    assert _lineage(online.json())[:2] == ["fan/root", "fan/root-0"]

    monkeypatch.setattr(lineage, "MAX_LINEAGE_LOOKUPS", 1000, raising=False)
    assert cli("scan", root, "--format", "json", "--fail-on", "never").code == 0  # the cache: all 585
    monkeypatch.setattr(lineage, "MAX_LINEAGE_LOOKUPS", 40, raising=False)
    reads = []
    real_read = cache.read_bytes
    monkeypatch.setattr(cache, "read_bytes", lambda *a, **k: reads.append(a[0]) or real_read(*a, **k))
    offline = cli("scan", root, "--offline", "--format", "json", "--fail-on", "never")
    assert offline.code == 0, offline.stderr
    assert len(reads) == 41
    assert _lineage(offline.json()) == _lineage(online.json())


#: Loaded into the scan's process (sitecustomize): the lookup budget out of the way, and a resolver clock
#: that jumps past the deadline once it has been read 600 times (once per answer the loop takes).
_CLOCK_JUMPS = """
import itertools, time as real_time
from model_risk.resolve import lineage, runner
lineage.MAX_LINEAGE_LOOKUPS = 10 ** 6
reads = itertools.count()
class Clock:
    @staticmethod
    def monotonic():
        return real_time.monotonic() + (10_000 if next(reads) >= 600 else 0)
runner.time = Clock
"""


def test_nothing_is_looked_up_after_the_deadline(tmp_path: Path):
    """A fast Hub naming 200 bases per model, 8 deep: answers kept arriving, so the loop kept taking them
    and enqueuing lookups past the deadline (264 s against 120 s). Here the deadline passes after 600
    answers: no lookup starts after that but those already taken by a worker (32 threads)."""
    with FakeHub(snapshot=False) as hub:
        hub.fan_out("fan/root", 200, 8)
        root = write_tree(tmp_path / "p", {"app.py": LOAD.format("fan/root")})
        clock = write_tree(tmp_path / "clock", {"sitecustomize.py": _CLOCK_JUMPS})
        env = {**os.environ, "HF_ENDPOINT": hub.url, "MODEL_RISK_CACHE_DIR": str(tmp_path / "cache"),
               "PYTHONPATH": os.pathsep.join(filter(None, [str(clock), os.environ.get("PYTHONPATH")]))}
        run = subprocess.run([sys.executable, "-m", "model_risk", "scan", str(root), "--format", "json",
                              "--fail-on", "never"], capture_output=True, text=True, env=env, timeout=60)
        assert run.returncode == 0, run.stderr
        assert len(hub.model_requests()) <= 600 + 2 * 32


# -- per-file memory and time, on inputs under the size limit --------------------------------------------

EIGHT_MB = 8 * 1024 * 1024 - 4096  # under the default max-file-size of 8 MiB: these files are read


def _output_lines_notebook() -> str:
    """A notebook whose display-data output is a list of a million short lines (0.75 KB each, read
    with positions: 1.9 GB), with a model in a code cell and one in a Markdown cell."""
    import json

    cells = [{"cell_type": "code", "source": ["from transformers import AutoModel\n",
                                              'AutoModel.from_pretrained("acme/in-code")\n'],
              "outputs": [{"output_type": "display_data", "data": {"text/plain": ["x\n"] * 1_000_000}}]},
             {"cell_type": "markdown", "source": ["See https://huggingface.co/acme/in-markdown\n"]}]
    text = json.dumps({"cells": cells, "nbformat": 4, "metadata": {}})
    assert len(text) < EIGHT_MB
    return text


def test_an_8_mb_notebook_of_output_lines_is_read_in_bounded_memory(tmp_path: Path):
    root = write_tree(tmp_path / "p", {"big.ipynb": _output_lines_notebook()})
    run = measured_run("scan", root, "--offline", "--format", "json", "--fail-on", "never", timeout=120)
    assert run.code == 0, run.stderr
    assert run.peak_mb < 300, f"{run.peak_mb:.0f} MB"
    assert {r["model"] for r in run.json()["references"]} == {"acme/in-code", "acme/in-markdown"}


def test_a_notebook_with_more_cell_lines_than_are_read_says_so(tmp_path: Path):
    import json

    cells = [{"cell_type": "code", "source": ["from transformers import AutoModel\n",
                                              'AutoModel.from_pretrained("acme/early")\n'] + ["x = 1\n"] * 30_000
              + ['AutoModel.from_pretrained("acme/late")\n'], "outputs": []}]
    root = write_tree(tmp_path / "p", {"long.ipynb": json.dumps({"cells": cells, "nbformat": 4})})
    run = measured_run("scan", root, "--offline", "--format", "json", "--fail-on", "never", timeout=120)
    assert run.code == 0, run.stderr
    report = run.json()
    # The notebook detector stops at its budget; the candidate pass, linear in the text, still sees the
    # late id, without the loader the detector would have named.
    assert [(r["model"], r["detector"]) for r in report["references"]] == [("acme/early", "notebook"),
                                                                           ("acme/late", "candidates")]
    assert any("read the first 20,000 lines of the notebook's cells only" in n["message"] for n in report["notes"])


def test_a_line_of_slashes_is_read_in_linear_time_in_every_file_kind(tmp_path: Path):
    """Each slash was looked at on its own, 0.77 s of CPU per MB in every kind of file the free-text
    search reads: these eight files took about 50 s. The watchdog is the bound; the benchmark
    (benchmarks/bench_hostile_memory.py) measures the time."""
    names = ["a.js", "b.js", "a.ts", "b.ts", "a.md", "b.md", "a.rst", "b.rst"]
    root = write_tree(tmp_path / "p", {name: "/" * EIGHT_MB for name in names})
    run = measured_run("scan", root, "--offline", "--format", "json", "--fail-on", "never", timeout=30)
    assert run.code == 0, run.stderr
    assert run.peak_mb < 300, f"{run.peak_mb:.0f} MB"
    assert run.json()["summary"]["files"] == len(names)


def test_a_yaml_file_of_millions_of_short_items_is_refused_before_it_is_composed(tmp_path: Path):
    """Every composed YAML node costs about 1 KB: an 8 MB list of one-character items took 1.9 GB. The
    nodes are counted from the parser's events first; past 100,000 the file is skipped with a note."""
    items = "- x\n" * ((EIGHT_MB - 40) // 4)
    root = write_tree(tmp_path / "p", {"big.yaml": "model_name: acme/x\nitems:\n" + items,
                                       "small.yaml": "model_name: acme/small\n"})
    run = measured_run("scan", root, "--offline", "--format", "json", "--fail-on", "never", timeout=120)
    assert run.code == 0, run.stderr
    assert run.peak_mb < 300, f"{run.peak_mb:.0f} MB"
    report = run.json()
    # The YAML detector refuses the file; the candidate pass reads its text without composing it.
    assert [(r["model"], r["path"], r["detector"]) for r in report["references"]] == [
        ("acme/x", "big.yaml", "candidates"), ("acme/small", "small.yaml", "yaml")]
    (note,) = [n for n in report["notes"] if n["path"] == "big.yaml"]
    assert note["message"] == "skipped: more than 100,000 YAML nodes: not read"


def test_a_config_of_millions_of_yaml_nodes_is_a_one_line_error(tmp_path: Path):
    root = write_tree(tmp_path / "p", {"app.py": "x = 1\n",
                                       ".model-risk.yaml": "exclude:\n" + "- x\n" * 1_000_000})
    run = measured_run("scan", root, "--offline", timeout=120)
    assert run.code == 2, run.stderr
    assert run.peak_mb < 300, f"{run.peak_mb:.0f} MB"
    assert run.stderr.strip().endswith("more than 100,000 YAML nodes: not read")
