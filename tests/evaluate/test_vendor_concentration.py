"""single-vendor-weights on realistic projects: a Qwen-concentrated one fires, a balanced one does not."""

from __future__ import annotations

from support.fakehub import model

QWEN_HEAVY = {
    "serving/chat.py": """
        from transformers import AutoModelForCausalLM, AutoTokenizer

        CHAT = "Qwen/Qwen2.5-7B-Instruct"
        tokenizer = AutoTokenizer.from_pretrained(CHAT)
        model = AutoModelForCausalLM.from_pretrained(CHAT, device_map="auto")
        """,
    "serving/agents.py": """
        from transformers import pipeline

        planner = pipeline("text-generation", model="Qwen/Qwen3-8B")
        reasoner = pipeline("text-generation", model="deepseek-ai/DeepSeek-R1-Distill-Qwen-7B")
        """,
    "edge/download.py": """
        from huggingface_hub import hf_hub_download

        small = hf_hub_download(repo_id="bartowski/Qwen2.5-7B-Instruct-GGUF", filename="q4.gguf")
        large = hf_hub_download(repo_id="mradermacher/Qwen2.5-72B-Instruct-GGUF", filename="q4.gguf")
        """,
    "rag/config.yaml": """
        embedding_model: Alibaba-NLP/gte-large-en-v1.5
        reranker_model: BAAI/bge-m3
        """,
    "eval/judges.yaml": """
        judges:
          - model_id: meta-llama/Llama-3.1-8B-Instruct
          - model_id: mistralai/Mistral-7B-Instruct-v0.3
        """,
}

BALANCED = {
    "app.py": """
        from transformers import AutoModel

        chat = AutoModel.from_pretrained("Qwen/Qwen2.5-7B-Instruct")
        judge = AutoModel.from_pretrained("meta-llama/Llama-3.1-8B-Instruct")
        fallback = AutoModel.from_pretrained("mistralai/Mistral-7B-Instruct-v0.3")
        coder = AutoModel.from_pretrained("microsoft/phi-4")
        """,
    "rag.yaml": """
        embedding_model: BAAI/bge-m3
        reranker_model: sentence-transformers/all-MiniLM-L6-v2
        """,
}


def _vendor_findings(report):
    return [f for f in report["findings"] if f["rule"] == "single-vendor-weights"]


def test_qwen_family_project_is_concentrated_on_alibaba(cli, hub, project):
    hub.models["Alibaba-NLP/gte-large-en-v1.5"] = model("Alibaba-NLP/gte-large-en-v1.5", license="apache-2.0")
    root = project(QWEN_HEAVY)
    report = cli("scan", root, "--format", "json", "--fail-on", "never").json()
    roots = {m["id"]: m["root_vendor"] for m in report["models"]}
    assert roots == {
        "Qwen/Qwen2.5-7B-Instruct": "Alibaba",
        "Qwen/Qwen3-8B": "Alibaba",
        "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B": "Alibaba",   # a DeepSeek distillation of Qwen
        "bartowski/Qwen2.5-7B-Instruct-GGUF": "Alibaba",        # community quantisations
        "mradermacher/Qwen2.5-72B-Instruct-GGUF": "Alibaba",
        "Alibaba-NLP/gte-large-en-v1.5": "Alibaba",
        "BAAI/bge-m3": "BAAI",
        "meta-llama/Llama-3.1-8B-Instruct": "Meta",
        "mistralai/Mistral-7B-Instruct-v0.3": "Mistral AI",
    }
    findings = _vendor_findings(report)
    assert len(findings) == 1
    finding = findings[0]
    assert finding["vendor"] == "Alibaba" and finding["model"] is None and finding["severity"] == "medium"
    assert "6 of the project's 9 models (67%: 6 open-weight)" in finding["message"]
    assert "HHI 4815 (highly concentrated)" in finding["message"]  # (6/9)² + 3 × (1/9)², in percent²
    assert [(loc["path"], loc["line"]) for loc in finding["locations"]] == [
        ("edge/download.py", 3), ("edge/download.py", 4), ("rag/config.yaml", 1),
        ("serving/agents.py", 3), ("serving/agents.py", 4), ("serving/chat.py", 3),
    ]


def test_balanced_project_does_not_fire(cli, hub, project):
    report = cli("scan", project(BALANCED), "--format", "json", "--fail-on", "never").json()
    assert _vendor_findings(report) == []
    assert len({m["root_vendor"] for m in report["models"]}) == 6


