"""The scan pipeline: walk -> detect -> resolve -> evaluate. No CLI code here.

``scan()`` returns a :class:`~model_risk.contract.domain.ScanResult`; reporters turn it into documents.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from model_risk import __version__
from model_risk.app import reference_policy, verification
from model_risk.app.config import Config
from model_risk.app.plugins import Plugins, load_plugins
from model_risk.app.replacements import Finder, with_alternatives
from model_risk.app.repo_identity import identify
from model_risk.common.paths import default_cache_dir
from model_risk.contract.detector import Detector
from model_risk.contract.domain import ModelFacts, ModelStatus, ModelUse, Note, Reference, ScanResult
from model_risk.contract.errors import ConfigError, UsageError
from model_risk.contract.resolver import ModelRequest, ResolveContext
from model_risk.detect.runner import CANDIDATE_PASS, CandidatePass, DetectionResult, accepts, detect
from model_risk.detect.walk import Walker, find_git_root
from model_risk.evaluate.baseline import read_baseline
from model_risk.evaluate.evaluate import Policy, apply_policy, run_rules
from model_risk.evaluate.packs import Rule, load_rules
from model_risk.knowledge.facts import build_facts
from model_risk.knowledge.vendors import VendorTable, builtin_vendors
from model_risk.resolve.cache import ModelCache
from model_risk.resolve.drift import compare_with_lockfile
from model_risk.resolve.lineage import with_lineage
from model_risk.resolve.lockfile import read_lockfile
from model_risk.resolve.monorepo import nearest_lockfiles
from model_risk.resolve.runner import Stores, answer_with, request_for, requests_for, resolve_with_lineage

#: Rule scopes whose findings do not depend on files outside the ones scanned.
PER_FILE_SCOPES = ("model", "reference")

#: progress(stage, done, total): stage is "files" or "models".
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class ScanOptions:
    paths: tuple[Path, ...]
    config: Config
    offline: bool = False
    #: Compare against model-risk.lock on the Hub (online scans only).
    check_drift: bool = True
    jobs: int | None = None
    #: Use the on-disk cache (tests and `model-risk lock` may turn it off).
    use_cache: bool = True
    #: Evaluate only rules about single models and references. Vendor and project-wide rules depend on
    #: the whole project, so they are wrong on a partial file list (pre-commit passes staged files,
    #: possibly split across several runs).
    per_file: bool = False
    #: The plugins of this run (detectors, resolvers, rule packs, conditions).
    plugins: Plugins = field(default_factory=load_plugins, compare=False)


def project_paths(paths: Sequence[str]) -> tuple[Path, tuple[Path, ...]]:
    """The scan root and the absolute paths to scan. One directory given: it is the root (reports are
    relative to it); files or several paths: the working directory is the root, as for pre-commit."""
    resolved = tuple(Path(p) for p in paths) or (Path("."),)
    for path in resolved:
        if not path.exists() and not path.is_symlink():
            if str(path).startswith("-"):
                # After `--` (which the pre-commit hooks end their options with) an option is a file name.
                raise UsageError(f"no such file or directory: {path} (arguments after `--` are paths; "
                                 "put options before it, or settings in .model-risk.yaml)")
            raise UsageError(f"no such file or directory: {path}")
    if len(resolved) == 1 and resolved[0].is_dir():
        root = resolved[0].resolve()
        return root, (root,)
    cwd = Path.cwd().resolve()
    return cwd, tuple(p if p.is_absolute() else cwd / p for p in resolved)


def active_detectors(config: Config, plugins: Plugins) -> list[Detector]:
    selected = []
    for name, detector in plugins.detectors.items():
        if name in config.disabled_detectors:
            continue
        if detector.documentation and not config.docs:
            continue
        selected.append(detector)
    return selected


def vendor_table(config: Config) -> VendorTable:
    return builtin_vendors().extended(config.vendors)


def resolve_context(config: Config, *, offline: bool) -> ResolveContext:
    if not offline and (problem := config.hub.endpoint_problem()):
        raise ConfigError(problem)
    return ResolveContext(offline=offline, vendors=vendor_table(config), hub=config.hub, root=config.root)


def stores_for(config: Config, *, use_cache: bool = True, use_lockfile: bool = True, read_cache: bool = True
               ) -> Stores:
    """The lockfile and the cache, as the resolve runner asks them before any resolver plugin."""
    cache = None
    if use_cache:
        cache = ModelCache(default_cache_dir(), ttl=config.hub.cache_ttl,
                           negative_ttl=config.hub.negative_cache_ttl)
    lockfile = read_lockfile(config.lockfile_path) if use_lockfile else None
    return Stores(lockfile=lockfile, cache=cache, read_cache=read_cache)




def resolve_references(references: Sequence[Reference], context: ResolveContext, stores: Stores,
                       plugins: Plugins, *, check_drift: bool, progress: Progress | None = None
                       ) -> tuple[list[ModelUse], dict[ModelRequest, ModelFacts], list[Note]]:
    """Facts for every referenced model, with lineage, aliases and drift; grouped with their references."""
    requests = requests_for(references)
    if progress:
        progress("models", 0, len(requests))
    known = resolve_with_lineage(requests, answer_with(stores, plugins.resolve, context), context)
    if progress:
        progress("models", len(requests), len(requests))
    drift: dict[ModelRequest, tuple] = {}
    notes: list[Note] = []
    if check_drift and stores.lockfile is not None and not context.offline:
        locked = [r for r in requests if known[r].source == "lockfile"]
        if locked:
            fresh = answer_with(dataclasses.replace(stores, lockfile=None), plugins.resolve, context)
            checked = compare_with_lockfile(locked, known, fresh, context)
            drift, notes = checked.drift, list(checked.notes)
            # What changed upstream is judged as it is now, by every rule, besides the drift finding.
            known = {**known, **checked.current}
    # Grouped by canonical id and revision_key: "main", no revision and the default branch are one model.
    grouped: dict[tuple[str, str | None], list[Reference]] = {}
    facts_for: dict[tuple[str, str | None], ModelFacts] = {}
    for ref in references:
        key: tuple[str, str | None]
        if ref.kind == "api":
            key = (f"api:{ref.model}", None)
            facts_for.setdefault(key, _api_facts(ref, context.vendors))
        elif ref.kind == "internal":
            key = (f"internal:{ref.resolve_id.lower()}", None)
            facts_for.setdefault(key, _internal_facts(ref, context.vendors))
        else:
            request = request_for(ref)
            facts = known[request]
            key = (facts.id.lower(), request.revision)
            if key not in facts_for:
                facts_for[key] = dataclasses.replace(with_lineage(facts, known, context.vendors),
                                                     drift=drift.get(request, ()))
            else:
                previous = facts_for[key]
                redirected = tuple(dict.fromkeys(previous.redirected_from + facts.redirected_from))
                merged_drift = previous.drift or drift.get(request, ())
                if redirected != previous.redirected_from or merged_drift != previous.drift:
                    facts_for[key] = dataclasses.replace(previous, redirected_from=redirected, drift=merged_drift)
        grouped.setdefault(key, []).append(ref)
    usages = []
    for key, refs in grouped.items():
        facts = facts_for[key]
        spellings = {r.model for r in refs} | {r.resolve_id for r in refs}
        aliases = tuple(sorted(s for s in spellings if s != facts.id))
        usages.append(ModelUse(dataclasses.replace(facts, aliases=aliases), tuple(refs)))
    usages.sort(key=lambda u: (u.facts.id.lower(), u.facts.revision or ""))
    return usages, known, notes


def _api_facts(ref: Reference, vendors: VendorTable) -> ModelFacts:
    return api_model_facts(ref.model, ref.api_vendor, vendors)


def api_model_facts(model: str, api_vendor: str | None, vendors: VendorTable) -> ModelFacts:
    """The facts of a hosted API model (``gpt-4o``): its vendor is its root vendor; there is no repo."""
    country = vendors.country_of(api_vendor)
    return dataclasses.replace(
        build_facts(model_id=model, status=ModelStatus.API, vendors=vendors, source="api"),
        vendor=api_vendor, vendor_country=country, root_vendor=api_vendor, root_vendor_country=country,
        lineage=(model,), author=api_vendor)


def _internal_facts(ref: Reference, vendors: VendorTable) -> ModelFacts:
    """A model of the user's own organisation: what the reference says, nothing from the Hub."""
    organization = ref.resolve_id.split("/", 1)[0]
    return dataclasses.replace(
        build_facts(model_id=ref.resolve_id, status=ModelStatus.INTERNAL, vendors=vendors, source="internal"),
        reason="internal organisation (internal_orgs): not looked up", vendor=organization,
        root_vendor=organization, lineage=(ref.resolve_id,), author=organization)


