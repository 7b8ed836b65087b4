"""Third-party plugin objects, wrapped so that a failure names the plugin and the hook.

A plugin's detector, reporter or condition that raises would otherwise end as "internal error ...
please report it", which sends the user to model-risk's maintainers for someone else's bug, or (for a
detector) as a note per file that is easy to miss while references go undetected. Wrapped, it is one
line, ``plugin 'NAME' failed in HOOK: ...``, and exit status 2. Built-in plugins are not wrapped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from model_risk.app.plugins import plugin_failed
from model_risk.contract.condition import Condition, Subject
from model_risk.contract.detector import Detector
from model_risk.contract.domain import Note, Reference, ScanResult
from model_risk.contract.errors import PluginError
from model_risk.contract.reporter import Reporter, ReportOptions
from model_risk.contract.source import SourceFile

HOOK_DETECTORS = "register_detectors"


class GuardedDetector(Detector):
    """A plugin's detector. Plain attributes only: detectors are pickled into worker processes."""

    name = ""  # set per instance below

    def __init__(self, inner: Detector, plugin: str) -> None:
        self.inner = inner
        self.plugin = plugin
        self.name = inner.name  # type: ignore[misc]
        self.description = inner.description  # type: ignore[misc]
        self.documentation = inner.documentation  # type: ignore[misc]

    def _failed(self, method: str, exc: Exception) -> PluginError:
        return plugin_failed(self.plugin, f"{HOOK_DETECTORS} (detector {self.name!r}, {method})", exc)

    def accepts(self, filename: str) -> bool:
        try:
            return bool(self.inner.accepts(filename))
        except Exception as exc:
            raise self._failed("accepts", exc) from exc

    def prefilter(self, text: str) -> bool:
        try:
            return bool(self.inner.prefilter(text))
        except Exception as exc:
            raise self._failed("prefilter", exc) from exc

    def detect(self, source: SourceFile) -> Iterable[Reference | Note]:
        try:
            for item in self.inner.detect(source):
                if not isinstance(item, (Reference, Note)):
                    raise TypeError(f"detect() yielded {type(item).__name__}, not a Reference or a Note")
                yield item
        except PluginError:
            raise
        except Exception as exc:
            raise self._failed(f"detect on {source.path}", exc) from exc


class GuardedReporter(Reporter):
    format = ""  # set per instance below

    def __init__(self, inner: Reporter, plugin: str) -> None:
        self.inner = inner
        self.plugin = plugin
        self.format = inner.format  # type: ignore[misc]
        self.description = inner.description  # type: ignore[misc]
        self.extension = inner.extension  # type: ignore[misc]

    def render(self, result: ScanResult, options: ReportOptions) -> str:
        try:
            text = self.inner.render(result, options)
        except Exception as exc:
            raise plugin_failed(self.plugin, f"register_reporters (format {self.format!r}, render)", exc) from exc
        if not isinstance(text, str):
            raise plugin_failed(self.plugin, f"register_reporters (format {self.format!r}, render)",
                                f"render() returned {type(text).__name__}, not str")
        return text


def guarded_condition(inner: Condition, plugin: str) -> Condition:
    hook = f"register_conditions (condition {inner.name!r}, test)"

    def test(subject: Subject, args: Mapping[str, Any]) -> bool:
        try:
            return bool(inner.test(subject, args))
        except Exception as exc:
            raise plugin_failed(plugin, hook, exc) from exc

    return Condition(name=inner.name, test=test, scopes=inner.scopes, description=inner.description)
