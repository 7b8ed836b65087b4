"""Reading one file for the detectors: size and binary checks and decoding."""

from __future__ import annotations

import os

from model_risk.common.fileio import NotRegularFileError, open_regular
from model_risk.contract.domain import Note
from model_risk.contract.source import SourceFile

DEFAULT_MAX_FILE_SIZE = 8 * 1024 * 1024
_SNIFF_BYTES = 8192


def read_source(abs_path: str, rel_path: str, max_size: int = DEFAULT_MAX_FILE_SIZE
                ) -> tuple[SourceFile | None, Note | None]:
    """Read and decode a file. Returns the file (or None when it is skipped) and a note, if any."""
    try:
        # The one safe-open: a FIFO or device put in place of the file after the walk is never read.
        with os.fdopen(open_regular(abs_path), "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > max_size:
                return None, Note(
                    f"skipped: {size / 1_048_576:.1f} MiB is over the {max_size / 1_048_576:.0f} MiB limit "
                    "(set max-file-size in the config to scan it)", rel_path, level="info")
            # Ask for what fstat says is there (one byte more shows that the file grew): asking for
            # max_size + 1 would allocate that much for every file.
            data = handle.read(size + 1)
            if len(data) > size:
                data += handle.read(max_size + 1 - len(data))
    except PermissionError:
        return None, Note("skipped: permission denied", rel_path)
    except NotRegularFileError:
        return None, Note("skipped: not a regular file", rel_path, level="info")
    except OSError as exc:
        return None, Note(f"skipped: cannot read ({exc.strerror or exc.__class__.__name__})", rel_path)
    if len(data) > max_size:  # the file grew while we read it
        return None, Note("skipped: file is over the size limit", rel_path, level="info")
    if b"\0" in data[:_SNIFF_BYTES]:
        return None, Note("skipped: binary content", rel_path, level="info")
    try:
        text = data.decode("utf-8-sig")
        note = None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        text = data.decode("utf-8-sig", errors="replace")
        note = Note("not valid UTF-8; scanned with the bad bytes replaced", rel_path, line)
    return SourceFile(rel_path, text), note
