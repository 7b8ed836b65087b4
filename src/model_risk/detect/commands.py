"""Model references in command lines, wherever commands are written.

Shell scripts, Dockerfile ``RUN``/``CMD`` lines, ``command:``/``args:`` in compose and Kubernetes
manifests, ``!`` lines in notebooks, ``subprocess.run([...])`` in Python and shell blocks in Markdown all
come here, either as text (split into words the way a shell would, without running anything) or as a
list of words someone else has already split.

A model is named by a flag whose name means a model (``--model``, ``--model-id``,
``--model_name_or_path``, ``--tokenizer``, llama.cpp's ``-hf``), by an assignment (``MODEL_ID=org/x``,
``ENV BASE_MODEL=org/x``, Hydra's ``model.name=org/x``), by the positional argument of a command that
downloads or serves one (``vllm serve ID``, ``huggingface-cli download ID``, ``hf download ID``), or by a
JSON body sent to a server (``curl ... -d '{"model": "org/x"}'``).
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from model_risk.detect import model_names, text_search
from model_risk.detect.model_names import ModelName


@dataclass(frozen=True, slots=True)
class Word:
    """One shell word: its value with quotes removed, and where its raw text starts."""

    text: str
    offset: int
    raw: str

    def offset_of(self, value: str) -> int:
        """Where ``value`` (part of this word's text) is written in the source."""
        found = self.raw.find(value)
        return self.offset + (found if found >= 0 else 0)


@dataclass(frozen=True, slots=True)
class Found:
    """A model named in a command: ``offset`` is where the string holding it starts."""

    offset: int
    name: ModelName
    loader: str | None = None
    revision: str | None = None
    trust_remote_code: bool = False
    #: ``certain``, ``likely`` or ``possible`` (see :class:`model_risk.domain.Reference`).
    confidence: str = "certain"


# Every alternative starts with a different character, and quoted strings cannot run past the end of
# the line, so the tokenizer is linear even on hostile input.
_TOKEN = text_search.lazy(r"""
    (?P<continuation>\\\r?\n)
  | (?P<separator>\r?\n|&&|\|\||[;|&()`])
  | (?P<comment>\#[^\n]*)
  | (?P<word>(?:[^\s"'\\;&|()`]|\\[^\n]|"(?:[^"\\\n]|\\.){0,4096}"|'[^'\n]{0,4096}'){1,4096})
""", re.VERBOSE)
#: One piece of a shell word: "double quoted", 'single quoted', \x, plain text, or a stray quote.
_SEGMENT = text_search.lazy(r""""((?:[^"\\]|\\.)*)"|'([^']*)'|\\(.)|([^"'\\]+)|.""", re.DOTALL)
_ESCAPE = text_search.lazy(r"\\(.)", re.DOTALL)
_PARAMETER_DEFAULT = text_search.lazy(r"\$\{[A-Za-z_]\w{0,63}:?[-=]([^}]{1,250})\}")
_ASSIGNMENT = text_search.lazy(r"\+{0,2}([A-Za-z_][\w.\-]{0,63})=(.*)", re.DOTALL)
_JSON_PAIR = text_search.lazy(r'"([A-Za-z_][\w.\-]{0,63})"\s{0,20}:\s{0,20}"([^"\\\n]{1,250})"')

#: The quantisation llama.cpp and Ollama select after the repo id: ``org/name-GGUF:Q4_K_M``.
_QUANT_TAG = text_search.lazy(r":[\w.\-]{1,40}$")
#: Short flags that mean "the model is a Hub repo": llama.cpp's ``-hf``/``-hfr``.
_SHORT_FLAGS = {"hf": "hf_repo", "hfr": "hf_repo"}
#: Words that only prefix the real command.
_PREFIX_WORDS = frozenset({"sudo", "exec", "env", "nohup", "time", "run", "cmd", "entrypoint"})


def unquote(raw: str) -> str:
    """A shell word's value: quotes removed, backslash escapes resolved (``"a'b"`` -> ``a'b``)."""
    if '"' not in raw and "'" not in raw and "\\" not in raw:
        return raw  # most words: nothing to remove
    out = []
    for match in _SEGMENT.finditer(raw):
        double, single, escaped, plain = match.groups()
        if double is not None:
            out.append(_ESCAPE.sub(r"\1", double))
        else:
            out.append(single if single is not None else escaped if escaped is not None else plain or "")
    return "".join(out)


def expand_default(value: str) -> tuple[str, int]:
    """``${MODEL:-org/x}`` -> ("org/x", offset of it); anything else is returned as it is."""
    match = _PARAMETER_DEFAULT.fullmatch(value)
    if match is None:
        return value, 0
    return match.group(1), match.start(1)


def split_commands(text: str, base: int = 0) -> Iterator[list[Word]]:
    """The simple commands in ``text``, each a list of words (``base`` is added to every offset)."""
    words: list[Word] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "word":
            raw = match.group()
            words.append(Word(unquote(raw), base + match.start(), raw))
        elif kind == "separator" and words:
            yield words
            words = []
    if words:
        yield words


def _program(word: str) -> str:
    return word.rsplit("/", 1)[-1].lower()


def _flag_value(words: Sequence[Word], index: int) -> tuple[str, Word | None, str]:
    """For the flag at ``index``: (flag name, word holding the value, the value)."""
    word = words[index]
    body = word.text.lstrip("-")
    if "=" in body:
        name, value = body.split("=", 1)
        return name, word, value
    nxt = words[index + 1] if index + 1 < len(words) else None
    if nxt is None or nxt.text.startswith("-"):
        return body, None, ""
    return body, nxt, nxt.text


def _download_target(words: Sequence[Word], start: int) -> Word | None:
    """The repo id after ``download``: the first word that is neither a flag nor a flag's value."""
    i = start
    while i < len(words):
        text = words[i].text
        if not text.startswith("-"):
            return words[i]
        i += 1 if "=" in text else 2
    return None


def _repo_type(words: Sequence[Word]) -> str:
    for i, word in enumerate(words):
        if word.text.startswith("--repo-type"):
            name, _holder, value = _flag_value(words, i)
            return value.lower()
    return "model"


#: What shell variables were set to in a script: name -> (word holding the value, the value).
Variables = dict[str, list[tuple[Word, str]]]
_VARIABLE = text_search.lazy(r"\$(?:\{([A-Za-z_]\w{0,63})(?::?[-=][^}]{0,250})?\}|([A-Za-z_]\w{0,63}))")


def command_models(words: Sequence[Word], variables: Variables | None = None) -> Iterator[Found]:
    """The models one command names (its words already split and unquoted).

    ``variables`` lets ``vllm serve "$MODEL"`` be followed to where ``MODEL`` was set.
    """
    revision = None
    trust = False
    for i, word in enumerate(words):
        if word.text == "--revision":
            revision = words[i + 1].text if i + 1 < len(words) else None
        elif word.text.startswith("--revision="):
            revision = word.text.split("=", 1)[1]
        elif word.text.replace("_", "-").lower() in ("--trust-remote-code", "--trust-remote-code=true"):
            trust = True
        elif "trust_remote_code=true" in word.text.lower():  # --model_args pretrained=ID,trust_remote_code=True
            trust = True
    for found in _command_names(words, variables or {}):
        yield Found(found.offset, found.name, found.loader, revision, trust, found.confidence)


def _command_names(words: Sequence[Word], variables: Variables) -> Iterator[Found]:
    skip_next = False
    for i, word in enumerate(words):
        if skip_next:
            skip_next = False
            continue
        text = word.text
        if text.startswith("-") and len(text) > 1:
            name, holder, value = _flag_value(words, i)
            if holder is not None and holder is not word:
                skip_next = True
            if holder is None or (len(name) < 2 and name not in _SHORT_FLAGS):
                continue
            key = _SHORT_FLAGS.get(name, name) if word.text.count("-", 0, 2) == 1 else name
            holders = [holder]
            if holder is not word and model_names.is_plural_model_key(key):
                # --models org/a org/b: every word up to the next flag
                more = itertools.takewhile(lambda w: not w.text.startswith("-"), words[i + 2:])
                holders += list(more)
            for one in holders:
                for source, candidate in _values(one, one.text if one is not word else value, variables):
                    if key.replace("-", "_").startswith("hf_repo"):
                        candidate = _QUANT_TAG.sub("", candidate)  # llama.cpp: -hf org/name-GGUF:Q4_K_M
                    yield from _assigned(source, key.split("."), candidate)
            continue
        if i == 0 and text == "for" and len(words) > 3 and words[2].text == "in":
            # for repo in org/a org/b; do ...: the loop variable's name says what the words are
            for item in words[3:]:
                yield from _assigned(item, [words[1].text], item.text)
            return
        assignment = _ASSIGNMENT.fullmatch(text)
        if assignment is not None:
            yield from _assigned(word, assignment.group(1).split("."), assignment.group(2))
            continue
        program = _program(text)
        following = words[i + 1].text if i + 1 < len(words) else ""
        if program == "vllm" and following == "serve" and i + 2 < len(words):
            if not words[i + 2].text.startswith("-"):
                yield from _loaded(words[i + 2], "vllm serve", variables)
        elif program.endswith(("-serve", "-server")) and i == 0 and i + 1 < len(words):
            # trtllm-serve ID, sglang-style servers: the first positional argument, when it is a Hub id
            target = _download_target(words, i + 1)
            if target is not None:
                yield from _loaded(target, program, variables, legacy=False)
        elif program in ("huggingface-cli", "hf") and following == "download" and _repo_type(words) == "model":
            target = _download_target(words, i + 2)
            if target is not None:
                yield from _loaded(target, f"{program} download", variables, legacy=False)
        elif program in ("huggingface-cli", "hf") and following == "upload" and _repo_type(words) == "model":
            # where a run publishes its model: named, but whether it exists yet is for the Hub to say
            target = _download_target(words, i + 2)
            if target is not None:
                for found in _loaded(target, f"{program} upload", variables, legacy=False):
                    yield dataclasses.replace(found, confidence="possible")
        elif text.upper() in ("ENV", "ARG") and i == 0 and len(words) == 3 and "=" not in words[1].text:
            # the old Dockerfile form: ENV MODEL_ID org/name
            yield from _assigned(words[2], [words[1].text], words[2].text)
            return


def _values(word: Word, value: str, variables: Variables) -> list[tuple[Word, str]]:
    """What a value stands for: itself, or the values its variable was set to (and its default)."""
    default, shift = expand_default(value)
    match = _VARIABLE.fullmatch(value)
    if match is None:
        return [(word, default)]
    pairs = list(variables.get(match.group(1) or match.group(2), ()))
    if shift:  # ${MODEL:-org/x}
        pairs.append((word, default))
    return pairs


def _assigned(word: Word, path: Sequence[str], value: str) -> Iterator[Found]:
    value, _ = expand_default(value)
    for name in model_names.under_key(path, value):
        yield Found(word.offset_of(value), name)


def _loaded(word: Word, loader: str, variables: Variables, *, legacy: bool = True) -> Iterator[Found]:
    for source, value in _values(word, word.text, variables):
        name = model_names.loaded(value, legacy=legacy)
        if name is not None:
            yield Found(source.offset_of(value), name, loader)


def _variables(commands: Sequence[Sequence[Word]]) -> Variables:
    variables: Variables = {}
    for words in commands:
        if len(words) > 3 and words[0].text == "for" and words[2].text == "in":
            variables.setdefault(words[1].text, []).extend((item, item.text) for item in words[3:])
            continue
        for word in words:
            assignment = _ASSIGNMENT.fullmatch(word.text)
            if assignment is not None and not word.text.startswith("-"):
                value, _ = expand_default(assignment.group(2))
                variables.setdefault(assignment.group(1), []).append((word, value))
    return variables


#: What a command needs to name a model besides a key that means one: a program that serves one
#: (``vllm serve``, ``*-server``) or downloads one (``huggingface-cli``, ``hf``), and backslashes, which
#: can spell a key (``--mo\\del``) that the raw text does not hold.
_COMMAND_ANCHORS = ("serve", "huggingface", "hf", "\\")


def text_models(text: str, base: int = 0) -> Iterator[Found]:
    """The models named in shell text: commands, assignments and JSON request bodies."""
    # Every way below names a model through a key that means one (a flag, a variable, a loop
    # variable, ENV/ARG, a JSON key, an array) or through a serving or downloading program; text with
    # neither, which is most command lines in documentation, is not split into words at all.
    lowered = text.lower()
    if not model_names.could_hold_model_key(lowered) and not any(a in lowered for a in _COMMAND_ANCHORS):
        return
    commands = []
    for words in split_commands(text, base):
        while words and _program(words[0].text) in _PREFIX_WORDS:
            words = words[1:]
        commands.append(words)
    variables = _variables(commands)
    found_at: dict[int, Found] = {}
    for words in commands:
        for found in command_models(words, variables):
            _merge(found_at, found)
    for found in json_pair_models(text, base):
        _merge(found_at, found)
    if "=(" in text:
        for found in array_models(text, base):
            _merge(found_at, found)
    yield from found_at.values()


#: A shell array: ``MODELS=("org/a" "org/b")``, possibly over several lines.
_ARRAY = text_search.lazy(r"(?<![\w$])([A-Za-z_]\w{0,63})=\(([^()]{0,20000})\)")


def array_models(text: str, base: int = 0) -> Iterator[Found]:
    """The elements of shell arrays, judged by the array's name (``MODELS``, ``CHECKPOINTS``)."""
    for array in _ARRAY.finditer(text):
        for words in split_commands(array.group(2), base + array.start(2)):
            for word in words:
                yield from _assigned(word, [array.group(1)], word.text)


def _merge(found_at: dict[int, Found], found: Found) -> None:
    """One result per place: a value set once and used by several commands collects what each says
    (``MODEL=org/x`` then ``vllm serve "$MODEL" --trust-remote-code``)."""
    key = found.offset + found.name.start
    previous = found_at.get(key)
    if previous is None:
        found_at[key] = found
    else:
        found_at[key] = Found(previous.offset, previous.name, previous.loader or found.loader,
                              previous.revision or found.revision,
                              previous.trust_remote_code or found.trust_remote_code,
                              stronger(previous.confidence, found.confidence))


_RANK = {"certain": 3, "likely": 2, "possible": 1}


def stronger(one: str, other: str) -> str:
    """The surer of two confidences."""
    return one if _RANK.get(one, 0) >= _RANK.get(other, 0) else other


def json_pair_models(text: str, base: int = 0) -> Iterator[Found]:
    """``"model": "org/x"`` pairs in text that is JSON-like but not parsed as JSON."""
    if '"' not in text or ":" not in text:
        return
    for pair in _JSON_PAIR.finditer(text):
        for name in model_names.under_key((pair.group(1),), pair.group(2)):
            yield Found(base + pair.start(2), name)


_JSON_STRING = text_search.lazy(r'"((?:[^"\\\n]|\\.){0,4096})"')


def json_string_words(text: str, base: int = 0) -> list[Word]:
    """The strings of a JSON array written on one line (``CMD ["vllm", "serve", "org/x"]``) as words."""
    import json

    words = []
    for match in _JSON_STRING.finditer(text):
        try:
            value = json.loads(match.group())
        except ValueError:
            continue
        words.append(Word(value, base + match.start(), match.group()))
    return words
