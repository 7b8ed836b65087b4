"""Running the detectors over candidate files, on every core when there are many files.

A detector that fails on a file costs that file, with a note; it never stops the scan.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from model_risk.common.debug import show_traceback
from model_risk.contract.detector import Detector
from model_risk.contract.domain import Note, Reference
from model_risk.contract.source import SourceFile
from model_risk.detect import candidates, doors, text_search
from model_risk.detect.commands import stronger
from model_risk.detect.source import decode_source, read_file
from model_risk.detect.walk import Candidate
from model_risk.knowledge import catalog

#: A process pool costs about 0.1 s to start and feed: worth it from this many files, or from this many
#: bytes in at least two files (a few large modules take seconds to analyse; one file cannot be split).
PARALLEL_THRESHOLD = 256
PARALLEL_BYTES = 1024 * 1024

_IGNORE = text_search.lazy(r"model-risk:\s*ignore(?:\[([^\]\n]*)\])?")


#: The name references found only by the candidate pass carry (``references[].detector``); also the
#: name that turns the pass off in the configuration (``detectors: disable: [candidates]``).
CANDIDATE_PASS = "candidates"


class CandidatePass(NamedTuple):
    """The candidate pass over every text file (:mod:`model_risk.detect.candidates`), and whether it
    reads documentation (``docs: false`` leaves it out, like the documentation detectors). (A named
    tuple: the one-file pre-commit path makes this class on every start, and a slotted dataclass costs
    a millisecond to make.)"""

    docs: bool = True

    def reads(self, filename: str) -> bool:
        return filename not in _OWN_NAMES and candidates.reads(filename, docs=self.docs)


def accepts(detectors: Sequence[Detector], candidate_pass: CandidatePass | None) -> Callable[[str], bool]:
    """Which file names the walk keeps: those a detector reads, and every text file for the pass."""
    if candidate_pass is None:
        return lambda name: any(d.accepts(name) for d in detectors)
    return lambda name: candidate_pass.reads(name) or any(d.accepts(name) for d in detectors)


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


def detect_file(source: SourceFile, detectors: Sequence[Detector], *, candidate_pass: bool = False
                ) -> tuple[list[Reference], list[Note]]:
    """The references in one file: the detectors', then the candidate pass's (``candidate_pass``),
    merged so that one literal is one reference."""
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
    references = doors.prefer_doors(references)  # one reference per place: a door's reading wins
    if candidate_pass:
        try:
            # What a detector already reported is not judged again; links and short names, which
            # every detector finds for itself, are looked for only where none read the file.
            known = {source.line_offset(r.line) + r.column - 1 for r in references}
            text = source.text
            if source.path.endswith("pyproject.toml") and "[tool.model-risk" in text:
                text = candidates.without_own_settings(text)
            alone = all(d.name in doors.DETECTORS for d in detectors)
            found = candidates.find_candidates(text, alone=alone, known=known)
        except Exception as exc:  # a bug in the pass costs this file's candidates, not the scan
            show_traceback(exc)
            notes.append(Note(f"candidate pass failed: {exc.__class__.__name__}: {exc}", source.path, level="error"))
        else:
            references = with_candidates(source, references, found)
    if references and "model-risk:" in source.text:
        references = [
            dataclasses.replace(ref, ignore=ignore) if (ignore := inline_ignore(source.line_text(ref.line)))
            is not None else ref
            for ref in references
        ]
    return references, notes


def with_candidates(source: SourceFile, references: list[Reference], found: Sequence[candidates.IdCandidate]
                    ) -> list[Reference]:
    """The detectors' references and the candidate pass's, one per literal: where both found the same
    id at the same place the detector's reference stays (it knows the loader), with the surer
    confidence and the attributes either saw."""
    at = {(r.line, r.column, r.model.lower()): i for i, r in enumerate(references)}
    merged = list(references)
    for candidate in found:
        line, column = source.position(candidate.start)
        key = (line, column, candidate.model.lower())
        index = at.get(key)
        if index is None:
            at[key] = len(merged)
            merged.append(Reference(model=candidate.model, path=source.path, line=line, column=column,
                                    detector=CANDIDATE_PASS, revision=candidate.revision,
                                    trust_remote_code=candidate.trust_remote_code, lookup_id=candidate.lookup_id,
                                    confidence=candidate.confidence))
            continue
        known = merged[index]
        if known.kind != "hub":
            continue
        confidence = stronger(known.confidence, candidate.confidence)
        revision = known.revision or candidate.revision
        trust = known.trust_remote_code or candidate.trust_remote_code
        if (confidence, revision, trust) != (known.confidence, known.revision, known.trust_remote_code):
            merged[index] = dataclasses.replace(known, confidence=confidence, revision=revision,  # type: ignore[arg-type]
                                                trust_remote_code=trust)
    return merged


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

#: (size, mtime_ns, ctime_ns, inode, device): what the detection cache compares to know a file unchanged
#: without reading it.
FileStatus = tuple[int, int, int, int, int]


def file_status(status: os.stat_result) -> FileStatus:
    return status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, status.st_dev


@dataclass(frozen=True, slots=True)
class FileOutcome:
    """What detection made of one file: whether it was read (``scanned``), its references and notes.

    When the detection cache asked for it, ``digest`` is the SHA-256 of the bytes read and ``status`` the
    file's status as it was opened; ``digest`` stays None for an outcome that must be found again next
    time (the file could not be read, or a detector failed on it)."""

    path: str
    scanned: bool
    references: tuple[Reference, ...] = ()
    notes: tuple[Note, ...] = ()
    digest: str | None = None
    status: FileStatus | None = None


class OutcomeCache(Protocol):
    """Outcomes of earlier scans (:mod:`model_risk.detect.cache`), asked before any file is read."""

    def unanswered(self, candidates: Iterable[Candidate], answer: Callable[[FileOutcome], None]
                   ) -> Iterator[Candidate]:
        """The candidates it has no outcome for; ``answer(outcome)`` for each of the others."""

    def save(self, outcomes: Sequence[FileOutcome]) -> None:
        """Keep the outcomes of this scan's detection (the candidates it did not answer)."""


