"""`model-risk plan VENDOR`: one migration document from exposure and alternatives, in every format, on the
bundled example against the stand-in Hub with realistic candidates, online and offline."""

from __future__ import annotations

import json
import re
import shutil

import jsonschema
import pytest
from support.fakehub import fixture_models, model
from support.project import DEAD_ENDPOINT, EXAMPLE, load_schema

from model_risk.knowledge import exposure as exposures

ALIBABA = {"Qwen/Qwen2.5-7B-Instruct", "Qwen/Qwen2.5-3B-Instruct", "Qwen/Qwen2.5-72B-Instruct",
           "bartowski/Qwen2.5-7B-Instruct-GGUF", "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B"}


@pytest.fixture
def market(hub):
    hub.models.update(fixture_models("hub-migration.json"))
    return hub


@pytest.fixture
def bot(tmp_path):
    target = tmp_path / "support-bot"
    shutil.copytree(EXAMPLE, target)
    return target


def _plan(cli, root, *args):
    run = cli("plan", "Alibaba", "--format", "json", *args, cwd=root)
    assert run.code == 0, run.stderr
    document = run.json()
    jsonschema.Draft202012Validator(load_schema("plan.schema.json")).validate(document)
    return document


def test_the_plan_for_alibaba_covers_every_use_and_suggests_a_replacement_for_each(cli, market, bot):
    doc = _plan(cli, bot)
    assert doc["vendor"] == "Alibaba" and doc["country"] == "China" and doc["project"] == "support-bot"
    # Every exposure level, in order, even those with no use.
    assert [level["level"] for level in doc["levels"]] == list(exposures.EXPOSURE_LEVELS)
    uses = {level["level"]: [u["model"] for u in level["uses"]] for level in doc["levels"]}
    assert set(uses["unpinned"]) == {"Qwen/Qwen2.5-7B-Instruct", "Qwen/Qwen2.5-3B-Instruct", "Qwen/Qwen2.5-72B-Instruct"}
    assert set(uses["derived"]) == {"bartowski/Qwen2.5-7B-Instruct-GGUF", "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B"}
    models = {m["model"]: m for m in doc["models"]}
    assert set(models) == ALIBABA and doc["summary"]["replaced"] == 5
    suggested = {name: m["replacement"]["suggested"]["id"] for name, m in models.items()}
    assert suggested["Qwen/Qwen2.5-3B-Instruct"] == "HuggingFaceTB/SmolLM3-3B"  # ChatML too: the least work
    assert suggested["Qwen/Qwen2.5-7B-Instruct"] == "ibm-granite/granite-3.3-8b-instruct"
    assert suggested["deepseek-ai/DeepSeek-R1-Distill-Qwen-7B"] == "microsoft/Phi-4-mini-reasoning"
    # The GGUF used with llama.cpp gets a model that exists as GGUF.
    gguf = models["bartowski/Qwen2.5-7B-Instruct-GGUF"]["replacement"]["suggested"]
    assert any(v["format"] == "gguf" for v in gguf["profile"]["variants"])
    for name, m in models.items():
        replacement = m["replacement"]
        assert replacement["source"] == "hub"
        picked = replacement["suggested"]
        assert "Alibaba" not in picked["profile"]["root_vendors"], name
        assert picked["profile"]["license"] in ("Apache-2.0", "MIT"), name
        # The R1 distillation onto Llama is not offered anywhere under the OSI criterion.
        assert all(a["id"] != "deepseek-ai/DeepSeek-R1-Distill-Llama-8B" for a in [picked, *replacement["others"]])
        assert m["effort"]["level"] == picked["effort"] and m["effort"]["notes"][0].startswith("Change 1 reference")
        assert m["current"]["vendor"] == "Alibaba" and m["current"]["country"] == "China"
    # The same-jurisdiction candidate for the 72B model is said, not hidden.
    others = models["Qwen/Qwen2.5-72B-Instruct"]["replacement"]["others"]
    glm = next(a for a in others if a["id"] == "zai-org/GLM-4.5-Air")
    assert any(c["kind"] == "jurisdiction" and "like Alibaba" in c["text"] for c in glm["changes"])
    # Least effort first.
    ranks = ["small", "medium", "large", "not known"]
    assert [ranks.index(models[m]["effort"]["level"]) for m in doc["summary"]["order"]] == \
        sorted(ranks.index(models[m]["effort"]["level"]) for m in doc["summary"]["order"])


