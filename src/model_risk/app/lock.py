"""``model-risk lock``: resolve every referenced model (and its lineage) fresh and write model-risk.lock."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from model_risk.app.session import Session
from model_risk.contract.domain import ModelFacts, ModelStatus, Note, Reference
from model_risk.contract.resolver import ModelRequest, ResolveContext
from model_risk.resolve.lockfile import Lockfile, read_lockfile, request_key, write_lockfile
from model_risk.resolve.monorepo import project_lockfile, projects_of
from model_risk.resolve.resolution import requests_for


@dataclass(frozen=True)
class LockOutcome:
    written: int
    #: Entries carried over from the previous lockfile because the Hub did not answer for them.
    kept: tuple[str, ...]
    #: Models that could not be locked: the Hub did not answer and the lockfile had no entry.
    missing: tuple[str, ...]
    notes: tuple[Note, ...]


@dataclass(frozen=True)
class LockCheck:
    missing: tuple[str, ...]
    unused: tuple[str, ...]
    notes: tuple[Note, ...]

    @property
    def current(self) -> bool:
        return not self.missing and not self.unused


def _references(session: Session) -> tuple[list[Reference], list[Note]]:
    detection, walk_notes = session.find_references()
    return list(detection.references), [*walk_notes, *detection.notes]


def lock(session: Session) -> LockOutcome:
    references, notes = _references(session)
    return _lock(references, session.own_lockfile(), session, notes)


def lock_projects(session: Session) -> list[tuple[Path, LockOutcome]]:
    """A monorepo: one lockfile per sub-project (a directory with a model-risk.lock or a project
    manifest, see resolve/monorepo.py), each holding the models its own files reference."""
    references, notes = _references(session)
    # The walk's notes are reported once, with the first sub-project.
    return [(path, _lock(own, path, session, notes if index == 0 else []))
            for index, (path, own) in enumerate(_by_project(session, references))]


def _by_project(session: Session, references: list[Reference]) -> list[tuple[Path, list[Reference]]]:
    """Each sub-project's lockfile path with the references of its own files, in directory order."""
    root = session.root
    projects = projects_of(root, (ref.path for ref in references))
    split = []
    for directory in sorted(projects):
        paths = set(projects[directory])
        split.append((project_lockfile(root, directory), [ref for ref in references if ref.path in paths]))
    return split


def _lock(references: list[Reference], lockfile_path: Path, session: Session, notes: list[Note]
          ) -> LockOutcome:
    previous = read_lockfile(lockfile_path)
    # Fresh facts: skip the lockfile, and the cache unless offline (then the cache is all there is).
    fresh = session.resolution.fresh(read_cache=session.offline)
    context = fresh.context
    ask = fresh.answer()
    failures: dict[ModelRequest, str] = {}

    def resolve(request: ModelRequest) -> ModelFacts | None:
        # A Hub that fails must not erase what the lockfile already records; the kept entry's base
        # models are then followed like any other, so its lineage stays locked too.
        facts = ask(request)
        if facts is not None and facts.status is not ModelStatus.UNRESOLVED:
            return facts
        kept = previous.facts(request, context.vendors) if previous is not None else None
        if kept is None:
            return facts
        failures[request] = (facts.reason if facts is not None else None) or "not in the cache"
        return kept

    known = fresh.resolve(requests_for(references, context.vendors), resolve)
    entries: list[tuple[ModelRequest, ModelFacts]] = []
    kept: list[str] = []
    missing: list[str] = []
    for request, facts in sorted(known.items(), key=lambda item: request_key(item[0])):
        if facts.status is ModelStatus.UNRESOLVED and previous is not None and request not in failures:
            # Still running at the deadline, so never through resolve(): keep the old entry all the same.
            if (old := previous.facts(request, context.vendors)) is not None:
                failures[request] = facts.reason or "no answer"
                facts = old
        if request in failures:
            kept.append(request_key(request))
            notes.append(Note(f"{request}: {failures[request]}; kept the entry already in the lockfile"))
        elif facts.status is ModelStatus.UNRESOLVED:
            missing.append(request_key(request))
            notes.append(Note(f"{request}: {facts.reason}; not locked"))
            continue
        entries.append((request, facts))
    if previous is not None:
        entries += _locked_ancestors(previous, [f for r, f in entries if r in failures], set(known), context)
    # Replacements recorded by `model-risk alternatives` stay until they are recorded again.
    write_lockfile(lockfile_path, entries, previous.alternatives if previous is not None else None)
    return LockOutcome(len(entries), tuple(kept), tuple(missing), tuple(notes))


def _locked_ancestors(previous: Lockfile, kept: list[ModelFacts], looked_up: set[ModelRequest],
                      context: ResolveContext) -> list[tuple[ModelRequest, ModelFacts]]:
    """The lockfile's entries for the base models of kept entries that were never looked up (their
    child did not finish before the deadline), so a kept entry keeps its lineage."""
    found = []
    queue = [ModelRequest(base) for facts in kept for base in facts.base_models]
    while queue:
        request = queue.pop()
        if request in looked_up:
            continue
        looked_up.add(request)
        facts = previous.facts(request, context.vendors)
        if facts is not None:
            found.append((request, facts))
            queue += [ModelRequest(base) for base in facts.base_models]
    return found


def check(session: Session) -> LockCheck:
    """Is the lockfile current for the code? Offline: compares ids, not facts (drift is `scan`'s job)."""
    references, notes = _references(session)
    return _check(references, session.own_lockfile(), notes)


def check_projects(session: Session) -> list[tuple[Path, LockCheck]]:
    """``check`` for each sub-project's own lockfile (see :func:`lock_projects`)."""
    references, notes = _references(session)
    return [(path, _check(own, path, notes if index == 0 else []))
            for index, (path, own) in enumerate(_by_project(session, references))]


def _check(references: list[Reference], lockfile_path: Path, notes: list[Note]) -> LockCheck:
    lockfile = read_lockfile(lockfile_path)
    wanted = requests_for(references)
    if lockfile is None:
        return LockCheck(tuple(map(request_key, wanted)), (), tuple(notes))
    needed: set[str] = set()
    queue: list[ModelRequest] = list(wanted)
    missing = []
    while queue:
        request = queue.pop()
        key = request_key(request)
        if key in needed:
            continue
        needed.add(key)
        record = lockfile.record(request)
        if record is None:
            missing.append(key)
            continue
        queue.extend(ModelRequest(str(base)) for base in record.get("base_models") or ())
    unused = sorted(set(lockfile.entries) - needed)
    return LockCheck(tuple(sorted(missing)), tuple(unused), tuple(notes))
