"""ModelScope: models downloaded from modelscope.cn instead of the Hub: ``snapshot_download`` and the
loaders imported from ``modelscope``, ``modelscope download --model ID``, ``modelscope.cn/models/ID`` links,
and the settings that switch a library to ModelScope (``VLLM_USE_MODELSCOPE=True``, LLaMA-Factory's
``USE_MODELSCOPE_HUB=1``). Each is reported as a ``modelscope`` reference; resolution ties it to the Hub
repository it mirrors (knowledge/data/modelscope.yaml). ``MsDataset`` loads data, not a model. See
:mod:`model_risk.detect.doors`.
"""

from __future__ import annotations

from model_risk.detect.doors import DoorDetector


class ModelScopeDetector(DoorDetector):
    name = "modelscope"
    description = ("ModelScope: snapshot_download and loaders imported from modelscope, its CLI, modelscope.cn "
                   "links, and VLLM_USE_MODELSCOPE-style switches")
    kinds = frozenset({"modelscope"})
