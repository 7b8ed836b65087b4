"""The GitHub Action's steps (``action.yml``), as a Python entry point rather than generated shell.

``check`` validates every input before anything is installed or run. It is run as a plain script by
whatever Python the runner has (``python3 .../github_action.py check``), so this module imports nothing
from model-risk, or from outside the standard library, at the top. It writes the normalised inputs and
the install plan (where the virtualenv goes, its cache key, whether a Python must be set up first) as
step outputs.

``scan`` (run with model-risk's own virtualenv) validates the inputs again, scans once and writes every
report, the job summary (``$GITHUB_STEP_SUMMARY``) and the step outputs (``$GITHUB_OUTPUT``). It does not
fail on findings: a later step does, after the SARIF upload.

``comment`` keeps one comment on the pull request up to date with the Markdown summary, through the
REST API (``$GITHUB_API_URL``, ``$GITHUB_TOKEN``).

Every step has an error boundary like the CLI's: a bad input is one ``::error`` annotation and exit
status 2, a bug is one ``::error`` line and exit status 3; never a traceback.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
import secrets
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

#: GitHub's limits: a step summary of 1 MiB, an issue comment of 65,536 characters.
SUMMARY_LIMIT = 900_000
COMMENT_LIMIT = 60_000
COMMENT_MARKER = "<!-- model-risk: pull request summary -->"
#: The author of comments written with the workflow's GITHUB_TOKEN (what action.yml passes).
GITHUB_TOKEN_LOGIN = "github-actions[bot]"
#: Pull requests with more comments than this are not searched further: a new comment is posted.
COMMENT_PAGES = 30

FAIL_ON = ("info", "low", "medium", "high", "critical", "never")
#: The formats of a plain model-risk install (the Action installs no plugins); a test keeps this
#: equal to the built-in reporters.
FORMATS = ("cyclonedx", "html", "json", "markdown", "sarif", "text")
BOOLEANS = {"true": True, "false": False}
#: The oldest Python model-risk runs on (pyproject.toml's requires-python).
MIN_PYTHON = (3, 11)

#: Characters a workflow command must not carry raw: they would end the command or start another.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


class InputError(Exception):
    """An input of the Action has a value that cannot work."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"input '{name}': {message}")


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def _emit(kind: str, message: str) -> None:
    # Workflow commands: one line, and '%', CR and LF escaped as the runner expects.
    text = " ".join(_CONTROL.sub(" ", message).split()).replace("%", "%25")
    print(f"::{kind} title=model-risk::{text}", flush=True)


def _shown(value: str, limit: int = 80) -> str:
    """A user's value, quoted for a message: control characters made visible, long values clipped."""
    clipped = value if len(value) <= limit else value[:limit] + "..."
    return repr(clipped)


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
    """A git call on the checkout, through model-risk's one git helper (the scan step has model-risk
    installed): nothing the checkout's config names is run, and only https is spoken."""
    from model_risk.common.git import GitUnavailable, run_git

    try:
        return run_git(Path.cwd(), *args, timeout=120, allow_protocols=("https",)).returncode == 0
    except GitUnavailable:
        return False


def pull_request_base() -> str | None:
    """The base branch of the pull request being built, fetched if the checkout lacks it."""
    if _env("GITHUB_EVENT_NAME") not in ("pull_request", "pull_request_target"):
        return None
    branch = _env("GITHUB_BASE_REF")
    if not branch or not _is_ref_name(branch):
        return None
    ref = f"origin/{branch}"
    if _git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"):
        return ref
    if _git("fetch", "--no-tags", "--depth=1", "origin", f"+refs/heads/{branch}:refs/remotes/{ref}"):
        return ref
    _emit("warning", f"could not fetch the base branch {branch}; scanning the whole project")
    return None


# ---------------------------------------------------------------------------------------------------
# Inputs


