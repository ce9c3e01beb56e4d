"""Files read and written safely: atomic writes, bounded reads of regular files only, outputs
that are not inputs, and text clipped and escaped for messages and terminals.

Writing (`atomic_write`): every file rulekit writes goes to a hidden temporary file in the
destination's folder (`.NAME.rulekit-PID.tmp`), is flushed and fsynced, then renamed over the
destination in one step. On any failure (an exception, KeyboardInterrupt, a signal turned into
one) the temporary is removed and the destination is left as it was. A process killed with
SIGKILL cannot clean up: the next write to the same destination removes temporaries left by
processes that no longer run.

Reading (`read_capped`): only regular files are read (a FIFO, a device such as /dev/zero, a
socket or a directory is refused without being opened for reading, so nothing blocks), and a
size limit is enforced while reading, so a file that grows cannot exhaust memory either.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, Literal, overload

_TEMP_TAG = ".rulekit-"


class UnsafeFileError(OSError):
    """A file that is not a regular file, or larger than allowed, or an output that is an input."""


def temp_name(target: str) -> str:
    """The hidden temporary file next to `target` that this process writes into."""
    folder, name = os.path.split(target)
    return os.path.join(folder, f".{name}{_TEMP_TAG}{os.getpid()}.tmp")


def _sweep_stale(target: str) -> None:
    """Remove temporaries of `target` left by processes that are gone (killed with SIGKILL)."""
    folder, name = os.path.split(target)
    prefix = f".{name}{_TEMP_TAG}"
    try:
        entries = os.listdir(folder or ".")
    except OSError:
        return
    for entry in entries:
        if not (entry.startswith(prefix) and entry.endswith(".tmp")):
            continue
        pid_text = entry[len(prefix) : -len(".tmp")]
        if not pid_text.isdigit() or int(pid_text) == os.getpid():
            continue
        try:
            os.kill(int(pid_text), 0)
        except ProcessLookupError:
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(folder, entry))
        except OSError:
            pass  # alive, owned by someone else


@overload
def atomic_write(
    path: str | os.PathLike[str],
    mode: Literal["w"] = "w",
    *,
    encoding: str = "utf-8",
    newline: str | None = "\n",
) -> contextlib.AbstractContextManager[IO[str]]: ...


@overload
def atomic_write(
    path: str | os.PathLike[str],
    mode: Literal["wb"],
    *,
    encoding: str = "utf-8",
    newline: str | None = "\n",
) -> contextlib.AbstractContextManager[IO[bytes]]: ...


def atomic_write(
    path: str | os.PathLike[str],
    mode: str = "w",
    *,
    encoding: str = "utf-8",
    newline: str | None = "\n",
) -> contextlib.AbstractContextManager[IO[Any]]:
    """A file object that becomes `path` only when the `with` block completes.

    `mode` is "w" (text, with `encoding` and `newline`) or "wb". The destination is replaced
    atomically; if the block raises (anything, KeyboardInterrupt included) the temporary is
    removed and the destination is untouched.
    """
    return _atomic(os.fspath(path), mode, encoding, newline)


@contextlib.contextmanager
def _atomic(target: str, mode: str, encoding: str, newline: str | None) -> Iterator[IO[Any]]:
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_write writes with mode 'w' or 'wb', not {mode!r}")
    _sweep_stale(target)
    temp = temp_name(target)
    fh: IO[Any]
    if mode == "wb":
        fh = open(temp, "wb")  # noqa: SIM115 - closed below, on every path
    else:
        fh = open(temp, "w", encoding=encoding, newline=newline)  # noqa: SIM115
    try:
        try:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        finally:
            fh.close()
        try:
            mode_bits = stat.S_IMODE(os.stat(target).st_mode)
        except OSError:
            mode_bits = None
        if mode_bits is not None:
            with contextlib.suppress(OSError):
                os.chmod(temp, mode_bits)  # keep the permissions of the file replaced
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _fsync_folder(os.path.dirname(target) or ".")


def _fsync_folder(folder: str) -> None:
    """Make the rename durable (best effort: not every file system lets a folder be fsynced)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write `text` (UTF-8, `\\n` line ends as given) to `path` atomically."""
    with atomic_write(path) as fh:
        fh.write(text)


def read_capped(path: str | os.PathLike[str], limit: int | None) -> bytes:
    """The bytes of a regular file, refusing anything else and anything over `limit` bytes.

    Raises UnsafeFileError (a subclass of OSError, with a readable `strerror`) for a FIFO, a
    device, a socket or a directory, and for a file over the limit (checked while reading, so
    a file that grows is caught too); OSError when the file cannot be opened or read.
    """
    name = os.fspath(path)
    fd = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnsafeFileError(errno.EINVAL, f"not a regular file ({_kind(info.st_mode)})", name)
        if limit is not None and info.st_size > limit:
            raise UnsafeFileError(errno.EFBIG, _too_big(info.st_size, limit), name)
        chunks: list[bytes] = []
        total = 0
        size = info.st_size + 1  # the whole file in one read (one chunk: no copy to join)
        while True:
            chunk = os.read(fd, size)
            size = 1 << 20
            if not chunk:
                break
            total += len(chunk)
            if limit is not None and total > limit:
                raise UnsafeFileError(errno.EFBIG, _too_big(total, limit), name)
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _too_big(size: int, limit: int) -> str:
    return f"the file is over {limit:,} bytes ({size:,} read)"


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a directory"
    return "not a regular file"


def regular_file_problem(path: str | os.PathLike[str]) -> str | None:
    """Why `path` cannot be read as a regular file (None if it can), without opening it."""
    try:
        info = os.stat(path)
    except OSError as exc:
        return exc.strerror or str(exc)
    if stat.S_ISREG(info.st_mode):
        return None
    return f"not a regular file ({_kind(info.st_mode)})"


def is_regular_file(path: str | os.PathLike[str]) -> bool:
    """True for a regular file (following symlinks); never opens it, so never blocks."""
    return regular_file_problem(path) is None


def output_problem(
    path: str | os.PathLike[str],
    inputs: Iterable[str | os.PathLike[str] | None] = (),
    extensions: Iterable[str] | None = None,
) -> str | None:
    """Why `path` cannot be written as an output (None if it can), checked before any work.

    Refuses an extension not in `extensions` (lower case, with the dot), a folder that does
    not exist or cannot be written, a destination that is a folder or not a regular file, and a
    destination that is one of `inputs` (the same file, whatever name or link reaches it).
    """
    name = os.fspath(path)
    if extensions is not None:
        allowed = list(extensions)
        suffix = Path(name).suffix.lower()
        if suffix not in allowed:
            what = f"extension {suffix!r}" if suffix else "a name without an extension"
            return f"cannot write {what}; use one of {', '.join(allowed)}"
    folder = os.path.dirname(os.path.abspath(name))
    if not os.path.isdir(folder):
        return f"the folder {os.path.dirname(name) or '.'} does not exist"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"the folder {os.path.dirname(name) or '.'} cannot be written"
    if os.path.lexists(name):
        if os.path.isdir(name):
            return "is a folder"
        for other in inputs:
            if other is None:
                continue
            with contextlib.suppress(OSError):
                if os.path.samefile(name, other):
                    return f"is the input file {os.fspath(other)}; write the output elsewhere"
        problem = regular_file_problem(name)
        if problem is not None:
            return problem
    return None


# ---------------------------------------------------------------------------------------------
# Text for messages and terminals

MAX_QUOTED = 80  # characters of one quoted value in a message
MAX_LISTED = 10  # items of one list in a message


def clip(text: str, limit: int = MAX_QUOTED) -> str:
    """`text` cut to `limit` characters, saying how many more there were."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit:,} more characters)"


