"""The merged document as a SQLite database (standard library ``sqlite3``), for SQL and Datasette.

Tables: repositories, model_references (where each model is referenced: not "references", an SQL
keyword that breaks unquoted queries in Datasette and the sqlite3 shell), models, lineage, vendors,
findings, and disagreements, joined by integer foreign keys and indexed on them. docs/merge.md shows
the schema and queries.

Atomic: the database is built in a temporary file and renamed over the output only once it is complete
and closed (the same safe-write as every other file model-risk writes), so a crash never leaves a
half-written database at the output path, and a reader (Datasette) sees the old database or the new one.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from model_risk.common.fileio import atomic_write_with, write_problem
from model_risk.contract.errors import ModelRiskError
from model_risk.report.merged.document import SEVERITIES

#: Bumped when a table changes; stored as PRAGMA user_version.
SCHEMA_VERSION = 2

SCHEMA = """
CREATE TABLE repositories (
    id INTEGER PRIMARY KEY,
    label TEXT NOT NULL UNIQUE,          -- name, or name:path for a folder of a repository
    name TEXT NOT NULL,
    path TEXT NOT NULL,
    remote_url TEXT,
    commit_sha TEXT,
    branch TEXT,
    scanned_at TEXT,
    tool_version TEXT NOT NULL,
    report TEXT NOT NULL,
    files INTEGER NOT NULL
);
CREATE TABLE vendors (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    country TEXT,
    repositories INTEGER NOT NULL,
    repository_share REAL NOT NULL
);
CREATE TABLE models (
    id INTEGER PRIMARY KEY,
    model TEXT NOT NULL,                 -- canonical id
    revision TEXT,
    status TEXT NOT NULL,
    reason TEXT,
    vendor TEXT,
    root_vendor_id INTEGER REFERENCES vendors(id),
    license_hub TEXT,
    license_spdx TEXT,
    license_name TEXT,
    license_osi INTEGER,
    license_commercial INTEGER,
    gated TEXT,
    sha TEXT,
    formats TEXT,                        -- comma-separated
    downloads INTEGER,
    last_modified TEXT,
    facts_from INTEGER REFERENCES repositories(id),
    repositories INTEGER NOT NULL,
    reference_count INTEGER NOT NULL
);
CREATE UNIQUE INDEX models_key ON models(model, ifnull(revision, ''));
CREATE INDEX models_root_vendor ON models(root_vendor_id);
CREATE INDEX models_license ON models(license_spdx);
CREATE TABLE lineage (
    model_id INTEGER NOT NULL REFERENCES models(id),
    depth INTEGER NOT NULL,              -- 0 is the model itself, then its base, its base's base ...
    ancestor TEXT NOT NULL,
    PRIMARY KEY (model_id, depth)
);
CREATE INDEX lineage_ancestor ON lineage(ancestor);
CREATE TABLE model_references (
    id INTEGER PRIMARY KEY,
    repository_id INTEGER NOT NULL REFERENCES repositories(id),
    model_id INTEGER NOT NULL REFERENCES models(id),
    written TEXT NOT NULL,               -- the id as written in the file
    path TEXT NOT NULL,
    line INTEGER NOT NULL,
    column_number INTEGER,
    detector TEXT,
    revision TEXT,
    trust_remote_code INTEGER,
    loader TEXT,
    kind TEXT,                           -- hub, api or internal: what the name as written is
    door TEXT,                           -- ollama, modelscope or hosted: the door to the weights, or NULL
    confidence TEXT,                     -- certain, likely or possible
    scope TEXT                           -- code, config, docs, tests or examples
);
CREATE INDEX model_references_repository ON model_references(repository_id);
CREATE INDEX model_references_model ON model_references(model_id);
CREATE INDEX model_references_scope ON model_references(scope);
CREATE TABLE findings (
    id INTEGER PRIMARY KEY,
    repository_id INTEGER NOT NULL REFERENCES repositories(id),
    model_id INTEGER REFERENCES models(id),
    vendor_id INTEGER REFERENCES vendors(id),
    rule TEXT NOT NULL,
    code TEXT NOT NULL,
    severity TEXT NOT NULL,
    severity_rank INTEGER NOT NULL,      -- 0 info .. 4 critical: ORDER BY / WHERE severity_rank >= 3
    message TEXT NOT NULL,
    suppressed INTEGER NOT NULL,
    path TEXT,
    line INTEGER,
    locations TEXT NOT NULL,             -- JSON array of {path, line, column}
    fingerprint TEXT
);
CREATE INDEX findings_repository ON findings(repository_id);
CREATE INDEX findings_model ON findings(model_id);
CREATE INDEX findings_rule ON findings(rule, severity_rank);
CREATE TABLE disagreements (
    model_id INTEGER NOT NULL REFERENCES models(id),
    field TEXT NOT NULL,
    value TEXT,                          -- JSON
    repositories TEXT NOT NULL           -- JSON array of repository labels
);
CREATE INDEX disagreements_model ON disagreements(model_id);
"""


def _flag(value: Any) -> int | None:
    return None if value is None else int(bool(value))


def _fill(db: sqlite3.Connection, document: dict[str, Any]) -> None:
    repositories: dict[str, int] = {}
    for number, repo in enumerate(document["repositories"], 1):
        repositories[repo["id"]] = number
        db.execute("INSERT INTO repositories VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                   (number, repo["id"], repo["name"], repo["path"], repo["remote_url"], repo["commit"],
                    repo["branch"], repo["scanned_at"], repo["tool_version"], repo["report"], repo["files"]))
    vendors: dict[str, int] = {}
    for number, vendor in enumerate(document["vendors"], 1):
        vendors[vendor["name"]] = number
        db.execute("INSERT INTO vendors VALUES (?,?,?,?,?)", (number, vendor["name"], vendor["country"],
                                                             len(vendor["repositories"]), vendor["repository_share"]))
    models: dict[tuple[str, str | None], int] = {}
    for number, model in enumerate(document["models"], 1):
        models[(model["id"], model["revision"])] = number
        lic = model.get("license") or {}
        vendor = model.get("root_vendor") or model.get("vendor")
        facts_from = model.get("facts_from")
        gated = model.get("gated")
        db.execute("INSERT INTO models VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", (
            number, model["id"], model["revision"], model["status"], model.get("reason"), model.get("vendor"),
            vendors.get(vendor) if vendor else None, lic.get("hub"), lic.get("spdx"), lic.get("name"),
            _flag(lic.get("osi")), _flag(lic.get("commercial")),
            None if gated is None else (gated if isinstance(gated, str) else ("true" if gated else "false")),
            model.get("sha"), ",".join(model.get("formats") or ()), model.get("downloads"),
            model.get("last_modified"), repositories.get(facts_from["repository"]) if facts_from else None,
            model["repository_count"], model["reference_count"]))
        db.executemany("INSERT INTO lineage VALUES (?,?,?)",
                       [(number, depth, ancestor) for depth, ancestor in enumerate(model.get("lineage") or ())])
        db.executemany("INSERT INTO disagreements VALUES (?,?,?,?)", [
            (number, d["field"], json.dumps(v["value"]), json.dumps(v["repositories"]))
            for d in model["disagreements"] for v in d["values"]])
        rows = []
        for use in model["repositories"]:
            repository_id = repositories[use["repository"]]
            for ref in use["references"]:
                rows.append((repository_id, number, ref["model"], ref["path"], ref["line"], ref.get("column"),
                             ref.get("detector"), ref.get("revision"), _flag(ref.get("trust_remote_code")),
                             ref.get("loader"), ref.get("kind"), ref.get("door"), ref.get("confidence"),
                             ref.get("scope")))
        db.executemany("INSERT INTO model_references (repository_id, model_id, written, path, line, column_number, "
                       "detector, revision, trust_remote_code, loader, kind, door, confidence, scope) "
                       "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    by_id: dict[str, int] = {}
    for (model_id, revision), number in models.items():
        if revision is None or model_id not in by_id:
            by_id[model_id] = number  # findings name a model by id; the unpinned entry is the usual one
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    db.executemany(
        "INSERT INTO findings (repository_id, model_id, vendor_id, rule, code, severity, severity_rank, message, "
        "suppressed, path, line, locations, fingerprint) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [(repositories[f["repository"]], by_id.get(f["model"]) if f["model"] else None,
          vendors.get(f["vendor"]) if f.get("vendor") else None, f["rule"], f["code"], f["severity"],
          rank[f["severity"]], f["message"], int(bool(f.get("suppressed"))),
          f["locations"][0]["path"] if f["locations"] else None,
          f["locations"][0]["line"] if f["locations"] else None,
          json.dumps(f["locations"]), f.get("fingerprint"))
         for f in document["findings"]])


def write_database(document: dict[str, Any], output: Path) -> None:
    """Write ``document`` to a new SQLite database at ``output`` through the one safe-write
    (:func:`~model_risk.common.fileio.atomic_write_with`): a regular file is replaced atomically, a
    symlink's target is replaced and the link kept, a device or FIFO is written through, never renamed
    over, and a write killed half-way leaves its temporary file in ``.model-risk-tmp/`` for the next
    write to remove."""

    def build(path: Path) -> None:
        path.unlink(missing_ok=True)  # sqlite3 builds a new database, not into the empty temporary file
        db = sqlite3.connect(path, isolation_level=None)
        try:
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("PRAGMA journal_mode = OFF")  # a new private file: the rename is the transaction
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.execute("BEGIN")
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            _fill(db, document)
            db.execute("COMMIT")
        finally:
            db.close()

    try:
        atomic_write_with(Path(output), build)
    except (OSError, sqlite3.Error) as exc:
        problem = write_problem(exc) if isinstance(exc, OSError) else str(exc)
        raise ModelRiskError(f"cannot write the database: {problem}", path=str(output)) from None
