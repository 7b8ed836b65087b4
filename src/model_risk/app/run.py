"""The one scan entry of the command line and the GitHub Action: user settings in, a ScanResult out."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from model_risk.app.config import Config, load_config, parse_fail_on
from model_risk.app.plugins import Plugins
from model_risk.app.scan import Progress, ScanOptions, project_paths, scan
from model_risk.contract.domain import ScanResult
from model_risk.contract.errors import UsageError


@dataclass(frozen=True)
class ScanSettings:
    """What a user asks of a scan, as the CLI's options and the Action's inputs both say it."""

    paths: Sequence[str] = ()
    config_file: str | None = None
    fail_on: str | None = None
    baseline: str | None = None
    offline: bool = False
    check_drift: bool = True
    jobs: int | None = None
    per_file: bool = False
    diff_base: str | None = None
    #: Report formats the caller will render; checked before the scan so a typo costs no scan.
    formats: Sequence[str] = ()


def load_scan_config(settings: ScanSettings) -> tuple[Config, tuple[Path, ...]]:
    root, paths = project_paths(settings.paths)
    config = load_config(root, Path(settings.config_file) if settings.config_file else None)
    if settings.fail_on:
        config = dataclasses.replace(config, fail_on=parse_fail_on(settings.fail_on))
    if settings.baseline:
        config = dataclasses.replace(config, baseline=Path(settings.baseline))
    return config, paths


def check_formats(formats: Sequence[str], plugins: Plugins) -> None:
    available = plugins.reporters
    for fmt in formats:
        if fmt not in available:
            raise UsageError(f"unknown format {fmt!r} (available: {', '.join(sorted(available))})")


def run_scan(settings: ScanSettings, plugins: Plugins, progress: Progress | None = None) -> ScanResult:
    check_formats(settings.formats, plugins)
    config, paths = load_scan_config(settings)
    options = ScanOptions(paths=paths, config=config, offline=settings.offline or config.offline,
                          check_drift=settings.check_drift, jobs=settings.jobs, per_file=settings.per_file,
                          plugins=plugins)
    if settings.diff_base:
        from model_risk.app.diff import scan_against

        return scan_against(settings.diff_base, options, progress=progress)
    return scan(options, progress=progress)
