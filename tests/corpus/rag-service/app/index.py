"""Offline indexing of help-center articles with LlamaIndex."""

from datasets import load_dataset
from llama_index.core import Document, Settings, VectorStoreIndex
from llama_index.embeddings.huggingface import HuggingFaceEmbedding
from llama_index.llms.huggingface import HuggingFaceLLM

from app.settings import get_settings

settings = get_settings()

Settings.embed_model = HuggingFaceEmbedding(model_name="BAAI/bge-small-en-v1.5")
Settings.llm = HuggingFaceLLM(
    model_name="HuggingFaceH4/zephyr-7b-beta",
    tokenizer_name="HuggingFaceH4/zephyr-7b-beta",
    context_window=3900,
    max_new_tokens=256,
    device_map="auto",
)


def build_index() -> VectorStoreIndex:
    articles = load_dataset(settings.documents_dataset, split="train")
    documents = [Document(text=row["body"], metadata={"url": row["url"]}) for row in articles]
    return VectorStoreIndex.from_documents(documents, show_progress=True)
