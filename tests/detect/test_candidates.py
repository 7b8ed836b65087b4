"""The candidate pass (detect/candidates.py): ids in every kind of text file, judged by their context.

Each case is a small tree and what the JSON report must hold: (path, line, model, confidence). Near
misses sit next to the cases they resemble and expect nothing. The files are written the way the
application and deployment repositories that motivated the pass write them (Helm charts, Kubernetes
manifests, Rust and Go servers, TypeScript apps, ``.env`` files, test helpers).
"""

from __future__ import annotations

import pytest
from support.detect_scan import scan  # noqa: F401  (a fixture)

CASES = {
    # -- Kubernetes manifests and Helm values, templates and tests --------------------------------------
    "Helm values: a key naming the model in camel case": (
        {"charts/stack/values.yaml": 'servingEngineSpec:\n  modelSpec:\n  - name: "opt"\n'
                                     '    modelURL: "acme-lab/opt-7b"\n'},
        [("charts/stack/values.yaml", 4, "acme-lab/opt-7b", "certain")]),
    "Helm template: a default behind a model key": (
        {"charts/stack/templates/deploy.tpl":
            '        - name: vllm\n          args:\n'
            '            - --model\n            - {{ .Values.model | default "acme-lab/chat-13b" }}\n'
            '          env:\n            - name: BASE_MODEL\n              value: "acme-lab/base-7b"\n'},
        [("charts/stack/templates/deploy.tpl", 4, "acme-lab/chat-13b", "certain"),
         ("charts/stack/templates/deploy.tpl", 7, "acme-lab/base-7b", "certain")]),
    "served model name in an args list: a known publisher's id is likely": (
        {"deploy/serve.tpl": 'extraArgs: ["--served-model-name", "Qwen/Qwen3-8B", "qwen3"]\n'
                             'args:\n  - "--served-model-name"\n  - "meta-llama/Llama-3.1-8B-Instruct"\n'},
        [("deploy/serve.tpl", 1, "Qwen/Qwen3-8B", "likely"),
         ("deploy/serve.tpl", 4, "meta-llama/Llama-3.1-8B-Instruct", "likely")]),
    "served model name that is a project's own alias is not a model": (
        {"deploy/values.yaml": "serving:\n  servedModelName: acme/assistant\n",
         ".env": "SERVED_MODEL_NAME=acme/assistant-7b\n"},
        []),
    "a chart's unit test asserts the model argument": (
        {"charts/stack/tests/deploy_test.yaml":
            "asserts:\n  - contains:\n      path: spec.template.spec.containers[0].args\n"
            "      content: --model=acme-lab/opt-7b\n"},
        [("charts/stack/tests/deploy_test.yaml", 4, "acme-lab/opt-7b", "certain")]),
    "container images and their repositories are not models": (
        {"charts/stack/values.yaml": 'image:\n  repository: "rocm/vllm-dev"\n  tag: "v0.9"\n'
                                     'router:\n  repository: "acme-lab/router-7b"\n  tag: "latest"\n'
                                     'sidecar: vllm/vllm-openai:v0.6.3\n',
         "deploy/run.sh": "docker pull rocm/vllm-7b\nhelm upgrade --install ops acme-charts/gpu-operator-2\n",
         "Dockerfile": "FROM acme-lab/pytorch-2:latest\nCOPY server/exllama-v2 /srv\n"},
        []),
    "an image repository beside its tag under a model key is still an image": (
        {"charts/stack/values.yaml": 'servingEngineSpec:\n  modelSpec:\n  - name: "llama3"\n'
                                     '    repository: "acme-lab/vllm-openai-2"\n    tag: "latest"\n'
                                     '    modelURL: "acme-lab/chat-13b"\n',
         "docs/install.md": '```yaml\nmodelSpec:\n  - repository: "rocm/vllm-7"\n    tag: "instinct_main"\n'
                            '    modelURL: acme-lab/opt-7b\n```\n'},
        [("charts/stack/values.yaml", 6, "acme-lab/chat-13b", "certain"), ("docs/install.md", 5, "acme-lab/opt-7b", "certain")]),
    "a model's address is not a model": (
        {"Makefile": "run:\n\tMODEL_ADDR=acme-serve/openai-2 k6 run ./k6.js\n",
         ".env": "MODEL_HOST_ADDRESS=gateway/v1-2\nMODEL_NAME=acme-lab/chat-13b\n"},
        [(".env", 2, "acme-lab/chat-13b", "certain")]),
    "kubectl output and cluster objects are not models": (
        {"docs/ops.txt": "$ kubectl wait --for=condition=ready pod/vllm-8666bf6464-v97v8\n"
                         "pod/vllm-8666bf6464-v97v8 condition met\n"
                         "deployment.apps/vllm-7b restarted\n"},
        []),

    # -- JSON model lists in environment variables and block scalars ------------------------------------
    "a JSON model list in a .env file": (
        {".env.local": 'MODELS=`[\n  {\n    "name": "acme-lab/chat-13b",\n    "description": "a chat model"\n'
                       '  },\n  {"id": "acme-lab/coder-7b"}\n]`\n'},
        [(".env.local", 3, "acme-lab/chat-13b", "certain"), (".env.local", 6, "acme-lab/coder-7b", "certain")]),
    "a JSON model list in a YAML block scalar under an env entry": (
        {"deploy/chat.yaml": 'env:\n  - name: MODELS\n    value: |\n      [{"id": "acme-lab/chat-13b"}]\n'},
        [("deploy/chat.yaml", 4, "acme-lab/chat-13b", "certain")]),

    # -- TypeScript and JavaScript ------------------------------------------------------------------------
    "TypeScript: an array of model ids, a call argument, a JSDoc example": (
        {"src/models.ts": "export const MODELS = [\n  'acme-lab/embed-small-v2',\n  'acme-lab/embed-large-v2',\n];\n"
                          "const m = await loadModel('acme-lab/rerank-base-1');\n"
                          "/**\n * @example\n * const pipe = await pipeline('asr', 'Xenova/whisper-tiny.en');\n */\n"},
        [("src/models.ts", 2, "acme-lab/embed-small-v2", "certain"),
         ("src/models.ts", 3, "acme-lab/embed-large-v2", "certain"),
         ("src/models.ts", 5, "acme-lab/rerank-base-1", "certain"),
         ("src/models.ts", 8, "Xenova/whisper-tiny.en", "likely")]),
    "TypeScript: module paths in imports are not models": (
        {"src/app.tsx": 'import addDays from "date-fns/add_days-2";\nimport { Stream } from "openai/streaming-v2";\n'
                        "const lib = require('lodash/fp-2');\n"},
        []),

    # -- Rust -----------------------------------------------------------------------------------------
    "Rust: a clap default, a test table, a string literal, a comment": (
        {"router/src/main.rs":
            "struct Args {\n    /// The model to serve\n    #[clap(default_value = \"acme-lab/bloom-7b\", long, env)]\n"
            "    model_id: String,\n}\n"
            "const CASES: &[(&str, usize)] = &[\n    (\"acme-lab/e5-small-v2\", 384),\n];\n"
            "let (root, _) = download_artifacts(\"acme-lab/gte-base-1\", None, None)?;\n"
            "// works with acme-lab/nomic-embed-v1.5 too\n"},
        [("router/src/main.rs", 3, "acme-lab/bloom-7b", "certain"),
         ("router/src/main.rs", 7, "acme-lab/e5-small-v2", "possible"),
         ("router/src/main.rs", 9, "acme-lab/gte-base-1", "possible"),
         ("router/src/main.rs", 10, "acme-lab/nomic-embed-v1.5", "possible")]),
    "Cargo features and workspace members are not models": (
        {"Cargo.toml": '[workspace]\nmembers = [\n  "backends/grpc-client-2",\n]\n'
                       '[features]\ncuda = ["candle", "text-backend/flash-attn-v2", "dep:cudarc"]\n'},
        []),

    # -- Go -------------------------------------------------------------------------------------------
    "Go: a struct field, a fallback for an environment variable": (
        {"pkg/model/spec.go": 'spec := Spec{\n\tModelID: "acme-lab/chat-7b",\n}\n'
                              'name := getEnvOr(os.Getenv("MODEL_NAME"), "acme-lab/tiny-1b")\n'
                              'm := os.Getenv("EMBEDDING_MODEL", "acme-lab/embed-2")\n'},
        [("pkg/model/spec.go", 2, "acme-lab/chat-7b", "certain"),
         ("pkg/model/spec.go", 4, "acme-lab/tiny-1b", "possible"),
         ("pkg/model/spec.go", 5, "acme-lab/embed-2", "certain")]),
    "Go: import paths, API versions, gRPC methods and namespaced objects are not models": (
        {"pkg/model/spec_test.go": 'import (\n\t"crypto/x509"\n\t"encoding/base64"\n)\nimport "sigs.k8s.io/yaml-2"\n'
                                   'const v = "apps/v1"\nconst method = "PredictionService/ChatCompletions"\n'
                                   'agg.DeletePod("test-namespace/test-pod-2")\n'
                                   'key := "default/vllm-pods-7b"\ninferencePool: "gpu-ns/pool-7b",\n'},
        []),

    # -- test helpers, command lines, usage text ------------------------------------------------------
    "a test helper called with an id": (
        {"integration-tests/test_llama.py":
            'def test_generate(launcher):\n    with launcher("acme-lab/llama-7b", num_shard=2) as handle:\n'
            '        assert handle\n'},
        [("integration-tests/test_llama.py", 2, "acme-lab/llama-7b", "possible")]),
    "a shell helper function called with an id": (
        {"bench/run.sh": "run_bench() {\n  echo \"$1\"\n}\nrun_bench acme-lab/chat-7b\n"},
        [("bench/run.sh", 4, "acme-lab/chat-7b", "possible")]),
    "an id on the line after a command's backslash, revision and trust flags on the command": (
        {"docs/serve.txt": "vllm serve \\\n  acme-lab/chat-13b \\\n  --revision v1.2 \\\n"
                           "  --trust-remote-code\n"},
        [("docs/serve.txt", 2, "acme-lab/chat-13b", "certain")]),
    "several ids in one comma-separated value": (
        {"deploy/router.tpl": '  --static-models "acme-lab/a-7b,acme-lab/b-13b" \\\n  --port 8000\n'},
        [("deploy/router.tpl", 1, "acme-lab/a-7b", "certain"), ("deploy/router.tpl", 1, "acme-lab/b-13b", "certain")]),
    "(default: ORG/NAME) in usage text": (
        {"docs/usage.txt": "  -m, --model MODEL       Model to use (default: acme-lab/opt-125m)\n"
                           "  -o, --output-dir DIR    Where to write (default: acme-runs/out-2)\n"},
        [("docs/usage.txt", 1, "acme-lab/opt-125m", "certain")]),

    # -- Hub links and schemes ------------------------------------------------------------------------
    "links and schemes in files no detector reads": (
        {"router/src/lib.rs": "// see https://huggingface.co/acme-lab/stella-400m/blob/main/2_Dense/config.json\n",
         "conf/agent.cfg": 'modelPath = "hf:acme-lab/embed-300m-GGUF/embed-300m-Q8_0.gguf"\n',
         "docs/clone.txt": "git clone git@hf.co:acme-lab/bloom-560m\n"},
        [("conf/agent.cfg", 1, "acme-lab/embed-300m-GGUF", "certain"),
         ("docs/clone.txt", 1, "acme-lab/bloom-560m", "certain"),
         ("router/src/lib.rs", 1, "acme-lab/stella-400m", "certain")]),
    "Hub listing URLs and other Hub pages are not models": (
        {"docs/links.txt": "https://huggingface.co/acme-lab/models?search=chat-7b\n"
                           "https://huggingface.co/subscribe/pro?from=chat\n"},
        []),

    # -- local folders, datasets, placeholders --------------------------------------------------------
    "local folders shaped like org/name are not models": (
        {"scripts/train.sh": "python train.py --model-dir models/llama-2-7b --output_dir acme-runs/chat-7b\n"
                             "cp -r ./acme-lab/chat-7b /data/acme-lab/chat-7b\n",
         "conf/paths.cfg": "checkpoint_dir = checkpoints/acme-7b\n"},
        []),
    "a download of a dataset is not a model, the next command's download is": (
        {"scripts/fetch.txt": "hf download acme-data/corpus-7b --repo-type dataset\n"
                              "hf download acme-lab/chat-7b --local-dir /models/chat\n"},
        [("scripts/fetch.txt", 2, "acme-lab/chat-7b", "certain")]),
    "datasets under a datasets key are not models": (
        {"recipes/sft.yaml": "dataset_mixture:\n  datasets:\n    - id: acme-data/dialogues-7k\n      split: train\n"},
        []),
}


