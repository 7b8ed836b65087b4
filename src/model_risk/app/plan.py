"""``model-risk plan VENDOR``: one migration document for moving off a vendor, built from ``exposure`` and
``alternatives``.

It says what depends on the vendor, by exposure level (every level of
:data:`model_risk.knowledge.exposure.EXPOSURE_LEVELS`, in order, read when the plan is made: a level added
there appears here, with its title from ``EXPOSURE_TITLES``), what to
do now (pin and lock what stays, keep the license texts you accepted), and for each model the replacement
model-risk suggests with its facts, why it was chosen, what changes for the team and how much work that is.

The plan is one JSON-able document (:func:`plan_document`); ``report/plan.py`` renders it as text, Markdown
(for a pull-request comment) and HTML (an audit attachment), so every format says the same thing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from model_risk.app.alternatives import finder_for
from model_risk.app.exposure import exposure
from model_risk.app.replacements import Outcome, concentrated_vendors, find_all
from model_risk.app.scan import scan
from model_risk.app.session import Session
from model_risk.contract.domain import EFFORT_LEVELS, ModelFacts, ModelStatus, ScanResult
from model_risk.contract.version import __version__
from model_risk.knowledge import exposure as exposures
from model_risk.knowledge import facts as records
from model_risk.knowledge import licenses
from model_risk.knowledge.exposure import ExposedReference, scope_of
from model_risk.report.presentation import license_label, location_text

#: The plan document's format version.
PLAN_VERSION = 1


@dataclass(frozen=True)
class _Model:
    facts: ModelFacts
    exposed: tuple[ExposedReference, ...]

    @property
    def api(self) -> bool:
        return self.facts.status is ModelStatus.API

    @property
    def levels(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(e.level for e in self.exposed))


def plan_document(vendor: str, session: Session) -> dict[str, Any]:
    """The migration plan for ``vendor`` in the session's project (see the module)."""
    config = session.config
    # The scan itself suggests nothing: the plan looks each model up once, below.
    quiet = session.with_config(alternatives=dataclasses.replace(config.alternatives, enabled=False))
    result = scan(quiet)
    found = exposure(vendor, result, session.vendors)
    models = _models(found.exposed)
    finder = finder_for(session)
    avoid = {found.vendor} | concentrated_vendors(result.findings)
    open_weights = [m for m in models if not m.api]
    outcomes = dict(zip((m.facts.id.lower() for m in open_weights),
                        find_all(finder, [m.facts for m in open_weights], avoid, use_lockfile=session.offline)))
    entries = [_model_entry(m, outcomes.get(m.facts.id.lower())) for m in models]
    entries.sort(key=lambda e: (_effort_rank(e["effort"]["level"]), min(_level_rank(lv) for lv in e["levels"]),
                                e["model"].lower()))
    return {
        "version": PLAN_VERSION,
        "kind": "migration-plan",
        "vendor": found.vendor,
        "country": found.country,
        # The project the plan is about: the directory of its configuration (examples/support-bot in this
        # repository), which is the repository's top in most projects.
        "project": session.root.resolve().name or result.project,
        "generated": datetime.now(UTC).date().isoformat(),
        "tool": {"name": "model-risk", "version": __version__},
        "offline": session.offline,
        "knowledge": _knowledge(result),
        "summary": _summary(found.exposed, entries),
        "levels": [{"level": level, "title": exposures.EXPOSURE_TITLES.get(level, level),
                    "uses": [_use(e) for e in found.exposed if e.level == level]}
                   for level in exposures.EXPOSURE_LEVELS],
        "now": _now(models),
        "models": entries,
        "notes": [n.render() for n in result.notes if n.level != "info"],
    }


def _models(exposed: Sequence[ExposedReference]) -> list[_Model]:
    grouped: dict[str, list[ExposedReference]] = {}
    facts: dict[str, ModelFacts] = {}
    for e in exposed:
        key = e.use.facts.id.lower()
        grouped.setdefault(key, []).append(e)
        facts.setdefault(key, e.use.facts)
    return [_Model(facts[key], tuple(refs)) for key, refs in grouped.items()]


