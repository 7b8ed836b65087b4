"""The GitHub Action's steps (``action.yml``), as a Python entry point rather than generated shell.

``python -m model_risk.github_action scan`` reads the inputs from ``MR_*`` environment variables, scans
once and writes every report, the job summary (``$GITHUB_STEP_SUMMARY``) and the step outputs
(``$GITHUB_OUTPUT``). It does not fail on findings: a later step does, after the SARIF upload.

``python -m model_risk.github_action comment`` keeps one comment on the pull request up to date with the
Markdown summary, through the REST API (``$GITHUB_API_URL``, ``$GITHUB_TOKEN``).
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

#: GitHub's limits: a step summary of 1 MiB, an issue comment of 65,536 characters.
SUMMARY_LIMIT = 900_000
COMMENT_LIMIT = 60_000
COMMENT_MARKER = "<!-- model-risk: pull request summary -->"


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def _emit(kind: str, message: str) -> None:
    # Workflow commands: the message must stay on one line.
    print(f"::{kind} title=model-risk::{' '.join(message.split())}", flush=True)


def set_outputs(values: dict[str, str]) -> None:
    """Append to $GITHUB_OUTPUT with a random heredoc delimiter, so no value can inject another."""
    target = os.environ.get("GITHUB_OUTPUT")
    if not target:
        return
    with open(target, "a", encoding="utf-8") as handle:
        for name, value in values.items():
            delimiter = f"MODEL_RISK_{secrets.token_hex(8)}"
            handle.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")


def _git(*args: str) -> bool:
    try:
        return subprocess.run(["git", *args], capture_output=True, timeout=120).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def pull_request_base() -> str | None:
    """The base branch of the pull request being built, fetched if the checkout lacks it."""
    if _env("GITHUB_EVENT_NAME") not in ("pull_request", "pull_request_target"):
        return None
    branch = _env("GITHUB_BASE_REF")
    if not branch:
        return None
    ref = f"origin/{branch}"
    if _git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"):
        return ref
    if _git("fetch", "--no-tags", "--depth=1", "origin", f"+refs/heads/{branch}:refs/remotes/{ref}"):
        return ref
    _emit("warning", f"could not fetch the base branch {branch}; scanning the whole project")
    return None


@dataclass(frozen=True)
class ActionInputs:
    paths: tuple[str, ...]
    fail_on: str
    config: str | None
    formats: tuple[str, ...]
    output_dir: Path
    diff_base: str | None
    offline: bool

    @classmethod
    def from_env(cls) -> ActionInputs:
        diff_base = _env("MR_DIFF_BASE", "auto")
        output_dir = _env("MR_OUTPUT_DIR", "model-risk-reports")
        if "\n" in output_dir or "\r" in output_dir:
            raise SystemExit("output-dir must be a single line")
        return cls(
            paths=tuple(_env("MR_PATHS", ".").split()) or (".",),
            fail_on=_env("MR_FAIL_ON", "high") or "high",
            config=_env("MR_CONFIG") or None,
            formats=tuple(dict.fromkeys(f for f in _env("MR_FORMATS", "json html").split() if f)),
            output_dir=Path(output_dir),
            diff_base=pull_request_base() if diff_base == "auto" else (diff_base or None),
            offline=_env("MR_OFFLINE").lower() in ("1", "true", "yes"),
        )


def run_scan(inputs: ActionInputs) -> int:
    from model_risk.app.plugins import load_plugins
    from model_risk.app.run import ScanSettings
    from model_risk.app.run import run_scan as scan
    from model_risk.common.fileio import atomic_write
    from model_risk.contract.reporter import ReportOptions
    from model_risk.report.document import summary

    plugins = load_plugins()
    result = scan(ScanSettings(paths=inputs.paths, config_file=inputs.config, fail_on=inputs.fail_on,
                               offline=inputs.offline, diff_base=inputs.diff_base, formats=inputs.formats),
                  plugins)
    available = plugins.reporters
    for note in result.notes:
        if note.level != "info":
            _emit("warning" if note.level == "warning" else "error", note.render())
    inputs.output_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for fmt in ("sarif", "markdown", *inputs.formats):
        if fmt in written:
            continue
        reporter = available[fmt]
        path = inputs.output_dir / f"model-risk{reporter.extension}"
        atomic_write(path, reporter.render(result, ReportOptions()))
        written[fmt] = path
    markdown = written["markdown"].read_text(encoding="utf-8")
    step_summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if step_summary:
        with open(step_summary, "a", encoding="utf-8") as handle:
            handle.write(_truncate(markdown, SUMMARY_LIMIT))
    counts = summary(result)["findings"]
    set_outputs({
        "findings": str(sum(counts.values())),
        **{severity: str(counts[severity]) for severity in ("critical", "high", "medium", "low")},
        "failed": "true" if result.failing_findings() else "false",
        "sarif-file": str(written["sarif"]),
        "markdown-file": str(written["markdown"]),
        "report-dir": str(inputs.output_dir),
    })
    return 0


def _truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit("\n", 1)[0]
    return cut + "\n\n_Truncated: the full report is in the job's HTML and JSON reports._\n"


class _GitHub:
    def __init__(self, api: str, token: str, repository: str) -> None:
        self.api = api.rstrip("/")
        self.token = token
        self.repository = repository

    def request(self, method: str, path: str, body: dict | None = None) -> object:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.api}{path}", data=data, method=method, headers={
            "Authorization": f"Bearer {self.token}", "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28", "User-Agent": "model-risk-action",
            **({"Content-Type": "application/json"} if data else {}),
        })
        with urllib.request.urlopen(request, timeout=30) as response:
            payload = response.read()
        return json.loads(payload) if payload else None


def upsert_comment() -> int:
    token, repository, number = _env("GITHUB_TOKEN"), _env("GITHUB_REPOSITORY"), _env("MR_PR_NUMBER")
    markdown_file = _env("MR_MARKDOWN")
    if not (token and repository and number.isdigit() and markdown_file):
        _emit("warning", "not commenting: needs a pull request, GITHUB_TOKEN and the Markdown report")
        return 0
    body = COMMENT_MARKER + "\n" + _truncate(Path(markdown_file).read_text(encoding="utf-8"), COMMENT_LIMIT)
    github = _GitHub(_env("GITHUB_API_URL", "https://api.github.com"), token, repository)
    try:
        existing = None
        page = 1
        while existing is None:
            comments = github.request("GET", f"/repos/{repository}/issues/{number}/comments"
                                             f"?per_page=100&page={page}")
            if not isinstance(comments, list) or not comments:
                break
            existing = next((c for c in comments if COMMENT_MARKER in str(c.get("body", ""))), None)
            if len(comments) < 100:  # the last page
                break
            page += 1
        if existing is not None:
            github.request("PATCH", f"/repos/{repository}/issues/comments/{existing['id']}", {"body": body})
        else:
            github.request("POST", f"/repos/{repository}/issues/{number}/comments", {"body": body})
    except (urllib.error.URLError, OSError, ValueError) as exc:
        # Fork pull requests get a read-only token: the summary is still on the job page.
        reason = getattr(exc, "code", None) or getattr(exc, "reason", exc)
        _emit("warning", f"could not comment on the pull request ({reason}); the summary is on the job page")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["scan"]:
        from model_risk.boundary import guarded

        return guarded(lambda: run_scan(ActionInputs.from_env()), lambda _level, message: _emit("error", message))
    if args == ["comment"]:
        return upsert_comment()
    print("usage: python -m model_risk.github_action scan|comment", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
