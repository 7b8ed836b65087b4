"""The ``merged`` document: repositories, then the models, vendors and findings across them.

Its shape is a contract (``schemas/merged.schema.json``, docs/merge.md). It is a function of the set of
reports alone: every list is sorted on a full key and every choice between reports is decided by their
content (scan time, commit, file digest), never by the order the files were given in, so the same
reports always give the same bytes.

Rules:
- One repository is one (name, repository_path): a monorepo scanned per service gives several. When
  several reports are of one repository, the newest scan counts and the others are listed as superseded.
- One model is one (canonical id, revision). Its facts come from the newest ``resolved`` answer among the
  repositories' reports (the Hub may have changed a license or gating since an older scan); with no
  resolved answer, from the newest answer of any other kind. Every field on which the reports disagree
  is listed with the repositories behind each value.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import PurePath
from typing import Any

from model_risk.common.json_text import pretty_json
from model_risk.contract.version import __version__
from model_risk.report.merged.inputs import LoadedReport

MERGED_VERSION = 1
SEVERITIES = ("info", "low", "medium", "high", "critical")
_RANK = {s: i for i, s in enumerate(SEVERITIES)}

#: Model fields compared between reports; disagreements in them are listed. ``status`` is compared
#: across every answer, the others only between resolved answers (a missing model has no license).
COMPARED_FIELDS = ("status", "license", "gated", "sha", "vendor", "root_vendor", "formats")

#: Model fields copied into the merged document from the chosen answer.
FACT_FIELDS = ("status", "reason", "author", "vendor", "vendor_country", "root_vendor", "root_vendor_country",
               "lineage", "base_models", "base_relation", "license", "gated", "sha", "formats", "custom_code",
               "downloads", "likes", "created_at", "last_modified", "library_name", "pipeline_tag", "source",
               "root_vendors", "effective_license")

#: Fields of a reference kept in the merged document (where it is, and how it is loaded).
REFERENCE_FIELDS = ("model", "path", "line", "column", "detector", "revision", "trust_remote_code", "loader",
                    "kind", "door", "confidence", "scope")


def repository_label(name: str, path: str) -> str:
    """How the merged document names a repository: ``owner/name``, or ``owner/name:sub/dir`` for a scan of
    a folder inside it."""
    return f"{name}:{path}" if path else name


def _repository_name(report: LoadedReport) -> str:
    scan = report.document["scan"]
    if scan.get("repository"):
        return str(scan["repository"])
    # Reports written before scan.repository existed: the file name is the best name there is.
    return PurePath(report.source).stem


def _newest_first(report: LoadedReport) -> tuple[str, str, str, str]:
    scan = report.document["scan"]
    return (scan.get("started_at") or "", scan.get("commit") or "", report.digest, report.source)


class _Repository:
    def __init__(self, name: str, path: str, report: LoadedReport, superseded: list[LoadedReport]) -> None:
        self.name = name
        self.path = path
        self.label = repository_label(name, path)
        self.report = report
        self.superseded = superseded
        self.scan = report.document["scan"]
        self.scanned_at = self.scan.get("started_at") or ""

    def entry(self) -> dict[str, Any]:
        doc = self.report.document
        summary = doc["summary"]
        return {
            "id": self.label, "name": self.name, "path": self.path,
            "remote_url": self.scan.get("remote_url"), "commit": self.scan.get("commit"),
            "branch": self.scan.get("branch"), "scanned_at": self.scanned_at or None,
            "offline": bool(self.scan.get("offline", False)), "tool_version": doc["tool"]["version"],
            "report": PurePath(self.report.source).name,
            "files": summary["files"], "references": len(doc["references"]), "models": len(doc["models"]),
            "findings": {s: int(summary["findings"].get(s, 0)) for s in SEVERITIES},
            "superseded": [{"report": PurePath(r.source).name, "commit": r.document["scan"].get("commit"),
                            "scanned_at": r.document["scan"].get("started_at")} for r in self.superseded],
        }


def _repositories(reports: Sequence[LoadedReport]) -> list[_Repository]:
    groups: dict[tuple[str, str], list[LoadedReport]] = defaultdict(list)
    for report in reports:
        path = report.document["scan"].get("repository_path") or ""
        groups[(_repository_name(report), path)].append(report)
    chosen = []
    for (name, path), members in groups.items():
        ordered = sorted(members, key=_newest_first, reverse=True)
        chosen.append(_Repository(name, path, ordered[0], ordered[1:]))
    return sorted(chosen, key=lambda r: (r.label, r.name, r.path))


def _model_key(model_id: str, revision: str | None) -> tuple[str, str]:
    return (model_id.lower(), revision or "")


def _reference_revision(reference: dict[str, Any]) -> str:
    revision = reference.get("revision")
    return "" if revision in (None, "main") else str(revision)  # "main" is the default branch: no pin


def _compared(field: str, model: dict[str, Any]) -> Any:
    value = model.get(field)
    if field == "license":
        return None if not value else (value.get("spdx") or value.get("hub") or value.get("name"))
    if field == "formats":
        return sorted(value or ())
    return value


class _Answer:
    """One report's facts about one model."""

    __slots__ = ("model", "repository")

    def __init__(self, model: dict[str, Any], repository: _Repository) -> None:
        self.model = model
        self.repository = repository

    def order(self) -> tuple[int, str, str]:
        status = self.model.get("status")
        # resolved beats everything; any definite answer beats a failed lookup; then the newest scan
        kind = 2 if status == "resolved" else (0 if status == "unresolved" else 1)
        return (kind, self.repository.scanned_at, self.repository.label)


