"""The reports to merge: files, folders of them, or ``-`` for a list of paths on stdin.

Each is read and validated against the version-1 report schema; a file that is not a report stops the
merge with one line naming it (an organisation report silently missing a repository would be wrong).
Only what the merge uses is kept of each report (not its rule documentation or notes), so a thousand
reports fit in memory comfortably.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from model_risk.common.fileio import read_bytes, read_problem
from model_risk.contract.errors import ModelRiskError, UsageError
from model_risk.report.document import load_document


@dataclass(frozen=True)
class LoadedReport:
    #: The file as given (or found in a folder): named in errors, and the fallback repository name.
    source: str
    #: sha256 of the file's bytes: the last tie-break between two reports of one repository at one time.
    digest: str
    document: dict[str, Any]


def report_paths(arguments: Iterable[str], stdin_lines: Iterable[str] = ()) -> list[Path]:
    """The report files named by ``arguments``: a file as is, a folder's ``*.json`` files (recursively),
    ``-`` the paths listed on stdin one a line. Sorted and without duplicates, so order never matters."""
    found: set[Path] = set()
    for argument in arguments:
        names: Iterable[str] = (line.strip() for line in stdin_lines) if argument == "-" else (argument,)
        for name in names:
            if not name:
                continue
            found.update(_expand(Path(name)))
    return sorted(found, key=lambda p: p.as_posix())


def _expand(path: Path) -> Iterator[Path]:
    if path.is_dir():
        yield from (p for p in path.rglob("*.json") if p.is_file())
    elif path.is_file():
        yield path
    else:
        raise UsageError(f"no such file or directory: {path}")


def _compact(document: dict[str, Any]) -> dict[str, Any]:
    """The parts of a report the merge reads; model cards and rule documentation are dropped."""
    models = []
    for model in document["models"]:
        model = dict(model)
        model.pop("card", None)
        models.append(model)
    return {"tool": document["tool"], "scan": document.get("scan") or {}, "references": document["references"],
            "models": models, "findings": document["findings"], "summary": document["summary"]}


def read_report(path: Path) -> LoadedReport:
    try:
        data = read_bytes(path)  # a FIFO or device is refused, and so is a file over 64 MiB
    except OSError as exc:
        raise ModelRiskError(f"cannot read the report: {read_problem(exc)}", path=str(path)) from None
    document = load_document(data, str(path))
    return LoadedReport(source=str(path), digest=hashlib.sha256(data).hexdigest(), document=_compact(document))


#: Fewer files than this are read in this process: starting workers costs more than it saves.
PARALLEL_FROM = 32


def _read_or_error(path: Path) -> LoadedReport | str:
    """For worker processes: an error travels back as its one-line text (exceptions with keyword
    arguments do not survive pickling intact)."""
    try:
        return read_report(path)
    except ModelRiskError as exc:
        return str(exc)


def read_reports(paths: Sequence[Path], jobs: int | None = None) -> list[LoadedReport]:
    """Every report, read and validated; the first bad one (in path order) stops the merge.

    Validation is most of the time of a large merge (jsonschema checks each report node by node, about
    40 ms for a report of 50 references), so many reports are read by one worker process per core."""
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(paths) < PARALLEL_FROM:
        return [read_report(p) for p in paths]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method)) as pool:
        results = list(pool.map(_read_or_error, paths, chunksize=8))
    for result in results:
        if isinstance(result, str):
            raise ModelRiskError(result)
    return results  # type: ignore[return-value]
