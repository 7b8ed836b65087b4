"""The Hugging Face Hub client: ``HfApi.model_info`` through the real ``huggingface_hub`` client.

Shared by the Hub resolver plugin (:mod:`model_risk.resolve.hub`), the cache and the alternatives lookups,
so it is not a plugin itself.

``model_info`` does not retry on its own, so this module does: 429 and 5xx answers, timeouts, network
errors and garbled bodies are retried with exponential backoff (honouring ``Retry-After``) a bounded
number of times, and never past the scan's deadline. After several transport failures in a row (or
several lookups in a row that still got 5xx after retrying) the Hub is treated as down for the rest of
the scan, so a Hub that hangs costs one timeout, not one per model, and a Hub answering 503 to
everything is not asked again for every model. Every failure ends as facts with a status and a reason;
nothing raises.
"""

from __future__ import annotations

import os
import random
import re
import socket
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit

from model_risk.contract.domain import ModelFacts, ModelStatus
from model_risk.contract.resolver import ModelRequest, ResolveContext
from model_risk.knowledge import formats
from model_risk.knowledge.facts import build_facts
from model_risk.knowledge.hub_ids import LEGACY_ID, REPO_ID, repo_id_from

#: Only the properties model-risk reads: skips spaces, widget data and eval results. (The author is
#: the namespace of the canonical id, which every answer carries.)
EXPAND = ["sha", "gated", "disabled", "cardData", "siblings", "tags", "downloads", "likes", "createdAt",
          "lastModified", "library_name", "pipeline_tag", "config", "safetensors"]

#: Signs of an outage in a row (see fetch) after which the Hub is considered down for this scan.
CIRCUIT_BREAKER_FAILURES = 4

_TRANSPORT_ERRORS = {"TimeoutException", "ReadTimeout", "ConnectTimeout", "NetworkError", "ConnectError",
                     "RemoteProtocolError", "TransportError", "ProtocolError"}


_requests_lock = threading.Lock()
_requests_sent = 0


def requests_sent() -> int:
    """HTTP requests this process has sent to the Hub so far (lookups, retries, list pages)."""
    return _requests_sent


def _count_request(_request: Any) -> None:
    global _requests_sent
    with _requests_lock:
        _requests_sent += 1


class HubState:
    """Shared by the lookups of one scan: the client, the circuit breaker and the deadline."""

    def __init__(self, context: ResolveContext) -> None:
        self.settings = context.hub
        self.deadline = time.monotonic() + context.hub.deadline
        self._lock = threading.Lock()
        self._consecutive_failures = 0
        self._api: Any = None
        self._authenticated: bool | None = None
        self._resolves: bool | None = None
        self._gave_up = False

    def api(self) -> Any:
        with self._lock:
            if self._api is None:
                # No telemetry side requests: a security tool should only ask what it needs.
                os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
                from huggingface_hub import HfApi

                from model_risk.resolve import answer_limit

                answer_limit.install(_count_request)

                self._api = HfApi(endpoint=self.settings.endpoint, library_name="model-risk")
            return self._api

    def authenticated(self) -> bool:
        """Whether the client sends a token (HF_TOKEN, a saved login ...). Only whether: the token
        itself is never kept."""
        self.api()  # the import, with telemetry off
        with self._lock:
            if self._authenticated is None:
                from huggingface_hub.utils import get_token

                try:
                    self._authenticated = get_token() is not None
                except Exception:  # a failed OIDC exchange: the requests will say why
                    self._authenticated = False
            return self._authenticated

    @property
    def down(self) -> bool:
        return self._consecutive_failures >= CIRCUIT_BREAKER_FAILURES

    @property
    def failing(self) -> bool:
        """A request gave up on the Hub (no answer, or still a 5xx, after its retries) and none has been
        answered since: a sign the Hub is down. A failure that is still being retried does not count:
        read by concurrent lookups, it made them give up on a Hub that answered the retry."""
        return self._gave_up or self.down

    def record(self, outage: bool, *, final: bool = True) -> None:
        """Count a sign that the Hub is down (or reset the count on any answer that says otherwise);
        ``final``: the request gives up with it (else it is retried)."""
        with self._lock:
            if outage:
                self._consecutive_failures += 1
                self._gave_up = self._gave_up or final
            else:
                self._consecutive_failures = 0
                self._gave_up = False

    def give_up(self) -> None:
        """A request gave up after its retries (see :attr:`failing`)."""
        with self._lock:
            self._gave_up = True

    def count(self, failure: Failure) -> None:
        """Count a failed request of any kind other than a model lookup (listings, files, variants)."""
        if failure.kind == "unreachable":
            self.unreachable()
        else:
            self.record(failure.kind in ("transport", "server"))

    def reachable(self) -> bool:
        """Whether the Hub's host name resolves (asked once per scan; see :func:`host_resolves`). When it
        does not, the Hub is down for this scan at once: no lookup, listing or retry waits for it."""
        with self._lock:
            if self._resolves is None:
                self._resolves = host_resolves(self.settings.endpoint)
        if not self._resolves:
            self.unreachable()
        return self._resolves

    def unreachable(self) -> None:
        """The Hub cannot be reached at all in this scan (its host name does not resolve): down at once."""
        with self._lock:
            self._consecutive_failures = max(self._consecutive_failures, CIRCUIT_BREAKER_FAILURES)


