"""The ``model-risk`` command line: options in, core functions called, output written. Nothing else.

Errors become one line on stderr here, and only here: ``run()`` is the boundary.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from model_risk.contract.domain import Note, Severity
from model_risk.contract.errors import ModelRiskError, UsageError
from model_risk.contract.version import __version__
from model_risk.knowledge.exposure import EXPOSURE_LEVELS

if TYPE_CHECKING:
    from model_risk.app.plugins import Plugins
    from model_risk.app.session import Flags, Session
    from model_risk.contract.domain import ScanResult

FAIL_ON = ["info", "low", "medium", "high", "critical", "never"]
#: Formats that are files, not text (they need --output); written by model-risk, not a reporter plugin.
FILE_FORMATS = ("sqlite",)

EPILOG = """\b
Examples:
  model-risk scan                        scan the current directory, text report
  model-risk scan src configs --offline  use only model-risk.lock and the cache
  model-risk scan --format sarif --output model-risk.sarif --format html --output report.html
  model-risk report scan.json --format markdown   re-render a saved JSON report, no scan
  model-risk merge reports/ --format html --output org.html   many repositories, one report
  model-risk lock                        resolve every model and write model-risk.lock
  model-risk explain Qwen/Qwen2.5-7B-Instruct
  model-risk exposure Alibaba --fail-on-exposure unpinned
  model-risk alternatives Qwen/Qwen2.5-3B-Instruct
  model-risk plan Alibaba --format markdown     a migration plan, for a pull request
  model-risk rules non-osi-license

Exit status: 0 nothing at or above --fail-on, 1 findings at or above it,
2 usage, configuration or rule-pack error, 3 internal error (a bug: please report it).

Environment: HF_ENDPOINT, HF_TOKEN (never printed or stored), MODEL_RISK_CACHE_DIR, NO_COLOR.
"""


def _safe(text: str) -> str:
    """Text that came from files, the Hub or the config, made one line with no control characters."""
    from model_risk.report.terminal import terminal_safe

    return terminal_safe(text)


def _warn(note: Note, verbose: bool) -> None:
    if note.level == "info" and not verbose:
        return
    click.echo(f"model-risk: {note.level}: {_safe(note.render())}", err=True)


def _color(flag: bool | None, stream: object) -> bool:
    if flag is not None:
        return flag
    # https://no-color.org: any non-empty NO_COLOR; a dumb terminal shows escape codes as garbage.
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def _width(output: str | None) -> int:
    """The text report's width: $COLUMNS when set, else the terminal's on a terminal, else 80 (piped
    output, a file, CI logs)."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return max(40, int(columns))
    if output is None and sys.stdout.isatty():
        import shutil

        return max(40, shutil.get_terminal_size((80, 24)).columns)
    return 80


def _severities(_ctx: click.Context, _param: click.Parameter, value: str | None) -> frozenset[Severity] | None:
    """``--severity high,medium``: the severities the human-readable reports show."""
    if value is None:
        return None
    try:
        chosen = frozenset(Severity.parse(part.strip()) for part in value.split(",") if part.strip())
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    if not chosen:
        raise click.BadParameter("name at least one severity (info, low, medium, high, critical)")
    return chosen


def _session(flags: Flags) -> Session:
    """The run's session: where the command's flags meet the configuration, once."""
    from model_risk.app.session import Session

    return Session.open(flags, _plugins())


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
             epilog=EPILOG)
