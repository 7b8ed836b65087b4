"""Running the detectors over candidate files, on every core when there are many files.

A detector that fails on a file costs that file, with a note; it never stops the scan.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from model_risk.common.debug import show_traceback
from model_risk.contract.detector import Detector
from model_risk.contract.domain import Note, Reference
from model_risk.contract.source import SourceFile
from model_risk.detect.doors import prefer_doors
from model_risk.detect.source import read_source
from model_risk.detect.walk import Candidate
from model_risk.knowledge import catalog

#: A process pool costs about 0.1 s to start and feed: worth it from this many files, or from this many
#: bytes in at least two files (a few large modules take seconds to analyse; one file cannot be split).
PARALLEL_THRESHOLD = 256
PARALLEL_BYTES = 1024 * 1024

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
            show_traceback(exc)
            notes.append(Note(f"detector {detector.name!r} failed: {exc.__class__.__name__}: {exc}",
                              source.path, level="error"))
    references = prefer_doors(references)  # one reference per place: a door's reading wins
    if references and "model-risk:" in source.text:
        references = [
            dataclasses.replace(ref, ignore=ignore) if (ignore := inline_ignore(source.line_text(ref.line)))
            is not None else ref
            for ref in references
        ]
    return references, notes


#: model-risk's own files: the configuration, the lockfile, the baseline. The models they name are the
#: user's policy or model-risk's records, not dependencies.
_OWN_NAMES = frozenset({".model-risk.yaml", ".model-risk.yml", "model-risk.lock", ".model-risk-baseline.json"})
#: What model-risk writes near the top of its reports (JSON, SARIF, CycloneDX, HTML, Markdown).
_REPORT_MARKS = ('"name": "model-risk"', 'content="model-risk', "## ✅ model-risk", "## ❌ model-risk",
                 "# model-risk report")


def is_own_file(name: str, text: str) -> bool:
    """A file model-risk wrote (or reads as its configuration): never scanned as a source."""
    if name in _OWN_NAMES:
        return True
    head = text[:2000]
    return "model-risk" in head and any(mark in head for mark in _REPORT_MARKS)


#: Reference and Note fields in order: workers send plain tuples, which pickle and load several times
#: faster than dataclass instances.
_REFERENCE_FIELDS = tuple(f.name for f in dataclasses.fields(Reference))
_NOTE_FIELDS = tuple(f.name for f in dataclasses.fields(Note))
#: A batch for a worker holds about this many bytes (or ``_BATCH_FILES`` files): large enough that
#: sending it costs little, small enough that uneven file sizes do not leave a core idle at the end.
_BATCH_BYTES = 512 * 1024
_BATCH_FILES = 128

BatchResult = tuple[list[tuple], list[tuple], int]


def _detect_files(batch: Sequence[Candidate], detectors: Sequence[Detector], max_size: int
                  ) -> tuple[list[Reference], list[Note], int]:
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
        if is_own_file(name, source.text):
            continue
        found, file_notes = detect_file(source, [d for d in detectors if d.accepts(name)])
        references += found
        notes += file_notes
    return references, notes, scanned


def _detect_batch(batch: Sequence[Candidate], detectors: Sequence[Detector], max_size: int) -> BatchResult:
    """A worker's job: references and notes as tuples of their fields.

    Detectors travel to worker processes by pickling (the hookspec asks plugins to keep them
    picklable), so a worker needs no plugin manager of its own."""
    references, notes, scanned = _detect_files(batch, detectors, max_size)
    return ([tuple(getattr(ref, f) for f in _REFERENCE_FIELDS) for ref in references],
            [tuple(getattr(note, f) for f in _NOTE_FIELDS) for note in notes], scanned)


def _batches(candidates: Iterable[Candidate]) -> Iterator[list[Candidate]]:
    """Candidates grouped by size (``Candidate.size``, 0 when unknown counts as a small file)."""
    batch: list[Candidate] = []
    weight = 0
    for candidate in candidates:
        batch.append(candidate)
        weight += candidate.size or 4096
        if weight >= _BATCH_BYTES or len(batch) >= _BATCH_FILES:
            yield batch
            batch, weight = [], 0
    if batch:
        yield batch


def detect(candidates: Iterable[Candidate], detectors: Sequence[Detector], *, max_size: int,
           jobs: int | None = None, progress: Callable[[int, int], None] | None = None) -> DetectionResult:
    """Run ``detectors`` over the candidate files. ``candidates`` may be a walk still under way: from
    ``PARALLEL_THRESHOLD`` files (or ``PARALLEL_BYTES``) on, batches go to a process pool as the walk
    yields them, so the workers start while the tree is still being walked. ``progress(done, seen)``
    counts files."""
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    iterator = iter(candidates)
    head = list(itertools.islice(iterator, PARALLEL_THRESHOLD))
    references: list[Reference] = []
    notes: list[Note] = []
    scanned = 0
    large = len(head) >= 2 and sum(c.size for c in head) >= PARALLEL_BYTES
    if workers <= 1 or (len(head) < PARALLEL_THRESHOLD and not large):
        files = head + list(iterator)
        step = 64
        for start in range(0, len(files), step):
            refs, batch_notes, count = _detect_files(files[start:start + step], detectors, max_size)
            references += refs
            notes += batch_notes
            scanned += count
            if progress:
                progress(min(start + step, len(files)), len(files))
    else:
        import multiprocessing
        from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
        context = multiprocessing.get_context(method)
        seen = done = 0
        # Each worker judges names with this run's tables, overlays included, whatever the start method.
        with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=catalog.install,
                                 initargs=(catalog.installed(),)) as pool:
            pending: dict = {}
            raw_references: list[tuple] = []
            raw_notes: list[tuple] = []

            def collect(futures: Iterable) -> None:
                nonlocal scanned, done
                for future in futures:
                    refs, batch_notes, count = future.result()
                    raw_references.extend(refs)
                    raw_notes.extend(batch_notes)
                    scanned += count
                    done += pending.pop(future)
                    if progress:
                        progress(done, seen)

            for batch in _batches(itertools.chain(head, iterator)):
                seen += len(batch)
                pending[pool.submit(_detect_batch, batch, detectors, max_size)] = len(batch)
                ready = [f for f in pending if f.done()]
                if ready:
                    collect(ready)
            while pending:
                finished, _ = wait(list(pending), return_when=FIRST_COMPLETED)
                collect(finished)
        references = [Reference(*values) for values in raw_references]
        notes = [Note(*values) for values in raw_notes]
    references.sort(key=lambda r: (r.path, r.line, r.column, r.model))
    notes.sort(key=lambda n: (n.path or "", n.line or 0))
    return DetectionResult(tuple(references), tuple(notes), scanned)
