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
import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

_BLOCK = 1 << 20  # bytes read at a time when hashing a file


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _claim_temp(path: Path) -> Path:
    """A new hidden file beside ``path``, created with the permissions the umask allows."""
    while True:
        temp = path.with_name(f".{path.stem}.{secrets.token_hex(4)}.tmp{path.suffix}")
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


def write_text(path: str | os.PathLike, text: str) -> None:
    """Write UTF-8 text (``\\n`` line ends as given) atomically."""
    atomic_write(path, lambda temp: Path(temp).write_text(text, encoding="utf-8", newline=""))


def write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write bytes atomically."""
    atomic_write(path, lambda temp: Path(temp).write_bytes(data))


@contextlib.contextmanager
def atomic_folder(path: str | os.PathLike) -> Iterator[Path]:
    """Write a set of files as a whole: yield a hidden staging folder beside ``path``; when the
    block ends without error every file in it is moved into ``path`` (created if needed), each
    with one ``os.replace``. If the block fails, nothing in ``path`` changes.

    Files of ``path`` that the block did not write are left alone.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp"
    staging.mkdir(mode=0o777 & ~_umask())
    try:
        yield staging
        path.mkdir(exist_ok=True)
        for item in sorted(staging.iterdir()):
            with open(item, "rb") as handle:
                os.fsync(handle.fileno())
        for item in sorted(staging.iterdir()):
            os.replace(item, path / item.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


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