def _choice(name: str, value: str, choices: tuple[str, ...]) -> str:
    lowered = value.lower()
    if lowered in choices:
        return lowered
    close = difflib.get_close_matches(lowered, choices, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    raise InputError(name, f"{_shown(value)} is not one of {', '.join(choices)}{hint}")


def _boolean(name: str, value: str) -> bool:
    return BOOLEANS[_choice(name, value, tuple(BOOLEANS))]


def _single_line(name: str, value: str, limit: int = 4096) -> str:
    if _CONTROL.search(value):
        raise InputError(name, f"{_shown(value)} must be one line without control characters")
    if len(value) > limit:
        raise InputError(name, f"is longer than {limit} characters")
    return value


_REF = re.compile(r"[A-Za-z0-9._/@^~{}+-]+")


def _is_ref_name(value: str) -> bool:
    # What `git check-ref-format` allows, narrowed: no leading '-' (it would be read as an option),
    # no '..', no spaces or control characters.
    return bool(_REF.fullmatch(value)) and not value.startswith("-") and ".." not in value


def _python_version(value: str) -> str:
    if not value:
        return ""
    match = re.fullmatch(r"3\.(\d+)(\.\d+)?", value)
    if not match:
        raise InputError("python-version", f"{_shown(value)} is not a Python version such as 3.12")
    if int(match.group(1)) < MIN_PYTHON[1]:
        raise InputError("python-version", f"{value} is too old: model-risk needs Python "
                                           f"{MIN_PYTHON[0]}.{MIN_PYTHON[1]} or later")
    return value


@dataclass(frozen=True)
class ActionInputs:
    paths: tuple[str, ...]
    fail_on: str
    config: str | None
    formats: tuple[str, ...]
    output_dir: Path
    diff_base: str | None  #: "auto" is turned into the pull request's base by resolve_diff_base()
    offline: bool
    upload_sarif: bool
    sarif_category: str
    comment: bool
    python_version: str

    @classmethod
    def from_env(cls) -> ActionInputs:
        """Read and validate every input (``MR_*`` variables); raise InputError for the first bad one."""
        paths = tuple(_single_line("paths", _env("MR_PATHS", "."), 65536).split()) or (".",)
        for path in paths:
            if not os.path.lexists(path):
                raise InputError("paths", f"no such file or directory: {_shown(path)}")
        config = _single_line("config", _env("MR_CONFIG")) or None
        if config is not None and not os.path.isfile(config):
            what = "is a directory" if os.path.isdir(config) else "no such file"
            raise InputError("config", f"{what}: {_shown(config)}")
        formats = []
        for fmt in _env("MR_FORMATS", "json html").split():
            formats.append(_choice("formats", fmt, FORMATS))
        output_dir = _single_line("output-dir", _env("MR_OUTPUT_DIR", "model-risk-reports"))
        if not output_dir:
            raise InputError("output-dir", "is empty")
        if os.path.lexists(output_dir) and not os.path.isdir(output_dir):
            raise InputError("output-dir", f"{_shown(output_dir)} exists and is not a directory")
        existing = Path(output_dir)
        while not os.path.lexists(existing) and existing != existing.parent:
            existing = existing.parent
        if os.path.lexists(existing) and not existing.is_dir():
            raise InputError("output-dir", f"{_shown(str(existing))} is a file, so {_shown(output_dir)} "
                                           "cannot be a directory")
        diff_base = _single_line("diff-base", _env("MR_DIFF_BASE", "auto"))
        if diff_base and diff_base != "auto" and not _is_ref_name(diff_base):
            raise InputError("diff-base", f"{_shown(diff_base)} is not a git ref name (or 'auto', or empty)")
        sarif_category = _single_line("sarif-category", _env("MR_SARIF_CATEGORY", "model-risk"), 200)
        if not sarif_category:
            raise InputError("sarif-category", "is empty")
        if _CONTROL.search(os.environ.get("HF_TOKEN", "").strip()) or " " in _env("HF_TOKEN"):
            # Never quote the value: it is a secret.
            raise InputError("hf-token", "must be one token without spaces, newlines or control characters")
        return cls(
            paths=paths,
            fail_on=_choice("fail-on", _env("MR_FAIL_ON", "high") or "high", FAIL_ON),
            config=config,
            formats=tuple(dict.fromkeys(formats)),
            output_dir=Path(output_dir),
            diff_base=diff_base or None,
            offline=_boolean("offline", _env("MR_OFFLINE", "false") or "false"),
            upload_sarif=_boolean("upload-sarif", _env("MR_UPLOAD_SARIF", "true") or "true"),
            sarif_category=sarif_category,
            comment=_boolean("comment", _env("MR_COMMENT", "false") or "false"),
            python_version=_python_version(_single_line("python-version", _env("MR_PYTHON_VERSION"), 20)),
        )

    def resolve_diff_base(self) -> str | None:
        return pull_request_base() if self.diff_base == "auto" else self.diff_base


# ---------------------------------------------------------------------------------------------------
# check: validate, then plan the install


def _action_root() -> Path:
    return Path(__file__).resolve().parents[2]


def _source_digest(root: Path) -> str:
    """A digest of what `pip install` would build: a changed action checkout gets a new virtualenv."""
    digest = hashlib.sha256()
    names = [root / "pyproject.toml"]
    for folder in ("src", "rules", "templates"):
        names.extend(sorted(p for p in (root / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts))
    for path in names:
        if path.is_file():
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _version(root: Path) -> str:
    match = re.search(r'^__version__ = "([^"]+)"', (root / "src" / "model_risk" / "contract" / "version.py").read_text(),
                      flags=re.M)
    return match.group(1) if match else "unknown"


def run_check(inputs: ActionInputs) -> int:
    """Write the normalised inputs and the install plan as step outputs."""
    root = _action_root()
    suitable = sys.version_info[:2] >= MIN_PYTHON
    setup_python = bool(inputs.python_version) or not suitable
    temp = Path(os.environ.get("RUNNER_TEMP") or os.environ.get("TMPDIR") or "/tmp")
    venv = temp / "model-risk-venv"
    bin_dir = "Scripts" if os.name == "nt" else "bin"
    set_outputs({
        "setup-python": "true" if setup_python else "false",
        # Set up: the version asked for (3.12 by default). The runner's own: its exact version, which
        # keys the cached virtualenv (a virtualenv works only with the interpreter that made it).
        "python-version": inputs.python_version or ("3.12" if setup_python else
                                                    ".".join(map(str, sys.version_info[:3]))),
        "python": "" if setup_python else sys.executable,
        "venv": str(venv),
        "venv-python": str(venv / bin_dir / ("python.exe" if os.name == "nt" else "python")),
        "version": _version(root),
        "source-digest": _source_digest(root),
        "upload-sarif": "true" if inputs.upload_sarif else "false",
        "comment": "true" if inputs.comment else "false",
    })
    return 0


# ---------------------------------------------------------------------------------------------------
# scan


def run_scan(inputs: ActionInputs) -> int:
    from model_risk.app.scan import scan
    from model_risk.app.session import Flags, Session
    from model_risk.common.fileio import atomic_write
    from model_risk.contract.reporter import ReportOptions
    from model_risk.report.document import summary
    from model_risk.report.presentation import github_source_url

    session = Session.open(Flags(paths=inputs.paths, config_file=inputs.config, fail_on=inputs.fail_on,
                                 offline=inputs.offline, diff_base=inputs.resolve_diff_base()))
    available = session.plugins.reporters
    unknown = [fmt for fmt in inputs.formats if fmt not in available]
    if unknown:
        from model_risk.contract.errors import UsageError

        raise UsageError(f"input 'formats': {_shown(unknown[0])} is not a format of this install "
                         f"({', '.join(sorted(available))})")
    result = scan(session)
    for note in result.notes:
        if note.level != "info":
            _emit("warning" if note.level == "warning" else "error", note.render())
    written: dict[str, Path] = {}
    if _leads_out_of_the_workspace(inputs.output_dir):
        _emit("error", f"input 'output-dir': {_shown(str(inputs.output_dir))} is in the checkout and a symlink "
                       "there leads out of it: refused (the checkout is the pull request's)")
        return 2
    try:
        inputs.output_dir.mkdir(parents=True, exist_ok=True)
        for fmt in ("sarif", "markdown", *inputs.formats):
            if fmt in written:
                continue
            reporter = available[fmt]
            path = inputs.output_dir / f"model-risk{reporter.extension}"
            # The reports are the Action's own files: a symlink committed in their place is replaced.
            atomic_write(path, reporter.render(result, ReportOptions(source_url=github_source_url(os.environ))),
                         symlink="replace")
            written[fmt] = path
        markdown = written["markdown"].read_text(encoding="utf-8")
    except OSError as exc:
        _emit("error", f"input 'output-dir': cannot write the reports to {_shown(str(inputs.output_dir))}: "
                       f"{exc.strerror or exc}")
        return 2
    step_summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if step_summary:
        with open(step_summary, "a", encoding="utf-8") as handle:
            handle.write(_truncate(markdown, SUMMARY_LIMIT))
    counts = summary(result)["findings"]
    set_outputs({
        "findings": str(sum(counts.values())),
        **{severity: str(counts.get(severity, 0)) for severity in ("critical", "high", "medium", "low", "info")},
        "failed": "true" if result.failed else "false",
        "sarif-file": str(written["sarif"]),
        "markdown-file": str(written["markdown"]),
        "report-dir": str(inputs.output_dir),
    })
    return 0


def _leads_out_of_the_workspace(output_dir: Path) -> bool:
    """Whether ``output_dir`` is below the working directory (the checkout, which a pull request fills)
    and a symlink there makes it resolve outside. A folder elsewhere (``$RUNNER_TEMP``) is the workflow's."""
    from model_risk.common.project_paths import inside

    workspace = Path.cwd()
    lexical = Path(os.path.normpath(workspace / output_dir))
    return lexical.is_relative_to(workspace) and not inside(workspace, lexical)


def _truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit("\n", 1)[0]
    return cut + "\n\n_Truncated: the full report is in the job's HTML and JSON reports._\n"


# ---------------------------------------------------------------------------------------------------
# comment


class _SameOriginRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to the API's own scheme, host and port: urllib would otherwise send the
    Authorization header (the token) to whatever host a redirect names."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        if _origin(newurl) != _origin(req.full_url):
            raise urllib.error.HTTPError(req.full_url, code, f"refused a redirect to another host "
                                         f"({urllib.parse.urlsplit(newurl).hostname})", headers, fp)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port


class _GitHub:
    def __init__(self, api: str, token: str) -> None:
        parts = urllib.parse.urlsplit(api)
        loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
        if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
            raise ValueError(f"GITHUB_API_URL must be an https URL, not {_shown(api)}")
        self.api = api.rstrip("/")
        self.token = token
        self.opener = urllib.request.build_opener(_SameOriginRedirects())

    def request(self, method: str, path: str, body: dict | None = None) -> object:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.api}{path}", data=data, method=method, headers={
            "Authorization": f"Bearer {self.token}", "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28", "User-Agent": "model-risk-action",
            **({"Content-Type": "application/json"} if data else {}),
        })
        with self.opener.open(request, timeout=30) as response:
            payload = response.read(10_000_000)
        try:
            return json.loads(payload) if payload else None
        except RecursionError:  # an answer nested thousands deep: a bad answer like any other
            raise ValueError("the API's answer is nested too deeply") from None

    def own_login(self) -> str:
        """The login of the token's identity. A workflow's GITHUB_TOKEN cannot read /user (403): its
        comments are written by github-actions[bot]. A personal token can, and is that user."""
        try:
            user = self.request("GET", "/user")
        except urllib.error.HTTPError as exc:
            if exc.code in (401, 403):
                return GITHUB_TOKEN_LOGIN
            raise
        login = user.get("login") if isinstance(user, dict) else None
        return login if isinstance(login, str) and login else GITHUB_TOKEN_LOGIN


