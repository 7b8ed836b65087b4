"""The rules a replacement must meet, on their own: what the CLI tests exercise through the stand-in Hub."""

from __future__ import annotations

from model_risk.contract.domain import ModelProfile
from model_risk.evaluate.alternatives import AlternativesPolicy, judge, requirements, screen
from model_risk.knowledge import licenses

POLICY = AlternativesPolicy()
MOE = ModelProfile(task="text-generation", purposes=("chat",), parameters=30_500_000_000,
                   active_parameters=3_300_000_000, context_length=40960)


def _screen(parameters, **given):
    fields = dict(task="text-generation", library="transformers", parameters=parameters, gated=False,
                  base_relation=None, card_license=licenses.classify("apache-2.0"), req=requirements(MOE, POLICY),
                  policy=POLICY, excluded_ids=())
    fields.update(given)
    return screen("acme/chat-8b-instruct", **fields)


def test_a_candidate_whose_size_nobody_states_is_never_offered():
    assert _screen(None) == "size not known"
    assert _screen(8_000_000_000) is None


def test_the_listing_window_of_a_mixture_of_experts_runs_from_its_active_parameters_to_twice_its_memory():
    req = requirements(MOE, POLICY)
    assert req.moe and req.list_bounds == (1_650_000_000, 61_000_000_000)
    assert _screen(1_000_000_000) == "size" and _screen(70_000_000_000) == "size"


def test_a_dense_model_that_fits_the_memory_but_does_ten_times_the_work_is_not_a_replacement():
    req = requirements(MOE, POLICY)
    dense = ModelProfile(task="text-generation", purposes=("chat",), parameters=32_000_000_000,
                         context_length=32768, license="Apache-2.0", vendor="Acme")
    assert judge(dense, licenses.classify("apache-2.0"), req, POLICY, {"Alibaba"}) == "active parameters"
    moe = ModelProfile(task="text-generation", purposes=("chat",), parameters=21_000_000_000,
                       active_parameters=3_600_000_000, context_length=131072, vendor="OpenAI")
    assert judge(moe, licenses.classify("apache-2.0"), req, POLICY, {"Alibaba"}) is None


def test_every_root_vendor_counts_and_the_effective_license_decides():
    req = requirements(MOE, POLICY)
    merge = ModelProfile(task="text-generation", purposes=("chat",), parameters=3_000_000_000, context_length=32768,
                         vendor="Acme", root_vendors=("Acme", "Alibaba"))
    assert judge(merge, licenses.classify("apache-2.0"), req, POLICY, {"Alibaba"}) == "Alibaba at the root"
    llama = ModelProfile(task="text-generation", purposes=("chat",), parameters=3_000_000_000, context_length=32768,
                         vendor="Meta")
    assert judge(llama, licenses.classify("llama3.1"), req, POLICY, {"Alibaba"}).startswith("license not accepted")
