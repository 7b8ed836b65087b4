"""The stand-in Hub's list endpoint, driven by the real ``huggingface_hub`` client (``HfApi.list_models``).

The query each call sends is the one hub-facts.md §1.3 recorded for the real client; the answers follow
the Hub's documented behaviour: filters combine with AND, ``sort`` is descending unless ``direction=1``,
``limit`` caps the items, ``expand`` returns only the properties asked for, pages link to the next one.
"""

from __future__ import annotations

import json
import urllib.request

import pytest
from support.fakehub import LIST, Fault, FakeHub, model


@pytest.fixture
def api(hub: FakeHub):
    from huggingface_hub import HfApi

    return HfApi(endpoint=hub.url, token=False)


def test_filters_sort_and_limit(api, hub: FakeHub):
    found = list(api.list_models(pipeline_tag="text-generation", filter=["transformers"],
                                 num_parameters="min:1.5B,max:6.2B", gated=False, sort="downloads", limit=4,
                                 expand=["downloads", "safetensors", "gated"]))
    assert [m.id for m in found] == ["Qwen/Qwen3-4B", "Qwen/Qwen2.5-3B-Instruct",
                                     "microsoft/Phi-3-mini-4k-instruct", "Qwen/Qwen2.5-3B"]
    downloads = [m.downloads for m in found]
    assert downloads == sorted(downloads, reverse=True)
    assert all(1.5e9 <= m.safetensors.total <= 6.2e9 and m.gated is False for m in found)
    # expand= returns only what was asked for.
    assert found[0].card_data is None and found[0].tags is None
    assert hub.list_requests() == [
        f"{LIST}?filter=transformers&gated=false&pipeline_tag=text-generation&num_parameters=min%3A1.5B%2Cmax%3A6.2B"
        "&sort=downloads&limit=4&expand=downloads&expand=safetensors&expand=gated"]


def test_author_search_and_license_tags(api):
    assert {m.id for m in api.list_models(author="meta-llama", search="3.1")} == {
        "meta-llama/Llama-3.1-8B-Instruct", "meta-llama/Llama-3.1-8B"}
    mit = {m.id for m in api.list_models(filter=["license:mit", "text-generation"])}
    assert "microsoft/phi-4" in mit and "Qwen/Qwen2.5-7B-Instruct" not in mit


def test_shallow_items_by_default_and_full_items_on_request(api):
    shallow = next(iter(api.list_models(search="SmolLM2", limit=1)))
    assert shallow.id == "HuggingFaceTB/SmolLM2-1.7B-Instruct" and shallow.downloads == 100000
    assert shallow.card_data is None and shallow.safetensors is None
    full = next(iter(api.list_models(search="SmolLM2", limit=1, full=True)))
    assert full.safetensors.total == 1_710_000_000 and full.card_data is None
    with_card = next(iter(api.list_models(search="SmolLM2", limit=1, cardData=True)))
    assert with_card.card_data.license == "apache-2.0"


def test_pages_follow_the_link_header(api, hub: FakeHub):
    hub.list_page = 2
    ids = [m.id for m in api.list_models(author="Qwen", sort="downloads", limit=5)]
    assert len(ids) == 5 and len(hub.list_requests()) == 3
    assert hub.list_requests()[1].endswith("cursor=2")


def test_direction_ascending_and_refused_expand(hub: FakeHub, api):
    with urllib.request.urlopen(f"{hub.url}{LIST}?author=Qwen&sort=downloads&direction=1&limit=2") as answer:
        ids = [item["id"] for item in json.loads(answer.read())]
    assert ids == ["Qwen/Qwen2.5-7B", "Qwen/Qwen2.5-72B"]  # no download count: least first
    from huggingface_hub.errors import BadRequestError

    with pytest.raises(BadRequestError):
        list(api.list_models(expand=["baseModels"], limit=1))  # only a single model's page has it


def test_faults_and_models_added_by_a_test(api, hub: FakeHub):
    hub.models["acme/tiny-chat"] = model("acme/tiny-chat", license="mit", pipeline_tag="text-generation",
                                         downloads=10**9)
    assert next(iter(api.list_models(pipeline_tag="text-generation", sort="downloads", limit=1))).id == "acme/tiny-chat"
    hub.fail(LIST, Fault(kind="garbage"))
    with pytest.raises(ValueError):
        list(api.list_models(limit=1))
