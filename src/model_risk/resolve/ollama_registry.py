"""Ollama's registry, asked online whether a tag exists and under which license its weights ship.

``ollama pull qwen2.5:7b`` fetches ``GET {registry}/v2/library/qwen2.5/manifests/7b`` (a Docker
distribution manifest) and then its layers; one layer (``application/vnd.ollama.image.license``) holds the
license text. model-risk reads the manifest and that one blob: a tag the registry does not have is
reported (a typo, or a model someone made locally with ``ollama create``), and a tag model-risk's table
does not tie to published weights still gets the license it ships under.

Off unless ``MODEL_RISK_OLLAMA_REGISTRY`` names the registry (``https://registry.ollama.ai``): an online scan
talks to the Hub only unless told otherwise, and the URL comes from the environment, never from a scanned
repository's configuration. Answers are cached like Hub answers (for ``hub.cache-ttl``), written atomically.
A registry that fails costs the confirmation, never the scan.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from model_risk.common.fileio import atomic_write, read_text_file
from model_risk.contract.errors import ConfigError
from model_risk.contract.resolver import redact_url
from model_risk.knowledge.ollama import OllamaName

ENVIRONMENT = "MODEL_RISK_OLLAMA_REGISTRY"
MANIFEST_TYPES = ("application/vnd.docker.distribution.manifest.v2+json, "
                  "application/vnd.oci.image.manifest.v1+json")
MODEL_LAYER = "application/vnd.ollama.image.model"
LICENSE_LAYER = "application/vnd.ollama.image.license"
#: Longest manifest and license text read: real ones are a few KB.
MAX_BYTES = 512 * 1024
CACHE_VERSION = 1


@dataclass(frozen=True)
class RegistryAnswer:
    """What the registry says about one Ollama name."""

    #: True: the registry serves the tag; False: it does not; None: it could not be asked (``error``).
    exists: bool | None
    #: The digest of the weights layer (``sha256:...``).
    digest: str | None = None
    license_text: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class OllamaRegistry:
    url: str
    timeout: float = 10.0
    cache_dir: Path | None = None
    ttl: float = 24 * 3600

    @classmethod
    def from_environment(cls, *, cache_dir: Path | None, ttl: float, timeout: float) -> OllamaRegistry | None:
        url = os.environ.get(ENVIRONMENT, "").strip().rstrip("/")
        if not url:
            return None
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"{ENVIRONMENT} must be an http:// or https:// URL: {redact_url(url)!r}")
        return cls(url, timeout=timeout, cache_dir=cache_dir, ttl=ttl)

    # -- asking -------------------------------------------------------------------------------------------

    def answers(self, names: Iterable[OllamaName]) -> dict[str, RegistryAnswer]:
        """Answers for each distinct name (by its canonical spelling), asked concurrently."""
        wanted = list({name.canonical: name for name in names if name.host is None}.values())
        if not wanted:
            return {}
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=min(8, len(wanted))) as pool:
            return dict(zip((n.canonical for n in wanted), pool.map(self.answer, wanted), strict=True))

    def answer(self, name: OllamaName) -> RegistryAnswer:
        cached = self._cached(name)
        if cached is not None:
            return cached
        found = self._ask(name)
        if found.exists is not None:
            self._store(name, found)
        return found

    def _ask(self, name: OllamaName) -> RegistryAnswer:
        import urllib.error  # only when a registry is named and asked: start-up stays light

        base = f"{self.url}/v2/{quote(name.namespace)}/{quote(name.model)}"
        reference = name.digest or name.tag
        try:
            manifest = json.loads(self._get(f"{base}/manifests/{quote(reference, safe=':')}", MANIFEST_TYPES))
            layers = manifest.get("layers") if isinstance(manifest, dict) else None
            if not isinstance(layers, list):
                return RegistryAnswer(None, error="the registry answered with something that is not a manifest")
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return RegistryAnswer(False)
            return RegistryAnswer(None, error=f"the Ollama registry answered HTTP {exc.code}")
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            return RegistryAnswer(None, error=f"the Ollama registry could not be reached ({exc.__class__.__name__})")
        except (ValueError, UnicodeDecodeError):
            return RegistryAnswer(None, error="the Ollama registry answered with a garbled manifest")
        license_digest = _layer(layers, LICENSE_LAYER)
        text = None
        if license_digest is not None:
            try:
                text = self._get(f"{base}/blobs/{quote(license_digest, safe=':')}", "*/*").decode("utf-8", "replace")
            except (urllib.error.URLError, OSError, TimeoutError, ValueError):
                text = None  # the tag exists; only its license text is missing
        return RegistryAnswer(True, _layer(layers, MODEL_LAYER), text)

    def _get(self, url: str, accept: str) -> bytes:
        import urllib.request

        request = urllib.request.Request(url, headers={"Accept": accept, "User-Agent": "model-risk"})
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (http(s) checked)
            body: bytes = response.read(MAX_BYTES + 1)
        if len(body) > MAX_BYTES:
            raise ValueError("answer too large")
        return body

    # -- the cache ----------------------------------------------------------------------------------------

    def _path(self, name: OllamaName) -> Path | None:
        if self.cache_dir is None:
            return None
        key = "\0".join((redact_url(self.url), name.canonical, name.digest or ""))
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
        return self.cache_dir / "ollama" / digest[:2] / f"{digest}.json"

    def _cached(self, name: OllamaName) -> RegistryAnswer | None:
        path = self._path(name)
        if path is None:
            return None
        try:
            data = json.loads(read_text_file(path))
            if data.get("version") != CACHE_VERSION or time.time() - float(data["stored"]) > self.ttl:
                return None
            return RegistryAnswer(bool(data["exists"]), data.get("digest"), data.get("license_text"))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None  # missing or corrupt: a miss, overwritten by the next answer

    def _store(self, name: OllamaName, answer: RegistryAnswer) -> None:
        path = self._path(name)
        if path is None:
            return
        record = {"version": CACHE_VERSION, "stored": time.time(), "exists": answer.exists, "digest": answer.digest,
                  "license_text": answer.license_text}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, json.dumps(record), durable=False)
        except OSError:
            pass  # a cache that cannot be written costs a lookup next time, nothing more


def _layer(layers: list[object], media_type: str) -> str | None:
    for layer in layers:
        if isinstance(layer, dict) and layer.get("mediaType") == media_type and isinstance(layer.get("digest"), str):
            return str(layer["digest"])
    return None
