"""Model references in Python source, found by parsing (``ast``), not by grepping.

A string is a reference when it reaches a place that loads or names a model:

* the id argument of a loading call: transformers ``*.from_pretrained`` and ``pipeline(task, model)``,
  sentence-transformers ``SentenceTransformer``/``CrossEncoder`` (short names are completed inside
  ``sentence-transformers/``), diffusers and peft loaders (``PeftModel.from_pretrained(base, ID)``,
  ``load_lora_weights``), ``huggingface_hub`` downloads, vLLM ``LLM``, ``InferenceClient``, Gemini's
  ``GenerativeModel``;
* a keyword, parameter, variable, attribute, dict key or command-line option whose name means a model
  (``model=``, ``repo_id=``, ``EMBEDDING_MODEL = ...``, ``parser.add_argument("--model_name_or_path",
  default=...)``, ``model_name: str = field(default=...)``) -- see :mod:`model_risk.detect.model_names`;
* a ``hf-hub:ORG/NAME`` string (timm, open_clip);
* a command line run from Python (``subprocess.run(["vllm", "serve", ID])``, ``os.system("...")``).

Strings reach these places directly, through module, class or function constants, function parameter
defaults, ``os.environ.get("VAR", "org/name")`` defaults and ``x or "org/name"``. A call with
``repo_type="dataset"`` (or ``"space"``) names no model. The reference is located where the id is
written, with the call's ``revision=`` and ``trust_remote_code=True``.
"""

from __future__ import annotations

import ast
import bisect
import dataclasses
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from model_risk.contract.detector import Detector
from model_risk.contract.domain import Note, Reference
from model_risk.contract.source import SourceFile
from model_risk.detect import (
    commands,
    file_kinds,
    free_text,
    model_names,
    prose,
    python_literals,
    python_statements,
    structured,
    text_search,
)
from model_risk.detect.model_names import ModelName
from model_risk.detect.references import reference_to
from model_risk.knowledge import publishers


@dataclass(frozen=True)
class LoaderSpec:
    """Where a loading call takes its model id."""

    loader: str
    positional: int | None
    keywords: tuple[str, ...]
    #: The call loads a model, so un-namespaced legacy ids (``gpt2``) are references too.
    accepts_legacy: bool = True
    #: sentence-transformers completes bare names inside its organisation (``all-MiniLM-L6-v2``).
    short_names: bool = False


_HUB_DOWNLOAD = ("repo_id",)
#: Keyed by the called function's or method's own name.
LOADERS: dict[str, LoaderSpec] = {
    "from_pretrained": LoaderSpec(
        "from_pretrained", 0, ("pretrained_model_name_or_path", "model_id", "repo_id", "model_name")),
    "pipeline": LoaderSpec("transformers.pipeline", 1, ("model", "tokenizer")),
    "SentenceTransformer": LoaderSpec(
        "sentence_transformers.SentenceTransformer", 0, ("model_name_or_path",),
        short_names=True),
    "CrossEncoder": LoaderSpec("sentence_transformers.CrossEncoder", 0, ("model_name", "model_name_or_path")),
    "SparseEncoder": LoaderSpec("sentence_transformers.SparseEncoder", 0, ("model_name_or_path",)),
    "HuggingFaceEmbeddings": LoaderSpec("langchain HuggingFaceEmbeddings", None, ("model_name",),
                                        short_names=True),
    "hf_hub_download": LoaderSpec("huggingface_hub.hf_hub_download", 0, _HUB_DOWNLOAD, accepts_legacy=False),
    "snapshot_download": LoaderSpec("huggingface_hub.snapshot_download", 0, _HUB_DOWNLOAD, accepts_legacy=False),
    "hf_hub_url": LoaderSpec("huggingface_hub.hf_hub_url", 0, _HUB_DOWNLOAD, accepts_legacy=False),
    "load_adapter": LoaderSpec("load_adapter", 0, ("peft_model_id",)),
    "load_lora_weights": LoaderSpec("diffusers load_lora_weights", 0, ("pretrained_model_name_or_path_or_dict",)),
    "load_textual_inversion": LoaderSpec("diffusers load_textual_inversion", 0, ("pretrained_model_name_or_path",)),
    "LLM": LoaderSpec("vllm.LLM", 0, ("model", "tokenizer")),
    "LM": LoaderSpec("dspy.LM", 0, ("model",), accepts_legacy=False),
    "InferenceClient": LoaderSpec("huggingface_hub.InferenceClient", 0, ("model",)),
    "GenerativeModel": LoaderSpec("google.generativeai.GenerativeModel", 0, ("model_name",), accepts_legacy=False),
    "init_chat_model": LoaderSpec("langchain.init_chat_model", 0, ("model",), accepts_legacy=False),
    "HuggingFaceModel": LoaderSpec("bentoml.models.HuggingFaceModel", 0, ("model_id",), accepts_legacy=False),
    "get_model": LoaderSpec("mteb.get_model", 0, ("model_name",), accepts_legacy=False),
    # smolagents model classes
    "TransformersModel": LoaderSpec("smolagents.TransformersModel", 0, ("model_id",)),
    "InferenceClientModel": LoaderSpec("smolagents.InferenceClientModel", 0, ("model_id",), accepts_legacy=False),
    "MLXModel": LoaderSpec("smolagents.MLXModel", 0, ("model_id",), accepts_legacy=False),
    "VLLMModel": LoaderSpec("smolagents.VLLMModel", 0, ("model_id",), accepts_legacy=False),
    # LlamaIndex embeddings
    "HuggingFaceEmbedding": LoaderSpec("llama_index HuggingFaceEmbedding", 0, ("model_name",), short_names=True),
    # timm and open_clip take hf-hub:ID (the prefix is removed by model_names)
    "create_model": LoaderSpec("timm.create_model", 0, ("model_name",), accepts_legacy=False),
    "create_model_and_transforms": LoaderSpec("open_clip.create_model_and_transforms", 0, ("model_name",),
                                              accepts_legacy=False),
}
#: ``mlx_lm.load("ID")``: ``load`` alone is too common a name, so only with this receiver.
_RECEIVER_LOADERS = {("mlx_lm", "load"): LoaderSpec("mlx_lm.load", 0, ("path_or_hf_repo",)),
                     ("mlx_lm", "generate"): LoaderSpec("mlx_lm.generate", None, ("model",))}
