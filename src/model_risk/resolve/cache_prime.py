"""Refresh, once, the cache entries that would expire during a fan-out, before its jobs start.

The jobs of a GitHub Actions matrix run on separate machines: each restores the shared cache, and a
popular model whose entry expired would be fetched again by every job that uses it (hundreds of
requests for one model). Run before the matrix, this writes a small project that loads every model the
cache knows, with a config whose TTLs are ``margin`` seconds shorter than the real ones; scanning it
fetches exactly the entries that expire within ``margin`` (once each) and serves the rest from the
cache. The matrix jobs then restore a cache in which nothing expires while they run.

    python -m model_risk.resolve.cache_prime PROJECT_DIR [--margin SECONDS]
    model-risk scan PROJECT_DIR --no-drift --fail-on never --quiet --format json --output prime.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from model_risk.common.fileio import read_bytes
from model_risk.common.paths import default_cache_dir
from model_risk.resolve.cache import MAX_ENTRY_SIZE

#: Six hours: longer than a fan-out of thousands of repositories takes (docs/org-audit.md).
DEFAULT_MARGIN = 6 * 3600
DEFAULT_TTL = 86400
DEFAULT_NEGATIVE_TTL = 3600


def cached_lookups(directory: Path) -> list[tuple[str, str | None]]:
    """Every (model id, revision) with a readable entry in the cache, sorted."""
    found: set[tuple[str, str | None]] = set()
    for entry in (directory / "models").glob("*/*.json"):
        try:
            request = json.loads(read_bytes(entry, limit=MAX_ENTRY_SIZE, follow_symlinks=False))["request"]
            found.add((str(request["id"]), request.get("revision")))
        except (OSError, ValueError, KeyError, TypeError, RecursionError):
            continue  # a damaged entry is a miss: the matrix jobs will fetch that model
    return sorted(found, key=lambda item: (item[0], item[1] or ""))


def write_project(target: Path, lookups: list[tuple[str, str | None]], *, ttl: int, negative_ttl: int,
                  margin: int) -> None:
    target.mkdir(parents=True, exist_ok=True)
    lines = ["from transformers import AutoModel", ""]
    for model_id, revision in lookups:
        pin = f", revision={json.dumps(revision)}" if revision else ""
        lines.append(f"AutoModel.from_pretrained({json.dumps(model_id)}{pin})")
    (target / "models.py").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (target / ".model-risk.yaml").write_text(
        "# Written by model_risk.resolve.cache_prime: TTLs shortened so that entries expiring soon are\n"
        "# fetched now, once, rather than by every job of the fan-out.\n"
        f"hub:\n  cache-ttl: {max(0, ttl - margin)}\n  negative-cache-ttl: {max(0, negative_ttl - margin)}\n",
        encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m model_risk.resolve.cache_prime", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("project", type=Path, help="folder to write the project to scan into")
    parser.add_argument("--margin", type=int, default=DEFAULT_MARGIN,
                        help="refresh entries that expire within this many seconds (default: 6 hours)")
    parser.add_argument("--ttl", type=int, default=DEFAULT_TTL, help="the fan-out's hub.cache-ttl")
    parser.add_argument("--negative-ttl", type=int, default=DEFAULT_NEGATIVE_TTL,
                        help="the fan-out's hub.negative-cache-ttl")
    args = parser.parse_args(argv)
    lookups = cached_lookups(default_cache_dir())
    write_project(args.project, lookups, ttl=args.ttl, negative_ttl=args.negative_ttl, margin=args.margin)
    print(f"{len(lookups)} cached models listed in {args.project / 'models.py'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
