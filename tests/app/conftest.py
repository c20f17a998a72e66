"""Fixtures of the page's tests: a free port, ``ktop app`` served on it, a headless Chromium.

``app_url`` starts ``python -m ktop_index.cli app --no-browser --port N`` as a subprocess
(the real command an officer types, with the created stamp pinned by ``KTOP_CREATED``), waits
until it answers on 127.0.0.1 and stops it after the module's tests. ``browser`` is Debian's
Chromium driven by Playwright (never a downloaded browser); the tests that use it are skipped,
with the reason, only where no browser can be had.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

#: Debian's ``chromium`` package (``apt-get install chromium``; .ci/run installs it).
CHROMIUM = Path("/usr/bin/chromium")

#: The created stamp the page and ``ktop select --created`` share, for byte-identical files.
CREATED = "2025-03-01T09:00:00+09:00"

#: Seconds ``ktop app`` may take to answer (Streamlit starts in about 3 s on 2 cores).
START_TIMEOUT = 60.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now (the OS picks it).

    >>> 1024 <= free_port() <= 65535
    True
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(url: str) -> bool:
    """Whether ``url`` answers HTTP 200 within a second."""
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


@contextmanager
def serving(command: Sequence[str], port: int, folder: Path, env: dict[str, str],
            timeout: float = START_TIMEOUT) -> Iterator[str]:
    """Run ``command`` (a server on 127.0.0.1:``port``) until the block ends; yield its URL.

    It runs in ``folder`` (whatever it writes lands there), ``env`` is its whole environment,
    its output goes to ``folder/server.log``. Raises ``RuntimeError``
    with the log's end when the server exits or does not answer within ``timeout`` seconds.
    Stopped with SIGTERM, then SIGKILL after 10 s.
    """
    url, log = f"http://127.0.0.1:{port}", folder / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(list(command), cwd=folder, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, env=env)
    try:
        _wait_until_up(proc, url, log, timeout)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_until_up(proc: subprocess.Popen, url: str, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not answers(url + "/"):
        if proc.poll() is not None or time.monotonic() > deadline:
            why = f"exited with {proc.returncode}" if proc.poll() is not None else \
                f"did not answer on {url} within {timeout:.0f} s"
            tail = log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"{' '.join(proc.args)} {why}; its output ends:\n{tail}")
        time.sleep(0.25)


def app_command(port: int) -> list[str]:
    """``ktop app --no-browser --port N`` through this interpreter (no PATH needed)."""
    return [sys.executable, "-m", "ktop_index.cli", "app", "--no-browser", "--port", str(port)]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory) -> Iterator[str]:
    """The address of ``ktop app`` served for this module, its created stamp pinned."""
    port = free_port()
    folder = tmp_path_factory.mktemp("app")
    # the page's language comes from ?lang=, not from the shell's KTOP_LANG
    env = {k: v for k, v in os.environ.items() if k != "KTOP_LANG"} | {"KTOP_CREATED": CREATED}
    with serving(app_command(port), port, folder, env) as url:
        yield url


@pytest.fixture
def created() -> str:
    """The created stamp ``app_url``'s page writes into its files (``KTOP_CREATED``)."""
    return CREATED


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium under Playwright; skips where no browser can be had."""
    if not CHROMIUM.exists():
        pytest.skip(f"no browser: {CHROMIUM} is missing (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        pytest.skip(f"no browser: playwright cannot be imported ({exc})")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield chromium
        chromium.close()
