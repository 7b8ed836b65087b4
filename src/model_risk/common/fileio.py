"""Writing files so that a crash or a concurrent reader never sees half of one."""

from __future__ import annotations

import os
import threading
from pathlib import Path

#: Temporary files live in this directory beside the file being written. Its own .gitignore ("*") keeps
#: what an interrupted write leaves out of ``git status``; the next write there removes the leftovers.
TEMP_DIR = ".model-risk-tmp"
#: A temporary file this old, or whose writer has exited, is a leftover.
STALE_AFTER = 3600.0


def atomic_write(path: Path, data: str | bytes, *, mode: int | None = None, durable: bool = True,
                 temp_dir: Path | None = None) -> None:
    """Write ``data`` to a temporary file, flush it to disk, then rename it over ``path``.

    The rename is atomic on POSIX and Windows, so readers see either the old file or the new one.
    ``durable=False`` skips the flush to disk: for files that may be lost in a crash (cache entries,
    which are re-fetched when unreadable) and are written often enough for the flush to cost time.

    What is not a regular file is never renamed over: ``/dev/null``, ``/dev/stdout`` or a FIFO is written
    through (a FIFO with no reader is an error, not a hang), and a symlink is followed to its file.
    The temporary file is ``TEMP_DIR/.NAME.PID.XXXX.tmp`` beside the target (or in ``temp_dir``).
    """
    import stat
    import tempfile  # imports shutil and random: only pay for them when writing

    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        target = os.stat(path)  # follows symlinks
    except FileNotFoundError:
        target = None
    except OSError:
        target = None
    if target is not None and not stat.S_ISREG(target.st_mode):
        _write_through(path, payload)
        return
    if path.is_symlink():
        path = Path(os.path.realpath(path))  # replace the file the link points at, keep the link
    own_temp_dir = temp_dir is None
    tmp_dir = path.parent / TEMP_DIR if temp_dir is None else temp_dir
    for attempt in range(5):
        try:
            # Threads of this process make and remove the directory under one lock; another process's
            # write may still remove it between the two steps: then it is made again.
            with _TEMP_DIRS:
                _prepare_temp_dir(tmp_dir)
                fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=tmp_dir)
            break
        except FileNotFoundError:
            if attempt == 4:
                raise
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
    if own_temp_dir:
        _remove_temp_dir(tmp_dir)


def _write_through(path: Path, payload: bytes) -> None:
    """Write into a device or FIFO in place. A FIFO is opened without blocking: with no reader that fails
    (ENXIO) instead of waiting for ever."""
    fd = os.open(path, os.O_WRONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        os.set_blocking(fd, True)
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


_cleaned: set[Path] = set()
#: Held while a temporary directory is made ready for a write, or removed after one.
_TEMP_DIRS = threading.Lock()


def _prepare_temp_dir(tmp_dir: Path) -> None:
    """Create ``tmp_dir`` with its .gitignore, and (once per process) remove what earlier runs left."""
    try:
        tmp_dir.mkdir(exist_ok=True)
    except FileExistsError:
        if not tmp_dir.exists():  # another write removed it just now: the caller tries again
            raise FileNotFoundError(0, "removed by a concurrent write", str(tmp_dir)) from None
        raise NotADirectoryError(0, "in the way of model-risk's temporary files", str(tmp_dir)) from None
    ignore = tmp_dir / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# Temporary files of model-risk's interrupted writes: never commit them.\n*\n",
                          encoding="utf-8")
    if tmp_dir in _cleaned:
        return
    _cleaned.add(tmp_dir)
    import time

    now = time.time()
    for entry in os.scandir(tmp_dir):
        if entry.name == ".gitignore" or not entry.name.endswith(".tmp"):
            continue
        try:
            pid = int(entry.name.rsplit(".", 3)[-3])
            if now - entry.stat(follow_symlinks=False).st_mtime > STALE_AFTER or not _alive(pid):
                os.unlink(entry.path)
        except (ValueError, IndexError, OSError):
            continue


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process: alive
    return True


def _remove_temp_dir(tmp_dir: Path) -> None:
    """Leave no trace of a write that finished: the directory goes unless another write is under way."""
    with _TEMP_DIRS:
        try:
            if any(name != ".gitignore" for name in os.listdir(tmp_dir)):
                return
            os.unlink(tmp_dir / ".gitignore")
            os.rmdir(tmp_dir)
            _cleaned.discard(tmp_dir)
        except OSError:
            pass  # another process's write came in between: it removes the directory when it is done


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


def parse_json(text: str | bytes) -> object:
    """``json.loads`` with every failure as :class:`JsonError`: bad syntax, nesting too deep for the
    parser, or an integer longer than Python converts (4,300 digits)."""
    import json

    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise JsonError(f"invalid JSON: {exc.msg}", exc.lineno) from None
    except RecursionError:
        raise JsonError("invalid JSON: nested too deeply") from None
    except UnicodeDecodeError:
        raise JsonError("invalid JSON: not UTF-8 text") from None
    except ValueError:  # "Exceeds the limit (4300 digits) for integer string conversion"
        raise JsonError("invalid JSON: a number has more digits than Python reads (4,300)") from None


def write_problem(exc: OSError) -> str:
    """Why a write failed, in words a user can act on."""
    import errno

    reasons = {errno.ENOENT: "its folder does not exist", errno.ENOSPC: "the disk is full",
               errno.EROFS: "the file system is read-only", errno.EACCES: "permission denied",
               errno.EDQUOT: "the disk quota is exceeded", errno.ENXIO: "a FIFO with no reader"}
    return reasons.get(exc.errno or 0, exc.strerror or str(exc))
