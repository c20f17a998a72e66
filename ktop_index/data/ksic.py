"""KSIC industry codes as an officer's files carry them: either revision, zeros Excel dropped.

Three facts decide how a code is read (``docs/data_contract.md``, ``docs/selection.md``):

- **Both revisions.** The 11th revision (한국표준산업분류 제11차) is in force since
  2024-07-01, but most 2025 applicants' registrations still carry a 10th-revision code. A code
  the 11th revision has is read as an 11th-revision code (the revision in force on a 2025
  call's reference date), even where the 10th gave the same digits another meaning (47
  codes, e.g. 29173: 10th 산업용 송풍기, 11th 운송장비용 공기 조화장치); a code only the 10th
  has is translated through the official concordance (``reference/ksic10_to_11.csv``) to the
  11th-revision code(s) it became: ``10712`` 빵류 제조업 is ``10602``; ``10801`` 배합 사료
  was split into ``10901`` and ``10902``.
- **Lost leading zeros.** Divisions 01-08 (agriculture, forestry, fishing, mining) start
  with 0, which Excel drops from a number: ``01110`` becomes ``1110``. A code of 1 to 4
  digits that is a KSIC code once a 0 is put in front may be such a code; it is never read
  on a guess (the validator reports it with both readings).
- **Codes nest by prefix.** A class is the first 4 digits of its subclasses, a group the
  first 3, a division the first 2 (true of every code of both revisions).

Example
-------
>>> rev11("10712"), rev11("10801"), rev11("10301")
(('10602',), ('10901', '10902'), ('10301',))
>>> may_have_lost_zero(pd.Series(["1110", "2011", "10301", "62"])).tolist()
[True, True, False, True]
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ktop_index.reference import (
    ksic10_codes,
    ksic10_names,
    ksic10_to_11,
    ksic11_codes,
    ksic11_names,
)


def is_known(codes: pd.Series) -> np.ndarray:
    """True where a code (digits, 2 to 5) is a code of the 10th or the 11th revision."""
    return in_codes(codes, "11") | in_codes(codes, "10")


@lru_cache(maxsize=2)
def _code_set(revision: str) -> pa.Array:
    return pa.array(sorted(ksic11_codes() if revision == "11" else ksic10_codes()),
                    type=pa.large_string())


def in_codes(codes: pd.Series, revision: str = "11") -> np.ndarray:
    """True where a code (text; missing: False) is a code of the ``revision`` ('10' or '11'):
    ``codes.isin(ksic11_codes())`` as one arrow look-up (pandas converts the set on each
    call, a tenth of a second per batch of a streamed file)."""
    cells = pa.array(codes, type=pa.large_string(), from_pandas=True)
    found = pc.is_in(cells, value_set=_code_set(revision)).fill_null(False)
    return found.to_numpy(zero_copy_only=False)


def may_have_lost_zero(digits: pd.Series) -> np.ndarray:
    """True where ``digits`` (text) has 1 to 4 digits and '0' + digits is a KSIC code of
    either revision: the code may be one of divisions 01-08 whose leading 0 Excel dropped.

    Which codes: 7 of 1 digit (1-3, 5-8), 15 of 2 (11-15, 20, 31, 32, 51, 52, 61, 62,
    71, 72, 80), 31 of 3 and 45 of 4 (1110, 2011, 3111 ...); many are also codes as written
    (2011 기초 화학물질 제조업, 62 컴퓨터 프로그래밍), which is why neither reading is taken.
    """
    text = digits.astype("str")
    short = text.str.fullmatch(r"\d{1,4}", na=False).to_numpy()
    padded = ("0" + text).where(short)
    return short & is_known(padded)


@lru_cache(maxsize=4096)
def rev11(code: str) -> tuple[str, ...]:
    """The 11th-revision code(s) a code is read as: itself when the 11th revision has it,
    else its concordance rows (a 10th code of 2-4 digits: those of its subclasses, in
    order); () for a code of neither revision.

    >>> rev11("1080"), rev11("65131"), rev11("99999")
    (('10901', '10902', '10903'), ('84611',), ())
    """
    if code in ksic11_codes():
        return (code,)
    if code not in ksic10_codes():
        return ()
    mapped = ksic10_to_11()
    found = [new for old in mapped if old.startswith(code) for new in mapped[old]]
    return tuple(dict.fromkeys(found))


@lru_cache(maxsize=4096)
def possible_rev11(code: str) -> tuple[str, ...]:
    """Every 11th-revision code a code as written may stand for: its reading with a lost
    leading 0 restored (when that is a code) and its reading as written (a code of neither
    revision stands for its longest known start: 10399 for group 103).

    >>> possible_rev11("1110"), possible_rev11("10712")
    (('01110', '111'), ('10602',))
    """
    readings = []
    if may_have_lost_zero(pd.Series([code]))[0]:
        readings += rev11("0" + code)
    readings += rev11(code) or rev11(known_prefix(code))
    return tuple(dict.fromkeys(readings)) or ((code,) if len(code) > 1 else ())


def known_prefix(code: str) -> str:
    """The longest start of ``code`` (2 digits or more) that is a code of either revision;
    '' when there is none. What a code of neither revision still says.

    >>> known_prefix("10399"), known_prefix("10301"), known_prefix("00")
    ('103', '10301', '')
    """
    known = ksic11_codes() | ksic10_codes()
    return next((code[:n] for n in range(len(code), 1, -1) if code[:n] in known), "")


@lru_cache(maxsize=1)
def _subclasses11() -> tuple[str, ...]:
    return tuple(sorted(c for c in ksic11_codes() if len(c) == 5))


@lru_cache(maxsize=4096)
def covered_subclasses(code: str) -> tuple[str, ...]:
    """The 11th-revision subclasses (5 digits) a code covers: itself when it has 5 digits,
    those starting with it otherwise (a code none start with covers only itself).

    >>> covered_subclasses("1120")
    ('11201', '11202', '11209')
    """
    if len(code) == 5:
        return (code,)
    found = tuple(c for c in _subclasses11() if c.startswith(code))
    return found or (code,)


def name(code: str) -> str:
    """The Korean name of a code: the 11th revision's, else the 10th's, else ''."""
    return ksic11_names().get(code) or ksic10_names().get(code, "")


def shown(code: str) -> str:
    """``'10602 (빵류 제조업)'``: the code with its name, for messages."""
    label = name(code)
    return f"{code} ({label})" if label else code


def lost_zero_readings(code: str) -> dict[str, str]:
    """The two readings of a code that may have lost its leading 0, in English and Korean.

    >>> lost_zero_readings("1110")["plain"]
    '1110 (under 111 알코올 음료 제조업, not a KSIC code itself)'
    """
    zero = shown("0" + code)
    start = known_prefix(code)
    if start == code:
        plain = plain_ko = shown(code)
    elif start:
        under = f"{start} {name(start)}".strip()
        plain = f"{code} (under {under}, not a KSIC code itself)"
        plain_ko = f"{code} ({under} 아래, 그 자체는 업종코드 아님)"
    else:
        plain, plain_ko = f"{code} (not a KSIC code as written)", f"{code} (그대로는 업종코드 아님)"
    return {"zero": zero, "plain": plain, "plain_ko": plain_ko}


def rev10_reading(code: str) -> dict[str, str]:
    """What a 10th-revision code becomes, in English and Korean, for the warning.

    >>> rev10_reading("10801")["rev11"]
    '10901 (반려동물용 사료 제조업) or 10902 (배합 사료 제조업)'
    """
    new = rev11(code)
    return {"name10": ksic10_names().get(code, "-"),
            "rev11": " or ".join(shown(c) for c in new),
            "rev11_ko": " 또는 ".join(shown(c) for c in new)}


def reading_note(code: str) -> tuple[str, dict[str, str]]:
    """The warning a code that is not the 11th revision's draws, and its parameters:
    ``ksic_rev10`` (a 10th-revision code, with its 11th code(s)) or ``ksic_unknown`` (a code of
    neither revision, with the start of it that is used).

    >>> reading_note("10399")
    ('ksic_unknown', {'prefix': '103 (과실, 채소 가공 및 저장 처리업)'})
    """
    if code in ksic10_codes():
        return "ksic_rev10", rev10_reading(code)
    return "ksic_unknown", {"prefix": shown(known_prefix(code)) or code[:2]}
