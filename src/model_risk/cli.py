"""The ``model-risk`` command line: options in, core functions called, output written. Nothing else.

Errors become one line on stderr here, and only here: ``main()`` is the boundary.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path

import click

from model_risk import __version__
from model_risk.domain import Note, Severity
from model_risk.errors import ModelRiskError, UsageError

FAIL_ON = ["info", "low", "medium", "high", "critical", "never"]

EPILOG = """\b
Examples:
  model-risk scan                        scan the current directory, text report
  model-risk scan src configs --offline  use only model-risk.lock and the cache
  model-risk scan --format sarif --output model-risk.sarif --format html --output report.html
  model-risk lock                        resolve every model and write model-risk.lock
  model-risk explain Qwen/Qwen2.5-7B-Instruct
  model-risk rules non-osi-license

Exit status: 0 nothing at or above --fail-on, 1 findings at or above it,
2 usage, configuration or rule-pack error.

Environment: HF_ENDPOINT, HF_TOKEN (never printed or stored), MODEL_RISK_CACHE_DIR, NO_COLOR.
"""


def _warn(note: Note, verbose: bool) -> None:
    if note.level == "info" and not verbose:
        return
    from model_risk.reporters import terminal_safe

    click.echo(f"model-risk: {note.level}: {terminal_safe(note.render())}", err=True)


def _color(flag: bool | None, stream: object) -> bool:
    if flag is not None:
        return flag
    if os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def _project(paths: tuple[str, ...]) -> tuple[Path, tuple[Path, ...]]:
    """The scan root (one directory given: that directory; otherwise the working directory) and paths."""
    resolved = tuple(Path(p) for p in paths) or (Path("."),)
    for path in resolved:
        if not path.exists() and not path.is_symlink():
            raise UsageError(f"no such file or directory: {path}")
    if len(resolved) == 1 and resolved[0].is_dir():
        root = resolved[0].resolve()
        return root, (root,)
    cwd = Path.cwd().resolve()
    return cwd, tuple(cwd / p if not p.is_absolute() else p for p in resolved)


def _load_config(root: Path, config_file: str | None):  # type: ignore[no-untyped-def]
    from model_risk.config import load_config
    from model_risk.resolvers.cache import default_cache_dir

    return load_config(root, Path(config_file) if config_file else None, cache_dir=default_cache_dir())


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
@click.option("--config", "config_file", type=click.Path(dir_okay=False),
              help="Config file (default: .model-risk.yaml or [tool.model-risk] in pyproject.toml).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes for detection (default: all cores).")
@click.option("--no-drift", is_flag=True, help="Do not compare model-risk.lock with the Hub.")
@click.option("--color/--no-color", default=None, help="Colour the text report (default: on a TTY).")
@click.option("--verbose", "-v", is_flag=True, help="Show informational notes and suppressed findings.")
@click.option("--quiet", "-q", is_flag=True, help="Print only errors on stderr.")
def scan(paths: tuple[str, ...], formats: tuple[str, ...], outputs: tuple[str, ...], offline: bool,
         fail_on: str | None, config_file: str | None, jobs: int | None, no_drift: bool, color: bool | None,
         verbose: bool, quiet: bool) -> None:
    """Scan PATHS (directories and files; default: .) and report model risks."""
    from model_risk import plugins
    from model_risk.config import parse_fail_on
    from model_risk.pipeline import ScanOptions
    from model_risk.pipeline import scan as run_scan
    from model_risk.reporters import ReportOptions

    available = plugins.reporters()
    targets = _targets(formats or ("text",), outputs, available)
    root, scan_paths = _project(paths)
    config = _load_config(root, config_file)
    if fail_on:
        config = dataclasses.replace(config, fail_on=parse_fail_on(fail_on))
    options = ScanOptions(paths=scan_paths, config=config, offline=offline or config.offline,
                          check_drift=not no_drift, jobs=jobs)
    result = run_scan(options, progress=_progress_bar() if not quiet else None)
    if not quiet:
        for note in result.notes:
            _warn(note, verbose)
    for fmt, output in targets:
        stream = sys.stdout
        report_options = ReportOptions(color=_color(color, stream) if output is None else False, verbose=verbose)
        text = available[fmt].render(result, report_options)
        _write(text, output)
    _exit(1 if result.failing_findings() else 0)


def _exit(code: int) -> None:
    click.get_current_context().exit(code)


def _targets(formats: tuple[str, ...], outputs: tuple[str, ...], available: dict) -> list[tuple[str, str | None]]:
    for fmt in formats:
        if fmt not in available:
            raise UsageError(f"unknown format {fmt!r} (available: {', '.join(sorted(available))})")
    if len(outputs) > len(formats):
        raise UsageError("more --output than --format options: give one --format per --output")
    pairs: list[tuple[str, str | None]] = [(fmt, outputs[i] if i < len(outputs) else None)
                                           for i, fmt in enumerate(formats)]
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
        click.echo(text, nl=False)
        return
    from model_risk.fileio import atomic_write

    try:
        atomic_write(Path(output), text)
    except OSError as exc:
        raise ModelRiskError(f"cannot write the report: {exc.strerror or exc}", path=output) from None


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
def lock(path: str | None, config_file: str | None, offline: bool, check: bool) -> None:
    """Resolve every referenced model and write model-risk.lock (facts pinned for offline and CI scans).

    When the Hub fails for a model already in the lockfile, its entry is kept. Exits 1 when a model
    could not be locked at all."""
    from model_risk import locking
    from model_risk.pipeline import ScanOptions

    root, scan_paths = _project((path,) if path else ())
    config = _load_config(root, config_file)
    options = ScanOptions(paths=scan_paths, config=config, offline=offline)
    lockfile = config.lockfile_path
    if check:
        outcome = locking.check(options)
        for note in outcome.notes:
            _warn(note, False)
        if outcome.current:
            click.echo(f"{lockfile.name} is up to date.")
            _exit(0)
        for key in outcome.missing:
            click.echo(f"not locked: {key}")
        for key in outcome.unused:
            click.echo(f"no longer referenced: {key}")
        click.echo(f"{lockfile.name} is out of date: run `model-risk lock`.", err=True)
        _exit(1)
    result = locking.lock(options)
    for note in result.notes:
        _warn(note, False)
    click.echo(f"Wrote {result.written} model{'s' if result.written != 1 else ''} to {lockfile}.")
    if result.missing:
        # Like a package lock that cannot resolve a dependency: the lock is incomplete, say so in the status.
        click.echo(f"{len(result.missing)} model{'s' if len(result.missing) != 1 else ''} could not be locked "
                   "(see the warnings above); run `model-risk lock` again when the Hub answers.", err=True)
        _exit(1)


@cli.command()
@click.argument("name", required=False)
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Config file.")
def rules(name: str | None, config_file: str | None) -> None:
    """List the rules, or show the documentation of rule NAME (name or code)."""
    from model_risk.pipeline import rules_for

    config = _load_config(Path.cwd(), config_file)
    loaded = rules_for(config)
    if name:
        match = next((r for r in loaded if name in (r.info.name, r.info.code)), None)
        if match is None:
            raise UsageError(f"no rule named {name!r} (see `model-risk rules`)")
        click.echo(_rule_doc(match))
        return
    width = max(len(r.info.name) for r in loaded)
    for rule in loaded:
        state = "" if rule.enabled else "  (disabled)"
        click.echo(f"{rule.info.code}  {rule.info.name.ljust(width)}  {rule.info.severity.value.ljust(8)}  "
                   f"{rule.info.pack.ljust(12)}  {rule.info.summary}{state}")


def _rule_doc(rule) -> str:  # type: ignore[no-untyped-def]
    info = rule.info
    parts = [f"{info.code} {info.name}  ({info.severity.value}, pack {info.pack}, scope {info.scope})", "",
             info.summary]
    if info.why:
        parts += ["", "Why it matters", info.why]
    if info.example:
        parts += ["", "Example", *("    " + line for line in info.example.splitlines())]
    if info.fix:
        parts += ["", "How to fix", info.fix]
    if rule.params:
        parts += ["", "Parameters: " + ", ".join(f"{k}={v}" for k, v in rule.params.items())]
    if not rule.enabled:
        parts += ["", "This rule is disabled in the current configuration."]
    return "\n".join(parts)


@cli.command()
@click.argument("model")
@click.option("--revision", help="A branch, tag or commit sha (default: the default branch).")
@click.option("--offline", is_flag=True, help="No network: lockfile and cache only.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Config file.")
def explain(model: str, revision: str | None, offline: bool, fmt: str, config_file: str | None) -> None:
    """Show the facts and the lineage of one MODEL (a Hub repo id or its huggingface.co URL)."""
    from model_risk import explain as explaining
    from model_risk.resolvers import repo_id_from

    model_id = repo_id_from(model)
    if model_id is None:
        raise UsageError(f"not a Hugging Face model id: {model!r} (expected org/name)")
    config = _load_config(Path.cwd().resolve(), config_file)
    result = explaining.explain(model_id, revision, config, offline=offline or config.offline)
    if fmt == "json":
        import json

        click.echo(json.dumps(explaining.json_document(result), indent=2, ensure_ascii=False))
    else:
        click.echo(explaining.render_text(result), nl=False)


@cli.command("plugins")
def list_plugins() -> None:
    """List the loaded plugins and what they provide."""
    from model_risk import plugins

    for info in plugins.list_plugins():
        origin = "built-in" if info.builtin else (info.distribution or "plugin")
        click.echo(f"{info.name}  ({origin}): {', '.join(info.hooks)}")
    click.echo("")
    click.echo("detectors:  " + ", ".join(sorted(plugins.detectors())))
    click.echo("formats:    " + ", ".join(sorted(plugins.reporters())))
    click.echo("conditions: " + ", ".join(sorted(plugins.conditions())))


def _register_plugin_commands() -> None:
    from model_risk import plugins

    plugins.get_plugin_manager().hook.register_commands(cli=cli)


def main(argv: list[str] | None = None) -> None:
    """Entry point: runs the CLI and turns every error into one line and an exit status."""
    debug = bool(os.environ.get("MODEL_RISK_DEBUG"))
    try:
        _register_plugin_commands()
        code = cli.main(args=argv, prog_name="model-risk", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("model-risk: interrupted", err=True)
        code = 130
    except click.ClickException as exc:
        exc.show()
        code = exc.exit_code
    except ModelRiskError as exc:
        click.echo(f"model-risk: error: {exc}", err=True)
        code = exc.exit_code
    except KeyboardInterrupt:
        click.echo("model-risk: interrupted", err=True)
        code = 130
    except BrokenPipeError:
        code = 0  # `model-risk scan | head`: the reader left; that is not an error
    except Exception as exc:  # the one place a bug becomes a message instead of a traceback
        if debug:
            raise
        click.echo(f"model-risk: internal error: {exc.__class__.__name__}: {exc} "
                   "(set MODEL_RISK_DEBUG=1 for a traceback, and please report it)", err=True)
        code = 3
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
