"""The plugin contract of model-risk.

model-risk uses `pluggy <https://pluggy.readthedocs.io>`_ with the project name ``model_risk``. A plugin
is any module or object with functions decorated ``@model_risk.hookimpl``; a distribution makes it
available by declaring an entry point in the ``model_risk`` group::

    [project.entry-points.model_risk]
    my_plugin = "my_package.plugin"

The built-in detectors, resolvers, reporters and conditions are registered through the same plugin
manager, with the same hooks, as third-party plugins. ``model-risk plugins`` lists what is loaded.

Rules for plugins:

* Hooks are called from worker threads (resolvers) and worker processes (detectors). Keep module import
  cheap and free of side effects; import heavy libraries inside the functions that need them.
* Raise nothing for bad input. A detector reports a problem with a file by yielding a
  :class:`~model_risk.contract.domain.Note`; a resolver reports a failed lookup by returning facts whose status is
  ``unresolved`` with a ``reason``.
* The objects passed between stages are the frozen dataclasses of :mod:`model_risk.contract.domain`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    import click

    from model_risk.contract.condition import Condition
    from model_risk.contract.detector import Detector
    from model_risk.contract.domain import ModelFacts
    from model_risk.contract.reporter import Reporter
    from model_risk.contract.resolver import ModelRequest, ResolveContext

PROJECT_NAME = "model_risk"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def register_detectors(register: Callable[[Detector], None]) -> None:
    """Register detectors: objects that find model references in files.

    Call ``register(detector)`` once per :class:`model_risk.detect.references.Detector` instance. A detector has a
    unique ``name`` (it appears as ``references[].detector`` in reports and can be disabled in the config),
    decides from the file name alone whether a file is its kind (``accepts``), may reject a file cheaply
    before parsing (``prefilter``), and turns one :class:`~model_risk.detect.source.SourceFile` into
    :class:`~model_risk.contract.domain.Reference` objects (``detect``), yielding a
    :class:`~model_risk.contract.domain.Note` for anything it could not read (a syntax error, say).

    Detectors run in worker processes. They must be picklable (plain classes with simple attributes)
    and must not depend on state set up in the parent process.
    """


@hookspec(firstresult=True)
def resolve_model(request: ModelRequest, context: ResolveContext) -> ModelFacts | None:
    """Return what is known about one model id, or ``None`` to let the next resolver answer.

    Before any resolver, model-risk asks its stores: ``model-risk.lock``, then the on-disk cache (a
    Hub answer is cached; a plugin's is not). Then resolvers are asked in order and the first answer
    wins; the Hugging Face Hub resolver is ``trylast``, so a plugin resolver (an internal model
    registry, say) answers before it. A resolver that raises costs that one model: it is reported
    ``unresolved`` with a reason naming the plugin.

    ``request.model_id`` is the id to look up (already canonicalised for known short names) and
    ``request.revision`` the revision the code asks for, or ``None``. Return
    :class:`~model_risk.contract.domain.ModelFacts` with ``status`` set: ``resolved``, ``not-found``, ``disabled``,
    ``revision-not-found`` or ``unresolved`` (with ``reason``). Leave ``lineage`` and ``root_vendor``
    empty: model-risk follows ``base_models`` itself, asking the resolvers for each base model.

    When ``context.offline`` is true, a resolver must not use the network.

    This hook is called concurrently from several threads.
    """


@hookspec
def register_reporters(register: Callable[[Reporter], None]) -> None:
    """Register output formats.

    Call ``register(reporter)`` once per :class:`model_risk.contract.reporter.Reporter`. Its ``format`` is the
    value users pass to ``--format``; ``render(result, options)`` turns a
    :class:`~model_risk.contract.domain.ScanResult` into the text of one document. Reporters must not print
    or write files: the CLI writes what ``render`` returns to ``--output`` or stdout.
    """


@hookspec
def register_conditions(register: Callable[[Condition], None]) -> None:
    """Register named conditions that rule packs can use as ``check: NAME``.

    Rule packs are data: they combine the comparisons the engine provides (``equals``, ``in``, ``gt``,
    ``matches`` ...) over the fields of a model, reference, vendor or project. When a rule needs logic
    that cannot be written that way, a plugin provides it as a
    :class:`model_risk.contract.condition.Condition`: a name, the scopes it applies to, and a function
    ``test(subject, args) -> bool`` that receives the subject's fields (a read-only mapping) and the
    rule's ``args``. Conditions must be pure and fast; they are called once per subject.

    ``register`` takes exactly one ``Condition`` object: ``register(Condition(name=..., test=...))``.
    Anything else, or an exception from the hook or from ``test``, stops model-risk with one line
    naming the plugin and the hook (exit status 2).
    """


@hookspec
def register_rule_packs(register: Callable[[str | Path], None]) -> None:
    """Register YAML rule packs this plugin ships: call ``register(path)`` once per pack file.

    They are loaded with the built-in packs and validated the same way. Users can still turn their
    rules off in the config.
    """


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add subcommands to the ``model-risk`` command line (``cli`` is the root click group)."""
