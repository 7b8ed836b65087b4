"""A stand-in Hugging Face Hub on 127.0.0.1 that speaks the real wire format.

The real ``huggingface_hub`` client talks to it through ``HF_ENDPOINT``. It serves
``GET /api/models/{id}`` and ``GET /api/models/{id}/revision/{rev}`` (with ``expand=`` filtering), the list
endpoint ``GET /api/models``, repository files as ``hf_hub_download`` fetches them (``HEAD`` and ``GET
/{id}/resolve/{rev}/{file}``, with ``X-Repo-Commit``, ``ETag`` and ``Content-Length``; 404 ``EntryNotFound``
for a file the repository lacks, 401 ``GatedRepo`` for a gated repository's files), 307 redirects for
renamed repos, ``X-Error-Code``/``X-Error-Message`` errors, and, on demand, faults: any status with any
headers (429 + ``Retry-After``, 5xx), slow or hanging answers, truncated or garbled JSON, connections
closed mid-answer, and a Hub that goes down after a number of answers. Data comes from
``fixtures/hub-snapshot.json`` (realistic metadata of popular models; see the ``_source`` of each entry),
the config files of ``fixtures/hub-files.json``, and, for the tests that ask for them, more fixture files
(``fixture_models``); synthetic models are made with ``model(...)``. It logs every request path and
Authorization header. Used by the tests and the benchmarks.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

SNAPSHOT = Path(__file__).resolve().parents[1] / "fixtures" / "hub-snapshot.json"
#: Base models the snapshot names but does not hold.
SNAPSHOT_EXTRA = Path(__file__).resolve().parents[1] / "fixtures" / "hub-extra.json"
#: Parameter counts (safetensors metadata) for snapshot entries that lack them.
SNAPSHOT_SIZES = Path(__file__).resolve().parents[1] / "fixtures" / "hub-sizes.json"
#: Repository files (config.json, tokenizer_config.json ...) of snapshot entries, served under /resolve/.
SNAPSHOT_FILES = Path(__file__).resolve().parents[1] / "fixtures" / "hub-files.json"
#: The key of the list endpoint for fail(): ``hub.fail(LIST, Fault(...))``.
LIST = "/api/models"
#: The key of file downloads for fail(): ``hub.fail(FILES, Fault(...))``.
FILES = "/resolve"
_RESOLVE = re.compile(r"/(?P<id>[^/]+/[^/]+|[^/]+)/resolve/(?P<rev>[^/]+)/(?P<file>.+)")
#: Page size of the list endpoint when the request sets no limit (the real Hub pages too).
LIST_PAGE = 1000
#: Properties ``expand=`` accepts (``huggingface_hub``'s ExpandModelProperty_T); the list endpoint refuses
#: the ones only a single model's page computes (huggingface/huggingface_hub#3182).
EXPANDABLE = frozenset({
    "author", "baseModels", "cardData", "childrenModelCount", "config", "createdAt", "disabled", "downloads",
    "downloadsAllTime", "evalResults", "gated", "gguf", "inference", "inferenceProviderMapping", "lastModified",
    "library_name", "likes", "mask_token", "model-index", "pipeline_tag", "private", "resourceGroup",
    "safetensors", "sha", "siblings", "spaces", "tags", "transformersInfo", "trendingScore", "usedStorage",
    "widgetData"})
NOT_LISTABLE = frozenset({"baseModels", "childrenModelCount", "usedStorage"})
#: What a list item holds without ``expand`` or ``full`` (a shallow entry, as the Hub serves it).
LIST_DEFAULT_FIELDS = ("id", "likes", "trendingScore", "private", "downloads", "tags", "pipeline_tag",
                       "library_name", "createdAt", "modelId")
#: ``sort=`` values -> the entry field they sort on.
SORT_FIELDS = {"downloads": "downloads", "likes": "likes", "createdAt": "createdAt", "lastModified": "lastModified",
               "trendingScore": "trendingScore", "id": "id"}
COMMIT = re.compile(r"[0-9a-f]{40}")


def fake_sha(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def fixture_models(name: str) -> dict[str, dict[str, Any]]:
    """The models of one more fixture file (``tests/fixtures/NAME``), for the tests that need them:
    ``hub.models.update(fixture_models("hub-licensing.json"))``. Kept out of the default snapshot so that
    the list endpoint other tests search stays as it was."""
    raw = json.loads((SNAPSHOT.parent / name).read_text(encoding="utf-8"))
    files = json.loads(SNAPSHOT_FILES.read_text(encoding="utf-8"))
    models = {key: entry for key, entry in raw.items() if not key.startswith("_")}
    for key, entry in models.items():
        if key in files and "_files" not in entry:
            entry["_files"] = files[key]
    return models


def load_snapshot() -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """(models by id, redirects old id -> new id) from the snapshot, as the API would serve them."""
    raw = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    raw.update(json.loads(SNAPSHOT_EXTRA.read_text(encoding="utf-8")))
    sizes = json.loads(SNAPSHOT_SIZES.read_text(encoding="utf-8"))
    files = json.loads(SNAPSHOT_FILES.read_text(encoding="utf-8"))
    models: dict[str, dict[str, Any]] = {}
    redirects: dict[str, str] = {}
    for key, entry in raw.items():
        if key.startswith("_"):
            continue
        if "_redirect_to" in entry:
            redirects[key] = entry["_redirect_to"]
            continue
        if key in sizes and "safetensors" not in entry:
            entry["safetensors"] = {"parameters": {"BF16": sizes[key]}, "total": sizes[key]}
        if key in files and "_files" not in entry:
            entry["_files"] = files[key]
        models[key] = entry
    return models, redirects


@dataclass
class Fault:
    """One scripted answer. ``times``: how many requests it answers (None: every one)."""

    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    #: Seconds to wait before answering (a slow Hub). The wait ends early when the server stops.
    delay: float = 0.0
    #: "truncated": a complete HTTP answer whose JSON body is cut in half; "short": headers promise more
    #: body than is sent before the connection closes; "garbage": 200 with an HTML page; "close": drop
    #: the connection without answering; "hang": accept the request and never answer (until stop()).
    kind: str | None = None
    times: int | None = 1


def hang(times: int | None = None) -> Fault:
    """A Hub that accepts the connection and then says nothing."""
    return Fault(kind="hang", times=times)


def model(model_id: str, **fields: Any) -> dict[str, Any]:
    """A minimal API entry for a synthetic model, in the shape /api/models/{id} returns."""
    author = model_id.split("/", 1)[0]
    entry: dict[str, Any] = {
        "id": model_id, "modelId": model_id, "author": author, "private": False, "gated": False,
        "disabled": False, "downloads": 1000, "likes": 10, "tags": [], "cardData": {},
        "siblings": [{"rfilename": "config.json"}, {"rfilename": "model.safetensors"}],
        "createdAt": "2025-01-01T00:00:00.000Z", "lastModified": "2025-06-01T00:00:00.000Z",
    }
    license_id = fields.pop("license", None)
    if license_id:
        entry["cardData"]["license"] = license_id
        entry["tags"].append(f"license:{license_id}")
    base = fields.pop("base_model", None)
    if base:
        entry["cardData"]["base_model"] = base
    for key, value in fields.items():
        if key == "card":
            entry["cardData"].update(value)
        else:
            entry[key] = value
    return entry


class _Server(ThreadingHTTPServer):
    # The default backlog of 5 makes concurrent clients wait for SYN retransmits (a second each).
    request_queue_size = 256


class FakeHub:
    def __init__(self, models: dict[str, dict[str, Any]] | None = None,
                 redirects: dict[str, str] | None = None, *, latency: float = 0.0,
                 snapshot: bool = True) -> None:
        base_models, base_redirects = load_snapshot() if snapshot else ({}, {})
        self.models = {**base_models, **(models or {})}
        self.redirects = {**base_redirects, **(redirects or {})}
        self.latency = latency
        #: Most entries on one page of the list endpoint; more are behind a ``Link: rel="next"``.
        self.list_page = LIST_PAGE
        self.faults: dict[str, list[Fault]] = {}
        self.requests: list[str] = []
        self.authorization: list[str | None] = []
        self._lock = threading.Lock()
        #: Set by stop(): ends delays and hangs so no handler thread outlives the server.
        self._stopping = threading.Event()
        #: Model requests still answered before the Hub goes down (None: it stays up).
        self._answers_left: int | None = None
        self.down = False
        self._server: ThreadingHTTPServer | None = None
        self.url = ""
        #: (prefix, width, depth) of a lineage fan-out: see fan_out().
        self._fan_out: tuple[str, int, int] | None = None

    # -- control ---------------------------------------------------------------------------------
    def fail(self, model_id: str, *faults: Fault) -> None:
        """Answer the next requests for ``model_id`` with these faults, in order, then normally."""
        with self._lock:
            self.faults.setdefault(model_id, []).extend(faults)

    def fan_out(self, root: str, width: int, depth: int, **fields: Any) -> None:
        """A hostile Hub's lineage: ``root`` (``org/name``) and every model below it names ``width`` base
        models one generation deeper (``org/name-3``, ``org/name-3-17`` ...), down to ``depth``
        generations; 200 wide and 8 deep names 200**8 models, answered as they are asked for."""
        self._fan_out = (root, width, depth)
        self._fan_out_fields = fields

    def _generated(self, model_id: str) -> dict[str, Any] | None:
        if self._fan_out is None:
            return None
        root, width, depth = self._fan_out
        if model_id != root and not model_id.startswith(root + "-"):
            return None
        generation = model_id[len(root):].count("-")
        bases = [f"{model_id}-{i}" for i in range(width)] if generation < depth else []
        return model(model_id, base_model=bases or None, **copy.deepcopy(self._fan_out_fields))

    def fail_all(self, fault: Fault) -> None:
        with self._lock:
            self.faults["*"] = [fault]

    def clear_faults(self) -> None:
        with self._lock:
            self.faults.clear()

    def go_down_after(self, answers: int) -> None:
        """Answer ``answers`` more model requests, then go down: stop listening (new connections are
        refused) and drop every request that arrives on a connection already open."""
        with self._lock:
            self._answers_left = answers

    def _going_down(self) -> bool:
        """Count one model request against go_down_after(); True once the Hub is down."""
        with self._lock:
            if self.down:
                return True
            if self._answers_left is None:
                return False
            if self._answers_left > 0:
                self._answers_left -= 1
                return False
            self.down = True
        # Close the listener from another thread: shutdown() waits for serve_forever() to return.
        threading.Thread(target=self._close_listener, daemon=True).start()
        return True

    def _close_listener(self) -> None:
        server = self._server
        if server is not None:
            server.shutdown()
            server.server_close()

    def model_requests(self, model_id: str | None = None) -> list[str]:
        with self._lock:
            paths = [p for p in self.requests if p.startswith("/api/models/")]
        if model_id is None:
            return paths
        return [p for p in paths if urlsplit(p).path.startswith(f"/api/models/{model_id}")]

    def reset_log(self) -> None:
        with self._lock:
            self.requests.clear()
            self.authorization.clear()

    def _next_fault(self, model_id: str) -> Fault | None:
        with self._lock:
            for key in (model_id, "*"):
                queue = self.faults.get(key)
                if queue:
                    fault = queue[0]
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            queue.pop(0)
                    return fault
        return None

    # -- server ----------------------------------------------------------------------------------
    def start(self) -> FakeHub:
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in separate writes: without this, Nagle's algorithm and the
            # client's delayed ACK add ~40 ms to every answer, which the real Hub does not.
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:  # silence the default stderr log
                pass

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                with hub._lock:
                    hub.requests.append(self.path)
                    hub.authorization.append(self.headers.get("authorization"))
                try:
                    hub._handle(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def do_HEAD(self) -> None:  # noqa: N802 (hf_hub_download asks for a file's metadata first)
                with hub._lock:
                    hub.requests.append(f"HEAD {self.path}")
                    hub.authorization.append(self.headers.get("authorization"))
                try:
                    hub._handle(self, head=True)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                         daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None and not self.down:
            self._server.shutdown()
            self._server.server_close()
        self._server = None

    def __enter__(self) -> FakeHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- answering ---------------------------------------------------------------------------------
    def _send(self, handler: BaseHTTPRequestHandler, status: int, body: bytes,
              headers: dict[str, str] | None = None, content_type: str = "application/json",
              head: bool = False) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.send_header("X-Request-Id", fake_sha(str(time.time()))[:16])
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        handler.end_headers()
        if not head:
            handler.wfile.write(body)

    @staticmethod
    def _drop(handler: BaseHTTPRequestHandler) -> None:
        handler.close_connection = True
        try:
            handler.connection.shutdown(2)
        except OSError:
            pass

    def _error(self, handler: BaseHTTPRequestHandler, status: int, code: str | None, message: str,
               extra: dict[str, str] | None = None, head: bool = False) -> None:
        headers = {"X-Error-Message": message, **(extra or {})}
        if code:
            headers["X-Error-Code"] = code
        self._send(handler, status, json.dumps({"error": message}).encode(), headers, head=head)

    def _handle(self, handler: BaseHTTPRequestHandler, head: bool = False) -> None:
        url = urlsplit(handler.path)
        path = unquote(url.path)
        query = parse_qs(url.query)
        if path == "/api/agent-harnesses":
            self._error(handler, 404, None, "Not Found")
            return
        if path == LIST:
            self._list(handler, query)
            return
        if not url.path.startswith("/api/") and (resolved := _RESOLVE.fullmatch(url.path)) is not None:
            self._file(handler, unquote(resolved.group("id")), unquote(resolved.group("rev")),
                       unquote(resolved.group("file")), head)
            return
        match = re.fullmatch(r"/api/models/(?P<id>[^/]+(?:/[^/]+)?)(?:/revision/(?P<rev>.+))?", path)
        if match is None:
            self._error(handler, 404, None, "Not Found")
            return
        model_id, revision = match.group("id"), match.group("rev")
        if self._going_down():
            self._drop(handler)
            return
        if self.latency:
            self._stopping.wait(self.latency)
        fault = self._next_fault(model_id)
        if fault is not None:
            body = json.dumps(self.models.get(model_id, {"id": model_id})).encode()
            if self._answer_fault(handler, fault, body):
                return
        if model_id in self.redirects:
            target = f"/api/models/{self.redirects[model_id]}"
            if revision:
                target += f"/revision/{revision}"
            body = f"Temporary Redirect. Redirecting to {target}".encode()
            self._send(handler, 307, body, {"Location": target}, content_type="text/plain; charset=utf-8")
            return
        entry = self.models.get(model_id) or self._generated(model_id)
        if entry is None:
            self._error(handler, 401, "RepoNotFound", "Repository not found")
            return
        status = entry.get("_status")
        if status == "disabled":
            self._error(handler, 403, None, "Access to this resource is disabled.")
            return
        if status == "gone":
            self._error(handler, 404, "RepoNotFound", "Repository not found")
            return
        document = {k: copy.deepcopy(v) for k, v in entry.items() if not k.startswith("_") or k == "_id"}
        document.setdefault("_id", fake_sha(model_id)[:24])
        document.setdefault("modelId", document.get("id", model_id))
        if revision and revision != "main":
            known = set(entry.get("_known_commits") or ()) | ({document["sha"]} if document.get("sha") else set())
            if revision not in known:
                self._error(handler, 404, "RevisionNotFound", f"Invalid rev id: {revision}")
                return
            document["sha"] = revision
        expand = query.get("expand")
        if expand:
            document = {k: v for k, v in document.items() if k in set(expand) | {"_id", "id"}}
        self._send(handler, 200, json.dumps(document).encode())

    # -- repository files --------------------------------------------------------------------------
    def file_requests(self) -> list[str]:
        with self._lock:
            return [p for p in self.requests if "/resolve/" in p]

    def _file(self, handler: BaseHTTPRequestHandler, model_id: str, revision: str, filename: str,
              head: bool) -> None:
        """``/{id}/resolve/{rev}/{file}`` as the Hub answers it for a small (non-LFS) file: the content with
        its commit (``X-Repo-Commit``) and git blob id (``ETag``); errors with the codes the client maps."""
        if self._going_down():
            self._drop(handler)
            return
        if self.latency:
            self._stopping.wait(self.latency)
        fault = self._next_fault(FILES)
        if fault is not None and self._answer_fault(handler, fault, b'{"architectures": ["X"]}'):
            return
        if model_id in self.redirects:
            target = f"/{self.redirects[model_id]}/resolve/{quote(revision, safe='')}/{quote(filename)}"
            self._send(handler, 307, f"Temporary Redirect. Redirecting to {target}".encode(), {"Location": target},
                       content_type="text/plain; charset=utf-8", head=head)
            return
        entry = self.models.get(model_id)
        if entry is None or entry.get("_status") == "gone" or entry.get("private"):
            self._error(handler, 401, "RepoNotFound", "Repository not found", head=head)
            return
        if entry.get("_status") == "disabled":
            self._error(handler, 403, None, "Access to this resource is disabled.", head=head)
            return
        if entry.get("gated") not in (False, None) and not handler.headers.get("authorization"):
            self._error(handler, 401, "GatedRepo", f"Access to model {model_id} is restricted. You must have "
                                                   "access to it and be authenticated to access it. Please log in.",
                        head=head)
            return
        commit = entry.get("sha") or fake_sha(f"{model_id}@main")
        if revision != "main":
            known = set(entry.get("_known_commits") or ()) | {commit}
            if revision not in known:
                self._error(handler, 404, "RevisionNotFound", f"Invalid rev id: {revision}", head=head)
                return
            commit = revision
        files = entry.get("_files") or {}
        if filename not in files:
            self._error(handler, 404, "EntryNotFound", f"{filename} does not exist on \"{revision}\"",
                        {"X-Repo-Commit": commit}, head=head)
            return
        content = files[filename]
        body = (content if isinstance(content, str) else json.dumps(content, indent=2)).encode()
        blob = hashlib.sha1(b"blob %d\0" % len(body) + body).hexdigest()
        self._send(handler, 200, body, {"X-Repo-Commit": commit, "ETag": f'"{blob}"', "Accept-Ranges": "bytes"},
                   content_type="text/plain; charset=utf-8", head=head)

    # -- the list endpoint ---------------------------------------------------------------------------
    def list_requests(self) -> list[str]:
        with self._lock:
            return [p for p in self.requests if urlsplit(p).path == LIST]

    def _list(self, handler: BaseHTTPRequestHandler, query: dict[str, list[str]]) -> None:
        """``GET /api/models``: filter, sort, page and shape the entries as the Hub does (see
        hub-facts.md §1.3 and the hub-docs API page: search, author, filter, pipeline_tag,
        num_parameters, gated, sort, direction, limit, expand, full, config, cardData, cursor)."""
        if self._going_down():
            self._drop(handler)
            return
        if self.latency:
            self._stopping.wait(self.latency)
        fault = self._next_fault(LIST)
        if fault is not None and self._answer_fault(handler, fault, json.dumps([{"id": "a/b"}] * 8).encode()):
            return
        expand = query.get("expand") or []
        bad = [e for e in expand if e not in EXPANDABLE or e in NOT_LISTABLE]
        if bad:
            self._error(handler, 400, None, f"Invalid expand value(s): {', '.join(bad)}")
            return
        try:
            entries = [e for e in self.models.values() if _listed(e, query)]
        except ValueError as exc:
            self._error(handler, 400, None, str(exc))
            return
        sort = (query.get("sort") or [None])[0]
        if sort is not None:
            if sort not in SORT_FIELDS:
                self._error(handler, 400, None, f"Invalid sort: {sort}")
                return
            # The Hub sorts descending unless direction=1 is asked for.
            descending = (query.get("direction") or ["-1"])[0] != "1"
            field_name = SORT_FIELDS[sort]
            entries.sort(key=lambda e: (e.get(field_name) is not None, e.get(field_name) or 0), reverse=descending)
        try:
            limit = min(int((query.get("limit") or [self.list_page])[0]), self.list_page)
            offset = int((query.get("cursor") or ["0"])[0])
        except ValueError:
            self._error(handler, 400, None, "Invalid limit or cursor")
            return
        page = entries[offset:offset + limit]
        full = (query.get("full") or ["false"])[0] == "true"
        items = [self._list_item(e, expand, full, query) for e in page]
        headers = {}
        if offset + limit < len(entries):
            params = [(k, v) for k, values in query.items() if k != "cursor" for v in values]
            params.append(("cursor", str(offset + limit)))
            headers["Link"] = f'<{self.url}{LIST}?{urlencode(params)}>; rel="next"'
        self._send(handler, 200, json.dumps(items).encode(), headers)

    @staticmethod
    def _list_item(entry: dict[str, Any], expand: list[str], full: bool, query: dict[str, list[str]]
                   ) -> dict[str, Any]:
        document = {k: copy.deepcopy(v) for k, v in entry.items() if not k.startswith("_")}
        document["_id"] = fake_sha(entry["id"])[:24]
        document.setdefault("modelId", entry["id"])
        if expand:
            wanted = set(expand) | {"_id", "id"}
        elif full:
            wanted = set(document) - {"cardData", "config"}
        else:
            wanted = {"_id", *LIST_DEFAULT_FIELDS}
        if (query.get("cardData") or ["false"])[0] == "true":
            wanted.add("cardData")
        if (query.get("config") or ["false"])[0] == "true":
            wanted.add("config")
        return {k: v for k, v in document.items() if k in wanted}

    def _answer_fault(self, handler: BaseHTTPRequestHandler, fault: Fault, body: bytes) -> bool:
        """Answer with ``fault`` (``body``: the answer it spoils); False when the fault lets the normal
        answer through (a delay, or status 200)."""
        if fault.delay:
            self._stopping.wait(fault.delay)
        if fault.kind == "hang":
            self._stopping.wait()
            self._drop(handler)
            return True
        if fault.kind == "close":
            self._drop(handler)
            return True
        if fault.kind == "truncated":
            self._send(handler, 200, body[:40])
            return True
        if fault.kind == "short":
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body[: len(body) // 2])
            handler.wfile.flush()
            self._drop(handler)
            return True
        if fault.kind == "garbage":
            self._send(handler, 200, b"<html>upstream proxy error</html>", content_type="text/html")
            return True
        if fault.kind is None and (fault.status != 200 or fault.body is not None):
            self._send(handler, fault.status, fault.body or json.dumps({"error": "fault"}).encode(), fault.headers)
            return True
        return False


_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([KMBT]?)", re.IGNORECASE)
_SIZE_UNITS = {"": 1, "k": 10**3, "m": 10**6, "b": 10**9, "t": 10**12}


def _parameters(text: str) -> float:
    match = _SIZE.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"Invalid num_parameters value: {text}")
    return float(match.group(1)) * _SIZE_UNITS[match.group(2).lower()]


def _listed(entry: dict[str, Any], query: dict[str, list[str]]) -> bool:
    """Whether the list endpoint returns ``entry`` for these query parameters (all must hold)."""
    if entry.get("_status") in ("gone", "disabled") or entry.get("private"):
        return False
    model_id = entry["id"]
    tags = set(entry.get("tags") or ())
    # A filter value matches a tag, the pipeline tag or the library (the Hub indexes all three as tags).
    facets = tags | {entry.get("pipeline_tag"), entry.get("library_name")}
    if not all(f in facets for f in query.get("filter", ())):
        return False
    author = (query.get("author") or [None])[0]
    if author is not None and model_id.split("/", 1)[0].lower() != author.lower():
        return False
    search = (query.get("search") or [None])[0]
    if search is not None and search.lower() not in model_id.lower():
        return False
    pipeline = (query.get("pipeline_tag") or [None])[0]
    if pipeline is not None and entry.get("pipeline_tag") != pipeline:
        return False
    gated = (query.get("gated") or [None])[0]
    if gated is not None and (entry.get("gated") not in (False, None)) is not (gated == "true"):
        return False
    size = (query.get("num_parameters") or [None])[0]
    if size is not None:
        total = (entry.get("safetensors") or {}).get("total")
        if total is None:
            return False
        for part in size.split(","):
            bound, _, value = part.partition(":")
            if bound not in ("min", "max"):
                raise ValueError(f"Invalid num_parameters value: {size}")
            limit = _parameters(value)
            if (bound == "min" and total < limit) or (bound == "max" and total > limit):
                return False
    return True


if __name__ == "__main__":  # python tests/support/fakehub.py [--with FIXTURE.json ...] [LATENCY]: manual runs
    import sys

    args = sys.argv[1:]
    extra: dict[str, dict[str, Any]] = {}
    while args[:1] == ["--with"] and len(args) >= 2:
        extra.update(fixture_models(args[1]))
        args = args[2:]
    hub = FakeHub(extra, latency=float(args[0]) if args else 0.0).start()
    print(f"HF_ENDPOINT={hub.url}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        hub.stop()
