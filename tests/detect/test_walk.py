"""Which files a scan reads: .gitignore in a git work tree, skipped folders, explicit file lists."""

from __future__ import annotations

import subprocess
from pathlib import Path

LOADER = 'from transformers import AutoModel\nAutoModel.from_pretrained("{model}")\n'


def _paths(report) -> set[str]:
    return {r["path"] for r in report["references"]}


def _git_init(root: Path) -> None:
    subprocess.run(["git", "init", "-q", str(root)], check=True)


def test_gitignore_is_respected_in_a_git_work_tree(cli, project):
    root = project({
        "app.py": LOADER.format(model="acme/kept"),
        "build/gen.py": LOADER.format(model="acme/ignored-dir"),
        "notes.py": LOADER.format(model="acme/ignored-file"),
        "sub/keep.py": LOADER.format(model="acme/negated"),
        "sub/drop.py": LOADER.format(model="acme/nested-ignore"),
        ".gitignore": "build/\nnotes.py\n*.py\n!app.py\n!sub/\n!sub/*.py\n",
        "sub/.gitignore": "drop.py\n",
    })
    _git_init(root)
    report = cli("scan", root, "--offline", "--format", "json", "--fail-on", "never").json()
    assert _paths(report) == {"app.py", "sub/keep.py"}


def test_gitignore_is_ignored_outside_git(cli, project):
    root = project({"app.py": LOADER.format(model="acme/a"), "notes.py": LOADER.format(model="acme/b"),
                    ".gitignore": "notes.py\n"})
    report = cli("scan", root, "--offline", "--format", "json", "--fail-on", "never").json()
    assert _paths(report) == {"app.py", "notes.py"}


def test_environments_and_dependency_folders_are_skipped(cli, project):
    root = project({
        "app.py": LOADER.format(model="acme/app"),
        ".venv/lib/site.py": LOADER.format(model="acme/venv"),
        "env2/pyvenv.cfg": "home = /usr/bin\n",
        "env2/lib/x.py": LOADER.format(model="acme/venv2"),
        "node_modules/pkg/config.json": '{"model": "acme/node"}',
        ".git/hooks/x.py": LOADER.format(model="acme/git"),
    })
    report = cli("scan", root, "--offline", "--format", "json", "--fail-on", "never").json()
    assert _paths(report) == {"app.py"}


def test_config_exclude_patterns(cli, project):
    root = project({
        "app.py": LOADER.format(model="acme/app"),
        "tests/fixtures/sample.py": LOADER.format(model="acme/fixture"),
        ".model-risk.yaml": "exclude: ['tests/fixtures/']\n",
    })
    report = cli("scan", root, "--offline", "--format", "json", "--fail-on", "never").json()
    assert _paths(report) == {"app.py"}


def test_explicit_files_as_pre_commit_passes_them(cli, project):
    root = project({"a.py": LOADER.format(model="acme/a"), "b.py": LOADER.format(model="acme/b"),
                    "c.py": LOADER.format(model="acme/c")})
    report = cli("scan", "a.py", "c.py", "--offline", "--format", "json", "--fail-on", "never", cwd=root).json()
    assert _paths(report) == {"a.py", "c.py"}
    assert report["summary"]["files"] == 2
