"""Tracebacks for developers: ``MODEL_RISK_DEBUG=1`` prints the traceback of every error model-risk turns
into a message, a note or a status (a failing plugin, a detector that raised on one file, a resolver
that raised on one model), so that no path hides where a bug is."""

from __future__ import annotations

import os
import sys
import traceback

DEBUG_ENV = "MODEL_RISK_DEBUG"


def debugging() -> bool:
    return bool(os.environ.get(DEBUG_ENV))


def show_traceback(exc: BaseException) -> None:
    """Print ``exc``'s traceback (with its causes) on stderr when debugging; nothing otherwise."""
    if debugging():
        traceback.print_exception(exc, file=sys.stderr)
