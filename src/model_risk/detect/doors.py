"""Model names behind the doors to open weights besides the Hub: Ollama, ModelScope and hosting providers.

The Ollama, ModelScope and hosted detectors (and their documentation twin) share this module; none of
them imports another. It reads any text file the same way:

* what the file uses: an Ollama client or server (``ollama`` anywhere, ``:11434``), a hosting provider
  (its API host, environment variable, client class or package: knowledge/data/hosting.yaml), ModelScope
  (an import from ``modelscope``, a setting that switches a library to it such as ``VLLM_USE_MODELSCOPE``);
* the values that can name a model, with what stands before them on their line: a string literal (in
  any language, JSON-escaped quotes of a notebook included) after a key, keyword or variable whose name
  means a model (``model=``, ``"model":``, ``OLLAMA_MODEL=``), or passed to a door's own call
  (``ollama.pull("qwen2.5")``, ``snapshot_download("Qwen/...")`` imported from ModelScope); an unquoted
  value after such a key (YAML, ``.env``); a command line (``ollama pull|run|show|cp NAME``,
  ``modelscope download --model ID``); a Modelfile's ``FROM``; a ``modelscope.cn/models/ID`` link;
* and decides what each value is: a name with a routing prefix (``ollama/llama3``, ``together_ai/...``,
  ``bedrock/...``) or a shape only one provider uses (Bedrock's ``qwen.qwen3-32b-v1:0``, Fireworks'
  ``accounts/fireworks/models/...``, Cloudflare's ``@cf/...``, the Hugging Face router's ``ID:provider``)
  is that provider's; a name in a file that uses one provider is that provider's when it has the form of
  its ids; an Ollama name (a listed library model, or any ``name:tag`` in an Ollama position) is
  Ollama's. A vendor's own API model (``gpt-4o``, ``anthropic.claude-...``) stays an API reference, with
  the provider that serves it named.

A value a Hub loader takes (``from_pretrained`` of transformers) is never a door's unless it was imported
from ModelScope. What the other detectors report at the same place as a Hub id is replaced by the door's
reference (:func:`prefer_doors`).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from model_risk.contract.detector import Detector
from model_risk.contract.domain import Note, Reference
from model_risk.contract.source import SourceFile
from model_risk.detect import file_kinds, model_names, text_search
from model_risk.detect.references import reference_at
from model_risk.knowledge import api_models, catalog, doors, hosting, hub_ids, modelscope, ollama
from model_risk.knowledge.doors import MODELSCOPE, OLLAMA
from model_risk.knowledge.vendors import builtin_vendors


@dataclass(frozen=True, slots=True)
class DoorName:
    """A model named through a door, found at ``start`` of the text."""

    kind: str
    model: str
    start: int
    provider: str | None = None
    api_vendor: str | None = None
    loader: str | None = None
    revision: str | None = None


@dataclass(frozen=True, slots=True)
class Value:
    """A value that can name a model: its text, where it starts, and what stands before it."""

    text: str
    start: int
    key: str | None = None
    #: The call it is a positional argument of (``ollama.pull``), as written.
    call: str | None = None
    #: A door's own command or instruction took it (``ollama pull``, a Modelfile's ``FROM``).
    command: str | None = None


# -- what a file uses --------------------------------------------------------------------------------------

OLLAMA_MARKERS = ("ollama", "Ollama", "OLLAMA", ":11434")
MODELSCOPE_MARKERS = ("modelscope", "ModelScope", "MODELSCOPE", "Modelscope")
#: Settings that make a library download from ModelScope instead of the Hub, set to a true value.
_MODELSCOPE_SWITCH = re.compile(
    r"""\b(?:VLLM_USE_MODELSCOPE|SGLANG_USE_MODELSCOPE|LMDEPLOY_USE_MODELSCOPE|USE_MODELSCOPE_HUB|"""
    r"""MODELSCOPE_ENVIRONMENT|USE_MODELSCOPE)\b["']?\s{0,3}[:=,]\s{0,3}["']?(?:1|true|True|TRUE|yes|on)\b"""
    r"""|XINFERENCE_MODEL_SRC["']?\s{0,3}[:=,]\s{0,3}["']?modelscope""")
_MODELSCOPE_IMPORT = re.compile(r"^[ \t]{0,40}from[ \t]+modelscope(?:\.[\w.]{1,80})?[ \t]+import[ \t]+\(?([^\n#]{1,500})",
                                re.MULTILINE)
#: Calls that load data from ModelScope, not a model.
_MODELSCOPE_DATA = frozenset({"MsDataset", "dataset_snapshot_download"})


#: How far a provider's marker reaches: a client is made a few lines before the call that names a model
#: (or, in a configuration, just after it).
_REACH_BEFORE = 60
_REACH_AFTER = 15