@click.version_option(__version__, "--version", "-V", prog_name="model-risk")
def cli() -> None:
    """Find the machine-learning models a code base depends on and judge their risk:
    licenses, vendors (counted through fine-tunes and quantisations), and supply chain."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "-f", "formats", multiple=True, metavar="FORMAT",
              help="Report format (repeatable; pair each with an --output). Default: text.")
@click.option("--output", "-o", "outputs", multiple=True, type=click.Path(dir_okay=False),
              help="Write the report to FILE instead of stdout (repeatable, in --format order).")
@click.option("--offline", is_flag=True, help="No network: lockfile and cache only.")
@click.option("--fail-on", type=click.Choice(FAIL_ON, case_sensitive=False), default=None,
              help="Exit 1 on active findings at or above this severity (default: high, or the config's).")
@click.option("--fail-on-unchecked", is_flag=True,
              help="Also exit 1 when a model could not be checked (offline and not locked, or the Hub did not "
                   "answer).")
@click.option("--severity", "severities", metavar="LEVELS", callback=_severities,
              help="Show only findings of these severities in text, Markdown and HTML (comma-separated, e.g. "
                   "high,medium). Display only: the exit status still counts every finding.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False),
              help="Config file (default: the nearest .model-risk.yaml or [tool.model-risk] in pyproject.toml, "
                   "from the scanned directory up to the top of the repository).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes for detection (default: all cores).")
@click.option("--no-drift", is_flag=True, help="Do not compare model-risk.lock with the Hub.")
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False),
              help="Report only findings that are not in this baseline (see `model-risk baseline`).")
@click.option("--diff-base", metavar="REF",
              help="Report only what changed since git REF: findings a changed line contributes to (the id or "
                   "the call that loads it), and project-wide findings the change makes worse (for pull requests).")
@click.option("--per-file", is_flag=True,
              help="Only rules about single models and references; skip vendor and project-wide rules, "
                   "which need the whole project (the pre-commit hook uses this).")
@click.option("--color/--no-color", default=None, help="Colour the text report (default: on a TTY).")
@click.option("--verbose", "-v", is_flag=True, help="Show informational notes and suppressed findings.")
@click.option("--quiet", "-q", is_flag=True, help="Print only errors on stderr.")
def scan(paths: tuple[str, ...], formats: tuple[str, ...], outputs: tuple[str, ...], offline: bool,
         fail_on: str | None, fail_on_unchecked: bool, severities: frozenset[Severity] | None,
         config_file: str | None, jobs: int | None, no_drift: bool, baseline_file: str | None,
         diff_base: str | None, per_file: bool, color: bool | None, verbose: bool, quiet: bool) -> None:
    """Scan PATHS (directories and files; default: .) and report model risks."""
    from model_risk.app.scan import scan as run_scan
    from model_risk.app.session import Flags

    plugins = _plugins()
    # Checked before the scan, so that a typo in a format costs no scan.
    targets = _targets(formats or ("text",), outputs, [*plugins.reporters, *FILE_FORMATS], file_formats=FILE_FORMATS)
    session = _session(Flags(paths=paths, config_file=config_file, fail_on=fail_on, baseline=baseline_file,
                             offline=offline, fail_on_unchecked=fail_on_unchecked, check_drift=not no_drift,
                             jobs=jobs, per_file=per_file, diff_base=diff_base))
    progress = _progress_bar() if not quiet else None
    try:
        result = run_scan(session, progress=progress)
    finally:
        if progress is not None:
            progress.clear()  # an error message must not land on the end of a progress line
    if not quiet:
        for note in result.notes:
            _warn(note, verbose)
    _render(result, targets, plugins, color, verbose, severities)
    _exit(1 if result.failed else 0)


@cli.command()
@click.argument("report_file", metavar="RESULT.json", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--format", "-f", "formats", multiple=True, metavar="FORMAT",
              help="Report format (repeatable; pair each with an --output). Default: text.")
@click.option("--output", "-o", "outputs", multiple=True, type=click.Path(dir_okay=False),
              help="Write the report to FILE instead of stdout (repeatable, in --format order).")
@click.option("--severity", "severities", metavar="LEVELS", callback=_severities,
              help="Show only findings of these severities in text, Markdown and HTML (comma-separated).")
@click.option("--color/--no-color", default=None, help="Colour the text report (default: on a TTY).")
@click.option("--verbose", "-v", is_flag=True, help="Show suppressed findings in the text report.")
def report(report_file: str, formats: tuple[str, ...], outputs: tuple[str, ...],
           severities: frozenset[Severity] | None, color: bool | None, verbose: bool) -> None:
    """Render a saved JSON report (from `scan --format json`; - reads stdin) in other formats, without
    scanning again. The exit status says only whether rendering worked (0) or the input is bad (2)."""
    from model_risk.report.document import read_document

    plugins = _plugins()
    targets = _targets(formats or ("text",), outputs, plugins.reporters)
    result = read_document(_read_report(report_file), "<stdin>" if report_file == "-" else report_file)
    _render(result, targets, plugins, color, verbose, severities)


@cli.command()
@click.argument("inputs", nargs=-1, required=True, metavar="REPORT.json|FOLDER|- ...")
@click.option("--name", help="The organisation's name, shown in the merged report.")
@click.option("--format", "-f", "formats", multiple=True, metavar="FORMAT",
              help="json, text, markdown, html, cyclonedx or sqlite (repeatable; pair each with an --output). "
                   "Default: text.")
@click.option("--output", "-o", "outputs", multiple=True, type=click.Path(dir_okay=False),
              help="Write to FILE instead of stdout (repeatable, in --format order; sqlite needs one).")
def merge(inputs: tuple[str, ...], name: str | None, formats: tuple[str, ...], outputs: tuple[str, ...]) -> None:
    """Merge JSON reports of many repositories (files, folders of them, or - for a list of paths on
    stdin) into one organisation report. Exit 0 when merged, 2 when a report is missing or invalid."""
    from model_risk.app import merge as merging

    targets = _targets(formats or ("text",), outputs, merging.FORMATS, file_formats=FILE_FORMATS)
    document = merging.merge_reports(inputs, name, sys.stdin if "-" in inputs else ())
    if not document["repositories"]:
        click.echo("model-risk: warning: no reports to merge: the merged report is empty", err=True)
    for fmt, output in targets:
        if fmt in FILE_FORMATS and output is not None:
            merging.write_file(document, fmt, Path(output))
        else:
            _write(merging.render(document, fmt), output)


def _read_report(report_file: str) -> str:
    if report_file == "-":
        return sys.stdin.read()
    try:
        from model_risk.common.fileio import read_text_file

        return read_text_file(Path(report_file))
    except FileNotFoundError:
        raise UsageError(f"no such file: {report_file}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelRiskError(f"cannot read the report: {getattr(exc, 'strerror', None) or exc}",
                             path=report_file) from None


def _render(result: ScanResult, targets: list[tuple[str, str | None]], plugins: Plugins, color: bool | None,
            verbose: bool, severities: frozenset[Severity] | None = None) -> None:
    from model_risk.app.plugins import plugin_failure
    from model_risk.contract.reporter import ReportOptions
    from model_risk.report.presentation import github_source_url

    for fmt, output in targets:
        if fmt == "sqlite" and output is not None:
            from model_risk.app.merge import scan_document, write_file

            write_file(scan_document(result), fmt, Path(output))
            continue
        report_options = ReportOptions(color=_color(color, sys.stdout) if output is None else False,
                                       verbose=verbose, width=_width(output),
                                       source_url=github_source_url(os.environ), severities=severities)
        try:
            text = plugins.reporters[fmt].render(result, report_options)
        except ModelRiskError:
            raise
        except Exception as exc:
            owner = plugins.owner("register_reporters", fmt)
            raise plugin_failure(owner, f"register_reporters ({fmt}.render)", exc) from exc
        _write(text, output)


def _exit(code: int) -> None:
    click.get_current_context().exit(code)


def _targets(formats: Sequence[str], outputs: tuple[str, ...], available: Iterable[str],
             file_formats: Sequence[str] = ()) -> list[tuple[str, str | None]]:
    available = list(available)
    for fmt in formats:
        if fmt not in available:
            raise UsageError(f"unknown format {fmt!r} (available: {', '.join(sorted(available))})")
    if len(outputs) > len(formats):
        raise UsageError("more --output than --format options: give one --format per --output")
    pairs: list[tuple[str, str | None]] = [(fmt, outputs[i] if i < len(outputs) else None)
                                           for i, fmt in enumerate(formats)]
    for fmt, out in pairs:
        if fmt in file_formats and out is None:
            raise UsageError(f"--format {fmt} writes a database file, not text: give it an --output FILE")
    if sum(1 for _, out in pairs if out is None) > 1:
        raise UsageError("several formats would go to stdout: give each --format its own --output")
    for _, out in pairs:
        if out is not None:
            parent = Path(out).resolve().parent
            if not parent.is_dir():
                raise UsageError(f"cannot write {out}: directory {parent} does not exist")
    return pairs


def _write(text: str, output: str | None) -> None:
    if output is None:
        # Colour was decided already (--color, NO_COLOR, TTY); click would strip it when piped.
        click.echo(text, nl=False, color=True)
        return
    from model_risk.common.fileio import atomic_write

    try:
        atomic_write(Path(output), text)
    except OSError as exc:
        from model_risk.common.fileio import write_problem

        raise ModelRiskError(f"cannot write the report: {write_problem(exc)}", path=output) from None


def _progress_bar():  # type: ignore[no-untyped-def]
    """A progress line on stderr for long scans, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        return None
    from model_risk.progress import ProgressLine

    return ProgressLine(sys.stderr)


