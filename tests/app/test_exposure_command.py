"""The vendor view and `model-risk exposure VENDOR` on a project built on Qwen.

The project uses Qwen directly (unpinned, and pinned to a commit that model-risk.lock records), through a
community quantisation and a DeepSeek distillation, and through Alibaba's DashScope API.
"""

from __future__ import annotations

import copy

from support.project import validate_report

PINNED_SHA = "0123456789abcdef0123456789abcdef01234567"

QWEN_PROJECT = {
    "app/chat.py": """
        from transformers import AutoModelForCausalLM

        chat = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-7B-Instruct")
        planner = AutoModelForCausalLM.from_pretrained("Qwen/Qwen3-8B", revision="%s")
        """ % PINNED_SHA,
    "app/local.py": """
        from huggingface_hub import hf_hub_download

        path = hf_hub_download(repo_id="bartowski/Qwen2.5-7B-Instruct-GGUF", filename="q4.gguf")
        """,
    "app/reasoner.py": """
        from transformers import pipeline

        reasoner = pipeline("text-generation", model="deepseek-ai/DeepSeek-R1-Distill-Qwen-7B")
        """,
    "app/cloud.py": """
        from litellm import completion

        reply = completion(model="dashscope/qwen-max", messages=[])
        """,
    "app/judge.py": """
        from transformers import AutoModel

        judge = AutoModel.from_pretrained("meta-llama/Llama-3.1-8B-Instruct")
        """,
}


def _locked_project(cli, hub, project):
    hub.models["Qwen/Qwen3-8B"] = dict(copy.deepcopy(hub.models["Qwen/Qwen3-8B"]), sha=PINNED_SHA)
    root = project(QWEN_PROJECT)
    run = cli("lock", root)
    assert run.code == 0, run.stderr
    return root


def test_exposure_groups_every_reference(cli, hub, project):
    root = _locked_project(cli, hub, project)
    run = cli("exposure", "Alibaba", root, "--format", "json", "--offline")
    assert run.code == 0, run.stderr
    doc = run.json()
    groups = {g["level"]: [(r["model"], r["path"], r["line"]) for r in g["references"]] for g in doc["groups"]}
    assert groups == {
        "api": [("qwen-max", "app/cloud.py", 3)],
        "hosted": [],
        "unpinned": [("Qwen/Qwen2.5-7B-Instruct", "app/chat.py", 3)],
        "pinned": [("Qwen/Qwen3-8B", "app/chat.py", 4)],
        "derived": [("bartowski/Qwen2.5-7B-Instruct-GGUF", "app/local.py", 3),
                    ("deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", "app/reasoner.py", 3)],
    }
    by_level = {g["level"]: g["references"] for g in doc["groups"]}
    pinned = by_level["pinned"][0]
    assert pinned["pinned"] and pinned["locked"] and pinned["revision"] == PINNED_SHA
    distill = by_level["derived"][1]
    assert distill["vendor"] == "DeepSeek" and distill["lineage"][-1].startswith("Qwen/")
    assert doc["references"] == 5 and doc["models"] == 5 and not doc["failed"]
    # The judge (Meta) is not exposed to Alibaba.
    assert all(r["model"] != "meta-llama/Llama-3.1-8B-Instruct" for g in doc["groups"] for r in g["references"])


def test_fail_on_exposure_gates_on_a_level_and_the_more_exposed_ones(cli, hub, project):
    root = _locked_project(cli, hub, project)
    assert cli("exposure", "Alibaba", root, "--offline", "--fail-on-exposure", "derived").code == 1
    run = cli("exposure", "Alibaba", root, "--offline", "--fail-on-exposure", "api")
    assert run.code == 1 and run.stdout.endswith("failed: 1 reference at or above api\n")
    assert cli("exposure", "Alibaba", root, "--offline").code == 0  # default: never
    # Only pinned and derived uses left once the API and the unpinned one are gone.
    for name in ("app/cloud.py",):
        (root / name).unlink()
    (root / "app/chat.py").write_text(
        'from transformers import AutoModel\nm = AutoModel.from_pretrained("Qwen/Qwen3-8B", revision="%s")\n'
        % PINNED_SHA, encoding="utf-8")
    assert cli("exposure", "Alibaba", root, "--offline", "--fail-on-exposure", "unpinned").code == 0
    assert cli("exposure", "Alibaba", root, "--offline", "--fail-on-exposure", "pinned").code == 1