@dataclass(frozen=True)
class Context:
    """What a file shows it uses, and where."""

    text: str
    ollama: bool
    #: (offset, provider name) of every provider marker, in order.
    providers: tuple[tuple[int, str], ...]
    #: (offset, names) of every import from ModelScope.
    modelscope_imports: tuple[tuple[int, frozenset[str]], ...]
    #: Offsets of the settings that switch libraries to ModelScope.
    modelscope_switches: tuple[int, ...]
    #: Models the file makes itself (``ollama create NAME``): not a vendor's.
    created: frozenset[str]
    #: Offsets of the fences of a document's code blocks; empty for code (one region).
    fences: tuple[int, ...] = ()
    #: Offsets of the line breaks, for counting lines between a marker and a value.
    breaks: tuple[int, ...] = ()

    def _line(self, offset: int) -> int:
        return bisect.bisect_left(self.breaks, offset)

    def region(self, offset: int) -> int:
        """Which part of a document ``offset`` is in (code blocks and the prose between them); 0 in code."""
        return bisect.bisect_right(self.fences, offset)

    def _reaches(self, marker: int, offset: int, before: int, after: int) -> bool:
        """Does a marker at ``marker`` speak for a value at ``offset``? In code, within a few lines; in a
        document, in the same code block or the prose just before it, as well."""
        if self.fences:
            region, at = self.region(offset), self.region(marker)
            if region != at and region != at + 1:
                return False
        distance = self._line(offset) - self._line(marker) if marker <= offset else self._line(marker) - self._line(offset)
        return distance <= (before if marker <= offset else after)

    def provider_near(self, offset: int) -> str | None:
        """The provider the file uses around ``offset``: the nearest marker before it within reach (after it
        when none is before)."""
        before = [(at, name) for at, name in self.providers if at <= offset and self._reaches(at, offset, _REACH_BEFORE, 0)]
        if before:
            return before[-1][1]
        after = [(at, name) for at, name in self.providers if at > offset and self._reaches(at, offset, 0, _REACH_AFTER)]
        return after[0][1] if after else None

    def modelscope_names(self, offset: int) -> frozenset[str]:
        """Names imported from ModelScope that code at ``offset`` can call (the whole file in code; the
        same block in a document)."""
        names: set[str] = set()
        for at, imported in self.modelscope_imports:
            if at <= offset and (not self.fences or self.region(at) == self.region(offset)):
                names |= imported
        return frozenset(names)

    def modelscope_switched(self, offset: int) -> bool:
        """A setting that switches libraries to ModelScope stands before ``offset``, within reach."""
        return any(at <= offset and self._reaches(at, offset, 40, 0) for at in self.modelscope_switches)


@cache
def _provider_marker() -> tuple[re.Pattern[str], dict[str, str]]:
    owner: dict[str, str] = {}
    for provider in hosting.providers():
        for marker in (*provider.hosts, *provider.env, *provider.markers, *(f"{c}(" for c in provider.clients)):
            owner.setdefault(marker, provider.name)
    return text_search.any_of(list(owner)), owner


catalog.on_change(_provider_marker.cache_clear)


def context_of(text: str, document: bool = False) -> Context:
    pattern, owner = _provider_marker()
    found: list[tuple[int, str]] = []
    for match in pattern.finditer(text):
        # The trie finds where a marker starts; the longest marker there is the one meant.
        name = next((owner[m] for m in sorted(owner, key=len, reverse=True) if text.startswith(m, match.start())),
                    None)
        if name is not None and _marker_stands_alone(text, match.start()):
            found.append((match.start(), name))
    # The ModelScope and Ollama patterns start with no literal to skip ahead by; every one of them needs
    # its word, so a file without the word (nearly every file) is not searched with them.
    lowered = _lowered(text)
    modelscope_word, ollama_word = "modelscope" in lowered, "ollama" in lowered
    imports: list[tuple[int, frozenset[str]]] = []
    if modelscope_word:
        for match in _MODELSCOPE_IMPORT.finditer(text):
            imported = set()
            for part in match.group(1).replace(")", "").split(","):
                words = part.split()
                if words:
                    imported.add(words[-1])  # `X as Y` imports Y
            imports.append((match.start(), frozenset(imported - _MODELSCOPE_DATA)))
        for match in re.finditer(r"^[ \t]{0,40}import[ \t]+modelscope\b", text, re.MULTILINE):
            imports.append((match.start(), frozenset({"modelscope"})))
    return Context(
        text=text,
        ollama=(ollama_word or ":11434" in text) and any(marker in text for marker in OLLAMA_MARKERS),
        providers=tuple(found),
        modelscope_imports=tuple(sorted(imports)),
        modelscope_switches=tuple(m.start() for m in _MODELSCOPE_SWITCH.finditer(text))
        if modelscope_word or "XINFERENCE_MODEL_SRC" in text else (),
        created=frozenset(m.group(1) for m in _OLLAMA_CREATE.finditer(text)) if ollama_word else frozenset(),
        fences=tuple(m.start() for m in _FENCE.finditer(text)) if document else (),
        breaks=tuple(m.start() for m in re.finditer("\n", text)) if found or imports else ())


def _marker_stands_alone(text: str, start: int) -> bool:
    """A client class marker must not be the tail of a longer name (``MyTogether(``)."""
    return start == 0 or not (text[start - 1].isalnum() or text[start - 1] == "_") or not text[start].isupper()