#: ``PeftModel.from_pretrained(base_model, ADAPTER_ID)``: the adapter is the second argument.
_PEFT_FROM_PRETRAINED = LoaderSpec("peft.PeftModel.from_pretrained", 1, ("model_id",))
#: Command-line option declarations: argparse, click, typer.
_OPTION_CALLS = frozenset({"add_argument", "option", "Option", "argument", "Argument"})
#: Dataclass and pydantic field declarations: ``model_name: str = field(default="org/x")``.
_FIELD_CALLS = frozenset({"field", "Field"})
#: ``os.environ.get("MODEL_ID", "org/x")``, ``config.get("model", "org/x")``.
_GETTERS = frozenset({"get", "getenv", "setdefault", "pop"})
#: Calls that run their first argument as a shell command line.
_SHELL_CALLS = frozenset({"run", "Popen", "call", "check_call", "check_output", "system", "popen", "getoutput"})
_COMMAND_WORDS = frozenset({"serve", "download"})

#: Classes that complete short names, so ``"all-MiniLM-L6-v2"`` needs no slash to be a reference.
_SHORT_NAME_LOADERS = ("SentenceTransformer", "HuggingFaceEmbeddings")
#: Command lines in strings (``os.system("vllm serve org/x")``) are not single literals.
_COMMANDS_IN_STRINGS = ("vllm serve", "cli download", "hf download")


def could_reference(text: str) -> bool:
    """A cheap test: can this code hold a reference at all? (Also used for JavaScript and notebooks.)"""
    return model_names.quoted_candidate(text) or any(n in text for n in _SHORT_NAME_LOADERS) \
        or any(c in text for c in _COMMANDS_IN_STRINGS)


class _Scope:
    """Simple assignments in one scope, so names used in calls can be followed to their strings."""

    def __init__(self) -> None:
        self.assignments: dict[str, list[tuple[int, ast.expr]]] = {}

    def add(self, name: str, line: int, value: ast.expr) -> None:
        self.assignments.setdefault(name, []).append((line, value))

    def lookup(self, name: str, before_line: int | None) -> ast.expr | None:
        candidates = self.assignments.get(name)
        if not candidates:
            return None
        if before_line is None:
            return candidates[-1][1]
        earlier = [value for line, value in candidates if line <= before_line]
        return earlier[-1] if earlier else None


def _call_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _receiver_name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return _call_name(func.value) or ""
    return ""


def _is_str(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _target_name(target: ast.expr) -> str | None:
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute):
        return target.attr
    if isinstance(target, ast.Subscript) and _is_str(target.slice):
        return target.slice.value  # type: ignore[attr-defined, no-any-return]
    return None


