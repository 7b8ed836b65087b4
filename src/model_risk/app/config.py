"""The project configuration: ``.model-risk.yaml`` or ``[tool.model-risk]`` in ``pyproject.toml``.

Validated against ``schemas/config.schema.json``; errors name the file and the line.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from model_risk.app.knowledge_overlays import install_overlays, overlay_paths
from model_risk.common import safe_yaml
from model_risk.common.documents import Document, first_violation, load_document
from model_risk.common.fileio import read_bytes, read_problem, read_text_file
from model_risk.common.project_paths import inside, within_project
from model_risk.contract.domain import Severity
from model_risk.contract.errors import ConfigError, excerpt
from model_risk.contract.resolver import HubSettings
from model_risk.detect.source import DEFAULT_MAX_FILE_SIZE
from model_risk.detect.walk import find_git_root
from model_risk.evaluate.alternatives import AlternativesPolicy
from model_risk.evaluate.evaluate import AllowEntry
from model_risk.evaluate.packs import RuleSettings
from model_risk.evaluate.subjects import WatchEntry
from model_risk.knowledge.scopes import ScopeSettings, settings_from
from model_risk.resolve.lockfile import LOCKFILE_NAME

CONFIG_FILES = (".model-risk.yaml", ".model-risk.yml")
#: A config is a page of settings; a larger file is refused unread.
MAX_CONFIG_SIZE = 4 * 1024 * 1024


@dataclass(frozen=True)
class Config:
    root: Path
    path: Path | None = None
    fail_on: Severity | None = Severity.HIGH
    offline: bool = False
    #: Fail the run when a model could not be checked (offline without a lockfile entry, a Hub outage).
    fail_on_unchecked: bool = False
    lockfile: Path | None = None
    baseline: Path | None = None
    exclude: tuple[str, ...] = ()
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    docs: bool = True
    disabled_detectors: tuple[str, ...] = ()
    rules: RuleSettings = field(default_factory=RuleSettings)
    allow: tuple[AllowEntry, ...] = ()
    watchlist: tuple[WatchEntry, ...] = ()
    vendors: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    hub: HubSettings = field(default_factory=HubSettings)
    alternatives: AlternativesPolicy = field(default_factory=AlternativesPolicy)
    scopes: ScopeSettings = field(default_factory=ScopeSettings)
    #: Organisations of the user's own (lower case): never sent to the Hub, reported as internal.
    internal_orgs: frozenset[str] = frozenset()
    #: Knowledge overlays (``knowledge:``): (the path as written, the file), in the order given.
    knowledge: tuple[tuple[str, Path], ...] = ()

    @property
    def lockfile_path(self) -> Path:
        if self.lockfile is not None:
            return self.lockfile  # named by the config: confined when a repository's config was read
        # A committed model-risk.lock may be a symlink out of the project: never read or written through.
        return within_project(self.root / LOCKFILE_NAME, self.root, what=LOCKFILE_NAME)



def parse_fail_on(value: str) -> Severity | None:
    return None if value.lower() == "never" else Severity.parse(value)


def find_config(root: Path) -> Path | None:
    for name in CONFIG_FILES:
        candidate = root / name
        if candidate.is_file():
            return candidate
    pyproject = root / "pyproject.toml"
    # Read only to see whether it holds a config: never through a symlink out of the project.
    if pyproject.is_file() and inside(root, pyproject):
        try:
            if "tool.model-risk" in read_bytes(pyproject, limit=MAX_CONFIG_SIZE).decode("utf-8", "replace"):
                return pyproject
        except OSError:
            return None
    return None


def find_project_root(start: Path) -> Path:
    """The project a scan of ``start`` belongs to: the nearest directory at or above ``start`` that holds a
    model-risk configuration, else one that holds a model-risk.lock, looking no higher than the top of the
    git work tree (``start`` itself outside git). As ruff and pre-commit find theirs: ``model-risk scan app``
    from the project's root uses the root's configuration, lockfile and baseline."""
    start = start.resolve()
    top = find_git_root(start) or start
    chain = [start, *(p for p in start.parents if p.is_relative_to(top))]
    for directory in chain:
        if find_config(directory) is not None:
            return directory
    for directory in chain:
        if (directory / LOCKFILE_NAME).is_file():
            return directory
    return start


def load_config(root: Path, explicit: Path | None = None, *, cache_dir: Path | None = None) -> Config:
    """The configuration for a scan rooted at ``root`` (``cache_dir`` remembers validated files). Its
    knowledge overlays become this run's tables (none: the bundled tables alone)."""
    try:
        config = _load_config(root, explicit, cache_dir)
    except RecursionError:  # a table or list nested thousands deep: the parsers and the validator recurse
        path = explicit if explicit is not None else find_config(root)
        raise ConfigError("nested too deeply to read", path=str(path) if path else None) from None
    install_overlays(config.knowledge, cache_dir, project=config.root)
    return config


