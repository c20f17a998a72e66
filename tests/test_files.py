"""ktop_index._files: atomic writes of a file and of a folder, and the hashes.

A folder of outputs is whole or untouched: a failure, or a process killed with SIGKILL while it
writes, leaves the last good folder; a folder holding a person's files is never replaced."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from ktop_index._files import atomic_folder, atomic_write, sha256_bytes, sha256_file, write_text
from ktop_index.errors import InputError

OWNED = ("a.csv", "b.csv", "report.html")


def write_round(path, text, names=("a.csv", "b.csv")):
    with atomic_folder(path, owned=OWNED) as staging:
        for name in names:
            (staging / name).write_text(text, encoding="utf-8")


def contents(path):
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(path.iterdir())}


def test_a_new_round_replaces_the_old_one_whole(tmp_path):
    """The old round's files go, a report beside them included; the new ones are all there."""
    out = tmp_path / "round"
    write_round(out, "old", names=("a.csv", "b.csv"))
    (out / "report.html").write_text("about the old round", encoding="utf-8")
    write_round(out, "new", names=("a.csv",))
    assert contents(out) == {"a.csv": "new"}
    assert [p.name for p in tmp_path.iterdir()] == ["round"]  # no staging folder left


def test_a_failure_inside_leaves_the_old_round(tmp_path):
    out = tmp_path / "round"
    write_round(out, "old")
    with pytest.raises(RuntimeError), atomic_folder(out, owned=OWNED) as staging:
        (staging / "a.csv").write_text("half", encoding="utf-8")
        raise RuntimeError("disk full")
    assert contents(out) == {"a.csv": "old", "b.csv": "old"}
    assert [p.name for p in tmp_path.iterdir()] == ["round"]


def test_a_folder_with_a_persons_files_is_refused_before_any_work(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "budget_plan.xlsx").write_text("keep me", encoding="utf-8")
    with pytest.raises(InputError, match=r"mine: holds files this command did not write "
                                         r"\(budget_plan\.xlsx\)"):
        write_round(out, "new")
    assert contents(out) == {"budget_plan.xlsx": "keep me"}
    with pytest.raises(InputError, match="is a file, not a folder"):
        write_round(out / "budget_plan.xlsx", "new")


KILLABLE = textwrap.dedent("""
    import sys, time
    from ktop_index._files import atomic_folder
    with atomic_folder(sys.argv[1], owned=("a.csv", "b.csv")) as staging:
        (staging / "a.csv").write_text("new", encoding="utf-8")
        print("staged", flush=True)
        time.sleep(30)  # killed here
        (staging / "b.csv").write_text("new", encoding="utf-8")
""")


def test_a_run_killed_while_writing_leaves_the_last_good_round(tmp_path):
    """SIGKILL (no cleanup runs) halfway through: the old round is intact, and the next run
    removes the killed run's staging folder."""
    out = tmp_path / "round"
    write_round(out, "old")
    run = subprocess.Popen([sys.executable, "-c", KILLABLE, str(out)], stdout=subprocess.PIPE,
                           text=True)
    assert run.stdout.readline().strip() == "staged"
    os.kill(run.pid, signal.SIGKILL)
    run.wait(timeout=10)
    assert contents(out) == {"a.csv": "old", "b.csv": "old"}
    assert len(list(tmp_path.glob(".round.*.tmp"))) == 1  # the killed run's, still there
    write_round(out, "new")
    assert contents(out) == {"a.csv": "new", "b.csv": "new"}
    assert [p.name for p in tmp_path.iterdir()] == ["round"]