def _level_rank(level: str) -> int:
    levels = exposures.EXPOSURE_LEVELS
    return levels.index(level) if level in levels else len(levels)


def _effort_rank(level: str) -> int:
    return EFFORT_LEVELS.index(level) if level in EFFORT_LEVELS else len(EFFORT_LEVELS)


def _knowledge(result: ScanResult) -> dict[str, Any] | None:
    stamp = result.knowledge
    if stamp is None:
        return None
    return {"version": stamp.version, "as_of": stamp.as_of,
            "overlays": [{"path": o.path, "as_of": o.as_of} for o in stamp.overlays]}


def _where(e: ExposedReference) -> str:
    return location_text(e.reference.location)


def _use(e: ExposedReference) -> dict[str, Any]:
    facts, ref = e.use.facts, e.reference
    lineage = facts.lineage
    return {"model": facts.id, "written": ref.model, "path": ref.path, "line": ref.line, "column": ref.column,
            "scope": scope_of(ref), "revision": ref.revision, "pinned": e.use.pinned, "locked": e.use.locked,
            "relation": e.use.relation, "license": license_label(facts),
            "via": list(lineage[1:]) if e.use.relation == "derived" else []}


# -- what to do now ----------------------------------------------------------------------------------


def _pin_how(e: ExposedReference, sha: str | None) -> str:
    commit = sha or "<commit sha>"
    if e.reference.detector in ("python", "notebook", "javascript"):
        return f'add revision="{commit}" to the call'
    return f"set its revision to {commit} where this configuration is read (vLLM: --revision)"


#: The actions of "what to do now", in order, with why each matters.
NOW = {
    "record-api": "Note which version of each API model you call (a dated snapshot where the provider offers "
                  "one) and keep a second provider configured: an API can change or close without a release "
                  "to pin.",
    "pin": "Pin what stays to the commit you run today: the vendor's next release, or a new license, then "
           "cannot reach you unannounced.",
    "lock": "Run `model-risk lock` to record what you run (license, commit, lineage): CI and offline scans then "
            "judge it, and any change upstream shows as drift.",
    "keep-license": "Keep a copy of the license texts you accepted: the terms of the weights you pinned are "
                    "the ones that apply to them.",
}


def _now(models: Sequence[_Model]) -> list[dict[str, Any]]:
    """What to do before deciding anything, action by action: pin and lock what stays, keep the terms
    accepted, note the API versions called."""
    items: dict[str, list[dict[str, Any]]] = {action: [] for action in NOW}
    for m in sorted(models, key=lambda m: min(_level_rank(lv) for lv in m.levels)):
        facts = m.facts
        where = [_where(e) for e in m.exposed]
        if m.api:
            items["record-api"].append({"model": facts.id, "where": where, "how": None})
            continue
        for e in m.exposed:
            if not e.use.pinned:
                how = _pin_how(e, facts.sha)
                if not facts.sha:
                    how += "; model-risk.lock records no commit for it: use the one you run (the model page's History)"
                items["pin"].append({"model": facts.id, "where": [_where(e)], "how": how})
        if not all(e.use.locked for e in m.exposed):
            items["lock"].append({"model": facts.id, "where": where, "how": None})
        governing = facts.governing_license
        if governing is not None and (governing.conditions or not governing.osi):
            items["keep-license"].append({"model": facts.id, "where": where,
                                          "how": licenses.label(governing) + (f": {governing.link}" if governing.link
                                                                              else "")})
    return [{"action": action, "why": NOW[action], "items": found} for action, found in items.items() if found]


# -- per model ---------------------------------------------------------------------------------------


