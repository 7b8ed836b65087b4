"""A stand-in Ollama registry on 127.0.0.1, speaking the registry's wire format to model-risk.

``ollama pull`` asks ``GET /v2/{namespace}/{model}/manifests/{tag}`` for a Docker distribution manifest
(``application/vnd.docker.distribution.manifest.v2+json``) whose layers carry Ollama's media types, then
``GET /v2/{namespace}/{model}/blobs/{digest}`` for each layer. This server holds a few library tags with
their license texts, answers 404 with the registry's error document for anything else, and logs every path.
"""

from __future__ import annotations

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

APACHE = "                                 Apache License\n                           Version 2.0, January 2004\n"
QWEN = "Qwen LICENSE AGREEMENT\n\nQwen LICENSE AGREEMENT Release Date: September 19, 2024\n"
MIT = "MIT License\n\nCopyright (c) 2023 DeepSeek\n"


def digest(data: str | bytes) -> str:
    raw = data.encode() if isinstance(data, str) else data
    return "sha256:" + hashlib.sha256(raw).hexdigest()


class FakeOllamaRegistry:
    def __init__(self) -> None:
        #: "namespace/model:tag" -> license text (None: no license layer)
        self.tags: dict[str, str | None] = {
            "library/qwen2.5:7b": APACHE, "library/qwen2.5:latest": APACHE,
            "library/qwen2.5-coder:7b": APACHE, "library/deepseek-r1:7b": MIT,
            "library/qwen2.5:72b": QWEN,
            # a library model model-risk's table does not list
            "library/newmodel:1b": APACHE,
        }
        self.requests: list[str] = []
        self._lock = threading.Lock()

    def manifest(self, key: str) -> dict[str, Any]:
        layers = [{"mediaType": "application/vnd.ollama.image.model", "digest": digest("weights:" + key), "size": 1}]
        text = self.tags[key]
        if text is not None:
            layers.append({"mediaType": "application/vnd.ollama.image.license", "digest": digest(text),
                           "size": len(text)})
        return {"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                "config": {"mediaType": "application/vnd.docker.container.image.v1+json",
                           "digest": digest("config:" + key), "size": 2},
                "layers": layers}

    def start(self) -> FakeOllamaRegistry:
        registry = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                with registry._lock:
                    registry.requests.append(self.path)
                parts = self.path.split("?")[0].strip("/").split("/")
                if len(parts) == 5 and parts[0] == "v2" and parts[3] == "manifests":
                    key = f"{parts[1]}/{parts[2]}:{parts[4]}"
                    if key in registry.tags:
                        return self._send(200, json.dumps(registry.manifest(key)).encode(),
                                          "application/vnd.docker.distribution.manifest.v2+json")
                if len(parts) == 5 and parts[0] == "v2" and parts[3] == "blobs":
                    for text in registry.tags.values():
                        if text is not None and digest(text) == parts[4]:
                            return self._send(200, text.encode(), "text/plain")
                body = {"errors": [{"code": "MANIFEST_UNKNOWN", "message": "manifest unknown"}]}
                self._send(404, json.dumps(body).encode(), "application/json")

            def _send(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
