"""The one exception tree of ktop_index: catch :class:`KtopError` to catch every failure the
package reports on purpose; the ``ktop`` command maps exactly these to a one-line message.

``KtopError`` → ``InputError`` (a file that cannot be read at all), ``DataError`` (data with
errors: cells, rows, a panel that allows nothing), ``CallError`` (a call file), ``SpecError``
(an index specification or model file), ``StoreError`` (a tracking store), ``UsageError``
(arguments that do not fit together). Each also derives from :class:`ValueError`, so code
written against the old plain ``ValueError`` keeps working. Unfitted estimators raise
scikit-learn's ``NotFittedError``.

Example
-------
>>> try:
...     raise CallError("call.toml: budget: expected a number of 천원, got 'lots'")
... except KtopError as exc:
...     print(exc)
call.toml: budget: expected a number of 천원, got 'lots'
"""

from __future__ import annotations


class KtopError(ValueError):
    """Base of every error ktop_index raises on purpose; its message is one line."""


class InputError(KtopError):
    """A file that cannot be read at all (missing, wrong format, undecodable)."""


class DataError(KtopError):
    """Data with errors. ``problems`` holds every problem found (validation), or is empty
    when the message says it all (a panel that allows no label, data that rates nobody)."""

    def __init__(self, problems=None):
        if problems is None or isinstance(problems, str):
            self.problems = []
            super().__init__(problems or "invalid data")
            return
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        more = f" (and {len(errors) - 1} more errors)" if len(errors) > 1 else ""
        super().__init__((errors[0].line() if errors else "invalid data") + more)


class CallError(KtopError):
    """A call file that cannot be used; the message names the file and the key."""


class SpecError(KtopError):
    """An index specification or model file that cannot be used; the message names the key."""


class StoreError(KtopError):
    """A tracking store that cannot be used (missing, newer than this package, not a store)."""


class UsageError(KtopError):
    """Arguments that do not fit together (the command line maps it to exit 2)."""