def test_ktop_select_killed_at_any_instant_leaves_one_whole_round(tmp_path):
    """Real `ktop select` runs killed at spread instants: the folder always holds one round's
    files, all from the same run (the CSV's header language matches the audit's time)."""
    import json

    from ktop_index.report.outputs import FILES

    out = tmp_path / "round"
    data = os.path.join(os.path.dirname(__file__), "..", "data", "jeju_2025_applicants.csv")

    def select(lang, created):
        return [sys.executable, "-m", "ktop_index.cli", "select", data, "--call", "jeju_2025",
                "-o", str(out), "--variants", "200", "--lang", lang, "--created", created]

    rounds = {"en": "2026-01-01T00:00:00+00:00", "ko": "2026-02-02T00:00:00+00:00"}
    subprocess.run(select("en", rounds["en"]), check=True, capture_output=True)
    started = time.perf_counter()
    subprocess.run(select("ko", rounds["ko"]), check=True, capture_output=True)
    duration = time.perf_counter() - started
    for k, lang in enumerate(["en", "ko"] * 3):
        run = subprocess.Popen(select(lang, rounds[lang]), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
        time.sleep(duration * (0.55 + 0.08 * k))  # from mid-run to past the end
        run.kill()
        run.wait(timeout=30)
        names = {p.name for p in out.iterdir()}
        assert names == {FILES["csv"], FILES["xlsx"], FILES["audit"]}
        header = (out / FILES["csv"]).read_text(encoding="utf-8-sig").split(",")[0].strip('"')
        created = json.loads((out / FILES["audit"]).read_text(encoding="utf-8"))["created"]
        assert created == rounds["ko" if header == "사업자등록번호" else "en"]


KILLED_FILE = textwrap.dedent("""
    import sys, time
    from ktop_index._files import atomic_write
    def write(temp):
        open(temp, "w").write("half")
        print("writing", flush=True)
        time.sleep(30)  # killed here
    atomic_write(sys.argv[1], write)
""")


def test_a_temporary_file_of_a_killed_write_is_removed_by_the_next(tmp_path):
    """kill -9 leaves the hidden temporary file (no cleanup can run); the next write of the same
    file removes it, and a live writer's temporary file is left alone."""
    target = tmp_path / "scores.csv"
    write_text(target, "old")
    run = subprocess.Popen([sys.executable, "-c", KILLED_FILE, str(target)],
                           stdout=subprocess.PIPE, text=True)
    assert run.stdout.readline().strip() == "writing"
    os.kill(run.pid, signal.SIGKILL)
    run.wait(timeout=10)
    assert target.read_text() == "old"
    assert len(list(tmp_path.glob(".scores.*.tmp.csv"))) == 1
    live = tmp_path / f".scores.{os.getpid()}.abcd1234.tmp.csv"  # this process: alive
    live.write_text("in progress")
    write_text(target, "new")
    assert sorted(p.name for p in tmp_path.iterdir()) == [live.name, "scores.csv"]
    assert target.read_text() == "new"


def test_a_streamed_runs_scratch_folder_of_a_killed_run_is_removed_by_the_next(tmp_path,
                                                                              monkeypatch):
    """A run killed mid-stream (SIGKILL: no cleanup can run) leaves its scratch folders in
    TMPDIR (the spill's, the rejected records'), here named for a process that has ended; the
    next streamed run removes them, leaves a live run's alone, and leaves none of its own."""
    from ktop_index.data.io import write_table
    from ktop_index.index.files import score_file
    from ktop_index.synth import generate_panel

    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    source = tmp_path / "panel.csv"
    write_table(generate_panel(n_firms=300, years=(2022, 2023), seed=3), source)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    prefixes = ("ktop-stream", "ktop-rejects")  # the spill's, the rejected records'
    orphans = [tmp_path / f"{prefix}-{gone.stdout.strip()}-abcd" for prefix in prefixes]
    live = [tmp_path / f"{prefix}-{os.getpid()}-live" for prefix in prefixes]
    for folder in orphans + live:
        folder.mkdir()
        (folder / "ordered.arrow").write_bytes(b"spill")
    score_file(source, tmp_path / "scores.csv")
    assert not any(folder.exists() for folder in orphans)
    assert sorted(p.name for p in tmp_path.glob("ktop-*")) == sorted(f.name for f in live)


@pytest.fixture
def tiny_disk(tmp_path):
    """A 1 MiB tmpfs (needs root, as CI runs here); skipped where it cannot be mounted."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)],
                             check=False, capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (not root)")
    yield disk
    subprocess.run(["umount", "-l", str(disk)], check=False)


def fill(disk, leave: int) -> None:
    """Fill ``disk`` until fewer than ``leave`` bytes are free."""
    with open(disk / "filler.bin", "wb") as handle:
        while os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize > leave:
            handle.write(b"\0" * 4096)
            handle.flush()


def test_a_full_disk_leaves_the_last_round_and_no_temporary_files(tiny_disk):
    """A real `ktop select` and `ktop score` on a disk that fills up: exit 1 with the disk's
    one-line message, the last good round and the old scores untouched, nothing left behind."""

    data = os.path.join(os.path.dirname(__file__), "..", "data", "jeju_2025_applicants.csv")
    out, scores = tiny_disk / "round", tiny_disk / "scores.csv"
    select = [sys.executable, "-m", "ktop_index.cli", "select", data, "--call", "jeju_2025",
              "-o", str(out), "--variants", "0"]
    subprocess.run(select, check=True, capture_output=True)
    write_text(scores, "old scores")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    fill(tiny_disk, leave=8192)
    for command in (select, [sys.executable, "-m", "ktop_index.cli", "score", data, "-o",
                             str(scores)]):
        run = subprocess.run(command, check=False, capture_output=True, text=True)
        assert run.returncode == 1, run.stderr
        assert "No space left on device" in run.stderr and "Traceback" not in run.stderr
        assert len(run.stderr.strip().splitlines()) == 1
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert scores.read_text() == "old scores"
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["filler.bin", "round", "scores.csv"]


def test_atomic_write_keeps_the_old_file_on_failure_and_uses_ordinary_permissions(tmp_path):
    target = tmp_path / "x.txt"
    write_text(target, "old")
    def half_then_fail(temp):
        with open(temp, "w") as handle:
            handle.write("half")
        raise ValueError("bad")

    with pytest.raises(ValueError):
        atomic_write(target, half_then_fail)
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["x.txt"]
    previous = os.umask(0o022)
    try:
        write_text(tmp_path / "y.txt", "y")
    finally:
        os.umask(previous)
    assert (tmp_path / "y.txt").stat().st_mode & 0o777 == 0o644


def test_hashes_are_sha256():
    """Against the published sha256 test vector of 'abc' (FIPS 180-2)."""
    assert sha256_bytes(b"abc") == ("ba7816bf8f01cfea414140de5dae2223"
                                    "b00361a396177a9cb410ff61f20015ad")


def test_file_hash_reads_in_blocks(tmp_path):
    path = tmp_path / "big.bin"
    data = os.urandom(3 * (1 << 20) + 5)
    path.write_bytes(data)
    assert sha256_file(path) == sha256_bytes(data)


def test_disk_writer_keeps_the_bytes_and_hands_them_to_the_disk_as_it_goes(tmp_path,
                                                                          monkeypatch):
    from ktop_index import _files

    synced: list[int] = []
    monkeypatch.setattr(_files, "_DIRECT", 0)  # through the page cache, as off Linux
    monkeypatch.setattr(_files, "SYNC_BYTES", 10)
    monkeypatch.setattr(_files, "_datasync", lambda fd: synced.append(os.fstat(fd).st_size))
    pieces = [b"abcd", b"efghijk", b"l", b"mnopqrstuvwxyz", b"01"]
    with open(tmp_path / "out.bin", "wb") as handle:
        disk = _files.DiskWriter(handle)
        for piece in pieces:
            disk.write(piece)
        disk.close()
    assert (tmp_path / "out.bin").read_bytes() == b"".join(pieces)
    # a sync once 10 bytes are unsynced, of everything written up to then (flushed first)
    assert synced == [11, 26]


def _pieces(seed: int) -> list[bytes]:
    rng = np.random.default_rng(seed)  # pieces smaller and larger than the staging buffer
    return [rng.bytes(int(n)) for n in rng.integers(0, 3 * 4096, size=25)] + [b"tail"]


def _written_directly(path, pieces, before_close=lambda disk: None) -> bytes:
    """The bytes of ``path`` once a DiskWriter past the page cache wrote ``pieces`` into it
    (skipped where the system or file system takes no O_DIRECT); ``before_close(disk)``
    runs after the last piece."""
    from ktop_index import _files

    with open(path, "wb") as handle:
        disk = _files.DiskWriter(handle)
        if not disk.direct:
            pytest.skip("this file system (or system) takes no O_DIRECT")
        for piece in pieces:
            disk.write(piece)
        before_close(disk)
        disk.close()
    return path.read_bytes()


def test_disk_writer_past_the_page_cache_keeps_every_byte(tmp_path, monkeypatch):
    """Past the page cache (O_DIRECT), the bytes are staged in whole blocks of 4096 and the
    last ones written through the cache: the file holds every byte, in order."""
    from ktop_index import _files

    monkeypatch.setattr(_files, "DIRECT_BYTES", 4096)
    pieces = _pieces(1)
    assert _written_directly(tmp_path / "out.bin", pieces) == b"".join(pieces)


def test_disk_writer_past_the_page_cache_hands_the_bytes_to_the_disk_as_it_goes(tmp_path,
                                                                               monkeypatch):
    """Past the page cache too, a sync once SYNC_BYTES are written (a virtual machine's host
    caches them): here every second block of 4096, of everything written up to then."""
    from ktop_index import _files

    synced: list[int] = []
    monkeypatch.setattr(_files, "DIRECT_BYTES", 4096)
    monkeypatch.setattr(_files, "SYNC_BYTES", 8192)
    monkeypatch.setattr(_files, "_datasync", lambda fd: synced.append(os.fstat(fd).st_size))
    pieces = _pieces(3)
    assert _written_directly(tmp_path / "out.bin", pieces) == b"".join(pieces)
    blocks = sum(map(len, pieces)) // 4096
    assert synced == [8192 * k for k in range(1, blocks // 2 + 1)]


def test_disk_writer_goes_through_the_cache_when_direct_writes_are_refused(tmp_path,
                                                                         monkeypatch):
    """A file system that takes the O_DIRECT flag but refuses the writes (EINVAL): the
    staged bytes and every later one go through the page cache, none lost."""
    import errno
    import fcntl

    from ktop_index import _files

    if not _files._DIRECT:
        pytest.skip("no O_DIRECT on this system")
    real_write = os.write

    def refusing(fd, data):
        if fcntl.fcntl(fd, fcntl.F_GETFL) & _files._DIRECT:
            raise OSError(errno.EINVAL, "Invalid argument")
        return real_write(fd, data)

    def gone_through_the_cache(disk):
        assert not disk.direct

    monkeypatch.setattr(_files, "DIRECT_BYTES", 4096)
    monkeypatch.setattr(_files.os, "write", refusing)
    pieces = _pieces(2)
    assert _written_directly(tmp_path / "out.bin", pieces,
                             gone_through_the_cache) == b"".join(pieces)