def test_what_to_do_now_pins_and_locks_what_stays_and_keeps_the_licenses(cli, market, bot):
    doc = _plan(cli, bot)
    now = {action["action"]: action for action in doc["now"]}
    assert set(now) == {"pin", "keep-license"}  # everything is locked in the example already
    pinned = {item["model"]: item for item in now["pin"]["items"]}
    assert set(pinned) == ALIBABA
    assert pinned["Qwen/Qwen2.5-7B-Instruct"]["where"] == ["app/llm.py:5:15"]
    assert pinned["Qwen/Qwen2.5-7B-Instruct"]["how"].startswith('add revision="<commit sha>" to the call')
    assert "where this configuration is read (vLLM: --revision)" in pinned["Qwen/Qwen2.5-72B-Instruct"]["how"]
    kept = {item["model"]: item["how"] for item in now["keep-license"]["items"]}
    assert kept == {
        "Qwen/Qwen2.5-3B-Instruct": "Qwen Research License Agreement: https://huggingface.co/Qwen/Qwen2.5-3B-Instruct/blob/main/LICENSE",
        "Qwen/Qwen2.5-72B-Instruct": "Qwen License Agreement: https://huggingface.co/Qwen/Qwen2.5-72B-Instruct/blob/main/LICENSE"}


def test_every_format_says_the_same_and_markdown_fits_a_comment(cli, market, bot, tmp_path):
    text = cli("plan", "Alibaba", cwd=bot).stdout
    markdown = cli("plan", "Alibaba", "--format", "markdown", cwd=bot).stdout
    html_path = tmp_path / "plan.html"
    assert cli("plan", "Alibaba", "--format", "html", "--output", html_path, cwd=bot).code == 0
    html = html_path.read_text()
    assert text.startswith("Migration plan: moving off Alibaba (China)")
    assert markdown.startswith("## Migration plan: moving off Alibaba (China)") and len(markdown) < 65_536
    for heading in ("What to do now", "What depends on Alibaba", "Replacements, model by model"):
        assert heading in text and heading in markdown and heading in html
    assert "| Context | 32,768 tokens | 65,536 tokens |" in markdown  # Qwen2.5-3B-Instruct -> SmolLM3-3B
    assert "re-embed" not in markdown  # no embedder depends on Alibaba in the example
    assert markdown.count("<details>") == markdown.count("</details>") == 5
    # HTML: one self-contained file that runs nothing.
    assert "Content-Security-Policy" in html and "<script" not in html and "default-src &#39;none&#39;" in html
    assert html.count('<article class="model">') == 5


def test_offline_the_plan_reads_what_alternatives_recorded(cli, market, bot, monkeypatch):
    # What a team does once online: lock, and record the replacements; then CI runs offline.
    assert cli("lock", bot).code == 0
    recorded = cli("alternatives", cwd=bot)
    # The five models of Alibaba, and the Llama judge (gated, non-OSI), have findings that call for one.
    assert recorded.code == 0 and recorded.stdout.count("Recorded in model-risk.lock") == 6
    online = _plan(cli, bot)
    market.stop()
    monkeypatch.setenv("HF_ENDPOINT", DEAD_ENDPOINT)
    offline = _plan(cli, bot, "--offline")
    assert offline["offline"] is True
    assert {m["replacement"]["source"] for m in offline["models"]} == {"lockfile"}
    strip = lambda doc: [(m["model"], m["replacement"]["suggested"], m["effort"], m["current"])  # noqa: E731
                         for m in doc["models"]]
    assert strip(offline) == strip(online)
    assert "replacements from model-risk.lock" in cli("plan", "Alibaba", "--offline", cwd=bot).stdout