@pytest.mark.parametrize("name", list(CASES))
def test_candidate_pass_cases(scan, name):  # noqa: F811
    files, expected = CASES[name]
    report = scan(files)
    found = sorted((r["path"], r["line"], r["model"], r["confidence"]) for r in report["references"])
    assert found == sorted(expected)


def test_attributes_travel_with_the_reference_in_a_yaml_recipe(scan):  # noqa: F811
    report = scan({"recipes/config.yaml": "model_name_or_path: acme-lab/chat-7b\nmodel_revision: 3f9b1d2\n"
                                          "trust_remote_code: true\ntorch_dtype: bfloat16\n"})
    [ref] = report["references"]
    assert (ref["model"], ref["revision"], ref["trust_remote_code"]) == ("acme-lab/chat-7b", "3f9b1d2", True)


def test_attributes_travel_with_the_reference_on_a_command_line(scan):  # noqa: F811
    report = scan({"docs/serve.txt": "vllm serve \\\n  acme-lab/chat-13b \\\n  --revision v1.2 \\\n"
                                     "  --trust-remote-code\n"})
    [ref] = report["references"]
    assert (ref["revision"], ref["trust_remote_code"]) == ("v1.2", True)


def test_ids_inside_json_code_blocks_in_markdown(scan):  # noqa: F811
    report = scan({"README.md": '```json\n{\n  "model": "acme-lab/chat-7b",\n  "messages": []\n}\n```\n'})
    assert [(r["line"], r["model"], r["confidence"]) for r in report["references"]] == [(3, "acme-lab/chat-7b",
                                                                                          "certain")]


