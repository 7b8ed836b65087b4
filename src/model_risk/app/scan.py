"""The scan: walk -> detect -> resolve -> evaluate, for one session. No CLI code here.

``scan()`` returns a :class:`~model_risk.contract.domain.ScanResult`; reporters turn it into documents.
A diff-aware scan (``--diff-base``) scans the project twice, through :mod:`model_risk.app.diff`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from model_risk.app import reference_policy, verification
from model_risk.app.repo_identity import identify
from model_risk.app.session import Progress, Session
from model_risk.contract.domain import Note, ScanResult
from model_risk.contract.version import __version__
from model_risk.detect.walk import find_git_root
from model_risk.evaluate.evaluate import Policy, apply_policy, run_rules
from model_risk.knowledge import catalog

#: Rule scopes whose findings do not depend on files outside the ones scanned.
PER_FILE_SCOPES = ("model", "reference")


def scan(session: Session, progress: Progress | None = None) -> ScanResult:
    """The session's scan: of its paths, or, with a diff base, of what changed since it."""
    if session.flags.diff_base:
        from model_risk.app import diff  # git and tarfile: not on the pre-commit path

        return diff.scan_against(session, session.flags.diff_base, scan_tree, progress=progress)
    return scan_tree(session, progress)


def scan_tree(session: Session, progress: Progress | None = None) -> ScanResult:
    config = session.config
    started = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    # Load everything that can fail on bad input first, so a broken pack, baseline or endpoint stops the
    # scan before any work is done.
    rules = session.rules
    baseline: frozenset[str] = frozenset()
    if config.baseline:
        from model_risk.evaluate.baseline import read_baseline

        baseline = read_baseline(config.baseline)
    resolution = session.resolution

    detection, walk_notes = session.find_references(progress)
    located = resolution.for_references(detection.references)
    plan = verification.prepare(detection.references, located)
    resolved = located.answering(plan.known).uses(
        detection.references, check_drift=session.flags.check_drift, progress=progress)
    usages, kept, confirm_notes, checked = verification.confirmed(resolved.uses, plan)
    references = tuple(kept[id(r)] for r in detection.references if id(r) in kept)
    per_file = session.flags.per_file
    active = [r for r in rules if r.enabled and (not per_file or r.info.scope in PER_FILE_SCOPES)]
    results = run_rules(active, usages, references=len(references),
                        files=detection.files_scanned, watchlist=config.watchlist,
                        concentration=reference_policy.counted_for_concentration(usages, config.scopes))
    results = reference_policy.tempered(results, usages, config.scopes)
    findings, policy_notes = apply_policy(results, Policy(config.watchlist, config.allow, baseline))
    alternative_notes: list[Note] = []
    if config.alternatives.enabled and not per_file:
        from model_risk.app.replacements import Finder, with_alternatives  # the Hub's list queries

        finder = Finder(config, resolution, session.own_lockfile(), use_cache=session.flags.use_cache)
        usages, alternative_notes = with_alternatives(usages, findings, finder)
    if progress:
        progress("done", 0, 0)
    identity = identify(config.root)
    notes: list[Note] = [*walk_notes, *detection.notes, *resolved.notes, *confirm_notes, *policy_notes,
                         *alternative_notes]
    return ScanResult.of_uses(
        references=references,
        uses=usages,
        tool_version=__version__,
        root=str(config.root),
        files_scanned=detection.files_scanned,
        findings=tuple(findings),
        rules=tuple(r.info for r in active),
        notes=tuple(notes),
        fail_on=config.fail_on,
        fail_on_unchecked=config.fail_on_unchecked,
        offline=session.offline,
        started_at=started,
        repository_path=repository_path(config.root),
        repository=identity.name,
        remote_url=identity.remote_url,
        commit=identity.commit,
        branch=identity.branch,
        project=project_name(config.root),
        knowledge=catalog.stamp(),
        verification=verification.finished(checked, plan),
    )


def project_name(root: Path) -> str:
    """The project's name: the directory of its git work tree, else of the scan root."""
    resolved = root.resolve()
    return (find_git_root(resolved) or resolved).name or "project"


def repository_path(root: Path) -> str | None:
    """``root`` relative to the top of its git work tree (``""`` at the top), or None outside git."""
    resolved = root.resolve()
    top = find_git_root(resolved)
    if top is None:
        return None
    relative = resolved.relative_to(top).as_posix()
    return "" if relative == "." else relative