class _Finder:
    def __init__(self, source: SourceFile, detector_name: str, literals: Sequence[int] | None = None,
                 uses: dict[str, list[int]] | None = None) -> None:
        self.source = source
        #: Lines each followed name is written on, kept across finders over the same file.
        self.uses: dict[str, list[int]] = {} if uses is None else uses
        #: Offsets of the literals that can matter (see ``python_literals``); found again when not given.
        self.literals = literals
        self.detector_name = detector_name
        self.module_scope = _Scope()
        #: Class attributes and ``self.x = ...``, by attribute name: followed from ``self.x``.
        self.attribute_scope = _Scope()
        self.function_scopes: dict[ast.AST, _Scope] = {}
        self.found: dict[tuple[int, int, str], Reference] = {}
        #: Dicts already read with the name they are assigned to as context.
        self.read_dicts: set[int] = set()
        #: Sorted line numbers worth walking (see ``_relevant_lines``).
        self.relevant: list[int] = []
        #: Names and attribute names whose assignments were looked for while walking: when only part
        #: of a file is parsed, the statements that may assign them must be parsed too.
        self.looked_up: set[str] = set()

    # -- collecting assignments ----------------------------------------------------------------
    def collect(self, tree: ast.Module) -> None:
        self._collect(tree.body, self.module_scope, in_class=False)

    def _collect(self, body: list[ast.stmt], scope: _Scope, in_class: bool) -> None:
        """Assignments are statements: only statement lists are walked here, never expressions."""
        for stmt in body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                inner = _Scope()
                for arg, default in _parameter_defaults(stmt.args):
                    inner.add(arg, stmt.lineno, default)
                self.function_scopes[stmt] = inner
                self._collect(stmt.body, inner, in_class=False)
                continue
            if isinstance(stmt, ast.ClassDef):
                self._collect(stmt.body, scope, in_class=True)
                continue
            if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
                for target in stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]:
                    if isinstance(target, ast.Name):
                        (self.attribute_scope if in_class else scope).add(target.id, stmt.lineno, stmt.value)
                    elif isinstance(target, ast.Attribute):  # self.model_id = "org/x"
                        self.attribute_scope.add(target.attr, stmt.lineno, stmt.value)
            for nested in _bodies(stmt):
                self._collect(nested, scope, in_class)

    def _relevant_lines(self) -> list[int]:
        """Lines a reference can come from or reach: those with a string that could be a model name
        (or a call that completes short names, or a command line), and every line that uses a name
        whose value can become such a string. Statements elsewhere are not walked at all, which is
        most of the work.

        Linear in the file: the assignments are looked at once per round (at most three rounds: names
        set from names set from literals ...), and the lines that use the followed names come from
        one pass over the words of the text, never from a search of the whole text per name."""
        text = self.source.text
        offsets = list(self.literals if self.literals is not None else _mattering_literals(text))
        for word in (*_SHORT_NAME_LOADERS, *_COMMANDS_IN_STRINGS):
            position = text.find(word)
            while position >= 0:
                offsets.append(position)
                position = text.find(word, position + 1)
        lines = {self.source.position(offset)[0] for offset in offsets}
        if not lines:
            return []
        # What each assigned name's value can evaluate to, as ``strings`` follows it: the literals
        # (their line spans) and the names and attributes it goes through.
        sources: dict[str, list[tuple[list[tuple[int, int]], set[str]]]] = {}
        scopes = [self.module_scope, self.attribute_scope, *self.function_scopes.values()]
        for scope in scopes:
            for name, entries in scope.assignments.items():
                reach = sources.setdefault(name, [])
                for _, value in entries:
                    spans: list[tuple[int, int]] = []
                    names: set[str] = set()
                    _string_sources(value, spans, names, 0)
                    if spans or names:
                        reach.append((spans, names))
        followed: set[str] = set()
        uses = self.uses
        for _ in range(3):
            new = {name for name, reach in sources.items() if name not in followed and any(
                any(_span_hits(span, lines) for span in spans) or not names.isdisjoint(followed)
                for spans, names in reach)}
            if not new:
                break
            followed |= new
            missing = [name for name in new if name not in uses]
            if missing:
                found = _word_lines(self.source, missing)
                for name in missing:
                    uses[name] = found.get(name, [])
            for name in new:
                lines.update(uses[name])
        return sorted(lines)

    def _touches(self, node: ast.AST) -> bool:
        start = node.lineno  # type: ignore[attr-defined]
        index = bisect.bisect_left(self.relevant, start)
        return index < len(self.relevant) and self.relevant[index] <= (node.end_lineno or start)  # type: ignore[attr-defined]

    # -- following values to their strings -----------------------------------------------------
    def strings(self, node: ast.expr | None, scopes: Sequence[_Scope], line: int, depth: int = 0
                ) -> list[ast.Constant]:
        """The string literals an expression can evaluate to, following simple constants."""
        if node is None or depth > 6:
            return []
        if _is_str(node):
            return [node]  # type: ignore[list-item]
        if isinstance(node, ast.Name):
            self.looked_up.add(node.id)
            for i, scope in enumerate(scopes):
                # A name in the innermost scope must be assigned before use; constants of enclosing
                # scopes may be defined anywhere (functions run after the module body).
                value = scope.lookup(node.id, line if i == 0 else None)
                if value is not None:
                    return self.strings(value, scopes, line, depth + 1)
            return []
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            self.looked_up.add(node.attr)
            value = self.attribute_scope.lookup(node.attr, None)
            return self.strings(value, scopes, line, depth + 1) if value is not None else []
        if isinstance(node, ast.Call) and _call_name(node.func) in _GETTERS and len(node.args) == 2:
            return self.strings(node.args[1], scopes, line, depth + 1)
        if isinstance(node, ast.Call) and _call_name(node.func) in _FIELD_CALLS:
            return self.strings(_field_default(node), scopes, line, depth + 1)
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            # os.environ.get("MODEL") or "org/name"
            return [s for value in node.values for s in self.strings(value, scopes, line, depth + 1)]
        if isinstance(node, ast.IfExp):
            return self.strings(node.body, scopes, line, depth + 1) + \
                self.strings(node.orelse, scopes, line, depth + 1)
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            # add_argument("--models", nargs="*", default=CANDIDATES): each element is a value
            return [e for e in node.elts if _is_str(e)]  # type: ignore[misc]
        return []

    # -- recording references ------------------------------------------------------------------
    def add(self, literal: ast.Constant, name: ModelName, **attributes: object) -> None:
        """Record ``name``, found at ``name.start`` of the literal's value."""
        offset = self._offset_in_literal(literal, name.start, name.model)
        ref = reference_to(self.source, offset, dataclasses.replace(name, start=0), self.detector_name,
                           **attributes)
        if ref.call_lines and ref.call_lines[0] == (ref.line, ref.line):
            ref = dataclasses.replace(ref, call_lines=())  # the call is the id's own line: nothing to add
        self.record(ref)

    def record(self, ref: Reference) -> None:
        """Keep one reference per place; a constant used by several calls collects what each says."""
        key = (ref.line, ref.column, ref.model)
        previous = self.found.get(key)
        if previous is not None:
            ref = dataclasses.replace(
                ref, revision=previous.revision or ref.revision,
                trust_remote_code=previous.trust_remote_code or ref.trust_remote_code,
                loader=previous.loader or ref.loader, lookup_id=previous.lookup_id or ref.lookup_id,
                call_lines=tuple(dict.fromkeys(previous.call_lines + ref.call_lines)))
        self.found[key] = ref

    def add_under_key(self, literal: ast.Constant, path: Sequence[str], **attributes: object) -> None:
        for name in model_names.under_key(path, str(literal.value)):
            self.add(literal, name, **attributes)

    def _literal_span(self, node: ast.AST) -> tuple[int, int]:
        """Character offsets of a node's source text (ast columns count UTF-8 bytes)."""
        start = self._char_offset(node.lineno, node.col_offset)  # type: ignore[attr-defined]
        end_line = getattr(node, "end_lineno", None) or node.lineno  # type: ignore[attr-defined]
        end_col = getattr(node, "end_col_offset", None)
        end = self._char_offset(end_line, end_col) if end_col is not None else start
        return start, max(end, start)

    def _char_offset(self, line: int, byte_column: int) -> int:
        text = self.source.line_text(line)
        column = len(text.encode("utf-8")[:byte_column].decode("utf-8", "ignore"))
        return self.source.line_offset(line) + column

    def _offset_in_literal(self, literal: ast.AST, index: int, text: str) -> int:
        """Where the ``text`` found at ``index`` of a string literal's value is written in the source."""
        start, end = self._literal_span(literal)
        value = literal.value if _is_str(literal) else ""  # type: ignore[attr-defined]
        return start + structured.nth_offset(self.source.text[start:end], value, index, text)

    # -- walking -------------------------------------------------------------------------------
    def walk(self, tree: ast.Module) -> list[Reference]:
        self.relevant = self._relevant_lines()
        if self.relevant:
            self._statements(tree.body, [self.module_scope])
        return sorted(self.found.values(), key=lambda r: (r.line, r.column))

    def _statements(self, body: list[ast.stmt], scopes: list[_Scope]) -> None:
        for stmt in body:
            if not self._touches(stmt):
                continue
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                inner = [self.function_scopes[stmt], *scopes]
                for decorator in stmt.decorator_list:
                    self._expression(decorator, scopes)
                self._parameters(stmt.args, inner)
                self._statements(stmt.body, inner)
            elif isinstance(stmt, ast.ClassDef):
                for header in (*stmt.decorator_list, *stmt.bases, *(k.value for k in stmt.keywords)):
                    self._expression(header, scopes)
                self._statements(stmt.body, scopes)
            elif nested := list(_bodies(stmt)):
                if isinstance(stmt, (ast.For, ast.AsyncFor)):
                    self._loop(stmt.target, stmt.iter)
                for clause in _headers(stmt):
                    self._expression(clause, scopes)
                for statements in nested:
                    self._statements(statements, scopes)
            else:
                self._expression(stmt, scopes)

    def _expression(self, node: ast.AST, scopes: list[_Scope]) -> None:
        """A simple statement or a compound statement's header, and everything in it."""
        if self._touches(node):
            self._visit(node, scopes)
            self._walk(node, scopes)

    def _walk(self, node: ast.AST, scopes: list[_Scope]) -> None:
        """Visit every node below ``node``, parents before children, in source order (a dict read
        under the name it is assigned to is then not read again on its own). Iterative, with the child
        fields of each node class looked up once: ``ast.iter_child_nodes`` costs more than the visit."""
        stack = _children(node)
        stack.reverse()
        visit = self._visit
        name_node, constant_node = ast.Name, ast.Constant
        while stack:
            child = stack.pop()
            kind = type(child)
            # Names and constants are most of the nodes, and only a ``hf-hub:`` string among them
            # can be a reference: they skip the visit's chain of type tests.
            if kind is name_node:
                continue
            if kind is constant_node:
                value = child.value  # type: ignore[attr-defined]
                if isinstance(value, str) and value.startswith(("hf-hub:", "hf_hub:")):
                    visit(child, scopes)
                continue
            visit(child, scopes)
            below = _children(child)
            if below:
                below.reverse()
                stack += below

    def _visit(self, node: ast.AST, scopes: list[_Scope]) -> None:
        if isinstance(node, ast.Call):
            self._call(node, scopes)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            self._assignment(node, scopes)
        elif isinstance(node, ast.comprehension):
            self._loop(node.target, node.iter)
        elif isinstance(node, ast.Dict) and id(node) not in self.read_dicts:
            self._dict(node, (), scopes, node.lineno)
        elif isinstance(node, (ast.List, ast.Tuple)):
            self._argv(node.elts)
        elif _is_str(node) and node.value.startswith(("hf-hub:", "hf_hub:")):  # type: ignore[attr-defined]
            name = model_names.named(node.value)  # type: ignore[attr-defined]
            if name is not None:
                self.add(node, name, loader="hf-hub")  # type: ignore[arg-type]

    def _call(self, call: ast.Call, scopes: list[_Scope]) -> None:
        name = _call_name(call.func) or ""
        keywords = {kw.arg: kw.value for kw in call.keywords if kw.arg}
        repo_type = keywords.get("repo_type")
        if _is_str(repo_type) and repo_type.value in ("dataset", "space"):  # type: ignore[union-attr]
            return
        line = call.lineno
        revision = next(iter(self.strings(keywords.get("revision"), scopes, line)), None)
        trust = keywords.get("trust_remote_code")
        if isinstance(trust, ast.Name):
            self.looked_up.add(trust.id)
            trust = next((v for s in scopes if (v := s.lookup(trust.id, None)) is not None), trust)
        attributes: dict[str, object] = {
            "revision": revision.value if revision is not None else None,
            "trust_remote_code": isinstance(trust, ast.Constant) and trust.value is True,
            "call_lines": ((line, getattr(call, "end_lineno", None) or line),)}
        receiver = _receiver_name(call.func)
        spec = LOADERS.get(name) or _RECEIVER_LOADERS.get((receiver, name))
        if name == "from_pretrained" and receiver.startswith("Peft"):
            spec = _PEFT_FROM_PRETRAINED
        consumed: set[str] = set()
        if spec is not None:
            loader = f"{receiver}.{name}" if name == "from_pretrained" and receiver else spec.loader
            arguments: list[ast.expr] = []
            if spec.positional is not None and len(call.args) > spec.positional:
                arguments.append(call.args[spec.positional])
            arguments += [keywords[k] for k in spec.keywords if k in keywords]
            consumed.update(spec.keywords)
            for argument in arguments:
                for literal in self.strings(argument, scopes, line):
                    found = model_names.loaded(str(literal.value), legacy=spec.accepts_legacy,
                                               short_names=spec.short_names)
                    if found is not None:
                        self.add(literal, found, loader=loader, **attributes)
        if name in _OPTION_CALLS:
            self._option(call, scopes)
            return
        if name in _GETTERS and len(call.args) == 2 and _is_str(call.args[0]):
            for literal in self.strings(call.args[1], scopes, line):
                self.add_under_key(literal, (call.args[0].value,))  # type: ignore[attr-defined]
        if name in _SHELL_CALLS and call.args and _is_str(call.args[0]):
            self._shell(call.args[0])  # type: ignore[arg-type]
        for keyword, value in keywords.items():
            if keyword in consumed:
                continue
            if isinstance(value, ast.Dict):
                self._dict(value, (keyword,), scopes, line)
                continue
            for literal in self.strings(value, scopes, line):
                self.add_under_key(literal, (keyword,), loader=name or None, **attributes)

    def _option(self, call: ast.Call, scopes: list[_Scope]) -> None:
        """``add_argument("--model", default="org/x")``, ``typer.Option("org/x", "--model")``."""
        flags = [a.value for a in call.args if _is_str(a) and a.value.startswith("-")]  # type: ignore[attr-defined]
        if not flags:
            return
        flag = max(flags, key=len).lstrip("-")
        if _helps_with_data(call):
            return
        default = next((kw.value for kw in call.keywords if kw.arg == "default"), None)
        if default is None and call.args and _is_str(call.args[0]) and not call.args[0].value.startswith("-"):  # type: ignore[attr-defined]
            default = call.args[0]
        for literal in self.strings(default, scopes, call.lineno):
            self.add_under_key(literal, (flag,), loader="command-line option")

    def _assignment(self, node: ast.Assign | ast.AnnAssign, scopes: list[_Scope]) -> None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        value = node.value
        if value is None:
            return
        for target in targets:
            if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple):
                pairs = list(zip(target.elts, value.elts))
            else:
                pairs = [(target, value)]
            for one_target, one_value in pairs:
                name = _target_name(one_target)
                if name is not None:
                    self._named_value(name, one_value, scopes, node.lineno)

    def _named_value(self, name: str, value: ast.expr, scopes: list[_Scope], line: int) -> None:
        if isinstance(value, ast.Call) and _call_name(value.func) in _FIELD_CALLS and _helps_with_data(value):
            return
        if isinstance(value, ast.Dict):
            self._dict(value, (name,), scopes, line)
        elif isinstance(value, (ast.List, ast.Tuple, ast.Set)):
            for element in value.elts:
                if isinstance(element, ast.Dict):
                    self._dict(element, (name,), scopes, line)
                elif _is_str(element):
                    self.add_under_key(element, (name,))  # type: ignore[arg-type]
            if model_names.meaning((name,)) is model_names.Meaning.NONE and not model_names.blocks(name):
                self._alternatives(value.elts)
        else:
            for literal in self.strings(value, scopes, line):
                self.add_under_key(literal, (name,))

    def _alternatives(self, elements: Sequence[ast.expr]) -> None:
        """``candidates = ["org/a", "org/b"]`` under a name that says nothing: a list of Hub ids, one of a
        known model publisher, reads as models to choose from (likely)."""
        names = [(e, model_names.named(e.value)) for e in elements if isinstance(e, ast.Constant)
                 and isinstance(e.value, str)]
        if len(names) < 2 or len(names) != len(elements) or any(n is None or n.kind != "hub" for _, n in names):
            return
        if any(publishers.is_publisher(n.model.split("/", 1)[0]) for _, n in names if n is not None):
            for element, found in names:
                if found is not None:
                    self.add(element, found, confidence="likely")

    def _dict(self, node: ast.Dict, path: tuple[str, ...], scopes: list[_Scope], line: int) -> None:
        self.read_dicts.add(id(node))
        if len(path) > 8:
            return
        for key, value in zip(node.keys, node.values):
            if not _is_str(key):
                continue
            key_path = (*path, key.value)  # type: ignore[union-attr]
            if isinstance(value, ast.Dict):
                self._dict(value, key_path, scopes, line)
            elif isinstance(value, (ast.List, ast.Tuple)):
                for element in value.elts:
                    if isinstance(element, ast.Dict):
                        self._dict(element, key_path, scopes, line)
                    elif _is_str(element):
                        self.add_under_key(element, key_path)  # type: ignore[arg-type]
            else:
                for literal in self.strings(value, scopes, line):
                    self.add_under_key(literal, key_path)

    def _loop(self, target: ast.expr, iterable: ast.expr) -> None:
        """``for model_id in ["org/a", "org/b"]:``"""
        name = _target_name(target)
        if name is not None and isinstance(iterable, (ast.List, ast.Tuple, ast.Set)):
            for element in iterable.elts:
                if _is_str(element):
                    self.add_under_key(element, (name,))  # type: ignore[arg-type]

    def _parameters(self, arguments: ast.arguments, scopes: list[_Scope]) -> None:
        for arg, default in _parameter_defaults(arguments):
            if self._touches(default):
                for literal in self.strings(default, scopes[1:], default.lineno):
                    self.add_under_key(literal, (arg,))

    def _argv(self, elements: Sequence[ast.expr]) -> None:
        """``subprocess.run(["vllm", "serve", "org/x"])``: a literal list of command-line words."""
        if len(elements) < 2 or not all(_is_str(e) for e in elements):
            return
        values = [e.value for e in elements]  # type: ignore[attr-defined]
        if not any(v.startswith("-") or v in _COMMAND_WORDS for v in values):
            return
        words = []
        for element, value in zip(elements, values):
            start, end = self._literal_span(element)
            words.append(commands.Word(value, start, self.source.text[start:end]))
        for found in commands.command_models(words):
            self.record(reference_to(self.source, found.offset, found.name, self.detector_name,
                                     loader=found.loader, revision=found.revision,
                                     trust_remote_code=found.trust_remote_code, confidence=found.confidence))

    def _shell(self, literal: ast.Constant) -> None:
        """``os.system("vllm serve org/x")``: the string is read as shell text."""
        for found in commands.text_models(str(literal.value)):
            name = dataclasses.replace(found.name, start=found.offset + found.name.start)
            self.add(literal, name, loader=found.loader, revision=found.revision,
                     trust_remote_code=found.trust_remote_code, confidence=found.confidence)


