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
    """Base of every error ktop_index raises on purpose; its message is one line.

    ``ko`` is the same message in Korean, with the same details (file, row, column, what was
    expected); :meth:`message` picks the language. Without it, Korean users see the English.

    >>> KtopError("a.xlsx: the file is empty", ko="a.xlsx: 빈 파일입니다").message("ko")
    'a.xlsx: 빈 파일입니다'
    """

    def __init__(self, message: str = "", ko: str | None = None):
        super().__init__(message)
        self.ko = ko

    def message(self, lang: str = "en") -> str:
        """The message in English ('en') or Korean ('ko', when one was given)."""
        return self.ko if lang == "ko" and self.ko else str(self)


class InputError(KtopError):
    """A file that cannot be read at all (missing, wrong format, undecodable)."""


class DataError(KtopError):
    """Data with errors. ``problems`` holds every problem found (validation), or is empty
    when the message says it all (a panel that allows no label, data that rates nobody)."""

    def __init__(self, problems=None, ko: str | None = None):
        if problems is None or isinstance(problems, str):
            self.problems = []
            super().__init__(problems or "invalid data", ko)
            return
        self.problems = list(problems)
        super().__init__(self._summary("en"), ko)

    def message(self, lang: str = "en") -> str:
        if not self.problems:
            return super().message(lang)
        return self._summary(lang)

    def _summary(self, lang: str) -> str:
        errors = [p for p in self.problems if p.severity == "error"]
        if not errors:
            return "invalid data" if lang != "ko" else "데이터 오류"
        more = len(errors) - 1
        if not more:
            return errors[0].line(lang)
        return errors[0].line(lang) + (f" (외 오류 {more}건)" if lang == "ko"
                                       else f" (and {more} more errors)")


class CallError(KtopError):
    """A call file that cannot be used; the message names the file and the key."""


class SpecError(KtopError):
    """An index specification or model file that cannot be used; the message names the key."""


class StoreError(KtopError):
    """A tracking store that cannot be used (missing, newer than this package, not a store)."""


class UsageError(KtopError):
    """Arguments that do not fit together (the command line maps it to exit 2)."""
