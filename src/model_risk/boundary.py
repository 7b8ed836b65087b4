"""Where errors become messages: the one boundary shared by the command line and the GitHub Action.

Below it, code raises :class:`~model_risk.contract.errors.ModelRiskError` for what a user can fix; above
it, the face decides how a message looks (a ``model-risk: error:`` line, an ``::error::`` annotation).
"""

from __future__ import annotations

from collections.abc import Callable

from model_risk.common.debug import show_traceback
from model_risk.contract.errors import InternalError, ModelRiskError

#: Exit status for a bug in model-risk itself (not the user's input).
INTERNAL_ERROR = 3
INTERRUPTED = 130


def guarded(call: Callable[[], int], report: Callable[[str, str], None]) -> int:
    """Run ``call`` and return its exit status; every error becomes ``report(level, message)`` instead.

    ``level`` is ``error`` for a problem the user can act on (exit 2), ``interrupted`` for Ctrl-C, and
    ``internal`` for a bug (exit 3). With ``MODEL_RISK_DEBUG=1`` every error's traceback (and its cause's)
    is printed on stderr before its message.
    """
    import click

    try:
        return call()
    except click.exceptions.Abort:
        report("interrupted", "interrupted")
        return INTERRUPTED
    except click.ClickException as exc:
        exc.show()  # click's own usage message (only the command line raises these)
        return exc.exit_code
    except ModelRiskError as exc:
        show_traceback(exc)
        report("error", str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        report("interrupted", "interrupted")
        return INTERRUPTED
    except BrokenPipeError:
        return 0  # `model-risk scan | head`: the reader left; that is not an error
    except InternalError as exc:  # a built-in plugin's bug, named
        show_traceback(exc)
        report("internal", f"{exc} (set MODEL_RISK_DEBUG=1 for a traceback, and please report it)")
        return INTERNAL_ERROR
    except Exception as exc:  # the one place a bug becomes a message instead of a traceback
        show_traceback(exc)
        report("internal", f"{exc.__class__.__name__}: {exc} "
                           "(set MODEL_RISK_DEBUG=1 for a traceback, and please report it)")
        return INTERNAL_ERROR