def state_for(context: ResolveContext) -> HubState:
    state = context.stash.get("hub")
    if state is None:
        # dict.setdefault is atomic: concurrent first lookups agree on one state.
        state = context.stash.setdefault("hub", HubState(context))
    assert isinstance(state, HubState)
    return state


class NoAnswerInTime(Exception):
    """A call given up at its deadline (see :func:`within`)."""


def within(deadline: float, call: Any, name: str = "model-risk-hub") -> Any:
    """``call()`` on a daemon thread, given up at ``deadline`` (raising :class:`NoAnswerInTime`):
    huggingface_hub retries list pages itself (up to ~23 s of backoff on a 5xx, honouring
    ``Retry-After`` on a 429), and the scan must not wait on that past its budget."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except BaseException as exc:  # handed to the caller below
            outcome["error"] = exc

    worker = threading.Thread(target=run, name=name, daemon=True)
    worker.start()
    worker.join(max(0.0, deadline - time.monotonic()))
    if worker.is_alive():
        raise NoAnswerInTime
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _unresolved(request: ModelRequest, context: ResolveContext, reason: str) -> ModelFacts:
    return build_facts(model_id=request.model_id, status=ModelStatus.UNRESOLVED, vendors=context.vendors,
                       source="hub", reason=reason, revision=request.revision)


def fetch(request: ModelRequest, context: ResolveContext, state: HubState) -> ModelFacts:
    settings = context.hub
    if not state.reachable():
        return _unresolved(request, context, "the Hub's host name does not resolve (no network, or check HF_ENDPOINT)")
    attempt = 0
    while True:
        if state.down:
            return _unresolved(request, context, "Hub unreachable (several requests in a row failed)")
        if time.monotonic() > state.deadline:
            return _unresolved(request, context, "Hub did not answer before the scan's deadline")
        try:
            info = state.api().model_info(request.model_id, revision=request.revision,
                                          timeout=settings.timeout, expand=EXPAND)
        except Exception as exc:  # every failure becomes a status; see _classify
            failure = _classify(exc)
            if failure.kind == "unreachable":
                # No name, no Hub: retrying with backoff only made a commit without network wait
                # seconds for the same answer (every other lookup of the scan stops too).
                state.unreachable()
                return _unresolved(request, context, failure.reason)
            # Signs of an outage: a transport failure at once; a 5xx only once retrying did not help, so
            # that a passing error does not end the scan but a Hub answering 503 to all is not hammered.
            # A definite answer (404, 401 ...) shows the Hub is up.
            if failure.kind == "transport":
                state.record(True, final=False)
            elif failure.kind == "final":
                state.record(False)
            if failure.status is not None:
                return build_facts(model_id=request.model_id, status=failure.status, vendors=context.vendors,
                                   source="hub", reason=failure.reason, revision=request.revision,
                                   gated="manual" if failure.gated else False)
            if attempt >= settings.retries:
                if failure.kind == "server":
                    state.record(True)
                else:
                    state.give_up()
                attempts = attempt + 1
                return _unresolved(request, context, f"{failure.reason} (gave up after {attempts} "
                                                     f"attempt{'s' if attempts > 1 else ''})")
            wait = failure.retry_after if failure.retry_after is not None else settings.backoff * (2 ** attempt)
            if wait > settings.max_wait:
                state.give_up()
                return _unresolved(request, context, f"{failure.reason}; the Hub asks to wait {wait:.0f}s")
            if failure.retry_after is None:
                wait *= 1 + random.random() * 0.1  # jitter: concurrent retries do not arrive together
            if time.monotonic() + wait > state.deadline:
                state.give_up()
                return _unresolved(request, context, f"{failure.reason}; no time left before the scan's deadline")
            time.sleep(wait)
            attempt += 1
            continue
        state.record(False)
        try:
            return facts_from_info(info, request, context)
        except Exception as exc:  # a well-formed answer of the wrong shape
            return _unresolved(request, context, f"unexpected answer from the Hub ({exc.__class__.__name__})")


@dataclass(frozen=True)
class Failure:
    """What a failed ``model_info`` call means."""

    reason: str
    #: The lookup's final status; None when the failure may pass and is retried.
    status: ModelStatus | None = None
    #: ``transport`` (no HTTP answer), ``unreachable`` (the host name does not resolve), ``server`` (5xx),
    #: ``rate-limit`` (429), ``garbled`` or ``final``.
    kind: str = "final"
    retry_after: float | None = None
    gated: bool = False


def _final(status: ModelStatus, reason: str, *, gated: bool = False) -> Failure:
    return Failure(reason, status, gated=gated)


#: getaddrinfo's "no such name" answers (a resolver that could not be asked, EAI_AGAIN, may pass: not here).
_NO_SUCH_NAME = frozenset(code for code in (getattr(socket, "EAI_NONAME", None), getattr(socket, "EAI_NODATA", None))
                          if code is not None)


#: Set, a proxy resolves the Hub's name: a local lookup that fails says nothing.
_PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")
#: The most a name lookup may take before the requests are left to find out for themselves.
NAME_LOOKUP_TIMEOUT = 3.0


def host_resolves(endpoint: str) -> bool:
    """Whether ``endpoint``'s host name resolves. Only a definite "no such name" says no: with a proxy
    configured, an address for a host, a lookup that fails otherwise or takes too long, the requests
    are sent and say what is wrong themselves. (huggingface_hub retries a listing on network errors
    for about 20 s, which a commit made without network waited out twice.)"""
    if any(os.environ.get(name) for name in _PROXY_VARIABLES):
        return True
    try:
        parts = urlsplit(endpoint)
        host, port = parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return True
    if not host:
        return True
    try:
        within(time.monotonic() + NAME_LOOKUP_TIMEOUT,
               lambda: socket.getaddrinfo(host, port, type=socket.SOCK_STREAM), "model-risk-name-lookup")
    except socket.gaierror as exc:
        return exc.errno not in _NO_SUCH_NAME
    except (NoAnswerInTime, OSError, UnicodeError):
        return True
    return True


def _host_unknown(exc: BaseException) -> bool:
    """Whether ``exc`` comes from a host name that does not resolve (httpx wraps the ``gaierror``)."""
    seen = 0
    current: BaseException | None = exc
    while current is not None and seen < 8:
        if isinstance(current, socket.gaierror) and current.errno in _NO_SUCH_NAME:
            return True
        current = current.__cause__ or current.__context__
        seen += 1
    return False


def _classify(exc: Exception) -> Failure:
    names = {cls.__name__ for cls in type(exc).__mro__}
    if "AnswerTooLarge" in names:
        from model_risk.resolve.answer_limit import MAX_ANSWER_BYTES

        return _final(ModelStatus.UNRESOLVED, f"the Hub's answer is larger than {MAX_ANSWER_BYTES // 2**20} MiB: "
                                              "not read")
    if "GatedRepoError" in names:  # a subclass of RepositoryNotFoundError: ask first
        return _final(ModelStatus.UNRESOLVED, "gated: the Hub withholds metadata without approved access", gated=True)
    if "RevisionNotFoundError" in names:
        return _final(ModelStatus.REVISION_NOT_FOUND, "revision not found on the Hub")
    if "DisabledRepoError" in names:
        return _final(ModelStatus.DISABLED, "repository disabled on the Hub")
    if "RepositoryNotFoundError" in names:
        return _final(ModelStatus.NOT_FOUND, "repository not found on the Hub (deleted, private or never existed)")
    if "HFValidationError" in names:
        return _final(ModelStatus.UNRESOLVED, "not a valid Hub repo id")
    if "OfflineModeIsEnabled" in names:
        return _final(ModelStatus.UNRESOLVED, "offline: HF_HUB_OFFLINE is set")
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    if isinstance(status, int):
        if status == 429:
            return Failure("rate limited by the Hub (HTTP 429)", kind="rate-limit", retry_after=_retry_after(response))
        if status >= 500:
            return Failure(f"Hub server error (HTTP {status})", kind="server", retry_after=_retry_after(response))
        if status == 401:
            return _final(ModelStatus.UNRESOLVED, "unauthorised (HTTP 401): check HF_TOKEN")
        if status == 403:
            return _final(ModelStatus.UNRESOLVED, "forbidden (HTTP 403)")
        return _final(ModelStatus.UNRESOLVED, f"Hub answered HTTP {status}")
    if names & {"InvalidURL", "UnsupportedProtocol"}:
        return _final(ModelStatus.UNRESOLVED, "the Hub's URL is not usable (check HF_ENDPOINT)")
    if "TooManyRedirects" in names:
        return _final(ModelStatus.UNRESOLVED, "the Hub's redirects loop (too many redirects)")
    if _host_unknown(exc):
        return Failure("the Hub's host name does not resolve (no network, or check HF_ENDPOINT)", kind="unreachable")
    if names & _TRANSPORT_ERRORS or isinstance(exc, (TimeoutError, ConnectionError)):
        what = "timed out" if any("Timeout" in n for n in names) else "network error"
        return Failure(f"Hub request {what}", kind="transport")
    if isinstance(exc, ValueError) and names & {"JSONDecodeError", "UnicodeDecodeError"}:
        # JSON that does not parse: a truncated body or a proxy's error page served as 200. Both are
        # usually passing faults, so they are retried like a 5xx.
        return Failure("garbled answer from the Hub (not valid JSON)", kind="garbled")
    if isinstance(exc, ValueError):
        # Valid JSON with a value the client cannot read (a date that is no date): say which.
        from model_risk.contract.errors import excerpt

        return _final(ModelStatus.UNRESOLVED, f"unexpected answer from the Hub: {excerpt(str(exc), 120)}")
    if isinstance(exc, (TypeError, KeyError, AttributeError)):
        # Valid JSON of the wrong shape: huggingface_hub could not build a ModelInfo from it.
        return _final(ModelStatus.UNRESOLVED, f"unexpected answer from the Hub ({exc.__class__.__name__})")
    return _final(ModelStatus.UNRESOLVED, f"Hub lookup failed ({exc.__class__.__name__})")


def _retry_after(response: Any) -> float | None:
    headers = getattr(response, "headers", None) or {}
    value = headers.get("Retry-After")
    if value is not None:
        try:
            return max(0.0, float(value))
        except ValueError:
            return None  # an HTTP-date: fall back to our own backoff
    rate = headers.get("RateLimit")  # "api";r=0;t=55
    if rate and ";r=0" in rate.replace(" ", ""):
        for part in rate.split(";"):
            if part.strip().startswith("t="):
                try:
                    return float(part.strip()[2:]) + 1
                except ValueError:
                    return None
    return None


def _iso(value: object) -> str | None:
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    return str(value) if value else None


def _base_models(card: dict[str, Any], tags: list[str], own_ids: set[str]) -> tuple[list[str], str | None]:
    """Base models from the card's ``base_model`` (a string or a list) and the Hub's ``base_model:`` tags,
    with the relation: the card's ``base_model_relation``, else the Hub's tag, else ``merge`` for a list."""
    declared = card.get("base_model")
    from_card = [declared] if isinstance(declared, str) else list(declared) if isinstance(declared, list) else []
    from_tags: list[str] = []
    tag_relation = None
    for tag in tags:
        parts = tag.split(":")
        if parts[0] != "base_model" or len(parts) not in (2, 3):
            continue
        if len(parts) == 3:
            tag_relation = tag_relation or parts[1]
        from_tags.append(parts[-1])
    bases: dict[str, str] = {}  # lower-cased -> first spelling seen
    for value in from_card + from_tags:
        base = repo_id_from(value)
        if base is not None and base.lower() not in own_ids:  # a card naming itself is no lineage
            bases.setdefault(base.lower(), base)
    relation = _text(card.get("base_model_relation")) or tag_relation
    if relation is None and len(from_card) > 1:
        relation = "merge"  # the Hub's own reading of a list of base models
    return list(bases.values()), str(relation) if bases and relation else None


def _license_link(link: object, model_id: str, revision: str | None, endpoint: str) -> str | None:
    """Cards may link a file in the repo (``license_link: LICENSE``): make it a URL a reader can open."""
    text = (_text(link) or "").strip()
    if not text:
        return None
    scheme = re.match(r"^([a-z][a-z0-9+.-]*):", text, re.IGNORECASE)
    if scheme:  # an absolute link: keep web links only (never javascript:, data:, file: ...)
        return text if scheme.group(1).lower() in ("http", "https") else None
    return f"{endpoint}/{model_id}/blob/{quote(revision or 'main', safe='')}/{text.lstrip('./')}"


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _texts(value: object) -> list[str]:
    """A card field that may be one value or a list of them (``language``, ``datasets``, ``license``)."""
    values = value if isinstance(value, list) else [value]
    return [text for text in map(_text, values) if text]


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _answered_id(answered: object, request: ModelRequest) -> str:
    """The canonical id the Hub answered with, when it has the grammar of one (and no ``..``); else the
    id asked for: an answer's ``id`` becomes the model's name in every report, and a link's path."""
    text = answered if isinstance(answered, str) else ""
    if (REPO_ID.fullmatch(text) or LEGACY_ID.fullmatch(text)) and ".." not in text:
        return text
    return request.model_id


