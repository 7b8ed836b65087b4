"""Semantic search over help-centre articles."""

from sentence_transformers import SentenceTransformer, util

# Small and fast; good enough for short support articles.
embedder = SentenceTransformer("all-MiniLM-L6-v2")


def top_articles(question: str, articles: list[str], k: int = 5) -> list[str]:
    query = embedder.encode(question, convert_to_tensor=True)
    corpus = embedder.encode(articles, convert_to_tensor=True)
    hits = util.semantic_search(query, corpus, top_k=k)[0]
    return [articles[hit["corpus_id"]] for hit in hits]
