"""The page as an officer uses it, in a real headless Chromium (issue 17, item 5).

``ktop app`` is started as a subprocess (``app_url``); Debian's Chromium, driven by Playwright,
opens ``/?call=jeju_2025&lang=ko``, uploads the bundled Jeju applicants through the page's
``<input type=file>``, clicks 선정 실행, waits for the ranked list and downloads
``selection.xlsx``, ``selection.csv`` and ``audit.json``. Their bytes must equal what
``ktop select`` writes for the same file, call, language (``--lang``: the page in Korean
writes Korean headers) and created stamp: the independent answer is the CLI's own output. Every
request the page makes (scripts, styles, fonts, uploads, downloads, the websocket) must go to
127.0.0.1: the page works with no network and sends nothing out (no CDN, no web fonts, no
telemetry). The same in English (``lang=en``, Run selection).

Screenshots of each state (empty page, after the upload, after the run, the other tabs) are
saved as ``LANG_N_STATE.png`` to ``$KTOP_SCREENSHOTS`` (default: the test's tmp folder) for a
person to look at: ``KTOP_SCREENSHOTS=shots python -m pytest tests/app/test_browser.py``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPLICANTS = ROOT / "data" / "jeju_2025_applicants.xlsx"
CALL = "jeju_2025"

#: The run button's label in each language (the page's contract, issue 17).
RUN_LABEL = {"ko": "선정 실행", "en": "Run selection"}

#: The downloads compared byte for byte with the files ``ktop select`` writes.
DOWNLOADS = ("selection.xlsx", "selection.csv", "audit.json")

#: Where the page may send requests: this machine only.
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}

#: Milliseconds the page may take for one step (the Jeju run with its report's pictures
#: takes about 12 s on a busy 2-core machine).
STEP_TIMEOUT = 45_000


def screenshot_dir(tmp_path: Path) -> Path:
    """``$KTOP_SCREENSHOTS`` if set (kept for a person to look at), else the test's tmp folder."""
    folder = Path(os.environ.get("KTOP_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def shoot(page, folder: Path, name: str) -> Path:
    """Save the whole page, top to bottom, as ``folder/name.png``; return its path.

    Streamlit scrolls inside its own container, so the window is made as tall as the content
    (at most 12,000 px) for the picture, then given back its size.
    """
    path = folder / f"{name}.png"
    size = page.viewport_size
    tall = page.evaluate("""() => {
        const main = document.querySelector('[data-testid="stMain"]');
        return Math.max(main ? main.scrollHeight : 0, document.body.scrollHeight);
    }""")
    page.set_viewport_size({"width": size["width"], "height": min(max(tall, size["height"]),
                                                                  12_000)})
    try:
        page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]')?.scrollTo(0, 0)")
        page.wait_for_timeout(300)  # let the resized page draw
        page.screenshot(path=str(path))
    finally:
        page.set_viewport_size(size)
    return path


def settle(page, timeout: float = STEP_TIMEOUT) -> None:
    """Wait until Streamlit has been idle for a second: its app says its script is not
    running (``data-test-script-state``), no running indicator, no element left stale."""
    page.evaluate("() => { window.__ktopIdleSince = null; }")
    page.wait_for_function("""() => {
        const app = document.querySelector('[data-testid="stApp"]');
        const busy = !app || app.getAttribute('data-test-script-state') !== 'notRunning'
            || document.querySelector('[data-testid="stStatusWidget"], [data-stale="true"]');
        const now = performance.now();
        if (busy) {
            window.__ktopIdleSince = null;
            return false;
        }
        window.__ktopIdleSince = window.__ktopIdleSince || now;
        return now - window.__ktopIdleSince > 1000;
    }""", polling=100, timeout=timeout)


def is_local(url: str) -> bool:
    """Whether a request's URL stays on this machine (``data:`` and a local ``blob:`` do).

    >>> is_local("http://127.0.0.1:8501/static/js/index.js"), is_local("data:image/png;base64,")
    (True, True)
    >>> is_local("https://data.streamlit.io/metrics.json"), is_local("blob:http://localhost:1/x")
    (False, True)
    """
    if url.startswith(("data:", "about:")):
        return True
    return urlparse(url.removeprefix("blob:")).hostname in LOCAL_HOSTS


def start_ktop_select(lang: str, created: str, out: Path) -> subprocess.Popen:
    """``ktop select`` of the Jeju applicants into ``out``, started now (it runs beside the
    browser), in ``lang`` with the created stamp the page uses."""
    command = [sys.executable, "-m", "ktop_index.cli", "select", str(APPLICANTS),
               "--call", CALL, "-o", str(out), "--created", created, "--lang", lang]
    return subprocess.Popen(command, cwd=ROOT, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def cli_outputs(proc: subprocess.Popen, out: Path) -> dict[str, bytes]:
    """The files the finished ``ktop select`` wrote, by name (those of :data:`DOWNLOADS`)."""
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, f"ktop select failed: {err.decode(errors='replace')}"
    return {name: (out / name).read_bytes() for name in DOWNLOADS}


def uploaded_chip(page, name: str):
    """The uploader's entry for the file ``name`` (Streamlit shortens the name it shows, so
    the entry is found by its full name in ``title`` or ``aria-label``)."""
    return page.locator(f'[title="{name}"], [aria-label^="{name}"]').first


def download(page, name: str, timeout: float = STEP_TIMEOUT) -> bytes:
    """Click the download (button or link) whose label contains ``name``; the bytes it gives."""
    target = page.locator("button, a").filter(has_text=name).first
    target.wait_for(state="visible", timeout=timeout)
    settle(page, timeout)  # a click during a rerun could meet a file the rerun replaced
    with page.expect_download(timeout=timeout) as info:
        target.click()
    assert info.value.suggested_filename == name, "the browser would save it under another name"
    return Path(info.value.path()).read_bytes()


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_a_call_run_in_the_browser_downloads_what_ktop_select_writes(
        lang, browser, app_url, created, tmp_path):
    with start_ktop_select(lang, created, tmp_path / "cli") as expected:
        got, requested = run_call_in_browser(browser, app_url, lang, screenshot_dir(tmp_path))
        written = cli_outputs(expected, tmp_path / "cli")
    for name in DOWNLOADS:
        assert got[name] == written[name], \
            f"the page's {name} differs from ktop select --lang {lang}'s"
    outside = sorted({url for url in requested if not is_local(url)})
    assert not outside, f"the page requested outside 127.0.0.1: {outside}"
    assert any("127.0.0.1" in url for url in requested)  # the recording itself worked


def run_call_in_browser(browser, app_url: str, lang: str,
                        shots: Path) -> tuple[dict[str, bytes], list[str]]:
    """What an officer does: open the page, upload the applicants, run, download the files
    of :data:`DOWNLOADS`. Returns their bytes by name and every URL the page requested; a
    screenshot of each state (and of the other tabs) goes to ``shots``."""
    context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000},
                                  locale="ko-KR" if lang == "ko" else "en-US")
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("websocket", lambda socket: requested.append(socket.url))
    try:
        page.goto(f"{app_url}/?call={CALL}&lang={lang}")
        upload = page.locator("input[type=file]").first
        upload.wait_for(state="attached", timeout=STEP_TIMEOUT)
        settle(page)
        shoot(page, shots, f"{lang}_1_empty")

        upload.set_input_files(str(APPLICANTS))
        uploaded_chip(page, APPLICANTS.name).wait_for(timeout=STEP_TIMEOUT)
        settle(page)
        shoot(page, shots, f"{lang}_2_uploaded")

        page.get_by_role("button", name=re.compile(RUN_LABEL[lang])).click()
        got = {name: download(page, name) for name in DOWNLOADS}
        settle(page)
        shoot(page, shots, f"{lang}_3_ranked")
        for number, tab in enumerate(page.get_by_role("tab").all()[1:], start=4):
            tab.click()  # the other tabs (firm, history), for the person looking
            settle(page)
            shoot(page, shots, f"{lang}_{number}_tab")
    finally:
        context.close()
    return got, requested
