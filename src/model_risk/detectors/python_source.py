"""Model references in Python source, found by parsing (``ast``), not by grepping.

A reference is a string that reaches a model-loading call: ``AutoModel.from_pretrained("org/name")``,
``pipeline(task, model=...)``, ``SentenceTransformer(...)``, ``hf_hub_download(repo_id=...)`` and any
call with a model-ish keyword (``model=``, ``model_id=`` ...) holding a namespaced repo id. Strings
reach the call directly, through a module or function-level constant, or as the default of
``os.environ.get("VAR", "org/name")``. The reference is located where the id is written.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from model_risk import hub_ids
from model_risk.detectors import Detector
from model_risk.domain import Note, Reference
from model_risk.hookspecs import hookimpl
from model_risk.source import SourceFile


@dataclass(frozen=True)
class LoaderSpec:
    """Where a loading call takes its model id."""

    loader: str
    positional: int | None
    keywords: tuple[str, ...]
    #: The call loads a model, so un-namespaced legacy ids (``gpt2``) are references too.
    accepts_legacy: bool = True
    #: The library completes bare names inside this organisation (sentence-transformers).
    short_name_org: str | None = None


#: Keyed by the called function's or method's own name.
LOADERS: dict[str, LoaderSpec] = {
    "from_pretrained": LoaderSpec(
        "from_pretrained", 0, ("pretrained_model_name_or_path", "model_id", "repo_id", "model_name")),
    "pipeline": LoaderSpec("transformers.pipeline", 1, ("model",)),
    "SentenceTransformer": LoaderSpec(
        "sentence_transformers.SentenceTransformer", 0, ("model_name_or_path",),
        short_name_org="sentence-transformers"),
    "CrossEncoder": LoaderSpec("sentence_transformers.CrossEncoder", 0, ("model_name", "model_name_or_path")),
    "hf_hub_download": LoaderSpec("huggingface_hub.hf_hub_download", 0, ("repo_id",), accepts_legacy=False),
    "snapshot_download": LoaderSpec("huggingface_hub.snapshot_download", 0, ("repo_id",),
                                    accepts_legacy=False),
}

#: Keywords that name a model in any call; only namespaced ids count for these.
MODEL_KEYWORDS = frozenset({
    "model", "model_name", "model_id", "model_name_or_path", "pretrained_model_name_or_path",
    "repo_id", "base_model", "base_model_name_or_path", "tokenizer_name", "tokenizer_name_or_path",
    "embedding_model", "embed_model", "reranker_model", "teacher_model", "student_model",
})

_TRIGGER = re.compile(
    r"from_pretrained|pipeline|SentenceTransformer|CrossEncoder|hf_hub_download|snapshot_download|"
    r"model|repo_id"
)
_ENV_GETTERS = frozenset({"get", "getenv"})


@dataclass(frozen=True)
class _Literal:
    value: str
    node: ast.Constant


class _Scope:
    """Simple string assignments in one scope, so names used in calls can be followed."""

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


def _bool_value(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


class _Finder:
    def __init__(self, source: SourceFile, detector_name: str) -> None:
        self.source = source
        self.detector_name = detector_name
        self.module_scope = _Scope()
        self.function_scopes: dict[ast.AST, _Scope] = {}

    # -- collecting assignments ----------------------------------------------------------------
    def collect(self, tree: ast.Module) -> None:
        self._collect_body(tree, self.module_scope)

    def _collect_body(self, node: ast.AST, scope: _Scope) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                inner = _Scope()
                self.function_scopes[child] = inner
                self._collect_body(child, inner)
                continue
            if isinstance(child, ast.Assign):
                for target in child.targets:
                    if isinstance(target, ast.Name):
                        scope.add(target.id, child.lineno, child.value)
            elif isinstance(child, ast.AnnAssign) and isinstance(child.target, ast.Name) and child.value:
                scope.add(child.target.id, child.lineno, child.value)
            self._collect_body(child, scope)

    # -- resolving values ----------------------------------------------------------------------
    def literal(self, node: ast.expr | None, scopes: list[_Scope], line: int, depth: int = 0
                ) -> _Literal | None:
        if node is None or depth > 5:
            return None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return _Literal(node.value, node)
        if isinstance(node, ast.Name):
            for i, scope in enumerate(scopes):
                # A name in the innermost scope must be assigned before use; constants of enclosing
                # scopes may be defined anywhere (functions run after the module body).
                value = scope.lookup(node.id, line if i == 0 else None)
                if value is not None:
                    return self.literal(value, scopes, line, depth + 1)
            return None
        if isinstance(node, ast.Call) and _call_name(node.func) in _ENV_GETTERS and len(node.args) == 2:
            return self.literal(node.args[1], scopes, line, depth + 1)
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            # os.environ.get("MODEL") or "org/name"
            return self.literal(node.values[-1], scopes, line, depth + 1)
        return None

    # -- finding calls -------------------------------------------------------------------------
    def references(self, tree: ast.Module) -> Iterator[Reference]:
        yield from self._walk(tree, [self.module_scope])

    def _walk(self, node: ast.AST, scopes: list[_Scope]) -> Iterator[Reference]:
        for child in ast.iter_child_nodes(node):
            if child in self.function_scopes:
                yield from self._walk(child, [self.function_scopes[child], *scopes])
                continue
            if isinstance(child, ast.Call):
                yield from self._from_call(child, scopes)
            yield from self._walk(child, scopes)

    def _from_call(self, call: ast.Call, scopes: list[_Scope]) -> Iterator[Reference]:
        name = _call_name(call.func)
        keywords = {kw.arg: kw.value for kw in call.keywords if kw.arg}
        repo_type = keywords.get("repo_type")
        if isinstance(repo_type, ast.Constant) and repo_type.value in ("dataset", "space"):
            return
        revision = self.literal(keywords.get("revision"), scopes, call.lineno)
        trust = keywords.get("trust_remote_code")
        if isinstance(trust, ast.Name):
            trust = self._resolved_constant(trust, scopes)
        attributes = {
            "revision": revision.value if revision else None,
            "trust_remote_code": _bool_value(trust),
        }
        spec = LOADERS.get(name or "")
        seen: set[int] = set()
        if spec is not None:
            candidates: list[ast.expr] = []
            if spec.positional is not None and len(call.args) > spec.positional:
                candidates.append(call.args[spec.positional])
            candidates += [keywords[k] for k in spec.keywords if k in keywords]
            for expr in candidates:
                ref = self._reference(expr, scopes, call.lineno, spec, attributes)
                if ref is not None:
                    seen.add(id(expr))
                    yield ref
        for keyword, expr in keywords.items():
            if keyword in MODEL_KEYWORDS and id(expr) not in seen:
                ref = self._reference(expr, scopes, call.lineno, None, attributes,
                                      loader=f"{name}({keyword}=)" if name else None)
                if ref is not None:
                    yield ref

    def _resolved_constant(self, node: ast.Name, scopes: list[_Scope]) -> ast.expr | None:
        for scope in scopes:
            value = scope.lookup(node.id, None)
            if value is not None:
                return value
        return None

    def _reference(self, expr: ast.expr, scopes: list[_Scope], line: int, spec: LoaderSpec | None,
                   attributes: dict[str, object], loader: str | None = None) -> Reference | None:
        literal = self.literal(expr, scopes, line)
        if literal is None:
            return None
        value = literal.value.strip()
        lookup_id = None
        if hub_ids.is_repo_id(value):
            pass
        elif spec is not None and spec.accepts_legacy and hub_ids.is_legacy_id(value):
            pass
        elif spec is not None and spec.short_name_org and hub_ids.LEGACY_ID.fullmatch(value) \
                and "." not in value and "-" in value:
            lookup_id = hub_ids.sentence_transformers_id(value)
        else:
            return None
        line_no, column = self._position(literal.node, value)
        return Reference(
            model=value, path=self.source.path, line=line_no, column=column, detector=self.detector_name,
            loader=spec.loader if spec is not None else loader, lookup_id=lookup_id,
            **attributes,  # type: ignore[arg-type]
        )

    def _position(self, node: ast.Constant, value: str) -> tuple[int, int]:
        """ast columns are UTF-8 byte offsets of the literal; report the character column of the id."""
        line = node.lineno
        text = self.source.line_text(line)
        start = len(text.encode("utf-8")[: node.col_offset].decode("utf-8", "ignore"))
        found = text.find(value, start)
        return line, (found if found >= 0 else start) + 1


class PythonDetector(Detector):
    name = "python"
    description = "Python source: transformers, sentence-transformers, huggingface_hub and model= keywords"

    def accepts(self, filename: str) -> bool:
        return filename.endswith(".py")

    def prefilter(self, text: str) -> bool:
        return _TRIGGER.search(text) is not None

    def detect(self, source: SourceFile) -> Iterable[Reference | Note]:
        try:
            tree = ast.parse(source.text)
        except SyntaxError as exc:
            yield Note(f"skipped: Python syntax error: {exc.msg}", source.path, exc.lineno)
            return
        except (ValueError, RecursionError, MemoryError) as exc:
            yield Note(f"skipped: cannot parse Python ({exc.__class__.__name__})", source.path)
            return
        finder = _Finder(source, self.name)
        finder.collect(tree)
        unique: dict[tuple[int, int, str], Reference] = {}
        for ref in finder.references(tree):
            key = (ref.line, ref.column, ref.model)
            previous = unique.get(key)
            if previous is None or (ref.trust_remote_code and not previous.trust_remote_code):
                unique[key] = ref
        yield from sorted(unique.values(), key=lambda r: (r.line, r.column))


@hookimpl
def register_detectors(register) -> None:  # type: ignore[no-untyped-def]
    register(PythonDetector())
