"""Loading rule packs: YAML files validated against ``schemas/rule-pack.schema.json``, then compiled.

Every error names the pack file, the line, and the rule it is in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from model_risk.common import safe_yaml
from model_risk.common.documents import Document, load_document
from model_risk.common.fileio import read_problem, read_text_file
from model_risk.common.project_paths import inside
from model_risk.common.resources import data_dir
from model_risk.contract.condition import Condition
from model_risk.contract.domain import RuleInfo, Severity
from model_risk.contract.errors import RulePackError
from model_risk.evaluate import subjects
from model_risk.evaluate.conditions import CompileContext, ConditionError, Predicate, compile_condition

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][\w.]*)\}")
#: A rule pack is pages of YAML; a larger file is refused unread.
MAX_PACK_SIZE = 16 * 1024 * 1024


@dataclass(frozen=True)
class Rule:
    info: RuleInfo
    message: str
    predicate: Predicate
    severity_from: str | None = None
    enabled: bool = True
    params: Mapping[str, Any] = field(default_factory=dict)
    #: The pack it comes from, and its position in the pack's rules.
    origin: str = ""
    index: int = 0
    #: For a reference rule: the ``reference.*`` fields its condition reads (references that agree on
    #: them get one verdict), or None when it may read anything (a plugin check, the whole reference).
    reference_fields: tuple[str, ...] | None = None


@dataclass(frozen=True)
class RuleSettings:
    """What the user's config says about rules."""

    #: Built-in packs to load; None loads them all.
    packs: tuple[str, ...] | None = None
    extra_packs: tuple[Path, ...] = ()
    enable: tuple[str, ...] = ()
    disable: tuple[str, ...] = ()
    #: Rule name or code -> severity.
    severity: Mapping[str, Severity] = field(default_factory=dict)
    #: Rule name or code -> parameter overrides.
    params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: The scanned project: errors quote the content of extra packs inside it only (None: quote all).
    project: Path | None = None


def builtin_packs() -> dict[str, Path]:
    directory = data_dir("rules")
    return {entry.name.rsplit(".", 1)[0]: entry for entry in sorted(directory.iterdir(), key=lambda e: e.name)
            if entry.name.endswith((".yaml", ".yml"))}


def render_message(template: str, subject: Mapping[str, Any]) -> str:
    from model_risk.evaluate.conditions import get_field

    def fill(match: re.Match[str]) -> str:
        value = get_field(subject, match.group(1))
        if value is None:
            return "unknown"
        if isinstance(value, (list, tuple)):
            return ", ".join(map(str, value)) or "none"
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, float):
            return f"{value:g}"
        return str(value)

    return _PLACEHOLDER.sub(fill, template)


def _select(rule: RuleInfo, patterns: Iterable[str]) -> int:
    """How specifically ``patterns`` name a rule: 1000 for its name or code, else the longest code prefix."""
    best = 0
    for pattern in patterns:
        if pattern in (rule.name, rule.code):
            return 1000
        if pattern and rule.code.startswith(pattern):
            best = max(best, len(pattern))
    return best


def is_enabled(rule: RuleInfo, default: bool, settings: RuleSettings) -> bool:
    enabled, disabled = _select(rule, settings.enable), _select(rule, settings.disable)
    if not enabled and not disabled:
        return default
    return enabled > disabled