def test_threshold_and_minimum_are_configurable(cli, hub, project):
    files = dict(BALANCED, **{".model-risk.yaml": "rules:\n  params:\n    single-vendor-weights:\n"
                                                   "      threshold: 0.1\n      min_models: 2\n"})
    report = cli("scan", project(files), "--format", "json", "--fail-on", "never").json()
    assert {f["vendor"] for f in _vendor_findings(report)} == {
        "Alibaba", "Meta", "Mistral AI", "Microsoft", "BAAI", "Hugging Face"}


SPREAD = {
    "app.py": """
        from transformers import AutoModel

        m0 = AutoModel.from_pretrained("Qwen/Qwen2.5-7B-Instruct")
        m1 = AutoModel.from_pretrained("meta-llama/Llama-3.1-8B-Instruct")
        m2 = AutoModel.from_pretrained("mistralai/Mistral-7B-Instruct-v0.3")
        m3 = AutoModel.from_pretrained("microsoft/phi-4")
        m4 = AutoModel.from_pretrained("tiiuae/falcon-7b")
        m5 = AutoModel.from_pretrained("ibm-granite/granite-3.1-8b-instruct")
        m6 = AutoModel.from_pretrained("deepseek-ai/DeepSeek-R1")
        m7 = AutoModel.from_pretrained("google-bert/bert-base-uncased")
        """,
    "rag.yaml": """
        embedding_model: BAAI/bge-m3
        reranker_model: sentence-transformers/all-MiniLM-L6-v2
        """,
    "cloud.py": """
        from openai import OpenAI
        from anthropic import Anthropic

        OpenAI().chat.completions.create(model="gpt-4o", messages=[])
        Anthropic().messages.create(model="claude-3-5-sonnet-20241022", messages=[], max_tokens=10)
        """,
}


def test_spread_project_has_a_low_index(cli, hub, project):
    report = cli("scan", project(SPREAD), "--format", "json", "--fail-on", "never").json()
    concentration = report["summary"]["concentration"]
    # 12 models (10 open-weight, 2 API) from 12 vendors: 12 × (100/12)² = 833.
    assert concentration["models"] == 12 and concentration["vendors"] == 12
    assert concentration["hhi"] == 833 and concentration["band"] == "unconcentrated"
    assert concentration["top_share"] == round(1 / 12, 4)
    assert _vendor_findings(report) == []
    openai = next(v for v in report["vendors"] if v["vendor"] == "OpenAI")
    assert (openai["models"], openai["api_models"], openai["exposure"]["api"]) == (1, 1, 1)


def test_rule_can_fire_on_the_index_instead_of_the_share(cli, hub, project):
    config = ("rules:\n  params:\n    single-vendor-weights:\n"
              "      threshold: 1.0\n      max_hhi: 1800\n")
    heavy = cli("scan", project(dict(QWEN_HEAVY, **{".model-risk.yaml": config})), "--format", "json",
                "--fail-on", "never").json()
    assert [(f["vendor"], "HHI 4815" in f["message"]) for f in _vendor_findings(heavy)] == [("Alibaba", True)]


def test_index_below_the_limit_does_not_fire(cli, hub, project):
    config = ("rules:\n  params:\n    single-vendor-weights:\n"
              "      threshold: 1.0\n      max_hhi: 1800\n")
    report = cli("scan", project(dict(BALANCED, **{".model-risk.yaml": config})), "--format", "json",
                 "--fail-on", "never").json()
    assert report["summary"]["concentration"]["hhi"] == 1667  # 6 vendors, one model each
    assert _vendor_findings(report) == []


def test_models_named_only_in_docs_and_tests_do_not_count(cli, hub, project):
    files = dict(BALANCED, **{
        "tests/test_chat.py": 'from transformers import AutoModel\n'
                              'a = AutoModel.from_pretrained("Qwen/Qwen3-8B")\n'
                              'b = AutoModel.from_pretrained("Qwen/Qwen3-4B")\n'
                              'c = AutoModel.from_pretrained("Qwen/QwQ-32B")\n'})
    report = cli("scan", project(files), "--format", "json", "--fail-on", "never").json()
    assert report["summary"]["concentration"]["models"] == 6
    alibaba = next(v for v in report["vendors"] if v["vendor"] == "Alibaba")
    assert alibaba["models"] == 4 and alibaba["counted_models"] == 1 and alibaba["scopes"]["tests"] == 3
    assert _vendor_findings(report) == []
