"""A release as users get it: the wheel and sdist that `python -m build` makes, checked by twine,
installed into a fresh virtualenv, scanning the example; and the release workflow and the docs agree
with the one version. Marked ``release`` (deselect with ``-m 'not release'``); it runs by default."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from support.project import EXAMPLE, REPO

from model_risk import __version__

pytestmark = pytest.mark.release

RELEASE = REPO / ".github" / "workflows" / "release.yml"


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist and wheel, built once per session. --no-isolation: hatchling is in the test extra, so
    the build needs no network."""
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(REPO)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


def _wheel(dist: Path) -> Path:
    (wheel,) = dist.glob("*.whl")
    return wheel


def test_build_makes_a_wheel_and_an_sdist_of_the_one_version(dist: Path):
    names = sorted(p.name for p in dist.iterdir())
    assert names == [f"model_risk-{__version__}-py3-none-any.whl", f"model_risk-{__version__}.tar.gz"]


def test_twine_check_passes(dist: Path):
    proc = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", *map(str, sorted(dist.iterdir()))],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("PASSED") == 2


def test_the_wheel_carries_the_data_and_states_the_python_it_needs(dist: Path):
    with zipfile.ZipFile(_wheel(dist)) as wheel:
        names = set(wheel.namelist())
        metadata = wheel.read(f"model_risk-{__version__}.dist-info/METADATA").decode()
    for needed in ("model_risk/rules/", "model_risk/templates/", "model_risk/knowledge/data/", "model_risk/schemas/"):
        assert any(n.startswith(needed) for n in names), needed
    assert f"Version: {__version__}" in metadata.splitlines()
    assert "Requires-Python: >=3.11" in metadata.splitlines()


@pytest.fixture(scope="session")
def fresh_venv(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtualenv with the built wheel installed by pip (dependencies from the package index)."""
    venv = tmp_path_factory.mktemp("venv") / "v"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    proc = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                           "--disable-pip-version-check", str(_wheel(dist))],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return venv


def test_the_installed_wheel_scans_the_example(fresh_venv: Path, tmp_path: Path):
    env = {**os.environ, "PYTHONPATH": ""}
    tool = fresh_venv / "bin" / "model-risk"
    version = subprocess.run([str(tool), "--version"], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert version.stdout.strip() == f"model-risk, version {__version__}"
    # The README's Quick start: an offline scan of the example from its lockfile, exit 1 on its two highs.
    proc = subprocess.run([str(tool), "scan", str(EXAMPLE), "--offline"], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=300)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "FAILED: 2 findings at or above high" in proc.stdout
    report = subprocess.run([str(tool), "scan", str(EXAMPLE), "--offline", "--format", "json"],
                            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    document = json.loads(report.stdout)
    assert document["tool"]["version"] == __version__
    assert document["summary"]["findings"]["high"] == 2
    # The code came from the wheel, not from this checkout.
    where = subprocess.run([str(fresh_venv / "bin" / "python"), "-c", "import model_risk; print(model_risk.__file__)"],
                           capture_output=True, text=True, env=env, cwd=tmp_path)
    assert where.stdout.startswith(str(fresh_venv))


def test_release_workflow_publishes_by_trusted_publishing_and_attaches_the_artifacts():
    workflow = yaml.safe_load(RELEASE.read_text())
    assert workflow[True] == {"push": {"tags": ["v*"]}}  # YAML 1.1 reads the key `on` as True
    assert workflow["permissions"] == {"contents": "read"}
    jobs = workflow["jobs"]
    build_steps = " ".join(s.get("run", "") for s in jobs["build"]["steps"])
    assert "python -m build" in build_steps and "twine check" in build_steps
    assert jobs["pypi"]["permissions"] == {"id-token": "write"}
    publish = jobs["pypi"]["steps"][-1]
    assert re.fullmatch(r"pypa/gh-action-pypi-publish@[0-9a-f]{40}", publish["uses"])
    assert "with" not in publish  # no password: trusted publishing
    assert jobs["github-release"]["permissions"] == {"contents": "write"}
    assert "gh release create" in jobs["github-release"]["steps"][-1]["run"]


def _step(job: str, name: str) -> dict:
    workflow = yaml.safe_load(RELEASE.read_text())
    return next(s for s in workflow["jobs"][job]["steps"] if s.get("name") == name)


def test_release_notes_are_the_changelog_section_of_the_tag(tmp_path: Path):
    script = _step("github-release", "Release notes")["run"]
    env = {**os.environ, "TAG": f"v{__version__}", "RUNNER_TEMP": str(tmp_path)}
    subprocess.run(["bash", "-e", "-c", script], cwd=REPO, env=env, check=True)
    notes = (tmp_path / "notes.md").read_text()
    assert notes.strip().startswith("The first release.") and "### Added" in notes
    assert "## [" not in notes and "releases/tag" not in notes


def test_the_tag_check_refuses_a_wrong_tag_and_an_undated_changelog(tmp_path: Path):
    script = _step("build", "The tag, the version and the changelog agree")["run"]
    wrong = subprocess.run(["bash", "-e", "-c", script], cwd=REPO, env={**os.environ, "TAG": "v9.9.9"},
                           capture_output=True, text=True)
    assert wrong.returncode == 1 and "does not match the version" in wrong.stdout
    changelog = (REPO / "CHANGELOG.md").read_text()
    dated = re.search(rf"^## \[{re.escape(__version__)}\] - (\S+)$", changelog, flags=re.M)
    assert dated, "CHANGELOG.md needs a section for the current version"
    right = subprocess.run(["bash", "-e", "-c", script], cwd=REPO, env={**os.environ, "TAG": f"v{__version__}"},
                           capture_output=True, text=True)
    # Until the maintainers date the section, a tag of this version is refused; once dated, accepted.
    assert right.returncode == (1 if dated.group(1) == "unreleased" else 0), right.stdout


def test_docs_agree_on_the_version_and_the_python_requirement():
    tag = f"v{__version__}"
    readme = (REPO / "README.md").read_text()
    assert "Python 3.11 or later" in readme
    assert f"rev: {tag}" in (REPO / "docs" / "pre-commit.md").read_text()
    assert f"model-risk/model-risk@{tag}" in (REPO / "docs" / "github-action.md").read_text()
    install = (REPO / "docs" / "installation.md").read_text()
    assert "pipx install model-risk" in install and "pip install model-risk" in install
    assert f"model-risk=={__version__}" in install and "Python 3.11 or later" in install
    assert f"## [{__version__}]" in (REPO / "CHANGELOG.md").read_text()
    pyproject = (REPO / "pyproject.toml").read_text()
    assert 'requires-python = ">=3.11"' in pyproject and 'dynamic = ["version"]' in pyproject
    assert not re.search(r'^version\s*=', pyproject, flags=re.M)  # one version source: contract/version.py
