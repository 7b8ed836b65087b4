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

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from model_risk.detectors import model_names
from model_risk.detectors.model_names import ModelName


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


# Every alternative starts with a different character, and quoted strings cannot run past the end of
# the line, so the tokenizer is linear even on hostile input.
_TOKEN = re.compile(r"""
    (?P<continuation>\\\r?\n)
  | (?P<separator>\r?\n|&&|\|\||[;|&()`])
  | (?P<comment>\#[^\n]*)
  | (?P<word>(?:[^\s"'\\;&|()`]|\\[^\n]|"(?:[^"\\\n]|\\.){0,4096}"|'[^'\n]{0,4096}'){1,4096})
""", re.VERBOSE)
_QUOTING = re.compile(r"""\\(.)|["']""")
_PARAMETER_DEFAULT = re.compile(r"\$\{[A-Za-z_]\w{0,63}:?[-=]([^}]{1,250})\}")
_ASSIGNMENT = re.compile(r"\+{0,2}([A-Za-z_][\w.\-]{0,63})=(.*)", re.DOTALL)
_JSON_PAIR = re.compile(r'"([A-Za-z_][\w.\-]{0,63})"\s{0,20}:\s{0,20}"([^"\\\n]{1,250})"')

#: Short flags that mean "the model is a Hub repo": llama.cpp's ``-hf``/``-hfr``.
_SHORT_FLAGS = {"hf": "hf_repo", "hfr": "hf_repo"}
#: Words that only prefix the real command.
_PREFIX_WORDS = frozenset({"sudo", "exec", "env", "nohup", "time", "run", "cmd", "entrypoint", "!"})


def unquote(raw: str) -> str:
    return _QUOTING.sub(lambda m: m.group(1) or "", raw)


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


def command_models(words: Sequence[Word]) -> Iterator[Found]:
    """The models one command names (its words already split and unquoted)."""
    revision = None
    trust = False
    for i, word in enumerate(words):
        if word.text == "--revision":
            revision = words[i + 1].text if i + 1 < len(words) else None
        elif word.text.startswith("--revision="):
            revision = word.text.split("=", 1)[1]
        elif word.text.replace("_", "-").lower() in ("--trust-remote-code", "--trust-remote-code=true"):
            trust = True
    for found in _command_names(words):
        yield Found(found.offset, found.name, found.loader, revision, trust)


def _command_names(words: Sequence[Word]) -> Iterator[Found]:
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
            yield from _assigned(holder, key.split("."), value)
            continue
        assignment = _ASSIGNMENT.fullmatch(text)
        if assignment is not None:
            yield from _assigned(word, assignment.group(1).split("."), assignment.group(2))
            continue
        program = _program(text)
        following = words[i + 1].text if i + 1 < len(words) else ""
        if program == "vllm" and following == "serve" and i + 2 < len(words):
            target = words[i + 2]
            if not target.text.startswith("-"):
                yield from _loaded(target, "vllm serve")
        elif program in ("huggingface-cli", "hf") and following == "download" and _repo_type(words) == "model":
            target = _download_target(words, i + 2)
            if target is not None:
                yield from _loaded(target, f"{program} download", legacy=False)
        elif text.upper() in ("ENV", "ARG") and i == 0 and len(words) == 3 and "=" not in words[1].text:
            # the old Dockerfile form: ENV MODEL_ID org/name
            yield from _assigned(words[2], [words[1].text], words[2].text)
            return


def _assigned(word: Word, path: Sequence[str], value: str) -> Iterator[Found]:
    value, _ = expand_default(value)
    for name in model_names.under_key(path, value):
        yield Found(word.offset_of(value), name)


def _loaded(word: Word, loader: str, *, legacy: bool = True) -> Iterator[Found]:
    value, _ = expand_default(word.text)
    name = model_names.loaded(value, legacy=legacy)
    if name is not None:
        yield Found(word.offset_of(value), name, loader)


def text_models(text: str, base: int = 0) -> Iterator[Found]:
    """The models named in shell text: commands, assignments and JSON request bodies."""
    seen: set[int] = set()
    for words in split_commands(text, base):
        while words and _program(words[0].text) in _PREFIX_WORDS:
            words = words[1:]
        for found in command_models(words):
            if found.offset + found.name.start not in seen:
                seen.add(found.offset + found.name.start)
                yield found
    for found in json_pair_models(text, base):
        if found.offset + found.name.start not in seen:
            seen.add(found.offset + found.name.start)
            yield found


def json_pair_models(text: str, base: int = 0) -> Iterator[Found]:
    """``"model": "org/x"`` pairs in text that is JSON-like but not parsed as JSON."""
    if '"' not in text or ":" not in text:
        return
    for pair in _JSON_PAIR.finditer(text):
        for name in model_names.under_key((pair.group(1),), pair.group(2)):
            yield Found(base + pair.start(2), name)


_JSON_STRING = re.compile(r'"((?:[^"\\\n]|\\.){0,4096})"')


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
