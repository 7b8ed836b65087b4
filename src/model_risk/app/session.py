"""One run of model-risk: what the user asked, the configuration it meets, the plugins, and one way of
resolving models.

Every command (``scan``, ``lock``, ``baseline``, ``explain``, ``exposure``, ``alternatives``, ``rules``) and
both faces (the command line and the GitHub Action) open a :class:`Session` and work through it. This is
the one place where the flags a user gives meet the configuration: ``--offline`` or ``offline: true`` is
decided here once, and everything after reads ``session.offline``. The configuration is found from the
scanned directory (or the working directory) upward to the top of the repository.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from model_risk.app import reference_policy
from model_risk.app.config import Config, find_project_root, load_config, parse_fail_on
from model_risk.app.plugins import Plugins, load_plugins
from model_risk.common.paths import default_cache_dir
from model_risk.common.project_paths import within_project
from model_risk.contract.detector import Detector
from model_risk.contract.domain import Note
from model_risk.contract.errors import ConfigError, UsageError
from model_risk.contract.resolver import ResolveContext
from model_risk.detect.runner import CANDIDATE_PASS, CandidatePass, DetectionResult, accepts, detect
from model_risk.detect.walk import Walker
from model_risk.evaluate.packs import Rule, load_rules
from model_risk.knowledge.vendors import VendorTable, builtin_vendors
from model_risk.resolve.cache import ModelCache
from model_risk.resolve.lockfile import LOCKFILE_NAME
from model_risk.resolve.ollama_registry import OllamaRegistry
from model_risk.resolve.resolution import Resolution

#: progress(stage, done, total): stage is "files", "models" or "done".
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Flags:
    """What a user asks of a run, as the CLI's options and the Action's inputs both say it. ``None`` and
    empty values leave the configuration's setting alone."""

    paths: Sequence[str] = ()
    config_file: str | None = None
    fail_on: str | None = None
    baseline: str | None = None
    offline: bool = False
    fail_on_unchecked: bool = False
    #: Compare model-risk.lock with the Hub (online scans only).
    check_drift: bool = True
    jobs: int | None = None
    #: Evaluate only rules about single models and references. Vendor and project-wide rules depend on
    #: the whole project, so they are wrong on a partial file list (pre-commit passes staged files,
    #: possibly split across several runs).
    per_file: bool = False
    #: Diff-aware scans: report what changed since this git ref.
    diff_base: str | None = None
    #: Use the cache directory: Hub answers and detection's outcomes (``--no-cache``: read and write nothing
    #: there).
    use_cache: bool = True


def project_paths(paths: Sequence[str]) -> tuple[Path, tuple[Path, ...]]:
    """The directory a run starts from and the absolute paths to scan. One directory given: that
    directory; files or several paths: the working directory, as for pre-commit."""
    resolved = tuple(Path(p) for p in paths) or (Path("."),)
    for path in resolved:
        if not path.exists() and not path.is_symlink():
            if str(path).startswith("-"):
                # After `--` (which the pre-commit hooks end their options with) an option is a file name.
                raise UsageError(f"no such file or directory: {path} (arguments after `--` are paths; "
                                 "put options before it, or settings in .model-risk.yaml)")
            raise UsageError(f"no such file or directory: {path}")
    if len(resolved) == 1 and resolved[0].is_dir():
        start = resolved[0].resolve()
        return start, (start,)
    cwd = Path.cwd().resolve()
    return cwd, tuple(p if p.is_absolute() else cwd / p for p in resolved)


