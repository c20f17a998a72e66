"""The ``ktop`` command line: parse, call the Python API, print, exit (one module per group)."""

from ktop_index.cli.main import main

__all__ = ["main"]
