"""Long-term memory: chunks embedded with a small multilingual model."""

import chromadb
from chromadb.utils import embedding_functions

client = chromadb.PersistentClient(path="state/memory")
embedder = embedding_functions.SentenceTransformerEmbeddingFunction(
    model_name="intfloat/multilingual-e5-small", device="cpu", normalize_embeddings=True)
memory = client.get_or_create_collection("agent-memory", embedding_function=embedder)

openai_embedder = embedding_functions.OpenAIEmbeddingFunction(model_name="text-embedding-3-small")
