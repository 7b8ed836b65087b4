"""Errors by who is at fault.

:class:`ModelRiskError` and its subclasses are problems a user can act on (their input, their plugin):
exit status 2. :class:`InternalError`, and anything else that escapes, is a bug in model-risk: exit
status 3. ``boundary.guarded`` (and only it) turns them into one line and an exit status.
"""

from __future__ import annotations


class ModelRiskError(Exception):
    """A problem with the user's input: bad arguments, a broken config or rule pack. Exit status 2."""

    exit_code = 2

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def __str__(self) -> str:
        if self.path and self.line:
            return f"{self.path}:{self.line}: {self.message}"
        if self.path:
            return f"{self.path}: {self.message}"
        return self.message


class UsageError(ModelRiskError):
    """Arguments that cannot work together, or a path that does not exist."""


class ConfigError(ModelRiskError):
    """The configuration file is unreadable or invalid."""


class RulePackError(ModelRiskError):
    """A rule pack is unreadable or invalid, or a rule in it cannot be compiled."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 rule: str | None = None) -> None:
        if rule:
            message = f"rule {rule if len(rule) <= EXCERPT_LENGTH else excerpt(rule)}: {message}"
        super().__init__(message, path=path, line=line)
        self.rule = rule


class PluginError(ModelRiskError):
    """A plugin failed to load or registered something invalid."""


class ReportInputError(ModelRiskError):
    """A saved JSON report given to ``model-risk report`` is not a valid report."""


class InternalError(Exception):
    """A bug in model-risk itself, such as a built-in plugin that fails: exit status 3, and a request to
    report it. Not a :class:`ModelRiskError`: the user's input is not at fault."""

    exit_code = 3


#: Longest quotation of a user's value in a message.
EXCERPT_LENGTH = 60


def excerpt(value: object, limit: int = EXCERPT_LENGTH) -> str:
    """A short, escaped quotation of a value for an error message: a config or pack value can be a whole
    file's worth of text, and must neither flood the log nor break its line."""
    text = repr(value)  # escapes quotes, newlines, controls and bidi overrides (not printable)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text)} characters)"
