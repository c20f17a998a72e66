"""Files, in one place: atomic writes (of a file, of a folder of files) and sha256 hashes
(of a file, of bytes, and of a model in its canonical form).

A reader never sees a half-written file: the bytes go to a hidden temporary file beside the
target, are flushed to disk, and replace the target in one ``os.replace``. The permissions are
an ordinary file's (``0666`` less the umask), not ``mkstemp``'s ``0600``.

Example
-------
>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "a.txt")
>>> write_text(path, "안녕\\n")
>>> sha256_file(path) == sha256_bytes("안녕\\n".encode())
True
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import mmap
import os
import secrets
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from glob import escape as glob_escape
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

_BLOCK = 1 << 20  # bytes read at a time when hashing a file


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _claim_temp(path: Path) -> Path:
    """A new hidden file beside ``path``, created with the permissions the umask allows.

    Its name carries the process id, so the temporary file of a run that was killed
    (``kill -9`` leaves no chance to remove it) is removed by the next write of ``path``.
    """
    for orphan in path.parent.glob(f".{glob_escape(path.stem)}.*.tmp{glob_escape(path.suffix)}"):
        pid = orphan.name[len(path.stem) + 2:].split(".")[0]
        if pid.isdigit() and not _alive(int(pid)):
            orphan.unlink(missing_ok=True)
    while True:
        temp = path.with_name(f".{path.stem}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
                              f"{path.suffix}")
        try:
            os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 & ~_umask()))
            return temp
        except FileExistsError:
            continue


def atomic_write(path: str | os.PathLike, write: Callable[[str], None]) -> None:
    """Call ``write(temp_path)`` to fill a temporary file, then put it at ``path`` atomically.

    The folder is created if needed. On any failure (or interruption) the temporary file is
    removed and an existing ``path`` is left as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = _claim_temp(path)
    try:
        write(str(temp))
        with open(temp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


SYNC_BYTES = 32 << 20  # bytes a long write hands to the disk at a time through the cache
DIRECT_BYTES = 8 << 20  # bytes a long write hands to the disk at a time past the page cache
_DIRECT = getattr(os, "O_DIRECT", 0) if fcntl else 0  # Linux; macOS and Windows have none


class DiskWriter:
    """An open binary file written to as it goes, from its start: the disk writes while the
    caller makes the next bytes, and :func:`atomic_write`'s closing fsync has little left to
    wait for. Call it from a thread of its own, as it waits for the disk; :meth:`close` it
    at the end, before the file is closed.

    On Linux the bytes go to the disk past the page cache (``O_DIRECT``), each
    :data:`DIRECT_BYTES` from one staging buffer and the last bytes through the cache. A
    fresh page of cache costs the kernel as much as copying the bytes into it, and on a
    virtual machine the host as much again: for a 421 MB scores file, 0.5-0.9 CPU-seconds
    against 0.1. Where the file system refuses that, the bytes go through the cache. Either
    way, every :data:`SYNC_BYTES` are handed to the disk (``fdatasync``) on the way.

    >>> import tempfile
    >>> with tempfile.TemporaryFile() as handle:
    ...     disk = DiskWriter(handle)
    ...     disk.write(b"abc")
    ...     disk.close()
    """

    def __init__(self, handle):
        self.handle, self.unsynced = handle, 0
        self.stage: mmap.mmap | None = None  # the staging buffer, page-aligned, when direct
        self.staged = 0
        handle.flush()
        if _DIRECT and handle.tell() == 0 and _set_direct(handle.fileno(), True):
            self.stage = mmap.mmap(-1, DIRECT_BYTES)

    @property
    def direct(self) -> bool:
        """Whether the bytes go past the page cache."""
        return self.stage is not None

    def write(self, data) -> None:
        view = memoryview(data).cast("B")
        while view and self.stage is not None:
            taken = min(len(view), DIRECT_BYTES - self.staged)
            self.stage[self.staged:self.staged + taken] = view[:taken]
            self.staged, view = self.staged + taken, view[taken:]
            if self.staged == DIRECT_BYTES:
                self._write_stage()
        if view:  # through the page cache
            self.handle.write(view)
            self._written(len(view))

    def _written(self, size: int) -> None:
        """Hand the disk what is written once :data:`SYNC_BYTES` are: past the page cache
        too, as a virtual machine's host caches them (421 MB took the closing fsync 0.46 s,
        every 32 MB on the way next to nothing)."""
        self.unsynced += size
        if self.unsynced >= SYNC_BYTES:
            self.handle.flush()
            _datasync(self.handle.fileno())
            self.unsynced = 0

    def _write_stage(self) -> None:
        view, self.staged = memoryview(self.stage)[:self.staged], 0
        try:
            while view:
                view = view[os.write(self.handle.fileno(), view):]
        except OSError:  # the file system took the flag but refuses the writes
            self._through_the_cache(view)
        else:
            self._written(DIRECT_BYTES)

    def close(self) -> None:
        """Write what is staged, through the page cache (it need not fill a block)."""
        if self.stage is not None:
            self._through_the_cache(memoryview(self.stage)[:self.staged])

    def _through_the_cache(self, view: memoryview) -> None:
        """Write ``view`` and every later byte through the page cache."""
        fd, self.stage = self.handle.fileno(), None  # the staging buffer goes with its views
        _set_direct(fd, False)
        while view:
            view = view[os.write(fd, view):]


def _set_direct(fd: int, on: bool) -> bool:
    """Turn ``O_DIRECT`` on or off for ``fd``; False when the file system refuses it."""
    try:
        flags = fcntl.fcntl(fd, fcntl.F_GETFL)
        fcntl.fcntl(fd, fcntl.F_SETFL, flags | _DIRECT if on else flags & ~_DIRECT)
    except OSError:
        return False
    return True


_datasync = getattr(os, "fdatasync", os.fsync)  # macOS and Windows have no fdatasync


def write_text(path: str | os.PathLike, text: str) -> None:
    """Write UTF-8 text (``\\n`` line ends as given) atomically."""
    atomic_write(path, lambda temp: Path(temp).write_text(text, encoding="utf-8", newline=""))


def write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write bytes atomically."""
    atomic_write(path, lambda temp: Path(temp).write_bytes(data))


@contextlib.contextmanager
def atomic_folder(path: str | os.PathLike, owned: Iterable[str] = ()) -> Iterator[Path]:
    """Write a folder of files as a whole: yield a hidden staging folder beside ``path``;
    when the block ends without error the staging folder takes the place of ``path`` in one
    step (Linux ``renameat2(RENAME_EXCHANGE)``; elsewhere two renames), and the old folder is
    removed. If the block fails, or the process is killed, ``path`` is left as it was.

    An existing ``path`` is replaced only when every entry in it is one of ``owned`` (the
    names this kind of folder holds: an earlier round of the same outputs); anything else in
    it is a person's file, and the folder is refused with an :class:`InputError` before any
    work, naming what is there.
    """
    path = Path(path)
    _check_replaceable(path, set(owned))
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_orphans(path)
    staging = path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    staging.mkdir(mode=0o777 & ~_umask())
    try:
        yield staging
        _fsync_files(staging)
        _check_replaceable(path, set(owned))  # again: it may have changed meanwhile
        _swap_in(staging, path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _remove_orphans(path: Path) -> None:
    """Staging folders beside ``path`` left by a run that was killed (their process is gone)."""
    for orphan in path.parent.glob(f".{glob_escape(path.name)}.*.tmp"):
        pid = orphan.name[len(path.name) + 2:].split(".")[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(orphan, ignore_errors=True)


@contextlib.contextmanager
def scratch_folder(prefix: str) -> Iterator[Path]:
    """A private folder for a run's temporary files in the system's temporary folder
    (``TMPDIR``), named ``PREFIX-PID-…`` and removed with its content when the block ends,
    with or without an error. Folders of the same prefix left by a run that was killed
    (their process is gone) are removed first.

    >>> with scratch_folder("ktop-doc") as folder:
    ...     (folder / "part.arrow").write_bytes(b"x")
    1
    >>> folder.exists()
    False
    """
    remove_orphans(prefix)
    with tempfile.TemporaryDirectory(prefix=f"{prefix}-{os.getpid()}-") as folder:
        yield Path(folder)


def remove_orphans(prefix: str) -> None:
    """Remove the :func:`scratch_folder` folders of ``prefix`` whose process is gone (a run
    that was killed)."""
    base = Path(tempfile.gettempdir())
    for orphan in base.glob(f"{glob_escape(prefix)}-*"):
        pid = orphan.name[len(prefix) + 1:].split("-")[0]
        if orphan.is_dir() and pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(orphan, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _check_replaceable(path: Path, owned: set[str]) -> None:
    from ktop_index.errors import InputError

    if path.exists() and not path.is_dir():
        raise InputError(f"{path}: is a file, not a folder (give a folder for the outputs)")
    if path.is_dir():
        foreign = sorted(e.name for e in path.iterdir() if e.name not in owned)
        if foreign:
            shown = ", ".join(foreign[:5]) + (" ..." if len(foreign) > 5 else "")
            raise InputError(f"{path}: holds files this command did not write ({shown}); "
                             "give a new or empty folder, so nothing of yours is replaced")


def _fsync_files(folder: Path) -> None:
    for item in folder.iterdir():
        with open(item, "rb") as handle:
            os.fsync(handle.fileno())


def _swap_in(staging: Path, path: Path) -> None:
    """Put ``staging`` at ``path``; what was at ``path`` ends up at ``staging`` (removed by
    the caller)."""
    if not path.exists():
        os.replace(staging, path)
        return
    if not _exchange(staging, path):
        old = path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.old.tmp"
        os.replace(path, old)
        os.replace(staging, path)
        os.replace(old, staging)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    if sys.platform != "linux":
        return False
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    done = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return done == 0


def sha256_bytes(data: bytes) -> str:
    """sha256 of bytes, as 64 hex digits."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | os.PathLike) -> str:
    """sha256 of a file's bytes, read 1 MiB at a time."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def canonical_json(data: dict) -> str:
    """The canonical text of a model file: JSON, one-space indents, keys in the model's own
    order, non-ASCII kept, no NaN, a final newline. ``TechIndex.save`` writes exactly this."""
    return json.dumps(data, ensure_ascii=False, indent=1, allow_nan=False) + "\n"


def model_sha256(data: dict) -> str:
    """sha256 of a model's canonical form (:func:`canonical_json` in UTF-8): the one hash
    of a model that audit records, the history store and model cards all show."""
    return sha256_bytes(canonical_json(data).encode("utf-8"))
