"""Peak memory of a model-risk run, measured with ``resource`` in a child process.

The run is ``python -m model_risk ARGS`` started by a small wrapper process, which waits for it and
reports ``getrusage(RUSAGE_CHILDREN)``: the largest resident size any of its children reached (git,
started by model-risk, is a child too, and far smaller). The wrapper keeps the test process's own memory
and other children out of the number. Memory is a bound a hostile input must stay under, not a timing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

_WRAPPER = """
import json, resource, subprocess, sys
done = subprocess.run([sys.executable, "-m", "model_risk", *sys.argv[1:]], capture_output=True, text=True)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"code": done.returncode, "stdout": done.stdout, "stderr": done.stderr,
                  "peak_kb": usage.ru_maxrss, "cpu": usage.ru_utime + usage.ru_stime}))
"""


@dataclass(frozen=True)
class Measured:
    code: int
    stdout: str
    stderr: str
    #: Largest resident set of the model-risk process, in MB.
    peak_mb: float
    #: CPU seconds (user and system) of the model-risk process and its children.
    cpu: float

    def json(self) -> dict:
        return json.loads(self.stdout)


def measured_run(*args: str | Path, env: dict[str, str] | None = None, timeout: float = 120) -> Measured:
    done = subprocess.run([sys.executable, "-c", _WRAPPER, *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=timeout, check=True)
    result = json.loads(done.stdout)
    return Measured(result["code"], result["stdout"], result["stderr"], result["peak_kb"] / 1024, result["cpu"])