@cli.command()
@click.argument("path", required=False, type=click.Path())
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Config file.")
@click.option("--offline", is_flag=True, help="Lock from the cache only.")
@click.option("--check", is_flag=True,
              help="Do not write: exit 1 if a referenced model (or a base model) is missing from the lockfile "
                   "or the lockfile holds models no longer referenced. Works offline.")
@click.option("--per-project", is_flag=True,
              help="Monorepos: write one model-risk.lock per sub-project (a directory with a model-risk.lock, "
                   "pyproject.toml, setup.py, setup.cfg or package.json) for the models its files reference.")
def lock(path: str | None, config_file: str | None, offline: bool, check: bool, per_project: bool) -> None:
    """Resolve every referenced model and write model-risk.lock (facts pinned for offline and CI scans).

    When the Hub fails for a model already in the lockfile, its entry is kept. Exits 1 when a model
    could not be locked at all."""
    from model_risk.app import lock as locking
    from model_risk.app.session import Flags

    session = _session(Flags(paths=(path,) if path else (), config_file=config_file, offline=offline))
    config = session.config
    lockfile = session.own_lockfile()
    if per_project and config.lockfile is not None:
        raise UsageError("--per-project writes model-risk.lock in each sub-project; the config names one "
                         f"lockfile ({config.lockfile})")
    if check:
        checks = locking.check_projects(session) if per_project else [(lockfile, locking.check(session))]
        stale = False
        for checked, outcome in checks:
            for note in outcome.notes:
                _warn(note, False)
            if outcome.current:
                click.echo(f"{_safe(str(checked) if per_project else checked.name)} is up to date.")
                continue
            stale = True
            for key in outcome.missing:
                click.echo(f"not locked: {_safe(key)}" + (f" (in {_safe(str(checked))})" if per_project else ""))
            for key in outcome.unused:
                click.echo(f"no longer referenced: {_safe(key)}" + (f" (in {_safe(str(checked))})" if per_project else ""))
        if stale:
            click.echo(f"{_safe(lockfile.name)} is out of date: run `model-risk lock{' --per-project' if per_project else ''}`.",
                       err=True)
            _exit(1)
        _exit(0)
    if per_project:
        outcomes = locking.lock_projects(session)
    else:
        outcomes = [(lockfile, locking.lock(session))]
    missing = 0
    for written_to, result in outcomes:
        for note in result.notes:
            _warn(note, False)
        click.echo(f"Wrote {result.written} model{'s' if result.written != 1 else ''} to {_safe(str(written_to))}.")
        missing += len(result.missing)
    if missing:
        # Like a package lock that cannot resolve a dependency: the lock is incomplete, say so in the status.
        click.echo(f"{missing} model{'s' if missing != 1 else ''} could not be locked "
                   "(see the warnings above); run `model-risk lock` again when the Hub answers.", err=True)
        _exit(1)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Baseline file to write (default: the config's baseline, else .model-risk-baseline.json).")
@click.option("--offline", is_flag=True, help="No network: lockfile and cache only.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Config file.")
def baseline(paths: tuple[str, ...], output: str | None, offline: bool, config_file: str | None) -> None:
    """Accept the current findings: write them to a baseline so later scans report only new ones."""
    from model_risk.app.scan import scan as run_scan
    from model_risk.app.session import Flags
    from model_risk.common.project_paths import within_project
    from model_risk.evaluate.baseline import BASELINE_NAME, write_baseline

    session = _session(Flags(paths=paths, config_file=config_file, offline=offline))
    config = session.config
    # --output is the user's; the default is the project's, which a committed symlink must not lead out of.
    target = Path(output) if output else (
        config.baseline or within_project(session.root / BASELINE_NAME, session.root, what=BASELINE_NAME))
    if not target.resolve().parent.is_dir():
        raise UsageError(f"cannot write {target}: its directory does not exist")
    # Every finding is accepted, the ones an older baseline suppressed too.
    result = run_scan(session.with_config(baseline=None))
    for note in result.notes:
        _warn(note, False)
    count = write_baseline(target, result.findings)
    click.echo(f"Wrote {count} finding{'s' if count != 1 else ''} to {_safe(str(target))}.")
    if config.baseline is None or config.baseline.resolve() != target.resolve():
        click.echo(f"Scan with --baseline {_safe(str(target))}, or set `baseline: {_safe(target.name)}` in .model-risk.yaml, "
                   "to report only new findings.")


@cli.command()
@click.argument("name", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "markdown"]), default="text", show_default=True,
              help="markdown: the rule documentation as in docs/rules.md.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Config file.")
