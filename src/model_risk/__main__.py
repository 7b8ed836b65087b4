"""The ``model-risk`` command as a process: ``python -m model_risk`` and the console script.

A pre-commit hook starts a new process for every commit, so start-up time is the hook's cost. Two
things here are about that and nothing else:

* The cyclic garbage collector is off while the modules and plugins load: they create thousands of
  objects that live until exit, and collecting them is wasted work. Afterwards they are frozen out of
  later collections and the collector is back on for the scan itself.
* The process ends with ``os._exit`` once the output is flushed: tearing down every module object
  at interpreter shutdown is wasted work too. Every file model-risk writes is closed (and renamed into
  place) before this point.
"""

from __future__ import annotations

import gc
import os
import sys


def main() -> None:
    gc.disable()
    import model_risk.cli as cli
    from model_risk.app.plugins import Plugins, load_plugins

    loaded: Plugins | None
    try:
        loaded = load_plugins()
    except Exception:  # cli.run loads them again and reports the error the usual way
        loaded = None
    gc.freeze()
    gc.enable()
    code = cli.run(plugins=loaded)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, OSError):
        pass
    os._exit(code)


if __name__ == "__main__":
    main()
