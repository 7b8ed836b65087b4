"""HTTP API: POST /v1/answer."""

from fastapi import FastAPI
from pydantic import BaseModel

from app.embeddings import embedder, rerank
from app.llm import fallback, primary

app = FastAPI(title="rag-service", version="2.3.0")


class Question(BaseModel):
    text: str
    locale: str = "en/US"


@app.post("/v1/answer")
async def answer(question: Question) -> dict:
    vector = embedder.embed_query(question.text)
    passages = await search(vector)
    best = [p for p, _ in rerank(question.text, passages)[:5]]
    prompt = "\n\n".join(best) + "\n\nQuestion: " + question.text
    try:
        reply = await primary().ainvoke(prompt)
    except TimeoutError:
        reply = await fallback().ainvoke(prompt)
    return {"answer": reply.content, "sources": best, "content_type": "text/markdown"}


@app.get("/healthz")
async def health() -> dict:
    return {"status": "ok", "route": "/v1/answer"}


async def search(vector: list[float]) -> list[str]:
    raise NotImplementedError