_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}
#: Leaves: nothing below them can hold a string.
_LEAVES = (ast.Name, ast.Constant, ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop)


def _children(node: ast.AST) -> list[ast.AST]:
    """The child nodes of ``node`` in field order, as ``ast.iter_child_nodes`` gives them."""
    cls = type(node)
    fields = _CHILD_FIELDS.get(cls)
    if fields is None:
        fields = _CHILD_FIELDS[cls] = () if issubclass(cls, _LEAVES) else cls._fields
    out: list[ast.AST] = []
    for field in fields:
        value = getattr(node, field, None)
        if isinstance(value, ast.AST):
            out.append(value)
        elif isinstance(value, list):
            out += [item for item in value if isinstance(item, ast.AST)]
    return out


def _bodies(stmt: ast.stmt) -> Iterator[list[ast.stmt]]:
    """The statement lists nested in a compound statement (none for a simple one)."""
    for field in ("body", "orelse", "finalbody"):
        nested = getattr(stmt, field, None)
        if isinstance(nested, list) and nested:
            yield nested
    for part in (*getattr(stmt, "handlers", ()), *getattr(stmt, "cases", ())):
        yield part.body


def _headers(stmt: ast.stmt) -> list[ast.AST]:
    """The expressions a compound statement evaluates before its bodies."""
    headers = [getattr(stmt, field) for field in ("test", "iter", "subject") if getattr(stmt, field, None)]
    headers += [item.context_expr for item in getattr(stmt, "items", ())]
    return headers


