"""What a Hugging Face model id looks like, and how short names become repo ids.

The Hub's own rule (huggingface_hub ``utils/_validators.py::validate_repo_id``): at most one ``/``; each
part is 1-96 ASCII word characters, ``-`` or ``.``, starting and ending with a word character; no
``--`` or ``..``; not ending in ``.git``.
"""

from __future__ import annotations

import re

_PART = r"[A-Za-z0-9_](?:[A-Za-z0-9_.\-]{0,94}[A-Za-z0-9_])?"
REPO_ID = re.compile(rf"{_PART}/{_PART}")
LEGACY_ID = re.compile(_PART)

#: Endings that mark a file path rather than a repo name (``data/train.csv``, ``configs/base.yaml``).
_FILE_SUFFIXES = frozenset({
    "py", "ipynb", "json", "jsonl", "yaml", "yml", "toml", "txt", "md", "rst", "csv", "tsv", "parquet", "arrow",
    "pkl", "pickle", "pt", "pth", "bin", "ckpt", "safetensors", "gguf", "onnx", "h5", "zip", "tar", "gz", "tgz",
    "png", "jpg", "jpeg", "gif", "svg", "wav", "mp3", "mp4", "html", "htm", "js", "ts", "css", "sh", "cfg", "ini",
    "log", "lock", "xml", "pdf", "db", "sqlite",
})


def _file_suffix(text: str) -> bool:
    dot = text.rfind(".")
    return dot >= 0 and text[dot + 1:].lower() in _FILE_SUFFIXES

#: Checkpoints that lived at the root of the Hub before organisations existed ("Old models that don't
#: belong to any organization"). Loaders still accept them and the Hub redirects them to their
#: organisation (``gpt2`` -> ``openai-community/gpt2``).
#: Source: the ``basic_transformer_models`` list in sentence-transformers'
#: ``SentenceTransformer.__init__`` (UKPLab/sentence-transformers, sentence_transformers/SentenceTransformer.py).
LEGACY_MODEL_IDS = frozenset({
    "albert-base-v1", "albert-base-v2", "albert-large-v1", "albert-large-v2", "albert-xlarge-v1",
    "albert-xlarge-v2", "albert-xxlarge-v1", "albert-xxlarge-v2",
    "bert-base-cased", "bert-base-cased-finetuned-mrpc", "bert-base-chinese", "bert-base-german-cased",
    "bert-base-german-dbmdz-cased", "bert-base-german-dbmdz-uncased", "bert-base-multilingual-cased",
    "bert-base-multilingual-uncased", "bert-base-uncased", "bert-large-cased",
    "bert-large-cased-whole-word-masking", "bert-large-cased-whole-word-masking-finetuned-squad",
    "bert-large-uncased", "bert-large-uncased-whole-word-masking",
    "bert-large-uncased-whole-word-masking-finetuned-squad",
    "camembert-base", "ctrl", "distilbert-base-cased", "distilbert-base-cased-distilled-squad",
    "distilbert-base-german-cased", "distilbert-base-multilingual-cased", "distilbert-base-uncased",
    "distilbert-base-uncased-distilled-squad", "distilbert-base-uncased-finetuned-sst-2-english",
    "distilgpt2", "distilroberta-base", "gpt2", "gpt2-large", "gpt2-medium", "gpt2-xl",
    "openai-gpt", "roberta-base", "roberta-base-openai-detector", "roberta-large",
    "roberta-large-mnli", "roberta-large-openai-detector", "t5-11b", "t5-3b", "t5-base", "t5-large",
    "t5-small", "transfo-xl-wt103", "xlm-clm-ende-1024", "xlm-clm-enfr-1024", "xlm-mlm-100-1280",
    "xlm-mlm-17-1280", "xlm-mlm-en-2048", "xlm-mlm-ende-1024", "xlm-mlm-enfr-1024",
    "xlm-mlm-enro-1024", "xlm-mlm-tlm-xnli15-1024", "xlm-mlm-xnli15-1024", "xlm-roberta-base",
    "xlm-roberta-large", "xlm-roberta-large-finetuned-conll02-dutch",
    "xlm-roberta-large-finetuned-conll02-spanish", "xlm-roberta-large-finetuned-conll03-english",
    "xlm-roberta-large-finetuned-conll03-german", "xlnet-base-cased", "xlnet-large-cased",
})


