"""Korean business registration numbers (사업자등록번호, BRN): format, check digit, type code.

The rule (see ``ktop_index/reference/SOURCES.md``, taken from the eGovFramework common
component and verified on public numbers): digits d1..d9 are weighted 1,3,7,1,3,7,1,3,5;
the tens digit of d9*5 is added once more; the check digit is (10 - S mod 10) mod 10.

Example
-------
>>> normalise_brn("124-81-00998")
'1248100998'
>>> brn_problem("124-81-00997")
'check digit is 7, expected 8'
>>> brn_problem("124-81-00997", lang="ko")
'검증번호가 7이지만 8이어야 함'
>>> format_brn("1248100998")
'124-81-00998'
"""

from __future__ import annotations

import re
import unicodedata

from ktop_index.labels import BRN_REASONS_KO

_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)
_SEPARATORS = re.compile(r"[\s\-–—.]")


def normalise_brn(value: object) -> str:
    """Return the BRN as a string with separators removed (not checked).

    Accepts hyphens, spaces and full-width digits; a number that Excel turned into a float
    (``1248100998.0``) loses its trailing ``.0``.
    """
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if re.fullmatch(r"\d{10}\.0+", text):
        text = text.split(".")[0]
    return _SEPARATORS.sub("", text)


def check_digit(first_nine: str) -> int:
    """The check digit for nine BRN digits (a string of digits)."""
    digits = [int(c) for c in first_nine]
    total = sum(d * w for d, w in zip(digits, _WEIGHTS))
    total += (digits[8] * 5) // 10
    return (10 - total % 10) % 10


def valid_digit_rows(digits):
    """Which rows of an integer numpy array of ten-digit BRNs (n x 10, values 0-9) are valid:
    :func:`brn_reason` is None for exactly these (prefix, type code, serial and check digit,
    the same rule as :func:`check_digit`), computed for all rows at once.

    >>> import numpy as np
    >>> valid_digit_rows(np.array([[1, 2, 4, 8, 1, 0, 0, 9, 9, 8], [1, 2, 4, 8, 1, 0, 0, 9, 9, 7]]))
    array([ True, False])
    """
    place = digits.T.copy()  # one row per digit place (numpy's array: no import here)
    total = (place[8] * 5) // 10
    for weight, column in zip(_WEIGHTS, place):  # integers: any order gives the same sum
        total += weight * column
    return ((100 * place[0] + 10 * place[1] + place[2] >= 101)
            & ((place[3] | place[4]) != 0) & ((place[5] | place[6] | place[7] | place[8]) != 0)
            & (place[9] == (10 - total % 10) % 10))


#: why a number is not a business number: reason -> English text; the Korean texts, with the
#: same details, are :data:`ktop_index.labels.BRN_REASONS_KO`
BRN_REASONS = {
    "length": "'{value}' is not 10 digits",
    "prefix": "the first three digits are below 101",
    "type_code": "the type code (digits 4-5) is 00",
    "serial": "the serial number (digits 6-9) is 0000",
    "check_digit": "check digit is {digit}, expected {expected}",
}


def brn_reason(value: object) -> tuple[str, dict] | None:
    """Why ``value`` is not a valid BRN as ``(reason, details)``, or None when it is valid.

    >>> brn_reason("124-81-00997")
    ('check_digit', {'digit': '7', 'expected': 8})
    """
    digits = normalise_brn(value)
    if not re.fullmatch(r"\d{10}", digits):
        return "length", {"value": value}
    if int(digits[:3]) < 101:
        return "prefix", {}
    if digits[3:5] == "00":
        return "type_code", {}
    if digits[5:9] == "0000":
        return "serial", {}
    expected = check_digit(digits[:9])
    if int(digits[9]) != expected:
        return "check_digit", {"digit": digits[9], "expected": expected}
    return None


def brn_problem(value: object, lang: str = "en") -> str | None:
    """Why ``value`` is not a valid BRN, in a few words of ``lang`` ('en' or 'ko'), or None
    when it is valid; both languages carry the same digits."""
    found = brn_reason(value)
    if found is None:
        return None
    reason, details = found
    text = BRN_REASONS_KO[reason] if lang == "ko" else BRN_REASONS[reason]
    return text.format(**details)


def is_valid_brn(value: object) -> bool:
    """True when ``value`` is a well-formed BRN with a correct check digit."""
    return brn_problem(value) is None


def format_brn(value: object) -> str:
    """The usual display form ``XXX-YY-ZZZZC``."""
    d = normalise_brn(value)
    return f"{d[:3]}-{d[3:5]}-{d[5:]}"


def make_brn(prefix: int, type_code: int, serial: int) -> str:
    """Build a valid BRN (display form) from its parts, computing the check digit.

    >>> make_brn(124, 81, 99)
    '124-81-00998'
    """
    first_nine = f"{prefix:03d}{type_code:02d}{serial:04d}"
    return format_brn(first_nine + str(check_digit(first_nine)))


def taxpayer_type(value: object) -> str:
    """'corporation' (81, 86-88), 'branch' (85), 'individual' (01-79, 90-99) or 'other'."""
    code = int(normalise_brn(value)[3:5])
    if code in (81, 86, 87, 88):
        return "corporation"
    if code == 85:
        return "branch"
    if 1 <= code <= 79 or 90 <= code <= 99:
        return "individual"
    return "other"
