"""The doors to open weights besides the Hub, as detection reports them: each form a project writes, and
the near misses that are no door's (scanned offline through the CLI)."""

from __future__ import annotations

import pytest


def _refs(cli, project, files):
    run = cli("scan", project(files), "--offline", "--format", "json", "--fail-on", "never")
    assert run.code == 0, run.stderr
    return {(r["path"], r["model"]): (r["door"] or r["kind"], r["provider"]) for r in run.json()["references"]}


OLLAMA = ("ollama", "Ollama")


@pytest.mark.parametrize(("name", "text", "found"), [
    ("cli.sh", "ollama pull qwen2.5:7b\nollama run llama3.1\n", {"qwen2.5:7b": OLLAMA, "llama3.1": OLLAMA}),
    ("Dockerfile", "FROM ollama/ollama\nRUN ollama serve & sleep 5 && ollama pull gemma3:4b\n",
     {"gemma3:4b": OLLAMA}),
    ("Modelfile", "FROM llama3.2:3b\nADAPTER ./lora.gguf\n", {"llama3.2:3b": OLLAMA}),
    ("Modelfile.local", "FROM ./qwen2.5-7b-instruct-q4_k_m.gguf\n", {}),
    ("client.py", "import ollama\nollama.pull('qwen3:8b')\nr = ollama.generate('mistral', 'hi')\n",
     {"qwen3:8b": OLLAMA, "mistral": OLLAMA}),
    ("lc.py", "from langchain_ollama import ChatOllama, OllamaEmbeddings\n"
              "llm = ChatOllama(model='llama3.1:8b', temperature=0)\nemb = OllamaEmbeddings(model='nomic-embed-text')\n",
     {"llama3.1:8b": OLLAMA, "nomic-embed-text": OLLAMA}),
    ("li.py", "from llama_index.llms.ollama import Ollama\nllm = Ollama(model='my-own-model:latest')\n",
     {"my-own-model:latest": OLLAMA}),
    ("lite.py", "from litellm import completion\ncompletion(model='ollama/qwen2.5', messages=[])\n"
                "completion(model='ollama_chat/llama3.2', messages=[])\n",
     {"qwen2.5": OLLAMA, "llama3.2": OLLAMA}),
    ("oai.py", "from openai import OpenAI\nclient = OpenAI(base_url='http://localhost:11434/v1', api_key='ollama')\n"
               "client.chat.completions.create(model='qwen2.5-coder:14b', messages=[])\n",
     {"qwen2.5-coder:14b": OLLAMA}),
    ("chat.js", "import ollama from 'ollama'\nawait ollama.chat({ model: 'llama3.1', messages })\n",
     {"llama3.1": OLLAMA}),
    ("docker-compose.yml", "services:\n  ollama:\n    image: ollama/ollama:0.6.0\n    entrypoint: [\"/bin/sh\", \"-c\", "
                           "\"ollama serve & sleep 3; ollama pull phi4:14b; wait\"]\n  app:\n    environment:\n"
                           "      - OLLAMA_MODEL=qwen2.5:14b\n",
     {"phi4:14b": OLLAMA, "qwen2.5:14b": OLLAMA}),
    ("nb.ipynb", '{"cells": [{"cell_type": "code", "source": ["!ollama pull qwen2.5:0.5b\\n", '
                 '"import ollama\\n", "ollama.chat(model=\\"qwen2.5:0.5b\\")"]}]}',
     {"qwen2.5:0.5b": OLLAMA}),
    ("README.md", "Run it locally:\n\n```bash\nollama run qwen3:30b-a3b\n```\n", {"qwen3:30b-a3b": OLLAMA}),
])
def test_ollama(cli, project, name, text, found):
    refs = _refs(cli, project, {name: text})
    assert {m: k for (p, m), k in refs.items() if k[0] == "ollama"} == found


