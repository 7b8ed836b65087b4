"""Chat models behind the answer endpoint."""

from langchain_anthropic import ChatAnthropic
from langchain_huggingface import ChatHuggingFace, HuggingFaceEndpoint
from langchain_openai import ChatOpenAI

from app.settings import get_settings

settings = get_settings()


def primary():
    if settings.llm_provider == "openai":
        return ChatOpenAI(model=settings.llm_model, temperature=0.1, timeout=30)
    if settings.llm_provider == "anthropic":
        return ChatAnthropic(model="claude-3-5-sonnet-latest", temperature=0.1, max_tokens=1024)
    if settings.llm_provider == "local":
        # vLLM speaks the OpenAI protocol; the model name is the repo it serves.
        return ChatOpenAI(base_url=settings.local_llm_url, model=settings.local_llm_model, api_key="EMPTY")
    raise ValueError(f"unknown provider {settings.llm_provider!r}")


def fallback():
    return ChatAnthropic(model=settings.fallback_llm, temperature=0.1)


def hosted_open_model():
    endpoint = HuggingFaceEndpoint(
        repo_id="mistralai/Mistral-Nemo-Instruct-2407",
        task="text-generation",
        max_new_tokens=512,
        temperature=0.2,
    )
    return ChatHuggingFace(llm=endpoint)


def summariser():
    return ChatOpenAI(model_name="gpt-4o", temperature=0)


def structured_extractor():
    return ChatOpenAI(model="gpt-4.1-mini", temperature=0).with_structured_output(dict)
