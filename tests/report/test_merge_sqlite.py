"""``--format sqlite`` for merge and scan: integrity, foreign keys, the documented queries, atomic writes."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
from support.merging import as_repository, real_scans, write
from support.project import EXAMPLE, REPO, run_cli

TABLES = {"repositories", "model_references", "models", "lineage", "vendors", "findings", "disagreements"}


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return real_scans(tmp_path_factory.mktemp("scans"))


def documented_queries() -> list[str]:
    text = (REPO / "docs" / "merge.md").read_text(encoding="utf-8")
    return re.findall(r"```sql\n(.+?)```", text, flags=re.S)


@pytest.fixture
def merged(tmp_path: Path, scans) -> tuple[Path, dict]:
    folder = tmp_path / "reports"
    write(folder, "widgets.json", as_repository(scans["support-bot"], "acme/widgets"))
    older = as_repository(scans["report-project"], "acme/tools", started="2026-11-01T00:00:00Z")
    for model in older["models"]:
        if model["id"] == "google-bert/bert-base-uncased":
            model["sha"] = "f" * 40  # a disagreement to store
    write(folder, "tools.json", older)
    database = tmp_path / "org.db"
    run = run_cli("merge", folder, "--format", "sqlite", "--output", database, "--format", "json",
                  "--output", tmp_path / "org.json")
    assert run.code == 0, run.stderr
    return database, json.loads((tmp_path / "org.json").read_text(encoding="utf-8"))


def connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    return db


def test_database_is_sound_and_holds_the_merged_document(merged):
    path, document = merged
    db = connect(path)
    assert db.execute("PRAGMA integrity_check").fetchall()[0][0] == "ok"
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == TABLES
    assert db.execute("PRAGMA user_version").fetchone()[0] == 2
    declared = {(t, r["table"]) for t in TABLES for r in db.execute(f'PRAGMA foreign_key_list("{t}")')}
    assert {("model_references", "repositories"), ("model_references", "models"), ("findings", "repositories"),
            ("models", "vendors"), ("lineage", "models")} <= declared
    indexed = {r["tbl_name"] for r in db.execute("SELECT tbl_name FROM sqlite_master WHERE type = 'index'")}
    assert {"model_references", "findings", "models", "lineage"} <= indexed

    def count(table: str) -> int:
        return db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]

    assert count("repositories") == len(document["repositories"])
    assert count("models") == len(document["models"])
    assert count("model_references") == document["summary"]["references"]
    assert count("findings") == len(document["findings"])
    assert count("vendors") == len(document["vendors"])
    assert count("lineage") == sum(len(m["lineage"]) for m in document["models"])
    assert count("disagreements") == sum(len(d["values"]) for m in document["models"] for d in m["disagreements"])
    assert count("disagreements") >= 2


def test_documented_queries_run_and_answer_correctly(merged):
    path, document = merged
    queries = documented_queries()
    assert len(queries) >= 4
    db = connect(path)
    results = [db.execute(q).fetchall() for q in queries]

    # 1: repositories using weights from Alibaba at the root, per model, from the JSON document
    expected = sorted((use["repository"], m["id"], (m["license"] or {}).get("spdx"), len(use["references"]))
                      for m in document["models"] if m["root_vendor"] == "Alibaba" and m["status"] != "api"
                      for use in m["repositories"])
    assert [tuple(r) for r in results[0]] == expected and expected

    # 2: dependants of Qwen/Qwen2.5-7B through lineage
    expected = sorted({(use["repository"], m["id"]) for m in document["models"]
                       if "Qwen/Qwen2.5-7B" in m["lineage"] for use in m["repositories"]})
    assert [tuple(r) for r in results[1]] == expected and expected

    # 3: references in product code (code and config scopes) per root vendor
    counted: dict[tuple[str, str], int] = {}
    for m in document["models"]:
        for use in m["repositories"]:
            for ref in use["references"]:
                if ref["scope"] in ("code", "config") and (m["root_vendor"] or m["vendor"]):
                    key = (m["root_vendor"] or m["vendor"], ref["scope"])
                    counted[key] = counted.get(key, 0) + 1
    assert {(r["vendor"], r["scope"]): r["refs"] for r in results[2]} == counted and counted

    # 4: active high-or-worse findings per repository
    wanted = {r["id"]: r["findings"]["high"] + r["findings"]["critical"] for r in document["repositories"]}
    assert {r["repository"]: r["high_or_worse"] for r in results[3]} == wanted
    assert [r["high_or_worse"] for r in results[3]] == sorted(wanted.values(), reverse=True)


def test_scan_writes_the_same_tables_for_one_repository(tmp_path: Path, example_copy: Path):
    database = tmp_path / "scan.db"
    run = run_cli("scan", example_copy, "--offline", "--format", "sqlite", "--output", database,
                  "--format", "json", "--output", tmp_path / "scan.json", "--fail-on", "never")
    assert run.code == 0, run.stderr
    report = json.loads((tmp_path / "scan.json").read_text(encoding="utf-8"))
    db = connect(database)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert [r["label"] for r in db.execute("SELECT label FROM repositories")] == ["support-bot"]
    assert db.execute("SELECT count(*) FROM model_references").fetchone()[0] == len(report["references"])
    # Unquoted, as Datasette and the sqlite3 shell users write it; with the columns the filters need.
    kinds = {(r["kind"], r["scope"]) for r in db.execute("SELECT kind, scope FROM model_references")}
    assert {(r["kind"], r["scope"]) for r in report["references"]} == kinds
    assert db.execute("SELECT count(*) FROM findings").fetchone()[0] == len(report["findings"])
    for query in documented_queries():
        db.execute(query).fetchall()


def test_sqlite_is_refused_on_stdout(tmp_path: Path):
    run = run_cli("scan", EXAMPLE, "--offline", "--format", "sqlite")
    assert run.code == 2
    assert run.stderr.strip() == ("model-risk: error: --format sqlite writes a database file, not text: "
                                  "give it an --output FILE")


def test_a_failed_write_leaves_the_previous_database_and_no_temporary_file(merged, monkeypatch):
    from model_risk.report.merged import sqlite_db

    path, document = merged
    before = path.read_bytes()

    def crash(db, doc):  # a failure halfway through filling the tables
        db.execute("INSERT INTO repositories VALUES (1, 'x', 'x', '', NULL, NULL, NULL, NULL, 'v', 'r', 0)")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(sqlite_db, "_fill", crash)
    with pytest.raises(Exception, match="the disk is full"):
        sqlite_db.write_database(document, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir() if p.name.startswith(".")) == []
