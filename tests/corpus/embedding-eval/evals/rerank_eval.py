"""Compare rerankers on our labelled query/passage pairs."""

from sentence_transformers import CrossEncoder

RERANKERS = {
    "minilm": "cross-encoder/ms-marco-MiniLM-L-12-v2",
    "bge": "BAAI/bge-reranker-base",
    "mxbai": "mixedbread-ai/mxbai-rerank-base-v1",
}
QRELS_PATH = "data/qrels/2024-10.tsv"


def score(name: str, pairs):
    return CrossEncoder(RERANKERS[name], max_length=512).predict(pairs)


def jina():
    return CrossEncoder("jinaai/jina-reranker-v2-base-multilingual", trust_remote_code=True,
                        revision="2f894e63642a95228da19cdd583cd2309983c867")