def _model_entry(m: _Model, outcome: Outcome | None) -> dict[str, Any]:
    facts = m.facts
    files = sorted({e.reference.path for e in m.exposed})
    entry: dict[str, Any] = {
        "model": facts.id, "levels": list(m.levels), "relation": m.exposed[0].use.relation,
        "where": [_where(e) for e in m.exposed], "files": files, "license": license_label(facts),
        "lineage": list(facts.lineage), "current": None, "replacement": None,
    }
    if m.api or outcome is None:
        entry["effort"] = {"level": "medium", "notes": [
            f"Move {len(m.exposed)} call{'s' if len(m.exposed) != 1 else ''} in {', '.join(files)} to another "
            "provider's API (or to open weights you host): client code, prompts and rate limits change; model-risk "
            "suggests open-weight replacements only."]}
        return entry
    entry["current"] = records.profile_record(outcome.profile)
    suggested = outcome.alternatives[0] if outcome.alternatives else None
    entry["replacement"] = {
        "source": outcome.source, "note": outcome.note, "failed": outcome.failed,
        "suggested": records.alternative_record(suggested) if suggested is not None else None,
        "others": [records.alternative_record(a) for a in (*outcome.alternatives[1:], *outcome.others)],
        "rejected": [{"id": i, "reason": r} for i, r in outcome.rejected], "criteria": outcome.criteria or {},
    }
    entry["effort"] = _effort(m, suggested, files)
    return entry


#: What a team does about a change that is more than a note (medium and large ones), by kind.
ACTIONS = {
    "re-embedding": "Re-embed the indexed documents with the new model and rebuild the index before queries "
                    "switch over: plan the time and the compute.",
    "chat-template": "Move prompts to the new chat template: code that calls apply_chat_template needs no change, "
                     "prompts built by hand do.",
    "license": "Have the new license's conditions reviewed before switching.",
    "context": "Check your longest inputs against the shorter context.",
    "jurisdiction": "Decide whether another vendor in the same jurisdiction meets the reason for moving.",
    "serving": "Find an engine that serves the new architecture (or a newer release of yours).",
    "format": "Convert and quantise the new model to the format you run (llama.cpp's convert_hf_to_gguf.py for "
              "GGUF), or pick another candidate that exists in it.",
    "reasoning": "Handle its reasoning text: turn it off where the model allows, or strip it before the answer "
                 "reaches users.",
    "custom-code": "Review the repository's code before enabling trust_remote_code, and pin the revision.",
    "size": "Compare the quality of its answers with the current model's on your own evaluation set.",
}


def _effort(m: _Model, suggested: Any, files: list[str]) -> dict[str, Any]:
    where = f"{len(m.exposed)} reference{'s' if len(m.exposed) != 1 else ''} in {', '.join(files)}"
    if suggested is None:
        return {"level": "not known", "notes": [f"No replacement qualifies (see why below): keep {m.facts.id} "
                                                f"pinned and locked, and revisit; {where}."]}
    notes = [f"Change {where} to {suggested.id}."]
    notes += list(dict.fromkeys(ACTIONS.get(c.kind, c.text) for c in suggested.changes if c.effort != "small"))
    notes.append(f"Run your own evaluation of {suggested.id} on the task before switching: the facts above say "
                 "it can do the job, not how well (download counts measure adoption, not quality).")
    return {"level": suggested.effort, "notes": notes}


def _summary(exposed: Sequence[ExposedReference], entries: Sequence[dict[str, Any]]) -> dict[str, Any]:
    efforts: dict[str, int] = {}
    for e in entries:
        efforts[e["effort"]["level"]] = efforts.get(e["effort"]["level"], 0) + 1
    return {
        "references": len(exposed), "models": len(entries), "files": len({e.reference.path for e in exposed}),
        "levels": {level: sum(1 for e in exposed if e.level == level) for level in exposures.EXPOSURE_LEVELS},
        "replaced": sum(1 for e in entries if e["replacement"] and e["replacement"]["suggested"]),
        "effort": efforts,
        "order": [e["model"] for e in entries],
    }
