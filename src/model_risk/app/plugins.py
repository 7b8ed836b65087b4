"""The plugin manager: built-in plugins and those installed under the ``model_risk`` entry-point group."""

from __future__ import annotations

import dataclasses
import importlib
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pluggy

from model_risk.contract import hookspecs
from model_risk.contract.condition import Subject
from model_risk.contract.errors import InternalError, ModelRiskError, PluginError

if TYPE_CHECKING:
    import click

    from model_risk.contract.condition import Condition
    from model_risk.contract.detector import Detector
    from model_risk.contract.domain import ModelFacts
    from model_risk.contract.reporter import Reporter
    from model_risk.contract.resolver import ModelRequest, ResolveContext

#: Built-in plugins, registered exactly like third-party ones.
DEFAULT_PLUGINS = (
    "model_risk.detect.plugins.python",
    "model_risk.detect.plugins.config_files",
    "model_risk.detect.plugins.shell",
    "model_risk.detect.plugins.hub_urls",
    "model_risk.detect.plugins.notebooks",
    "model_risk.detect.plugins.javascript",
    "model_risk.detect.plugins.markdown",
    "model_risk.detect.plugins.rst",
    "model_risk.detect.plugins.ollama",
    "model_risk.detect.plugins.hosted",
    "model_risk.detect.plugins.modelscope",
    "model_risk.detect.plugins.door_docs",
    "model_risk.resolve.hub",
    "model_risk.report.builtin",
    "model_risk.evaluate.builtin_conditions",
)


@dataclass(frozen=True)
class PluginInfo:
    name: str
    builtin: bool
    hooks: tuple[str, ...]
    distribution: str | None = None


@dataclass(frozen=True)
class _EntryPoint:
    name: str
    value: str
    distribution: str | None

    def load(self) -> object:
        module_name, _, attribute = self.value.partition(":")
        plugin: object = importlib.import_module(module_name.strip())
        for part in filter(None, attribute.strip().split(".")):
            plugin = getattr(plugin, part)
        return plugin


def _entry_points(group: str) -> list[_EntryPoint]:
    """The entry points of ``group`` from the distributions on ``sys.path``.

    Reads ``*.dist-info/entry_points.txt`` directly: ``importlib.metadata`` imports the email package
    and costs tens of milliseconds on every run, a tenth of a pre-commit hook's budget. When a
    ``sys.path`` entry is not a directory (a zipped egg), importlib.metadata answers instead.
    """
    import os
    import sys

    if any(entry and os.path.isfile(entry) for entry in sys.path):
        from importlib.metadata import entry_points

        return [_EntryPoint(ep.name, ep.value, f"{ep.dist.name} {ep.dist.version}" if ep.dist else None)
                for ep in entry_points(group=group)]
    found: dict[str, _EntryPoint] = {}
    seen_distributions: set[str] = set()
    header = f"[{group}]"
    for entry in sys.path:
        try:
            names = sorted(os.listdir(entry or "."))
        except OSError:
            continue
        for name in names:
            if not name.endswith((".dist-info", ".egg-info")):
                continue
            stem = name.rsplit(".", 1)[0]
            distribution, _, version = stem.partition("-")
            key = distribution.lower().replace("-", "_").replace(".", "_")
            if key in seen_distributions:
                continue  # the first copy on sys.path is the one Python imports
            seen_distributions.add(key)
            try:
                with open(os.path.join(entry or ".", name, "entry_points.txt"), encoding="utf-8") as handle:
                    text = handle.read()
            except OSError:
                continue
            if header not in text:
                continue
            label = _distribution_label(os.path.join(entry or ".", name)) or \
                (f"{distribution} {version}" if version else distribution)
            for ep_name, value in _section(text, header):
                found.setdefault(ep_name, _EntryPoint(ep_name, value, label))
    return list(found.values())


def _distribution_label(dist_info: str) -> str | None:
    """"name version" as the distribution spells them (its METADATA), e.g. ``model-risk-modelfile 0.1.0``."""
    import os

    fields: dict[str, str] = {}
    try:
        with open(os.path.join(dist_info, "METADATA"), encoding="utf-8") as handle:
            for line in handle:
                if not line.strip():
                    break  # the headers end at the first blank line
                key, _, value = line.partition(":")
                if key in ("Name", "Version"):
                    fields[key] = value.strip()
    except OSError:
        return None
    return f"{fields['Name']} {fields.get('Version', '')}".strip() if "Name" in fields else None


