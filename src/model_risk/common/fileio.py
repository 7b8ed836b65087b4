"""Writing files so that a crash or a concurrent reader never sees half of one."""

from __future__ import annotations

import os
from pathlib import Path


def atomic_write(path: Path, data: str | bytes, *, mode: int | None = None, durable: bool = True) -> None:
    """Write ``data`` to a temporary file beside ``path``, flush it to disk, then rename it over ``path``.

    The rename is atomic on POSIX and Windows, so readers see either the old file or the new one.
    ``durable=False`` skips the flush to disk: for files that may be lost in a crash (cache entries,
    which are re-fetched when unreadable) and are written often enough for the flush to cost time.
    """
    import tempfile  # imports shutil and random: only pay for them when writing

    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        elif path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


class NotRegularFileError(OSError):
    """A path that is a FIFO, a device or a directory where a file was expected: reading it could block
    for ever (a FIFO nobody writes to) or never end (``/dev/zero``)."""

    def __str__(self) -> str:
        return "not a regular file (a FIFO, device or directory)"


def read_text_file(path: Path) -> str:
    """The UTF-8 text of the regular file at ``path``. A FIFO or device raises :class:`NotRegularFileError`
    at once: it is opened without blocking and checked before anything is read."""
    import stat

    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotRegularFileError(0, "not a regular file", str(path))
        os.set_blocking(fd, True)
        return handle.read().decode("utf-8")


class JsonError(ValueError):
    """JSON that cannot be read: the message says why, ``line`` where (when known)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def parse_json(text: str) -> object:
    """``json.loads`` with every failure as :class:`JsonError`: bad syntax, nesting too deep for the
    parser, or an integer longer than Python converts (4,300 digits)."""
    import json

    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise JsonError(f"invalid JSON: {exc.msg}", exc.lineno) from None
    except RecursionError:
        raise JsonError("invalid JSON: nested too deeply") from None
    except ValueError:  # "Exceeds the limit (4300 digits) for integer string conversion"
        raise JsonError("invalid JSON: a number has more digits than Python reads (4,300)") from None
