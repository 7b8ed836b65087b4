"""Where model-risk keeps its cache: ``MODEL_RISK_CACHE_DIR``, else the XDG cache directory."""

from __future__ import annotations

import os
from pathlib import Path


def default_cache_dir() -> Path:
    configured = os.environ.get("MODEL_RISK_CACHE_DIR")
    if configured:
        return Path(configured).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "model-risk"
