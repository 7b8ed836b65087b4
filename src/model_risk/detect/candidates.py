"""The candidate pass: every model id a text file names, whatever its language.

Language-aware detectors read what they can parse (a loading call, a YAML key, a command line) and
see what only they can see: the loader, ``revision=``, ``trust_remote_code``, names followed to
their constants. This pass reads every text file the walk keeps -- Python, YAML and Markdown, but also
Rust, Go, TypeScript, Helm templates, ``.env`` files, Terraform -- without knowing its language, so
that no file kind starts at zero. The runner merges what it finds with the detectors' references
(:func:`model_risk.detect.runner.detect_file`): one literal is one reference, the detector's wins.

Function boundary (a per-file cache and other id schemes build on it)::

    find_candidates(text, *, alone=True, known=()) -> list[IdCandidate]

``text`` is a whole decoded file; each :class:`IdCandidate` gives the character offset where the id is
written, the id, how sure the pass is and why, and what is written beside it (revision,
``trust_remote_code``). It reads nothing but ``text``.

What it finds, each anchored on something C finds (``str.find`` for Hub links, one regular expression
that starts with ``/`` for ``ORG/NAME`` words), so most of the text is never looked at in Python:

* Hub links and schemes (``huggingface.co/ORG/NAME``, ``hf.co/``, ``hf://``, ``hf-hub:``, ``hf:``,
  ``git@hf.co:``): ``certain``;
* every ``ORG/NAME`` word that the Hub would accept as a repo id, judged by its context:

  - the keys, flags and variables before it on its line, the keys of the lines that enclose it
    (found by indentation: a YAML list, a JSON array, a Rust table, a shell array) and a command line
    it continues (``\\``); a name that speaks of a model in any case style (``modelURL``,
    ``--served-model-name``, ``MODEL_NAME``, ``defaultBaseModel``) makes it ``certain`` (``likely`` for
    aliases: ``served``, ``alias``, ``display`` names are often not Hub ids); the positional id of a
    program that serves or downloads one (``vllm serve``, ``hf download``) too;
  - a name about something else (``dataset``, ``output_dir``, ``image``, ``hub_model_id``) drops it, and
    so do container images (``image:``, ``repository:`` beside ``tag:``, ``docker``, ``FROM``), cluster
    resources (``kubectl``, ``pod/NAME``), paths, globs and URLs of other sites;
  - otherwise a known publisher makes it ``likely``; a quoted string whose whole value is the id, or a
    name with a digit on a line about models, ``possible``;

* legacy and sentence-transformers short names (``gpt2``, ``all-MiniLM-L6-v2``) on lines about a
  model.

Hub links and short names are found by every language detector for itself; the pass looks for them
only in files none of them reads (``alone``).

``possible`` and ``likely`` candidates are checked against the Hub online (``app/verification.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator
from functools import cache
from typing import Literal, NamedTuple

from model_risk.detect import commands, free_text, hub_urls, model_names, text_search
from model_risk.knowledge import catalog, hub_ids, publishers

Confidence = Literal["certain", "likely", "possible"]


class IdCandidate(NamedTuple):
    """One id written in a file, as the candidate pass judges it. (A named tuple: the class costs a
    quarter of a frozen dataclass to make, and the pre-commit path imports this module every time.)"""

    #: Character offset of the id's first character in the text.
    start: int
    #: The id as written, ``:TAG`` and ``@REV`` left off.
    model: str
    confidence: Confidence
    #: Why: ``url``, ``scheme``, ``key``, ``command``, ``publisher``, ``quoted``, ``prose``, ``short-name``.
    context: str
    revision: str | None = None
    trust_remote_code: bool = False
    #: The id to resolve when it differs from ``model`` (sentence-transformers short names).
    lookup_id: str | None = None


# -- what the pass reads -------------------------------------------------------------------------------

#: Binary and generated files the pass never opens, by their name's ending (lower case): images,
#: archives, weights, fonts, compiled code, and dependency lock files (pinned package names, no models).
SKIPPED_SUFFIXES = (
    ".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".ico", ".icns", ".tif", ".tiff", ".psd", ".svg",
    ".pdf", ".zip", ".gz", ".tgz", ".bz2", ".xz", ".zst", ".7z", ".tar", ".rar", ".jar", ".war", ".whl",
    ".egg", ".so", ".dylib", ".dll", ".exe", ".o", ".a", ".lib", ".pyc", ".pyo", ".class", ".wasm",
    ".bin", ".pt", ".pth", ".ckpt", ".safetensors", ".gguf", ".onnx", ".h5", ".pb", ".tflite", ".npy",
    ".npz", ".pkl", ".pickle", ".parquet", ".arrow", ".feather", ".db", ".sqlite", ".sqlite3",
    ".woff", ".woff2", ".ttf", ".otf", ".eot", ".mp3", ".mp4", ".wav", ".flac", ".ogg", ".webm",
    ".mov", ".avi", ".mkv", ".mid", ".midi", ".min.js", ".min.css", ".map", ".lock", ".sum",
)
SKIPPED_NAMES = frozenset({"package-lock.json", "pnpm-lock.yaml", "yarn.lock", "npm-shrinkwrap.json",
                           "go.sum", "Cargo.lock", "poetry.lock", "uv.lock", "Pipfile.lock", "composer.lock",
                           "Gemfile.lock", "bun.lockb", "LICENSE", "LICENSE.txt", "LICENSE.md", "NOTICE",
                           ".gitignore", ".dockerignore", ".gitattributes", "CODEOWNERS", ".npmignore"})
#: Documentation files: left to the documentation detectors' switch (``docs: false``).
DOCUMENT_SUFFIXES = (".md", ".mdx", ".markdown", ".rst", ".txt", ".adoc", ".ipynb")


def reads(filename: str, *, docs: bool = True) -> bool:
    """Does the pass read a file of this name (no directory part)? No I/O."""
    if filename in SKIPPED_NAMES:
        return False
    lowered = filename.lower()
    if lowered.endswith(SKIPPED_SUFFIXES):
        return False
    return docs or not lowered.endswith(DOCUMENT_SUFFIXES)


# -- ORG/NAME words ----------------------------------------------------------------------------------

_ID_STRING = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-"
_ID_CHARS = frozenset(_ID_STRING)
_ID_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
#: A slash and the name after it, when no other ``/`` follows (of a path only the last part is looked
#: at): the pattern starts with a literal, so ``re`` skips ahead in C.
_SLASH_NAME = text_search.lazy(r"/([A-Za-z0-9_][A-Za-z0-9_.\-]{0,95})(?![/A-Za-z0-9_.\-])")
#: Characters before an ``org/name`` that make it part of something else (a path, a URL, an email,
#: a variable); after a ``:`` only schemes name a repo, and :func:`_schemed` reads those.
_NOT_BEFORE = frozenset("/@~$%+\\:")
_QUOTES = "\"'`"
#: Schemes that put a Hub repo id right after them: ``hf-hub:`` and ``hf_hub:`` (timm, open_clip),
#: ``hf:`` (OpenClaw), ``hf.co:`` (git over SSH); one pattern that starts with a literal.
_SCHEME = text_search.lazy(r"hf(?:[-_]hub|\.co)?:(?=[A-Za-z0-9_])", re.ASCII)
#: An id right after one of them; a path in the repo may follow (``hf:org/name/file.gguf``).
_SCHEMED_ID = text_search.lazy(r"([A-Za-z0-9_][\w.\-]{0,95}/[A-Za-z0-9_][\w.\-]{0,95})(?:@([\w.\-]{1,64}))?", re.ASCII)
_TAG = text_search.lazy(r"[:@]([\w.\-]{1,64})")
_URL_BEFORE = text_search.lazy(r"(?:[A-Za-z][\w+.\-]{0,20}://|www\.)\S{0,200}$")
#: First parts of ``kind/name`` words that are Kubernetes resources (``kubectl`` output and arguments)
#: or platforms, never Hub organisations in practice.
_NOT_ORGS = frozenset({
    "pod", "pods", "deployment", "deployments", "deploy", "svc", "service", "services", "statefulset",
    "daemonset", "replicaset", "job", "jobs", "cronjob", "node", "nodes", "namespace", "ns", "configmap",
    "configmaps", "secret", "secrets", "ingress", "pvc", "pv", "crd", "rs", "sts", "ds", "cm",
    "clusterrole", "clusterrolebinding", "role", "rolebinding", "serviceaccount", "sa", "endpoints",
    "linux", "darwin", "windows", "amd64", "arm64", "http", "https", "tcp", "udp", "default", "repo",
    # a project's folders
    "examples", "example", "samples", "notebooks", "tutorials", "benchmarks", "tools", "utils", "charts", "config", "build", "dist", "vendor", "third_party", "internal", "pkg", "cmd", "bin", "testdata",
    "test_data", "fixtures",
    # the folders of a model repository (diffusers pipelines, tokenizers)
    "unet", "vae", "text_encoder", "text_encoder_2", "text_encoder_3", "tokenizer", "tokenizer_2", "tokenizer_3",
    "scheduler", "transformer", "feature_extractor", "image_encoder", "safety_checker", "prior", "decoder",
})
#: Placeholders of tests and docs (``test-repo/test-model``, ``some-org/x``, ``fake/model``).
_PLACEHOLDER_ORG = text_search.lazy(
    r"(?:test|tests|some|fake|dummy|mock|example|sample|other)(?:[-_](?:org|orgs|repo|user|namespace|bucket|owner|team))?"
    r"|your[-_][\w\-]+|[\w\-]*namespace\d*|[\w\-]+-ns",
    re.IGNORECASE | re.ASCII)
#: Kubernetes API versions and similar (``v1``, ``v1beta1``, ``v2alpha3``).
_API_VERSION = text_search.lazy(r"v\d{1,3}(?:(?:alpha|beta)\d{0,3})?", re.IGNORECASE)
#: Domain names (``k8s.io``, ``nvidia.com``): an organisation with a top-level domain is a host.
_DOMAIN = text_search.lazy(r"\.(?:com|org|net|io|ai|dev|sh|co|cloud|app|edu|gov|us|uk|de|cn|jp|fr|in)$", re.I)
#: Model names have a digit or a separator (``Llama-3.1-8B``, ``phi-4``, ``all_MiniLM``).
_NAME_SHAPED = text_search.lazy(r"[\d\-_.]")
_HAS_DIGIT = text_search.lazy(r"\d")
#: A short upper-case word: GPUs and parallelism schemes paired in prose (``A40/A100``, ``H100/H200``,
#: ``DDP/FSDP1``, ``A10G/L4``) are two of these, which no unknown organisation's repo id is.
_ACRONYM = text_search.lazy(r"[A-Z][A-Z0-9]{0,5}", re.ASCII)
#: A model's size in its name (``chat-7b``, ``Qwen2.5-0.5B``, ``opt-125m``): a model, wherever it is written.
_SIZE = text_search.lazy(r"(?<![A-Za-z])\d{1,4}(?:\.\d{1,2})?[BbMm](?![A-Za-z])", re.ASCII)
#: A quoted name that may be a model's: with a digit or a hyphen (``ner-multi``), or an underscore
#: between mixed capitals (``BERTopic_Wikipedia``); not a word (``City``, ``SETA``), an identifier
#: (``accelerate_configs``) nor a gRPC method (``PredictionService/ChatCompletions``).
_NAME_LIKE = text_search.lazy(r"[\d\-]|_.*(?:[a-z][A-Z]|[A-Z]{2}[a-z])|(?:[a-z][A-Z]|[A-Z]{2}[a-z]).*_", re.ASCII)
#: File-like endings that no model name has (``launch.slurm``, ``notes.docx``); ``.en`` models stay.
_FILE_LIKE = text_search.lazy(r"\.[A-Za-z]{3,8}$|[a-z]_[a-z]+\.[a-z]+_", re.ASCII)
#: ``| space |``, ``(dataset)`` right after an id: a table or a sentence saying what kind of repo it is.
_OTHER_KIND_AFTER = text_search.lazy(r"""[`'"*\])]{0,3}[ \t]{0,20}[|(,][ \t]{0,10}`?(?:datasets?|spaces?)\b""", re.I | re.ASCII)
#: The rest of a line that says the id is a container image.
_IMAGE_AFTER = text_search.lazy(r"[^\n]{0,100}?(?:\b[Dd]ocker\b|\b[Cc]ontainer\b|\b[Ii]mage (?:repository|registry|tag)\b)",
                                re.ASCII)
#: What a line needs before an unquoted id without a digit for it to be more than prose: a key, a call,
#: a flag, or a serving or downloading command.
_MAY_BE_KEYED = text_search.lazy(r"[:=(]|--|(?<!\S)-[A-Za-z]|serve|download|upload", re.ASCII)
#: A quoted string that is itself a key (``"react/jsx-key": "off"``).
_KEY_AFTER = text_search.lazy(r"""[ \t]*[:=][ \t]*[^\s{\[]""")
#: A module path in an import (``import x from "date-fns/add_days"``, ``require('lib/sub-mod')``).
_IMPORT = text_search.lazy(r"""(?:\bimport\b[^"'`]{0,200}|\bfrom[ \t]+|\brequire[ \t]*\([ \t]*|\bimport[ \t]*\([ \t]*)["'`]$""",
                           re.ASCII)
_NOT_NAMES = frozenset({"float16", "bfloat16", "float32", "fp16", "bf16", "fp32", "fp8", "int8", "int4",
                        "8-bit", "4-bit", "16-bit", "32-bit"})


def _slashed(text: str) -> Iterator[tuple[int, int, str]]:
    """(start of the org, position of the slash, the name as matched) for every ``org/name`` word that is
    not part of a path, a URL or an address."""
    for match in _SLASH_NAME.finditer(text):
        slash = match.start()
        if not slash or text[slash - 1] not in _ID_CHARS:
            continue  # " / ", "//", "(/x": no organisation before the slash
        start = text_search.run_start(text, slash, _ID_STRING, 97)
        if slash - start > 96 or text[start] not in _ID_START:
            continue  # base64 and the like, or ".org"/"-x" (part of a longer word)
        if start and text[start - 1] in _NOT_BEFORE:
            continue  # a path, a URL, an email, a variable; schemes are read by _schemed
        yield start, slash, match.group(1)


# -- context ---------------------------------------------------------------------------------------

#: How much of a line the pass reads around an id. A longer line (a minified bundle, a one-line JSON
#: file) is read in segments of up to three windows, each starting at a multiple of the window, so that
#: judging each of its ids reads a bounded stretch instead of the whole line: linear, not quadratic.
LINE_WINDOW = 2000


class _Lines:
    """The lines of a text, each named by the offset where it starts, read only around the candidates
    (``str.rfind``/``str.find`` find them, never further than :data:`LINE_WINDOW` allows; the whole text
    is never split). A line longer than the window is read as segments that do not see each other."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._lines: dict[int, str] = {}
        self._indents: dict[int, int] = {}
        #: The enclosing keys of a line, once looked up (several ids on a line, or in one list).
        self.enclosing: dict[int, tuple[str, ...]] = {}

    def start_of(self, offset: int) -> int:
        """The start of the line holding ``offset``, or of its segment when the line is long."""
        floor = max(0, (offset // LINE_WINDOW - 1) * LINE_WINDOW)
        return self.text.rfind("\n", floor, offset) + 1 or floor

    def _end_of(self, start: int) -> int:
        end = self.text.find("\n", start, start + 3 * LINE_WINDOW)
        return end if end >= 0 else min(len(self.text), start + 3 * LINE_WINDOW)

    def __getitem__(self, start: int) -> str:
        line = self._lines.get(start)
        if line is None:
            line = self._lines[start] = self.text[start:self._end_of(start)].rstrip("\r")
        return line

    def above(self, start: int, count: int) -> Iterator[int]:
        """The starts of up to ``count`` lines above the line at ``start``, nearest first (none above a
        segment that does not start a line)."""
        for _ in range(count):
            if start == 0 or self.text[start - 1] != "\n":
                return
            start = self.start_of(start - 1)
            yield start

    def below(self, start: int, count: int) -> Iterator[int]:
        """The starts of up to ``count`` lines below the line at ``start``, nearest first (none below a
        line longer than the window allows)."""
        for _ in range(count):
            end = self.text.find("\n", start, start + 3 * LINE_WINDOW)
            if end < 0:
                return
            start = end + 1
            yield start

    def indent(self, start: int) -> int:
        known = self._indents.get(start)
        if known is None:
            line = self[start]
            known = self._indents[start] = len(line) - len(line.lstrip(" \t"))
        return known


class _Context(NamedTuple):
    #: "model", "alias" (a served name: a model only when a known publisher's), "upload" (where a run
    #: publishes: for the Hub to say), "block" or None (the context says nothing).
    verdict: str | None
    why: str = ""


_CONFIDENCE: dict[str, Confidence] = {"model": "certain", "alias": "likely", "upload": "possible"}


_NONE = _Context(None)
_BLOCK = _Context("block")

#: Keys, flags and variables before a value on a line: ``--flag``, ``-f``, ``key:``, ``key =``,
#: ``"key": ``, ``key := ``, ``key => ``, ``key=``, and the variable of ``getenv("KEY", ``.
_LINE_KEY = text_search.lazy(
    r"""(?<![\w\-])--?([A-Za-z][\w.\-]{0,63})(?=[\s="',\]\\]|$)"""
    r"""|([A-Za-z_$][\w.\-$]{0,63})["'`]?[ \t]{0,40}(?::=|=>|:(?![:/\w])|=(?!=))""",
    re.ASCII,
)
#: The default of an environment variable: ``os.getenv("MODEL_ID", "``, ``os.environ.setdefault("X", "``.
_ENV_DEFAULT = text_search.lazy(
    r"""(?:getenv|environ\.get|setdefault|env\.get|Getenv|Setenv|env::var)[ \t]*\([ \t]*["']([A-Za-z_]\w{0,63})["']"""
    r"""[ \t]*,[ \t]*["'`]?$""", re.ASCII)
#: What may stand between a key and its value: quotes and brackets, a type annotation (``: str = ``,
#: ``: &str = ``), a fallback (``?? "``, ``|| "``, ``or "``, ``:-``, a Helm template's ``| default "``).
_ADJACENT = text_search.lazy(
    r"""[\s"'`\[({<]*"""
    r"""|[ \t]*[\w\[\]&<>,.| ]{0,60}=[\s"'`\[({]*"""
    r"""|.{0,120}?(?:\?\?|\|\||\bor\b|:-|\bdefault\b|\bget\w*\([^)]{0,80},)[\s"'`\[({]*""",
    re.ASCII)
#: Items of a comma-separated value before this one (``--models a/x,b/y``, ``["a/x", "b/y"``).
_EARLIER_ITEMS = text_search.lazy(r"""(?:["'`]?[\w.\-/:@]{1,200}["'`]?[ \t]*,[ \t]*)+(?=["'`]?$)""", re.ASCII)
#: Punctuation a value may be wrapped in: quotes, brackets, list dashes, a YAML block-scalar sigil.
_WRAPPING = " \t-*[({,\"'`>|"
#: The positional argument of a program that serves or downloads a model: ``vllm serve ID``,
#: ``hf download ID``, ``huggingface-cli download --quiet ID``, ``trtllm-serve ID``.
_POSITIONAL = text_search.lazy(
    r"""(?:\bserve|[\w.\-]-serve[r]?|\bdownload|\bsnapshot-download)"""
    r"""(?:[ \t]+--?[\w\-]{1,40}(?:[= \t][^\s-][^\s]{0,80})?)*[ \t]+["']?$""",
    re.ASCII)
_UPLOAD = text_search.lazy(r"""\bupload[ \t]+(?:--?[\w\-]{1,40}(?:[= \t][^\s-][^\s]{0,80})?[ \t]+)*["']?$""", re.ASCII)
#: Where a line names a container image or a cluster object rather than a model.
_IMAGE_MARK = text_search.lazy(
    r"\bdocker[ :.]|\bpodman |kubectl|\boc get |\bhelm |\bimages?[:=.]|\bimage =|\bimage[\"']:|\.repository"
    r"|ghcr\.io|quay\.io|nvcr\.io")
#: Dockerfile instructions that name images and paths.
_FROM_LINE = text_search.lazy(r"^[ \t]*(?:FROM|COPY|ADD|WORKDIR|VOLUME)[ \t]", re.ASCII)
#: A word of one of those commands, somewhere (the cheap test before the pattern).
_PATH_WORD = text_search.lazy(r"\b(?:cd|ls|cp|mv|rm|mkdir|cat|source|pushd|rsync|scp|tar|chmod|chown)\b", re.ASCII)
#: Shell commands whose arguments are paths on disk.
_PATH_COMMAND = text_search.lazy(r"""(?:^|[\s;&|(`])(?:cd|ls|cp|mv|rm|mkdir|cat|source|pushd|rsync|scp|tar|chmod|chown)"""
                                 r"""(?:[ \t]+-{1,2}[\w\-]+)*[ \t]+["']?$""", re.ASCII)
#: Words right before an id that make it data (``load_dataset("org/x"``, ``datasets/org/x``).
_DATA_WORD = text_search.lazy(r"dataset|data_files|data_dir")
#: ``repo_type="dataset"``, ``--repo-type space`` written after an id.
_OTHER_REPO_TYPE = text_search.lazy(r"""repo[_-]type["']?[ \t]*[=: \t][ \t]*["']?(?:dataset|space)""", re.ASCII)
#: Keys beside an image's repository in charts and manifests.
_IMAGE_SIBLINGS = text_search.lazy(r"""^[ \t-]*["']?(?:tag|pullPolicy|imagePullPolicy|digest|registry)["']?[ \t]*:""",
                             re.ASCII)
_REPOSITORY_KEYS = frozenset({"repository", "repo", "registry", "image_repository", "imagerepository"})
#: A line that opens something under a name: ``key:``, ``"key": [``, ``NAME=(``, ``const X: &[&str] = &[``,
#: ``key: |``, ``MODELS=`[``.
_OPENING_KEY = text_search.lazy(
    r"""^[-\s]*(?:(?:export|const|let|var|static|pub|final|readonly|local|declare|val|my|our|mut)\s+)*"""
    r"""["'`]?([A-Za-z_$][\w.\-$]{0,63})["'`]?[ \t]*(?::[^=\n]{0,60}?=|:=|=>|:|=)[ \t]*"""
    r"""(?:[&@(\[{`'"|>\\]|\$\(|[\w.]{0,40}[(\[{]|[|>][-+]?)?[ \t]*[&(\[{`]*[ \t]*$""",
    re.ASCII)
#: Words that keep every value under an enclosing key from being a model.
_ENCLOSING_BLOCKS = frozenset({
    "dataset", "datasets", "data", "corpus", "image", "images", "container", "docker", "output", "outputs",
    "save", "saved", "push", "upload", "cache", "dir", "directory", "folder", "file", "files", "wandb",
    "mlflow", "github", "git", "space", "spaces", "collection", "url", "uri", "endpoint", "host", "served",
    "alias", "project", "log", "logging", "logger",
})
#: Lines at the level of an id passed on the way to the key above it, before giving up.
_MOST_SIBLINGS = 100
#: Words of lists that hold packages, paths and rules (Cargo features and workspace members,
#: dependencies, ESLint rules), never models.
_NOT_MODEL_LISTS = frozenset({"features", "feature", "members", "dependencies", "dependency", "deps",
                              "packages", "workspace", "include", "exclude", "paths", "sources", "requires",
                              "plugins", "extends", "rules", "overrides", "imports"})
#: A key model_names reads as "something other than a model", standing for such a list.
_NOT_MODELS = "data"
#: The opening of a block of imports (Go's ``import (``).
_IMPORT_BLOCK = text_search.lazy(r"[ \t]*import[ \t]*\([ \t]*$", re.ASCII)
#: A TOML table's header (``[features]``, ``[tool.app.models]``): the key of the lines below it.
_TABLE_HEADER = text_search.lazy(r"""^[ \t]*\[\[?[ \t]*([A-Za-z_][\w.\-]{0,100})[ \t]*\]\]?[ \t]*$""", re.ASCII)
#: ``- name: MODEL_ID`` above ``value: org/x`` (Kubernetes ``env:``).
_ENV_NAME = text_search.lazy(r"""[ \t]*-?[ \t]*["']?name["']?[ \t]*:[ \t]*["']?([A-Za-z_][\w.\-]{0,63})""", re.ASCII)
#: Words of calls that load or publish something else (``load_tool(``, ``Tool.from_space(``).
_NOT_MODEL_CALLS = frozenset({"tool", "tools", "agent", "agents", "space", "spaces", "dataset", "datasets",
                              "collection", "push", "upload"})
#: A tuple assignment up to the value: ``a, b = "x", "`` (group 1: the names; group 2: the values before).
_TUPLE_TARGET = text_search.lazy(r"""(?:^|[\s#(])([A-Za-z_]\w{0,63}(?:[ \t]*,[ \t]*[A-Za-z_]\w{0,63})+)[ \t]*=(?!=)[ \t]*"""
                           r"""([^=]{0,200})$""", re.ASCII)
#: A call's name right before its first argument: ``load_model("``, ``hub.push_to_hub('``.
_CALL_BEFORE = text_search.lazy(r"""([A-Za-z_][\w.]{0,80})[ \t]*\([ \t]*["'`]?$""", re.ASCII)
#: A Helm or Go template's value with a default: ``{{ .Values.model.name | default "`` (group 1: the key).
_TEMPLATE_DEFAULT = text_search.lazy(r"""\.([A-Za-z_]\w{0,63})[ \t]*\|[ \t]*default[ \t]+["'`]?$""", re.ASCII)
#: Keys that name something on disk.
_LOCAL_KEYS = frozenset({"local", "local_path", "local_dir", "localpath", "localdir"})
#: Keys that give a default of something named elsewhere.
_DEFAULT_KEYS = frozenset({"default", "default_value", "defaultvalue", "default_value_t"})
#: A field declaration: ``pub model_id: String,``, ``modelId?: string;``, ``model_id: str = ...``.
_FIELD = text_search.lazy(r"""[ \t]*(?:pub(?:\([\w:]+\))?[ \t]+|readonly[ \t]+|private[ \t]+|public[ \t]+)?"""
                          r"""([A-Za-z_]\w{0,63})\??[ \t]*:""", re.ASCII)
#: A line that is only a flag (an item of an args list written one per line).
_FLAG_ONLY = text_search.lazy(r"""^[ \t]*-?[ \t]*["']?--?([A-Za-z][\w.\-]{0,63})["']?,?[ \t]*$""", re.ASCII)
#: ``["--served-model-name", "org/x"`` on one line: the flag before, as an item of an array.
_ARRAY_FLAG = text_search.lazy(r"""["']--?([A-Za-z][\w.\-]{0,63})["'][ \t]*,[ \t]*["']?$""", re.ASCII)
#: File names before a colon are not keys (``tokenizer_config.json:  0%|...``).
_FILE_KEY = text_search.lazy(r"\.(?:json|ya?ml|py|txt|bin|safetensors|md|gguf|onnx|model)$", re.ASCII)
_MODELISH = ("model", "checkpoint", "from_pretrained", "lora", "adapter", "weights", "fine-tun", "finetun",
             "llm", "gguf", "serve", "inference", "student", "teacher", "tokenizer", "embed", "rerank",
             "pretrained")


def _keys_before(before: str) -> list[str]:
    """The keys on a line before a value, outermost first, when the last of them is the value's own
    (nothing but quotes, brackets, a type or a fallback between them); otherwise none."""
    matches = [m for m in _LINE_KEY.finditer(before)
               if not (m.group(2) and _FILE_KEY.search(m.group(2)))]
    if not matches or not _ADJACENT.fullmatch(before, matches[-1].end()):
        return []
    return [m.group(1) or m.group(2) for m in matches]


def _enclosing_keys(lines: _Lines, index: int) -> list[str]:
    """Keys of the lines that enclose the line at ``index`` (outermost first), found by indentation:
    the key of a YAML list or mapping, the name of a JSON array, a Rust table, a shell array."""
    known = lines.enclosing.get(index)
    if known is None:
        known = lines.enclosing[index] = _find_enclosing_keys(lines, index)
    return list(known)


def _find_enclosing_keys(lines: _Lines, index: int) -> tuple[str, ...]:
    indent = lines.indent(index)
    item = lines[index].lstrip(" \t").startswith("-")
    keys: list[str] = []
    siblings = 0
    for above in lines.above(index, 400):
        level = lines.indent(above)
        if level > indent:
            continue
        previous = lines[above]
        stripped = previous.strip()
        if not stripped or stripped.startswith(("#", "//", "*", "/*")):
            continue
        header = _TABLE_HEADER.match(previous) if stripped[0] == "[" else None
        if header is not None:  # a TOML table holds every line below it, whatever their indentation
            keys.append(_enclosing_key(header.group(1).rsplit(".", 1)[-1], lines, above))
            break
        if level < indent and stripped[0] == "i" and _IMPORT_BLOCK.match(previous):
            keys.append(_NOT_MODELS)  # Go's import ( ... ): package paths
            break
        if level == indent and not (item and stripped.endswith(":")):
            sibling = lines.enclosing.get(above)
            if sibling is not None and not keys and stripped.startswith("-") == item:
                return sibling  # a line beside this one, already looked up: the same enclosing keys
            siblings += 1
            if siblings > _MOST_SIBLINGS:
                break  # a long run of lines at one level (prose, a docstring) is no list under a key
            continue
        opening = _OPENING_KEY.match(previous)
        if opening is not None:
            key = _enclosing_key(opening.group(1), lines, above)
            keys.append(key)
            if not model_names.is_generic(key) or len(keys) >= 3:
                break
        elif level == indent:
            continue
        indent, item = level, stripped.startswith("-")
        if level == 0:
            break
    return tuple(keys[::-1])


def _enclosing_key(key: str, lines: _Lines, index: int) -> str:
    """What an enclosing key stands for when judging a value inside it."""
    if key.lower() == "value":  # a block scalar under ``- name: MODELS`` (Kubernetes env)
        key = _environment_name(lines, index) or key
    words = model_names.blocking_words(key)
    if set(model_names.key_words(key)) & _NOT_MODEL_LISTS:
        return _NOT_MODELS  # [features], members = [...], dependencies:
    if words and not words & _ENCLOSING_BLOCKS and not model_names.is_model_key(key):
        # A table's name speaks of all its columns (``SUPPORTED_ARCHITECTURES_TASKS = [(...)]``): only
        # what its values are made of (data, images, outputs) keeps them from being models.
        return "items"
    return key


def _environment_name(lines: _Lines, index: int) -> str | None:
    """For ``value: org/x`` under ``- name: MODEL_ID`` (Kubernetes ``env:``), the variable's name."""
    indent = lines.indent(index)
    for above in lines.above(index, 3):
        match = _ENV_NAME.match(lines[above])
        if match is not None and lines.indent(above) <= indent:
            return match.group(1)
        if lines.indent(above) < indent:
            return None
    return None


def _beside_image_keys(lines: _Lines, index: int) -> bool:
    """Is the mapping the line at ``index`` belongs to an image (``repository:`` beside ``tag:``)?"""
    line = lines[index]
    indent = _indent(line.replace("-", " ", 1) if line.lstrip().startswith("-") else line)
    for near in lines.below(index, 6):
        text = lines[near]
        if text.strip() and _indent(text) < indent:
            break
        if _IMAGE_SIBLINGS.match(text):
            return True
    for near in lines.above(index, 6):
        text = lines[near]
        if text.strip() and _indent(text) < indent:
            return text.strip().lower().lstrip("- ").startswith("image")
        if _IMAGE_SIBLINGS.match(text):
            return True
    return False


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _list_item_flag(lines: _Lines, index: int, before: str) -> str | None:
    """The flag an item of an argument list written one per line belongs to: ``- --model`` (or
    ``"--model",``) on the line above a value that is the item (``- org/x``, ``"org/x",``)."""
    if before.strip(_WRAPPING) and not before.lstrip().startswith("- "):
        return None
    previous = next(lines.above(index, 1), None)
    match = _FLAG_ONLY.match(lines[previous]) if previous is not None else None
    return match.group(1) if match is not None else None


def _default_owner(lines: _Lines, index: int) -> str | None:
    """Whose default a ``default=``/``default_value =`` is when nothing before it on its line says: the
    flag of an argument list written one item per line above (``"--eval-dataset",`` then
    ``default="org/x"``), or the field declared right below an attribute (Rust's
    ``#[clap(default_value = "org/x")]`` over ``model_id: String``)."""
    for above in lines.above(index, 3):
        match = _FLAG_ONLY.match(lines[above])
        if match is not None:
            return match.group(1)
    if lines[index].lstrip().startswith(("#[", "@")):
        for below in lines.below(index, 3):
            field = _FIELD.match(lines[below])
            if field is not None:
                return field.group(1)
            if not lines[below].lstrip().startswith(("#[", "@", "///", "//")):
                break
    return None


def _verdict(path: list[str], why: str = "key") -> _Context:
    if path and path[-1].lower() in _LOCAL_KEYS:
        return _BLOCK  # local: docs/page (a table of contents, a folder on disk)
    kind = model_names.path_verdict(path)
    if kind is None:
        return _NONE
    if kind == "block":
        return _BLOCK
    return _Context(kind, why)


def _context(lines: _Lines, start: int, end: int, before: str) -> _Context:
    """What the text around the id at ``start`` says it is."""
    text = lines.text
    lowered = before.lower()
    # The patterns anchored at the end of the text before the id are tried only where a plain search
    # finds what they need: trying them at every position of a long line costs more than all the rest.
    if _IMAGE_MARK.search(lowered) or _FROM_LINE.match(before) or (_PATH_WORD.search(lowered)
                                                                   and _PATH_COMMAND.search(before)):
        return _BLOCK
    if _DATA_WORD.search(lowered, max(0, len(lowered) - 60)):
        return _BLOCK
    if "repo" in (rest := _rest_of_command(text, end)) and _OTHER_REPO_TYPE.search(rest):
        return _BLOCK  # hf download org/x --repo-type dataset
    index = lines.start_of(start)
    # an earlier item of a list: its comma ends the text before the id, but for blanks and a quote
    listed = before.rstrip(" \t\"'`").endswith(",")
    if listed:
        if (flag := _ARRAY_FLAG.search(before)) is not None:
            return _verdict([flag.group(1)])
        if "(" in before and (variable := _ENV_DEFAULT.search(before)) is not None:
            return _verdict([variable.group(1)])
    trimmed = _EARLIER_ITEMS.sub("", before) if listed else before
    leading = not trimmed.strip(_WRAPPING)
    above = next(lines.above(index, 1), None) if leading else None
    if above is not None:
        previous = lines[above].rstrip()
        if previous.endswith("\\"):
            # the line continues a command: read them as one
            joined = (previous[:-1] + " " + trimmed)[-240:]
            if ("serve" in joined or "download" in joined) and _POSITIONAL.search(joined):
                return _Context("model", "command")
            keys = _keys_before(joined)
            return _verdict(keys[-1:]) if keys else _NONE
    if ("serve" in lowered or "download" in lowered) and _POSITIONAL.search(trimmed):
        return _Context("model", "command")
    if "upload" in lowered and _UPLOAD.search(trimmed):
        return _Context("upload", "upload")
    tuple_target = _TUPLE_TARGET.search(before) if "," in before else None
    if tuple_target is not None:
        # model_id, output_dir = "org/x", "runs/x": each value goes to the name in its place
        targets = [t.strip() for t in tuple_target.group(1).split(",")]
        position = tuple_target.group(2).count(",")
        return _verdict([targets[position]]) if position < len(targets) else _NONE
    keys = _keys_before(trimmed)
    if "{{" in trimmed and (template := _TEMPLATE_DEFAULT.search(trimmed)) is not None:
        keys.append(template.group(1))  # {{ .Values.model | default "org/x" }}
    if not keys and (item_flag := _list_item_flag(lines, index, trimmed)) is not None:
        return _verdict([item_flag])
    if not keys and "(" in trimmed and (call := _CALL_BEFORE.search(trimmed)) is not None:
        # the first argument of a call: the function's name speaks for it (``from_pretrained_fastai(``,
        # ``push_to_hub(``, ``load_dataset(``); a name that says nothing leaves it to the tiers below
        callee = call.group(1).rsplit(".", 1)[-1]
        if set(model_names.key_words(callee)) & (_NOT_MODEL_CALLS | _ENCLOSING_BLOCKS):
            return _BLOCK
        return _Context("model", "call") if model_names.is_model_key(callee) else _NONE
    if keys and keys[-1].lower() == "value":
        name = _environment_name(lines, index)
        if name is not None:
            keys[-1] = name
    if keys and keys[-1].lower() in _REPOSITORY_KEYS and _beside_image_keys(lines, index):
        return _BLOCK
    if leading or (keys and all(model_names.is_generic(k) for k in keys)):
        if keys and keys[-1].lower() in _DEFAULT_KEYS and (owner := _default_owner(lines, index)) is not None:
            keys = [owner]
        else:
            keys = _enclosing_keys(lines, index) + keys
    if not keys:
        return _NONE
    verdict = _verdict(keys)
    if verdict.verdict is None and not leading:
        # nothing on the line decides: the lists it is in may still hold no models ([features])
        enclosing = _enclosing_keys(lines, index)
        if enclosing and _verdict(enclosing + keys).verdict == "block":
            return _BLOCK
    if verdict.verdict == "model" and not any(model_names.is_model_key(k) for k in keys) \
            and _dataset_nearby(lines, index):
        return _BLOCK  # repo_id: org/x in a script about datasets
    return verdict


#: The word, not a part of a link (``huggingface.co/datasets/...``).
_DATASET_WORD = text_search.lazy(r"(?<![/\w])datasets?\b(?!/)", re.IGNORECASE)


def _rest_of_command(text: str, end: int) -> str:
    """The text after ``end`` up to the end of its line, and of the lines it continues onto with ``\\``
    (at most three, 600 characters)."""
    stop = end
    for _ in range(4):
        line_end = text.find("\n", stop, end + 600)
        if line_end < 0:
            return text[end:end + 600]
        if not text[stop:line_end].rstrip().endswith("\\"):
            return text[end:min(line_end, end + 600)]
        stop = line_end + 1
    return text[end:min(stop, end + 600)]


def _dataset_nearby(lines: _Lines, index: int) -> bool:
    """Does the line at ``index`` or the next talk about a dataset (a ``repo_id`` field's help text
    below it)? A table row speaks only for itself."""
    if lines[index].lstrip().startswith("|"):
        return _DATASET_WORD.search(lines[index]) is not None
    near = " ".join(lines[i] for i in (index, *lines.below(index, 1)))
    return "dataset" in near.lower() and _DATASET_WORD.search(near) is not None


# -- attributes ------------------------------------------------------------------------------------

_TRUST = text_search.lazy(r"trust[_-]remote[_-]code(?:[\"']?[ \t]*[:=][ \t]*[\"']?(\w+)|(?![\w\"'=:]))", re.I)
_REVISION = text_search.lazy(
    r"""(?<![\w])-{0,2}(?:model[_-])?revision["']?(?:[ \t]*[:=][ \t]*|[ \t]+)["']?([\w.\-/]{1,64})""", re.ASCII)


def _attributes(lines: _Lines, index: int, *, mapping: bool) -> tuple[str | None, bool]:
    """``revision`` and ``trust_remote_code`` written beside an id on the line at ``index``: on its
    line, on the lines of its command (``\\`` continuations), and, for a key (``mapping``), on the keys
    beside it."""
    indices = [index]
    previous = next(lines.above(index, 1), None)
    if mapping or lines[index].rstrip().endswith("\\") or (previous is not None and lines[previous].rstrip().endswith("\\")):
        indices += _neighbours(lines, index, lines.above, mapping=mapping)
        indices += _neighbours(lines, index, lines.below, mapping=mapping)
    joined = "\n".join(lines[i] for i in indices)
    if "trust" not in joined and "revision" not in joined:
        return None, False
    trust = any((match.group(1) or "true").lower() in ("true", "1", "yes", "on") for match in _TRUST.finditer(joined))
    revision = None
    revision_match = _REVISION.search(joined)
    if revision_match is not None and revision_match.group(1).lower() not in ("none", "null", "main"):
        revision = revision_match.group(1)
    return revision, trust


def _neighbours(lines: _Lines, index: int, going: Callable[[int, int], Iterator[int]], *, mapping: bool) -> list[int]:
    """Up to 12 lines next to the line at ``index`` (``going`` above or below) that belong with it, up
    to a blank line: the keys of its mapping (no shallower indentation), or the lines of its command
    (joined by ``\\``)."""
    indent = lines.indent(index)
    found = []
    nearest = index
    for near in going(index, 12):
        if not lines[near].strip():
            break
        if mapping and lines.indent(near) < indent:
            break
        if not mapping and not lines[min(near, nearest)].rstrip().endswith("\\"):
            break  # of two neighbouring lines, the upper one must continue onto the lower
        found.append(near)
        nearest = near
    return found


# -- the pass --------------------------------------------------------------------------------------

def warm() -> None:
    """Load what every file's pass needs (the publisher and API name tables) and compile the patterns:
    before a process pool forks, so that its workers share them."""
    text_search.compile_all()
    publishers.is_publisher("")
    model_names.named("acme/x")


def find_candidates(text: str, *, alone: bool = True, known: Collection[int] = ()) -> list[IdCandidate]:
    """Every id ``text`` names that the Hub could serve, with how sure the context makes it.

    ``alone``: no language detector read the text, so the pass also finds what they all find for
    themselves: Hub links and short names (``gpt2``) on lines about a model. ``known``: offsets where
    a detector has already reported an id; the pass does not judge those again (the detector's
    reference stands)."""
    found: dict[tuple[int, str], IdCandidate] = {}

    def keep(candidate: IdCandidate) -> None:
        key = (candidate.start, candidate.model.lower())
        previous = found.get(key)
        if previous is None or commands.stronger(previous.confidence, candidate.confidence) != previous.confidence:
            found[key] = candidate

    if alone and hub_urls.has_marker(text):
        for link in hub_urls.find_models(text):
            if "/" in link.name.model and _PLACEHOLDER_ORG.fullmatch(link.name.model.split("/", 1)[0]):
                continue
            keep(IdCandidate(link.offset + link.name.start, link.name.model, "certain", "url",
                             revision=link.revision))
    if "/" in text:
        for candidate in _judged(text, known):
            keep(candidate)
        for candidate in _schemed(text):
            keep(candidate)
    if alone:
        for hit in free_text.short_names(text):
            keep(IdCandidate(hit.offset + hit.name.start, hit.name.model, hit.confidence,  # type: ignore[arg-type]
                             "short-name", lookup_id=hit.name.lookup_id))
    return sorted(found.values(), key=lambda c: c.start)


def without_own_settings(text: str) -> str:
    """``text`` (a ``pyproject.toml``) with its ``[tool.model-risk...]`` tables blanked, offsets kept:
    model-risk's own settings are policy, not dependencies."""
    lines = text.split("\n")
    inside = False
    for index, line in enumerate(lines):
        stripped = line.lstrip()
        if stripped.startswith("["):
            inside = stripped.startswith(("[tool.model-risk", "[[tool.model-risk"))
        if inside:
            lines[index] = " " * len(line)
    return "\n".join(lines)


def _judged(text: str, known: Collection[int]) -> Iterator[IdCandidate]:
    lines = _Lines(text)
    for start, slash, raw_name in _slashed(text):
        if start in known:
            continue
        org = text[start:slash]
        name = raw_name.rstrip(".-")
        end = slash + 1 + len(name)
        following = text[end:end + 2]
        if following[:1] in ("/", "*") or (following[:1] == "#" and following[1:2].isdigit()) \
                or (following[:1] == "." and following[1:2] in "{$%<"):
            continue  # a path, a glob, an issue (org/repo#123), a file name with a placeholder (x.{variant})
        model = f"{org}/{name}"
        if not _could_be_id(org, name, model):
            continue
        if "](" in text[end:end + 3] or following == " <":  # Markdown [text](target), reST `text <target>`_
            open_at = text.find("(" if "](" in text[end:end + 3] else "<", end)
            target = text[open_at + 1:text.find(")" if text[open_at] == "(" else ">", open_at, open_at + 400)]
            if not _links_to_hub_models(target) or f"/{model}".lower() in target.lower():
                continue  # a link to another site, or the text of a link to the same model (the link counts)
        line_start = text.rfind("\n", max(0, start - 200), start) + 1
        before = text[max(line_start, start - 200):start]
        if "\\" in before:  # a string inside JSON (a notebook's source): read its quotes as written
            before = before.replace('\\"', '"').replace("\\'", "'")
        tag = following[:1] in (":", "@") and following[1:2].isalnum()
        quoted = _quoted(text, start, end)
        if not (quoted or _HAS_DIGIT.search(name) or publishers.is_publisher(org)) \
                and before.strip(_WRAPPING) and not _MAY_BE_KEYED.search(before):
            continue  # prose (CI/CD, Science/Research) that no key, flag or command before it makes a model
        if ("://" in before or "www." in before) and _URL_BEFORE.search(before):
            continue
        context = _context(lines, start, end, before)
        if context.verdict == "block":
            continue
        if context.verdict == "alias" and not publishers.is_publisher(org):
            continue  # a served name of one's own (``--served-model-name acme/assistant``)
        if context.verdict in ("model", "alias", "upload"):
            confidence: Confidence = _CONFIDENCE[context.verdict]
            revision, trust = _attributes(lines, lines.start_of(start), mapping=context.why == "key")
            if following[:1] == "@" and tag:
                revision = revision or _tag_revision(text, end)
            yield IdCandidate(start, model, confidence, context.why, revision=revision, trust_remote_code=trust)
            continue
        if tag or (("import" in before or "from" in before or "require" in before) and _IMPORT.search(before)):
            continue  # org/name:tag outside a model context: a container image; a module path
        if _OTHER_KIND_AFTER.match(text, end, end + 60):
            continue  # | `org/x` | space |, org/x (dataset)
        if publishers.is_publisher(org) and (quoted or _NAME_SHAPED.search(name)):
            revision, trust = _attributes(lines, lines.start_of(start), mapping=False)
            yield IdCandidate(start, model, "likely", "publisher", revision=revision, trust_remote_code=trust)
            continue
        if _random(model) or _FILE_LIKE.search(name) or _dataset_nearby(lines, lines.start_of(start)):
            continue
        if _IMAGE_AFTER.match(text, end, end + 100):
            continue  # | `"org/x"` | Docker image repository |
        if quoted and _NAME_LIKE.search(name) and not _KEY_AFTER.match(text, end + 1):
            yield IdCandidate(start, model, "possible", "quoted")
        elif _HAS_DIGIT.search(name) and not (_ACRONYM.fullmatch(org) and _ACRONYM.fullmatch(name)) \
                and (_SIZE.search(name) or _modelish(lines[lines.start_of(start)])):
            yield IdCandidate(start, model, "possible", "prose")


def _quoted(text: str, start: int, end: int) -> bool:
    """Is the id the whole of a quoted string (``"org/x"``, ``\\"org/x\\"`` inside JSON, `` `org/x` ``)?"""
    if not start or text[start - 1] not in _QUOTES:
        return False
    quote = text[start - 1]
    return text[end:end + 1] == quote or (text[end:end + 2] == "\\" + quote and text[start - 2:start - 1] == "\\")


def _schemed(text: str) -> Iterator[IdCandidate]:
    """``hf:org/x``, ``hf-hub:org/x``, ``git@hf.co:org/x`` (but not ``xhf:org/x``): certain."""
    for scheme in _SCHEME.finditer(text):
        at = scheme.start()
        if at and text[at - 1] in _ID_CHARS and not scheme.group().endswith(".co:"):
            continue
        match = _SCHEMED_ID.match(text, scheme.end())
        if match is None:
            continue
        org, name = match.group(1).split("/")
        model = f"{org}/{name.rstrip('.-')}"
        if hub_ids.is_repo_id(model) and not _PLACEHOLDER_ORG.fullmatch(org):
            yield IdCandidate(scheme.end(), model, "certain", "scheme", revision=match.group(2))


def _tag_revision(text: str, end: int) -> str | None:
    if text[end:end + 1] != "@":
        return None
    match = _TAG.match(text, end)
    return match.group(1) if match else None


#: Generated tokens (cookies, keys, hashes): case flips and letters around digits inside one word,
#: which model names do not have (``ASXvCPNJSw7yTFgd6`` but not ``TinyLlama-1.1B-Chat``).
_CASE_FLIP = text_search.lazy(r"[a-z][A-Z]|[A-Za-z]\d[A-Za-z]|[0-9a-f]{12}", re.ASCII)


def _random(model: str) -> bool:
    return len(_CASE_FLIP.findall(model)) >= 3


def _could_be_id(org: str, name: str, model: str) -> bool:
    """Can ``model`` be a Hub model repo at all (memoised: a repository repeats its ids)?"""
    memo = _id_memo()
    known = memo.get(model)
    if known is None:
        if len(memo) > 100_000:
            memo.clear()
        known = memo[model] = _judge_id(org, name, model)
    return known


@cache
def _id_memo() -> dict[str, bool]:
    return {}


# What an id is judged to be depends on the API model and publisher tables, which a knowledge overlay
# may extend.
catalog.on_change(_id_memo.cache_clear)


def _judge_id(org: str, name: str, model: str) -> bool:
    lowered_org = org.lower()
    if lowered_org.split(".", 1)[0] in _NOT_ORGS or name.lower() in _NOT_NAMES or lowered_org in _NOT_NAMES:
        return False  # pod/x, deployment.apps/x, float16/bfloat16
    if not org[0].isalpha() or _API_VERSION.fullmatch(name) or _DOMAIN.search(org) or org.count(".") > 1:
        return False  # apps/v1, nvidia.com/gpu, karpenter.k8s.aws/x
    if _PLACEHOLDER_ORG.fullmatch(org):
        return False
    if publishers.is_publisher(name) and not _NAME_SHAPED.search(name):
        return False  # OpenAI/Anthropic, Microsoft/Google: prose about vendors
    if not hub_ids.is_repo_id(model):
        return False
    named = model_names.named(model)
    # API names behind a provider prefix (openai/gpt-4o) are API references, not Hub repos
    return named is not None and named.kind == "hub" and named.model == model


def _links_to_hub_models(target: str) -> bool:
    return ("huggingface.co/" in target or "hf.co/" in target) \
        and not any(part in target for part in ("/datasets/", "/spaces/"))


def _modelish(line: str) -> bool:
    lowered = line.lower()
    return any(word in lowered for word in _MODELISH)
