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
    counts = json.loads((workspace / outputs["report-dir"] / "model-risk.json").read_text())["summary"]["findings"]
    assert outputs["info"] == str(counts.get("info", 0))
    assert int(outputs["findings"]) == sum(int(outputs[s]) for s in ("critical", "high", "medium", "low", "info"))
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
    assert proc.stdout == "::error title=model-risk::input 'paths': no such file or directory: '$(touch'\n"
    assert not any(workspace.glob("pwned*")) and not any(Path.cwd().glob("pwned*"))
    env = {**runner_env, "MR_OUTPUT_DIR": "reports\nfailed=false"}
    assert _action("scan", workspace, env).returncode == 2


#: One bad value per input of action.yml, and the start of the one line a user sees for it.
BAD_INPUTS = {
    "paths": ("MR_PATHS", "src missing-dir", "input 'paths': no such file or directory: 'missing-dir'"),
    "fail-on": ("MR_FAIL_ON", "hihg", "input 'fail-on': 'hihg' is not one of info, low, medium, high, critical, "
                                      "never (did you mean 'high'?)"),
    "config": ("MR_CONFIG", "no-such.yaml", "input 'config': no such file: 'no-such.yaml'"),
    "formats": ("MR_FORMATS", "json htlm", "input 'formats': 'htlm' is not one of cyclonedx, html, json, markdown, "
                                           "sarif, text (did you mean 'html'?)"),
    "output-dir": ("MR_OUTPUT_DIR", "app.py", "input 'output-dir': 'app.py' exists and is not a directory"),
    "upload-sarif": ("MR_UPLOAD_SARIF", "yes", "input 'upload-sarif': 'yes' is not one of true, false"),
    "sarif-category": ("MR_SARIF_CATEGORY", "a\x1b[2Jb", "input 'sarif-category': 'a\\x1b[2Jb' must be one line"),
    "diff-base": ("MR_DIFF_BASE", "--output=/etc/passwd", "input 'diff-base': '--output=/etc/passwd' is not a git ref"),
    "comment": ("MR_COMMENT", "ture", "input 'comment': 'ture' is not one of true, false (did you mean 'true'?)"),
    "offline": ("MR_OFFLINE", "1", "input 'offline': '1' is not one of true, false"),
    "hf-token": ("HF_TOKEN", "hf_abc\nhf_def", "input 'hf-token': must be one token without spaces"),
    "python-version": ("MR_PYTHON_VERSION", "3.9", "input 'python-version': 3.9 is too old: model-risk needs "
                                                   "Python 3.11 or later"),
}


def test_every_input_of_the_action_has_a_bad_value_test():
    import yaml
    from support.project import REPO

    assert set(BAD_INPUTS) == set(yaml.safe_load((REPO / "action.yml").read_text())["inputs"])


#: The scan step reads the inputs through the same function as the check step: a few suffice there.
_CASES = [(name, "check") for name in sorted(BAD_INPUTS)] + [(name, "scan") for name in ("fail-on", "output-dir", "formats")]


@pytest.mark.parametrize(("name", "step"), _CASES)
def test_a_bad_input_is_one_error_line_and_exit_2(name: str, step: str, tmp_path: Path, runner_env: dict[str, str]):
    variable, value, message = BAD_INPUTS[name]
    workspace = write_tree(tmp_path / "workspace", {"app.py": "x = 1\n", "src/main.py": "y = 2\n"})
    proc = _action(step, workspace, {**runner_env, variable: value})
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stdout.startswith("::error title=model-risk::" + message), proc.stdout
    assert len(proc.stdout.splitlines()) == 1 and proc.stderr == ""
    assert not Path(runner_env["GITHUB_OUTPUT"]).exists()  # nothing ran
    assert "hf_abc" not in proc.stdout  # a token is never quoted back


def test_an_output_dir_below_a_file_is_refused(tmp_path: Path, runner_env: dict[str, str]):
    workspace = write_tree(tmp_path / "workspace", {"app.py": "x = 1\n"})
    proc = _action("scan", workspace, {**runner_env, "MR_OUTPUT_DIR": "app.py/reports"})
    assert proc.returncode == 2
    assert proc.stdout == ("::error title=model-risk::input 'output-dir': 'app.py' is a file, "
                           "so 'app.py/reports' cannot be a directory\n")


def test_a_broken_config_in_the_scan_step_is_one_error_line(tmp_path: Path, runner_env: dict[str, str]):
    workspace = write_tree(tmp_path / "workspace", {"app.py": "x = 1\n", ".model-risk.yaml": "fail_on: [\n"})
    proc = _action("scan", workspace, runner_env)
    assert proc.returncode == 2 and proc.stderr == ""
    assert proc.stdout.startswith("::error title=model-risk::") and len(proc.stdout.splitlines()) == 1


