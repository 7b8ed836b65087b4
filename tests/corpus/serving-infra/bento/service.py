"""BentoML service wrapping a vLLM engine."""

import bentoml
from vllm import AsyncEngineArgs, AsyncLLMEngine, SamplingParams

MODEL_ID = "microsoft/Phi-3.5-mini-instruct"
MAX_TOKENS = 1024


@bentoml.service(resources={"gpu": 1, "gpu_type": "nvidia-l4"}, traffic={"timeout": 300})
class Phi:
    def __init__(self) -> None:
        args = AsyncEngineArgs(model=MODEL_ID, max_model_len=4096, enable_prefix_caching=True,
                               trust_remote_code=True)
        self.engine = AsyncLLMEngine.from_engine_args(args)

    @bentoml.api
    async def generate(self, prompt: str, max_tokens: int = MAX_TOKENS) -> str:
        params = SamplingParams(max_tokens=max_tokens)
        final = None
        async for output in self.engine.generate(prompt, params, request_id=bentoml.get_current_context().request_id):
            final = output
        return final.outputs[0].text


@bentoml.service
class Moderation:
    guard = bentoml.models.HuggingFaceModel("meta-llama/Llama-Guard-3-1B")

    def __init__(self) -> None:
        from transformers import pipeline

        self.classify = pipeline("text-generation", model=self.guard)
