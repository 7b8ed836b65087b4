"""A resolver: models under the acme/ namespace live in Acme's internal model registry, not on the
Hugging Face Hub. The registry answers GET {ACME_REGISTRY_URL}/models/{id} with JSON such as
{"id": "acme/support-llm", "license": "apache-2.0", "base_model": "Qwen/Qwen2.5-7B-Instruct",
 "sha": "...", "formats": ["safetensors"]}."""

import json
import os
import urllib.error
import urllib.parse
import urllib.request

from model_risk import hookimpl
from model_risk.contract.domain import ModelStatus
from model_risk.knowledge.facts import build_facts

NAMESPACE = "acme/"


def _facts(request, context, status, reason=None, **fields):
    return build_facts(model_id=request.model_id, status=status, vendors=context.vendors,
                       source="acme-registry", revision=request.revision, reason=reason, **fields)


@hookimpl
def resolve_model(request, context):
    if not request.model_id.startswith(NAMESPACE):
        return None  # not ours: the next resolver (in the end the Hub) answers
    base_url = os.environ.get("ACME_REGISTRY_URL")
    if context.offline or not base_url:
        # Offline, model-risk.lock answers before any resolver; without it the model is unresolved.
        return _facts(request, context, ModelStatus.UNRESOLVED, "the Acme registry is not reachable offline")
    url = f"{base_url.rstrip('/')}/models/{urllib.parse.quote(request.model_id, safe='/')}"
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            entry = json.load(response)
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return _facts(request, context, ModelStatus.NOT_FOUND, "not in the Acme registry")
        return _facts(request, context, ModelStatus.UNRESOLVED, f"Acme registry: HTTP {exc.code}")
    except (OSError, ValueError) as exc:
        return _facts(request, context, ModelStatus.UNRESOLVED, f"Acme registry: {exc}")
    return _facts(
        request, context, ModelStatus.RESOLVED,
        author="acme",
        license_id=entry.get("license"),
        sha=entry.get("sha"),
        formats=entry.get("formats", ()),
        base_models=[entry["base_model"]] if entry.get("base_model") else (),
        base_relation="finetune" if entry.get("base_model") else None,
        last_modified=entry.get("updated"),
    )
