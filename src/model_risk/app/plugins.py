"""The plugin manager: built-in plugins and those installed under the ``model_risk`` entry-point group."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, TypeVar

import pluggy

from model_risk.contract import hookspecs
from model_risk.contract.errors import PluginError

if TYPE_CHECKING:
    from model_risk.contract.condition import Condition
    from model_risk.contract.detector import Detector
    from model_risk.contract.reporter import Reporter

#: Built-in plugins, registered exactly like third-party ones.
DEFAULT_PLUGINS = (
    "model_risk.detect.python_source",
    "model_risk.detect.config_files",
    "model_risk.detect.shell",
    "model_risk.detect.hub_urls",
    "model_risk.detect.notebooks",
    "model_risk.detect.javascript",
    "model_risk.detect.markdown",
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


def _load_entry_points(manager: pluggy.PluginManager) -> None:
    for entry_point in _entry_points(hookspecs.PROJECT_NAME):
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
        if entry_point.distribution:
            _DISTRIBUTIONS[entry_point.name] = entry_point.distribution


def list_plugins() -> list[PluginInfo]:
    manager = get_plugin_manager()
    infos = []
    for name, plugin in manager.list_name_plugin():
        hooks = tuple(sorted(caller.name for caller in manager.get_hookcallers(plugin) or ()))
        infos.append(PluginInfo(name, name in DEFAULT_PLUGINS, hooks, _DISTRIBUTIONS.get(name)))
    return infos


T = TypeVar("T")


def plugin_failed(plugin: str, hook: str, exc: BaseException | str) -> PluginError:
    """The one line for a third-party plugin that raised or broke the contract of a hook."""
    detail = exc if isinstance(exc, str) else f"{exc.__class__.__name__}: {exc}"
    return PluginError(f"plugin {plugin!r} failed in {hook}: {detail}")


def is_builtin(plugin_name: str) -> bool:
    return plugin_name in DEFAULT_PLUGINS


def implementations(hook_name: str) -> list[tuple[str, Callable[..., object]]]:
    """(plugin name, function) of every implementation of a hook, in the order pluggy calls them."""
    caller = getattr(get_plugin_manager().hook, hook_name)
    return [(impl.plugin_name, impl.function) for impl in reversed(caller.get_hookimpls())]


def _collect(hook_name: str, key: Callable[[T], str], kind: str, expected: type, guard: Callable[[T, str], T]
             ) -> dict[str, T]:
    """Call a ``register_*`` hook of every plugin. A third-party plugin that raises, or registers
    anything but one ``expected`` object per call, is named in the error; what it registers is wrapped
    so that a failure at run time names it too."""
    items: dict[str, T] = {}
    for plugin_name, function in implementations(hook_name):
        builtin = is_builtin(plugin_name)

        def register(*given: object, _plugin: str = plugin_name, _builtin: bool = builtin, **named: object) -> None:
            if len(given) != 1 or named or not isinstance(given[0], expected):
                got = ", ".join([type(g).__name__ for g in given] + [f"{k}=" for k in named]) or "nothing"
                raise plugin_failed(_plugin, hook_name, f"register() takes one {expected.__name__} object "
                                                        f"({expected.__module__}.{expected.__name__}), got {got}")
            item: T = given[0]  # type: ignore[assignment]
            name = key(item)
            if name in items:
                raise PluginError(f"two plugins register a {kind} named {name!r}")
            items[name] = item if _builtin else guard(item, _plugin)

        try:
            function(register=register)
        except PluginError:
            raise
        except Exception as exc:
            if builtin:
                raise
            raise plugin_failed(plugin_name, hook_name, exc) from exc
    return items


@cache
def detectors() -> dict[str, Detector]:
    from model_risk.app.guards import GuardedDetector
    from model_risk.contract.detector import Detector

    return _collect("register_detectors", lambda d: d.name, "detector", Detector, GuardedDetector)


@cache
def reporters() -> dict[str, Reporter]:
    from model_risk.app.guards import GuardedReporter
    from model_risk.contract.reporter import Reporter

    return _collect("register_reporters", lambda r: r.format, "report format", Reporter, GuardedReporter)


@cache
def conditions() -> dict[str, Condition]:
    from model_risk.app.guards import guarded_condition
    from model_risk.contract.condition import Condition

    return _collect("register_conditions", lambda c: c.name, "condition", Condition, guarded_condition)