def test_the_check_step_plans_an_install_that_leaves_the_jobs_python_alone(tmp_path: Path,
                                                                          runner_env: dict[str, str]):
    from support.project import REPO

    workspace = write_tree(tmp_path / "workspace", {"app.py": "x = 1\n"})
    env = {**runner_env, "RUNNER_TEMP": str(tmp_path / "runner-temp"), "MR_UPLOAD_SARIF": "False"}
    # Run as action.yml runs it: a plain script (-I: not importing model-risk or anything installed).
    proc = subprocess.run([sys.executable, "-I", str(REPO / "src" / "model_risk" / "github_action.py"), "check"],
                          cwd=workspace, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    outputs = _outputs(Path(env["GITHUB_OUTPUT"]))
    assert outputs["setup-python"] == "false" and outputs["python"] == sys.executable
    assert outputs["python-version"] == ".".join(map(str, sys.version_info[:3]))
    assert outputs["venv"] == str(tmp_path / "runner-temp" / "model-risk-venv")
    assert outputs["venv-python"] == str(tmp_path / "runner-temp" / "model-risk-venv" / "bin" / "python")
    assert outputs["upload-sarif"] == "false" and outputs["comment"] == "false"
    from model_risk import __version__

    assert outputs["version"] == __version__ and len(outputs["source-digest"]) == 16
    asked = subprocess.run([sys.executable, "-I", str(REPO / "src" / "model_risk" / "github_action.py"), "check"],
                           cwd=workspace, env={**env, "MR_PYTHON_VERSION": "3.13"}, capture_output=True, text=True)
    assert asked.returncode == 0
    assert "3.13" in Path(env["GITHUB_OUTPUT"]).read_text().split("setup-python<<")[-1]


def test_the_action_knows_every_builtin_format():
    from model_risk.app.plugins import load_plugins
    from model_risk.github_action import FORMATS

    assert set(FORMATS) == set(load_plugins(disabled=()).reporters)


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
    """Issue comments of one pull request, as the REST API serves them. The token is a workflow's
    GITHUB_TOKEN unless ``login`` is set: then it is that user's personal token and /user answers."""

    def __init__(self, *, forbid: bool = False, login: str | None = None, redirect_to: str | None = None,
                 comments: list[dict] | None = None, endless: bool = False, raw: bytes | None = None) -> None:
        self.comments: list[dict] = comments if comments is not None else [
            {"id": 1, "body": "LGTM", "user": {"login": "octocat"}}]
        self.calls: list[tuple[str, str, str | None]] = []
        self.forbid, self.login, self.redirect_to, self.endless = forbid, login, redirect_to, endless
        #: Served as the body of every comments page instead of the comments (a broken or hostile API).
        self.raw = raw
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _reply(self, status: int, payload: object, headers: dict[str, str] | None = None) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def _body(self) -> dict:
                return json.loads(self.rfile.read(int(self.headers["Content-Length"])))

            def do_GET(self):  # noqa: N802
                fake.calls.append(("GET", self.path, self.headers.get("Authorization")))
                if self.path == "/user":
                    if fake.login:
                        self._reply(200, {"login": fake.login, "type": "User"})
                    else:
                        self._reply(403, {"message": "Resource not accessible by integration"})
                    return
                if fake.redirect_to:
                    self._reply(302, {}, {"Location": fake.redirect_to + self.path})
                    return
                page = int(self.path.rsplit("page=", 1)[1])
                if fake.raw is not None:
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(fake.raw)))
                    self.end_headers()
                    self.wfile.write(fake.raw)
                    return
                if fake.endless:  # a pull request with a huge number of comments
                    self._reply(200, [{"id": page * 1000 + i, "body": "+1", "user": {"login": "octocat"}}
                                      for i in range(100)])
                    return
                self._reply(200, fake.comments if page == 1 else [])

            def do_POST(self):  # noqa: N802
                fake.calls.append(("POST", self.path, self.headers.get("Authorization")))
                if fake.forbid:
                    self._reply(403, {"message": "Resource not accessible by integration"})
                    return
                comment = {"id": 100 + len(fake.comments), "body": self._body()["body"],
                           "user": {"login": fake.login or "github-actions[bot]"}}
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


def _comment_env(github: _FakeGitHub, summary: Path, token: str = "ghs_test") -> dict[str, str]:
    return {**os.environ, "GITHUB_API_URL": github.url, "GITHUB_TOKEN": token, "GITHUB_REPOSITORY": "acme/app",
            "MR_PR_NUMBER": "7", "MR_MARKDOWN": str(summary)}