class _PackLoader:
    def __init__(self, checks: Mapping[str, Condition], settings: RuleSettings, cache_dir: Path | None) -> None:
        self.checks = checks
        self.settings = settings
        self.cache_dir = cache_dir

    def load(self, display: str, text: str, *, quote: bool = True) -> tuple[list[Rule], Document]:
        try:
            document, violation = load_document(text, schema_name="rule-pack.schema.json",
                                                cache_dir=self.cache_dir, quote=quote)
        except safe_yaml.YamlError as exc:
            raise RulePackError(exc.message if quote else "invalid YAML", path=display, line=exc.line) from None
        if violation is not None:
            raise RulePackError(violation.message, path=display, line=violation.line,
                                rule=self._rule_name(document, violation.path) if quote else None)
        data = document.data
        assert isinstance(data, dict)
        pack = data["pack"]
        rules = []
        for index, spec in enumerate(data["rules"]):
            rules.append(self._compile(display, document, pack, index, spec))
        return rules, document

    @staticmethod
    def _rule_name(document: Document, path: tuple[str | int, ...]) -> str | None:
        if len(path) >= 2 and path[0] == "rules" and isinstance(path[1], int):
            try:
                spec = document.data["rules"][path[1]]  # type: ignore[index]
                return str(spec.get("name") or spec.get("code") or f"#{path[1] + 1}")
            except (KeyError, IndexError, TypeError, AttributeError):
                return None
        return None

    def _compile(self, display: str, document: Document, pack: str, index: int,
                 spec: Mapping[str, Any]) -> Rule:
        name, code, scope = spec["name"], spec["code"], spec["scope"]
        severity = Severity.parse(spec["severity"])
        override = self.settings.severity.get(name) or self.settings.severity.get(code)
        params = dict(spec.get("params") or {})
        for key in (name, code):
            overrides = self.settings.params.get(key) or {}
            unknown = sorted(set(overrides) - set(params))
            if unknown:
                known = ", ".join(sorted(params)) or "none"
                raise RulePackError(f"the config's rules.params.{key} names unknown parameter"
                                    f"{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))} "
                                    f"(this rule's parameters: {known})")
            params.update(overrides)
        where = ("rules", index)

        def fail(message: str, path: tuple[str | int, ...]) -> RulePackError:
            return RulePackError(message, path=display, line=document.line_of([*where, *path]), rule=name)

        ctx = CompileContext(scope=scope, params=params, checks=self.checks, check_field=subjects.check_field)
        try:
            predicate = compile_condition(spec["when"], ctx)
        except ConditionError as exc:
            raise fail(exc.message, ("when", *exc.path)) from None
        for placeholder in _PLACEHOLDER.findall(spec["message"]):
            problem = subjects.check_field(scope, placeholder)
            if problem:
                raise fail(f"message placeholder {{{placeholder}}}: {problem}", ("message",))
        severity_from = spec.get("severity-from")
        if severity_from:
            problem = subjects.check_field(scope, severity_from)
            if problem:
                raise fail(f"severity-from: {problem}", ("severity-from",))
        info = RuleInfo(
            code=code, name=name, severity=override or severity, pack=pack, summary=spec["summary"].strip(),
            why=(spec.get("why") or "").strip(), fix=(spec.get("fix") or "").strip(),
            example=(spec.get("example") or "").rstrip(),
            example_language=spec.get("example-language", "python"), scope=scope,
            tags=tuple(spec.get("tags") or ()),
        )
        enabled = is_enabled(info, bool(spec.get("enabled", True)), self.settings)
        return Rule(info=info, message=spec["message"].strip(), predicate=predicate,
                    severity_from=severity_from, enabled=enabled, params=params, origin=display, index=index,
                    reference_fields=_reference_fields(ctx.reads))


def _reference_fields(reads: set[str]) -> tuple[str, ...] | None:
    if "*" in reads or "reference" in reads:
        return None
    return tuple(sorted({path.split(".")[1] for path in reads if path.startswith("reference.")}))


def load_rules(checks: Mapping[str, Condition], settings: RuleSettings, *,
               plugin_packs: Iterable[str | Path] = (), cache_dir: Path | None = None) -> list[Rule]:
    """Every rule of the selected packs, enabled or not, in pack order."""
    loader = _PackLoader(checks, settings, cache_dir)
    available = builtin_packs()
    selected = list(available) if settings.packs is None else list(settings.packs)
    sources: list[tuple[str, Path, bool]] = []
    for name in selected:
        if name not in available:
            raise RulePackError(f"no built-in rule pack named {name!r} (available: {', '.join(available)})")
        sources.append((f"<builtin>/rules/{available[name].name}", available[name], True))
    sources += [(str(p), Path(p), True) for p in plugin_packs]
    project = settings.project
    sources += [(str(p), p, project is None or inside(project, p)) for p in settings.extra_packs]
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for display, source, quote in sources:
        try:
            text = read_text_file(source, limit=MAX_PACK_SIZE)
        except (OSError, UnicodeDecodeError) as exc:
            raise RulePackError(f"cannot read rule pack: {read_problem(exc)}", path=display) from None
        try:
            loaded, document = loader.load(display, text, quote=quote)
        except RecursionError:  # conditions nested thousands deep: the parser and the compiler recurse
            raise RulePackError("nested too deeply to read", path=display) from None
        for rule in loaded:
            for key in (rule.info.name, rule.info.code):
                if key in seen:
                    raise RulePackError(f"{key!r} is already defined in {seen[key]}", path=display,
                                        line=document.line_of(["rules", rule.index]), rule=rule.info.name)
                seen[key] = display
            rules.append(rule)
    unknown = [key for key in (*settings.enable, *settings.disable, *settings.severity, *settings.params)
               if not any(key in (r.info.name, r.info.code) or r.info.code.startswith(key) for r in rules)]
    if unknown:
        raise RulePackError(f"the config names rules that do not exist: {', '.join(sorted(set(unknown)))}")
    return rules
