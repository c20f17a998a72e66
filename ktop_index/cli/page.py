"""``ktop app``: serve the officers' web page on 127.0.0.1 (docs/app.md).

The page is its own program (``python -m ktop_index.app.server``, beside the command line,
not under it): this command only checks its options, starts it and waits; Ctrl+C or SIGTERM
stop both. Nothing here imports Streamlit, so ``ktop --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys

from ktop_index.cli._common import EXIT_OK
from ktop_index.cli._lang import env_lang
from ktop_index.errors import UsageError

PAGE_LANGS = ("ko", "en")
SERVER = "ktop_index.app.server"


def add_parsers(sub) -> None:
    """Add ``app`` to the ``ktop`` subparsers."""
    p = sub.add_parser("app", help="the officers' web page on this computer (127.0.0.1)",
                       description="Serve the selection page on 127.0.0.1 only and open it "
                                   "in the browser: upload the applicants, fix what is wrong, "
                                   "choose and adjust the call, run the selection, see the "
                                   "ranked list and download the files `ktop select` writes. "
                                   "Works offline; Ctrl+C stops it. Needs the extra: pip "
                                   "install 'ktop_index[app]'.")
    p.add_argument("--port", type=_port, default=8501, metavar="N",
                   help="port on 127.0.0.1 (default 8501)")
    p.add_argument("--no-browser", action="store_true",
                   help="do not open the browser; only print the address")
    p.add_argument("--lang", choices=PAGE_LANGS, default=None, dest="page_lang",
                   help="the page's first language: ko (default) or en; also the language "
                        "of messages")
    p.set_defaults(func=cmd_app)


def _port(text: str) -> int:
    """A TCP port, 1-65535 (argparse reports a ValueError)."""
    number = int(text)
    if not 1 <= number <= 65535:
        raise ValueError(text)
    return number


_port.__name__ = "port"  # argparse: "invalid port value: '0'"


def cmd_app(args: argparse.Namespace) -> int:
    """Start the page's server and wait for it; its exit code is this command's."""
    if importlib.util.find_spec("streamlit") is None:
        raise UsageError("the page needs Streamlit, which is not installed: pip install "
                         "'ktop_index[app]'",
                         ko="페이지에 필요한 Streamlit이 설치되어 있지 않습니다: pip install "
                            "'ktop_index[app]'")
    page_lang = args.page_lang or (env_lang() if _lang_set() else "ko")
    command = [sys.executable, "-m", SERVER, "--port", str(args.port),
               "--page-lang", page_lang, "--lang", args.lang or "en"]
    if args.no_browser:
        command.append("--no-browser")
    return wait(subprocess.Popen(command, stdin=subprocess.DEVNULL))


def _lang_set() -> bool:
    """Whether KTOP_LANG asks for a language (then the page starts in it)."""
    import os

    return bool(os.environ.get("KTOP_LANG", "").strip())


def wait(proc: subprocess.Popen) -> int:
    """Wait for the server; Ctrl+C or SIGTERM stop it too (exit 0)."""
    import signal

    def stop(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        code = proc.wait()
        return EXIT_OK if code in (0, -signal.SIGTERM, -signal.SIGINT) else code
    except KeyboardInterrupt:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        return EXIT_OK
    finally:
        signal.signal(signal.SIGTERM, previous)