def _comment_once(github: _FakeGitHub, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    summary = tmp_path / "model-risk.md"
    summary.write_text("## model-risk\n")
    try:
        return _action("comment", tmp_path, _comment_env(github, summary))
    finally:
        github.server.shutdown()


def test_one_comment_is_kept_up_to_date(tmp_path: Path):
    github = _FakeGitHub()
    summary = tmp_path / "model-risk.md"
    env = _comment_env(github, summary)
    try:
        summary.write_text("## model-risk: 2 findings\n")
        assert _action("comment", tmp_path, env).returncode == 0
        summary.write_text("## model-risk: 1 finding\n")
        assert _action("comment", tmp_path, env).returncode == 0
    finally:
        github.server.shutdown()
    ours = [c for c in github.comments if "model-risk" in c["body"]]
    assert len(ours) == 1 and "1 finding" in ours[0]["body"]
    assert [call[0] for call in github.calls] == ["GET", "GET", "POST", "GET", "GET", "PATCH"]
    assert all(call[2] == "Bearer ghs_test" for call in github.calls)
    assert github.calls[2][1] == "/repos/acme/app/issues/7/comments"


def test_a_comment_carrying_the_marker_from_someone_else_is_never_edited(tmp_path: Path):
    """Anyone can paste the marker into a comment; only the token's own comment is ours to edit."""
    from model_risk.github_action import COMMENT_MARKER

    forged = {"id": 5, "body": COMMENT_MARKER + "\nall clear", "user": {"login": "mallory"}}
    bad_id = {"id": "5/../../../pulls/1", "body": COMMENT_MARKER, "user": {"login": "github-actions[bot]"}}
    github = _FakeGitHub(comments=[forged, bad_id])
    summary = tmp_path / "model-risk.md"
    summary.write_text("## model-risk: 3 findings\n")
    try:
        assert _action("comment", tmp_path, _comment_env(github, summary)).returncode == 0
    finally:
        github.server.shutdown()
    assert [call[0] for call in github.calls] == ["GET", "GET", "POST"]
    assert forged["body"].endswith("all clear")


def test_a_personal_token_edits_the_comment_of_its_own_user(tmp_path: Path):
    from model_risk.github_action import COMMENT_MARKER

    mine = {"id": 9, "body": COMMENT_MARKER + "\nold", "user": {"login": "release-bot"}}
    bots = {"id": 8, "body": COMMENT_MARKER + "\nother", "user": {"login": "github-actions[bot]"}}
    github = _FakeGitHub(login="release-bot", comments=[bots, mine])
    summary = tmp_path / "model-risk.md"
    summary.write_text("## model-risk: new\n")
    try:
        assert _action("comment", tmp_path, _comment_env(github, summary, "ghp_personal")).returncode == 0
    finally:
        github.server.shutdown()
    assert github.calls[-1][:2] == ("PATCH", "/repos/acme/app/issues/comments/9")
    assert "new" in mine["body"] and "other" in bots["body"]


def test_comment_pages_are_followed_only_so_far(tmp_path: Path):
    from model_risk.github_action import COMMENT_PAGES

    github = _FakeGitHub(endless=True)
    proc = _comment_once(github, tmp_path)
    assert proc.returncode == 0
    pages = [call for call in github.calls if call[0] == "GET" and "page=" in call[1]]
    assert len(pages) == COMMENT_PAGES
    assert github.calls[-1][0] == "POST"
    assert "more than 3000 comments" in proc.stdout


def test_the_token_never_follows_a_redirect_to_another_host(tmp_path: Path):
    elsewhere = _FakeGitHub()
    github = _FakeGitHub(redirect_to=elsewhere.url.replace("127.0.0.1", "localhost"))
    summary = tmp_path / "model-risk.md"
    summary.write_text("## model-risk\n")
    try:
        proc = _action("comment", tmp_path, _comment_env(github, summary, "ghs_secret"))
    finally:
        github.server.shutdown()
        elsewhere.server.shutdown()
    assert proc.returncode == 0
    assert elsewhere.calls == []
    assert proc.stdout.startswith("::warning title=model-risk::could not comment on the pull request")
    assert "ghs_secret" not in proc.stdout + proc.stderr


def test_a_read_only_token_is_a_warning_not_a_failure(tmp_path: Path):
    github = _FakeGitHub(forbid=True)
    summary = tmp_path / "model-risk.md"
    summary.write_text("## model-risk\n")
    try:
        proc = _action("comment", tmp_path, _comment_env(github, summary, "ghs_ro"))
    finally:
        github.server.shutdown()
    assert proc.returncode == 0
    assert proc.stdout.startswith("::warning title=model-risk::could not comment on the pull request (403)")


def test_an_api_answer_nested_too_deeply_is_a_warning_not_an_internal_error(tmp_path: Path):
    proc = _comment_once(_FakeGitHub(raw=b"[" * 100_000 + b"]" * 100_000), tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "::warning" in proc.stdout and "nested too deeply" in proc.stdout