# -- the values a text holds ------------------------------------------------------------------------------

#: A quoted string on one line; a notebook's JSON escapes its quotes (``\\"``).
_LITERAL = re.compile(r"""\\?(["'`])([^"'`\\\n]{1,300})\\?\1""")
#: ``key: value`` / ``KEY=value`` with an unquoted value (YAML, TOML, .env, compose environment lists).
_BARE = re.compile(r"""(?:^|(?<=[\s,{(\[-]))([A-Za-z_][\w.\-]{0,80})[ \t]{0,20}(?::|=)[ \t]{0,20}"""
                   r"""([A-Za-z0-9@][^\s"'`#,;(){}\[\]<>|&]{1,250})""", re.MULTILINE)
_KEY_BEFORE = re.compile(r"""([A-Za-z_$][\w.\-$]{0,80})["'`]?\\?["']?[ \t]{0,5}(?::=|=>|:|=(?!=))[ \t]{0,5}(?:\{[ \t]{0,5})?$""")
_CALL_BEFORE = re.compile(r"([A-Za-z_$][\w.$]{0,120})[ \t]{0,5}\([ \t]{0,5}(?:\{[ \t]{0,5}|\[[ \t]{0,5})?$")
_OLLAMA_COMMAND = re.compile(
    r"""\bollama[ \t]{1,10}(pull|run|show|cp)[ \t]{1,10}((?:-{1,2}[\w\-]{1,30}(?:=\S{1,60})?[ \t]{1,10}){0,4})"""
    r"""([A-Za-z0-9][\w.\-/:@]{0,200}[\w])""")
#: ``["ollama", "pull", "qwen2.5"]``: the same command as a list of words (subprocess, exec-form JSON).
_OLLAMA_ARGV = re.compile(r"""\\?["']ollama\\?["'][ \t]{0,5},[ \t]{0,5}\\?["'](pull|run|show|cp)\\?["'][ \t]{0,5},"""
                          r"""[ \t]{0,5}\\?["']([A-Za-z0-9][\w.\-/:@]{0,200})\\?["']""")
_OLLAMA_CREATE = re.compile(r"\bollama[ \t]{1,10}create[ \t]{1,10}([A-Za-z0-9][\w.\-/:]{0,200})")
_FENCE = re.compile(r"^[ \t]{0,12}(?:```|~~~)", re.MULTILINE)
_MODELFILE_FROM = re.compile(r"^[ \t]{0,20}FROM[ \t]{1,20}([^\s]{1,300})", re.MULTILINE | re.IGNORECASE)
_MODELSCOPE_COMMAND = re.compile(
    r"""\bmodelscope[ \t]{1,10}download[ \t]{1,10}(?:(?:--model|--model_id|--model-id)[ \t=]{1,5})?"""
    r"""([A-Za-z0-9][\w.\-]{0,95}/[A-Za-z0-9][\w.\-]{0,95})""")
#: A model a serving or training program downloads: where a ModelScope switch sends it to ModelScope.
_DOWNLOAD_COMMAND = re.compile(r"""(?:\bvllm[ \t]{1,10}serve[ \t]{1,10}|--model(?:[-_]path|_name_or_path|[-_]id)?[ \t=]{1,5})"""
                               r"""["']?([A-Za-z0-9][\w.\-]{0,95}/[A-Za-z0-9][\w.\-]{0,95})""")
_MODELSCOPE_URL = re.compile(r"""(?:https?://)?(?:www\.)?modelscope\.cn/models/([A-Za-z0-9][\w.\-]{0,95})/"""
                             r"""([A-Za-z0-9][\w.\-]{0,95})""")


def values(text: str, keep: Callable[[str], bool] | None = None,
           spans: Iterable[tuple[int, int]] | None = None) -> Iterator[Value]:
    """The values in ``text`` that can name a model, each with the key or call before it on its line;
    with ``keep``, only those it keeps (it sees a quoted value's text before its key and call are looked
    for); with ``spans``, only those on the lines (start, end) of ``text`` they name."""
    for start, end in spans if spans is not None else ((0, len(text)),):
        yield from _values_within(text, start, end, keep)


def _values_within(text: str, first: int, last: int, keep: Callable[[str], bool] | None) -> Iterator[Value]:
    for match in _LITERAL.finditer(text, first, last):
        if keep is not None and not keep(match.group(2)):
            continue
        start = match.start(2)
        line_start = text.rfind("\n", 0, match.start()) + 1
        before = text[max(line_start, match.start() - 200):match.start()]
        # Both patterns end where the value starts: a key's ``:`` or ``=`` (``=>``), a call's ``(``, then
        # blanks and a ``{`` or ``[``. Searched from every position of the line before each literal of the
        # file, they were most of the door detectors' time; a look at the last character settles most.
        key = _KEY_BEFORE.search(before) if before.rstrip(" \t{")[-1:] in (":", "=", ">") else None
        # the call the value (or the keyword holding it) is passed to: `ollama.chat(model="x"`
        head = before if key is None else before[:key.start()]
        call = _CALL_BEFORE.search(head) if head.rstrip(" \t{[")[-1:] == "(" else None
        yield Value(match.group(2), start, key.group(1).strip("$") if key else None,
                    call.group(1) if call else None)
    for match in _BARE.finditer(text, first, last):
        value = match.group(2).rstrip(".:")
        if keep is None or keep(value):
            yield Value(value, match.start(2), match.group(1))