#: First parts of ``x/y`` strings that are something else: MIME types (``text/plain``), git refs
#: (``origin/main``, ``refs/heads``) and the folders projects keep their own checkpoints in
#: (``outputs/run-3``, ``checkpoints/best``), which loaders read from disk, not from the Hub.
_NOT_A_NAMESPACE = frozenset({
    "application", "audio", "font", "image", "message", "multipart", "text", "video",
    "origin", "upstream", "refs", "heads", "tags", "remotes", "head", "api", "v1", "v2", "v3",
    "artifacts", "checkpoint", "checkpoints", "ckpt", "ckpts", "data", "exp", "experiments", "logs",
    "model", "models", "out", "output", "outputs", "results", "runs", "saved", "saved_models", "tmp",
    "weights", "src", "lib", "tests", "docs", "configs", "scripts", "assets", "static",
})
#: Namespaces of placeholders in docs and docstrings (``ORG/NAME``, ``your-org/your-model``).
_PLACEHOLDER_NAMESPACES = frozenset({
    "org", "organization", "your-org", "your-organization", "my-org", "myorg", "user", "username",
    "your-username", "your-user", "your-name", "yourname", "namespace", "owner", "someone", "example",
    "foo", "xxx",
})
#: Names a training run gives its own checkpoints (``checkpoint-500``, ``epoch_3``).
_RUN_CHECKPOINT = re.compile(r"(?:checkpoint|ckpt|epoch|step|iter)[-_]?\d{1,9}", re.IGNORECASE)
_HAS_LETTER = re.compile(r"[A-Za-z]")


def is_repo_id(text: str) -> bool:
    """A namespaced id (``Qwen/Qwen2.5-7B``) the Hub would accept, that does not look like something
    else: a file path, a MIME type, a git ref, a date (``2024/05``), a local checkpoint folder or a
    placeholder (``ORG/NAME``)."""
    if not REPO_ID.fullmatch(text) or "--" in text or ".." in text or text.endswith(".git"):
        return False
    if _file_suffix(text):
        return False
    namespace_part, name = text.split("/", 1)
    if namespace_part.lower() in _NOT_A_NAMESPACE or namespace_part.lower() in _PLACEHOLDER_NAMESPACES:
        return False
    if not _HAS_LETTER.search(namespace_part) or not _HAS_LETTER.search(name):
        return False
    return _RUN_CHECKPOINT.fullmatch(name) is None


def is_legacy_id(text: str) -> bool:
    return text in LEGACY_MODEL_IDS


def sentence_transformers_id(name: str) -> str:
    """sentence-transformers resolves a bare name that is not a legacy transformers checkpoint
    inside its own organisation (``all-MiniLM-L6-v2`` -> ``sentence-transformers/all-MiniLM-L6-v2``)."""
    if "/" in name or name.lower() in LEGACY_MODEL_IDS:
        return name
    return f"sentence-transformers/{name}"


#: Model cards and users sometimes give a model as a link rather than an id.
_HUB_LINK = re.compile(r"^https?://(?:www\.)?huggingface\.co/(?P<path>[^?#]+)", re.IGNORECASE)


def repo_id_from(value: object) -> str | None:
    """A Hub repo id from an id or a huggingface.co link; None for what cannot be one (a local path)."""
    text = str(value or "").strip()
    link = _HUB_LINK.match(text)
    if link:  # https://huggingface.co/Qwen/Qwen2.5-7B/tree/main -> Qwen/Qwen2.5-7B
        text = "/".join(link.group("path").strip("/").split("/")[:2])
    if is_repo_id(text) or LEGACY_ID.fullmatch(text):
        return text
    return None
