"""Hosting providers that serve published open weights through their own API (``data/hosting.yaml``): how
a file shows it uses one, what their model ids look like, and which weights an id serves."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from model_risk.knowledge import catalog, hub_ids

#: The forms of provider ids (see data/hosting.yaml).
FORMS = ("hub", "publisher", "bedrock", "fireworks", "cloudflare", "vertex", "catalog")
_FIREWORKS = re.compile(r"accounts/([a-z0-9][a-z0-9\-]{0,62})/models/([a-z0-9][a-z0-9_.\-]{0,127})")
_CLOUDFLARE = re.compile(r"@(?:cf|hf)/([a-z0-9][a-z0-9_.\-]{0,62})/([a-z0-9][a-z0-9_.\-]{0,127})", re.IGNORECASE)
_VERTEX_FULL = re.compile(r"publishers/([a-z0-9][a-z0-9\-]{0,62})/models/([a-z0-9][a-z0-9_.@\-]{0,127})")
_SLASHED = re.compile(r"([A-Za-z0-9][\w.\-]{0,95})/([A-Za-z0-9][\w.\-]{0,95})(?::([a-z0-9][a-z0-9\-]{0,40}))?")
#: ``[region.]publisher.model[-vN][:M]``.
_BEDROCK = re.compile(r"(?:([a-z]{2,6}(?:-[a-z]{2,4})?)\.)?([a-z0-9]{2,20})\.([a-z0-9][a-z0-9.\-]{1,120}?)(?::(\d{1,3}))?")
_BEDROCK_VERSION = re.compile(r"-v\d{1,2}(?::\d{1,3})?$|-\d{1,2}:\d{1,3}$|:\d{1,3}$")
_CATALOG = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{1,127}")


@dataclass(frozen=True)
class Provider:
    name: str
    source: str
    ids: str
    hosts: tuple[str, ...] = ()
    env: tuple[str, ...] = ()
    clients: tuple[str, ...] = ()
    markers: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()
    #: Serving suffixes after a Hub id (``-Turbo``): removed to find the weights.
    strip: tuple[str, ...] = ()
    #: Bedrock's cross-Region geographies (``us.``, ``global.``).
    regions: tuple[str, ...] = ()
    #: Hugging Face's router: ``:provider`` suffixes.
    routes: tuple[str, ...] = ()
    #: Bedrock: the publishers its ``publisher.model`` ids start with.
    publishers: tuple[str, ...] = ()
    #: Lower-cased provider id -> (Hub repo of the weights, source).
    models: dict[str, tuple[str, str]] = field(default_factory=dict, compare=False, hash=False)

    def model_id(self, text: str) -> str | None:
        """``text`` as this provider's model id (a Bedrock region kept), or None when it has another form."""
        value = text.strip()
        if not value or len(value) > 250:
            return None
        if value.lower() in self.models:
            return value
        form = self.ids
        if form == "hub":
            match = _SLASHED.fullmatch(value)
            if match is None:
                return None
            route = match.group(3)
            if route is not None and route not in self.routes:
                return None
            return value if hub_ids.is_repo_id(f"{match.group(1)}/{match.group(2)}") else None
        if form == "publisher":
            match = _SLASHED.fullmatch(value)
            return value if match is not None and "/" in value else None
        if form == "bedrock":
            match = _BEDROCK.fullmatch(value)
            if match is None or (match.group(1) and match.group(1) not in self.regions) \
                    or match.group(2) not in self.publishers:
                return None
            return value
        if form == "fireworks":
            return value if _FIREWORKS.fullmatch(value) else None
        if form == "cloudflare":
            return value if _CLOUDFLARE.fullmatch(value) else None
        if form == "vertex":
            if _VERTEX_FULL.fullmatch(value):
                return value
            match = _SLASHED.fullmatch(value)
            return value if match is not None and value.lower().endswith("-maas") else None
        if form == "catalog":
            # The provider's own names: those listed, and `publisher/model` ids next to them (Groq).
            match = _SLASHED.fullmatch(value)
            return value if match is not None else None
        return None

    def publisher(self, model_id: str) -> str | None:
        """The publisher name an id starts with (``qwen`` in ``qwen/qwen3-32b``, ``meta`` in
        ``us.meta.llama3-3-70b-instruct-v1:0``)."""
        value = model_id.strip()
        for pattern, group in ((_FIREWORKS, None), (_CLOUDFLARE, 1), (_VERTEX_FULL, 1)):
            match = pattern.fullmatch(value)
            if match is not None:
                return match.group(group) if group else None
        if self.ids == "bedrock":
            match = _BEDROCK.fullmatch(value)
            return match.group(2) if match is not None else None
        match = _SLASHED.fullmatch(value)
        return match.group(1) if match is not None else None

    def model_name(self, model_id: str) -> str:
        """The model part of an id, without publisher, region, version or route (for matching names)."""
        value = model_id.strip()
        for pattern in (_FIREWORKS, _CLOUDFLARE, _VERTEX_FULL):
            match = pattern.fullmatch(value)
            if match is not None:
                return match.group(2)
        if self.ids == "bedrock":
            match = _BEDROCK.fullmatch(value)
            if match is not None:
                return _BEDROCK_VERSION.sub("", f"{match.group(3)}" + (f":{match.group(4)}" if match.group(4) else ""))
        match = _SLASHED.fullmatch(value)
        return match.group(2) if match is not None else value


