"""Rule conditions: the comparisons a rule pack may use, compiled once into predicates.

A condition is a YAML mapping:

* ``{all: [...]}``, ``{any: [...]}``, ``{not: {...}}`` combine conditions;
* ``{field: PATH, OP: VALUE}`` compares a field of the subject (``license.osi``, ``formats``) using one of
  the operators in :data:`OPERATORS`; ``VALUE`` may be ``{param: NAME}``, a parameter of the rule that
  the user's config can override;
* ``{check: NAME, args: {...}}`` calls a named :class:`Condition` registered by a plugin.

Nothing in a pack is evaluated as code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from model_risk.contract.condition import Condition, Subject

Predicate = Callable[[Subject], bool]


class ConditionError(Exception):
    """A condition that cannot be compiled; ``path`` locates it inside the rule's ``when``."""

    def __init__(self, message: str, path: Sequence[str | int]) -> None:
        super().__init__(message)
        self.message = message
        self.path = tuple(path)


def get_field(subject: Subject, path: str) -> Any:
    value: Any = subject
    for part in path.split("."):
        if isinstance(value, Mapping):
            value = value.get(part)
        else:
            return None
        if value is None:
            return None
    return value


def _equal(actual: Any, expected: Any) -> bool:
    # YAML `true` must not equal the number 1 (Python's bool is an int).
    if isinstance(expected, bool) or isinstance(actual, bool):
        return actual is expected
    return bool(actual == expected)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple, set, frozenset)):
        return list(value)
    return [value]


def _compare(op: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    return lambda actual, expected: _is_number(actual) and op(actual, expected)


OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "equals": _equal,
    "not-equals": lambda a, e: not _equal(a, e),
    "in": lambda a, e: any(_equal(a, x) for x in e),
    "not-in": lambda a, e: not any(_equal(a, x) for x in e),
    "lt": _compare(lambda a, e: a < e),
    "le": _compare(lambda a, e: a <= e),
    "gt": _compare(lambda a, e: a > e),
    "ge": _compare(lambda a, e: a >= e),
    "matches": lambda a, e: any(isinstance(x, str) and e.search(x) is not None for x in _as_list(a)),
    "exists": lambda a, e: (a is not None) is e,
    "empty": lambda a, e: (a is None or (hasattr(a, "__len__") and len(a) == 0)) is e,
    "contains": lambda a, e: any(_equal(x, e) for x in _as_list(a)),
    "contains-any": lambda a, e: any(_equal(x, y) for x in _as_list(a) for y in e),
    "only": lambda a, e: bool(_as_list(a)) and all(any(_equal(x, y) for y in e) for x in _as_list(a)),
}
_LIST_OPERANDS = {"in", "not-in", "contains-any", "only"}
_NUMBER_OPERANDS = {"lt", "le", "gt", "ge"}
_BOOL_OPERANDS = {"exists", "empty"}


@dataclass(frozen=True)
class CompileContext:
    scope: str
    params: Mapping[str, Any]
    checks: Mapping[str, Condition]
    #: Validates a field path for the scope; returns an error message or None.
    check_field: Callable[[str, str], str | None]
    #: Filled while compiling: the field paths the condition reads, ``"*"`` when a check may read any.
    reads: set[str] = field(default_factory=set)


def compile_condition(node: Any, ctx: CompileContext, path: tuple[str | int, ...] = ()) -> Predicate:
    if not isinstance(node, Mapping) or not node:
        raise ConditionError("a condition must be a non-empty mapping", path)
    keys = set(node)
    if keys == {"all"} or keys == {"any"}:
        key = next(iter(keys))
        items = node[key]
        if not isinstance(items, list) or not items:
            raise ConditionError(f"'{key}' takes a non-empty list of conditions", (*path, key))
        parts = [compile_condition(item, ctx, (*path, key, i)) for i, item in enumerate(items)]
        if key == "all":
            return lambda subject: all(p(subject) for p in parts)
        return lambda subject: any(p(subject) for p in parts)
    if keys == {"not"}:
        inner = compile_condition(node["not"], ctx, (*path, "not"))
        return lambda subject: not inner(subject)
    if "check" in keys:
        return _compile_check(node, ctx, path)
    if "field" in keys:
        return _compile_comparison(node, ctx, path)
    raise ConditionError(
        f"unknown condition keys {sorted(map(str, keys))}: use all, any, not, field or check", path)


def _compile_check(node: Mapping[str, Any], ctx: CompileContext, path: tuple[str | int, ...]) -> Predicate:
    extra = set(node) - {"check", "args"}
    if extra:
        raise ConditionError(f"unexpected keys {sorted(extra)} beside 'check'", path)
    name = node["check"]
    condition = ctx.checks.get(name) if isinstance(name, str) else None
    if condition is None:
        known = ", ".join(sorted(ctx.checks)) or "none"
        raise ConditionError(f"unknown check {name!r} (known: {known})", (*path, "check"))
    if ctx.scope not in condition.scopes:
        raise ConditionError(f"check {name!r} does not apply to scope {ctx.scope!r}", (*path, "check"))
    ctx.reads.add("*")
    args = node.get("args") or {}
    if not isinstance(args, Mapping):
        raise ConditionError("'args' must be a mapping", (*path, "args"))
    resolved = {k: _resolve_value(v, ctx, (*path, "args", k)) for k, v in args.items()}
    return lambda subject: bool(condition.test(subject, resolved))


def _resolve_value(value: Any, ctx: CompileContext, path: tuple[str | int, ...]) -> Any:
    if isinstance(value, Mapping):
        if set(value) != {"param"}:
            raise ConditionError("a value must be a literal or {param: NAME}", path)
        name = value["param"]
        if name not in ctx.params:
            known = ", ".join(sorted(ctx.params)) or "none"
            raise ConditionError(f"unknown parameter {name!r} (this rule's parameters: {known})", path)
        return ctx.params[name]
    return value


def _compile_comparison(node: Mapping[str, Any], ctx: CompileContext, path: tuple[str | int, ...]
                        ) -> Predicate:
    field = node["field"]
    if not isinstance(field, str) or not field:
        raise ConditionError("'field' must be a dotted field name", (*path, "field"))
    problem = ctx.check_field(ctx.scope, field)
    if problem:
        raise ConditionError(problem, (*path, "field"))
    ctx.reads.add(field)
    ops = [k for k in node if k != "field"]
    if len(ops) != 1 or ops[0] not in OPERATORS:
        known = ", ".join(OPERATORS)
        raise ConditionError(f"a field condition takes exactly one operator ({known})", path)
    op = ops[0]
    expected = _resolve_value(node[op], ctx, (*path, op))
    where = (*path, op)
    if op in _LIST_OPERANDS and not isinstance(expected, list):
        raise ConditionError(f"'{op}' takes a list", where)
    if op in _NUMBER_OPERANDS and not _is_number(expected):
        raise ConditionError(f"'{op}' takes a number", where)
    if op in _BOOL_OPERANDS and not isinstance(expected, bool):
        raise ConditionError(f"'{op}' takes true or false", where)
    if op == "matches":
        if not isinstance(expected, str):
            raise ConditionError("'matches' takes a regular expression string", where)
        from model_risk.evaluate.patterns import PatternError, compile_pattern

        try:
            expected = compile_pattern(expected)
        except PatternError as exc:
            raise ConditionError(str(exc), where) from None
    compare = OPERATORS[op]
    return lambda subject: compare(get_field(subject, field), expected)