def rules_for(config: Config, plugins: Plugins) -> list[Rule]:
    return load_rules(plugins.conditions, config.rules, plugin_packs=plugins.rule_packs(),
                      cache_dir=default_cache_dir())


def find_references(options: ScanOptions, progress: Progress | None = None
                    ) -> tuple[DetectionResult, tuple[Note, ...]]:
    """Walk the paths and run the detectors: the references, and the walker's notes."""
    config = options.config
    detectors = active_detectors(config, options.plugins)
    candidate_pass = None if CANDIDATE_PASS in config.disabled_detectors else CandidatePass(docs=config.docs)
    walker = Walker(config.root, accepts=accepts(detectors, candidate_pass), exclude=config.exclude)
    # The walk is handed over unfinished: workers start on the first files while it goes on.
    detection = detect(walker.walk(options.paths), detectors, max_size=config.max_file_size, jobs=options.jobs,
                       progress=(lambda done, seen: progress("files", done, seen)) if progress else None,
                       candidate_pass=candidate_pass)
    references = reference_policy.with_scopes(detection.references, config.scopes, config.internal_orgs)
    return dataclasses.replace(detection, references=references), tuple(walker.notes)


def scan(options: ScanOptions, progress: Progress | None = None) -> ScanResult:
    config = options.config
    started = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    # Load everything that can fail on bad input first, so a broken pack or baseline stops the scan
    # before any work is done.
    rules = rules_for(config, options.plugins)
    baseline = read_baseline(config.baseline) if config.baseline else frozenset()
    context = resolve_context(config, offline=options.offline)
    stores = stores_for(config, use_cache=options.use_cache)

    detection, walk_notes = find_references(options, progress)
    if config.lockfile is None:
        # A monorepo: each reference is answered by the model-risk.lock nearest above its file.
        located = [(ref.path, request_for(ref)) for ref in detection.references if ref.kind == "hub"]
        stores = dataclasses.replace(stores, lockfile=nearest_lockfiles(config.root, located))
    plan = verification.prepare(detection.references, context, stores)
    usages, _known, resolution_notes = resolve_references(detection.references, context, plan.stores,
                                                          options.plugins, check_drift=options.check_drift,
                                                          progress=progress)
    usages, kept, confirm_notes, checked = verification.confirmed(usages, plan)
    references = tuple(kept[id(r)] for r in detection.references if id(r) in kept)
    active = [r for r in rules if r.enabled and (not options.per_file or r.info.scope in PER_FILE_SCOPES)]
    results = run_rules(active, usages, references=len(references),
                        files=detection.files_scanned, watchlist=config.watchlist,
                        concentration=reference_policy.counted_for_concentration(usages, config.scopes))
    results = reference_policy.tempered(results, usages, config.scopes)
    findings, policy_notes = apply_policy(results, Policy(config.watchlist, config.allow, baseline))
    alternative_notes: list[Note] = []
    if config.alternatives.enabled and not options.per_file:
        finder = Finder(config, context, stores, options.plugins.resolve, use_cache=options.use_cache)
        usages, alternative_notes = with_alternatives(usages, findings, finder)
    if progress:
        progress("done", 0, 0)
    identity = identify(config.root)
    notes: list[Note] = [*walk_notes, *detection.notes, *resolution_notes, *confirm_notes, *policy_notes, *alternative_notes]
    return ScanResult(
        tool_version=__version__,
        root=str(config.root),
        files_scanned=detection.files_scanned,
        references=references,
        models=tuple(u.facts for u in usages),
        model_references=_positions(references, usages),
        findings=tuple(findings),
        rules=tuple(r.info for r in active),
        notes=tuple(notes),
        fail_on=config.fail_on,
        offline=options.offline,
        started_at=started,
        repository_path=repository_path(config.root),
        repository=identity.name,
        remote_url=identity.remote_url,
        commit=identity.commit,
        branch=identity.branch,
        project=project_name(config.root),
        verification=verification.finished(checked, plan),
    )


def _positions(references: Sequence[Reference], usages: Sequence[ModelUse]) -> tuple[tuple[int, ...], ...]:
    """Each usage's references as positions in ``references`` (what ScanResult carries). Matched by
    identity: the usages hold the very objects detection returned, and two equal references (one id
    written twice on a line by a detector that reports both) must still count as two."""
    position = {id(ref): i for i, ref in enumerate(references)}
    return tuple(tuple(sorted(position[id(ref)] for ref in usage.references)) for usage in usages)


def project_name(root: Path) -> str:
    """The project's name: the directory of its git work tree, else of the scan root."""
    resolved = root.resolve()
    return (find_git_root(resolved) or resolved).name or "project"


def repository_path(root: Path) -> str | None:
    """``root`` relative to the top of its git work tree (``""`` at the top), or None outside git."""
    resolved = root.resolve()
    top = find_git_root(resolved)
    if top is None:
        return None
    relative = resolved.relative_to(top).as_posix()
    return "" if relative == "." else relative
