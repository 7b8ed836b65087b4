"""Loading model-risk's own YAML documents: data tables, rule packs, the configuration.

Each document is parsed with :mod:`model_risk.common.safe_yaml` and, when it has a schema, validated against
model-risk's published JSON Schema, with errors located by line. Both are slow to set up (importing
PyYAML and jsonschema is most of a pre-commit run's budget), so a document that loaded cleanly once is
kept as JSON, keyed by a hash of its text and model-risk's version. Later runs read that JSON instead,
and parse the YAML again only if they need a line number for a message.

That memo decides what the rules and tables say, so it is never kept in the cache directory
(``MODEL_RISK_CACHE_DIR``), which CI jobs share and restore from other branches: it lives beside the
installed package, in ``__pycache__/``, where Python keeps its own compiled code, so only who can change
model-risk's code can change it. Each entry names the hash of the text it was made from, and is used
only when that matches. Where the package directory is read-only, documents are parsed every time.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

from model_risk.common import safe_yaml
from model_risk.common.resources import PACKAGE, read_package_text
from model_risk.contract.errors import excerpt
from model_risk.contract.version import __version__


@dataclass(frozen=True)
class SchemaViolation:
    message: str
    path: tuple[str | int, ...]
    line: int | None


class Document:
    """The data of a document, and the line of any value in it (found by parsing again, on demand)."""

    def __init__(self, data: object, text: str = "", parsed: safe_yaml.YamlDocument | None = None,
                 default_line: int | None = None) -> None:
        self.data = data
        self.text = text
        self.default_line = default_line
        if parsed is not None:
            self.__dict__["_parsed"] = parsed

    @cached_property
    def _parsed(self) -> safe_yaml.YamlDocument | None:
        return safe_yaml.load(self.text) if self.text else None

    def line_of(self, path: Sequence[str | int]) -> int | None:
        parsed = self._parsed
        return parsed.line_of(path) if parsed is not None else self.default_line


@cache
def load_schema(name: str) -> dict:
    return json.loads(read_package_text(f"schemas/{name}"))


#: Keywords beside a ``$ref`` that do not constrain anything.
_ANNOTATIONS = frozenset({"description", "title", "$comment", "examples"})


def inline_refs(schema: dict) -> dict:
    """``schema`` with every local ``#/$defs/NAME`` reference replaced by the definition itself.

    jsonschema resolves a ``$ref`` each time it meets one, which makes validating a report with
    hundreds of references and models three to four times slower than validating the same schema
    written out; ``model-risk merge`` validates a thousand reports. Only for schemas without
    recursion (model-risk's own): a recursive one would never finish, and raises instead.
    """
    definitions = schema.get("$defs", {})

    def expand(node: object, depth: int) -> object:
        if depth > 50:
            raise ValueError("recursive schema: cannot inline its references")
        if isinstance(node, list):
            return [expand(item, depth) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/") and ref.count("/") == 2:
            target = expand(definitions[ref.rsplit("/", 1)[1]], depth + 1)
            rest = {k: expand(v, depth) for k, v in node.items() if k != "$ref"}
            if set(rest) <= _ANNOTATIONS:
                return target
            return {"allOf": [target, rest]}  # both apply, as beside a $ref in 2020-12
        return {k: expand(v, depth) for k, v in node.items()}

    return expand({k: v for k, v in schema.items() if k != "$defs"}, 0)  # type: ignore[return-value]


#: Where validated documents are remembered: beside the package's code, never in the shared cache.
MEMO_DIR = PACKAGE / "__pycache__" / "model-risk-documents"


def _digest(schema_name: str | None, text: str) -> str:
    import hashlib

    return hashlib.sha256(f"{__version__}\0{schema_name}\0{text}".encode()).hexdigest()


def _cache_path(remember: object, schema_name: str | None, text: str) -> Path | None:
    """The memo file for ``text``, or None when the caller asked for no memo (``remember`` is None)."""
    if remember is None:
        return None
    return MEMO_DIR / f"{_digest(schema_name, text)}.json"


def _recall(path: Path, schema_name: str | None, text: str) -> object:
    """The remembered data, if the entry is whole and was made from this very text; raises otherwise."""
    entry = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(entry, dict) or entry.get("sha256") != _digest(schema_name, text):
        raise ValueError("memo entry for another text")
    return entry["data"]


def _remember(path: Path | None, data: object, schema_name: str | None, text: str) -> None:
    if path is None:
        return
    try:
        encoded = json.dumps({"sha256": _digest(schema_name, text), "data": data}, ensure_ascii=False)
        if json.loads(encoded)["data"] != data:
            return  # not plain JSON data (integer keys, sets ...): parse the YAML every time
        from model_risk.common.fileio import atomic_write

        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, encoded, durable=False)
    except (OSError, TypeError, ValueError):
        pass  # an unwritable cache costs the next run time, nothing else


def load_document(text: str, *, schema_name: str | None = None, cache_dir: Path | None = None,
                  quote: bool = True) -> tuple[Document, SchemaViolation | None]:
    """Parse (and validate) ``text``. Raises :class:`safe_yaml.YamlError` for text that is not YAML.

    ``cache_dir`` None: no memo. Any directory: remember the document in :data:`MEMO_DIR`, whatever the
    directory (callers pass the cache directory; the memo never goes there). ``quote`` False: the
    violation's message quotes nothing of the document (see :func:`first_violation`)."""
    remembered = _cache_path(cache_dir, schema_name, text)
    if remembered is not None:
        try:
            return Document(_recall(remembered, schema_name, text), text), None
        except (OSError, ValueError, KeyError, RecursionError):
            pass  # not remembered yet, or a damaged entry: parse again
    parsed = safe_yaml.load(text)
    document = Document(parsed.data, text, parsed)
    violation = first_violation(document, schema_name, quote=quote) if schema_name else None
    if violation is None:
        _remember(remembered, parsed.data, schema_name, text)
    return document, violation


def _format_path(path: tuple[str | int, ...]) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


def first_violation(document: Document, schema_name: str, *, quote: bool = True) -> SchemaViolation | None:
    """The most relevant schema violation in ``document``, or None when it is valid.

    The message is model-risk's own, never jsonschema's, which quotes whole values and lists every
    unexpected key of a mapping: a config or pack that is really some other file (``.netrc``, a key
    file) would be printed into a CI log. It quotes at most a short escaped excerpt of one value or
    key, and with ``quote`` False (a file outside the project) nothing of the document at all: not even
    the path of keys to the value, only its line."""
    import jsonschema

    schema = load_schema(schema_name)
    validator = jsonschema.validators.validator_for(schema)(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(document.data))  # type: ignore[arg-type]
    if error is None:
        return None
    path = tuple(error.absolute_path)
    message = describe_violation(error, quote)
    if quote and path:
        message = f"{excerpt(_format_path(path), 80).strip(chr(39))}: {message}"
    return SchemaViolation(message, path, document.line_of(list(path)))


#: Longest schema message kept.
MAX_MESSAGE = 200
_KINDS = ((bool, "true or false"), (int, "a number"), (float, "a number"), (str, "a string"),
          (list, "a list"), (dict, "a mapping"), (type(None), "empty (null)"))


def _kind(value: object) -> str:
    return next((name for kind, name in _KINDS if isinstance(value, kind)), "a value")


def describe_violation(error: object, quote: bool) -> str:
    """One schema error in words. Values come from the schema (allowed values, limits, required keys) or,
    with ``quote``, as one :func:`excerpt` of the offending value or key."""
    keyword = getattr(error, "validator", None)
    expected = getattr(error, "validator_value", None)
    instance = getattr(error, "instance", None)

    def shown(value: object) -> str:
        return excerpt(value) if quote else _kind(value)

    if keyword == "type":
        wanted = [expected] if isinstance(expected, str) else list(expected or ())
        message = f"{shown(instance)} is not of type {', '.join(repr(str(t)) for t in wanted)}"
    elif keyword == "enum":
        choices = ", ".join(map(repr, list(expected or ())[:12]))
        message = f"{shown(instance)} is not one of {choices}"
    elif keyword == "const":
        message = f"{shown(instance)} is not {expected!r}"
    elif keyword == "additionalProperties" and isinstance(instance, dict):
        schema = getattr(error, "schema", None) or {}
        unexpected = [key for key in instance if key not in (schema.get("properties") or {})]
        count = len(unexpected) or len(instance)
        if quote and unexpected:
            more = f" (and {count - 1} more)" if count > 1 else ""
            message = f"unknown setting {excerpt(unexpected[0])}{more}"
        else:
            message = f"{count} unknown setting{'s' if count != 1 else ''}"
    elif keyword == "required":
        message = str(getattr(error, "message", "a required setting is missing"))  # names the schema's key
    elif keyword == "pattern":
        message = f"{shown(instance)} does not match {expected!r}"  # the pattern is the schema's
    elif keyword == "propertyNames":
        message = f"{shown(instance)} has a key of the wrong form"
    elif keyword in ("minLength", "maxLength"):
        message = f"{shown(instance)} is too {'short' if keyword == 'minLength' else 'long'} " \
                  f"({'at least' if keyword == 'minLength' else 'at most'} {expected} characters)"
    elif keyword in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        bound = "at least" if keyword == "minimum" else "more than" if keyword == "exclusiveMinimum" else \
            "at most" if keyword == "maximum" else "less than"
        message = f"{shown(instance)} must be {bound} {expected}"
    elif keyword in ("minItems", "maxItems"):
        message = f"needs {'at least' if keyword == 'minItems' else 'at most'} {expected} item" \
                  f"{'s' if expected != 1 else ''}"
    elif keyword == "uniqueItems":
        message = "has the same item more than once"
    elif keyword in ("minProperties", "maxProperties"):
        message = f"needs {'at least' if keyword == 'minProperties' else 'at most'} {expected} setting" \
                  f"{'s' if expected != 1 else ''}"
    elif keyword == "format":
        message = f"{shown(instance)} is not a valid {expected}"
    elif keyword in ("anyOf", "oneOf"):
        message = f"{shown(instance)} matches none of the forms allowed here"
    elif keyword == "not":
        message = f"{shown(instance)} is not allowed here"
    elif keyword in ("dependentRequired", "dependencies"):
        message = str(getattr(error, "message", "a setting needs another"))  # names the schema's keys
    else:
        message = f"{shown(instance)} is not valid here ({keyword})"
    message = " ".join(message.split())
    return message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 1] + "…"


def load_package_data(relative: str) -> object:
    """A YAML data table shipped inside the package (``data/vendors.yaml``), remembered beside the package
    (never read through the cache directory: see the module docstring)."""
    document, _ = load_document(read_package_text(relative), cache_dir=MEMO_DIR)
    return document.data