def _span_hits(span: tuple[int, int], lines: set[int]) -> bool:
    first, last = span
    if last - first > 64:  # a long string: look up the lines that are relevant instead
        return any(first <= line <= last for line in lines)
    return any(line in lines for line in range(first, last + 1))


def _string_sources(node: ast.expr | None, spans: list[tuple[int, int]], names: set[str], depth: int) -> None:
    """Where the strings ``_Finder.strings`` can find in ``node`` come from: literals (as line spans)
    and the names and attributes it follows. Mirrors ``strings`` so that a name is followed only when
    its value can become a string."""
    if node is None or depth > 6:
        return
    if _is_str(node):
        spans.append((node.lineno, node.end_lineno or node.lineno))
    elif isinstance(node, ast.Name):
        names.add(node.id)
    elif isinstance(node, ast.Attribute):
        if isinstance(node.value, ast.Name):
            names.add(node.attr)
    elif isinstance(node, ast.Call):
        called = _call_name(node.func)
        if called in _GETTERS and len(node.args) == 2:
            _string_sources(node.args[1], spans, names, depth + 1)
        elif called in _FIELD_CALLS:
            _string_sources(_field_default(node), spans, names, depth + 1)
    elif isinstance(node, ast.BoolOp):
        if isinstance(node.op, ast.Or):
            for value in node.values:
                _string_sources(value, spans, names, depth + 1)
    elif isinstance(node, ast.IfExp):
        _string_sources(node.body, spans, names, depth + 1)
        _string_sources(node.orelse, spans, names, depth + 1)
    elif isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        for element in node.elts:
            if _is_str(element):
                spans.append((element.lineno, element.end_lineno or element.lineno))  # type: ignore[attr-defined]