def quoted(value: Any, limit: int = MAX_QUOTED) -> str:
    """repr() of a value (control characters escaped), cut to about `limit` characters."""
    if isinstance(value, str) and len(value) > limit:
        return repr(value[:limit]) + f"… ({len(value) - limit:,} more characters)"
    text = repr(value)
    return clip(text, limit) if len(text) > limit * 2 else text


def listed(items: Iterable[str], limit: int = MAX_LISTED, sep: str = ", ") -> str:
    """Items joined by `sep`, the first `limit` of them, then `… and 999,990 more`."""
    shown: list[str] = []
    extra = 0
    for item in items:
        if len(shown) < limit:
            shown.append(item)
        else:
            extra += 1
    text = sep.join(shown)
    return f"{text}{sep}… and {extra:,} more" if extra else text


_CONTROL = {c: f"\\x{c:02x}" for c in (*range(0x00, 0x20), 0x7F)}
_CONTROL.update({c: f"\\u{c:04x}" for c in range(0x80, 0xA0)})
_CONTROL.update({ord("\t"): "\\t", ord("\n"): "\\n", ord("\r"): "\\r"})
# bidirectional overrides can reorder what a terminal shows
_CONTROL.update({c: f"\\u{c:04x}" for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))})


def printable(text: str) -> str:
    """`text` with control characters (terminal escapes, line breaks, bidi overrides) shown as
    escapes (`\\x1b`), so data cannot move the cursor, retitle or clear a terminal."""
    return text.translate(_CONTROL)
