"""Nightly batch summarisation with vLLM's offline engine."""

import sys

from vllm import LLM, SamplingParams

PROMPTS_FILE = sys.argv[1] if len(sys.argv) > 1 else "data/prompts/2024-11-02.txt"

llm = LLM(model="meta-llama/Llama-3.1-8B-Instruct", tensor_parallel_size=2, gpu_memory_utilization=0.9)
small = LLM("Qwen/Qwen2.5-0.5B-Instruct", enforce_eager=True)
sampling = SamplingParams(temperature=0.2, max_tokens=256)

with open(PROMPTS_FILE, encoding="utf-8") as handle:
    prompts = [line.strip() for line in handle if line.strip()]

for output in llm.generate(prompts, sampling):
    print(output.outputs[0].text)
