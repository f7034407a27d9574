"""Writing an output file without ever destroying or degrading what is already there.

Every command that writes a user's file goes through :func:`atomic_output`::

    with atomic_output("out.xlsx", inputs=["book.xlsx"]) as tmp:
        write_the_workbook(tmp)        # a path in the destination folder, empty, ours alone
    # here out.xlsx is complete, on disk, or untouched if anything failed

The rules (each one a case a user met or an attacker can set up):

- **The output is never an input.** Files are compared by identity (``st_dev``/``st_ino``),
  not by name, so the same file reached through a symlinked folder, a symlink or a hard link
  is refused. Replacing a file on purpose (``--in-place``) passes no inputs.
- **Only regular files are replaced.** A folder, a FIFO, a device (``/dev/full``,
  ``/dev/stdout``), a socket at the output path: refused, nothing written. A read-only file is
  refused too (its mode says "do not change me"), as ``cp`` without ``-f`` would.
- **Symlinks are written through.** The link's final target is replaced and the link kept, so
  ``--in-place`` on a link updates the real file. A dangling link is refused: creating a file
  wherever a link points is how a planted link redirects a write.
- **Mode and owner are kept** for a replaced file; a new file gets ``0666`` less the umask, as
  any program creating a file does.
- **Hard links are kept.** A file with several links is not renamed over (that would detach
  this name from the others): once the new content is complete and fsynced in the temporary
  file, it is copied into the existing file, SIGINT/SIGTERM held off meanwhile. The same is done
  when the owner cannot be restored (a file of another user in a folder we may write to). That
  copy is not atomic against SIGKILL or a power cut; the complete temporary file then remains
  next to the output (``.xl-kpi-*.tmp``).
- **Durable and atomic.** The temporary file lives in the destination folder; it is fsynced,
  renamed over the output, and the folder is fsynced, so a crash leaves the old file or the
  new one, never half of one.
- **No litter.** On any exception, SIGINT or SIGTERM the temporary file is removed; a
  signal then takes its usual course (the process ends with the signal's status).
"""

from __future__ import annotations

import os
import signal
import stat
import tempfile
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

__all__ = ["UnsafeOutput", "atomic_output", "check_output", "same_file"]

TEMP_PREFIX = ".xl-kpi-"
_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class UnsafeOutput(Exception):
    """The output cannot be written without harming a file; the message is a one-line reason."""


