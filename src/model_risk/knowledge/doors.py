"""The weights behind a door: which published model an Ollama tag, a ModelScope id or a hosting provider's id
is, and whose it is.

A reference through a door (``Reference.kind`` ``ollama``, ``modelscope`` or ``hosted``) depends on a
vendor's weights without naming their Hub repository. :func:`weights_behind` says which repository it is:
from a sourced table entry (``origin="table"``, trusted), or guessed from the name (``origin="name"``: the
Hub must confirm the repository exists before anything is judged by it), and which vendor publishes it
when the repository is unknown (the publisher a provider's id starts with, a ModelScope organisation).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache

from model_risk.knowledge import catalog, hosting, modelscope, ollama
from model_risk.knowledge.derivation import family_org, lineage_hints
from model_risk.knowledge.vendors import VendorTable

#: The provider a door's references name when the door itself is the provider.
OLLAMA = "Ollama"
MODELSCOPE = "ModelScope"


@dataclass(frozen=True)
class Weights:
    """The published weights a door reference uses, as far as model-risk can tell."""

    #: The Hub repository of the weights, when known (``table``) or guessed (``name``).
    hub: str | None
    #: ``table``: a sourced entry of model-risk's tables; ``publisher``: the same publisher's repository of
    #: the same name (a ModelScope mirror), trusted unless the Hub says it has none; ``name``: guessed from
    #: the name, used only once the Hub confirms it; ``None``: no repository known.
    origin: str | None
    #: The vendor, when known without the repository (a provider id's publisher, a ModelScope organisation).
    vendor: str | None = None
    source: str | None = None
    #: How the door's model relates to the weights (the lineage edge from it to them).
    relation: str = "hosted"


def weights_behind(kind: str, provider: str | None, model: str, vendors: VendorTable) -> Weights:
    """The weights a door reference of ``kind`` (``ollama``, ``modelscope``, ``hosted``) uses."""
    if kind == "ollama":
        parsed = ollama.parse(model)
        packaged = ollama.weights_of(parsed) if parsed is not None else None
        if packaged is None:
            # a tag the table does not list, of a library model it does: the same publisher's weights
            entry = ollama.entry(parsed) if parsed is not None else None
            listed = next(iter(entry.tags.values()), None) if entry is not None else None
            return Weights(None, None, vendors.vendor_of(listed)[0] if listed else None, relation="quantized")
        return Weights(packaged[0], "table", source=packaged[1], relation="quantized")
    if kind == "modelscope":
        mirror = modelscope.mirrored(model, vendors)
        if mirror is None:
            return Weights(None, None, relation="mirror")
        origin = ("publisher" if mirror.vendor else "name") if mirror.hub else None
        return Weights(mirror.hub, origin, mirror.vendor, mirror.source, relation="mirror")
    served = hosting.provider(provider or "")
    if served is None:
        return Weights(None, None)
    publisher = served.publisher(model)
    name = served.model_name(model)
    vendor = publisher_vendor(publisher, vendors) if publisher else None
    if vendor is None and (org := family_org(hosting.readable_name(name))) is not None:
        vendor = vendors.vendor_of(f"{org}/{name}")[0]
    found = hosting.served_weights(served, model)
    if found is not None:
        return Weights(found.hub, found.origin, vendor, found.source)
    # The same model under the provider's spelling, among the weights model-risk's tables name.
    hub = _known_weights(catalog.key(), vendors).get(((vendor or "").lower(), hosting.name_key(name)))
    return Weights(hub, "name" if hub else None, vendor)


def names_its_weights(kind: str, provider: str | None, model: str) -> bool:
    """Whether a door reference's written id is the Hub repo id of the weights behind it (ModelScope's
    ``Qwen/Qwen2.5-7B-Instruct``, Together's ``deepseek-ai/DeepSeek-R1``, an Inference Providers id): a
    Hugging Face id whichever door the project reaches it through. An Ollama tag never is."""
    if kind == "ollama":
        return False
    hub = weights_behind(kind, provider, model, _builtin_vendors()).hub
    return hub is not None and hub.lower() == model.strip().lower()


def _builtin_vendors() -> VendorTable:
    from model_risk.knowledge.vendors import builtin_vendors

    return builtin_vendors()


def publisher_vendor(publisher: str, vendors: VendorTable) -> str | None:
    """The vendor behind a publisher name a provider writes (``qwen``, ``meta``, ``meta-llama``)."""
    named = hosting.publisher_vendors().get(publisher.lower())
    if named is not None:
        return named
    vendor = vendors.for_organization(publisher)
    return vendor.name if vendor is not None else None


@cache
def _known(_overlays: tuple[str, ...]) -> tuple[str, ...]:
    """Every Hub repository model-risk's tables name as weights (hosting, Ollama, lineage hints)."""
    found: list[str] = []
    for provider in hosting.providers():
        found += [hub for hub, _source in provider.models.values()]
    for model in ollama.library().values():
        found += list(model.tags.values())
    for key, hint in lineage_hints().items():
        found += [key, hint.base_model]
    return tuple(dict.fromkeys(found))


@lru_cache(maxsize=8)
def _known_weights(overlays: tuple[str, ...], vendors: VendorTable) -> dict[tuple[str, str], str]:
    """(lower-cased vendor, name key) -> Hub repo, for matching a provider's spelling of a model's name."""
    index: dict[tuple[str, str], str] = {}
    for hub in _known(overlays):
        if "/" in hub:
            org, name = hub.split("/", 1)
            vendor = vendors.vendor_of(hub)[0] or org
            index.setdefault((vendor.lower(), hosting.name_key(name)), hub)
    return index