def commands(text: str) -> Iterator[Value]:
    """Door commands and their model: ``ollama pull|run|show|cp NAME``, ``modelscope download ID``.

    Each pattern is tried only where ``str.find`` says the word it needs is in the text: those that start
    with ``\\b`` or an alternation have no literal for ``re`` to skip ahead by, and were tried at every
    position of every file the door detectors read (a quarter of their time on huggingface/diffusers)."""
    ollama, modelscope = "ollama" in text, "modelscope" in text
    if ollama:
        for match in _OLLAMA_COMMAND.finditer(text):
            yield Value(match.group(3), match.start(3), command=f"ollama {match.group(1)}")
        for match in _OLLAMA_ARGV.finditer(text):
            yield Value(match.group(2), match.start(2), command=f"ollama {match.group(1)}")
    if modelscope:
        for match in _MODELSCOPE_COMMAND.finditer(text):
            yield Value(match.group(1), match.start(1), command="modelscope download")
    if "vllm" in text or "--model" in text:
        for match in _DOWNLOAD_COMMAND.finditer(text):
            yield Value(match.group(1), match.start(1), command="download")
    if modelscope:
        for match in _MODELSCOPE_URL.finditer(text):
            name = _trimmed(match.group(2))
            yield Value(f"{match.group(1)}/{name}", match.start(1), command="modelscope.cn")


def modelfile_bases(text: str) -> Iterator[Value]:
    """The ``FROM`` of a Modelfile: the model the new one is built from (a path to weights is none)."""
    for match in _MODELFILE_FROM.finditer(text):
        value = match.group(1).strip("\"'")
        if value.startswith((".", "/", "~")) or value.lower().endswith((".gguf", ".bin", ".safetensors")):
            continue
        yield Value(value, match.start(1) + (1 if match.group(1)[:1] in "\"'" else 0), command="FROM")


def _trimmed(name: str) -> str:
    return name.rstrip(".-")


# -- what a value is --------------------------------------------------------------------------------------

#: Calls of the Ollama clients whose first argument is a model (ollama-python, ollama-js, LangChain, LlamaIndex).
_OLLAMA_CALLS = frozenset({"chat", "generate", "pull", "embed", "embeddings", "show", "copy", "Ollama", "ChatOllama",
                           "OllamaLLM", "OllamaEmbeddings", "OllamaEmbedding", "OllamaFunctions"})
#: ``ollama.create(model="mine", from_="gemma3")``: the model it is made from (its ``model=`` is an output,
#: like ``push``'s).
_OLLAMA_FROM = ("create", "from_")
#: Hub loaders: a value they take is a Hub repo, not a door's (unless imported from ModelScope).
_HUB_CALLS = frozenset({"from_pretrained", "pipeline", "SentenceTransformer", "CrossEncoder", "hf_hub_download",
                        "snapshot_download", "AutoModel", "AutoTokenizer", "LLM", "InferenceClient",
                        "InferenceClientModel", "TransformersModel", "VLLMModel", "MLXModel", "HuggingFaceEmbeddings",
                        "HuggingFaceEmbedding", "HfApiModel", "load"})
#: Words on a line that download the model it names: where a setting that switches to ModelScope applies.
_DOWNLOADING = ("vllm", "sglang", "lmdeploy", "llamafactory", "xinference", "LLM(", "model_name_or_path",
                "--model", "model_path")
#: Calls whose first argument is a model name, with or without a routing prefix (LiteLLM, DSPy, LangChain,
#: smolagents).
_MODEL_CALLS = frozenset({"completion", "acompletion", "embedding", "aembedding", "LM", "init_chat_model",
                          "ChatLiteLLM", "LiteLLMModel", "LiteLLM", "text_completion"})
#: LangChain's ``init_chat_model("groq:llama-3.3-70b-versatile")``: a provider key before ``:``.
_PROVIDER_KEY = re.compile(r"([a-z][a-z_\-]{1,30}):(.+)")


def _means_model(key: str | None) -> bool:
    return key is not None and model_names.meaning([key]) is not model_names.Meaning.NONE


def _call_name(call: str | None) -> str:
    return (call or "").rsplit(".", 1)[-1]


def _api_vendor(name: str, prefix: str | None = None) -> str | None:
    return api_models.vendor_of(name, prefix)


def _publisher_vendor(publisher: str) -> str | None:
    return doors.publisher_vendor(publisher, builtin_vendors()) or _api_publisher(publisher)


def _api_publisher(publisher: str) -> str | None:
    """A vendor's own publisher name (``openai``, ``anthropic``): a name after it may be its API model."""
    lowered = publisher.lower()
    table = api_models.table()
    return next((vendor for vendor, names in table.prefixes.items() if lowered in names), None)