def rules(name: str | None, fmt: str, config_file: str | None) -> None:
    """List the rules, or show the documentation of rule NAME (name or code)."""
    from model_risk.app.session import Flags
    from model_risk.evaluate import docs

    loaded = sorted(_session(Flags(config_file=config_file)).rules, key=lambda r: r.info.code)
    if name:
        loaded = [r for r in loaded if name in (r.info.name, r.info.code)]
        if not loaded:
            raise UsageError(f"no rule named {name!r} (see `model-risk rules`)")
    if fmt == "markdown":
        click.echo(docs.markdown(loaded), nl=False)
        return
    if name:
        from model_risk.report.terminal import terminal_safe_lines

        click.echo(terminal_safe_lines(docs.text(loaded[0])), nl=False)
        return
    width = max(len(r.info.name) for r in loaded)
    for rule in loaded:
        state = "" if rule.enabled else "  (disabled)"
        click.echo(f"{rule.info.code}  {rule.info.name.ljust(width)}  {rule.info.severity.value.ljust(8)}  "
                   f"{rule.info.pack.ljust(12)}  {_safe(rule.info.summary)}{state}")


@cli.command()
@click.argument("model")
@click.option("--revision", help="A branch, tag or commit sha (default: the default branch).")
@click.option("--offline", is_flag=True, help="No network: lockfile and cache only.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Config file.")
def explain(model: str, revision: str | None, offline: bool, fmt: str, config_file: str | None) -> None:
    """Show the facts and the lineage of one MODEL (a Hub repo id or its huggingface.co URL)."""
    from model_risk.app import explain as explaining
    from model_risk.app.session import Flags
    from model_risk.knowledge.hub_ids import repo_id_from

    model_id = repo_id_from(model)
    if model_id is None:
        raise UsageError(f"not a Hugging Face model id: {model!r} (expected org/name)")
    result = explaining.explain(model_id, revision, _session(Flags(config_file=config_file, offline=offline)))
    if fmt == "json":
        import json

        click.echo(json.dumps(explaining.json_document(result), indent=2, ensure_ascii=False))
    else:
        click.echo(explaining.render_text(result), nl=False)


