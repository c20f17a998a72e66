"""The tracking tables as a Korean reader sees them: labels applied at the edge.

The analyses (:mod:`~ktop_index.tracking.history`, :mod:`~ktop_index.tracking.effect`,
:mod:`~ktop_index.tracking.monitor`) return canonical English tables. Where a table meets a
person — ``ktop track ... --lang ko``, a report, a notebook — :func:`korean_labels` gives
it Korean column labels and Korean words for its coded values; the numbers are unchanged.
Every word comes from :mod:`ktop_index.labels` (tracking section) and the KSIC names from
:func:`ktop_index.reference.division_names`.

Example
-------
>>> import pandas as pd
>>> table = pd.DataFrame({"year": [2024], "ksic_division": ["10"],
...                       "industry": ["Manufacture of food products"], "n": [3]})
>>> korean_labels(table).to_dict("records")
[{'연도': 2024, '업종(중분류)': '10', '업종명': '식료품 제조업', '기업수': 3}]
"""

from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd

from ktop_index import reference
from ktop_index.labels import (
    EFFECT_ASSUMPTIONS_KO,
    EFFECT_COLUMNS_KO,
    MONITOR_FLAGS,
    TRACKING_COLUMNS_KO,
    TRACKING_VALUES_KO,
)


def korean_labels(frame: pd.DataFrame) -> pd.DataFrame:
    """An analysis table with Korean column labels and Korean words for its values.

    Translated: coded values (outcome names, units, a grade move's 'same'), the
    assumptions of the support effect (column and ``attrs['assumptions']``), the KSIC
    division names of an industry series, the monitoring flags. Numbers, business numbers
    and firm names are unchanged; a value already in Korean stays as it is.

    >>> import pandas as pd
    >>> korean_labels(pd.DataFrame({"flags": ["revenue down 20%+; no data after 2025"]}))
    ...     # doctest: +NORMALIZE_WHITESPACE
                              경보
    0  매출 20% 이상 감소; 2025년 이후 자료 없음
    """
    out = korean_values(frame)
    labels = dict(TRACKING_COLUMNS_KO)
    if "outcome" in out and "did" in out:  # the effect table: the outcome measured
        labels.update(EFFECT_COLUMNS_KO)
    return out.rename(columns=labels)


def korean_values(frame: pd.DataFrame) -> pd.DataFrame:
    """The table's values in Korean (see :func:`korean_labels`), its column names as they are."""
    out = frame.copy()
    for name in ("outcome", "unit", "grade_move"):
        if name in out:
            out[name] = out[name].replace(TRACKING_VALUES_KO)
    if "assumptions" in out:
        out["assumptions"] = EFFECT_ASSUMPTIONS_KO
        out.attrs["assumptions"] = EFFECT_ASSUMPTIONS_KO
    if "industry" in out and "ksic_division" in out:
        out["industry"] = out["ksic_division"].map(reference.division_names("ko")).fillna("")
    if "flags" in out:
        out["flags"] = out["flags"].map(korean_flags)
    return out


def korean_flags(text: object) -> object:
    """Monitoring flags (``'; '``-joined English words of
    :data:`ktop_index.labels.MONITOR_FLAGS`) in Korean; words it does not know stay.

    >>> korean_flags("Tech-Index down 10+ points; no data at all")
    '지수 10점 이상 하락; 자료 없음'
    """
    if not isinstance(text, str) or not text:
        return text
    return "; ".join(_korean_flag(part) for part in text.split("; "))


def _korean_flag(word: str) -> str:
    for pattern, korean in _flag_patterns():
        found = pattern.fullmatch(word)
        if found:
            return korean.format(**found.groupdict())
    return word


@lru_cache(maxsize=1)
def _flag_patterns() -> tuple[tuple[re.Pattern, str], ...]:
    """Each English flag template as a pattern whose groups are its fields."""
    return tuple((re.compile(re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>.+?)", re.escape(en))), ko)
                 for en, ko in MONITOR_FLAGS.values())
