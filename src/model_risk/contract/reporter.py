"""Reporters: one ScanResult in, one document out.

A reporter is a plugin object registered through the ``register_reporters`` hook; each format lives in its
own module in this package. Reporters return text and never write files: the CLI decides where it goes.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import ClassVar

from model_risk.contract.domain import Finding, ScanResult, Severity


@dataclass(frozen=True)
class ReportOptions:
    #: ANSI colours (terminal formats only).
    color: bool = False
    #: Also show informational notes and suppressed findings in terminal formats.
    verbose: bool = False
    #: Columns the text report may use: the terminal's width on a TTY, else 80 (``None`` means 80).
    width: int | None = None
    #: Where the scanned commit's files can be browsed, ending in ``/`` (``https://github.com/o/r/blob/SHA/``):
    #: formats that can link (Markdown) link each location there. ``None``: no links.
    source_url: str | None = None
    #: ``--severity``: the severities of the findings human-readable formats list (``None``: all). A display
    #: filter only: verdicts, counts and the exit status still count every finding.
    severities: frozenset[Severity] | None = None

    def shows(self, finding: Finding) -> bool:
        """Whether a human-readable report lists ``finding`` (see ``severities``)."""
        return self.severities is None or finding.severity in self.severities


class Reporter(abc.ABC):
    #: The value of ``--format``.
    format: ClassVar[str]
    description: ClassVar[str] = ""
    #: File extension for reports of this format (used when naming default output files).
    extension: ClassVar[str] = ".txt"

    @abc.abstractmethod
    def render(self, result: ScanResult, options: ReportOptions) -> str:
        """The whole document as text."""
