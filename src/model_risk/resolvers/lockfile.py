"""The lockfile resolver: answers first, from the facts the project reviewed and committed."""

from __future__ import annotations

from model_risk.domain import ModelFacts
from model_risk.hookspecs import hookimpl
from model_risk.resolvers import ModelRequest, ResolveContext


@hookimpl(tryfirst=True)
def resolve_model(request: ModelRequest, context: ResolveContext) -> ModelFacts | None:
    if context.lockfile is None:
        return None
    return context.lockfile.facts(request, context.vendors)
