"""A repository's small config files, and the re-packaged variants of a model, from the Hub.

The files are read the way ``hf_hub_download`` addresses them, ``GET {endpoint}/{repo}/resolve/{revision}/{file}``
(``huggingface_hub.hf_hub_url``), through ``huggingface_hub``'s own HTTP session (its headers, the token it
finds, model-risk's cap on answer sizes), with one request per file and no copy in the Hugging Face cache:
model-risk keeps what it reads in its own cache (see :class:`~model_risk.resolve.alternatives.ListCache`).
A file the repository does not have (404 ``EntryNotFound``) is an answer, ``None``; a file that cannot be
read (gated, a fault) is a reason, and costs only the facts it would have given.

Variants are the models the Hub lists as quantisations of a model (``list_models(filter=
"base_model:quantized:ID")``), most downloaded first: the GGUF, AWQ, GPTQ and MLX copies a team can run.
"""

from __future__ import annotations

import json
import time
from typing import Any

from model_risk.contract.resolver import ResolveContext
from model_risk.knowledge.profiles import variant_format
from model_risk.resolve import hub_client
from model_risk.resolve.bounded_calls import CandidatesUnavailable, usable_state, well_formed, within

#: The files a migration's facts are read from: the architecture, size and context; the chat template.
CONFIG = "config.json"
TOKENIZER_CONFIG = "tokenizer_config.json"
#: Newer repositories keep the chat template in a file of its own.
CHAT_TEMPLATE = "chat_template.jinja"
#: An embedder's maximum input length (sentence-transformers models).
SENTENCE_CONFIG = "sentence_bert_config.json"
#: Quantisations asked for per model: the most downloaded of each format are among the first.
VARIANTS_POOL = 100


class FileUnreadable(Exception):
    """The file exists, or may, but could not be read; ``str()`` says why."""


def read_file(model_id: str, filename: str, revision: str | None, context: ResolveContext, *, timeout: float
              ) -> str | None:
    """The text of one file of a model repository at ``revision``; None when the repository has no such file."""
    from huggingface_hub import hf_hub_url
    from huggingface_hub.utils import build_hf_headers, get_session, hf_raise_for_status

    state = usable_state(context)
    state.api()  # telemetry off and the answer-size cap installed before the first request
    url = hf_hub_url(model_id, filename, revision=revision, endpoint=context.hub.endpoint)

    def fetch() -> Any:
        response = get_session().get(url, headers=build_hf_headers(library_name="model-risk"),
                                     timeout=context.hub.timeout)
        hf_raise_for_status(response)
        return response

    try:
        response = within(time.monotonic() + timeout, fetch)
    except CandidatesUnavailable as exc:
        state.record(True)
        raise FileUnreadable(f"{filename} of {model_id} not read: {exc}") from None
    except Exception as exc:  # every fault is a reason, never a traceback
        names = {cls.__name__ for cls in type(exc).__mro__}
        if "EntryNotFoundError" in names:  # the repository has no such file: an answer
            state.record(False)
            return None
        failure = hub_client._classify(exc)
        state.count(failure)
        raise FileUnreadable(f"{filename} of {model_id} not read: {failure.reason}") from None
    state.record(False)
    return response.content.decode("utf-8", "replace")


def read_json(model_id: str, filename: str, revision: str | None, context: ResolveContext, *, timeout: float
              ) -> dict[str, Any] | None:
    """One JSON file of a repository as an object (None: no such file); a file that is not a JSON object
    is unreadable."""
    text = read_file(model_id, filename, revision, context, timeout=timeout)
    if text is None:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        raise FileUnreadable(f"{filename} of {model_id} is not valid JSON") from None
    if not isinstance(data, dict):
        raise FileUnreadable(f"{filename} of {model_id} is not a JSON object")
    return data


def list_variants(model_id: str, context: ResolveContext, *, timeout: float) -> list[tuple[str, str]]:
    """(format, repo id) of the quantisations the Hub lists for ``model_id``: the most downloaded of each
    format first."""
    api = usable_state(context).api()
    arguments = {"filter": [f"base_model:quantized:{model_id}"], "sort": "downloads", "limit": VARIANTS_POOL,
                 "expand": ["library_name", "tags", "downloads"]}
    try:
        infos = within(time.monotonic() + timeout, lambda: list(api.list_models(**arguments)))
    except CandidatesUnavailable:
        raise
    except Exception as exc:
        raise CandidatesUnavailable(f"listing the variants of {model_id} failed: "
                                    f"{hub_client._classify(exc).reason}") from None
    found: list[tuple[str, str]] = []
    for info in sorted(infos, key=lambda i: -(hub_client._count(getattr(i, "downloads", None)) or 0)):
        if not well_formed(getattr(info, "id", None)):
            continue
        fmt = variant_format(str(info.id), hub_client._text(getattr(info, "library_name", None)),
                             [str(t) for t in (getattr(info, "tags", None) or [])])
        if fmt is not None:
            found.append((fmt, str(info.id)))
    return found