def _prefixed(value: Value) -> DoorName | None:
    """A name with a routing prefix that says which door: ``ollama/...``, ``ollama_chat/...``,
    ``together_ai/...``, ``groq:...`` (LangChain), and the Hugging Face router's ``ID:provider``."""
    text = value.text
    head, sep, rest = text.partition("/")
    if not sep:
        keyed = _PROVIDER_KEY.fullmatch(text)
        if keyed is None:
            return None
        head, rest = keyed.group(1), keyed.group(2)
    lowered = head.lower()
    offset = value.start + len(head) + 1
    if lowered in ("ollama", "ollama_chat"):
        name = ollama.parse(rest)
        return DoorName("ollama", rest, offset, OLLAMA) if name is not None else None
    provider = hosting.by_prefix(lowered)
    if provider is None:
        return _routed(value)
    inner = rest
    if provider.ids == "bedrock" and inner.startswith(("converse/", "invoke/")):
        inner = inner.split("/", 1)[1]
        offset += len(rest) - len(inner)
    return _hosted_name(provider, inner, offset)


def _routed(value: Value) -> DoorName | None:
    """``Qwen/Qwen2.5-72B-Instruct:together``: the Hugging Face router, asked for one provider."""
    name, sep, route = value.text.rpartition(":")
    if not sep or "/" not in name:
        return None
    router = next((p for p in hosting.providers() if route in p.routes), None)
    if router is None or router.model_id(value.text) is None:
        return None
    return DoorName("hosted", value.text, value.start, router.name)


def _hosted_name(provider: hosting.Provider, text: str, start: int) -> DoorName | None:
    """``text`` at ``provider``: a vendor's API model stays one (served by that provider), open weights are
    a hosted use; None when it is not an id of the provider's form."""
    if provider.model_id(text) is None:
        return None
    if text.lower() not in provider.models and provider.ids in ("publisher", "catalog", "vertex"):
        # an id not listed must start with a publisher model-risk knows (not `cerebras/llama-3.3-70b`)
        publisher = provider.publisher(text)
        if publisher is None or _publisher_vendor(publisher) is None:
            return None
    vendor = _api_vendor(text)
    if vendor is not None:
        return DoorName("api", text, start, provider.name, api_vendor=vendor)
    publisher, sep, name = text.partition("/")
    if sep and (vendor := _api_vendor(name, publisher)) is not None:
        # `openai/gpt-4o`: reported as the other detectors report it, the name after its publisher
        return DoorName("api", name, start + len(publisher) + 1, provider.name, api_vendor=vendor)
    if (vendor := _api_vendor(provider.model_name(text))) is not None:
        return DoorName("api", text, start, provider.name, api_vendor=vendor)  # mistral.mistral-large-2402-v1:0
    return DoorName("hosted", text, start, provider.name)


@cache
def _self_marked() -> tuple[hosting.Provider, ...]:
    """Providers whose ids have a shape no one else uses (Bedrock, Fireworks, Cloudflare, Vertex)."""
    return tuple(p for p in hosting.providers() if p.ids in ("bedrock", "fireworks", "cloudflare", "vertex"))


catalog.on_change(_self_marked.cache_clear)


def _shaped(value: Value) -> DoorName | None:
    for provider in _self_marked():
        if provider.ids == "vertex" and not value.text.startswith("publishers/"):
            continue  # `meta/llama-...-maas` is Vertex's only in a file that uses Vertex
        found = _hosted_name(provider, value.text, value.start)
        if found is not None:
            return found
    return None


def carries_its_door(text: str) -> bool:
    """Can ``text`` name a model through a door without a marker elsewhere in its file? Only with a routing
    prefix (``ollama/``, ``together_ai/``, ``groq:``), the router's ``ID:provider``, or the id shape of a
    provider no one else uses (Bedrock, Fireworks, Cloudflare, Vertex): a necessary test of what
    :func:`_prefixed` and :func:`_shaped` accept, cheap enough for every literal of a file."""
    heads, starts, listed = _door_words()
    lowered = text.lower()
    if lowered in listed or lowered.startswith(starts):
        return True
    if "/" in text:
        return lowered.partition("/")[0] in heads or ":" in text
    if ":" in text and (keyed := _PROVIDER_KEY.fullmatch(text)) is not None and keyed.group(1).lower() in heads:
        return True
    return "." in text and any(p.model_id(text) is not None for p in _self_marked() if p.ids == "bedrock")


@cache
def _door_words() -> tuple[frozenset[str], tuple[str, ...], frozenset[str]]:
    """Routing prefixes, the starts of self-marked ids, and the ids self-marked providers list."""
    heads = {"ollama", "ollama_chat", *(p.lower() for provider in hosting.providers() for p in provider.prefixes)}
    starts = ("@cf/", "@hf/", "accounts/", "publishers/")
    listed = {m.lower() for provider in _self_marked() for m in provider.models}
    return frozenset(heads), starts, frozenset(listed)


catalog.on_change(_door_words.cache_clear)


