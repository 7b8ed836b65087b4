"""Model references in JavaScript and TypeScript.

There is no JavaScript parser in the standard library, so the file is split into tokens (strings,
comments, names, punctuation) and a few shapes are read from the token stream:

* transformers.js ``pipeline(task, ID)`` and ``*.from_pretrained(ID)``;
* the AI SDK's provider calls with an API model name (``openai("gpt-4o")``, ``anthropic("claude-...")``);
* object properties and assignments whose name means a model (``{ model: "org/x" }``,
  ``const EMBEDDING_MODEL = process.env.EMBEDDING_MODEL ?? "org/x"``).

Names passed to calls are followed to ``const``/``let`` strings. Comments are never read. The tokenizer
cannot fail: an unterminated string or comment ends at the end of its line or of the file, so it is
linear on any input.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass

from model_risk.contract.detector import Detector
from model_risk.contract.domain import Note, Reference
from model_risk.contract.source import SourceFile
from model_risk.detect import file_kinds, free_text, model_names, prose, python_source, structured, text_search
from model_risk.detect.model_names import ModelName
from model_risk.detect.references import reference_to

# Compiling this pattern costs milliseconds: it is compiled when a JavaScript file is first read, not
# on every start (the one-file pre-commit path is mostly Python).
_TOKEN = text_search.lazy(r"""
    (?P<comment>//[^\n]*+|/\*(?:[^*]++|\*(?!/))*+(?:\*/|\Z))
  | (?P<string>"[^"\\\n]*+(?:\\.[^"\\\n]*+)*+"?|'[^'\\\n]*+(?:\\.[^'\\\n]*+)*+'?|`[^`\\]*+(?:\\[\s\S][^`\\]*+)*+`?)
  | (?P<name>[A-Za-z_$][\w$]*+)
  | (?P<punct>\?\?|\|\||=>|={2,3}|[{}()\[\],:;=.?])
""", re.VERBOSE)
#: AI SDK provider functions that take an API model name: ``openai("gpt-4o")``.
_PROVIDER_CALLS = frozenset({"openai", "anthropic", "google", "mistral", "xai", "deepseek", "cohere",
                             "vertex", "azure", "bedrock", "createOpenAI"})
_LOADERS = {"pipeline": 1, "from_pretrained": 0, "fromPretrained": 0,
            # provider factories that load a Hub model in the browser or on a server
            "transformersJS": 0, "huggingface": 0, "inferenceClient": 0}
_STATEMENT_END = frozenset({";", "}", ")", ","})


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    text: str
    start: int

    @property
    def value(self) -> str:
        """A string token's contents without its quotes (escapes are left as written)."""
        body = self.text[1:]
        return body[:-1] if body.endswith(self.text[0]) else body


def tokens(text: str) -> list[_Token]:
    out = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind != "comment" and kind is not None:
            out.append(_Token(kind, match.group(), match.start()))
    return out


class _Reader:
    def __init__(self, source: SourceFile, detector: str) -> None:
        self.source = source
        self.detector = detector
        self.tokens = tokens(source.text)
        self.constants: dict[str, list[_Token]] = {}
        self.found: dict[tuple[int, str], Reference] = {}

    def add(self, token: _Token, name: ModelName, loader: str | None = None) -> None:
        """Record ``name``, found at ``name.start`` of the string token's value."""
        offset = token.start + 1 + structured.nth_offset(token.text[1:], token.value, name.start, name.model)
        ref = reference_to(self.source, offset, dataclasses.replace(name, start=0), self.detector, loader=loader)
        self.found.setdefault((offset, ref.model), ref)

    def strings(self, index: int) -> list[_Token]:
        """The string tokens an expression starting at ``index`` can be (a literal or a constant)."""
        if index >= len(self.tokens):
            return []
        token = self.tokens[index]
        if token.kind == "string":
            return [token]
        if token.kind == "name":
            return self.constants.get(token.text, [])
        return []

    def read(self) -> list[Reference]:
        toks = self.tokens
        stack: list[str | None] = []
        for i, token in enumerate(toks):
            if token.kind == "punct" and token.text == "=" and i + 1 < len(toks):
                target = self._assignment_target(i)
                if target is not None:
                    for string in self._assigned_strings(i + 1):
                        self.constants.setdefault(target, []).append(string)
                        for name in model_names.under_key((target,), string.value):
                            self.add(string, name)
            elif token.text == "{" and token.kind == "punct":
                stack.append(self._key_before(i))
            elif token.text == "}" and token.kind == "punct":
                if stack:
                    stack.pop()
            elif token.text == ":" and token.kind == "punct" and i + 1 < len(toks) and 0 < i:
                key = self._key(toks[i - 1])
                if key is not None and toks[i + 1].kind == "string":
                    path = [k for k in stack[-4:] if k] + [key]
                    for name in model_names.under_key(path, toks[i + 1].value):
                        self.add(toks[i + 1], name)
            elif token.kind == "name" and i + 1 < len(toks) and toks[i + 1].text == "(":
                self._call(i)
        return sorted(self.found.values(), key=lambda r: (r.line, r.column))

    @staticmethod
    def _key(token: _Token) -> str | None:
        if token.kind == "name":
            return token.text
        if token.kind == "string" and not token.text.startswith("`"):
            return token.value
        return None

    def _key_before(self, index: int) -> str | None:
        """``model: {`` or ``const MODEL_CONFIG = {``: the name an object literal is given."""
        if index >= 2 and self.tokens[index - 1].text in (":", "="):
            return self._key(self.tokens[index - 2])
        return None

    def _assignment_target(self, index: int) -> str | None:
        """The name assigned at the ``=`` at ``index``: ``x = ``, ``const x: string = ``."""
        if index >= 3 and self.tokens[index - 2].text == ":" and self.tokens[index - 3].kind == "name":
            return self.tokens[index - 3].text  # the name, not its type
        before = self.tokens[index - 1] if index >= 1 else None
        if before is not None and before.kind == "name":
            return before.text
        return None

    def _assigned_strings(self, index: int) -> list[_Token]:
        """A literal, or the fallback of ``process.env.X ?? "org/x"`` / ``|| "org/x"``."""
        first = self.tokens[index]
        if first.kind == "string":
            return [first]
        for j in range(index, min(index + 12, len(self.tokens) - 1)):
            text = self.tokens[j].text
            if text in _STATEMENT_END:
                break
            if text in ("??", "||") and self.tokens[j + 1].kind == "string":
                return [self.tokens[j + 1]]
        return []

    def _call(self, index: int) -> None:
        callee = self.tokens[index].text
        arguments = self._argument_starts(index + 1)
        if callee in _LOADERS:
            position = _LOADERS[callee]
            if position < len(arguments):
                loader = "transformers.js pipeline" if callee == "pipeline" else callee
                for string in self.strings(arguments[position]):
                    name = model_names.loaded(string.value)
                    if name is not None:
                        self.add(string, name, loader)
        elif callee in _PROVIDER_CALLS and arguments:
            for string in self.strings(arguments[0]):
                name = model_names.named(string.value)
                if name is not None and name.kind == "api":
                    self.add(string, name, callee)

    def _argument_starts(self, open_index: int) -> list[int]:
        """Token indexes where each top-level argument of the call opened at ``open_index`` starts."""
        starts = [open_index + 1]
        depth = 0
        for j in range(open_index, min(open_index + 400, len(self.tokens))):
            text = self.tokens[j].text
            if self.tokens[j].kind != "punct":
                continue
            if text in "([{":
                depth += 1
            elif text in ")]}":
                depth -= 1
                if depth == 0:
                    break
            elif text == "," and depth == 1:
                starts.append(j + 1)
        return starts


class JavaScriptDetector(Detector):
    name = "javascript"
    description = "JavaScript/TypeScript: transformers.js pipeline()/from_pretrained(), model properties, AI SDK"

    def accepts(self, filename: str) -> bool:
        return file_kinds.javascript(filename)

    def prefilter(self, text: str) -> bool:
        return python_source.could_reference(text) or ("/" in text and ("//" in text or "/*" in text))

    def detect(self, source: SourceFile) -> Iterable[Reference | Note]:
        found = [r for r in _Reader(source, self.name).read() if isinstance(r, Reference)]
        yield from found
        # comments: JSDoc @example code, commented alternatives, prose
        yield from free_text.references(source, prose.c_comments(source.text), self.name, known=found)
