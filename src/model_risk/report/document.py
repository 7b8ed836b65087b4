"""The version-1 JSON report: :class:`ScanResult` to a JSON document and back.

The shape is a contract (DESIGN.md, ``schemas/report.schema.json``). ``model-risk report`` reads a saved
document back into a ScanResult, so every format can be rendered again without scanning.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

from model_risk.contract.domain import (
    Finding,
    KnowledgeOverlay,
    KnowledgeStamp,
    Location,
    ModelFacts,
    ModelStatus,
    Note,
    Reference,
    RuleInfo,
    ScanResult,
    Severity,
    Suppression,
    VerificationSummary,
    revision_key,
)
from model_risk.contract.errors import ReportInputError, excerpt
from model_risk.knowledge.doors import names_its_weights
from model_risk.knowledge.exposure import EXPOSURE_LEVELS, Concentration, VendorView, scope_of, vendor_view
from model_risk.knowledge.facts import facts_document, facts_from_document
from model_risk.knowledge.scopes import conventional_scope
from model_risk.report.presentation import license_label

REPORT_VERSION = 1


def _location(loc: Location) -> dict[str, Any]:
    out: dict[str, Any] = {"path": loc.path, "line": loc.line}
    if loc.column is not None:
        out["column"] = loc.column
    return out


def model_document(m: ModelFacts) -> dict[str, Any]:
    return facts_document(m)


def summary(result: ScanResult, view: VendorView | None = None) -> dict[str, Any]:
    counts = {s.value: 0 for s in Severity}
    for finding in result.active_findings():
        counts[finding.severity.value] += 1
    view = view or vendor_view_of(result)
    return {
        "files": result.files_scanned,
        "references": len(result.references),
        "models": len(result.models),
        "findings": counts,
        "suppressed": sum(1 for f in result.findings if not f.active),
        "unchecked": len(result.unchecked_models()),
        "failed": result.failed,
        "concentration": concentration_document(view.concentration),
        "verification": verification_document(result.verification),
    }


def verification_document(v: VerificationSummary) -> dict[str, Any]:
    return {"checked": v.checked, "dropped": v.dropped, "unverified": v.unverified, "skipped": v.skipped,
            "listings": v.listings, "hub_requests": v.hub_requests}


def concentration_document(c: Concentration) -> dict[str, Any]:
    return {"models": c.models, "vendors": c.vendors, "top_vendor": c.top_vendor,
            "top_share": round(c.top_share, 4), "hhi": c.hhi, "hhi_floor": c.floor, "band": c.band}


def vendors_document(view: VendorView) -> list[dict[str, Any]]:
    out = []
    for entry in view.vendors:
        refs = entry.references
        scopes: dict[str, int] = {}
        for ref in refs:
            scope = scope_of(ref)
            scopes[scope] = scopes.get(scope, 0) + 1
        licenses: dict[str, int] = {}
        for facts in {u.facts.id.lower(): u.facts for u in entry.uses}.values():
            label = license_label(facts)
            licenses[label] = licenses.get(label, 0) + 1
        exposure = {level: 0 for level in EXPOSURE_LEVELS}
        for use in entry.uses:
            exposure[use.exposure] += len(use.references)
        out.append({
            "vendor": entry.vendor, "country": entry.country,
            "models": entry.distinct(), "open_weight_models": entry.distinct("open-weights"),
            "api_models": entry.distinct("api"), "counted_models": entry.models,
            "share": round(entry.share, 4), "references": len(refs),
            "files": sorted({r.path for r in refs}), "scopes": dict(sorted(scopes.items())),
            "licenses": dict(sorted(licenses.items(), key=lambda item: (-item[1], item[0].lower()))),
            "exposure": exposure,
            "uses": [
                {"model": u.facts.id, "revision": u.facts.revision, "kind": u.kind, "relation": u.relation,
                 "provider": u.facts.provider,
                 "lineage": list(u.facts.lineage), "license": license_label(u.facts), "pinned": u.pinned,
                 "locked": u.locked, "exposure": u.exposure, "counted": u.counted,
                 # A reference's location, written from its fields (one per reference of the project).
                 "locations": [{"path": r.path, "line": r.line, "column": r.column} for r in u.references]}
                for u in entry.uses],
        })
    return out


def knowledge_document(stamp: KnowledgeStamp | None) -> dict[str, Any] | None:
    if stamp is None:
        return None
    return {"version": stamp.version, "as_of": stamp.as_of, "tables": dict(stamp.tables),
            "overlays": [{"path": o.path, "as_of": o.as_of, "sha256": o.digest, "tables": list(o.tables)}
                         for o in stamp.overlays]}


def _knowledge(data: Mapping[str, Any] | None) -> KnowledgeStamp | None:
    if not data:
        return None
    return KnowledgeStamp(
        version=str(data["version"]), as_of=str(data.get("as_of") or ""),
        tables=tuple((str(k), str(v)) for k, v in (data.get("tables") or {}).items()),
        overlays=tuple(KnowledgeOverlay(str(o["path"]), str(o.get("as_of") or ""), str(o.get("sha256") or ""),
                                        tuple(o.get("tables") or ())) for o in data.get("overlays") or ()))


def vendor_view_of(result: ScanResult) -> VendorView:
    """The vendor view of a scan (see :mod:`model_risk.knowledge.exposure`)."""
    return vendor_view((use.facts, use.references) for use in result.uses())


def name_kind(reference: Reference) -> str:
    """``references[].kind`` as report version 1 defines it: what the name as written is. ``hub``: a Hugging
    Face repo id; ``api``: a name only a service knows (a vendor's API model, an Ollama tag, a hosting
    provider's own id); ``internal``. A reference through a door keeps that meaning, and ``door`` says the
    route, so readers of version 1 that branch on ``kind`` keep seeing Hub ids as Hub ids and nothing else."""
    if reference.door is None:
        return reference.kind
    return "hub" if names_its_weights(reference.door, reference.provider, reference.model) else "api"


def to_document(result: ScanResult) -> dict[str, Any]:
    view = vendor_view_of(result)
    return {
        "version": REPORT_VERSION,
        "tool": {"name": "model-risk", "version": result.tool_version},
        "scan": {
            "started_at": result.started_at or None,
            "offline": result.offline,
            "fail_on": result.fail_on.value if result.fail_on else "never",
            "fail_on_unchecked": result.fail_on_unchecked,
            "diff_base": result.diff_base,
            "repository_path": result.repository_path,
            "repository": result.repository,
            "remote_url": result.remote_url,
            "commit": result.commit,
            "branch": result.branch,
            "project": result.project,
            "knowledge": knowledge_document(result.knowledge),
        },
        "references": [
            {"model": r.model, "path": r.path, "line": r.line, "column": r.column, "detector": r.detector,
             "revision": r.revision, "revision_pinned": r.revision_pinned, "trust_remote_code": r.trust_remote_code,
             "loader": r.loader, "kind": name_kind(r), "door": r.door,
             "lookup_id": r.lookup_id, "api_vendor": r.api_vendor, "provider": r.provider,
             "ignore": None if r.ignore is None else sorted(r.ignore),
             "confidence": r.confidence, "scope": r.scope or conventional_scope(r.path),
             "verified_by": r.verified_by or "unverified"}
            for r in result.references
        ],
        "models": [{**model_document(m), "references": list(positions)}
                   for m, positions in zip(result.models, result.model_references, strict=True)],
        "findings": [
            {"rule": f.rule, "code": f.code, "severity": f.severity.value, "model": f.model, "vendor": f.vendor,
             "message": f.message, "locations": [_location(loc) for loc in f.locations],
             "suppressed": None if f.suppressed is None else {"kind": f.suppressed.kind,
                                                              "reason": f.suppressed.reason},
             "suppressed_locations": [_location(loc) for loc in f.suppressed_locations],
             "fingerprint": f.fingerprint, "scope": f.scope, "fails_build": result.fails_build(f)}
            for f in result.findings
        ],
        "rules": [
            {"code": r.code, "name": r.name, "severity": r.severity.value, "pack": r.pack, "scope": r.scope,
             "summary": r.summary, "why": r.why, "fix": r.fix, "example": r.example,
             "example_language": r.example_language, "tags": list(r.tags)}
            for r in result.rules
        ],
        "notes": [{"level": n.level, "message": n.message, "path": n.path, "line": n.line} for n in result.notes],
        "vendors": vendors_document(view),
        "summary": summary(result, view),
    }


def _loc(data: Mapping[str, Any]) -> Location:
    return Location(str(data["path"]), int(data["line"]), data.get("column"))


def _model_references(raw: list[Mapping[str, Any]], models: list[ModelFacts], references: tuple[Reference, ...]
                      ) -> tuple[tuple[int, ...], ...]:
    """The scan's grouping of references under models. A report written since the grouping was saved
    carries it (``models[].references``); an older one is matched again here, the one place that may:
    by the id as written or looked up, against the model's id and aliases, at the same revision_key."""
    if all("references" in m for m in raw):
        for m in raw:
            if any(not 0 <= p < len(references) for p in m["references"]):
                raise ValueError(f"model {m['id']!r} names a reference that is not in the report")
        return tuple(tuple(m["references"]) for m in raw)
    index: dict[tuple[str, str, str | None], list[int]] = {}
    for position, ref in enumerate(references):
        revision = None if ref.kind == "api" else revision_key(ref.revision)
        for spelling in {ref.model, ref.resolve_id}:
            index.setdefault((ref.kind, spelling, revision), []).append(position)
    grouped = []
    for model in models:
        keys: list[tuple[str, str, str | None]]
        if model.status is ModelStatus.API:
            keys = [("api", model.id, None)]
        else:
            keys = [("hub", spelling, revision_key(model.revision)) for spelling in (model.id, *model.aliases)]
        grouped.append(tuple(sorted({p for key in keys for p in index.get(key, ())})))
    return tuple(grouped)


def from_document(doc: Mapping[str, Any]) -> ScanResult:
    """A ScanResult from a version-1 document already validated against the report schema."""
    scan = doc.get("scan") or {}
    fail_on = scan.get("fail_on", "high")
    models = [facts_from_document(m) for m in doc["models"]]
    references = tuple(
        Reference(model=r["model"], path=r["path"], line=r["line"], column=r["column"], detector=r["detector"],
                  revision=r.get("revision"), trust_remote_code=bool(r.get("trust_remote_code")),
                  loader=r.get("loader"), kind=r.get("door") or r.get("kind", "hub"), api_vendor=r.get("api_vendor"),
                  provider=r.get("provider"),
                  lookup_id=r.get("lookup_id"), confidence=r.get("confidence", "certain"),
                  verified_by=r.get("verified_by", ""), scope=r.get("scope", ""),
                  ignore=None if r.get("ignore") is None else frozenset(r["ignore"]))
        for r in doc["references"])
    return ScanResult(
        tool_version=doc["tool"]["version"],
        root=".",
        files_scanned=int(doc["summary"]["files"]),
        references=references,
        models=tuple(models),
        model_references=_model_references(doc["models"], models, references),
        findings=tuple(
            Finding(rule=f["rule"], code=f["code"], severity=Severity(f["severity"]), message=f["message"],
                    model=f.get("model"), vendor=f.get("vendor"), locations=tuple(_loc(x) for x in f["locations"]),
                    suppressed_locations=tuple(_loc(x) for x in f.get("suppressed_locations", ())),
                    suppressed=None if not f.get("suppressed") else Suppression(
                        f["suppressed"]["kind"], f["suppressed"].get("reason")),
                    fingerprint=f.get("fingerprint", ""), scope=f.get("scope"),
                    scope_counts=_scope_counts(f, fail_on))
            for f in doc["findings"]),
        rules=tuple(
            RuleInfo(code=r["code"], name=r["name"], severity=Severity(r["severity"]), pack=r.get("pack", ""),
                     summary=r.get("summary", ""), why=r.get("why", ""), fix=r.get("fix", ""),
                     example=r.get("example", ""), example_language=r.get("example_language", "python"),
                     scope=r.get("scope", "model"), tags=tuple(r.get("tags", ())))
            for r in doc.get("rules", ())),
        notes=tuple(Note(n["message"], n.get("path"), n.get("line"), n.get("level", "warning"))
                    for n in doc.get("notes", ())),
        fail_on=None if fail_on == "never" else Severity(fail_on),
        offline=bool(scan.get("offline", False)),
        started_at=scan.get("started_at") or "",
        diff_base=scan.get("diff_base"),
        repository_path=scan.get("repository_path"),
        repository=scan.get("repository"),
        remote_url=scan.get("remote_url"),
        commit=scan.get("commit"),
        branch=scan.get("branch"),
        project=scan.get("project"),
        knowledge=_knowledge(scan.get("knowledge")),
        fail_on_unchecked=bool(scan.get("fail_on_unchecked", False)),
        verification=VerificationSummary(**(doc["summary"].get("verification") or {})),
    )


def _scope_counts(finding: Mapping[str, Any], fail_on: str) -> bool:
    """Whether a saved finding's scope counted for the gate. ``fails_build`` says so for an active finding
    at or above ``--fail-on``; for any other the report cannot tell, and it did not fail the build anyway."""
    if "fails_build" not in finding:
        return True  # written before findings carried it
    gated = fail_on != "never" and not finding.get("suppressed") and \
        Severity(finding["severity"]) >= Severity(fail_on)
    return bool(finding["fails_build"]) if gated else True


#: Longest schema message quoted in an error: jsonschema quotes whole sub-documents.
_MAX_MESSAGE = 160


def _where(path: Any) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out or "top level"


def read_document(text: str, source: str) -> ScanResult:
    """A ScanResult from the text of a saved version-1 JSON report, validated against the report schema.

    Raises :class:`ReportInputError` with a one-line message for anything that is not such a report.
    """
    data = load_document(text, source)
    try:
        return from_document(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise ReportInputError(f"not a valid model-risk report: {exc.__class__.__name__}: {exc}",
                               path=source) from None


@functools.cache
def _validator() -> Any:
    import jsonschema

    from model_risk.common.documents import inline_refs, load_schema

    # Built once, with references inlined: ``model-risk merge`` validates a thousand reports.
    return jsonschema.Draft202012Validator(inline_refs(load_schema("report.schema.json")))


#: Longest text kept of any field of a saved report: model-risk writes none longer (Hub texts are clipped
#: to 500 characters), and a hand-made report's 50 MB license name must not become 50 MB of every output.
MAX_FIELD = 10_000
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _clean_text(text: str) -> str:
    if len(text) > MAX_FIELD:
        text = text[: MAX_FIELD - 1] + "…"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # JSON can spell a lone surrogate ("\ud800"), which no output can encode
        text = _LONE_SURROGATE.sub("\ufffd", text)
    return text


def _clean_texts(data: dict[str, Any]) -> None:
    """Clip every text of a parsed report and replace lone surrogates, in place (keys too), without
    recursion: a report nested deep enough would exhaust the stack."""
    stack: list[Any] = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if not all(type(key) is str and len(key) <= MAX_FIELD and key.isascii() for key in node):
                cleaned = {_clean_text(key): value for key, value in node.items()}
                node.clear()
                node.update(cleaned)
            for key, value in node.items():
                if isinstance(value, str):
                    node[key] = _clean_text(value)
                elif isinstance(value, (dict, list)):
                    stack.append(value)
        elif isinstance(node, list):
            for index, value in enumerate(node):
                if isinstance(value, str):
                    node[index] = _clean_text(value)
                elif isinstance(value, (dict, list)):
                    stack.append(value)


def load_document(text: str | bytes, source: str) -> dict[str, Any]:
    """The parsed text of a saved version-1 JSON report, validated against the report schema.

    Raises :class:`ReportInputError` with a one-line message for anything that is not such a report.
    """
    from model_risk.common.fileio import JsonError, parse_json

    try:
        data = parse_json(text)
    except JsonError as exc:
        raise ReportInputError(f"not a JSON document: {exc.message.removeprefix('invalid JSON: ')}", path=source,
                               line=exc.line) from None
    if not isinstance(data, dict) or "version" not in data or "findings" not in data:
        raise ReportInputError("not a model-risk JSON report (write one with `model-risk scan --format json`)",
                               path=source)
    if data["version"] != REPORT_VERSION:
        raise ReportInputError(f"report version {excerpt(data['version'])} is not supported (this model-risk "
                               f"reads version {REPORT_VERSION})", path=source)
    _clean_texts(data)
    import jsonschema

    validator = _validator()
    # is_valid stops at the first problem; collecting every error to pick the best is for bad reports only.
    error = None if validator.is_valid(data) else jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is not None:
        message = " ".join(error.message.split())
        if len(message) > _MAX_MESSAGE:
            message = message[: _MAX_MESSAGE - 1] + "…"
        raise ReportInputError(f"not a valid model-risk report: {_where(error.absolute_path)}: {message}",
                               path=source)
    return data
