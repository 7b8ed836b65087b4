"""The Hugging Face Hub resolver plugin: answers last, after the lockfile, the cache and any other resolver
plugin (:mod:`model_risk.resolve.hub_client` does the asking)."""

from __future__ import annotations

from model_risk.contract.domain import ModelFacts
from model_risk.contract.hookspecs import hookimpl
from model_risk.contract.resolver import ModelRequest, ResolveContext
from model_risk.resolve.hub_client import fetch, state_for


@hookimpl(trylast=True)
def resolve_model(request: ModelRequest, context: ResolveContext) -> ModelFacts | None:
    if context.offline:
        return None
    return fetch(request, context, state_for(context))
