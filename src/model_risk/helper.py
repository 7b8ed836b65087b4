"""The warm helper: a model-risk process that stays loaded, so that a pre-commit hook does not pay for
starting one on every commit.

Starting model-risk costs more than a one-file scan does: the interpreter, click, pluggy, the stages'
modules, the knowledge tables and the compiled patterns. ``model-risk scan --helper ...`` (the hook's
entry, ``.pre-commit-hooks.yaml``) asks a helper process to run the command instead, and prints what
it printed and exits with its status. Everything about it is built so that using it changes nothing but
the time:

- **Only the hook's shape.** A ``scan`` whose output goes nowhere interactive (stdout and stderr are not
  terminals), on POSIX systems that tell a socket's peer (``SO_PEERCRED``). ``MODEL_RISK_HELPER=0``
  turns it off; anything else runs in the process, as without ``--helper``.
- **Private.** The socket lives in ``$XDG_RUNTIME_DIR/model-risk`` (else ``/tmp/model-risk-UID``), a
  directory that must be the user's own, not a symlink and closed to others (mode 0700); each side
  checks that the other runs as the same user before sending anything.
- **The same run.** The helper runs the command with the client's working directory, environment and
  umask, through the same ``cli.run`` and error boundary. What a process reads only when it starts (the
  interpreter, ``sys.path``, the ``HF_*`` and ``MODEL_RISK_*`` variables, which load huggingface_hub's
  settings and the plugins) names the socket, and the helper checks it on every request: a client
  started differently talks to another helper.
- **Restarts.** A helper serves at most ``MAX_REQUESTS`` requests and lives at most ``MAX_IDLE``
  seconds without one; before each request it checks that model-risk's files and the installed
  distributions are as they were when it started, and exits when they are not (an upgrade, an edited
  checkout), so the next command starts a fresh one.
- **A plain fallback.** No helper yet, a refused or dead socket, a helper of another user or of other
  code, a garbled answer: the command runs in the client's own process, exactly as without
  ``--helper``, and a helper is started in the background for the next one.

docs/performance.md ("The pre-commit hook") has the measurements.
"""

from __future__ import annotations

import os
import socket
import struct
import sys

#: The option that asks for the helper; the in-process command accepts (and ignores) it too.
OPTION = "--helper"
#: "0" turns the helper off.
SWITCH = "MODEL_RISK_HELPER"
MAX_REQUESTS = 1000
MAX_IDLE = 900.0
#: Longest request (argv, working directory, environment) and answer the two sides read.
MAX_REQUEST = 16 * 1024 * 1024
MAX_ANSWER = 512 * 1024 * 1024
_PROTOCOL = b"model-risk-helper-1"
_FALLBACK = b"fallback"
_DONE = b"done"
#: A socket's path holds at most 107 bytes on Linux: the folder leaves room for "/helper-XXXXXXXX.sock".
_LONGEST_FOLDER = 80
#: Variables read when modules load (huggingface_hub's settings, the plugin list, Python's own): part of
#: the helper's identity rather than of each request.
_STARTUP_PREFIXES = ("HF_", "HUGGING_FACE_", "MODEL_RISK_", "PYTHON")


# -- framing: a count, then each field with its length ---------------------------------------------

def _pack(fields: list[bytes]) -> bytes:
    return struct.pack(">I", len(fields)) + b"".join(struct.pack(">I", len(f)) + f for f in fields)


def _receive_exactly(connection: socket.socket, size: int) -> bytes:
    chunks = []
    while size:
        chunk = connection.recv(min(size, 1 << 20))
        if not chunk:
            raise ConnectionError("closed before the end of a message")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _receive(connection: socket.socket, limit: int) -> list[bytes]:
    (count,) = struct.unpack(">I", _receive_exactly(connection, 4))
    fields, total = [], 0
    if count > 64:
        raise ValueError("too many fields")
    for _ in range(count):
        (size,) = struct.unpack(">I", _receive_exactly(connection, 4))
        total += size
        if total > limit:
            raise ValueError("message too long")
        fields.append(_receive_exactly(connection, size))
    return fields