def providers() -> tuple[Provider, ...]:
    """The providers model-risk knows, with the knowledge overlays of this run applied."""
    return _providers(catalog.key())


def _tuple(spec: dict[str, Any], key: str) -> tuple[str, ...]:
    return tuple(str(v) for v in spec.get(key) or ())


@cache
def _providers(_overlays: tuple[str, ...]) -> tuple[Provider, ...]:
    specs: dict[str, dict[str, Any]] = {name: dict(spec) for name, spec in catalog.bundled("hosting")["providers"].items()}
    for _overlay, section in catalog.sections("hosting"):
        # An overlay adds a provider, or adds to one: lists are extended, models added or corrected.
        for name, spec in (section.get("providers") or {}).items():
            base = specs.setdefault(name, {"ids": spec.get("ids", "catalog")})
            for key, value in spec.items():
                if isinstance(value, list):
                    base[key] = [*(base.get(key) or ()), *value]
                elif isinstance(value, dict):
                    base[key] = {**(base.get(key) or {}), **value}
                else:
                    base[key] = value
    found = []
    for name, spec in specs.items():
        models = {str(k).lower(): (str(v["weights"]), str(v["source"])) for k, v in (spec.get("models") or {}).items()}
        found.append(Provider(
            name=str(name), source=str(spec.get("source", "")), ids=str(spec.get("ids", "catalog")),
            hosts=_tuple(spec, "hosts"), env=_tuple(spec, "env"), clients=_tuple(spec, "clients"),
            markers=_tuple(spec, "markers"), prefixes=tuple(p.lower() for p in _tuple(spec, "prefixes")),
            strip=_tuple(spec, "strip"), regions=_tuple(spec, "regions"), routes=_tuple(spec, "routes"),
            publishers=_tuple(spec, "publishers"), models=models))
    return tuple(found)


def provider(name: str) -> Provider | None:
    wanted = name.lower()
    return next((p for p in providers() if p.name.lower() == wanted), None)


def by_prefix(prefix: str) -> Provider | None:
    """The provider a routing prefix names (``together_ai`` in ``together_ai/Qwen/...``)."""
    wanted = prefix.lower()
    return next((p for p in providers() if wanted in p.prefixes), None)


def publisher_vendors() -> dict[str, str]:
    """Lower-cased publisher name providers write -> vendor (beyond the Hub organisations of vendors.yaml)."""
    return _publisher_vendors(catalog.key())


@cache
def _publisher_vendors(_overlays: tuple[str, ...]) -> dict[str, str]:
    found = {str(k).lower(): str(v) for k, v in (catalog.bundled("hosting").get("publishers") or {}).items()}
    for _overlay, section in catalog.sections("hosting"):
        found.update({str(k).lower(): str(v) for k, v in (section.get("publishers") or {}).items()})
    return found


@dataclass(frozen=True)
class ServedWeights:
    """Which weights a provider's id serves, as far as model-risk can tell."""

    #: The Hub repo, when known or guessed.
    hub: str | None
    #: ``table`` (a sourced entry), ``name`` (guessed from the id: the Hub must confirm it).
    origin: str
    source: str | None = None


def served_weights(provider: Provider, model_id: str) -> ServedWeights | None:
    """The weights ``model_id`` serves at ``provider`` by its table entry, or, for a provider whose ids are
    Hub ids, the id without its serving suffix (a guess the Hub must confirm)."""
    value = model_id.strip()
    entry = provider.models.get(value.lower())
    if entry is None and provider.ids == "bedrock":
        entry = provider.models.get(_without_region(value).lower())
    if entry is not None:
        return ServedWeights(entry[0], "table", entry[1])
    if provider.ids == "hub":
        match = _SLASHED.fullmatch(value)
        if match is None:
            return None
        name = match.group(2)
        for suffix in provider.strip:
            if name.lower().endswith(suffix.lower()) and len(name) > len(suffix):
                name = name[: -len(suffix)]
        return ServedWeights(f"{match.group(1)}/{name}", "name")
    return None


def _without_region(value: str) -> str:
    match = _BEDROCK.fullmatch(value)
    if match is None or not match.group(1):
        return value
    return value[len(match.group(1)) + 1:]


_VERSION_POINT = re.compile(r"(?<=\d)p(?=\d)")
_SERVING = re.compile(r"(?:-(?:maas|fp8|fp16|bf16|fast|awq|int8|instant|versatile|turbo|tput|hf))+$|:[a-z\-]+$",
                      re.IGNORECASE)


_VERSION_V = re.compile(r"(?<![a-z])v(?=\d)")


def readable_name(name: str) -> str:
    """A provider's spelling of a model name with its version written the usual way: Fireworks'
    ``llama-v3p1-8b-instruct`` -> ``llama-3.1-8b-instruct``."""
    return _VERSION_V.sub("", _VERSION_POINT.sub(".", name.strip().lower()))


def name_key(name: str) -> str:
    """A model name reduced for matching across spellings: ``qwen-2.5-72b-instruct``, ``qwen2p5-72b-instruct``
    and ``Qwen2.5-72B-Instruct`` all give ``qwen2572binstruct``."""
    return re.sub(r"[^a-z0-9]", "", readable_name(_SERVING.sub("", name.strip())))
