"""Reports on a large repository: a generated project of 850 models and about 5,600 references.

The project is generated the way a big ML repository looks (library code, tests, Markdown docs with code
blocks, YAML configs; fine-tunes of other vendors' base models; some references pinned to a sha, some to
``main``, some with ``trust_remote_code``; a few lines that load two models), together with a
model-risk.lock for all but 25 of the models, so the scan runs offline. One scan writes JSON, SARIF, HTML
and CycloneDX, and the benchmark checks what issue 15 asks of them:

* SARIF: at most 5,000 results, and no two on one rule, file and line;
* HTML: under 1.5 MB, and its first screen (1,400 x 900 in headless Chromium) shows the verdict, the
  counts by severity and the top risks (measured in the browser: a probe script reports where those
  elements are; skipped when no Chromium is installed);
* every model with references shows them in the HTML, the JSON and the CycloneDX BOM.

    python benchmarks/run.py reports
    python benchmarks/bench_reports.py --keep DIR     # also leave the project and the reports in DIR
"""

from __future__ import annotations

import html
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from run import Row

MODELS = 850
UNLOCKED = 25
ROOTS = 300
VENDORS = 230
SEED = 15
SARIF_LIMIT = 5_000
HTML_LIMIT = 1_500_000
SCREEN = (1400, 900)

LICENSES = [("apache-2.0", None), ("mit", None), ("llama3.1", None), ("cc-by-nc-4.0", None),
            ("other", "qwen-research"), ("openrail", None), (None, None), ("gemma", None), ("apache-2.0", None)]
REAL_ORGS = ["Qwen", "meta-llama", "google", "mistralai", "microsoft", "deepseek-ai", "BAAI", "openai",
             "sentence-transformers", "stabilityai"]


def _sha(rng: random.Random) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(40))


def _record(model_id: str, rng: random.Random, base: str | None, revision: str | None = None,
            sha: str | None = None) -> dict:
    lic, name = LICENSES[rng.randrange(len(LICENSES))]
    return {
        "id": model_id, "status": "resolved", "reason": None, "revision": revision,
        "author": model_id.split("/")[0], "sha": sha, "gated": rng.random() < 0.05,
        "license": None if lic is None else {"id": lic, "name": name, "link": None},
        "base_models": [base] if base else [], "base_relation": "finetune" if base else None,
        "formats": ["safetensors"] if rng.random() < 0.9 else ["pickle"],
        "custom_code": rng.random() < 0.03, "created_at": None, "last_modified": None,
        "library_name": "transformers", "pipeline_tag": "text-generation", "card": {}, "redirected_from": [],
    }