def _comment_id(comment: object) -> int | None:
    """The id of a comment from the API, when it is a plausible one (a positive integer)."""
    if not isinstance(comment, dict):
        return None
    value = comment.get("id")
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
        return None
    return value


def _is_ours(comment: object, login: str) -> bool:
    if not isinstance(comment, dict) or _comment_id(comment) is None:
        return False
    user = comment.get("user")
    author = user.get("login") if isinstance(user, dict) else None
    body = comment.get("body")
    return author == login and isinstance(body, str) and body.startswith(COMMENT_MARKER)


def find_own_comment(github: _GitHub, repository: str, number: str, login: str) -> int | None:
    for page in range(1, COMMENT_PAGES + 1):
        comments = github.request("GET", f"/repos/{repository}/issues/{number}/comments?per_page=100&page={page}")
        if not isinstance(comments, list) or not comments:
            return None
        for comment in comments:
            if _is_ours(comment, login):
                return _comment_id(comment)
        if len(comments) < 100:  # the last page
            return None
    _emit("warning", f"the pull request has more than {COMMENT_PAGES * 100} comments; posting a new summary")
    return None


_REPOSITORY = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")


def upsert_comment() -> int:
    token, repository, number = _env("GITHUB_TOKEN"), _env("GITHUB_REPOSITORY"), _env("MR_PR_NUMBER")
    markdown_file = _env("MR_MARKDOWN")
    if not (token and _REPOSITORY.fullmatch(repository) and number.isdigit() and markdown_file):
        _emit("warning", "not commenting: needs a pull request, GITHUB_TOKEN and the Markdown report")
        return 0
    try:
        body = COMMENT_MARKER + "\n" + _truncate(Path(markdown_file).read_text(encoding="utf-8"), COMMENT_LIMIT)
    except (OSError, UnicodeDecodeError) as exc:
        _emit("warning", f"not commenting: cannot read the Markdown report ({exc.__class__.__name__})")
        return 0
    try:
        github = _GitHub(_env("GITHUB_API_URL", "https://api.github.com"), token)
        existing = find_own_comment(github, repository, number, github.own_login())
        if existing is not None:
            github.request("PATCH", f"/repos/{repository}/issues/comments/{existing}", {"body": body})
        else:
            github.request("POST", f"/repos/{repository}/issues/{number}/comments", {"body": body})
    except (urllib.error.URLError, OSError, ValueError) as exc:
        # Fork pull requests get a read-only token: the summary is still on the job page.
        reason = getattr(exc, "code", None) or getattr(exc, "reason", None) or exc
        _emit("warning", f"could not comment on the pull request ({reason}); the summary is on the job page")
    return 0