def _section(text: str, header: str) -> list[tuple[str, str]]:
    """``name = value`` lines of one section of an entry_points.txt (an INI file)."""
    pairs = []
    inside = False
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("["):
            inside = line == header
        elif inside and "=" in line and not line.startswith(("#", ";")):
            name, _, value = line.partition("=")
            pairs.append((name.strip(), value.strip()))
    return pairs


#: Comma-separated plugin names to block, built-ins included (names as ``model-risk plugins`` lists them).
DISABLE_ENV = "MODEL_RISK_DISABLE_PLUGINS"

T = TypeVar("T")


class Plugins:
    """The plugins of one run: the pluggy manager and what its plugins registered.

    Made by :func:`load_plugins` and handed to the app's functions; nothing keeps one in a module
    global, so tests and embedders can load a different set side by side.
    """

    def __init__(self, manager: pluggy.PluginManager, distributions: dict[str, str]) -> None:
        self.manager = manager
        self._distributions = distributions
        #: (hook, item name) -> plugin name, for messages about a plugin that fails later.
        self._owners: dict[tuple[str, str], str] = {}

    def _calls(self, hook_name: str, before: Callable[[str], object] | None = None, **kwargs: Any
               ) -> Iterator[tuple[str, Any]]:
        """Call each implementation of a hook in pluggy's order, lazily, yielding (plugin, result); a failure
        names its plugin. ``before(plugin)`` runs ahead of each call (registration hooks track the caller)."""
        for impl in reversed(getattr(self.manager.hook, hook_name).get_hookimpls()):
            if before is not None:
                before(impl.plugin_name)
            try:
                result = impl.function(**{k: kwargs[k] for k in impl.argnames})
            except ModelRiskError:
                raise
            except Exception as exc:
                raise plugin_failure(impl.plugin_name, hook_name, exc) from exc
            yield impl.plugin_name, result

    def _collect(self, hook_name: str, key: Callable[[T], str], kind: str) -> dict[str, T]:
        items: dict[str, T] = {}
        current = [""]

        def register(*given: T, **named: object) -> None:
            if len(given) != 1 or named:  # the natural guess register("name", function), say
                passed = ", ".join([type(g).__name__ for g in given] + [f"{k}=" for k in named]) or "nothing"
                raise PluginError(f"plugin {current[0]!r}, hook {hook_name}: register() takes one {kind} object, "
                                  f"not ({passed}) (see docs/plugins.md)")
            item = given[0]
            try:
                name = key(item)
            except AttributeError:
                raise PluginError(f"plugin {current[0]!r}, hook {hook_name}: register() takes a {kind} object, "
                                  f"not {type(item).__name__} (see docs/plugins.md)") from None
            if name in items:
                raise PluginError(f"plugin {current[0]!r}, hook {hook_name}: another plugin "
                                  f"({self._owners[(hook_name, name)]!r}) already registered a {kind} named {name!r}")
            items[name] = item
            self._owners[(hook_name, name)] = current[0]

        for _ in self._calls(hook_name, before=lambda plugin: current.__setitem__(0, plugin), register=register):
            pass
        return items

    @cached_property
    def detectors(self) -> dict[str, Detector]:
        return self._collect("register_detectors", lambda d: d.name, "Detector")

    @cached_property
    def reporters(self) -> dict[str, Reporter]:
        return self._collect("register_reporters", lambda r: r.format, "Reporter")

    @cached_property
    def conditions(self) -> dict[str, Condition]:
        found: dict[str, Condition] = self._collect("register_conditions", lambda c: c.name, "Condition")
        return {name: _guarded(condition, self.owner("register_conditions", name))
                for name, condition in found.items()}

    def rule_packs(self) -> list[Path]:
        packs: list[Path] = []
        for _ in self._calls("register_rule_packs", register=lambda path: packs.append(Path(path))):
            pass
        return packs

    def register_commands(self, cli: click.Group) -> None:
        """Let each plugin add commands; a command that fails when run names its plugin too."""
        before: dict[str, click.Command] = {}

        def remember(_plugin: str) -> None:
            before.clear()
            before.update(cli.commands)

        for plugin, _ in self._calls("register_commands", before=remember, cli=cli):
            for name, command in cli.commands.items():
                if before.get(name) is not command and command.callback is not None:
                    command.callback = _guarded_command(command.callback, plugin, name)

    def owner(self, hook_name: str, item_name: str) -> str:
        """The plugin that registered ``item_name`` through ``hook_name``."""
        return self._owners.get((hook_name, item_name), "?")

    def resolve(self, request: ModelRequest, context: ResolveContext) -> ModelFacts | None:
        """The ``resolve_model`` hook: the first plugin that answers wins (the Hub answers last)."""
        answers = self._calls("resolve_model", request=request, context=context)
        return next((facts for _plugin, facts in answers if facts is not None), None)

    def infos(self) -> list[PluginInfo]:
        found = []
        for name, plugin in self.manager.list_name_plugin():
            if plugin is None:
                continue  # blocked
            hooks = tuple(sorted(caller.name for caller in self.manager.get_hookcallers(plugin) or ()))
            found.append(PluginInfo(name, name in DEFAULT_PLUGINS, hooks, self._distributions.get(name)))
        return found