def _load_config(root: Path, explicit: Path | None, cache_dir: Path | None) -> Config:
    if cache_dir is None:
        from model_risk.common.paths import default_cache_dir

        cache_dir = default_cache_dir()
    path = explicit if explicit is not None else find_config(root)
    if path is None:
        return Config(root=root)
    display = str(path)
    # Errors quote the project's own files only: an explicit config elsewhere (the Action's `config`
    # input) may be any file of the machine's.
    quote = inside(root, path)
    if explicit is None and not quote:
        # A repository must not make model-risk read (and quote in errors) a file of the machine's.
        raise ConfigError("the config file is a symlink out of the project: refused", path=display)
    try:
        text = read_text_file(path, limit=MAX_CONFIG_SIZE)
    except FileNotFoundError:
        raise ConfigError("config file not found", path=display) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the config file: {read_problem(exc)}", path=display) from None
    if path.name == "pyproject.toml":
        document = _from_pyproject(text, display)
        if isinstance(document.data, dict):
            violation = first_violation(document, "config.schema.json", quote=quote)
            if violation is not None:
                raise ConfigError(violation.message, path=display, line=violation.line)
    else:
        try:
            document, violation = load_document(text, schema_name="config.schema.json", cache_dir=cache_dir,
                                                quote=quote)
        except safe_yaml.YamlError as exc:
            raise ConfigError(exc.message if quote else "invalid YAML", path=display, line=exc.line) from None
        if document.data is not None and not isinstance(document.data, dict):
            raise ConfigError("the configuration must be a mapping of settings", path=display, line=1)
        if violation is not None:
            raise ConfigError(violation.message, path=display, line=violation.line)
    if document.data is None:
        return Config(root=root, path=path)
    if not isinstance(document.data, dict):
        raise ConfigError("the configuration must be a mapping of settings", path=display, line=1)
    return _build(root, path, document, confined=explicit is None, quote=quote)


def _from_pyproject(text: str, display: str) -> Document:
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML: {exc}", path=display) from None
    section = data.get("tool", {}).get("model-risk")
    # TOML has no line information in tomllib; point at the section header instead.
    line = next((i for i, ln in enumerate(text.splitlines(), 1) if ln.strip().startswith("[tool.model-risk")), None)
    return Document(section, default_line=line)