# -- where the helper listens ---------------------------------------------------------------------

def _identity() -> bytes:
    """What a process reads when it starts, which the helper must share with its client. The first entry
    of ``sys.path`` is where this process was started from (the console script's folder); the helper
    starts with ``-P`` and has none."""
    path = sys.path if sys.flags.safe_path else sys.path[1:]
    startup = sorted(f"{k}={v}" for k, v in os.environ.items() if k.startswith(_STARTUP_PREFIXES))
    return "\0".join([sys.executable, sys.version, *path, "", *startup]).encode("utf-8", "surrogateescape")


def _private_directory() -> str | None:
    """The directory of the user's helper sockets, made when missing; None when it cannot be trusted."""
    import stat

    runtime = os.environ.get("XDG_RUNTIME_DIR")
    directory = os.path.join(runtime, "model-risk") if runtime else ""
    if not directory or len(os.fsencode(directory)) > _LONGEST_FOLDER:
        directory = f"/tmp/model-risk-{os.getuid()}"
    try:
        os.mkdir(directory, 0o700)
    except FileExistsError:
        pass
    except OSError:
        return None
    try:
        status = os.lstat(directory)
    except OSError:
        return None
    if not stat.S_ISDIR(status.st_mode) or status.st_uid != os.getuid() or status.st_mode & 0o077:
        return None  # a symlink, someone else's, or open to others: no helper
    return directory


def socket_path(identity: bytes) -> str | None:
    import zlib

    directory = _private_directory()
    return None if directory is None else os.path.join(directory, f"helper-{zlib.crc32(identity):08x}.sock")


def _same_user(connection: socket.socket) -> bool:
    credentials = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", credentials)
    return uid == os.getuid()


# -- the client ------------------------------------------------------------------------------------

def wanted(argv: list[str]) -> bool:
    """Whether this command asks for the helper and may use one."""
    options = argv[:argv.index("--")] if "--" in argv else argv
    return (bool(argv) and argv[0] == "scan" and OPTION in options and os.environ.get(SWITCH) != "0"
            and hasattr(socket, "AF_UNIX") and hasattr(socket, "SO_PEERCRED") and hasattr(os, "getuid")
            and not sys.stdout.isatty() and not sys.stderr.isatty())


def run(argv: list[str]) -> int | None:
    """Run ``argv`` through the helper: its exit status, or None when this process must run it."""
    identity = _identity()
    path = socket_path(identity)
    if path is None:
        return None
    try:
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    except OSError:
        return None
    try:
        connection.settimeout(1.0)
        try:
            connection.connect(path)
        except (FileNotFoundError, ConnectionRefusedError):
            start(path)
            return None
        if not _same_user(connection):
            return None
        connection.settimeout(None)  # the scan takes as long as it takes, as it would here
        umask = os.umask(0)
        os.umask(umask)
        environment = "\0".join(f"{k}={v}" for k, v in os.environ.items())
        connection.sendall(_pack([_PROTOCOL, identity, os.fsencode(os.getcwd()), str(umask).encode(),
                                  "\0".join(argv).encode("utf-8", "surrogateescape"),
                                  environment.encode("utf-8", "surrogateescape")]))
        answer = _receive(connection, MAX_ANSWER)
    except (OSError, ValueError, struct.error):
        return None
    finally:
        connection.close()
    if len(answer) != 4 or answer[0] != _DONE:
        return None
    _status, code, out, err = answer
    sys.stdout.buffer.write(out)
    sys.stderr.buffer.write(err)
    sys.stdout.flush()
    sys.stderr.flush()
    return int(code)


def start(path: str) -> None:
    """Start a helper for ``path`` in the background, detached from this terminal and session."""
    import subprocess

    try:
        subprocess.Popen([sys.executable, "-P", "-m", "model_risk.helper", path], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=True,
                         start_new_session=True, cwd="/")
    except OSError:
        pass


