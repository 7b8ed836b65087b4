"""Running the detectors over candidate files, on every core when there are many files.

A detector that fails on a file costs that file, with a note; it never stops the scan.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from model_risk.contract.detector import Detector
from model_risk.contract.domain import Note, Reference
from model_risk.contract.source import SourceFile
from model_risk.detect.source import read_source
from model_risk.detect.walk import Candidate

#: Below this many files a process pool costs more than it saves.
PARALLEL_THRESHOLD = 256

_IGNORE = re.compile(r"model-risk:\s*ignore(?:\[([^\]\n]*)\])?")


@dataclass(frozen=True)
class DetectionResult:
    references: tuple[Reference, ...]
    notes: tuple[Note, ...]
    files_scanned: int


def inline_ignore(line_text: str) -> frozenset[str] | None:
    """Rules silenced by a ``model-risk: ignore[...]`` comment on a line: None for none, empty for all."""
    match = _IGNORE.search(line_text)
    if match is None:
        return None
    listed = match.group(1)
    if listed is None:
        return frozenset()
    return frozenset(part.strip() for part in listed.split(",") if part.strip())


def detect_file(source: SourceFile, detectors: Sequence[Detector]) -> tuple[list[Reference], list[Note]]:
    import dataclasses

    references: list[Reference] = []
    notes: list[Note] = []
    for detector in detectors:
        try:
            if not detector.prefilter(source.text):
                continue
            for item in detector.detect(source):
                if isinstance(item, Note):
                    notes.append(item)
                else:
                    references.append(item)
        except Exception as exc:  # a detector bug costs this file, not the scan
            notes.append(Note(f"detector {detector.name!r} failed: {exc.__class__.__name__}: {exc}",
                              source.path, level="error"))
    if references and "model-risk:" in source.text:
        references = [
            dataclasses.replace(ref, ignore=ignore) if (ignore := inline_ignore(source.line_text(ref.line)))
            is not None else ref
            for ref in references
        ]
    return references, notes


def _detect_batch(batch: Sequence[Candidate], detectors: Sequence[Detector], max_size: int
                  ) -> tuple[list[Reference], list[Note], int]:
    # Detectors travel to worker processes by pickling (the hookspec asks plugins to keep them
    # picklable), so a worker needs no plugin manager of its own.
    references: list[Reference] = []
    notes: list[Note] = []
    scanned = 0
    for candidate in batch:
        source, note = read_source(candidate.abs_path, candidate.rel_path, max_size)
        if note is not None:
            notes.append(note)
        if source is None:
            continue
        scanned += 1
        name = candidate.abs_path.rsplit(os.sep, 1)[-1]
        found, file_notes = detect_file(source, [d for d in detectors if d.accepts(name)])
        references += found
        notes += file_notes
    return references, notes, scanned


def detect(candidates: Iterable[Candidate], detectors: Sequence[Detector], *, max_size: int,
           jobs: int | None = None, progress: Callable[[int], None] | None = None) -> DetectionResult:
    files = list(candidates)
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    references: list[Reference] = []
    notes: list[Note] = []
    scanned = 0
    if workers <= 1 or len(files) < PARALLEL_THRESHOLD:
        step = 64
        for start in range(0, len(files), step):
            refs, batch_notes, count = _detect_batch(files[start:start + step], detectors, max_size)
            references += refs
            notes += batch_notes
            scanned += count
            if progress:
                progress(min(start + step, len(files)))
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        # Many small batches keep both cores busy when file sizes are uneven.
        size = max(16, min(256, len(files) // (workers * 8) or 16))
        batches = [files[i:i + size] for i in range(0, len(files), size)]
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
        context = multiprocessing.get_context(method)
        done = 0
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = {pool.submit(_detect_batch, batch, detectors, max_size): len(batch) for batch in batches}
            for future in as_completed(futures):
                refs, batch_notes, count = future.result()
                references += refs
                notes += batch_notes
                scanned += count
                done += futures[future]
                if progress:
                    progress(done)
    references.sort(key=lambda r: (r.path, r.line, r.column, r.model))
    notes.sort(key=lambda n: (n.path or "", n.line or 0))
    return DetectionResult(tuple(references), tuple(notes), scanned)