@pytest.mark.parametrize(("name", "text", "found"), [
    ("router.py", "client = OpenAI(base_url='https://openrouter.ai/api/v1')\n"
                  "client.chat.completions.create(model='meta-llama/llama-3.3-70b-instruct')\n",
     {"meta-llama/llama-3.3-70b-instruct": ("hosted", "OpenRouter")}),
    ("together.py", "from together import Together\nc = Together()\n"
                    "c.chat.completions.create(model='meta-llama/Llama-3.3-70B-Instruct-Turbo')\n",
     {"meta-llama/Llama-3.3-70B-Instruct-Turbo": ("hosted", "Together AI")}),
    ("fw.py", "llm = ChatFireworks(model='accounts/fireworks/models/qwen2p5-72b-instruct')\n",
     {"accounts/fireworks/models/qwen2p5-72b-instruct": ("hosted", "Fireworks AI")}),
    ("groq.py", "from groq import Groq\nclient = Groq()\nclient.chat.completions.create(model='llama-3.3-70b-versatile')\n",
     {"llama-3.3-70b-versatile": ("hosted", "Groq")}),
    ("bedrock.py", "client = boto3.client('bedrock-runtime')\n"
                   "client.converse(modelId='us.meta.llama3-3-70b-instruct-v1:0')\n"
                   "client.converse(modelId='global.anthropic.claude-sonnet-4-5-20250929-v1:0')\n"
                   "client.converse(modelId='eu.amazon.nova-pro-v1:0')\n",
     {"us.meta.llama3-3-70b-instruct-v1:0": ("hosted", "Amazon Bedrock"),
      "global.anthropic.claude-sonnet-4-5-20250929-v1:0": ("api", "Amazon Bedrock"),
      "eu.amazon.nova-pro-v1:0": ("api", "Amazon Bedrock")}),
    ("cf.ts", "const answer = await env.AI.run('@cf/qwen/qwen2.5-coder-32b-instruct', { messages });\n"
              "const model = '@cf/meta/llama-3.1-8b-instruct';\n",
     {"@cf/meta/llama-3.1-8b-instruct": ("hosted", "Cloudflare Workers AI")}),
    ("vertex.py", "llm = ChatVertexAI(model='meta/llama-3.1-405b-instruct-maas')\n",
     {"meta/llama-3.1-405b-instruct-maas": ("hosted", "Google Vertex AI")}),
    ("azure.py", "from azure.ai.inference import ChatCompletionsClient\n"
                 "client.complete(model='DeepSeek-R1', messages=[])\n",
     {"DeepSeek-R1": ("hosted", "Azure AI Foundry")}),
    ("deepinfra.py", "client = OpenAI(base_url='https://api.deepinfra.com/v1/openai')\n"
                     "client.chat.completions.create(model='Qwen/Qwen2.5-72B-Instruct')\n",
     {"Qwen/Qwen2.5-72B-Instruct": ("hosted", "DeepInfra")}),
    ("router_hf.py", "client = OpenAI(base_url='https://router.huggingface.co/v1')\n"
                     "client.chat.completions.create(model='deepseek-ai/DeepSeek-R1:together')\n",
     {"deepseek-ai/DeepSeek-R1:together": ("hosted", "Hugging Face Inference Providers")}),
    ("lite.py", "completion(model='together_ai/Qwen/Qwen2.5-7B-Instruct-Turbo')\n"
                "completion(model='bedrock/qwen.qwen3-32b-v1:0')\ncompletion(model='openrouter/openai/gpt-4o')\n",
     {"Qwen/Qwen2.5-7B-Instruct-Turbo": ("hosted", "Together AI"), "qwen.qwen3-32b-v1:0": ("hosted", "Amazon Bedrock"),
      "gpt-4o": ("api", "OpenRouter")}),
    ("lc.py", "llm = init_chat_model('groq:llama-3.1-8b-instant')\n",
     {"llama-3.1-8b-instant": ("hosted", "Groq")}),
])
def test_hosted(cli, project, name, text, found):
    refs = _refs(cli, project, {name: text})
    assert {m: k for (p, m), k in refs.items() if k[1] is not None and k[0] != "ollama"} == found


def test_hosted_ids_replace_the_hub_reading_at_the_same_place(cli, project):
    refs = _refs(cli, project, {"app.py": "from together import Together\nc = Together()\n"
                                          "c.chat.completions.create(model='Qwen/Qwen2.5-72B-Instruct-Turbo')\n"})
    assert refs == {("app.py", "Qwen/Qwen2.5-72B-Instruct-Turbo"): ("hosted", "Together AI")}