# -- the helper ------------------------------------------------------------------------------------

class _Helper:
    def __init__(self, path: str) -> None:
        self.path = path
        self.identity = _identity()
        from model_risk.app.detection_cache import installed_distributions, package_fingerprint
        from model_risk.app.plugins import load_plugins

        self._fingerprint = lambda: (package_fingerprint(), installed_distributions())
        self.code = self._fingerprint()
        self.plugins = load_plugins()
        # What a hook's scan needs, loaded once: the app, the Python detector and the text report.
        import model_risk.app.scan  # noqa: F401
        import model_risk.cli  # noqa: F401
        import model_risk.report.text  # noqa: F401

        python = self.plugins.detectors.get("python")
        if python is not None:
            python.prefilter("")  # loads the Python detector's module
        self.environment = dict(os.environ)

    def answer(self, fields: list[bytes]) -> list[bytes]:
        """The answer to one request: the command's exit status and output, or "fallback"."""
        if len(fields) != 6 or fields[0] != _PROTOCOL or fields[1] != self.identity:
            return [_FALLBACK]
        if self._fingerprint() != self.code:
            raise _Stale
        _protocol, _identity, cwd, umask, argv, environment = fields
        import io

        from model_risk import cli

        arguments = argv.decode("utf-8", "surrogateescape").split("\0")
        variables = dict(item.split("=", 1) for item in environment.decode("utf-8", "surrogateescape").split("\0")
                         if "=" in item)
        out, err = io.BytesIO(), io.BytesIO()
        streams = sys.stdout, sys.stderr
        captured = (io.TextIOWrapper(out, encoding="utf-8", errors="replace", write_through=True),
                    io.TextIOWrapper(err, encoding="utf-8", errors="replace", write_through=True))
        sys.stdout, sys.stderr = captured
        try:
            os.chdir(os.fsdecode(cwd))
            os.umask(int(umask))
            os.environ.clear()
            os.environ.update(variables)
            code = cli.run(arguments, plugins=self.plugins)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        finally:
            for stream in captured:
                stream.flush()
                stream.detach()  # the buffers stay open for the answer
            sys.stdout, sys.stderr = streams
            os.environ.clear()
            os.environ.update(self.environment)
            os.chdir("/")
        return [_DONE, str(code).encode(), out.getvalue(), err.getvalue()]


class _Stale(Exception):
    """model-risk's files or the installed distributions changed since the helper started."""


def serve(path: str) -> None:
    """Listen on ``path`` until idle, stale or done; one request at a time."""
    import fcntl
    import gc

    directory = _private_directory()
    if directory is None or os.path.dirname(path) != directory:
        return
    lock = os.open(path + ".lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return  # another helper for this socket is starting or running
    try:
        helper = _Helper(path)
    except Exception:  # a plugin that fails to load: clients run the command themselves and say why
        return
    gc.freeze()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    listener.bind(path)
    os.chmod(path, 0o600)
    listener.listen(8)
    listener.settimeout(MAX_IDLE)
    try:
        for _ in range(MAX_REQUESTS):
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                return
            with connection:
                try:
                    if not _same_user(connection):
                        continue
                    connection.settimeout(30.0)  # the request follows the connection at once
                    fields = _receive(connection, MAX_REQUEST)
                    try:
                        reply = helper.answer(fields)
                    except _Stale:
                        connection.sendall(_pack([_FALLBACK]))
                        return
                    except Exception:  # a bug here must cost this request its helper, never its answer
                        reply = [_FALLBACK]
                    connection.settimeout(None)
                    connection.sendall(_pack(reply))
                except (OSError, ValueError, struct.error):
                    continue  # the client went away: it runs the command itself
    finally:
        listener.close()
        try:
            os.unlink(path)
        except OSError:
            pass
        os.close(lock)


if __name__ == "__main__":
    serve(sys.argv[1])