# ---------------------------------------------------------------------------------------------------


def _run(step: str) -> int:
    if step == "comment":
        return upsert_comment()
    inputs = ActionInputs.from_env()
    if step == "check":
        return run_check(inputs)
    # The scan has the command line's error boundary (model_risk.boundary), as annotations.
    from model_risk.boundary import guarded

    return guarded(lambda: run_scan(inputs),
                   lambda level, message: _emit("error", f"internal error: {message}" if level == "internal"
                                                else message))


def main(argv: list[str] | None = None) -> int:
    """Run one step; the error boundary: every failure is one ``::error`` line and an exit status."""
    args = sys.argv[1:] if argv is None else argv
    if args not in (["check"], ["scan"], ["comment"]):
        print("usage: python -m model_risk.github_action check|scan|comment", file=sys.stderr)
        return 2
    try:
        return _run(args[0])
    except InputError as exc:
        _emit("error", str(exc))
        return 2
    except KeyboardInterrupt:
        _emit("error", "interrupted")
        return 130
    except Exception as exc:  # a bug: one line, not a traceback in the job log
        if os.environ.get("MODEL_RISK_DEBUG"):
            raise
        _emit("error", f"internal error: {exc.__class__.__name__}: {exc} "
                       "(set MODEL_RISK_DEBUG=1 for a traceback, and please report it)")
        return 3


if __name__ == "__main__":
    sys.exit(main())