def generate(root: Path, count: int = MODELS) -> dict[str, int]:
    """Write the project under ``root`` (``count`` models, about 6.4 references each); returns what it holds."""
    rng = random.Random(SEED)
    orgs = REAL_ORGS + [f"lab-{i:03d}" for i in range(VENDORS - len(REAL_ORGS))]
    models = [f"{orgs[i % len(orgs)]}/model-{i:04d}-{rng.choice(['chat', 'base', 'instruct', 'embed'])}"
              for i in range(count)]
    lock: dict[str, dict] = {}
    for i, model_id in enumerate(models[:-UNLOCKED]):
        base = models[rng.randrange(ROOTS)] if i >= ROOTS and rng.random() < 0.7 else None
        lock[model_id] = _record(model_id, rng, base)
    pinned: dict[str, str] = {}
    for model_id in models[:-UNLOCKED:17]:
        sha = pinned[model_id] = _sha(rng)
        lock[f"{model_id}@{sha}"] = _record(model_id, rng, None, revision=sha, sha=sha)
    (root / "model-risk.lock").write_text(json.dumps({"version": 1, "generated-by": "bench_reports",
                                                      "models": lock}, indent=1), encoding="utf-8")

    def call(model_id: str, k: int) -> str:
        extra = ""
        if model_id in pinned and k % 3 == 0:
            extra = f', revision="{pinned[model_id]}"'
        elif k % 9 == 1:
            extra = ', revision="main"'
        if k % 31 == 2:
            extra += ", trust_remote_code=True"
        return f'AutoModel.from_pretrained("{model_id}"{extra})'

    references = 0
    files: dict[str, list[str]] = {}
    for i, model_id in enumerate(models):
        uses = 4 + rng.randrange(6)
        for k in range(uses):
            kind = rng.random()
            if kind < 0.6:
                path = f"src/pkg{rng.randrange(40):02d}/module{rng.randrange(12):02d}.py"
            elif kind < 0.75:
                path = f"tests/test_pkg{rng.randrange(30):02d}.py"
            elif kind < 0.92:
                path = f"docs/guide{rng.randrange(60):02d}.md"
            else:
                path = f"configs/train{rng.randrange(50):02d}.yaml"
            lines = files.setdefault(path, [])
            if path.endswith(".yaml"):
                lines.append(f"stage{len(lines)}:\n  model_name_or_path: {model_id}\n")
            elif path.endswith(".md"):
                lines.append(f"Load it like this:\n\n```python\nmodel = {call(model_id, k)}\n```\n\n")
            elif k == 0 and i % 50 == 7:  # two models on one line
                other = models[(i + 1) % len(models)]
                lines.append(f"pair = ({call(model_id, k)}, {call(other, k)})\n")
                references += 1
            else:
                lines.append(f"m_{i}_{k} = {call(model_id, k)}\n")
            references += 1
    for path, parts in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        head = "# Guide\n\n" if path.endswith(".md") else "" if path.endswith(".yaml") \
            else "from transformers import AutoModel\n\n"
        target.write_text(head + "".join(parts), encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return {"models": len(models), "references_written": references, "files": len(files)}


def _tool() -> list[str]:
    return [sys.executable, "-m", "model_risk"]


def scan(project: Path, out: Path) -> float:
    env = {**os.environ, "MODEL_RISK_CACHE_DIR": str(out / "cache")}
    for name in ("GITHUB_SHA", "MODEL_RISK_SARIF_CATEGORY"):
        env.pop(name, None)
    args = ["scan", str(project), "--offline", "--fail-on", "high"]
    for fmt, name in (("json", "report.json"), ("sarif", "report.sarif"), ("html", "report.html"),
                      ("cyclonedx", "report.cdx.json"), ("markdown", "report.md"), ("text", "report.txt")):
        args += ["--format", fmt, "--output", str(out / name)]
    started = time.perf_counter()
    proc = subprocess.run(_tool() + args, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"scan failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return elapsed


def check_sarif(path: Path) -> tuple[int, int]:
    """(results, results sharing rule, file and line with an earlier one)."""
    run = json.loads(path.read_text(encoding="utf-8"))["runs"][0]
    seen: set[tuple[str, str, int]] = set()
    duplicates = 0
    for result in run["results"]:
        physical = result["locations"][0]["physicalLocation"]
        key = (result["ruleId"], physical["artifactLocation"]["uri"], physical["region"]["startLine"])
        duplicates += key in seen
        seen.add(key)
    return len(run["results"]), duplicates


def _written(ref: dict) -> str:
    return f"{ref['path']}:{ref['line']}:{ref['column']}"


def check_uses(out: Path) -> dict[str, int]:
    """Models with references whose references are missing from each format (0 everywhere is the goal)."""
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    refs = report["references"]
    with_refs = [m for m in report["models"] if m.get("references")]
    placed = {p for m in report["models"] for p in m.get("references", ())}
    missing = {"json": len(refs) - len(placed) + sum(1 for m in report["models"] if not m.get("references"))}
    page = html.unescape((out / "report.html").read_text(encoding="utf-8"))
    # Each model is a <tbody>: its row (id "m<index>"), then the detail row listing every reference.
    rows = dict(re.findall(r'<tr id="(m\d+)">.*?</tr>\s*<tr class="detail"[^>]*>(.*?)</tr>', page, flags=re.S))
    bad = 0
    for index, model in enumerate(report["models"]):
        body = rows.get(f"m{index}", "")
        if any(_written(refs[p]) not in body for p in model.get("references", ())):
            bad += 1
    missing["html"] = bad
    bom = json.loads((out / "report.cdx.json").read_text(encoding="utf-8"))
    loaded = [c for c in bom.get("components", ())
              if not any(p["name"] == "model-risk:role" for p in c.get("properties", ()))]
    occurrences = sorted(len(c.get("evidence", {}).get("occurrences", ())) for c in loaded)
    expected = sorted(len(m.get("references", ())) for m in report["models"])
    missing["cyclonedx"] = sum(abs(a - b) for a, b in zip(occurrences, expected, strict=False)) + \
        abs(len(occurrences) - len(expected))
    missing["models_with_references"] = len(with_refs)
    return missing


def schema_errors(out: Path) -> str:
    """'' when the SARIF and the BOM validate against the official schemas the tests use, else why not."""
    from support.report_schemas import validate_cyclonedx, validate_sarif  # tests/support, on run.py's path

    problems = []
    for name, validate in (("report.sarif", validate_sarif), ("report.cdx.json", validate_cyclonedx)):
        try:
            validate(json.loads((out / name).read_text(encoding="utf-8")))
        except Exception as exc:  # a validation error of any kind is the finding here
            problems.append(f"{name}: {str(exc).splitlines()[0][:120]}")
    return "; ".join(problems)


PROBE = """<script>
(function () {
  function where(selector) {
    var el = document.querySelector(selector);
    if (!el) { return null; }
    var r = el.getBoundingClientRect();
    return {top: Math.round(r.top), bottom: Math.round(r.bottom), left: Math.round(r.left),
            right: Math.round(r.right), text: el.textContent.replace(/\\s+/g, " ").trim().slice(0, 200)};
  }
  var out = {width: window.innerWidth, height: window.innerHeight,
             page: document.documentElement.scrollHeight, pageWidth: document.documentElement.scrollWidth,
             verdict: where("#verdict"), severity: where("#severity-counts"), risks: where("#top-risks")};
  var pre = document.createElement("pre");
  pre.id = "probe-result";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
}());
</script>"""


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def first_screen(report: Path, work: Path, size: tuple[int, int] = SCREEN) -> dict | None:
    """Where the verdict, the severity counts and the top risks sit in a headless browser window.

    The probe runs in a copy of the report with the Content-Security-Policy removed (it only allows the
    report's own script); the report itself is unchanged."""
    browser = chromium()
    if browser is None:
        return None
    text = report.read_text(encoding="utf-8")
    text = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", text, count=1)
    probe = work / "probe.html"
    probe.write_text(text.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    proc = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                           f"--window-size={size[0]},{size[1]}", "--virtual-time-budget=5000", "--dump-dom",
                           probe.as_uri()], capture_output=True, text=True, timeout=120)
    match = re.search(r'<pre id="probe-result">(.*?)</pre>', proc.stdout, flags=re.S)
    return json.loads(html.unescape(match.group(1))) if match else None


def _on_screen(box: dict | None, height: int) -> bool:
    return box is not None and box["top"] >= 0 and box["bottom"] <= height and box["bottom"] > box["top"]


def run(keep: Path | None = None, count: int = MODELS) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="model-risk-reports-") as tmp:
        base = keep or Path(tmp)
        project, out = base / "project", base / "reports"
        for directory in (project, out):
            if directory.exists():
                shutil.rmtree(directory)
            directory.mkdir(parents=True)
        made = generate(project, count)
        seconds = scan(project, out)
        report = json.loads((out / "report.json").read_text(encoding="utf-8"))
        models, refs = len(report["models"]), len(report["references"])
        results, duplicates = check_sarif(out / "report.sarif")
        html_bytes = (out / "report.html").stat().st_size
        missing = check_uses(out)
        screen = first_screen(out / "report.html", out)
        invalid = schema_errors(out)
        size = f"{models} models, {refs} refs, {made['files']} files"
        rows = [
            Row("reports: scan + 6 formats", f"{seconds:.1f} s", size, "-", "informational", True),
            Row("reports: SARIF results", str(results), f"{models} models", "-", f"<= {SARIF_LIMIT}",
                results <= SARIF_LIMIT),
            Row("reports: SARIF same rule/file/line", str(duplicates), "-", "-", "0", duplicates == 0),
            Row("reports: HTML size", f"{html_bytes / 1e6:.2f} MB", "-", "-", f"< {HTML_LIMIT / 1e6:.1f} MB",
                html_bytes < HTML_LIMIT),
            Row("reports: models missing references (JSON/HTML/CDX)",
                f"{missing['json']}/{missing['html']}/{missing['cyclonedx']}",
                f"{missing['models_with_references']} with refs", "-", "0/0/0",
                missing["json"] == missing["html"] == missing["cyclonedx"] == 0),
        ]
        rows.append(Row("reports: SARIF 2.1.0 and CycloneDX 1.6 schemas", invalid or "both valid", "-", "-",
                        "valid", not invalid))
        if screen is None:
            rows.append(Row("reports: HTML first screen", "no Chromium", "-", "-", "skipped", True))
        else:
            height = SCREEN[1]
            shown = {name: _on_screen(screen[name], height) for name in ("verdict", "severity", "risks")}
            rows.append(Row("reports: HTML first screen 1400x900",
                            ", ".join(f"{k} {'yes' if v else 'NO'}" for k, v in shown.items()),
                            f"page {screen['page']} px tall, {screen['pageWidth']} px wide", "-",
                            "all on screen", all(shown.values()) and screen["pageWidth"] <= SCREEN[0]))
        return rows


if __name__ == "__main__":  # python benchmarks/bench_reports.py [--keep DIR] [--models N]
    keep = Path(sys.argv[sys.argv.index("--keep") + 1]).resolve() if "--keep" in sys.argv else None
    count = int(sys.argv[sys.argv.index("--models") + 1]) if "--models" in sys.argv else MODELS
    for row in run(keep, count):
        print(f"{'ok ' if row.ok else 'BAD'}  {row.benchmark}: {row.measured}  ({row.baseline}; target {row.target})")