class Session:
    """One run: its configuration (with the user's flags applied), the paths it scans, its plugins, and
    the :class:`~model_risk.resolve.resolution.Resolution` every command resolves models through."""

    #: What the detection cache calls the scanned tree when its path does not name it (the tree at a diff
    #: base is extracted to a new temporary folder each time); None: the root's path.
    cache_tree: str | None = None

    def __init__(self, config: Config, paths: tuple[Path, ...], plugins: Plugins, flags: Flags,
                 start: Path | None = None) -> None:
        self.config = config
        self.paths = paths
        self.plugins = plugins
        self.flags = flags
        #: The directory the user asked about (the one directory given, else the working directory); the
        #: project root is it or the nearest directory above it with a configuration or a lockfile.
        self.start = start or config.root

    @classmethod
    def open(cls, flags: Flags = Flags(), plugins: Plugins | None = None) -> Session:
        """Find the project, read its configuration and apply ``flags`` to it."""
        start, paths = project_paths(flags.paths)
        explicit = Path(flags.config_file) if flags.config_file else None
        # With --config the project is the one asked for; otherwise the nearest one that has a
        # configuration (or a lockfile), up to the top of the repository.
        root = start if explicit is not None else find_project_root(start)
        config = load_config(root, explicit)
        changes: dict[str, object] = {"offline": config.offline or flags.offline,
                                      "fail_on_unchecked": config.fail_on_unchecked or flags.fail_on_unchecked}
        if flags.fail_on:
            changes["fail_on"] = parse_fail_on(flags.fail_on)
        if flags.baseline:
            changes["baseline"] = Path(flags.baseline)
        return cls(dataclasses.replace(config, **changes), paths,  # type: ignore[arg-type]
                   plugins if plugins is not None else load_plugins(), flags, start)

    @property
    def root(self) -> Path:
        return self.config.root

    @property
    def offline(self) -> bool:
        return self.config.offline

    def with_config(self, **changes: object) -> Session:
        """The same run with some settings changed (a command that must not suggest alternatives, say)."""
        return Session(dataclasses.replace(self.config, **changes), self.paths, self.plugins,  # type: ignore[arg-type]
                       self.flags, self.start)

    def own_lockfile(self) -> Path:
        """The lockfile of the directory asked about: the configured one, else the nearest model-risk.lock at
        or above it within the project (``model-risk lock examples/demo`` writes the demo's own lockfile),
        else the project root's."""
        if self.config.lockfile is not None:
            return self.config.lockfile
        root = self.root.resolve()
        start = self.start.resolve()
        if start.is_relative_to(root):
            for directory in (start, *start.parents):
                if (directory / LOCKFILE_NAME).is_file():  # a committed symlink out of the project is refused
                    return within_project(directory / LOCKFILE_NAME, root, what=f"{directory}/{LOCKFILE_NAME}")
                if directory == root:
                    break
        return self.config.lockfile_path

    def for_tree(self, root: Path, paths: tuple[Path, ...]) -> Session:
        """The same run over another copy of the project (the tree at a diff base): its own lockfile, no
        baseline, no drift check."""
        tree = Session(dataclasses.replace(self.config, root=root, baseline=None), paths, self.plugins,
                       dataclasses.replace(self.flags, check_drift=False, diff_base=None))
        tree.cache_tree = f"{self.root.resolve()} at the diff base"
        return tree

    @cached_property
    def vendors(self) -> VendorTable:
        return builtin_vendors().extended(self.config.vendors)

    @cached_property
    def resolution(self) -> Resolution:
        config = self.config
        if not self.offline and (problem := config.hub.endpoint_problem()):
            raise ConfigError(problem)
        context = ResolveContext(offline=self.offline, vendors=self.vendors, hub=config.hub, root=config.root)
        cache = None
        if self.flags.use_cache:
            cache = ModelCache(default_cache_dir(), ttl=config.hub.cache_ttl,
                               negative_ttl=config.hub.negative_cache_ttl)
        registry = OllamaRegistry.from_environment(cache_dir=default_cache_dir() if self.flags.use_cache else None,
                                                   ttl=config.hub.cache_ttl, timeout=config.hub.timeout)
        return Resolution.open(context, self.plugins.resolve, lockfile=config.lockfile,
                               default_lockfile=config.lockfile_path, cache=cache, registry=registry)

    @cached_property
    def rules(self) -> list[Rule]:
        return load_rules(self.plugins.conditions, self.config.rules, plugin_packs=self.plugins.rule_packs(),
                          cache_dir=default_cache_dir())

    def detectors(self) -> list[Detector]:
        selected = []
        for name, detector in self.plugins.detectors.items():
            if name in self.config.disabled_detectors:
                continue
            if detector.documentation and not self.config.docs:
                continue
            selected.append(detector)
        return selected

    def find_references(self, progress: Progress | None = None) -> tuple[DetectionResult, tuple[Note, ...]]:
        """Walk the paths and run the detectors: the references (with their scopes), and the walk's notes."""
        config = self.config
        detectors = self.detectors()
        candidate_pass = None if CANDIDATE_PASS in config.disabled_detectors else CandidatePass(docs=config.docs)
        keeps = accepts(detectors, candidate_pass)
        accepted: dict[str, bool] = {}

        def accepts_name(name: str) -> bool:
            # Many files share a name (__init__.py, README.md): each name is judged once.
            verdict = accepted.get(name)
            if verdict is None:
                verdict = accepted[name] = keeps(name)
            return verdict

        walker = Walker(config.root, accepts=accepts_name, exclude=config.exclude)
        cache, cache_note = None, None
        if self.flags.use_cache and all(p.is_dir() for p in self.paths):
            from model_risk.app.detection_cache import open_detection_cache  # hashlib: not for listed files

            cache, cache_note = open_detection_cache(default_cache_dir(), config.root, self.paths, detectors,
                                                     self.plugins, config.max_file_size, self.cache_tree,
                                                     candidate_pass=candidate_pass, scope_of=config.scopes.scope_of)
        # The walk is handed over unfinished: workers start on the first files while it goes on.
        detection = detect(walker.walk(self.paths), detectors, max_size=config.max_file_size, jobs=self.flags.jobs,
                           progress=(lambda done, seen: progress("files", done, seen)) if progress else None,
                           candidate_pass=candidate_pass, cache=cache)
        references = reference_policy.with_scopes(detection.references, config.scopes, config.internal_orgs)
        notes = (*walker.notes, cache_note) if cache_note is not None else tuple(walker.notes)
        return dataclasses.replace(detection, references=references), notes
