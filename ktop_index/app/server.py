"""Serve the page on 127.0.0.1 only, offline: ``python -m ktop_index.app.server --port N``
(what ``ktop app`` starts).

Streamlit serves its own static files (its JavaScript, CSS and the Source Sans font are in
the installed package), so the page needs no network. What could reach outside is turned off
by :data:`SETTINGS`, given to Streamlit as the run's command-line flags (they win over any
``.streamlit/config.toml`` of the user or the folder):

- ``server.address = 127.0.0.1``: nothing but this computer can connect;
- ``browser.gatherUsageStats = false``: no usage statistics are sent (Streamlit's telemetry);
- ``server.headless = true``, ``server.showEmailPrompt = false``: no sign-up prompt, the
  browser opened here, at the 127.0.0.1 address;
- ``client.toolbarMode = minimal``, ``client.showErrorLinks = false``: no deploy button and
  no links to outside help; ``client.showErrorDetails = none``: no traceback reaches a person;
- ``server.enableXsrfProtection = true``, ``server.enableCORS = true``: no other web page
  may drive the page; ``server.enableAgentApi = false``; ``global.developmentMode = false``;
- ``server.fileWatcherType = none``, ``server.runOnSave = false``: nothing watched.

The page itself draws nothing from outside (no maps, no remote images or fonts).

Example
-------
>>> streamlit_command(8599)[1:4]
['-m', 'streamlit', 'run']
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import threading
import time
import urllib.request
import webbrowser

from ktop_index.app import PAGE
from ktop_index.app.flow import LANG_VARIABLE, LANGS

HOST = "127.0.0.1"
DEFAULT_PORT = 8501
#: Every Streamlit setting of the run (see the module's docstring for why each).
SETTINGS = {
    "server.address": HOST, "server.headless": True, "server.showEmailPrompt": False,
    "server.enableXsrfProtection": True, "server.enableCORS": True,
    "server.enableAgentApi": False, "server.fileWatcherType": "none",
    "server.runOnSave": False, "browser.gatherUsageStats": False,
    "browser.serverAddress": HOST, "global.developmentMode": False,
    "client.toolbarMode": "minimal", "client.showErrorDetails": "none",
    "client.showErrorLinks": False,
}
MESSAGES = {
    "serving": ("ktop app: the page is at {url} (this computer only; Ctrl+C stops it)",
                "ktop app: 페이지 주소 {url} (이 컴퓨터에서만 열림; Ctrl+C로 종료)"),
    "busy": (("ktop app: port {port} on {host} is in use (another ktop app?); choose another "
              "with --port"),
             ("ktop app: {host}의 포트 {port}을(를) 이미 쓰고 있습니다 (다른 ktop app?); "
              "--port로 다른 포트를 고르십시오")),
    "no_streamlit": (("ktop app: the page needs Streamlit, which is not installed: pip install "
                      "'ktop_index[app]'"),
                     ("ktop app: 페이지에 필요한 Streamlit이 설치되어 있지 않습니다: pip install "
                      "'ktop_index[app]'")),
}


def say(key: str, lang: str, **fields) -> str:
    """A message of the server in ``lang``.

    >>> say("serving", "en", url="http://127.0.0.1:8599")[:30]
    'ktop app: the page is at http:'
    """
    english, korean = MESSAGES[key]
    return (korean if lang == "ko" else english).format(**fields)


def streamlit_command(port: int, python: str = sys.executable) -> list[str]:
    """``python -m streamlit run PAGE`` with every setting as a flag."""
    flags = [f"--{name}={str(v).lower() if isinstance(v, bool) else v}"
             for name, v in {**SETTINGS, "server.port": port}.items()]
    return [python, "-m", "streamlit", "run", str(PAGE), *flags]


def port_free(port: int, host: str = HOST) -> bool:
    """Whether nothing listens on ``host:port`` (a bind succeeds)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def answers(url: str) -> bool:
    """Whether ``url`` answers HTTP 200 within a second."""
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def open_when_up(url: str, timeout: float = 60.0) -> None:
    """Open the browser at ``url`` once the page answers (in a thread; gives up quietly)."""
    def wait() -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if answers(url + "/_stcore/health"):
                webbrowser.open(url)
                return
            time.sleep(0.25)
    threading.Thread(target=wait, daemon=True).start()


def serve(port: int = DEFAULT_PORT, open_browser: bool = True, page_lang: str = "ko",
          lang: str = "en") -> int:
    """Serve the page on 127.0.0.1:``port`` until stopped (Ctrl+C or SIGTERM); returns the
    exit code: 0 stopped, 1 the port is in use or Streamlit is missing. Streamlit runs in
    this process (with :data:`SETTINGS`); ``page_lang`` is the page's first language,
    ``lang`` that of these messages."""
    import importlib.util

    if importlib.util.find_spec("streamlit") is None:
        print(say("no_streamlit", lang), file=sys.stderr)
        return 1
    if not port_free(port):
        print(say("busy", lang, host=HOST, port=port), file=sys.stderr)
        return 1
    url = f"http://{HOST}:{port}"
    print(say("serving", lang, url=url), flush=True)
    os.environ[LANG_VARIABLE] = page_lang
    if open_browser:
        open_when_up(url)
    return run_streamlit(streamlit_command(port)[3:])


def run_streamlit(arguments: list[str]) -> int:
    """Run ``streamlit ARGUMENTS`` in this process, as ``python -m streamlit`` does; it
    stops on Ctrl+C or SIGTERM. Returns its exit code."""
    import runpy

    sys.argv = ["streamlit", *arguments]
    try:
        runpy.run_module("streamlit", run_name="__main__", alter_sys=True)
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else 0
    except KeyboardInterrupt:
        return 0
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m ktop_index.app.server [--port N] [--no-browser] [--page-lang ko|en]
    [--lang ko|en]`` (``--lang``: the language of these messages)."""
    parser = argparse.ArgumentParser(prog="ktop app")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--page-lang", choices=LANGS, default="ko")
    parser.add_argument("--lang", choices=LANGS, default="en")
    args = parser.parse_args(argv)
    return serve(args.port, not args.no_browser, args.page_lang, args.lang)


if __name__ == "__main__":
    sys.exit(main())
