"""The ``ktop`` command line: parse, call the Python API, print, exit (one module per group).

``app`` builds the parser and maps errors to exit codes; ``data``, ``synth``, ``index``,
``growth``, ``selection``, ``tracking`` and ``report`` each add their commands
(``add_parsers``) and hold their ``cmd_*`` functions; ``_common`` has what they share.
"""

from ktop_index.cli.app import main

__all__ = ["main"]
