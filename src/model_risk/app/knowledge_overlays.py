"""The ``knowledge:`` setting: the project's overlay files on model-risk's bundled tables.

Each file is read once per run, validated against ``schemas/knowledge-overlay.schema.json`` (an error names
the file and the line) and installed in :mod:`model_risk.knowledge.catalog` before anything reads a table.
A configuration found in the scanned repository may only name files inside the project: absolute paths,
``..`` and symlinks out are refused before anything is read, so no error can quote a file outside it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from model_risk.common import safe_yaml
from model_risk.common.documents import load_document
from model_risk.common.fileio import TooLargeError, read_problem, read_text_file
from model_risk.common.project_paths import inside
from model_risk.contract.errors import ConfigError, excerpt
from model_risk.knowledge import catalog

#: Longest overlay file read: the bundled tables together are under 100 KB.
MAX_OVERLAY_BYTES = 1 << 20


def overlay_paths(values: Sequence[str], *, base: Path, root: Path, confined: bool, config_file: str,
                  line_of: object = None) -> tuple[tuple[str, Path], ...]:
    """(as written, path) of each overlay the configuration names, refusing any outside the project."""
    found = []
    for index, value in enumerate(values):
        target = base / value
        if confined and not inside(root, target):
            line = line_of(["knowledge", index]) if callable(line_of) else None
            raise ConfigError(f"knowledge: {excerpt(value)} is outside the project (absolute paths, ../ and "
                              "symlinks out are refused)", path=config_file, line=line)
        found.append((value, target))
    return tuple(found)


def read_overlay(display: str, path: Path, cache_dir: Path | None = None, *, quote: bool = True) -> catalog.Overlay:
    """One overlay file, through the safe-open; ``quote`` False (a file outside the project, named by an
    explicit --config): errors quote nothing of it."""
    try:
        text = read_text_file(path, limit=MAX_OVERLAY_BYTES)
    except FileNotFoundError:
        raise ConfigError("knowledge overlay not found", path=display) from None
    except TooLargeError:
        raise ConfigError(f"knowledge overlay larger than {MAX_OVERLAY_BYTES} bytes", path=display) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the knowledge overlay: {read_problem(exc)}", path=display) from None
    try:
        document, violation = load_document(text, schema_name="knowledge-overlay.schema.json", cache_dir=cache_dir,
                                            quote=quote)
    except safe_yaml.YamlError as exc:
        raise ConfigError(exc.message if quote else "invalid YAML", path=display, line=exc.line) from None
    except RecursionError:
        raise ConfigError("nested too deeply to read", path=display) from None
    if not isinstance(document.data, dict):
        raise ConfigError("a knowledge overlay must be a mapping (as_of, licenses, lineage_hints ...)",
                          path=display, line=1)
    if violation is not None:
        raise ConfigError(violation.message, path=display, line=violation.line)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return catalog.Overlay(display, str(document.data["as_of"]), digest, document.data)


def install_overlays(paths: Sequence[tuple[str, Path]], cache_dir: Path | None = None, *,
                     project: Path | None = None) -> None:
    """Read the overlays and make them this run's tables (none: the bundled tables alone). Errors quote
    the overlays inside ``project`` only."""
    catalog.install([read_overlay(display, path, cache_dir, quote=project is None or inside(project, path))
                     for display, path in paths])