@cli.command()
@click.argument("vendor")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to FILE instead of stdout.")
@click.option("--fail-on-exposure", type=click.Choice([*EXPOSURE_LEVELS, "never"]),
              default="never", show_default=True,
              help="Exit 1 when a reference is exposed at this level or a more exposed one "
                   f"({' > '.join(EXPOSURE_LEVELS)}).")
@click.option("--offline", is_flag=True, help="No network: lockfile and cache only.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Config file.")
@click.option("--quiet", "-q", is_flag=True, help="Print only errors on stderr.")
def exposure(vendor: str, paths: tuple[str, ...], fmt: str, output: str | None, fail_on_exposure: str,
             offline: bool, config_file: str | None, quiet: bool) -> None:
    """What depends on VENDOR (a vendor or one of its Hub organisations), in PATHS (default: .): every
    reference, grouped by how exposed it is: API use, open weights served by a third-party API (hosted),
    unpinned open weights, pinned open weights, and models built on the vendor's base."""
    from model_risk.app import exposure as exposing
    from model_risk.app.scan import scan as run_scan
    from model_risk.app.session import Flags

    session = _session(Flags(paths=paths, config_file=config_file, offline=offline))
    result = run_scan(session)
    if not quiet:
        for note in result.notes:
            _warn(note, False)
    found = exposing.exposure(vendor, result, session.vendors, fail_on_exposure)
    _write(exposing.RENDERERS[fmt](found), output)
    _exit(1 if found.failing else 0)


