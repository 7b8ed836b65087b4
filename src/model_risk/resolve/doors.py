"""Models reached through a door other than the Hub: an Ollama tag, a ModelScope repository, a hosting
provider's id (``Reference.kind`` ``ollama``, ``modelscope``, ``hosted``).

Such a model is not a Hub repository and is never looked up as one. It is a use of published weights,
and :func:`door_model` builds its facts from theirs: the weights' Hub repository (from model-risk's tables,
or guessed from the name and confirmed by the Hub) is looked up like a base model, and the door's model
is its child, so it has the weights' vendor, lineage and license. When model-risk cannot tell which
weights it is, only the vendor a provider's id or a ModelScope organisation names is known, and the model
is reported as unchecked with the reason.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping

from model_risk.contract.domain import ModelFacts, ModelStatus, Reference, revision_key
from model_risk.contract.resolver import ModelRequest, VendorDirectory
from model_risk.knowledge import hosting, licenses, ollama
from model_risk.knowledge.doors import MODELSCOPE, OLLAMA, Weights, weights_behind
from model_risk.knowledge.facts import build_facts
from model_risk.knowledge.vendors import VendorTable, builtin_vendors
from model_risk.resolve.ollama_registry import OllamaRegistry, RegistryAnswer

#: How the door's model is named in reports: ``ollama:qwen2.5:7b``, ``openrouter:qwen/qwen-2.5-72b-instruct``.
_SLUG = re.compile(r"[^a-z0-9]+")
#: What each door is, in a reason.
_DOOR_WORDS = {"ollama": "Ollama model", "modelscope": "ModelScope model", "hosted": "hosted model"}


def _table(vendors: VendorDirectory) -> VendorTable:
    return vendors if isinstance(vendors, VendorTable) else builtin_vendors()


def weights_of(reference: Reference, vendors: VendorDirectory) -> Weights:
    """The weights a door reference uses (see :func:`model_risk.knowledge.doors.weights_behind`)."""
    return weights_behind(reference.kind, reference.provider, reference.model, _table(vendors))


def weights_requests(references: Iterable[Reference], vendors: VendorDirectory) -> list[ModelRequest]:
    """The Hub lookups of the weights behind the door references among ``references``, in order."""
    found = []
    for ref in references:
        if ref.door is not None and (hub := weights_of(ref, vendors).hub) is not None:
            found.append(ModelRequest(hub))
    return list(dict.fromkeys(found))


def provider_slug(reference: Reference) -> str:
    """The short name a door's models are prefixed with: ``ollama``, ``modelscope``, or the provider's
    routing prefix (``openrouter``, ``together_ai``, ``bedrock``)."""
    if reference.kind in ("ollama", "modelscope"):
        return reference.kind
    served = hosting.provider(reference.provider or "")
    if served is not None and served.prefixes:
        return served.prefixes[0]
    return _SLUG.sub("-", (reference.provider or "hosted").lower()).strip("-") or "hosted"


def door_model_id(reference: Reference) -> str:
    """The id a door's model is reported under: the door's slug, then the name as the door spells it
    (an Ollama name with its tag written out)."""
    name = reference.model
    if reference.kind == "ollama" and (parsed := ollama.parse(name)) is not None:
        name = parsed.canonical
    return f"{provider_slug(reference)}:{name}"


def grouping_key(reference: Reference) -> tuple[str, str | None]:
    """Door references naming the same model through the same door (at the same pin) are one model."""
    return (f"door:{door_model_id(reference).lower()}", revision_key(reference.revision))


def door_model(reference: Reference, known: Mapping[ModelRequest, ModelFacts], vendors: VendorDirectory,
               registry: RegistryAnswer | None = None) -> ModelFacts:
    """The facts of the model a door reference names, before lineage (see :mod:`model_risk.resolve.lineage`):
    its base model is the Hub repository of the weights it is, when model-risk knows which. ``registry``:
    what Ollama's registry said of an Ollama name, when it was asked."""
    weights = weights_of(reference, vendors)
    model_id = door_model_id(reference)
    answer = known.get(ModelRequest(weights.hub)) if weights.hub is not None else None
    what = _DOOR_WORDS.get(reference.kind, "model")
    hub = weights.hub
    status, reason = ModelStatus.RESOLVED, None
    if hub is not None and answer is not None and answer.status in (ModelStatus.NOT_FOUND, ModelStatus.DISABLED):
        if weights.origin == "table":
            status = ModelStatus.UNRESOLVED
            reason = f"model-risk's table ties this {what} to {hub}, which the Hub does not have ({answer.reason})"
        elif weights.origin == "publisher":
            status = ModelStatus.UNRESOLVED
            reason = f"not on the Hub under {hub}: a release of this door's alone, so only its vendor is known"
        hub = None  # a guess the Hub does not confirm is no lineage
    elif hub is not None and (answer is None or answer.status is not ModelStatus.RESOLVED):
        status = ModelStatus.UNRESOLVED
        why = answer.reason if answer is not None and answer.reason else "not looked up"
        reason = f"the weights it serves, {hub}, could not be checked: {why}"
        if weights.origin == "name":
            hub = None  # unconfirmed guess: only the publisher's vendor is known
    shipped = None  # the license the registry ships the tag under
    if registry is not None and registry.exists is False:
        status = ModelStatus.UNRESOLVED
        reason = (f"Ollama's registry has no {reference.model} (a tag that does not exist, or a model made "
                  "locally with `ollama create`)")
    elif registry is not None and registry.exists and hub is None and reason is None:
        license_id = ollama.license_of_text(registry.license_text or "")
        shipped = licenses.classify(license_id) if license_id else None
        if shipped is None:
            reason = ("Ollama's registry serves it, but model-risk cannot tie it to published weights "
                      "and does not recognise the license it ships with")
            status = ModelStatus.UNRESOLVED
    if hub is None and reason is None and shipped is None:
        status = ModelStatus.UNRESOLVED
        reason = f"model-risk cannot tie this {what} to published weights, so its license and lineage are unknown"
    resolved = answer if answer is not None and answer.status is ModelStatus.RESOLVED and hub is not None else None
    if resolved is not None:
        vendor, country = resolved.vendor, resolved.vendor_country
    elif hub is not None or (weights.hub is not None and weights.origin == "table"):
        # a sourced entry names the weights' publisher even when the Hub cannot confirm the repository
        vendor, country = vendors.vendor_of(hub or weights.hub or "")
    else:
        vendor, country = weights.vendor, vendors.country_of(weights.vendor)
    facts = build_facts(model_id=model_id, status=status, vendors=vendors, source=reference.kind, reason=reason,
                        revision=reference.revision, base_models=(resolved.id if resolved else hub,) if hub else (),
                        base_relation=weights.relation if hub else None,
                        sha=registry.digest if registry is not None else None)
    return dataclasses.replace(
        facts, vendor=vendor, vendor_country=country, author=vendor,
        # The door serves the weights as their card licenses them: that is the model's own license.
        license=resolved.license if resolved is not None else shipped,
        door=reference.kind, provider=reference.provider or _default_provider(reference.kind))


def _default_provider(kind: str) -> str | None:
    return {"ollama": OLLAMA, "modelscope": MODELSCOPE}.get(kind)


def registry_answers(references: Iterable[Reference], registry: OllamaRegistry | None) -> dict[str, RegistryAnswer]:
    """What the registry says of each Ollama name among ``references`` (keyed by the name's canonical
    spelling); nothing without a registry."""
    if registry is None:
        return {}
    names = [parsed for ref in references if ref.kind == "ollama" and (parsed := ollama.parse(ref.model))]
    return registry.answers(names)


def registry_answer(reference: Reference, answers: Mapping[str, RegistryAnswer]) -> RegistryAnswer | None:
    parsed = ollama.parse(reference.model) if reference.kind == "ollama" else None
    return answers.get(parsed.canonical) if parsed is not None else None
