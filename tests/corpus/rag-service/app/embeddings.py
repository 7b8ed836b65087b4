"""Embedding and re-ranking."""

from langchain_huggingface import HuggingFaceEmbeddings
from sentence_transformers import CrossEncoder

from app.settings import get_settings

settings = get_settings()

embedder = HuggingFaceEmbeddings(
    model_name=settings.embedding_model,
    model_kwargs={"device": "cuda"},
    encode_kwargs={"normalize_embeddings": True},
)

# Small and fast: used on the hot path when the big reranker is overloaded.
LIGHT_RERANKER = "cross-encoder/ms-marco-MiniLM-L-6-v2"

_rerankers: dict[str, CrossEncoder] = {}


def reranker(light: bool = False) -> CrossEncoder:
    name = LIGHT_RERANKER if light else settings.reranker_model
    if name not in _rerankers:
        _rerankers[name] = CrossEncoder(name, max_length=512)
    return _rerankers[name]


def rerank(query: str, passages: list[str], light: bool = False) -> list[tuple[str, float]]:
    scores = reranker(light).predict([(query, p) for p in passages])
    return sorted(zip(passages, scores), key=lambda pair: pair[1], reverse=True)


def multilingual_embedder() -> HuggingFaceEmbeddings:
    # Short sentence-transformers name: resolved inside the sentence-transformers organisation.
    return HuggingFaceEmbeddings(model_name="paraphrase-multilingual-MiniLM-L12-v2")
