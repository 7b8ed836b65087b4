"""The plugin manager: built-in plugins and those installed under the ``model_risk`` entry-point group."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, TypeVar

import pluggy

from model_risk import hookspecs
from model_risk.errors import PluginError

if TYPE_CHECKING:
    from model_risk.detectors import Detector
    from model_risk.engine.conditions import Condition
    from model_risk.reporters import Reporter

#: Built-in plugins, registered exactly like third-party ones.
DEFAULT_PLUGINS = (
    "model_risk.detectors.python_source",
    "model_risk.detectors.config_files",
    "model_risk.detectors.shell",
    "model_risk.detectors.hub_urls",
    "model_risk.detectors.notebooks",
    "model_risk.detectors.javascript",
    "model_risk.detectors.markdown",
    "model_risk.resolvers.lockfile",
    "model_risk.resolvers.cache",
    "model_risk.resolvers.hub",
    "model_risk.reporters.text",
    "model_risk.reporters.json_report",
    "model_risk.reporters.sarif",
    "model_risk.reporters.html",
    "model_risk.reporters.markdown",
    "model_risk.reporters.cyclonedx",
    "model_risk.engine.builtin_conditions",
)


@dataclass(frozen=True)
class PluginInfo:
    name: str
    builtin: bool
    hooks: tuple[str, ...]
    distribution: str | None = None


#: Entry-point plugin name -> "distribution version", for ``model-risk plugins``.
_DISTRIBUTIONS: dict[str, str] = {}


@cache
def get_plugin_manager() -> pluggy.PluginManager:
    manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    for module_name in DEFAULT_PLUGINS:
        manager.register(importlib.import_module(module_name), name=module_name)
    _load_entry_points(manager)
    return manager


def _load_entry_points(manager: pluggy.PluginManager) -> None:
    from importlib.metadata import entry_points

    for entry_point in entry_points(group=hookspecs.PROJECT_NAME):
        if manager.get_plugin(entry_point.name) is not None or manager.is_blocked(entry_point.name):
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
        dist = getattr(entry_point, "dist", None)
        if dist is not None:
            _DISTRIBUTIONS[entry_point.name] = f"{dist.name} {dist.version}"


def list_plugins() -> list[PluginInfo]:
    manager = get_plugin_manager()
    infos = []
    for name, plugin in manager.list_name_plugin():
        hooks = tuple(sorted(caller.name for caller in manager.get_hookcallers(plugin) or ()))
        infos.append(PluginInfo(name, name in DEFAULT_PLUGINS, hooks, _DISTRIBUTIONS.get(name)))
    return infos


T = TypeVar("T")


def _collect(hook: Callable[..., object], key: Callable[[T], str], kind: str) -> dict[str, T]:
    items: dict[str, T] = {}

    def register(item: T) -> None:
        name = key(item)
        if name in items:
            raise PluginError(f"two plugins register a {kind} named {name!r}")
        items[name] = item

    hook(register=register)
    return items


@cache
def detectors() -> dict[str, Detector]:
    return _collect(get_plugin_manager().hook.register_detectors, lambda d: d.name, "detector")


@cache
def reporters() -> dict[str, Reporter]:
    return _collect(get_plugin_manager().hook.register_reporters, lambda r: r.format, "report format")


@cache
def conditions() -> dict[str, Condition]:
    return _collect(get_plugin_manager().hook.register_conditions, lambda c: c.name, "condition")