def test_one_literal_is_one_reference_and_the_detector_keeps_it(scan):  # noqa: F811
    report = scan({"app.py": 'from transformers import AutoModel\nAutoModel.from_pretrained("acme-lab/chat-7b")\n',
                   "values.yaml": "model: acme-lab/chat-7b\n"})
    assert sorted((r["path"], r["detector"]) for r in report["references"]) == [("app.py", "python"),
                                                                               ("values.yaml", "yaml")]


def test_the_pass_can_be_turned_off(scan):  # noqa: F811
    files = {".model-risk.yaml": "detectors:\n  disable: [candidates]\n",
             "router/src/main.rs": 'let model = "acme-lab/chat-7b";\n'}
    assert scan(files)["references"] == []


def test_docs_false_keeps_the_pass_out_of_documentation(scan):  # noqa: F811
    files = {".model-risk.yaml": "docs: false\n", "README.md": "Serve `acme-lab/chat-7b` with vllm.\n",
             "router/src/main.rs": 'let model = "acme-lab/chat-7b";\n'}
    assert [r["path"] for r in scan(files)["references"]] == ["router/src/main.rs"]


def test_binaries_and_lock_files_are_not_read(scan):  # noqa: F811
    report = scan({"weights.bin": b"model: acme-lab/chat-7b\0\0\0", "package-lock.json": '{"model": "acme-lab/chat-7b"}',
                   "Cargo.lock": 'name = "acme-lab/chat-7b"\n', "logo.svg": "<svg>model: acme-lab/chat-7b</svg>"})
    assert report["references"] == []