def _detect_one(candidate: Candidate, detectors: Sequence[Detector], max_size: int, hashing: bool,
                candidate_pass: CandidatePass | None) -> FileOutcome:
    rel = candidate.rel_path
    data, note, status = read_file(candidate.abs_path, rel, max_size)
    if data is None:
        return FileOutcome(rel, False, (), (note,) if note is not None else ())
    digest = kept = None
    if hashing:
        import hashlib  # only with the cache: loading OpenSSL costs the one-file pre-commit path time

        digest = hashlib.sha256(data).hexdigest()
        kept = file_status(status) if status is not None else None
    source, note = decode_source(data, rel)
    notes = (note,) if note is not None else ()
    if source is None:
        return FileOutcome(rel, False, (), notes, digest, kept)
    name = candidate.abs_path.rsplit(os.sep, 1)[-1]
    if is_own_file(name, source.text):
        return FileOutcome(rel, True, (), notes, digest, kept)
    found, file_notes = detect_file(source, [d for d in detectors if d.accepts(name)],
                                    candidate_pass=candidate_pass is not None and candidate_pass.reads(name))
    if digest is not None and (any(n.level == "error" for n in file_notes)
                               or any(r.path != rel or r.scope or r.verified_by for r in found)):
        digest = None  # a detector failed (shown again next time), or wrote what the cache cannot keep
    return FileOutcome(rel, True, tuple(found), (*notes, *file_notes), digest, kept)


def _detect_files(batch: Sequence[Candidate], detectors: Sequence[Detector], max_size: int,
                  hashing: bool = False, candidate_pass: CandidatePass | None = None) -> list[FileOutcome]:
    return [_detect_one(candidate, detectors, max_size, hashing, candidate_pass) for candidate in batch]


#: A file's outcome as a worker sends it: (path, scanned, references, notes, digest, status), references
#: and notes as tuples of their fields.
_Sent = tuple[str, bool, list[tuple], list[tuple], str | None, FileStatus | None]


