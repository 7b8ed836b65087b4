"""Baselines: the findings a team has accepted, so a scan reports only what is new.

``model-risk baseline`` writes the active findings' fingerprints (rule + model or vendor, not the file
and line, so moving code does not resurrect them). With a baseline, those findings are reported as
suppressed.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from model_risk.common.fileio import JsonError, atomic_write, parse_json, read_problem, read_text_file, write_problem
from model_risk.common.json_text import pretty_json
from model_risk.contract.domain import Finding
from model_risk.contract.errors import ConfigError
from model_risk.contract.version import __version__

BASELINE_NAME = ".model-risk-baseline.json"
BASELINE_VERSION = 1


def read_baseline(path: Path) -> frozenset[str]:
    try:
        data = parse_json(read_text_file(path))
    except FileNotFoundError:
        raise ConfigError("baseline file not found", path=str(path)) from None
    except JsonError as exc:
        raise ConfigError(exc.message, path=str(path), line=exc.line) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the baseline: {read_problem(exc)}", path=str(path)) from None
    if not isinstance(data, dict) or data.get("version") != BASELINE_VERSION \
            or not isinstance(data.get("findings"), list):
        raise ConfigError("not a model-risk baseline (expected version 1 with a findings list)", path=str(path))
    prints = []
    for entry in data["findings"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("fingerprint"), str):
            raise ConfigError("every baseline finding needs a fingerprint", path=str(path))
        prints.append(entry["fingerprint"])
    return frozenset(prints)


def write_baseline(path: Path, findings: Iterable[Finding]) -> int:
    entries = sorted(
        ({"fingerprint": f.fingerprint, "rule": f.rule, "code": f.code, "model": f.model, "vendor": f.vendor,
          "message": f.message} for f in findings if f.suppressed is None or f.suppressed.kind == "baseline"),
        key=lambda e: (e["rule"], e["model"] or "", e["vendor"] or ""),
    )
    document = {"version": BASELINE_VERSION, "generated-by": f"model-risk {__version__}", "findings": entries}
    try:
        atomic_write(path, pretty_json(document))
    except OSError as exc:  # a missing folder, a full or read-only disk
        raise ConfigError(f"cannot write the baseline: {write_problem(exc)}", path=str(path)) from None
    return len(entries)
