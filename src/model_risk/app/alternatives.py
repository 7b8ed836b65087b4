"""``model-risk alternatives MODEL``: replacements for one model, looked up online (and recorded in
model-risk.lock) or read back offline; the lookup itself is :mod:`model_risk.app.replacements`."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from model_risk.app.replacements import Finder, Outcome, concentrated_vendors, flagged_models
from model_risk.app.scan import scan
from model_risk.app.session import Session
from model_risk.contract.domain import ModelFacts
from model_risk.contract.resolver import ModelRequest
from model_risk.evaluate.alternatives import human_count
from model_risk.knowledge import facts as records
from model_risk.knowledge import licenses
from model_risk.report.terminal import terminal_safe


@dataclass(frozen=True)
class Suggestions:
    target: ModelFacts
    outcome: Outcome
    recorded_in: str | None = None


def suggest(model_id: str, session: Session, *, record: bool = True) -> Suggestions:
    """Replacements for one model: looked up afresh online (and recorded in model-risk.lock), read back
    from the lockfile (or the cache) offline."""
    finder = Finder(session.config, session.resolution, session.own_lockfile(), use_cache=session.flags.use_cache)
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
    concentrated = concentrated_vendors(result.findings)
    finder = Finder(config, session.resolution, session.own_lockfile(), use_cache=session.flags.use_cache)
    found = []
    seen: set[str] = set()
    for facts in result.models:
        if facts.id not in flagged or facts.id.lower() in seen:
            continue
        seen.add(facts.id.lower())
        outcome = finder.find(facts, use_lockfile=session.offline, avoid=concentrated)
        recorded = record and not session.offline and not outcome.failed
        if recorded:
            finder.record(facts, outcome)
        found.append(Suggestions(facts, outcome, finder.lockfile_path.name if recorded else None))
    return found


def _size(parameters: object) -> str:
    return human_count(parameters) if isinstance(parameters, int) and parameters > 0 else "size unknown"


def json_document(s: Suggestions) -> dict[str, Any]:
    t = s.target
    return {"model": t.id, "status": t.status.value, "root_vendor": t.root_vendor,
            "license": licenses.label(t.license) if t.license else None, "pipeline_tag": t.pipeline_tag,
            "library_name": t.library_name, "source": s.outcome.source, "recorded_in": s.recorded_in,
            "alternatives": [records.alternative_record(a) for a in s.outcome.alternatives],
            "note": s.outcome.note, "criteria": s.outcome.criteria or {}}


def render_text(s: Suggestions) -> str:
    t, outcome = s.target, s.outcome
    what = ", ".join(x for x in (t.root_vendor, licenses.label(t.license) if t.license else None, t.pipeline_tag,
                                 t.library_name) if x)
    lines = [f"Alternatives to {t.id} ({what}):"]
    if outcome.alternatives:
        width = max(len(a.id) for a in outcome.alternatives)
        for i, a in enumerate(outcome.alternatives, 1):
            downloads = f"{a.downloads:,} downloads" if a.downloads is not None else "downloads unknown"
            lines.append(f"  {i}. {a.id.ljust(width)}  {(a.license or '-'):<12} {_size(a.parameters):>8}  "
                         f"{downloads}  (root vendor {a.root_vendor or 'unknown'})")
    if outcome.note:
        lines.append(f"  {outcome.note}")
    criteria = outcome.criteria or {}
    if criteria:
        size = ""
        if criteria.get("parameters"):
            ratio = float(criteria.get("max_ratio") or 2)
            size = (f", {_size(int(criteria['parameters'] / ratio))}-{_size(int(criteria['parameters'] * ratio))} "
                    "parameters")
        excluded = ", ".join(criteria.get("excluded_root_vendors") or ()) or "none"
        lines.append(f"Criteria: {criteria.get('pipeline_tag')}"
                     + (f" with {criteria['library_name']}" if criteria.get("library_name") else "")
                     + f"{size}; licenses: {', '.join(criteria.get('licenses') or ())}; "
                       f"not from {excluded} at the root; ranked by downloads.")
    if s.recorded_in:
        lines.append(f"Recorded in {s.recorded_in}: offline scans show these.")
    elif outcome.source == "lockfile":
        lines.append("From model-risk.lock (recorded by an earlier `model-risk alternatives`).")
    return "\n".join(terminal_safe(line) for line in lines) + "\n"
