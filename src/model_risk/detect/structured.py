"""Model references in structured documents (YAML, JSON, TOML) once they are parsed.

Parsers hand over plain data -- dicts, lists, strings -- in which strings may be :class:`LocatedStr`,
which remember where they are written. One walker then reads every kind of document the same way:

* a string under keys that mean a model (``model``, ``embedding_model``, ``models: {small: ...}``);
* ``NAME=VALUE`` strings (compose ``environment:`` lists) and Kubernetes ``env:`` entries
  (``{name: MODEL_ID, value: org/x}``), which are judged by the variable's name;
* command lines under ``command:``, ``args:``, ``entrypoint:``, ``run:``, ``script:`` (a string is
  read as shell text, a list as the command's words).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from model_risk.detect import commands, model_names, text_search
from model_risk.detect.commands import Found

if TYPE_CHECKING:
    import yaml


class LocatedStr(str):
    """A string value together with the span of source text it was read from (quotes included)."""

    start: int
    end: int

    @classmethod
    def at(cls, value: str, start: int, end: int) -> LocatedStr:
        located = cls(value)
        located.start = start
        located.end = end
        return located


@dataclass(frozen=True, slots=True)
class Hit:
    """A model named by a string in a document; ``found.offset`` is an index into ``value``."""

    value: str
    found: Found

    @property
    def index(self) -> int:
        """Where in ``value`` the id starts."""
        return self.found.offset + self.found.name.start


def nth_offset(raw: str, value: str, index: int, needle: str) -> int:
    """Where, in ``raw`` (the source text of ``value``), the ``needle`` found at ``value[index:]`` is.

    Escapes, quotes, prefixes and folding make a value differ from its source text, but ids contain no
    character that is ever escaped: the n-th occurrence in the value is the n-th in the source.
    """
    ordinal = value.count(needle, 0, index)
    position = -1
    for _ in range(ordinal + 1):
        position = raw.find(needle, position + 1)
        if position < 0:
            return 0
    return position


#: Keys whose value is a command line rather than a setting.
COMMAND_KEYS = frozenset({"command", "commands", "args", "entrypoint", "cmd", "run", "script",
                          "before_script", "after_script", "exec"})
_ASSIGNMENT = text_search.lazy(r"([A-Za-z_][\w.]{0,63})=([^\s=]{1,250})")
_MAX_DEPTH = 64


def walk(data: object) -> Iterator[Hit]:
    """Every model the document names. Shared (aliased) values may be visited more than once."""
    stack: list[tuple[object, tuple[str, ...], int, Found | None]] = [(data, (), 0, None)]
    while stack:
        value, path, depth, beside = stack.pop()
        if depth > _MAX_DEPTH:
            continue
        if isinstance(value, dict):
            name, env_value = value.get("name"), value.get("value")
            if isinstance(name, str) and isinstance(env_value, str) and len(value) <= 3:
                yield from _string(env_value, (*path, name))  # Kubernetes env: {name: X, value: Y}
            attributes = _attributes(value)
            image = _image_keys(value)
            for key, child in reversed(list(value.items())):
                if not isinstance(key, str) or key in image:
                    continue
                if key in COMMAND_KEYS and not isinstance(child, dict):
                    yield from _command(child)
                elif key != "value" or not isinstance(name, str):
                    stack.append((child, path if key == "<<" else (*path, key)[-6:], depth + 1, attributes))
        elif isinstance(value, list):
            stack.extend((item, path, depth + 1, None) for item in reversed(value))
        elif isinstance(value, str) and path:
            for hit in _string(value, path):
                yield _with(hit, beside) if beside is not None else hit
        elif isinstance(value, str):
            yield from _assignment(value)


#: Keys that make a mapping a container image's (Helm values, Kubernetes specs): ``repository: rocm/vllm``
#: beside ``tag: latest`` names an image, whatever key the mapping sits under (``modelSpec``).
_IMAGE_SIBLINGS = frozenset({"tag", "digest", "pullpolicy", "imagepullpolicy", "registry"})
_IMAGE_KEYS = frozenset({"repository", "repo", "image", "imagerepository", "imagename"})


def _image_keys(mapping: dict) -> frozenset[str]:
    """The keys of ``mapping`` that name a container image: ``repository``/``image`` beside ``tag``,
    ``digest`` or a pull policy."""
    keys = {k.lower().replace("_", "").replace("-", ""): k for k in mapping if isinstance(k, str)}
    if not _IMAGE_SIBLINGS & keys.keys():
        return frozenset()
    return frozenset(original for normal, original in keys.items() if normal in _IMAGE_KEYS)


#: Keys beside a model's that say how it is loaded (``model_revision: abc``, ``trust_remote_code: true``),
#: in any case style.
_REVISION_KEYS = frozenset({"revision", "model_revision", "modelrevision"})
_TRUST_KEYS = frozenset({"trust_remote_code", "trustremotecode"})


def _attributes(mapping: dict) -> Found | None:
    """``revision`` and ``trust_remote_code`` set in a mapping (a recipe's keys beside its model key),
    as a Found carrying only them; None when it sets neither."""
    revision = None
    trust = False
    for key, value in mapping.items():
        if not isinstance(key, str):
            continue
        normal = key.lower().replace("-", "_")
        if normal in _REVISION_KEYS and isinstance(value, str) and value.strip():
            revision = value.strip()
        elif normal in _TRUST_KEYS and str(value).strip().lower() in ("true", "1", "yes", "on"):
            trust = True
    if revision is None and not trust:
        return None
    return Found(0, model_names.ModelName(""), revision=revision, trust_remote_code=trust)


def _with(hit: Hit, beside: Found) -> Hit:
    found = hit.found
    return Hit(hit.value, replace(found, revision=found.revision or beside.revision,
                                  trust_remote_code=found.trust_remote_code or beside.trust_remote_code))


def _string(value: str, path: Sequence[str]) -> Iterator[Hit]:
    if "=" not in value and not model_names.could_be_model(value):
        return  # most values: numbers, words, paths -- no need to weigh the keys
    names = model_names.under_key(path, value)
    for name in names:
        yield Hit(value, Found(0, name))
    if not names:
        yield from _assignment(value)


def _assignment(value: str) -> Iterator[Hit]:
    match = _ASSIGNMENT.fullmatch(value.strip()) if "=" in value else None
    if match is not None:
        shift = value.index(match.group(2), len(value) - len(value.lstrip()) + len(match.group(1)))
        for name in model_names.under_key((match.group(1),), match.group(2)):
            yield Hit(value, Found(shift, name))


#: Command words given as a list are numbered in slots of this size, so an offset names its word.
_SLOT = 1 << 24


def _command(value: object) -> Iterator[Hit]:
    if isinstance(value, str):
        for found in commands.text_models(value):
            yield Hit(value, found)
    elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        # Each word is its own string: report against the word that holds the id.
        words = [commands.Word(v, i * _SLOT, v) for i, v in enumerate(value)]
        for found in commands.command_models(words):
            index, within = divmod(found.offset, _SLOT)
            yield Hit(value[index], replace(found, offset=within))
        for item in value:
            if " " in item.strip():  # a script in the list: ["/bin/sh", "-c", "huggingface-cli download ..."]
                yield from _command(item)
    elif isinstance(value, list):
        for item in value:
            yield from _command(item)


# -- JSON ----------------------------------------------------------------------------------------

_JSON_STRING = text_search.lazy(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
#: Documents this large or smaller are read the slow, exact way when the fast way cannot place them.
_EXACT_FALLBACK = 1024 * 1024


class _Misaligned(Exception):
    """The string tokens and the parsed strings do not pair up: a duplicate key dropped a value."""


class _Done(Exception):
    """Every kind of string has reached its limit: nothing further can be located."""


def located_json(text: str, kind_of: Callable[[tuple[str, ...]], str | None], limits: Mapping[str, int]
                 ) -> tuple[object, set[str]]:
    """``json.loads(text)`` with the strings that matter as :class:`LocatedStr`; and the kinds of string
    of which some were left unlocated.

    ``kind_of(keys)`` names the kind of the strings under ``keys`` (the object keys above a string, list
    positions left out), or None for strings that do not matter; at most ``limits[kind]`` strings of each
    kind are located, and the walk stops once every kind has hit its limit. The C parser reads the
    document; positions come from one pass of a regular expression over the string tokens, paired in
    document order with the keys and strings the parser returned (checked for each string located). Only
    the strings asked for become objects with a position: :func:`json_data` makes one of every string,
    about 0.75 KB each (an 8 MB notebook of short output lines took 1.9 GB). Raises like ``json.loads``;
    ``ValueError`` too for a document over 1 MiB whose duplicate keys make positions unknowable."""
    import json

    data = json.loads(text)
    try:
        return _locate(text, data, kind_of, limits)
    except _Misaligned:
        if len(text) > _EXACT_FALLBACK:
            raise ValueError("duplicate keys: the positions of its values cannot be told") from None
        exact = json_data(text)  # every string located, each duplicate key's value in its place
        return exact, set()


def _locate(text: str, data: object, kind_of: Callable[[tuple[str, ...]], str | None], limits: Mapping[str, int]
            ) -> tuple[object, set[str]]:
    import json.decoder
    from collections import deque
    from itertools import islice, repeat

    scanstring = json.decoder.scanstring  # type: ignore[attr-defined]
    tokens = _JSON_STRING.finditer(text)
    left = dict(limits)
    clipped: set[str] = set()

    def take(kind: str, count: int = 1) -> int:
        """How many of ``count`` strings of ``kind`` may be located (and count them)."""
        granted = min(count, left.get(kind, 0))
        left[kind] = left.get(kind, 0) - granted
        if granted < count:
            clipped.add(kind)
        return granted

    def stop_when_done() -> None:
        if clipped and all(left[k] <= 0 and k in clipped for k in left):
            raise _Done

    def located(value: str, token: re.Match[str]) -> LocatedStr:
        start, end = token.span()
        if scanstring(text, start + 1, True)[0] != value:  # the token decodes to the parsed string
            raise _Misaligned
        return LocatedStr.at(value, start, end)

    def place(container: Any, slot: str | int, value: str, token: re.Match[str], wanted: str) -> None:
        if take(wanted):
            container[slot] = located(value, token)
        else:
            stop_when_done()

    kinds: dict[tuple[str, ...], dict[str, str | None]] = {}  # keys above an object -> key -> kind

    def visit(container: dict[str, object] | list[object], keys: tuple[str, ...]) -> None:
        # Strings are replaced in place (a value of an existing key or item): no copy of the document.
        if type(container) is dict:
            known = kinds.setdefault(keys, {})
            for key, item in container.items():
                next(tokens)  # the key
                kind = type(item)
                if kind is str:
                    token = next(tokens)
                    wanted = known[key] if key in known else known.setdefault(key, kind_of((*keys, key)[-8:]))
                    if wanted is not None:
                        place(container, key, item, token, wanted)  # type: ignore[arg-type]
                elif (kind is dict or kind is list) and item:
                    visit(item, (*keys, key)[-8:])  # type: ignore[arg-type]
            return
        if all(map(isinstance, container, repeat(str))):  # a list of strings: lines, words
            wanted = kind_of(keys) if container else None
            granted = take(wanted, len(container)) if wanted is not None else 0
            for index, token in zip(range(granted), tokens):
                container[index] = located(container[index], token)  # type: ignore[arg-type, index]
            if wanted is not None and granted < len(container):
                stop_when_done()
            deque(islice(tokens, len(container) - granted), maxlen=0)  # the rest, skipped at C speed
            return
        for index, item in enumerate(container):
            kind = type(item)
            if kind is str:
                token = next(tokens)
                wanted = kind_of(keys)
                if wanted is not None:
                    place(container, index, item, token, wanted)  # type: ignore[arg-type]
            elif (kind is dict or kind is list) and item:
                visit(item, keys)  # type: ignore[arg-type]

    if type(data) is str:
        return data, set()
    if type(data) in (dict, list):
        try:
            visit(data, ())  # type: ignore[arg-type]
        except _Done:
            return data, clipped
        if next(tokens, None) is not None:
            raise _Misaligned
    return data, clipped


def json_data(text: str) -> object:
    """Parse JSON with every string value a :class:`LocatedStr` (keys stay plain strings).

    The standard decoder is used with its pure-Python scanner, whose string hook can record offsets.
    Raises ``ValueError`` (``json.JSONDecodeError``) or ``RecursionError`` like ``json.loads``.
    """
    import json
    import json.decoder
    import json.scanner

    scanstring = json.decoder.scanstring  # type: ignore[attr-defined]

    def parse_string(string: str, end: int, strict: bool) -> tuple[LocatedStr, int]:
        value, after = scanstring(string, end, strict)
        return LocatedStr.at(value, end - 1, after), after

    decoder = json.JSONDecoder()
    decoder.parse_string = parse_string  # type: ignore[attr-defined]
    decoder.scan_once = json.scanner.py_make_scanner(decoder)  # type: ignore[attr-defined]
    return decoder.decode(text)


# -- YAML ----------------------------------------------------------------------------------------

_STR_TAG = "tag:yaml.org,2002:str"


def yaml_data(node: yaml.Node) -> object:
    """The data of a composed YAML node, with every string a :class:`LocatedStr`.

    Aliased nodes become the same Python object, so an alias costs nothing more (the caller has
    already refused documents whose aliases expand too far).
    """
    built: dict[int, object] = {}
    return _yaml_value(node, built, 0)


def _yaml_value(node: yaml.Node, built: dict[int, object], depth: int) -> object:
    import yaml  # already loaded by the caller, which composed the node

    known = built.get(id(node))
    if known is not None or depth > _MAX_DEPTH:
        return known
    if isinstance(node, yaml.ScalarNode):
        if node.tag != _STR_TAG:
            return None
        value: object = LocatedStr.at(node.value, node.start_mark.index, node.end_mark.index)
    elif isinstance(node, yaml.SequenceNode):
        items: list[object] = []
        value = items
        built[id(node)] = value
        items.extend(_yaml_value(item, built, depth + 1) for item in node.value)  # type: ignore[attr-defined]
    elif isinstance(node, yaml.MappingNode):
        mapping: dict[object, object] = {}
        value = mapping
        built[id(node)] = value
        for key, child in node.value:
            if isinstance(key, yaml.ScalarNode):
                mapping[key.value] = _yaml_value(child, built, depth + 1)  # type: ignore[index]
    else:
        return None
    built[id(node)] = value
    return value
