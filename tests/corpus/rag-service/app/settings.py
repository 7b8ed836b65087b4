"""Service settings, read from the environment (see .env.example)."""

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_prefix="RAG_")

    # Retrieval
    embedding_model: str = "BAAI/bge-m3"
    embedding_dim: int = 1024
    reranker_model: str = Field(default="BAAI/bge-reranker-v2-m3", description="cross-encoder for re-ranking")
    top_k: int = 20
    rerank_top_n: int = 5

    # Generation
    llm_provider: str = "openai"
    llm_model: str = "gpt-4o-mini"
    fallback_llm: str = "claude-3-5-haiku-20241022"
    local_llm_url: str = "http://vllm:8000/v1"
    local_llm_model: str = Field("meta-llama/Llama-3.1-8B-Instruct")

    # Storage
    vector_store_url: str = "http://qdrant:6333"
    collection: str = "help-center/v2"
    documents_dataset: str = "acme/help-center-articles"


@lru_cache
def get_settings() -> Settings:
    return Settings()
