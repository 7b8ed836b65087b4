"""Score candidate embedding models on the MTEB retrieval tasks we care about."""

import argparse

import mteb
from sentence_transformers import SentenceTransformer

CANDIDATES = [
    "BAAI/bge-base-en-v1.5",
    "intfloat/e5-base-v2",
    "thenlper/gte-base",
    "nomic-ai/nomic-embed-text-v1.5",
    "mixedbread-ai/mxbai-embed-large-v1",
    "Alibaba-NLP/gte-modernbert-base",
]
TASKS = ["SciFact", "NFCorpus", "FiQA2018", "TRECCOVID"]


def load(name: str) -> SentenceTransformer:
    # nomic and gte-modernbert ship their own modelling code.
    return SentenceTransformer(name, trust_remote_code=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", nargs="*", default=CANDIDATES)
    parser.add_argument("--output-folder", default="results/mteb")
    args = parser.parse_args()
    tasks = mteb.get_tasks(tasks=TASKS, languages=["eng"])
    for name in args.models:
        model = mteb.get_model(name)
        mteb.MTEB(tasks=tasks).run(model, output_folder=f"{args.output_folder}/{name.replace('/', '__')}")

    # The previous default, kept as a reference point.
    baseline = SentenceTransformer("all-MiniLM-L6-v2")
    mteb.MTEB(tasks=tasks).run(baseline, output_folder=f"{args.output_folder}/baseline")

    # Older checkpoint that predates organisations on the Hub.
    legacy = SentenceTransformer("bert-base-uncased")
    mteb.MTEB(tasks=tasks).run(legacy, output_folder=f"{args.output_folder}/legacy")


if __name__ == "__main__":
    main()