def test_a_new_exposure_level_appears_without_changes(cli, market, bot, monkeypatch):
    """Another exposure level (issue 26 adds `hosted`) shows in every format, in its place, by its title."""
    monkeypatch.setattr(exposures, "EXPOSURE_LEVELS", ("api", "hosted", "unpinned", "pinned", "derived"))
    monkeypatch.setattr(exposures, "EXPOSURE_TITLES", {**exposures.EXPOSURE_TITLES,
                                                       "hosted": "hosted open weights (a third party serves them)"})
    doc = _plan(cli, bot)
    assert [level["level"] for level in doc["levels"]] == ["api", "hosted", "unpinned", "pinned", "derived"]
    assert doc["summary"]["levels"]["hosted"] == 0
    assert "Hosted open weights (a third party serves them): none" in cli("plan", "Alibaba", cwd=bot).stdout
    assert "**Hosted open weights (a third party serves them)**: none" in \
        cli("plan", "Alibaba", "--format", "markdown", cwd=bot).stdout


def test_hub_text_is_escaped_in_markdown_and_html(cli, hub, project, tmp_path):
    hostile = "<img src=x onerror=alert(1)> [click](javascript:alert(1)) @everyone | #1"
    hub.models["evilcorp/chat-7b"] = model(
        "evilcorp/chat-7b", license="other", pipeline_tag="text-generation", library_name="transformers",
        card={"license_name": hostile, "license_link": "javascript:alert(1)"},
        safetensors={"parameters": {"BF16": 7_000_000_000}, "total": 7_000_000_000})
    root = project({"app.py": 'from transformers import AutoModel\nAutoModel.from_pretrained("evilcorp/chat-7b")\n'})
    markdown = cli("plan", "evilcorp", "--format", "markdown", cwd=root).stdout
    assert "<img" not in markdown and "@everyone" not in markdown and "#1" not in markdown
    assert not re.search(r"(?<!\\)\]\(javascript", markdown)  # the brackets are escaped: no link
    assert "&lt;img src=x onerror=alert(1)&gt; \\[click\\](javascript:alert(1))" in markdown
    out = tmp_path / "plan.html"
    assert cli("plan", "evilcorp", "--format", "html", "--output", out, cwd=root).code == 0
    html = out.read_text()
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_an_unknown_vendor_is_a_usage_error(cli, bot):
    run = cli("plan", "Alibabba", "--offline", cwd=bot)
    assert run.code == 2 and "unknown vendor 'Alibabba'" in run.stderr and "did you mean 'Alibaba'" in run.stderr


def test_a_large_plan_is_cut_to_fit_a_pull_request_comment(cli, project):
    calls = "".join(f'm{i} = AutoModel.from_pretrained("acme-research/a-long-model-name-{i:04d}")\n' for i in range(400))
    root = project({"app.py": "from transformers import AutoModel\n" + calls})
    markdown = cli("plan", "acme-research", "--offline", "--format", "markdown", cwd=root).stdout
    assert len(markdown) <= 60_000
    assert re.search(r"_\d+ more models are left out to fit a comment: see the HTML or JSON plan\._", markdown)
    json_doc = cli("plan", "acme-research", "--offline", "--format", "json", cwd=root).json()
    assert json_doc["summary"]["models"] == 400  # the JSON plan keeps everything
    assert re.search(r"400 references to 400 models in 1 file depend on acme-research", markdown)


def test_the_plan_in_docs_is_the_one_model_risk_writes(cli, monkeypatch):
    """docs/vendors.md shows `model-risk plan Alibaba --offline --format markdown` on the example, from what
    its lockfile recorded: it must be what the code writes today (the date aside)."""
    from support.project import REPO

    doc = (REPO / "docs" / "vendors.md").read_text(encoding="utf-8")
    start = doc.index("<!-- plan:start -->") + len("<!-- plan:start -->\n")
    shown = doc[start:doc.index("<!-- plan:end -->")]
    monkeypatch.setenv("HF_ENDPOINT", DEAD_ENDPOINT)
    run = cli("plan", "Alibaba", "--offline", "--format", "markdown", cwd=EXAMPLE)
    assert run.code == 0, run.stderr
    # The date it was generated, and the digest of the knowledge tables (any table correction changes it).
    def normal(text):
        text = re.sub(r"generated \d{4}-\d{2}-\d{2}", "generated DATE", text)
        return re.sub(r"knowledge tables of (\S+) \([0-9a-f]{12}\)", r"knowledge tables of \1 (DIGEST)", text).strip()

    assert normal(run.stdout) == normal(shown)
    json.loads(cli("plan", "Alibaba", "--offline", "--format", "json", cwd=EXAMPLE).stdout)