@cache
def _door_word() -> re.Pattern[str]:
    """Found in the lower-cased text of every line holding a name that :func:`carries_its_door` keeps:
    a routing prefix with its separator, a route after ``:``, a self-marked start or listed id, a
    Bedrock publisher and its dot."""
    heads, starts, listed = _door_words()
    words = [f"{head}{sep}" for head in heads for sep in "/:"]
    words += [f":{route.lower()}" for provider in hosting.providers() for route in provider.routes]
    words += [*starts, *listed]
    words += [f"{publisher.lower()}." for provider in _self_marked() if provider.ids == "bedrock"
              for publisher in provider.publishers]
    return text_search.any_of(sorted(set(words)))


catalog.on_change(_door_word.cache_clear)


def _lines_with(text: str, pattern: re.Pattern[str]) -> Iterator[tuple[int, int]]:
    """(start, end) of each line of ``text`` where ``pattern`` is found, once per line, in order."""
    end = -1
    for match in pattern.finditer(text):
        if match.start() <= end:
            continue
        start = text.rfind("\n", 0, match.start()) + 1
        end = text.find("\n", match.end())
        end = len(text) if end < 0 else end
        yield start, end


def _ollama_name(value: Value, strong: bool) -> DoorName | None:
    """An Ollama name: a library model the table lists (``qwen2.5``, ``llama3.1:8b``), or, in a position
    only Ollama takes (``strong``), any ``name[:tag]``."""
    text = value.text
    if hub_ids.is_repo_id(text) and ":" not in text and not strong:
        return None
    name = ollama.parse(text)
    if name is None:
        return None
    if not strong:
        if not ollama.is_library_model(name.model) or not name.library:
            return None
        if _api_vendor(text) is not None:
            return None
    return DoorName("ollama", text, value.start, OLLAMA, revision=name.digest)


def classify(value: Value, context: Context, kinds: frozenset[str]) -> DoorName | None:
    """What ``value`` names through a door, among ``kinds`` (``ollama``, ``hosted``, ``modelscope``; a
    vendor's API model found on a provider counts under ``hosted``), or None."""
    text = value.text
    if not text or len(text) > 250 or text.startswith(("http://", "https://", "./", "/", "~")):
        return None
    if value.command is not None:
        if value.command.startswith("ollama") or value.command == "FROM":
            return _ollama_name(value, strong=True) if "ollama" in kinds else None
        if value.command.startswith("modelscope") and "modelscope" in kinds:
            return DoorName("modelscope", text, value.start, MODELSCOPE, loader=value.command)
        if value.command == "download" and "modelscope" in kinds and context.modelscope_switched(value.start) \
                and hub_ids.is_repo_id(text):
            return DoorName("modelscope", text, value.start, MODELSCOPE)
        return None
    call = _call_name(value.call)
    ollama_call = value.call is not None and (
        call in _OLLAMA_CALLS and ("ollama" in value.call.lower() or call.startswith(("Ollama", "ChatOllama"))))
    # a model keyword of an Ollama call, or its first argument: only an Ollama name can stand there
    positional_ollama = (ollama_call and (value.key is None or _means_model(value.key))) or (
        call == _OLLAMA_FROM[0] and value.key == _OLLAMA_FROM[1] and "ollama" in (value.call or "").lower())
    if call == "create" and value.key != "from_" and "ollama" in (value.call or "").lower():
        return None  # the model ollama.create makes
    in_model_position = _means_model(value.key) or positional_ollama or (value.key is None and call in _MODEL_CALLS)
    if value.key is not None and model_names.blocks(value.key):
        return None
    found = _prefixed(value) if in_model_position and ("/" in text or ":" in text) else None
    if found is not None:
        return found if _wanted(found, kinds) else None
    modelscope_call = value.call is not None and (value.key is None or _means_model(value.key)) and (
        value.call.split(".", 1)[0] in context.modelscope_names(value.start))
    if "modelscope" in kinds and modelscope_call and call not in _MODELSCOPE_DATA and hub_ids.is_repo_id(text):
        return DoorName("modelscope", text, value.start, MODELSCOPE, loader=value.call)
    if not in_model_position:
        return None
    if "hosted" in kinds:
        shaped = _shaped(value)
        if shaped is not None:
            return shaped
        if context.providers and call not in _HUB_CALLS:
            provider = hosting.provider(context.provider_near(value.start) or "")
            if provider is not None and (found := _hosted_name(provider, text, value.start)) is not None:
                return found
    if "ollama" in kinds and context.ollama and call not in _HUB_CALLS:
        found = _ollama_name(value, strong=positional_ollama)
        if found is not None:
            return found
    if "modelscope" in kinds and hub_ids.is_repo_id(text) and _api_vendor(text) is None \
            and context.provider_near(value.start) is None \
            and (_modelscope_loads(context, value) or _switched(context, value)):
        return DoorName("modelscope", text, value.start, MODELSCOPE)
    return None


