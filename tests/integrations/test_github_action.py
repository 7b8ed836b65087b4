"""The Action's steps, run as GitHub runs them: inputs in the environment, outputs and the job summary
in files, the pull-request comment against a stand-in GitHub API on loopback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from support.project import EXAMPLE, write_tree


def _outputs(path: Path) -> dict[str, str]:
    """Parse $GITHUB_OUTPUT written with heredoc delimiters."""
    values, lines = {}, path.read_text().splitlines()
    i = 0
    while i < len(lines):
        name, delimiter = lines[i].split("<<", 1)
        end = lines.index(delimiter, i + 1)
        values[name] = "\n".join(lines[i + 1:end])
        i = end + 1
    return values


def _action(step: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "model_risk.github_action", step], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def runner_env(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "github").mkdir()
    return {**os.environ, "GITHUB_OUTPUT": str(tmp_path / "github" / "output"),
            "GITHUB_STEP_SUMMARY": str(tmp_path / "github" / "summary.md"), "GITHUB_EVENT_NAME": "push",
            "MR_OFFLINE": "true", "MR_FORMATS": "json html cyclonedx"}


def test_scan_step_writes_reports_outputs_and_summary_and_leaves_failing_to_the_last_step(
        tmp_path: Path, runner_env: dict[str, str]):
    workspace = tmp_path / "workspace"
    shutil.copytree(EXAMPLE, workspace)
    proc = _action("scan", workspace, runner_env)
    assert proc.returncode == 0, proc.stdout + proc.stderr  # failing is the last step's job, after SARIF
    outputs = _outputs(Path(runner_env["GITHUB_OUTPUT"]))
    assert outputs["failed"] == "true" and outputs["high"] == "2" and int(outputs["findings"]) >= 10
    report_dir = workspace / outputs["report-dir"]
    assert sorted(p.name for p in report_dir.iterdir()) == [
        "model-risk.cdx.json", "model-risk.html", "model-risk.json", "model-risk.md", "model-risk.sarif"]
    assert (workspace / outputs["sarif-file"]).is_file()
    summary = Path(runner_env["GITHUB_STEP_SUMMARY"]).read_text()
    assert "non-commercial-license" in summary and len(summary.encode()) < 1_000_000
    sarif = json.loads((workspace / outputs["sarif-file"]).read_text())
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"]


def test_inputs_cannot_inject_commands(tmp_path: Path, runner_env: dict[str, str]):
    workspace = write_tree(tmp_path / "workspace", {"app.py": "x = 1\n"})
    env = {**runner_env, "MR_PATHS": "$(touch pwned) `touch pwned2`; touch pwned3"}
    proc = _action("scan", workspace, env)
    assert proc.returncode == 2
    assert proc.stdout.startswith("::error title=model-risk::no such file or directory: $(touch")
    assert not any(workspace.glob("pwned*")) and not any(Path.cwd().glob("pwned*"))
    env = {**runner_env, "MR_OUTPUT_DIR": "reports\nfailed=false"}
    assert _action("scan", workspace, env).returncode != 0


def _git(root: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env=env)


def test_pull_requests_are_scanned_against_their_base_branch(tmp_path: Path, runner_env: dict[str, str], hub):
    upstream = write_tree(tmp_path / "upstream", {
        "app.py": 'from transformers import AutoModel\nAutoModel.from_pretrained("Qwen/Qwen2.5-3B-Instruct")\n'})
    _git(upstream, "init", "-q", "-b", "main")
    _git(upstream, "add", "-A")
    _git(upstream, "commit", "-qm", "base")
    checkout = tmp_path / "checkout"
    _git(tmp_path, "clone", "-q", str(upstream), str(checkout))
    (checkout / "new.py").write_text('from transformers import AutoModel\n'
                                     'AutoModel.from_pretrained("meta-llama/Llama-3.1-8B-Instruct")\n')
    env = {**runner_env, "MR_OFFLINE": "false", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_BASE_REF": "main"}
    proc = _action("scan", checkout, env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads((checkout / "model-risk-reports" / "model-risk.json").read_text())
    assert report["scan"]["diff_base"] == "origin/main"
    # The research-only model was already on main: only the pull request's own model is reported.
    assert {f["model"] for f in report["findings"]} == {"meta-llama/Llama-3.1-8B-Instruct"}


class _FakeGitHub:
    """Issue comments of one pull request, as the REST API serves them."""

    def __init__(self, *, forbid: bool = False) -> None:
        self.comments: list[dict] = [{"id": 1, "body": "LGTM"}]
        self.calls: list[tuple[str, str, str | None]] = []
        self.forbid = forbid
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _reply(self, status: int, payload: object) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _body(self) -> dict:
                return json.loads(self.rfile.read(int(self.headers["Content-Length"])))

            def do_GET(self):  # noqa: N802
                fake.calls.append(("GET", self.path, self.headers.get("Authorization")))
                page = int(self.path.rsplit("page=", 1)[1])
                self._reply(200, fake.comments if page == 1 else [])

            def do_POST(self):  # noqa: N802
                fake.calls.append(("POST", self.path, self.headers.get("Authorization")))
                if fake.forbid:
                    self._reply(403, {"message": "Resource not accessible by integration"})
                    return
                comment = {"id": 100 + len(fake.comments), "body": self._body()["body"]}
                fake.comments.append(comment)
                self._reply(201, comment)

            def do_PATCH(self):  # noqa: N802
                fake.calls.append(("PATCH", self.path, self.headers.get("Authorization")))
                comment_id = int(self.path.rsplit("/", 1)[1])
                for comment in fake.comments:
                    if comment["id"] == comment_id:
                        comment["body"] = self._body()["body"]
                self._reply(200, {"id": comment_id})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"


def test_one_comment_is_kept_up_to_date(tmp_path: Path):
    github = _FakeGitHub()
    summary = tmp_path / "model-risk.md"
    env = {**os.environ, "GITHUB_API_URL": github.url, "GITHUB_TOKEN": "ghs_test", "GITHUB_REPOSITORY": "acme/app",
           "MR_PR_NUMBER": "7", "MR_MARKDOWN": str(summary)}
    try:
        summary.write_text("## model-risk: 2 findings\n")
        assert _action("comment", tmp_path, env).returncode == 0
        summary.write_text("## model-risk: 1 finding\n")
        assert _action("comment", tmp_path, env).returncode == 0
    finally:
        github.server.shutdown()
    ours = [c for c in github.comments if "model-risk" in c["body"]]
    assert len(ours) == 1 and "1 finding" in ours[0]["body"]
    assert [call[0] for call in github.calls] == ["GET", "POST", "GET", "PATCH"]
    assert all(call[2] == "Bearer ghs_test" for call in github.calls)
    assert github.calls[1][1] == "/repos/acme/app/issues/7/comments"


def test_a_read_only_token_is_a_warning_not_a_failure(tmp_path: Path):
    github = _FakeGitHub(forbid=True)
    summary = tmp_path / "model-risk.md"
    summary.write_text("## model-risk\n")
    env = {**os.environ, "GITHUB_API_URL": github.url, "GITHUB_TOKEN": "ghs_ro", "GITHUB_REPOSITORY": "acme/app",
           "MR_PR_NUMBER": "7", "MR_MARKDOWN": str(summary)}
    try:
        proc = _action("comment", tmp_path, env)
    finally:
        github.server.shutdown()
    assert proc.returncode == 0
    assert proc.stdout.startswith("::warning title=model-risk::could not comment on the pull request (403)")