@pytest.mark.parametrize(("name", "text", "found"), [
    ("ms.py", "from modelscope import AutoModelForCausalLM, AutoTokenizer\n"
              "model_name = 'Qwen/Qwen2.5-7B-Instruct'\nmodel = AutoModelForCausalLM.from_pretrained(model_name)\n",
     {"Qwen/Qwen2.5-7B-Instruct": ("modelscope", "ModelScope")}),
    ("dl.py", "from modelscope.hub.snapshot_download import snapshot_download\n"
              "path = snapshot_download('iic/nlp_structbert_sentiment-classification_chinese-base')\n",
     {"iic/nlp_structbert_sentiment-classification_chinese-base": ("modelscope", "ModelScope")}),
    ("data.py", "from modelscope.msdatasets import MsDataset\nds = MsDataset.load('modelscope/chinese-poetry')\n", {}),
    ("get.sh", "modelscope download --model Qwen/Qwen3-8B --local_dir ./qwen3\n",
     {"Qwen/Qwen3-8B": ("modelscope", "ModelScope")}),
    ("serve.sh", "export VLLM_USE_MODELSCOPE=True\nvllm serve Qwen/Qwen2.5-7B-Instruct\n",
     {"Qwen/Qwen2.5-7B-Instruct": ("modelscope", "ModelScope")}),
    ("links.py", "# see https://modelscope.cn/models/qwen/Qwen2.5-7B-Instruct/summary\nx = 1\n",
     {"qwen/Qwen2.5-7B-Instruct": ("modelscope", "ModelScope")}),
    ("hf.py", "from transformers import AutoModel\nm = AutoModel.from_pretrained('Qwen/Qwen2.5-7B-Instruct')\n", {}),
])
def test_modelscope(cli, project, name, text, found):
    refs = _refs(cli, project, {name: text})
    assert {m: k for (p, m), k in refs.items() if k[0] == "modelscope"} == found


@pytest.mark.parametrize(("name", "text"), [
    # a container image, the model a project makes itself, prose, a Hub loader in a file that uses a provider
    ("compose.yaml", "services:\n  llm:\n    image: ollama/ollama:latest\n"),
    ("make.sh", "ollama create support-bot -f Modelfile\nollama run support-bot\n"),
    ("notes.md", "We tried qwen2.5:7b with Ollama once; it was slow.\n"),
    ("mixed.py", "from together import Together\nc = Together()\n"
                 "tok = AutoTokenizer.from_pretrained('Qwen/Qwen2.5-7B-Instruct')\n"),
    ("unknown.py", "client = OpenAI(base_url='https://openrouter.ai/api/v1')\n"
                   "client.chat.completions.create(model='someone/private-model')\n"),
])
def test_no_door(cli, project, name, text):
    refs = _refs(cli, project, {name: text})
    assert not [k for k in refs.values() if k[0] in ("ollama", "hosted", "modelscope")], refs


def test_modelscope_organisations_in_code_that_uses_modelscope(cli, project):
    refs = _refs(cli, project, {"pipe.py": "from modelscope.pipelines import pipeline\n"
                                           "MODEL_ID = 'damo/cv_unet_image-matting'\n"
                                           "matting = pipeline('portrait-matting', model=MODEL_ID)\n"})
    assert refs == {("pipe.py", "damo/cv_unet_image-matting"): ("modelscope", "ModelScope")}


def test_a_name_that_says_its_door_is_found_among_many_literals_of_a_file_that_names_no_provider(cli, project):
    # No provider, Ollama or ModelScope marker: only the lines holding a routing prefix, a route or a
    # self-marked id are read, and a name there is still found; other literals are not doors.
    noise = "".join(f"option_{i} = 'huggingface/diffusers/{i}'\nlabel_{i}: str = \"value-{i}\"\n" for i in range(400))
    text = (noise + "reply = completion(model='Together_AI/Qwen/Qwen2.5-7B-Instruct-Turbo')\n"
            "client.chat.completions.create(model='deepseek-ai/DeepSeek-R1:together')\n"
            "runtime.converse(modelId='us.meta.llama3-3-70b-instruct-v1:0')\n" + noise)
    found = _refs(cli, project, {"app.py": text})
    assert found[("app.py", "Qwen/Qwen2.5-7B-Instruct-Turbo")] == ("hosted", "Together AI")
    assert found[("app.py", "deepseek-ai/DeepSeek-R1:together")] == ("hosted", "Hugging Face Inference Providers")
    assert found[("app.py", "us.meta.llama3-3-70b-instruct-v1:0")] == ("hosted", "Amazon Bedrock")
    assert not [key for key, (kind, _) in found.items() if kind == "hosted" and "diffusers" in key[1]]
