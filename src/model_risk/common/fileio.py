"""Reading and writing files model-risk does not own: the one safe-open and the one safe-write.

Everything read from a scanned repository, the cache or ``.git`` goes through :func:`read_bytes` (or
:func:`read_text_file`, or :func:`open_regular` for the detectors' own reading): the path is checked
with ``stat`` (``lstat`` when symlinks are refused) before it is opened, so a FIFO or a device is never
opened at all; it is then opened without blocking and checked again on the open descriptor, and no more
than a bound is read.

Everything written goes through :func:`atomic_write` (or :func:`atomic_write_with` for a file another
library builds, the SQLite database): a temporary file is renamed over the target, so readers see the
old file or the new one. What happens at a symlink is chosen by the caller (docs/security.md):

- ``symlink="follow"``: the link's target is replaced and the link kept (report outputs, and project
  files, whose path the caller has already confined to the project with :mod:`common.project_paths`).
  A target that is not a regular file (``/dev/null``, ``/dev/stdout``, a FIFO) is written through,
  never renamed over.
- ``symlink="replace"``: the link itself is replaced, never followed, and nothing is written through
  (the cache, whose files anyone sharing it may have planted).

Temporary files live in ``.model-risk-tmp/`` beside the target (or a folder the caller names); that
folder must be a real directory: a symlink or a file in its place is an error, never followed.
"""

from __future__ import annotations

import errno
import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Literal

#: Temporary files live in this directory beside the file being written. Its own .gitignore ("*") keeps
#: what an interrupted write leaves out of ``git status``; the next write there removes the leftovers.
TEMP_DIR = ".model-risk-tmp"
#: A temporary file this old, or whose writer has exited, is a leftover.
STALE_AFTER = 3600.0
#: The most :func:`read_bytes` reads of one file unless told otherwise: lockfiles, configs, rule packs,
#: baselines and saved reports are far smaller; a larger file is refused, not read into memory.
MAX_READ = 64 * 1024 * 1024

Symlinks = Literal["follow", "replace"]
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


# -- reading -----------------------------------------------------------------------------------------

class NotRegularFileError(OSError):
    """A path that is a FIFO, a device, a directory (or, where symlinks are refused, a symlink) where a
    file was expected: reading it could block for ever (a FIFO nobody writes to) or never end
    (``/dev/zero``)."""

    def __str__(self) -> str:
        return "not a regular file (a FIFO, device or directory)"


class SymlinkRefusedError(NotRegularFileError):
    def __str__(self) -> str:
        return "a symlink, where model-risk follows none"


class TooLargeError(OSError):
    """A file larger than the caller reads whole."""

    def __init__(self, path: Path | str, limit: int) -> None:
        super().__init__(errno.EFBIG, f"larger than {_size(limit)}: not read", str(path))
        self.limit = limit

    def __str__(self) -> str:
        return str(self.strerror)


def _size(limit: int) -> str:
    return f"{limit // 2**20} MiB" if limit >= 2**20 else f"{limit // 1024} KiB" if limit >= 1024 else f"{limit} bytes"


def open_regular(path: Path | str, *, follow_symlinks: bool = True) -> int:
    """A read-only descriptor of the regular file at ``path``; the caller closes it.

    The path is looked at first (``lstat`` when ``follow_symlinks`` is False, which refuses a symlink
    with :class:`SymlinkRefusedError`): a FIFO or device is never opened, as opening some devices does
    something. The file is then opened without blocking and checked again on the descriptor, in case it
    was swapped in between. Raises :class:`NotRegularFileError` or the ``OSError`` of the open."""
    before = os.stat(path, follow_symlinks=follow_symlinks)
    if stat.S_ISLNK(before.st_mode):
        raise SymlinkRefusedError(errno.ELOOP, "a symlink", str(path))
    if not stat.S_ISREG(before.st_mode):
        raise NotRegularFileError(errno.EINVAL, "not a regular file", str(path))
    try:
        fd = os.open(path, os.O_RDONLY | _NONBLOCK | _CLOEXEC | (0 if follow_symlinks else _NOFOLLOW))
    except OSError as exc:
        if exc.errno == errno.ELOOP and not follow_symlinks:
            raise SymlinkRefusedError(errno.ELOOP, "a symlink", str(path)) from None
        raise
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotRegularFileError(errno.EINVAL, "not a regular file", str(path))
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_bytes(path: Path | str, *, limit: int = MAX_READ, follow_symlinks: bool = True) -> bytes:
    """The bytes of the regular file at ``path`` (see :func:`open_regular`); :class:`TooLargeError` when it
    holds more than ``limit`` bytes, found before anything is read when the size says so."""
    fd = open_regular(path, follow_symlinks=follow_symlinks)
    with os.fdopen(fd, "rb") as handle:
        if os.fstat(fd).st_size > limit:
            raise TooLargeError(path, limit)
        data = handle.read(limit + 1)  # a file that grows while it is read is caught here
    if len(data) > limit:
        raise TooLargeError(path, limit)
    return data


def read_text_file(path: Path | str, *, limit: int = MAX_READ, follow_symlinks: bool = True) -> str:
    """The UTF-8 text of the regular file at ``path``, read by :func:`read_bytes`."""
    return read_bytes(path, limit=limit, follow_symlinks=follow_symlinks).decode("utf-8")


# -- folders -----------------------------------------------------------------------------------------