def _modelscope_loads(context: Context, value: Value) -> bool:
    """The code around ``value`` loads models with ModelScope's own loaders (``from modelscope import
    AutoModelForCausalLM``), or uses ModelScope and names a model of one of ModelScope's own
    organisations (``damo/...``, ``iic/...``: they are not on the Hub)."""
    names = context.modelscope_names(value.start)
    if any(name.startswith(("Auto", "snapshot_download")) for name in names):
        return True
    return bool(names) and modelscope.is_modelscope_organization(value.text.split("/", 1)[0])


def _switched(context: Context, value: Value) -> bool:
    """A setting before ``value`` makes the program on its line download from ModelScope."""
    if not context.modelscope_switched(value.start):
        return False
    line_start = context.text.rfind("\n", 0, value.start) + 1
    line_end = context.text.find("\n", value.start)
    line = context.text[line_start:line_end if line_end >= 0 else len(context.text)]
    return any(word in line for word in _DOWNLOADING)


def _wanted(found: DoorName, kinds: frozenset[str]) -> bool:
    return (found.kind if found.kind != "api" else "hosted") in kinds


def find(text: str, kinds: frozenset[str], *, modelfile: bool = False, document: bool = False
         ) -> Iterator[DoorName]:
    """Every model ``text`` names through the doors in ``kinds``, once per place (``document``: Markdown or
    reStructuredText, whose code blocks are read apart)."""
    context = context_of(text, document)
    seen: set[int] = set()
    sources: Iterable[Value] = commands(text)
    if modelfile:
        sources = [*modelfile_bases(text), *sources]
    # Where the file shows no provider, no Ollama and no ModelScope, a name can only say its door itself
    # (``classify``'s prefixed and self-marked paths): the other literals are not judged. On a Hugging
    # Face repository LiteLLM's ``huggingface/`` prefix brings most Python files here, with thousands
    # of literals each, and finding the key and call before each was most of a cold scan.
    alone = not (context.providers or context.ollama or context.modelscope_imports or context.modelscope_switches)
    quoted: Iterable[Value] = ()
    if not alone:
        quoted = values(text)
    else:  # only the lines holding a name that says its door, and most files have none
        lowered = _lowered(text)
        # (Lower-casing keeps every offset but for a few letters; then the whole text is read.)
        spans = _lines_with(lowered, _door_word()) if len(lowered) == len(text) else None
        quoted = values(text, carries_its_door, spans)
    for value in [*sources, *quoted]:
        if value.start in seen:
            continue
        found = classify(value, context, kinds)
        if found is not None and found.kind == "ollama" and found.model in context.created:
            continue  # `ollama create NAME` made it here: the Modelfile's FROM is the vendor's model
        if found is not None:
            seen.add(value.start)
            seen.add(found.start)
            yield found


def wants(text: str, kinds: Sequence[str]) -> bool:
    """A cheap test: can ``text`` name a model through one of ``kinds`` at all? Most files hold no marker
    of any door: one RE2 search of every marker (a DFA, linear, several times faster than ``re`` on an
    alternation of literals), shared by the door detectors reading the same text, says so. Otherwise one
    search of the markers of ``kinds`` (a trie: one pass, where a ``str.find`` per marker read the text
    sixty times); a Bedrock-like ``publisher.`` is checked where it was found."""
    if not _any_marker(text):
        return False
    lowered = _lowered(text)
    plain, dotted = _marker_patterns(tuple(sorted(kinds)))
    if plain is not None and plain.search(lowered) is not None:
        return True
    if dotted is not None:
        found = dotted.search(lowered)
        while found is not None:
            if _bedrock_like(lowered, found.start()):
                return True
            found = dotted.search(lowered, found.start() + 1)
    return False


@cache
def _marker_patterns(kinds: tuple[str, ...]) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """The markers of ``kinds`` as two searches: those found anywhere, and Bedrock's ``publisher.``."""
    words = _markers(kinds)
    plain = [w for w in words if not w.endswith(".")]
    dotted = [w for w in words if w.endswith(".")]
    return (text_search.any_of(plain) if plain else None), (text_search.any_of(dotted) if dotted else None)


catalog.on_change(_marker_patterns.cache_clear)


@cache
def _markers(kinds: tuple[str, ...]) -> tuple[str, ...]:
    words: list[str] = []
    if "ollama" in kinds:
        words += OLLAMA_MARKERS
    if "modelscope" in kinds:
        words += MODELSCOPE_MARKERS
    if "hosted" in kinds:
        for provider in hosting.providers():
            words += [*provider.hosts, *provider.env, *provider.markers, *(f"{c}(" for c in provider.clients)]
            words += [f"{p}{sep}" for p in provider.prefixes for sep in "/:"]
            words += [f"{p}." for p in provider.publishers]  # Bedrock: `qwen.qwen3-32b-v1:0`
        words += ["@cf/", "@hf/", "accounts/fireworks/", "publishers/"]
    lowered = {w.lower() for w in words}
    # a marker that holds another is found by the other's search
    return tuple(sorted(w for w in lowered if not any(o != w and o in w for o in lowered)))


catalog.on_change(_markers.cache_clear)