#: A word as ``\b...\b`` delimits it: identifiers are whole words.
_WORD_OR_BREAK = text_search.lazy(r"\w+|\n")


#: A word followed by ``=`` (not ``==``) or ``:``: where an assignment, an annotated assignment, a
#: parameter default or a keyword argument may set a name; or a line break, to count lines.
_ASSIGNED_OR_BREAK = text_search.lazy(r"\n|(?<!\w)(\w++)[ \t]*+(?=:|=(?!=))")


def _assignment_lines(source: SourceFile, wanted: Iterable[str]) -> dict[str, list[int]]:
    """The lines where each of the ``wanted`` names may be assigned, from one pass over the text."""
    wanted = set(wanted)
    found: dict[str, list[int]] = {}
    text = source.text
    if len(wanted) <= 8:  # a few names: str.find, then a look at what follows each
        for name in wanted:
            at = text.find(name)
            while at >= 0:
                end = at + len(name)
                if not (at and _word_char(text[at - 1])) and not (end < len(text) and _word_char(text[end])):
                    after = end
                    while after < len(text) and text[after] in " \t":
                        after += 1
                    if text.startswith(":", after) or (text.startswith("=", after) and not text.startswith("==", after)):
                        found.setdefault(name, []).append(source.position(at)[0])
                at = text.find(name, end)
        return found
    line = 1
    for word in _ASSIGNED_OR_BREAK.findall(text):
        if not word:
            line += 1
        elif word in wanted:
            found.setdefault(word, []).append(line)
    return found