def real_directory(path: Path, *, under: Path) -> Path:
    """``path``, a folder below ``under``, made a real directory: every level below ``under`` is created
    when missing, and one that is a symlink or not a directory raises ``NotADirectoryError`` (nothing is
    created through it). ``under`` itself is the caller's and is created with its parents."""
    under.mkdir(parents=True, exist_ok=True)
    current = under
    for part in path.relative_to(under).parts:
        current = current / part
        try:
            os.mkdir(current)
        except FileExistsError:
            pass
        if not stat.S_ISDIR(os.lstat(current).st_mode):
            raise NotADirectoryError(errno.ENOTDIR, "a symlink or a file where model-risk keeps a folder",
                                     str(current))
    return path


# -- writing -----------------------------------------------------------------------------------------

def atomic_write(path: Path, data: str | bytes, *, mode: int | None = None, durable: bool = True,
                 temp_dir: Path | None = None, symlink: Symlinks = "follow") -> None:
    """Write ``data`` to a temporary file, flush it to disk, then rename it over ``path``.

    The rename is atomic on POSIX and Windows, so readers see either the old file or the new one.
    ``durable=False`` skips the flush to disk: for files that may be lost in a crash (cache entries,
    which are re-fetched when unreadable) and are written often enough for the flush to cost time.
    ``symlink`` says what happens at a symlink, and whether a special file is written through (see the
    module's docstring). The temporary file is ``TEMP_DIR/.NAME.PID.XXXX.tmp`` beside the target (or in
    ``temp_dir``)."""
    payload = data.encode("utf-8") if isinstance(data, str) else data

    def fill(fd: int, _tmp: str) -> None:
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view):]

    _write(Path(path), fill, lambda: _write_through(Path(path), payload), mode=mode, durable=durable,
           temp_dir=temp_dir, symlink=symlink)


def atomic_write_with(path: Path, build: Callable[[Path], None], *, symlink: Symlinks = "follow") -> None:
    """Like :func:`atomic_write` for a file that another library writes: ``build(temporary path)`` writes
    the whole file there (the SQLite database). A target that is not a regular file is written through
    from a copy built in a private temporary folder."""
    import shutil
    import tempfile

    def fill(_fd: int, tmp: str) -> None:
        build(Path(tmp))  # the library opens the file by its name; the descriptor stays open for the flush

    def through() -> None:
        with tempfile.TemporaryDirectory(prefix="model-risk-") as private:
            built = Path(private) / Path(path).name
            build(built)
            with os.fdopen(_open_through(Path(path)), "wb") as sink, open(built, "rb") as source:
                shutil.copyfileobj(source, sink)

    _write(Path(path), fill, through, mode=None, durable=True, temp_dir=None, symlink=symlink)


def _write(path: Path, fill: Callable[[int, str], None], through: Callable[[], None], *, mode: int | None,
           durable: bool, temp_dir: Path | None, symlink: Symlinks) -> None:
    import tempfile  # imports shutil and random: only pay for them when writing

    if symlink == "follow":
        try:
            target = os.stat(path)  # follows symlinks
        except OSError:
            target = None
        if target is not None and not stat.S_ISREG(target.st_mode):
            through()
            return
        if os.path.islink(path):
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
        try:
            fill(fd, tmp)
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        if mode is not None:
            os.chmod(tmp, mode)
        elif symlink == "follow" and path.exists():
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
    finally:
        if own_temp_dir:
            _remove_temp_dir(tmp_dir)


def _open_through(path: Path) -> int:
    """A device or FIFO opened for writing in place. A FIFO is opened without blocking: with no reader
    that fails (ENXIO) instead of waiting for ever."""
    fd = os.open(path, os.O_WRONLY | _NONBLOCK | _CLOEXEC)
    os.set_blocking(fd, True)
    return fd


def _write_through(path: Path, payload: bytes) -> None:
    fd = _open_through(path)
    try:
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


_cleaned: set[Path] = set()
#: Held while a temporary directory is made ready for a write, or removed after one.
_TEMP_DIRS = threading.Lock()


def _prepare_temp_dir(tmp_dir: Path) -> None:
    """Create ``tmp_dir`` with its .gitignore, and (once per process) remove what earlier runs left.

    A symlink (dangling or not) or a file in its place is refused: cleaning up through a committed
    ``.model-risk-tmp`` link would delete and create files wherever it points."""
    try:
        os.mkdir(tmp_dir)
    except FileExistsError:
        pass
    if not stat.S_ISDIR(os.lstat(tmp_dir).st_mode):
        raise NotADirectoryError(errno.ENOTDIR, "a symlink or a file is in the way of model-risk's temporary "
                                                "files", str(tmp_dir))
    try:  # O_EXCL and O_NOFOLLOW: an existing file or link is left alone, never written through
        fd = os.open(tmp_dir / ".gitignore", os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, 0o666)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write("# Temporary files of model-risk's interrupted writes: never commit them.\n*\n")
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


# -- JSON and messages -------------------------------------------------------------------------------

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
    reasons = {errno.ENOENT: "its folder does not exist", errno.ENOSPC: "the disk is full",
               errno.EROFS: "the file system is read-only", errno.EACCES: "permission denied",
               errno.EDQUOT: "the disk quota is exceeded", errno.ENXIO: "a FIFO with no reader"}
    return reasons.get(exc.errno or 0, exc.strerror or str(exc))


def read_problem(exc: OSError | UnicodeDecodeError) -> str:
    """Why a read failed, in words (never the file's content)."""
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8 text"
    if isinstance(exc, (NotRegularFileError, TooLargeError)):
        return str(exc)
    return exc.strerror or exc.__class__.__name__