def facts_from_info(info: Any, request: ModelRequest, context: ResolveContext) -> ModelFacts:
    # Model cards are hand-written YAML: any field may hold a type it should not. One odd field costs
    # that field, never the model.
    card_data = getattr(info, "card_data", None)
    card: dict[str, Any] = card_data.to_dict() if card_data is not None else {}
    tags = [str(t) for t in (getattr(info, "tags", None) or [])]
    licenses_declared = _texts(card.get("license"))
    if not licenses_declared:
        licenses_declared = [t.split(":", 1)[1] for t in tags if t.startswith("license:")][:1]
    siblings = [s.rfilename for s in (getattr(info, "siblings", None) or [])]
    model_id = _answered_id(getattr(info, "id", None), request)
    bases, relation = _base_models(card, tags, {model_id.lower(), request.model_id.lower()})
    config = getattr(info, "config", None)
    config = config if isinstance(config, dict) else {}
    safetensors = getattr(info, "safetensors", None)
    card_fields: dict[str, object] = {}
    if _texts(config.get("architectures")):
        card_fields["architectures"] = _texts(config["architectures"])
    if _text(config.get("model_type")):
        card_fields["model_type"] = _text(config["model_type"])
    if _texts(card.get("language")):
        card_fields["languages"] = _texts(card["language"])
    if _texts(card.get("datasets")):
        card_fields["datasets"] = _texts(card["datasets"])
    if _count(total := getattr(safetensors, "total", None)):
        card_fields["parameters"] = total
    redirected = [request.model_id] if model_id.lower() != request.model_id.lower() else []
    status = ModelStatus.DISABLED if getattr(info, "disabled", False) else ModelStatus.RESOLVED
    gated = getattr(info, "gated", False)
    return build_facts(
        model_id=model_id, status=status, vendors=context.vendors, source="hub",
        reason="repository disabled on the Hub" if status is ModelStatus.DISABLED else None,
        revision=request.revision, author=_text(getattr(info, "author", None)),
        license_id=licenses_declared[0] if len(licenses_declared) == 1 else licenses_declared or None,
        license_name=_text(card.get("license_name")),
        license_link=_license_link(card.get("license_link"), model_id, request.revision,
                                   context.hub.public_endpoint),
        gated=gated if gated in ("auto", "manual", True) else False, sha=_text(getattr(info, "sha", None)),
        formats=formats.weight_formats(siblings), base_models=bases, base_relation=relation,
        downloads=_count(getattr(info, "downloads", None)), likes=_count(getattr(info, "likes", None)),
        created_at=_iso(getattr(info, "created_at", None)),
        last_modified=_iso(getattr(info, "last_modified", None)),
        library_name=_text(getattr(info, "library_name", None)),
        pipeline_tag=_text(getattr(info, "pipeline_tag", None)),
        custom_code="custom_code" in tags, card=card_fields, redirected_from=redirected,
    )
