"""``model-risk exposure VENDOR``: every reference that depends on one vendor, grouped by how exposed it is.

The scan is the ordinary one; this module picks out the vendor's uses (see
:func:`model_risk.knowledge.exposure.exposure_of`) and renders them as text, JSON or Markdown.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from model_risk.common.json_text import pretty_json
from model_risk.contract.domain import ScanResult, root_vendors_of
from model_risk.contract.errors import UsageError
from model_risk.knowledge.exposure import EXPOSURE_LEVELS, EXPOSURE_TITLES, ExposedReference, exposure_of, scope_of
from model_risk.knowledge.vendors import VendorTable
from model_risk.report.presentation import NOT_KNOWN, license_label, location_text
from model_risk.report.templating import markdown_code, markdown_escape
from model_risk.report.terminal import terminal_safe

#: ``--fail-on-exposure`` values: a level fails on itself and every more exposed level.
FAIL_LEVELS = (*EXPOSURE_LEVELS, "never")


@dataclass(frozen=True)
class Exposure:
    vendor: str
    country: str | None
    exposed: tuple[ExposedReference, ...]
    fail_on: str

    @property
    def failing(self) -> list[ExposedReference]:
        if self.fail_on == "never":
            return []
        limit = EXPOSURE_LEVELS.index(self.fail_on)
        return [e for e in self.exposed if EXPOSURE_LEVELS.index(e.level) <= limit]

    def level(self, level: str) -> list[ExposedReference]:
        return [e for e in self.exposed if e.level == level]

    @property
    def models(self) -> int:
        return len({e.use.facts.id.lower() for e in self.exposed})

    @property
    def files(self) -> int:
        return len({e.reference.path for e in self.exposed})


def vendor_name(name: str, vendors: VendorTable, result: ScanResult) -> str:
    """The vendor a user means: a vendor's name in any case, or one of its Hub organisations (``Qwen``).
    A name that is neither known to the vendor table nor among the scan's vendors or organisations is a
    usage error that names the closest known names: a typo must not read as "nothing depends on it"."""
    lowered = name.lower()
    for known in vendors.vendors:
        if known.lower() == lowered:
            return known
    seen = {v for m in result.models for v in (m.vendor, *root_vendors_of(m)) if v}
    for known in seen:
        if known.lower() == lowered:
            return known
    by_org = vendors.for_organization(name)
    if by_org is not None:
        return by_org.name
    organizations = {m.id.split("/", 1)[0] for m in result.models if "/" in m.id}
    if lowered in {o.lower() for o in organizations}:
        return name
    spelled = {c.lower(): c for c in sorted({*vendors.vendors, *seen, *organizations})}
    close = [spelled[c] for c in difflib.get_close_matches(lowered, list(spelled), n=3, cutoff=0.6)]
    hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
    raise UsageError(f"unknown vendor {name!r}: not in model-risk's vendor table, nor a vendor or organisation "
                     f"of this project's models{hint}; list a new vendor under `vendors:` in .model-risk.yaml")


def exposure(vendor: str, result: ScanResult, vendors: VendorTable, fail_on: str = "never") -> Exposure:
    name = vendor_name(vendor, vendors, result)
    uses = [(u.facts, u.references) for u in result.uses()]
    exposed = exposure_of(name, uses, vendor_of=lambda model_id: vendors.vendor_of(model_id)[0])
    return Exposure(name, vendors.country_of(name), tuple(exposed), fail_on)


def _row(e: ExposedReference) -> dict[str, Any]:
    facts, ref = e.use.facts, e.reference
    return {"model": facts.id, "written": ref.model, "path": ref.path, "line": ref.line, "column": ref.column,
            "scope": scope_of(ref), "revision": ref.revision, "pinned": e.use.pinned, "locked": e.use.locked,
            "relation": e.use.relation, "lineage": list(facts.lineage), "license": license_label(facts),
            "vendor": facts.vendor, "kind": facts.kind, "provider": facts.provider}


def json_document(ex: Exposure) -> dict[str, Any]:
    return {
        "vendor": ex.vendor, "country": ex.country, "references": len(ex.exposed), "models": ex.models,
        "files": ex.files, "fail_on_exposure": ex.fail_on, "failed": bool(ex.failing),
        "groups": [{"level": level, "title": EXPOSURE_TITLES[level], "references": [_row(e) for e in ex.level(level)]}
                   for level in EXPOSURE_LEVELS],
    }


def render_json(ex: Exposure) -> str:
    return pretty_json(json_document(ex))


def _state(e: ExposedReference) -> str:
    facts = e.use.facts
    if e.use.relation == "api":
        return "API"
    if facts.door == "hosted":
        return f"hosted by {facts.provider or 'a provider'}"
    pinned = "pinned" if e.use.pinned else "unpinned"
    if facts.door is not None:  # Ollama, ModelScope: the model-risk.lock records its weights, not the door
        return f"{pinned}, {facts.provider or facts.door}"
    return f"{pinned}, {'locked' if e.use.locked else 'not locked'}"


#: How a door's model relates to the weights it is, in the exposure lists.
_DOOR_VERBS = {"hosted": "serves", "ollama": "packages", "modelscope": "mirrors"}


def _via(e: ExposedReference) -> tuple[str, str]:
    """(word, chain): for a door's model the weights it is (``serves``, ``packages``, ``mirrors``), for a
    derived model the chain to the vendor's base (``via``); empty for the vendor's own weights."""
    facts = e.use.facts
    lineage = facts.lineage
    if len(lineage) < 2:
        return "", ""
    if facts.door is not None:
        return _DOOR_VERBS.get(facts.door, "is"), " <- ".join(lineage[1:])
    return ("via", " <- ".join(lineage[1:])) if e.use.relation == "derived" else ("", "")


def _headline(ex: Exposure) -> str:
    where = f" ({ex.country})" if ex.country else ""
    if not ex.exposed:
        return f"No reference depends on {ex.vendor}{where}."
    return (f"Exposure to {ex.vendor}{where}: {len(ex.exposed)} reference{'s' if len(ex.exposed) != 1 else ''} "
            f"to {ex.models} model{'s' if ex.models != 1 else ''} in {ex.files} file{'s' if ex.files != 1 else ''}.")


def _verdict(ex: Exposure) -> str:
    if ex.fail_on == "never":
        return ""
    failing = len(ex.failing)
    if failing:
        return f"failed: {failing} reference{'s' if failing != 1 else ''} at or above {ex.fail_on}"
    return f"passed: nothing at or above {ex.fail_on}"


def render_text(ex: Exposure) -> str:
    out = [terminal_safe(_headline(ex)), ""]
    for level in EXPOSURE_LEVELS:
        rows = ex.level(level)
        if not rows:
            continue
        title = EXPOSURE_TITLES[level]
        out.append(f"{title[0].upper()}{title[1:]}: {len(rows)}")
        width = max(len(e.use.facts.id) for e in rows)
        for e in rows:
            word, chain = _via(e)
            line = (f"  {e.use.facts.id.ljust(width)}  {location_text(e.reference.location)}  "
                    f"[{_state(e)}; {license_label(e.use.facts)}]")
            out.append(terminal_safe(line + (f"  {word} {chain}" if chain else "")))
        out.append("")
    verdict = _verdict(ex)
    if verdict:
        out.append(verdict)
    return "\n".join(out).rstrip("\n") + "\n"


def render_markdown(ex: Exposure) -> str:
    out = [f"## Exposure to {markdown_escape(ex.vendor)}", "", str(markdown_escape(_headline(ex))), ""]
    for level in EXPOSURE_LEVELS:
        rows = ex.level(level)
        if not rows:
            continue
        title = EXPOSURE_TITLES[level]
        out += [f"### {markdown_escape(title[0].upper() + title[1:])}: {len(rows)}", "",
                "| Model | Where | State | License | Via |", "|---|---|---|---|---|"]
        for e in rows:
            word, chain = _via(e)
            out.append(f"| {markdown_code(e.use.facts.id)} | {markdown_code(location_text(e.reference.location))} "
                       f"| {markdown_escape(_state(e))} | {markdown_escape(license_label(e.use.facts))} "
                       f"| {f'{word} {markdown_code(chain)}' if chain else NOT_KNOWN} |")
        out.append("")
    verdict = _verdict(ex)
    if verdict:
        out += [f"**{verdict}**", ""]
    return "\n".join(out)


RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown}
