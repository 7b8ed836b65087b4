"""Links to models on the Hub: ``https://huggingface.co/ORG/NAME``, ``hf.co/ORG/NAME``, ``hf://ORG/NAME``.

A link names a model when its first path segment is an organisation (not ``datasets``, ``spaces``,
``docs``, ``api`` ...) and a second segment follows; a single segment counts only for a legacy root
model (``huggingface.co/gpt2``). ``/resolve/REV/``, ``/blob/REV/``, ``/tree/REV`` and ``hf://ID@REV``
give the revision. Ollama's ``hf.co/ORG/NAME:Q4_K_M`` names the repo without its quantisation tag.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from model_risk.contract.detector import Detector
from model_risk.contract.domain import Note, Reference
from model_risk.contract.source import SourceFile
from model_risk.detect import file_kinds, text_search
from model_risk.detect.commands import Found
from model_risk.detect.model_names import ModelName
from model_risk.detect.references import reference_to
from model_risk.knowledge import hub_ids

_SEGMENT = r"[A-Za-z0-9_][\w.\-]{0,95}"
_URL = text_search.lazy(
    rf"(?<![\w.\-@/])(?:https?://)?(?:www\.)?(?:huggingface\.co|hf\.co)/({_SEGMENT})(?:/({_SEGMENT}))?"
    r"(?:/(?:resolve|blob|tree|raw)/([\w.\-%]{1,96}))?"
    rf"|(?<![\w.\-])hf://({_SEGMENT})/({_SEGMENT})(?:@([\w.\-%]{{1,96}}))?"
)
#: First path segments of huggingface.co that are site sections, not organisations.
_SITE_SECTIONS = frozenset({
    "datasets", "spaces", "docs", "blog", "api", "models", "collections", "papers", "organizations",
    "settings", "login", "join", "pricing", "tasks", "learn", "chat", "new", "new-dataset", "new-space",
    "enterprise", "inference-endpoints", "inference-api", "posts", "changelog", "terms-of-service",
    "privacy", "notifications", "oauth", "search", "support", "front", "static-proxy", "avatars",
    "hf", "course", "welcome", "storage", "billing", "spaces-dev-mode", "buckets", "subscribe", "sitemap",
    "legal", "careers", "contact", "join-the-community", "huggingchat", "hardware", "security",
})
#: Second path segments that make ``huggingface.co/ORG/...`` an organisation's listing, not a model
#: (``huggingface.co/Qwen/models?search=qwen3``).
_ORG_LISTINGS = frozenset({"models", "datasets", "spaces", "collections", "papers"})
#: ``hf://`` paths that start with a repo type are not models.
_FS_REPO_TYPES = frozenset({"datasets", "spaces", "buckets"})
MARKERS = ("huggingface.co/", "hf.co/", "hf://")


def has_marker(text: str) -> bool:
    return any(marker in text for marker in MARKERS)


def _trimmed(segment: str) -> str:
    """Prose puts punctuation after links: ``see huggingface.co/org/name.``"""
    return segment.rstrip(".-")


#: What may stand before a marker in a link, longest first (the pattern's optional scheme and host).
_LEADS = ("https://www.", "http://www.", "https://", "http://", "www.", "")


def _links(text: str) -> Iterator[re.Match[str]]:
    """The matches ``_URL.finditer`` would give, tried only where ``str.find`` puts a marker: a link
    starts at most ``len("https://www.")`` characters before its marker, so the pattern is never run
    over text that holds none (it costs far more per character than ``find``)."""
    positions: list[int] = []
    for marker in MARKERS:
        position = text.find(marker)
        while position >= 0:
            positions.append(position)
            position = text.find(marker, position + 1)
    positions.sort()
    done = 0
    for position in positions:
        if position < done:
            continue
        for lead in _LEADS:
            start = position - len(lead)
            if start < done or not text.startswith(lead, start):
                continue
            match = _URL.match(text, start)
            if match is not None:
                done = match.end()
                yield match
                break


def find_models(text: str, base: int = 0) -> Iterator[Found]:
    """Models linked in ``text``: (offset of the id, what it names, revision)."""
    if not has_marker(text):
        return
    for match in _links(text):
        if match.group(1) is not None:
            org, name, revision = match.group(1), match.group(2), match.group(3)
            org_start = match.start(1)
            if org.lower() in _SITE_SECTIONS:
                continue
        else:
            org, name, revision = match.group(4), match.group(5), match.group(6)
            org_start = match.start(4)
            if org.lower() in _FS_REPO_TYPES:
                continue
        if name is None:
            org = _trimmed(org)
            if hub_ids.is_legacy_id(org):
                yield Found(base + org_start, ModelName(org), "url")
            continue
        model = f"{org}/{_trimmed(name)}"
        if match.group(1) is not None and name.lower() in _ORG_LISTINGS \
                and not text.startswith("/", match.end()) and match.group(3) is None:
            continue  # an organisation's listing of its repositories
        if hub_ids.is_repo_id(model):
            yield Found(base + org_start, ModelName(model), "url", revision=revision)


class HubUrlDetector(Detector):
    name = "hub-url"
    description = "Hub links (huggingface.co/ORG/NAME, hf.co/..., hf://...) in code and configuration"

    #: Code and configuration that may carry links; Markdown and notebooks find their own.
    def accepts(self, filename: str) -> bool:
        return file_kinds.hub_url(filename)

    def prefilter(self, text: str) -> bool:
        return has_marker(text)

    def detect(self, source: SourceFile) -> Iterable[Reference | Note]:
        for found in find_models(source.text):
            yield reference_to(source, found.offset, found.name, self.name, loader=found.loader,
                               revision=found.revision)