def _disagreements(answers: list[_Answer]) -> list[dict[str, Any]]:
    out = []
    for field in COMPARED_FIELDS:
        pool = answers if field == "status" else [a for a in answers if a.model.get("status") == "resolved"]
        values: dict[str, tuple[Any, set[str]]] = {}
        for answer in pool:
            value = _compared(field, answer.model)
            key = json.dumps(value, sort_keys=True)
            values.setdefault(key, (value, set()))[1].add(answer.repository.label)
        if len(values) > 1:
            out.append({"field": field, "values": [
                {"value": value, "repositories": sorted(labels)} for _, (value, labels) in sorted(values.items())]})
    return out


def _models(repositories: Sequence[_Repository]) -> list[dict[str, Any]]:
    answers: dict[tuple[str, str], list[_Answer]] = defaultdict(list)
    uses: dict[tuple[str, str], dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    aliases: dict[tuple[str, str], set[str]] = defaultdict(set)
    for repository in repositories:
        spelled: dict[tuple[str, str], tuple[str, str]] = {}
        listed = repository.report.document["references"]
        placed: dict[int, tuple[str, str]] = {}
        for model in repository.report.document["models"]:
            key = _model_key(model["id"], model.get("revision"))
            answers[key].append(_Answer(model, repository))
            aliases[key].update(model.get("aliases") or ())
            for spelling in (model["id"], *(model.get("aliases") or ())):
                spelled.setdefault(_model_key(spelling, model.get("revision")), key)
            # The scan's own grouping, where the report has it: no second matching that could differ.
            for position in model.get("references") or ():
                if isinstance(position, int) and 0 <= position < len(listed):
                    placed.setdefault(position, key)
        for index, reference in enumerate(listed):
            pin = _reference_revision(reference)
            found: tuple[str, str] | None = placed.get(index)
            for spelling in () if found else (reference.get("model"), reference.get("lookup_id")):
                if spelling and (found := spelled.get((spelling.lower(), pin))):
                    break
            if found is None:  # a reference whose model the report does not list (hand-edited report)
                found = _model_key(reference.get("lookup_id") or reference["model"], pin or None)
            uses[found][repository.label].append({f: reference.get(f) for f in REFERENCE_FIELDS})

    out = []
    for key in sorted(set(answers) | set(uses)):
        pool = answers.get(key, [])
        by_repository: dict[str, list[dict[str, Any]]] = uses.get(key, {})
        model_id: str
        revision: str | None
        facts_from: dict[str, Any] | None
        if pool:
            best = max(pool, key=_Answer.order)
            facts = {f: best.model.get(f) for f in FACT_FIELDS}
            model_id, revision = best.model["id"], best.model.get("revision")
            facts_from = {"repository": best.repository.label, "scanned_at": best.repository.scanned_at or None}
        else:
            model_id, revision = key[0], key[1] or None
            facts = {f: None for f in FACT_FIELDS}
            facts.update(status="unresolved", reason="not listed among the report's models", lineage=[],
                         base_models=[], formats=[], gated=False, custom_code=False)
            facts_from = None
        labels = sorted(set(by_repository) | {a.repository.label for a in pool})
        references: list[dict[str, Any]] = [{"repository": label, "references": sorted(
            by_repository.get(label, []), key=lambda r: (r["path"], r["line"], r.get("column") or 0, r["model"]))}
            for label in labels]
        out.append({
            "id": model_id, "revision": revision,
            "aliases": sorted(a for a in aliases.get(key, ()) if a != model_id),
            **facts,
            "facts_from": facts_from,
            "repositories": references,
            "repository_count": len(labels),
            "reference_count": sum(len(r["references"]) for r in references),
            "disagreements": _disagreements(pool),
        })
    return out


def _vendors(models: Iterable[dict[str, Any]], repository_count: int) -> list[dict[str, Any]]:
    table: dict[str, dict[str, Any]] = {}
    for model in models:
        primary = model.get("root_vendor") or model.get("vendor")
        if not primary:
            continue  # unresolved and missing models: no vendor is known, the models table lists them
        # A model with several roots (a merge) is a use of each root's vendor (reports since 0.1 say them).
        for name in dict.fromkeys((primary, *(model.get("root_vendors") or ()))):
            vendor = table.setdefault(name, {"name": name, "country": None,
                                             "open_weight": {"models": set(), "repositories": set(), "references": 0},
                                             "api": {"models": set(), "repositories": set(), "references": 0}})
            if name == primary:
                vendor["country"] = vendor["country"] or model.get("root_vendor_country") or model.get("vendor_country")
            side = vendor["api" if model.get("status") == "api" else "open_weight"]
            side["models"].add(model["id"] if not model.get("revision") else f"{model['id']}@{model['revision']}")
            side["references"] += model["reference_count"]
            side["repositories"].update(r["repository"] for r in model["repositories"])
    out = []
    for vendor in table.values():
        repositories = vendor["open_weight"]["repositories"] | vendor["api"]["repositories"]
        out.append({
            "name": vendor["name"], "country": vendor["country"],
            "repositories": sorted(repositories),
            "repository_share": round(len(repositories) / repository_count, 4) if repository_count else 0.0,
            **{side: {"models": sorted(vendor[side]["models"]), "repositories": sorted(vendor[side]["repositories"]),
                      "references": vendor[side]["references"]} for side in ("open_weight", "api")},
        })
    return sorted(out, key=lambda v: (-len(v["repositories"]), v["name"].lower(), v["name"]))


def _findings(repositories: Sequence[_Repository]) -> list[dict[str, Any]]:
    out = []
    for repository in repositories:
        for finding in repository.report.document["findings"]:
            out.append({"repository": repository.label, "rule": finding["rule"], "code": finding["code"],
                        "severity": finding["severity"], "model": finding.get("model"),
                        "vendor": finding.get("vendor"), "message": finding["message"],
                        "locations": finding["locations"], "suppressed": finding.get("suppressed"),
                        "fingerprint": finding.get("fingerprint", "")})
    out.sort(key=lambda f: (f["repository"], -_RANK[f["severity"]], f["code"], f["model"] or "", f["vendor"] or "",
                            f["fingerprint"], f["message"], json.dumps(f["locations"], sort_keys=True)))
    return out


def merge(reports: Sequence[LoadedReport], name: str | None = None) -> dict[str, Any]:
    """The merged document of ``reports`` (any order; the result does not depend on it)."""
    repositories = _repositories(reports)
    models = _models(repositories)
    vendors = _vendors(models, len(repositories))
    findings = _findings(repositories)
    active = [f for f in findings if not f["suppressed"]]
    scanned = sorted(r.scanned_at for r in repositories if r.scanned_at)
    return {
        "version": MERGED_VERSION,
        "kind": "merged",
        "tool": {"name": "model-risk", "version": __version__},
        "merged": {"name": name, "reports": len(reports),
                   "earliest_scan": scanned[0] if scanned else None,
                   "latest_scan": scanned[-1] if scanned else None},
        "repositories": [r.entry() for r in repositories],
        "models": models,
        "vendors": vendors,
        "findings": findings,
        "summary": {
            "repositories": len(repositories),
            "superseded_reports": sum(len(r.superseded) for r in repositories),
            "models": len(models),
            "references": sum(m["reference_count"] for m in models),
            "vendors": len(vendors),
            "findings": {s: sum(1 for f in active if f["severity"] == s) for s in SEVERITIES},
            "suppressed": len(findings) - len(active),
            "disagreements": sum(1 for m in models if m["disagreements"]),
        },
    }


def to_json(document: dict[str, Any]) -> str:
    return pretty_json(document)
