"""Model references in free text: documentation prose, comments, docstrings, notebook Markdown and
outputs, help strings.

Text like this has no grammar to parse, so it is read in a few linear passes, each anchored on
something cheap to find:

* command lines (:mod:`model_risk.detectors.commands`): ``--model_name_or_path ID``, ``vllm serve ID``,
  ``MODEL=ID``, ``"model": "ID"``, with ``\\`` continuations; ``certain``;
* un-namespaced names (legacy checkpoints such as ``gpt2``, sentence-transformers short names such as
  ``all-MiniLM-L6-v2``) only on lines that mention a model or a loader; ``likely``.

``ORG/NAME`` words anywhere in a file, prose included, are the candidate pass's
(:mod:`model_risk.detect.candidates`): one judge for every kind of text.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator
from functools import cache

from model_risk.contract.domain import Reference
from model_risk.contract.source import SourceFile
from model_risk.detect import commands, model_names, prose, text_search
from model_risk.detect.commands import Found, stronger
from model_risk.detect.model_names import ModelName
from model_risk.detect.references import reference_to
from model_risk.knowledge import hub_ids, publishers

#: ``key = "``, ``key: ``, ``"key": "``, ``key == '`` right before a value (``,`` first: a tuple target).
_KEY_BEFORE = text_search.lazy(r"""(,[ \t]{0,4})?\b([A-Za-z_][\w.\-]{0,63})["'`]?[ \t]{0,4}(?:==?|:)[ \t]{0,4}["'`(\[]?$""")
#: ``--flag ID``, ``--flag=ID``, ``-m ID`` right before a value.
_FLAG_BEFORE = text_search.lazy(r"""(?:^|[\s`(\[])--?([A-Za-z][\w.\-]{0,63})(?:[ \t]{1,4}|=)["']?$""")
#: Anchors of lines where an un-namespaced name can be a model.
_SHORT_NAME_ANCHORS = ("model", "sentencetransformer", "crossencoder", "from_pretrained")
_QUOTES = "'\"`*"


def scan(text: str, *, base: int = 0, short: bool = True) -> list[Found]:
    """Every model named in ``text``; offsets are ``base`` + the id's position (``name.start`` is 0)."""
    found: dict[tuple[int, str], Found] = {}

    def keep(hit: Found) -> None:
        at = hit.offset + hit.name.start
        hit = dataclasses.replace(hit, offset=base + at, name=dataclasses.replace(hit.name, start=0))
        key = (at, hit.name.model.lower())
        previous = found.get(key)
        if previous is None:
            found[key] = hit
        else:
            found[key] = dataclasses.replace(
                previous, loader=previous.loader or hit.loader, revision=previous.revision or hit.revision,
                trust_remote_code=previous.trust_remote_code or hit.trust_remote_code,
                confidence=stronger(previous.confidence, hit.confidence))

    for start, end in _command_lines(text):
        for hit in commands.text_models(prose.without_markers(text[start:end]), start):
            keep(hit)
    if short:  # callers that read the whole file for short names already say False
        for hit in short_names(text):
            keep(hit)
    return sorted(found.values(), key=lambda f: f.offset)


def references(source: SourceFile, text: str, detector: str, *, known: Iterable[Reference] = (),
               short: bool = True) -> Iterator[Reference]:
    """References for what :func:`scan` finds in ``text`` (the prose of ``source``, same length),
    leaving out places ``known`` already reports."""
    seen = {(r.line, r.column, r.model.lower()) for r in known}
    for hit in scan(text, short=short):
        ref = reference_to(source, hit.offset, hit.name, detector, loader=hit.loader, revision=hit.revision,
                           trust_remote_code=hit.trust_remote_code, confidence=hit.confidence)
        if (ref.line, ref.column, ref.model.lower()) not in seen:
            seen.add((ref.line, ref.column, ref.model.lower()))
            yield ref


#: Words that make a line read like a command: they download, serve or upload a model.
_COMMAND_WORDS = ("serve", "download", "upload")
#: A flag: ``-x`` or ``--x`` after a blank, a quote, a backtick or a parenthesis (checked apart).
_FLAG = text_search.lazy(r"--?[A-Za-z]")
_FLAG_PRECEDERS = frozenset(" \t\n`\"'(")


def _command_lines(text: str) -> list[tuple[int, int]]:
    """The spans of ``text``'s command-like lines, each with the lines it continues onto (``\\``).
    Prose is most of the text, and splitting all of it into shell words would be most of the cost, so
    lines are picked by a flag or a command word, both found by a plain search."""
    starts: set[int] = set()
    flag = _FLAG.search(text)
    while flag is not None:
        position = flag.end()
        if flag.start() == 0 or text[flag.start() - 1] in _FLAG_PRECEDERS:
            starts.add(text.rfind("\n", 0, flag.start()) + 1)
            position = text.find("\n", position)  # one flag is enough to pick its line
            if position < 0:
                break
        flag = _FLAG.search(text, position)
    for word in _COMMAND_WORDS:
        position = text.find(word)
        while position >= 0:
            starts.add(text.rfind("\n", 0, position) + 1)
            line_end = text.find("\n", position)
            if line_end < 0:
                break
            position = text.find(word, line_end)
    spans: list[tuple[int, int]] = []
    reached = 0
    for start in sorted(starts):
        if start < reached:
            continue
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        while _continued(text, start, end) and end < len(text):
            following = text.find("\n", end + 1)
            end = len(text) if following < 0 else following
        spans.append((start, end))
        reached = end
    return spans


def _continued(text: str, start: int, end: int) -> bool:
    """Does the line ending at ``end`` end with a ``\\`` (blanks after it allowed)?"""
    while end > start and text[end - 1] in " \t\r":
        end -= 1
    return end > start and text[end - 1] == "\\"


def _line_before(text: str, start: int, limit: int = 160) -> str:
    line_start = text.rfind("\n", max(0, start - limit), start) + 1
    return text[max(line_start, start - limit):start]


def _context(before: str) -> str | None:
    """What the key or flag right before a value says: "model", "block" or None (nothing, or neutral)."""
    key = _KEY_BEFORE.search(before)
    if key is not None and key.group(1) is None:
        name = key.group(2)
        if model_names.meaning((name,)) is not model_names.Meaning.NONE:
            return "model"
        if model_names.blocks(name):
            return "block"
    flag = _FLAG_BEFORE.search(before)
    if flag is not None:
        name = flag.group(1)
        if model_names.meaning((name,)) is not model_names.Meaning.NONE:
            return "model"
        if model_names.blocks(name):
            return "block"
    return None


def short_names(text: str, *, quoted_only: bool = False) -> Iterator[Found]:
    """Legacy checkpoints and sentence-transformers short names on lines that mention a model
    (``quoted_only`` for code, where an unquoted word is an identifier)."""
    lowered = text.lower()
    line_starts: set[int] = set()
    for anchor in _SHORT_NAME_ANCHORS:
        position = lowered.find(anchor)
        while position >= 0:
            line_start = lowered.rfind("\n", 0, position) + 1
            line_starts.add(line_start)
            line_end = lowered.find("\n", position)
            if line_end < 0:
                break
            position = lowered.find(anchor, line_end)
    for line_start in sorted(line_starts):
        line_end = text.find("\n", line_start)
        line_end = len(text) if line_end < 0 else line_end
        line = text[line_start:line_end]
        if not any(mark in line for mark in _NAME_MARKS):
            continue  # every name has a hyphen or is quoted where it counts
        if _name_inside().search(line.lower()) is None:
            continue  # no known name even inside a word: the words need not be looked at one by one
        names = _known_names()
        for match in _WORD.finditer(line):
            word = match.group().rstrip(".-")
            if word.lower() not in names:
                continue
            short = publishers.is_short_name(word)
            if not (short or hub_ids.is_legacy_id(word)):
                continue  # a legacy id in another case (GPT2)
            start = line_start + match.start()
            end = start + len(word)
            quoted = start > 0 and text[start - 1] in _QUOTES and text[end:end + 1] in _QUOTES
            if not quoted and (quoted_only or "-" not in word or text[end:end + 1] == "/"):
                continue  # LaBSE, gpt2, ctrl as plain words: too often just words
            verdict = _context(_line_before(text, start))
            if verdict == "block":
                continue
            lookup = hub_ids.sentence_transformers_id(word) if short and not hub_ids.is_legacy_id(word) else None
            yield Found(start, ModelName(word, lookup_id=lookup),
                        confidence="certain" if verdict == "model" else "likely")


@cache
def _known_names() -> frozenset[str]:
    """Every legacy checkpoint and sentence-transformers short name, lower case."""
    return frozenset(n.lower() for n in hub_ids.LEGACY_MODEL_IDS) | publishers.sentence_transformers_names()


@cache
def _name_inside() -> re.Pattern[str]:
    """Any known name as a substring of lower-cased text (a word equal to a name holds one)."""
    return text_search.any_of(sorted(_known_names()))


_WORD = text_search.lazy(r"(?<![A-Za-z0-9_.\-/])[A-Za-z][A-Za-z0-9_.\-]{1,80}")
_NAME_MARKS = ("-", '"', "'", "`", "*")


def short_name_references(source: SourceFile, detector: str, known: Iterable[Reference] = ()
                          ) -> Iterator[Reference]:
    """Short names in a code file, its comments included (``model_name = "LaBSE"``,
    ``if model_name == "gpt2":``, ``# the nq-distilbert-base-v1 model``)."""
    seen = {(r.line, r.column, r.model.lower()) for r in known}
    for hit in short_names(source.text):
        ref = reference_to(source, hit.offset, hit.name, detector, confidence=hit.confidence)
        if (ref.line, ref.column, ref.model.lower()) not in seen:
            yield ref


def worth_scanning(text: str) -> bool:
    """A cheap test: can free text name a model at all (a slash, or a line about a model)?"""
    return "/" in text or "model" in text or "Model" in text
