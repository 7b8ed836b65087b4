"""A research agent built on smolagents, with a local fallback model."""

import os

from smolagents import CodeAgent, DuckDuckGoSearchTool, HfApiModel, LiteLLMModel, TransformersModel

PRIMARY = os.getenv("AGENT_MODEL_ID", "Qwen/Qwen2.5-Coder-32B-Instruct")


def build_agent(local: bool = False) -> CodeAgent:
    if local:
        model = TransformersModel(model_id="HuggingFaceTB/SmolLM2-1.7B-Instruct", device_map="auto",
                                  max_new_tokens=2048)
    elif os.getenv("USE_CLAUDE"):
        model = LiteLLMModel(model_id="anthropic/claude-3-5-sonnet-latest", temperature=0.2)
    else:
        model = HfApiModel(model_id=PRIMARY, token=os.environ.get("HF_TOKEN"))
    return CodeAgent(tools=[DuckDuckGoSearchTool()], model=model, add_base_tools=True, max_steps=8)


if __name__ == "__main__":
    print(build_agent().run("How many parameters does Llama 3.1 405B have?"))