def _detect_batch(batch: Sequence[Candidate], detectors: Sequence[Detector], max_size: int,
                  hashing: bool = False, candidate_pass: CandidatePass | None = None) -> list[_Sent]:
    """A worker's job: each file's outcome, with references and notes as tuples of their fields.

    Detectors travel to worker processes by pickling (the hookspec asks plugins to keep them
    picklable), so a worker needs no plugin manager of its own."""
    return [(o.path, o.scanned, [tuple(getattr(ref, f) for f in _REFERENCE_FIELDS) for ref in o.references],
             [tuple(getattr(note, f) for f in _NOTE_FIELDS) for note in o.notes], o.digest, o.status)
            for o in _detect_files(batch, detectors, max_size, hashing, candidate_pass)]


def _received(sent: _Sent) -> FileOutcome:
    path, scanned, references, notes, digest, status = sent
    return FileOutcome(path, scanned, tuple(Reference(*values) for values in references),
                       tuple(Note(*values) for values in notes), digest, status)


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


def detect(files: Iterable[Candidate], detectors: Sequence[Detector], *, max_size: int,
           jobs: int | None = None, progress: Callable[[int, int], None] | None = None,
           candidate_pass: CandidatePass | None = None, cache: OutcomeCache | None = None) -> DetectionResult:
    """Run ``detectors`` (and the ``candidate_pass``, when given) over the candidate files. ``files`` may be
    a walk still under way: from ``PARALLEL_THRESHOLD`` files (or ``PARALLEL_BYTES``) on, batches go to a
    process pool as the walk
    yields them, so the workers start while the tree is still being walked. ``progress(done, seen)``
    counts files. With a ``cache``, files it answers for are not read, and the others' outcomes are
    given to it to keep."""
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    answered: list[FileOutcome] = []
    iterator = iter(files) if cache is None else cache.unanswered(files, answered.append)
    hashing = cache is not None
    head = list(itertools.islice(iterator, PARALLEL_THRESHOLD))
    outcomes: list[FileOutcome] = []
    large = len(head) >= 2 and sum(c.size for c in head) >= PARALLEL_BYTES
    if workers <= 1 or (len(head) < PARALLEL_THRESHOLD and not large):
        listed = head + list(iterator)
        step = 64
        for start in range(0, len(listed), step):
            outcomes += _detect_files(listed[start:start + step], detectors, max_size, hashing, candidate_pass)
            if progress:
                progress(len(answered) + min(start + step, len(listed)), len(answered) + len(listed))
    else:
        import multiprocessing
        from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
        context = multiprocessing.get_context(method)
        if candidate_pass is not None:
            candidates.warm()  # forked workers inherit the tables and the compiled patterns
        seen = done = 0
        # Each worker judges names with this run's tables, overlays included, whatever the start method.
        with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=catalog.install,
                                 initargs=(catalog.installed(),)) as pool:
            pending: dict = {}
            received: list[_Sent] = []

            def collect(futures: Iterable) -> None:
                nonlocal done
                for future in futures:
                    received.extend(future.result())
                    done += pending.pop(future)
                    if progress:
                        progress(len(answered) + done, len(answered) + seen)

            for batch in _batches(itertools.chain(head, iterator)):
                seen += len(batch)
                pending[pool.submit(_detect_batch, batch, detectors, max_size, hashing, candidate_pass)] = len(batch)
                ready = [f for f in pending if f.done()]
                if ready:
                    collect(ready)
            while pending:
                finished, _ = wait(list(pending), return_when=FIRST_COMPLETED)
                collect(finished)
        outcomes = [_received(sent) for sent in received]
    if cache is not None:
        cache.save(outcomes)
    return combined(answered + outcomes)


def combined(outcomes: Iterable[FileOutcome]) -> DetectionResult:
    """The scan's references and notes, in the order reports list them, from the outcomes of its files."""
    references: list[Reference] = []
    notes: list[Note] = []
    scanned = 0
    for outcome in outcomes:
        references += outcome.references
        notes += outcome.notes
        scanned += outcome.scanned
    references.sort(key=lambda r: (r.path, r.line, r.column, r.model))
    notes.sort(key=lambda n: (n.path or "", n.line or 0))
    return DetectionResult(tuple(references), tuple(notes), scanned)