#: The last text :func:`_any_marker` read and its answer, and the last text lower-cased and its lower
#: case: the door detectors read the same text in turn (a detector's prefilter, then its detection), and
#: each asked both again of the whole file.
_seen: list[object] = [None, False]
_last_lowered: list[str | None] = [None, None]


def _any_marker(text: str) -> bool:
    if _seen[0] is text:
        return bool(_seen[1])
    found = _all_markers().search(text) is not None
    _seen[0], _seen[1] = text, found
    return found


def _lowered(text: str) -> str:
    if _last_lowered[0] is not text:
        _last_lowered[0], _last_lowered[1] = text, text.lower()
    return _last_lowered[1]  # type: ignore[return-value]


@cache
def _all_markers() -> Any:
    import re2  # type: ignore[import-untyped]  # google-re2, a dependency: imported when first needed

    words = _markers(("hosted", "modelscope", "ollama"))
    return re2.compile("(?i)(?:" + "|".join(re2.escape(w) for w in words) + ")")


catalog.on_change(_all_markers.cache_clear)
_BEDROCK_AT = re.compile(r"[a-z0-9]{2,20}\.[a-z0-9][a-z0-9.\-]{1,120}?(?:-v\d{1,2}(?::\d{1,3})?|:\d{1,3})")


def _bedrock_like(text: str, start: int) -> bool:
    """A Bedrock id starts at ``start`` (a publisher and a dot were found there): versioned, and not in
    the middle of a word or a host name."""
    if start and (text[start - 1].isalnum() or text[start - 1] in "_-/"):
        return False
    return _BEDROCK_AT.match(text, start) is not None


# -- one reference per place ------------------------------------------------------------------------------

#: The door detectors' names. They read a file for its doors only: a Hub link or an un-namespaced Hub
#: name in it is left to the other detectors, or to the candidate pass where no other reads the file.
DETECTORS = frozenset({"ollama", "hosted", "modelscope", "door-docs"})

_RANK = {"ollama": 3, "modelscope": 3, "hosted": 3, "api": 2, "internal": 1, "hub": 0}


def prefer_doors(references: list[Reference]) -> list[Reference]:
    """One reference per place: where a door detector and another detector report the same place (the
    Python detector reads ``model="Qwen/Qwen2.5-72B-Instruct-Turbo"`` as a Hub id; the hosted detector
    knows the file talks to Together), the door's reading wins, keeping what the other saw of the call
    (its loader, revision and the lines of the call)."""
    if not any(r.kind != "hub" for r in references):
        return references
    best: dict[tuple[int, int], Reference] = {}
    others: list[Reference] = []
    for ref in references:
        key = (ref.line, ref.column)
        held = best.get(key)
        if held is None:
            best[key] = ref
            continue
        winner, loser = (ref, held) if _RANK.get(ref.kind, 0) > _RANK.get(held.kind, 0) else (held, ref)
        if winner.model != loser.model and winner.kind == loser.kind:
            others.append(ref)  # two names at one place (rare): keep both
            continue
        if loser.kind == winner.kind or winner.door is None or loser.kind == "hub":
            best[key] = _merged(winner, loser)
        else:
            best[key] = winner
    return sorted([*best.values(), *others], key=lambda r: (r.line, r.column, r.model))


def _merged(winner: Reference, loser: Reference) -> Reference:
    import dataclasses

    return dataclasses.replace(
        winner, loader=winner.loader or loser.loader, provider=winner.provider or loser.provider,
        call_lines=tuple(dict.fromkeys(winner.call_lines + loser.call_lines)),
        trust_remote_code=winner.trust_remote_code or (loser.trust_remote_code and winner.kind == "modelscope"),
        revision=winner.revision or (loser.revision if winner.kind in ("hub", "modelscope") else None),
        confidence=loser.confidence if _RANK_CONFIDENCE[loser.confidence] > _RANK_CONFIDENCE[winner.confidence]
        else winner.confidence)


_RANK_CONFIDENCE = {"certain": 3, "likely": 2, "possible": 1}


# -- references ---------------------------------------------------------------------------------------------

class DoorDetector(Detector):
    """A detector of the doors in ``kinds`` in code and configuration (see :func:`references`); the
    built-in door detectors differ only in which doors they read and where."""

    kinds: frozenset[str] = frozenset()

    def accepts(self, filename: str) -> bool:
        return file_kinds.door_code(filename)

    def prefilter(self, text: str) -> bool:
        return wants(text, tuple(self.kinds))

    def detect(self, source: SourceFile) -> Iterable[Reference | Note]:
        yield from references(source, self.name, self.kinds)


def references(source: SourceFile, detector: str, kinds: frozenset[str], *, modelfile: bool = False
               ) -> Iterator[Reference]:
    """The references ``source`` holds through the doors in ``kinds``."""
    document = file_kinds.door_document(source.path)
    for name in find(source.text, kinds, modelfile=modelfile, document=document):
        yield reference_at(source, name.start, name.model, detector, kind=name.kind, provider=name.provider,
                           api_vendor=name.api_vendor, loader=name.loader, revision=name.revision)