def test_text_and_markdown_name_the_groups(cli, hub, project):
    root = _locked_project(cli, hub, project)
    text = cli("exposure", "qwen", root, "--offline").stdout  # an organisation names its vendor
    assert text.startswith("Exposure to Alibaba (China): 5 references to 5 models in 4 files.")
    assert "API use (stops working if the API changes or closes): 1" in text
    assert "Pinned open weights (safe until you upgrade): 1" in text
    assert "[pinned, locked; Apache-2.0]" in text
    assert "via Qwen/Qwen2.5-7B-Instruct" in text
    markdown = cli("exposure", "Alibaba", root, "--offline", "--format", "markdown").stdout
    assert markdown.startswith("## Exposure to Alibaba")
    assert "| `deepseek-ai/DeepSeek-R1-Distill-Qwen-7B` | `app/reasoner.py:3:" in markdown
    none = cli("exposure", "Cohere", root, "--offline")
    assert none.code == 0 and none.stdout.startswith("No reference depends on Cohere")


def test_vendor_entry_counts_open_weights_and_api_together(cli, hub, project):
    root = _locked_project(cli, hub, project)
    report = cli("scan", root, "--offline", "--format", "json", "--fail-on", "never").json()
    validate_report(report)
    alibaba = next(v for v in report["vendors"] if v["vendor"] == "Alibaba")
    assert (alibaba["models"], alibaba["open_weight_models"], alibaba["api_models"]) == (5, 4, 1)
    assert alibaba["exposure"] == {"api": 1, "hosted": 0, "unpinned": 1, "pinned": 1, "derived": 2}
    assert alibaba["files"] == ["app/chat.py", "app/cloud.py", "app/local.py", "app/reasoner.py"]
    assert alibaba["scopes"] == {"code": 5}
    assert alibaba["share"] == round(5 / 6, 4)
    by_model = {u["model"]: u for u in alibaba["uses"]}
    assert by_model["qwen-max"]["kind"] == "api" and by_model["qwen-max"]["license"] == "API terms"
    assert by_model["Qwen/Qwen3-8B"]["pinned"] and by_model["Qwen/Qwen3-8B"]["locked"]
    assert not by_model["Qwen/Qwen2.5-7B-Instruct"]["pinned"]
    assert by_model["bartowski/Qwen2.5-7B-Instruct-GGUF"]["relation"] == "derived"
    concentration = report["summary"]["concentration"]
    # 5 of 6 models are Alibaba's, 1 is Meta's: (5/6)² + (1/6)², in percent².
    assert concentration == {"models": 6, "vendors": 2, "top_vendor": "Alibaba", "top_share": round(5 / 6, 4),
                             "hhi": 7222, "hhi_floor": 1667, "band": "highly concentrated"}
    finding = next(f for f in report["findings"] if f["rule"] == "single-vendor-weights")
    assert "5 of the project's 6 models (83%: 4 open-weight, 1 API)" in finding["message"]


def test_an_unknown_vendor_is_a_usage_error_with_suggestions(cli, hub, project):
    """A typo must not read as "nothing depends on it" and pass a PR gate."""
    root = _locked_project(cli, hub, project)
    run = cli("exposure", "Alibab", root, "--fail-on-exposure", "unpinned", "--offline")
    assert run.code == 2
    assert "unknown vendor 'Alibab'" in run.stderr and "did you mean 'Alibaba'" in run.stderr
    assert run.stdout == ""
    # A known vendor the project does not use is an answer, not an error; so is an organisation it uses.
    assert cli("exposure", "Cohere", root, "--offline").code == 0
    assert "No reference depends on Cohere" in cli("exposure", "cohere", root, "--offline").stdout
    assert cli("exposure", "bartowski", root, "--offline").code == 0
