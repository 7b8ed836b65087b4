"""The vendor view's arithmetic: shares, the Herfindahl-Hirschman index, its bands and floor, scopes."""

from __future__ import annotations

from model_risk.contract.domain import ModelFacts, ModelStatus, Reference
from model_risk.knowledge.exposure import exposure_of, hhi_band, scope_of, vendor_view

SHA = "a" * 40


def _model(model_id: str, root: str | None, *, vendor: str | None = None, api: bool = False,
           revision: str | None = None, source: str = "hub") -> ModelFacts:
    return ModelFacts(id=model_id, status=ModelStatus.API if api else ModelStatus.RESOLVED, revision=revision,
                      vendor=vendor or root, root_vendor=root, source=source,
                      lineage=(model_id, f"{root}/base") if vendor and vendor != root else (model_id,))


def _ref(model_id: str, path: str = "app.py", line: int = 1) -> Reference:
    return Reference(model=model_id, path=path, line=line, column=1, detector="python")


def _view(*models: ModelFacts, path: str = "app.py"):
    return vendor_view((m, [_ref(m.id, path)]) for m in models)


def test_index_is_the_sum_of_squared_percentage_shares():
    view = _view(_model("a/1", "A"), _model("a/2", "A"), _model("a/3", "A"), _model("b/1", "B"))
    c = view.concentration
    assert (c.models, c.vendors, c.top_vendor, c.top_share) == (4, 2, "A", 0.75)
    assert c.hhi == 6250 and c.floor == 2500 and c.band == "highly concentrated"  # 75² + 25²


def test_bands_follow_the_merger_guidelines():
    assert hhi_band(999) == "unconcentrated"
    assert hhi_band(1000) == hhi_band(1800) == "moderately concentrated"
    assert hhi_band(1801) == "highly concentrated"
    assert hhi_band(0, models=0) == "none"


def test_models_of_unknown_vendor_are_vendors_of_their_own():
    view = _view(_model("gpt2", None), _model("bert", None), _model("a/1", "A"), _model("b/1", "B"))
    c = view.concentration
    assert c.vendors == 4 and c.hhi == 2500 and c.top_share == 0.25  # not "unknown" with 50%
    assert c.top_vendor in {"A", "B"}


def test_open_weights_and_api_models_count_together_and_revisions_once():
    view = vendor_view([
        (_model("Qwen/Qwen2.5-7B-Instruct", "Alibaba"), [_ref("Qwen/Qwen2.5-7B-Instruct")]),
        (_model("Qwen/Qwen2.5-7B-Instruct", "Alibaba", revision=SHA, source="lockfile"),
         [_ref("Qwen/Qwen2.5-7B-Instruct", line=2)]),
        (_model("qwen-max", "Alibaba", api=True), [_ref("qwen-max", line=3)]),
        (_model("bartowski/Qwen2.5-7B-Instruct-GGUF", "Alibaba", vendor="bartowski"),
         [_ref("bartowski/Qwen2.5-7B-Instruct-GGUF", line=4)]),
    ])
    [alibaba] = view.vendors
    assert (alibaba.distinct(), alibaba.distinct("open-weights"), alibaba.distinct("api")) == (3, 2, 1)
    assert [u.exposure for u in alibaba.uses] == ["unpinned", "pinned", "api", "derived"]
    assert alibaba.uses[1].pinned and alibaba.uses[1].locked and not alibaba.uses[0].locked


def test_docs_and_tests_do_not_count_but_stay_listed():
    view = vendor_view([
        (_model("a/1", "A"), [_ref("a/1", "README.md")]),
        (_model("a/2", "A"), [_ref("a/2", "tests/test_app.py")]),
        (_model("b/1", "B"), [_ref("b/1", "src/app.py")]),
    ])
    assert view.concentration.models == 1 and view.concentration.top_vendor == "B"
    entry = view.entry("a")
    assert entry is not None and entry.distinct() == 2 and entry.models == 0


def test_scope_is_read_from_the_path_unless_the_detector_sets_one():
    assert [scope_of(_ref("m", p)) for p in ("src/app.py", "configs/router.yaml", "docs/guide.md",
                                             "tests/test_x.py", "examples/demo/run.py", "README.md")] == [
        "code", "config", "docs", "tests", "examples", "docs"]


def test_exposure_follows_the_lineage_with_a_vendor_table():
    distill = ModelFacts(id="deepseek-ai/R1-Distill-Qwen-7B", status=ModelStatus.RESOLVED, vendor="DeepSeek",
                         root_vendor="Alibaba", lineage=("deepseek-ai/R1-Distill-Qwen-7B", "Qwen/Qwen2.5-Math-7B"))
    uses = [(distill, [_ref(distill.id)])]
    assert [e.level for e in exposure_of("Alibaba", uses)] == ["derived"]
    assert [e.level for e in exposure_of("DeepSeek", uses)] == ["unpinned"]
    assert exposure_of("Meta", uses) == []
