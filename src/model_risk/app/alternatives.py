"""``model-risk alternatives MODEL``: replacements for one model, looked up online (and recorded in
model-risk.lock) or read back offline; the lookup itself is :mod:`model_risk.app.replacements`."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from model_risk.app.replacements import Finder, Outcome, concentrated_vendors, find_all, flagged_models
from model_risk.app.scan import scan
from model_risk.app.session import Session
from model_risk.contract.domain import ModelFacts
from model_risk.contract.resolver import ModelRequest
from model_risk.knowledge import facts as records
from model_risk.knowledge import licenses
from model_risk.knowledge.profiles import size_text
from model_risk.report.migration import criteria_text, profile_text
from model_risk.report.terminal import terminal_safe


@dataclass(frozen=True)
class Suggestions:
    target: ModelFacts
    outcome: Outcome
    recorded_in: str | None = None


def finder_for(session: Session) -> Finder:
    return Finder(session.config, session.resolution, session.own_lockfile(), use_cache=session.flags.use_cache)


def suggest(model_id: str, session: Session, *, record: bool = True) -> Suggestions:
    """Replacements for one model: looked up afresh online (and recorded in model-risk.lock), read back
    from the lockfile (or the cache, or model-risk's table) offline."""
    finder = finder_for(session)
    target, _known = session.resolution.model(ModelRequest(model_id))
    outcome = finder.find(target, use_lockfile=session.offline)
    recorded_in = None
    if record and not session.offline and not outcome.failed:
        finder.record(target, outcome)
        recorded_in = finder.lockfile_path.name
    return Suggestions(target, outcome, recorded_in)


def suggest_for_project(session: Session, *, record: bool = True) -> list[Suggestions]:
    """Replacements for every model of the session's project with a finding that calls for one: looked up
    afresh online and recorded together, read back from the lockfile offline."""
    # The scan itself suggests nothing: this command looks every model up afresh, once.
    config = session.config
    quiet = session.with_config(alternatives=dataclasses.replace(config.alternatives, enabled=False))
    result = scan(quiet)
    flagged = flagged_models(result.findings, result.models)
    targets: dict[str, ModelFacts] = {}
    for facts in result.models:
        if facts.id in flagged:
            targets.setdefault(facts.id.lower(), facts)
    finder = finder_for(session)
    outcomes = find_all(finder, list(targets.values()), concentrated_vendors(result.findings),
                        use_lockfile=session.offline)
    found = []
    for facts, outcome in zip(targets.values(), outcomes):
        recorded = record and not session.offline and not outcome.failed
        if recorded:
            finder.record(facts, outcome)
        found.append(Suggestions(facts, outcome, finder.lockfile_path.name if recorded else None))
    return found


def json_document(s: Suggestions) -> dict[str, Any]:
    t = s.target
    return {"model": t.id, "status": t.status.value, "root_vendor": t.root_vendor,
            "license": licenses.label(t.governing_license) if t.governing_license else None,
            "pipeline_tag": t.pipeline_tag, "library_name": t.library_name, "source": s.outcome.source,
            "recorded_in": s.recorded_in, "profile": records.profile_record(s.outcome.profile),
            "alternatives": [records.alternative_record(a) for a in s.outcome.alternatives],
            "others": [records.alternative_record(a) for a in s.outcome.others],
            "rejected": [{"id": i, "reason": r} for i, r in s.outcome.rejected],
            "note": s.outcome.note, "criteria": s.outcome.criteria or {}}


# -- text -----------------------------------------------------------------------------------------------


def render_text(s: Suggestions) -> str:
    t, outcome = s.target, s.outcome
    lines = [f"Alternatives to {t.id}:", f"  The model: {profile_text(outcome.profile)}"
             if outcome.profile else f"  The model: {t.pipeline_tag or 'task not known'}"]
    for i, a in enumerate(outcome.alternatives, 1):
        downloads = f"{a.downloads:,} downloads" if a.downloads is not None else "downloads not known"
        origin = "" if a.origin == "hub" else ", from model-risk's table" if a.origin == "table" else ""
        lines.append(f"  {i}. {a.id}  {a.license or 'license not known'}  {size_text(a.profile)}  "
                     f"{a.root_vendor or 'vendor not known'}  {downloads}{origin}  effort: {a.effort}")
        lines.append(f"     facts: {profile_text(a.profile)}")
        for change in a.changes:
            lines.append(f"     changes: [{change.effort}] {change.text}")
    if outcome.note:
        lines.append(f"  {outcome.note}")
    if outcome.others:
        lines.append("  Also qualify: " + "; ".join(
            f"{a.id} ({a.root_vendor or 'vendor not known'}, effort {a.effort}"
            + "".join(f"; {c.text}" for c in a.changes if c.kind == "jurisdiction" and c.effort != "small") + ")"
            for a in outcome.others))
    if outcome.rejected:
        shown = outcome.rejected[:8]
        lines.append("  Not suggested: " + "; ".join(f"{i} ({r})" for i, r in shown)
                     + (f"; and {len(outcome.rejected) - len(shown)} more" if len(outcome.rejected) > len(shown) else ""))
    if outcome.criteria:
        lines.append(criteria_text(outcome.criteria))
    if s.recorded_in:
        lines.append(f"Recorded in {s.recorded_in}: offline scans show these.")
    elif outcome.source == "lockfile":
        lines.append("From model-risk.lock (recorded by an earlier `model-risk alternatives`).")
    elif outcome.source == "table" and outcome.alternatives:
        lines.append("From model-risk's substitutes table (offline, nothing recorded or cached): run "
                     "`model-risk alternatives` online for the Hub's facts.")
    return "\n".join(terminal_safe(line) for line in lines) + "\n"
