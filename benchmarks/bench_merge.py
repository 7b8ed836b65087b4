"""``model-risk merge`` of 1,000 reports of about 50 references each, with overlapping models.

The reports are generated from the shapes of a real report (a scan of examples/support-bot): each
repository loads 20 to 40 models from a pool of 600 (popular ones much more often, as in an
organisation), about 50 references in all, with the findings of a real scan; one repository in ten has
an older report too, and one in twenty saw different facts (an older sha and license) for some models.

Measured: ``merge DIR`` as JSON, SQLite and HTML (subprocesses, as users run them): wall time, CPU time
and peak memory. Baseline: the CPU time of reading and validating the same reports in one process, the
floor any merge that checks its inputs pays. Also checked: the merged JSON is byte-identical when the reports are given in
three different orders (through ``-`` on stdin and through the in-process merge on shuffled lists).
"""

from __future__ import annotations

import copy
import hashlib
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from run import Row

REPORTS = 1000
POOL = 600
HERE = Path(__file__).resolve().parent
EXAMPLE = HERE.parent / "examples" / "support-bot"
TARGET_SECONDS = 60.0
TARGET_MB = 1024


def _template() -> dict:
    out = subprocess.run([sys.executable, "-m", "model_risk", "scan", str(EXAMPLE), "--offline", "--format", "json",
                          "--fail-on", "never"], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def generate(directory: Path) -> list[Path]:
    template = _template()
    rng = random.Random(18)
    model_proto = next(m for m in template["models"] if m["status"] == "resolved" and m["license"])
    ref_proto = template["references"][0]
    vendors = ["Alibaba", "Meta", "Google", "Mistral AI", "Microsoft", "DeepSeek", "BAAI", "Hugging Face",
               "Stability AI", "Cohere", "IBM", "TII"]
    licenses = [("apache-2.0", "Apache-2.0", True, True), ("mit", "MIT", True, True),
                ("llama3.1", None, False, True), ("cc-by-nc-4.0", "CC-BY-NC-4.0", False, False)]
    pool = []
    for i in range(POOL):
        vendor = vendors[i % len(vendors)]
        hub, spdx, osi, commercial = licenses[i % len(licenses)]
        model = copy.deepcopy(model_proto)
        model_id = f"{vendor.replace(' ', '-').lower()}/model-{i:04d}"
        base = f"{vendor.replace(' ', '-').lower()}/base-{i % 7}"
        model.update(id=model_id, aliases=[], vendor=vendor, root_vendor=vendor, lineage=[model_id, base],
                     base_models=[base], sha=hashlib.sha1(model_id.encode()).hexdigest(), card={},
                     license={**model["license"], "hub": hub, "spdx": spdx, "osi": osi, "commercial": commercial,
                              "name": spdx or hub})
        pool.append(model)
    weights = [1.0 / (1 + i) ** 0.8 for i in range(POOL)]  # a few models everywhere, a long tail
    paths = []
    for r in range(REPORTS):
        chosen: dict[str, dict] = {}
        while len(chosen) < rng.randint(20, 40):
            model = rng.choices(pool, weights)[0]
            chosen[model["id"]] = model
        models = [copy.deepcopy(m) for m in chosen.values()]
        if r % 20 == 0:  # this repository's report saw other facts for a few models
            for m in models[:3]:
                m["sha"] = "0" * 40
                m["license"] = {**m["license"], "hub": "other", "spdx": None, "osi": False}
        references = []
        for n in range(50):
            model = models[n % len(models)]
            references.append({**ref_proto, "model": model["id"], "lookup_id": model["id"],
                               "path": f"src/module_{n // 5}.py", "line": 10 + n, "column": 5})
        findings = [dict(f, model=models[k % len(models)]["id"] if f["model"] else None)
                    for k, f in enumerate(template["findings"])]
        name = f"acme/service-{r:04d}"
        document = {**template, "references": references, "models": models, "findings": findings,
                    "scan": {**template["scan"], "repository_path": "", "repository": name,
                             "remote_url": f"https://github.com/{name}",
                             "commit": hashlib.sha1(name.encode()).hexdigest(), "branch": "main",
                             "started_at": f"2026-11-{1 + r % 28:02d}T{r % 24:02d}:00:00Z"},
                    "summary": {**template["summary"], "references": 50, "models": len(models)}}
        path = directory / f"{name.replace('/', '-')}.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        paths.append(path)
        if r % 10 == 0:  # an older report of the same repository, superseded
            older = {**document, "scan": {**document["scan"], "started_at": "2026-10-01T00:00:00Z"}}
            old_path = directory / f"{name.replace('/', '-')}-old.json"
            old_path.write_text(json.dumps(older), encoding="utf-8")
            paths.append(old_path)
    return paths


def _timed(args: list[str], stdin: str | None = None) -> tuple[float, float, float]:
    """Wall time, peak RSS in MB (of the largest process: the CLI or one of its readers) and CPU time
    (the CLI and its reader processes together). CPU time moves less with other load on the machine."""
    script = ("import resource, subprocess, sys, time\n"
              "t = time.perf_counter()\n"
              "p = subprocess.run(sys.argv[1:], input=sys.stdin.read() if not sys.stdin.isatty() else None,"
              " capture_output=True, text=True)\n"
              "dt = time.perf_counter() - t\n"
              "sys.stderr.write(p.stderr)\n"
              "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
              "print(dt, u.ru_maxrss / 1024, u.ru_utime + u.ru_stime)\n"
              "sys.exit(p.returncode)\n")
    out = subprocess.run([sys.executable, "-c", script, sys.executable, "-m", "model_risk", *args],
                         input=stdin or "", capture_output=True, text=True, check=True)
    seconds, megabytes, cpu = out.stdout.split()
    return float(seconds), float(megabytes), float(cpu)


def _validate_only(paths: list[Path]) -> float:
    script = ("import sys, time\nfrom pathlib import Path\nfrom model_risk.report.document import load_document\n"
              "t = time.process_time()\n"
              "for p in sys.argv[1:]: load_document(Path(p).read_bytes(), p)\n"
              "print(time.process_time() - t)\n")
    return float(subprocess.run([sys.executable, "-c", script, *map(str, paths)], capture_output=True, text=True,
                                check=True).stdout)


def _in_process_orders(paths: list[Path]) -> set[str]:
    from model_risk.report.merged.document import merge, to_json
    from model_risk.report.merged.inputs import read_reports

    reports = read_reports(paths)
    outputs = set()
    for seed in (1, 2, 3):
        shuffled = list(reports)
        random.Random(seed).shuffle(shuffled)
        outputs.add(to_json(merge(shuffled, "Acme")))
    return outputs


def run() -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        reports = base / "reports"
        reports.mkdir()
        paths = generate(reports)
        references = sum(len(json.loads(p.read_text())["references"]) for p in paths[:50]) / 50
        floor = _validate_only(paths)
        json_time, json_mb, json_cpu = _timed(["merge", str(reports), "--name", "Acme", "--format", "json",
                                        "--output", str(base / "org.json")])
        sqlite_time, sqlite_mb, sqlite_cpu = _timed(["merge", str(reports), "--name", "Acme", "--format", "sqlite",
                                            "--output", str(base / "org.db")])
        html_time, html_mb, html_cpu = _timed(["merge", str(reports), "--name", "Acme", "--format", "html",
                                        "--output", str(base / "org.html")])
        reference = (base / "org.json").read_bytes()
        same = True
        for seed in (1, 2):
            shuffled = [str(p) for p in paths]
            random.Random(seed).shuffle(shuffled)
            _timed(["merge", "-", "--name", "Acme", "--format", "json", "--output", str(base / f"o{seed}.json")],
                   stdin="\n".join(shuffled))
            same = same and (base / f"o{seed}.json").read_bytes() == reference
        orders = _in_process_orders(paths)
        same = same and orders == {reference.decode("utf-8")}
        merged = json.loads(reference)
        size = len(reference) / 2**20
        db_size = (base / "org.db").stat().st_size / 2**20
        html_size = (base / "org.html").stat().st_size / 2**20
    summary = merged["summary"]
    shape = (f"{len(paths)} files, {summary['repositories']} repos, {references:.0f} refs each, "
             f"{summary['models']} models")
    return [
        Row(f"merge --format json: {shape}",
            f"{json_time:.1f} s wall, {json_cpu:.1f} s CPU, {json_mb:.0f} MB peak, {size:.0f} MB out",
            f"read + validate, one process: {floor:.1f} s CPU", f"{json_cpu / floor:.2f}x CPU",
            f"< {TARGET_SECONDS:.0f} s CPU, < {TARGET_MB} MB", json_cpu < TARGET_SECONDS and json_mb < TARGET_MB),
        Row("merge --format sqlite (same reports)",
            f"{sqlite_time:.1f} s wall, {sqlite_cpu:.1f} s CPU, {sqlite_mb:.0f} MB peak, {db_size:.0f} MB db",
            f"read + validate, one process: {floor:.1f} s CPU", f"{sqlite_cpu / floor:.2f}x CPU",
            f"< {TARGET_SECONDS:.0f} s CPU, < {TARGET_MB} MB", sqlite_cpu < TARGET_SECONDS and sqlite_mb < TARGET_MB),
        Row("merge --format html (same reports)",
            f"{html_time:.1f} s wall, {html_cpu:.1f} s CPU, {html_mb:.0f} MB peak, {html_size:.0f} MB page",
            f"read + validate, one process: {floor:.1f} s CPU", f"{html_cpu / floor:.2f}x CPU",
            f"< {TARGET_SECONDS:.0f} s CPU, < {TARGET_MB} MB", html_cpu < TARGET_SECONDS and html_mb < TARGET_MB),
        Row("merge output, 5 input orders (stdin x2, in-process x3)", "identical" if same else "DIFFERENT",
            "", "", "identical", same),
    ]