def _word_char(char: str) -> bool:
    """Is ``char`` one that ``\\w`` matches (what ``\\b`` sees as part of a word)?"""
    return char.isalnum() or char == "_"


def _word_lines(source: SourceFile, wanted: Iterable[str]) -> dict[str, list[int]]:
    """The lines each of the ``wanted`` words is written on (in code, strings or comments alike), from
    one pass over the text."""
    wanted = set(wanted)
    position = source.position
    uses: dict[str, list[int]] = {}
    text = source.text
    if len(wanted) <= 8:  # a few names: str.find, which skips ahead far faster than a regex steps
        for name in wanted:
            found = text.find(name)
            while found >= 0:
                end = found + len(name)
                if not (found and _word_char(text[found - 1])) and not (end < len(text) and _word_char(text[end])):
                    uses.setdefault(name, []).append(position(found)[0])
                found = text.find(name, end)
        return uses
    # Many names: one list of every word and line break, made in C, and one loop over it.
    line = 1
    for word in _WORD_OR_BREAK.findall(text):
        if word == "\n":
            line += 1
        elif word in wanted:
            lines = uses.setdefault(word, [])
            if not lines or lines[-1] != line:
                lines.append(line)
    return uses


def _helps_with_data(call: ast.Call) -> bool:
    """An option or field whose own help text says it is about a dataset, not a model
    (``repo_id: str = field(default="org/x", metadata={"help": "repository to push the dataset to"})``)."""
    for keyword in call.keywords:
        value: ast.expr | None = keyword.value
        if keyword.arg == "metadata" and isinstance(value, ast.Dict):
            value = next((v for k, v in zip(value.keys, value.values)
                          if isinstance(k, ast.Constant) and k.value == "help"), None)
        elif keyword.arg != "help":
            continue
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            text = value.value.lower()
            return "dataset" in text and "model" not in text
    return False


def _field_default(call: ast.Call) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == "default":
            return keyword.value
    return call.args[0] if call.args else None


def _parameter_defaults(arguments: ast.arguments) -> Iterator[tuple[str, ast.expr]]:
    positional = [*arguments.posonlyargs, *arguments.args]
    for arg, default in zip(positional[len(positional) - len(arguments.defaults):], arguments.defaults):
        yield arg.arg, default
    for arg, keyword_default in zip(arguments.kwonlyargs, arguments.kw_defaults):
        if keyword_default is not None:
            yield arg.arg, keyword_default


#: Calls whose first argument can become a reference, and keywords that can carry one whatever their
#: words mean: a literal passed anywhere else is not followed (see ``python_literals``).
_INTERESTING_CALLS = frozenset({*LOADERS, *_OPTION_CALLS, *_FIELD_CALLS, *_GETTERS, *_SHELL_CALLS})
_INTERESTING_KEYWORDS = frozenset({*(k for spec in (*LOADERS.values(), _PEFT_FROM_PRETRAINED) for k in spec.keywords),
                                   "default"})