def _build(root: Path, path: Path, document: Document, *, confined: bool = False, quote: bool = True) -> Config:
    data: dict[str, Any] = document.data  # type: ignore[assignment]
    base = path.parent

    def shown(value: object) -> str:
        return excerpt(value) if quote else "(a value of a file outside the project: not quoted)"

    def confine(key: str, value: str, where: list[str | int]) -> Path:
        target = base / value
        # A config from the scanned repository reads and writes here (packs, lock, baseline): never
        # outside the project, which is the folder the config was found in.
        if confined and not inside(base, target):
            raise ConfigError(f"{key}: {excerpt(value)} is outside the project (absolute paths, ../ and "
                              "symlinks out are refused)", path=str(path), line=document.line_of(where))
        return target

    def relative(key: str) -> Path | None:
        value = data.get(key)
        return confine(key, value, [key]) if value else None

    rules = data.get("rules") or {}
    severity = {k: Severity.parse(v) for k, v in (rules.get("severity") or {}).items()}
    allow = []
    for index, entry in enumerate(data.get("allow") or ()):
        kind = next(k for k in ("model", "vendor", "license") if k in entry)
        try:
            expires = date.fromisoformat(str(entry["expires"])) if entry.get("expires") else None
        except ValueError as exc:  # 2024-02-30 has the right shape and is no date
            raise ConfigError(f"allow[{index}].expires: {shown(str(entry['expires']))} is not a date"
                              f"{f' ({exc})' if quote else ''}",
                              path=str(path), line=document.line_of(["allow", index, "expires"])) from None
        # The origin's line is only shown for an expired entry; finding it means parsing the YAML again.
        expired = expires is not None and expires < date.today()
        origin = f"{path.name}:{document.line_of(['allow', index])}" if expired else path.name
        allow.append(AllowEntry(kind=kind, value=str(entry[kind]), reason=entry["reason"], expires=expires,
                                rules=tuple(entry.get("rules") or ()), origin=origin))
    watchlist = []
    for entry in data.get("watchlist") or ():
        if isinstance(entry, str):
            watchlist.append(WatchEntry(entry))
        else:
            watchlist.append(WatchEntry(entry["vendor"], entry.get("reason"), entry.get("severity")))
    hub_spec = data.get("hub") or {}
    hub_fields = {"timeout": "timeout", "retries": "retries", "backoff": "backoff", "max-wait": "max_wait",
                  "concurrency": "concurrency", "cache-ttl": "cache_ttl",
                  "negative-cache-ttl": "negative_cache_ttl", "deadline": "deadline", "verify-limit": "verify_limit"}
    hub = dataclasses.replace(HubSettings(), **{hub_fields[k]: v for k, v in hub_spec.items()})
    return Config(
        root=root,
        path=path,
        fail_on=parse_fail_on(data["fail-on"]) if "fail-on" in data else Severity.HIGH,
        offline=bool(data.get("offline", False)),
        fail_on_unchecked=bool(data.get("fail-on-unchecked", False)),
        lockfile=relative("lockfile"),
        baseline=relative("baseline"),
        exclude=tuple(data.get("exclude") or ()),
        max_file_size=int(data.get("max-file-size", DEFAULT_MAX_FILE_SIZE)),
        docs=bool(data.get("docs", True)),
        disabled_detectors=tuple((data.get("detectors") or {}).get("disable") or ()),
        rules=RuleSettings(
            packs=tuple(rules["packs"]) if "packs" in rules else None,
            extra_packs=tuple(confine("rules.extra-packs", p, ["rules", "extra-packs", i])
                              for i, p in enumerate(rules.get("extra-packs") or ())),
            project=root,
            enable=tuple(rules.get("enable") or ()),
            disable=tuple(rules.get("disable") or ()),
            severity=severity,
            params={k: dict(v) for k, v in (rules.get("params") or {}).items()},
        ),
        allow=tuple(allow),
        watchlist=tuple(watchlist),
        vendors=data.get("vendors") or {},
        hub=hub,
        alternatives=_alternatives(data.get("alternatives") or {}, allow),
        scopes=settings_from(data.get("scopes")),
        internal_orgs=frozenset(str(org).lower() for org in data.get("internal_orgs") or ()),
        knowledge=overlay_paths(list(data.get("knowledge") or ()), base=base, root=root, confined=confined,
                                config_file=str(path), line_of=document.line_of),
    )


def _alternatives(spec: Mapping[str, Any], allow: list[AllowEntry]) -> AlternativesPolicy:
    """The replacement policy; licenses the allowlist accepts are accepted for replacements too."""
    accepted = {str(x).lower() for x in spec.get("licenses") or ()}
    accepted |= {e.value.lower() for e in allow if e.kind == "license" and not e.rules and e.expires is None}
    default = AlternativesPolicy()
    return AlternativesPolicy(enabled=bool(spec.get("enabled", default.enabled)),
                              count=int(spec.get("count", default.count)),
                              max_ratio=float(spec.get("max-ratio", default.max_ratio)),
                              licenses=frozenset(accepted), timeout=float(spec.get("timeout", default.timeout)),
                              exclude_countries=frozenset(str(c).lower() for c in spec.get("exclude-countries") or ()))
