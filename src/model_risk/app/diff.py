"""Diff-aware scans (``scan --diff-base REF``): the findings a change introduces, for pull requests.

A finding about a model or a reference is kept when a line added or changed since REF contributes to it:
the line one of its references is written on, or a line of a call that loads one (its locations are
narrowed to those places, a call named by its first line). A vendor or project-wide finding is kept
when the change makes it worse: it is new, or the vendor's share of the project's models grew. To know
what "before" looked like, the tree at REF is exported with ``git archive`` and scanned the same way.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import re
import tarfile
import tempfile
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from model_risk.app.session import Progress, Session
from model_risk.common.git import GitUnavailable, run_git
from model_risk.contract.domain import (
    Finding,
    Location,
    Reference,
    ScanResult,
    distinct_hub_models,
    root_vendor_of,
)
from model_risk.contract.errors import UsageError
from model_risk.detect.walk import find_git_root

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


@dataclass(frozen=True)
class ChangedLines:
    #: Root-relative path -> added or changed lines (1-based).
    lines: Mapping[str, frozenset[int]]
    #: Files that did not exist at the base (every line counts as changed).
    new_files: frozenset[str]

    def touches(self, path: str, line: int) -> bool:
        return path in self.new_files or line in self.lines.get(path, frozenset())


def _git(root: Path, *args: str, binary: bool = False) -> str | bytes:
    # Through the one git helper: the scanned tree's .git/config runs nothing (filters, textconv, fsmonitor).
    try:
        proc = run_git(root, *args, timeout=120)
    except GitUnavailable as exc:
        raise UsageError(f"--diff-base needs git: {exc}") from None
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UsageError(f"git {args[0]} failed: {message[-1] if message else 'unknown error'}")
    return proc.stdout if binary else proc.stdout.decode("utf-8", "replace")


def verify_base(root: Path, base: str) -> str:
    """The commit ``base`` names; a usage error when it does not name one."""
    if find_git_root(root) is None:
        raise UsageError("--diff-base needs a git work tree")
    try:
        return str(_git(root, "rev-parse", "--verify", "--quiet", f"{base}^{{commit}}")).strip()
    except UsageError:
        raise UsageError(f"--diff-base: {base!r} is not a commit in this repository") from None


def changed_lines(root: Path, base: str) -> ChangedLines:
    """Lines of the working tree (staged or not) added or changed since ``base``, relative to ``root``."""
    diff = str(_git(root, "diff", "--unified=0", "--no-color", "--no-ext-diff", "--no-textconv", "--relative",
                    "--no-renames", base, "--"))
    lines: dict[str, set[int]] = {}
    new_files: set[str] = set()
    current: str | None = None
    previous_missing = False
    for row in diff.splitlines():
        if row.startswith("--- "):
            previous_missing = row == "--- /dev/null"
        elif row.startswith("+++ "):
            current = None if row == "+++ /dev/null" else row[6:] if row.startswith("+++ b/") else row[4:]
            if current is not None and previous_missing:
                new_files.add(current)
        elif current is not None and (match := _HUNK.match(row)):
            start, count = int(match.group(1)), int(match.group(2) or 1)
            lines.setdefault(current, set()).update(range(start, start + count))
    untracked = str(_git(root, "ls-files", "--others", "--exclude-standard"))
    new_files.update(path for path in untracked.splitlines() if path)
    return ChangedLines({k: frozenset(v) for k, v in lines.items()}, frozenset(new_files))


def export_tree(root: Path, base: str, into: Path) -> Path:
    """Write the files under ``root`` as they were at ``base`` into ``into``; returns the equivalent root."""
    git_root = find_git_root(root)
    assert git_root is not None
    prefix = root.resolve().relative_to(git_root.resolve()).as_posix()
    args = ["archive", "--format=tar", base] + ([prefix] if prefix != "." else [])
    try:
        archive = _git(git_root, *args, binary=True)
    except UsageError:
        return into  # the directory did not exist at the base: nothing was there before
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:  # type: ignore[arg-type]
        tar.extractall(into, filter="data")
    return into / prefix if prefix != "." else into


def vendor_shares(result: ScanResult) -> Counter[str]:
    counts = Counter(root_vendor_of(m) for m in distinct_hub_models(result.models).values())
    total = sum(counts.values()) or 1
    return Counter({vendor: count / total for vendor, count in counts.items()})


def touched_locations(finding: Finding, references: Mapping[tuple[str, int], list[Reference]],
                      changed: ChangedLines) -> tuple[Location, ...]:
    """The places a change contributes to ``finding``: a changed line where its id is written, or in a
    call that loads it (``from_pretrained(MODEL, trust_remote_code=True)`` changed, ``MODEL = ...`` not);
    a place of the second kind is named by the call's line."""
    touched: dict[Location, None] = {}
    for loc in finding.locations:
        if changed.touches(loc.path, loc.line):
            touched[loc] = None
            continue
        for ref in references.get((loc.path, loc.line), ()):
            place = ref.written_on(functools.partial(changed.touches, loc.path))
            if place is not None:
                touched[place] = None
    return tuple(touched)


def narrow(head: ScanResult, base: ScanResult, changed: ChangedLines, base_ref: str) -> ScanResult:
    """Keep the findings of ``head`` that the change since ``base`` introduced or made worse."""
    before_prints = {f.fingerprint for f in base.findings if f.active}
    before_shares, after_shares = vendor_shares(base), vendor_shares(head)
    by_model: dict[str, dict[tuple[str, int], list[Reference]]] = {}
    for use in head.uses():
        places = by_model.setdefault(use.facts.id, {})
        for ref in use.references:
            places.setdefault((ref.path, ref.line), []).append(ref)
    kept: list[Finding] = []
    for finding in head.findings:
        if finding.model is not None:
            touched = touched_locations(finding, by_model.get(finding.model, {}), changed)
            if touched:
                kept.append(dataclasses.replace(finding, locations=touched))
        elif finding.vendor is not None:
            worse = finding.fingerprint not in before_prints or \
                after_shares[finding.vendor] > before_shares[finding.vendor] + 1e-9
            if worse:
                touched = tuple(loc for loc in finding.locations if changed.touches(loc.path, loc.line))
                kept.append(dataclasses.replace(finding, locations=touched or finding.locations))
        elif finding.fingerprint not in before_prints:
            kept.append(finding)
    return dataclasses.replace(head, findings=tuple(kept), diff_base=base_ref)


def scan_against(session: Session, base_ref: str, scan_tree: Callable[..., ScanResult],
                 progress: Progress | None = None) -> ScanResult:
    """A scan with ``--diff-base``: scan the working tree and the tree at ``base_ref`` with ``scan_tree``,
    and keep what changed."""
    root = session.root
    verify_base(root, base_ref)
    changed = changed_lines(root, base_ref)
    head = scan_tree(session, progress)
    with tempfile.TemporaryDirectory(prefix="model-risk-base-") as tmp:
        base_root = export_tree(root, base_ref, Path(tmp))
        base_paths = tuple(base_root / p.relative_to(root) for p in session.paths if p.is_relative_to(root))
        existing = tuple(p for p in base_paths if p.exists())
        if not existing:  # everything scanned is new since the base
            base = head.restricted(lambda _reference: False)
        else:
            base = scan_tree(session.for_tree(base_root, existing))
    return narrow(head, base, changed, base_ref)