def _mattering_literals(text: str) -> list[int]:
    return python_literals.relevant(text, _INTERESTING_CALLS, _INTERESTING_KEYWORDS)


def _has_words(text: str) -> bool:
    return any(word in text for word in (*_SHORT_NAME_LOADERS, *_COMMANDS_IN_STRINGS))


def worth_parsing(text: str) -> bool:
    """Could any string that looks like a model name become a reference? Not when every such literal
    is passed to a call that loads nothing, sits in a docstring, or is assigned to a name that means
    nothing about models and is never used again (``WANDB_PROJECT = "team/project"``); then the file
    need not be parsed. See :mod:`model_risk.detect.python_literals`."""
    return _has_words(text) or bool(_mattering_literals(text))


#: Files with fewer top-level statements are parsed whole: splitting them saves nothing.
_SPLIT_FROM = 8


def _statements_that_matter(source: SourceFile, detector_name: str, literals: Sequence[int],
                            uses: dict[str, list[int]]) -> ast.Module | None:
    """A module of only the top-level statements that can hold or reach a reference, parsed one
    piece at a time (see :mod:`model_risk.detect.python_statements`), or None to parse the whole file.

    The statements holding candidate literals are parsed first; the names they assign are followed
    to the lines that use them, the names the walk looks up are followed to the lines that may assign
    them, and the statements there are parsed too, until no new one is needed. A statement that none
    of this reaches cannot change the result: its lines would not be walked, and an assignment in it
    is to a name that is neither followed nor looked up."""
    text = source.text
    starts = python_statements.units(text)
    if len(starts) < _SPLIT_FROM:
        return None
    chunk_lines = [source.position(unit.offset)[0] for unit in starts]
    parsed: set[int] = set()
    module = ast.Module(body=[], type_ignores=[])
    assigned: dict[str, list[int]] = {}
    for _ in range(8):
        finder = _Finder(source, detector_name, literals, uses)
        finder.collect(module)
        finder.walk(module)
        lines = set(finder.relevant)
        missing = [name for name in finder.looked_up if name not in assigned]
        if missing:
            found = _assignment_lines(source, missing)
            for name in missing:
                assigned[name] = found.get(name, [])
        for name in finder.looked_up:
            lines.update(assigned[name])
        wanted = {bisect.bisect_right(chunk_lines, line) - 1 for line in lines} - parsed
        if not wanted:
            return module
        if len(parsed | wanted) * 2 > len(starts):
            return None  # most of the file: one parse is cheaper
        parsed |= wanted
        body = python_statements.parse_pieces(text, starts, chunk_lines, wanted)
        if body is None:
            return None
        module = ast.Module(body=sorted([*module.body, *body], key=lambda stmt: stmt.lineno), type_ignores=[])
    return None


def python_references(source: SourceFile, detector_name: str, *, split: bool = False
                      ) -> Iterator[Reference | Note]:
    """Parse ``source`` as Python and yield its references (or a note when it does not parse).

    ``split``: parse only the top-level statements that matter when they parse on their own. A file
    broken elsewhere then still yields what its sound statements hold, where a whole parse yields
    only a syntax-error note; the Python detector splits (source files are rarely broken), code
    blocks of documents and notebooks (often fragments) are parsed whole."""
    literals = _mattering_literals(source.text)
    if not literals and not _has_words(source.text):
        return
    uses: dict[str, list[int]] = {}
    try:
        tree = (split and _statements_that_matter(source, detector_name, literals, uses)) or ast.parse(source.text)
    except SyntaxError as exc:
        yield Note(f"skipped: Python syntax error: {exc.msg}", source.path, exc.lineno)
        return
    except (ValueError, RecursionError, MemoryError) as exc:
        yield Note(f"skipped: cannot parse Python ({exc.__class__.__name__})", source.path)
        return
    finder = _Finder(source, detector_name, literals, uses)
    try:
        finder.collect(tree)
        references = finder.walk(tree)
    except RecursionError:
        yield Note("skipped: Python nested too deeply to analyse", source.path)
        return
    yield from references


class PythonDetector(Detector):
    name = "python"
    description = ("Python source: transformers, sentence-transformers, diffusers, peft, huggingface_hub, vLLM, "
                   "LangChain/LlamaIndex, API clients, model-ish names and command-line options")

    def accepts(self, filename: str) -> bool:
        return file_kinds.python(filename)

    def prefilter(self, text: str) -> bool:
        # ``python_references`` starts with the one pass over the literals that decides whether the
        # file is parsed; a cheap test before it would read the text once more.
        return True

    def detect(self, source: SourceFile) -> Iterable[Reference | Note]:
        found = list(python_references(source, self.name, split=True))
        yield from (n for n in found if isinstance(n, Note))
        # comments, docstrings and help texts: command lines, commented alternatives, prose
        known = [r for r in found if isinstance(r, Reference)]
        parsed = len(known) == len(found)  # code that does not parse is not read as code at all
        if parsed:  # short names anywhere in the file, code and prose in one pass
            known += free_text.short_name_references(source, self.name, known)
        yield from known
        yield from free_text.references(source, prose.python_prose(source.text), self.name, known=known,
                                        short=not parsed)