@cli.command()
@click.argument("model", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--offline", is_flag=True, help="No network: what model-risk.lock recorded (or the cache holds).")
@click.option("--no-record", is_flag=True, help="Do not record the suggestions in model-risk.lock.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Config file.")
def alternatives(model: str | None, fmt: str, offline: bool, no_record: bool, config_file: str | None) -> None:
    """Suggest up to three replacements for MODEL from other root vendors: same task and library, an
    OSI-approved license (or one the config accepts), a similar size, ranked by downloads. Without MODEL:
    for every model of the project in the current directory with a finding that calls for one. Online,
    the choice is recorded in model-risk.lock so offline scans show it. Exit 1 when the Hub could not
    be asked."""
    from model_risk.app import alternatives as alternating
    from model_risk.app.session import Flags
    from model_risk.knowledge.hub_ids import repo_id_from

    session = _session(Flags(config_file=config_file, offline=offline))
    if model is None:
        found = alternating.suggest_for_project(session, record=not no_record)
    else:
        model_id = repo_id_from(model)
        if model_id is None:
            raise UsageError(f"not a Hugging Face model id: {model!r} (expected org/name)")
        found = [alternating.suggest(model_id, session, record=not no_record)]
    if fmt == "json":
        import json

        documents = [alternating.json_document(s) for s in found]
        click.echo(json.dumps(documents[0] if model is not None else documents, indent=2, ensure_ascii=False))
    elif not found:
        click.echo("No model of this project has a finding that calls for a replacement.")
    else:
        click.echo("\n".join(alternating.render_text(s) for s in found), nl=False)
    _exit(1 if any(s.outcome.failed for s in found) else 0)


@cli.command()
@click.argument("vendor")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "html", "json"]), default="text",
              show_default=True, help="markdown: a pull-request comment (under GitHub's size limit); html: an "
                                      "audit attachment.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to FILE instead of stdout.")
@click.option("--offline", is_flag=True, help="No network: what model-risk.lock recorded, the cache, and "
                                              "model-risk's table of substitutes.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Config file.")
@click.option("--quiet", "-q", is_flag=True, help="Print only errors on stderr.")
def plan(vendor: str, paths: tuple[str, ...], fmt: str, output: str | None, offline: bool, config_file: str | None,
         quiet: bool) -> None:
    """A migration plan for moving off VENDOR in PATHS (default: .): every use by exposure, what to do now
    (pin and lock what stays), and for each model a replacement with its facts, what changes for the team
    and the effort. Looks replacements up online (records nothing; `model-risk alternatives` does), or
    reads them from model-risk.lock offline."""
    from model_risk.app import plan as planning
    from model_risk.app.session import Flags
    from model_risk.report.plan import RENDERERS

    session = _session(Flags(paths=paths, config_file=config_file, offline=offline))
    document = planning.plan_document(vendor, session)
    if not quiet:
        for note in document["notes"]:
            click.echo(f"model-risk: warning: {_safe(note)}", err=True)
    _write(RENDERERS[fmt](document), output)


@cli.command("plugins")
def list_plugins() -> None:
    """List the loaded plugins and what they provide."""
    plugins = _plugins()
    for info in plugins.infos():
        origin = "built-in" if info.builtin else (info.distribution or "plugin")
        click.echo(f"{info.name}  ({origin}): {', '.join(info.hooks)}")
    click.echo("")
    click.echo("detectors:  " + ", ".join(sorted(plugins.detectors)))
    click.echo("formats:    " + ", ".join(sorted(plugins.reporters)))
    click.echo("conditions: " + ", ".join(sorted(plugins.conditions)))


def _plugins() -> Plugins:
    """The plugins this run loaded (``run()`` puts them on the click context)."""
    obj = click.get_current_context().find_root().obj
    if obj is None:
        from model_risk.app.plugins import load_plugins

        obj = load_plugins()
        click.get_current_context().find_root().obj = obj
    return obj


def main(argv: list[str] | None = None) -> None:
    """Entry point: runs the CLI and turns every error into one line and an exit status."""
    sys.exit(run(argv))


def run(argv: list[str] | None = None, plugins: Plugins | None = None) -> int:
    """Run the CLI; return the exit status. Errors become messages in :func:`model_risk.boundary.guarded`."""
    from model_risk.boundary import guarded

    def call() -> int:
        from model_risk.app.plugins import load_plugins

        loaded = plugins if plugins is not None else load_plugins()
        loaded.register_commands(cli)
        code = cli.main(args=argv, prog_name="model-risk", standalone_mode=False, obj=loaded)
        return code if isinstance(code, int) else 0

    return guarded(call, _report_error)


def _report_error(level: str, message: str) -> None:
    if level == "interrupted":
        click.echo("model-risk: interrupted", err=True)
    else:
        click.echo(f"model-risk: {'internal error' if level == 'internal' else 'error'}: {_safe(message)}", err=True)


if __name__ == "__main__":
    main()