def plugin_failure(plugin: str, hook: str, exc: BaseException) -> PluginError | InternalError:
    """The error for a plugin that raised: a third-party plugin's fault is the user's to fix (exit 2, naming
    the plugin); a built-in plugin's is a bug in model-risk (exit 3, please report it)."""
    message = f"plugin {plugin!r} failed in hook {hook}: {exc.__class__.__name__}: {exc}"
    if plugin in DEFAULT_PLUGINS:
        return InternalError(message)
    return PluginError(message)


def _guarded(condition: Condition, plugin: str) -> Condition:
    """The condition, with a failure of its test reported as that plugin's (exit 2), not as a crash."""
    test = condition.test

    def guarded_test(subject: Subject, args: Mapping[str, Any]) -> bool:
        try:
            return test(subject, args)
        except Exception as exc:
            raise plugin_failure(plugin, f"register_conditions ({condition.name}.test)", exc) from exc

    return dataclasses.replace(condition, test=guarded_test)


def _guarded_command(callback: Callable[..., Any], plugin: str, name: str) -> Callable[..., Any]:
    """A plugin's command, with an exception it raises reported as that plugin's (exit 2), not as a
    crash of model-risk; click's own exits and usage errors pass through."""
    import functools

    import click

    @functools.wraps(callback)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return callback(*args, **kwargs)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort, ModelRiskError,
                KeyboardInterrupt, BrokenPipeError):
            raise
        except Exception as exc:
            raise plugin_failure(plugin, f"register_commands ({name} command)", exc) from exc

    return run


def disabled_from_env(environ: Mapping[str, str] | None = None) -> frozenset[str]:
    value = (os.environ if environ is None else environ).get(DISABLE_ENV, "")
    return frozenset(name.strip() for name in value.split(",") if name.strip())


def load_plugins(disabled: Iterable[str] | None = None) -> Plugins:
    """A plugin manager with the built-ins and the installed entry points, minus ``disabled`` (default:
    the names in ``MODEL_RISK_DISABLE_PLUGINS``). Hook implementations that match no hook are an error."""
    blocked = disabled_from_env() if disabled is None else frozenset(disabled)
    manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    for name in blocked:
        manager.set_blocked(name)
    for module_name in DEFAULT_PLUGINS:
        if module_name not in blocked:
            manager.register(importlib.import_module(module_name), name=module_name)
    distributions: dict[str, str] = {}
    for entry_point in _entry_points(hookspecs.PROJECT_NAME):
        if entry_point.name in blocked or manager.get_plugin(entry_point.name) is not None:
            continue
        try:
            plugin = entry_point.load()
        except Exception as exc:  # a broken plugin must not look like a model-risk crash
            raise PluginError(
                f"plugin {entry_point.name!r} ({entry_point.value}) failed to load: "
                f"{exc.__class__.__name__}: {exc}"
            ) from exc
        try:
            manager.register(plugin, name=entry_point.name)
        except (pluggy.PluginValidationError, ValueError) as exc:
            raise PluginError(f"plugin {entry_point.name!r} is invalid: {exc}") from exc
        if entry_point.distribution:
            distributions[entry_point.name] = entry_point.distribution
    try:
        manager.check_pending()
    except pluggy.PluginValidationError as exc:
        name = manager.get_name(exc.plugin) or repr(exc.plugin)
        raise PluginError(f"plugin {name!r} is invalid: {exc}") from exc
    return Plugins(manager, distributions)