def same_file(a: os.stat_result, b: os.stat_result) -> bool:
    """Two stat results describe the same file (whatever the names or links that led there)."""
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def check_output(path: str | os.PathLike, *, inputs: Iterable[str | os.PathLike] = ()) -> str:
    """The real path to write for ``path``, or raise :class:`UnsafeOutput` saying why not.

    Symlinks are resolved to their final target. ``inputs`` are files the output must not be.
    """
    path = os.fspath(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            raise UnsafeOutput(f"{path} is a symbolic link to a missing file; give the real path") from None
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            raise UnsafeOutput(f"cannot write {path}: the folder {folder} does not exist") from None
        return os.path.abspath(path)
    except OSError as exc:
        raise UnsafeOutput(f"cannot examine {path} ({exc.strerror or exc})") from None
    for src in inputs:
        try:
            if same_file(st, os.stat(src)):
                raise UnsafeOutput(f"the output {path} is the input {os.fspath(src)} (the same file)")
        except OSError:
            continue
    if not stat.S_ISREG(st.st_mode):
        raise UnsafeOutput(f"{path} is {_kind(st.st_mode)}; give a regular file to write")
    real = os.path.realpath(path)
    if not st.st_mode & 0o222 or not os.access(real, os.W_OK):
        raise UnsafeOutput(f"{path} is read-only; make it writable or write elsewhere")
    return real


def current_umask() -> int:
    """The process umask, read without changing it where the system allows (Linux /proc)."""
    try:
        with open("/proc/self/status", "rb") as fh:
            for line in fh:
                if line.startswith(b"Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)  # elsewhere: set and restore (not thread-safe, but brief)
    os.umask(mask)
    return mask


def _fsync_folder(folder: str) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot fsync a folder; the rename is still atomic
    finally:
        os.close(fd)


class _Signalled(BaseException):
    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _raise_on_signals() -> dict:
    """Make SIGINT/SIGTERM raise :class:`_Signalled` (main thread only); the previous handlers."""
    if threading.current_thread() is not threading.main_thread():
        return {}

    def handler(signum, frame):
        raise _Signalled(signum)

    # a signal the process ignores (a worker leaves Ctrl-C to its parent) stays ignored
    return {s: signal.signal(s, handler) for s in _SIGNALS if signal.getsignal(s) is not signal.SIG_IGN}


def _restore_signals(previous: dict) -> None:
    for s, h in previous.items():
        signal.signal(s, h if h is not None else signal.SIG_DFL)
    previous.clear()


def _redeliver(exc: _Signalled) -> None:
    """Let a caught signal take its usual course: death by the signal, or its own handler."""
    signal.raise_signal(exc.signum)
    if exc.signum == signal.SIGINT:
        raise KeyboardInterrupt from None
    raise SystemExit(128 + exc.signum) from None


@contextmanager
def _signals_held() -> Iterator[None]:
    """Block SIGINT/SIGTERM for a short critical section (delivered when it ends)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _copy_into(tmp: str, real: str) -> None:
    """Copy the finished temporary file into the existing file ``real`` (same inode kept)."""
    with open(tmp, "rb") as src, open(real, "r+b") as dst:
        while True:
            chunk = src.read(1 << 20)
            if not chunk:
                break
            dst.write(chunk)
        dst.truncate()
        dst.flush()
        os.fsync(dst.fileno())


def _restore_owner(tmp: str, st: os.stat_result) -> bool:
    """Give the temporary file the owner and group of the file it replaces; False if not allowed."""
    if (st.st_uid, st.st_gid) == (os.geteuid(), os.getegid()) or not hasattr(os, "chown"):
        return True
    try:
        os.chown(tmp, st.st_uid, st.st_gid)
    except PermissionError:
        return False
    return True


@contextmanager
def atomic_output(path: str | os.PathLike, *, inputs: Iterable[str | os.PathLike] = ()) -> Iterator[str]:
    """Yield a temporary path to write; on success it becomes ``path`` (see the module rules).

    Raises :class:`UnsafeOutput` (before anything is written) when ``path`` is one of
    ``inputs``, not a regular file, read-only or a dangling symlink. The temporary file is
    removed on any exception and on SIGINT/SIGTERM.
    """
    inputs = list(inputs)
    real = check_output(path, inputs=inputs)
    folder = os.path.dirname(real)
    name = os.path.basename(real)
    tmp = None
    previous = _raise_on_signals()
    try:
        fd, tmp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{name}.", suffix=".tmp", dir=folder)
        os.close(fd)
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        # the file may have changed while we wrote: look again before touching it
        real = check_output(path, inputs=inputs)
        if os.path.dirname(real) != folder:
            raise UnsafeOutput(f"{path} changed while it was being written; nothing was replaced")
        try:
            old = os.stat(real)
        except FileNotFoundError:
            old = None
        if old is None:
            os.chmod(tmp, 0o666 & ~current_umask())
        else:
            os.chmod(tmp, stat.S_IMODE(old.st_mode))
        if old is not None and (old.st_nlink > 1 or not _restore_owner(tmp, old)):
            with _signals_held():
                _copy_into(tmp, real)
                os.unlink(tmp)
            return
        os.replace(tmp, real)
        _fsync_folder(folder)
    except BaseException as exc:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        _restore_signals(previous)
        if isinstance(exc, _Signalled):
            _redeliver(exc)
        raise
    finally:
        _restore_signals(previous)
