"""Check a firm-year table against the contract, reporting every problem at once.

:func:`validate` never stops at the first problem and never raises on bad data: it returns
the clean, typed frame (canonical English columns, money in KRW thousand) together with a
list of :class:`Problem`, one per bad cell or rule, each printable as
``FILE:ROW:COLUMN: what is wrong (what was expected)`` in English or Korean. ROW is the row a
spreadsheet shows (the header is row 1); COLUMN is the header as the file spells it.

Reading rules (documented in docs/data_contract.md):

- blank cells, ``NA``, ``N/A``, ``#N/A`` are unknown;
- numbers may carry thousands separators, full-width digits, ``△``/``▲`` or brackets for
  negatives (Korean accounting style) and ``₩``; a lone ``-`` is zero in money and count
  columns, as accounting formats print it;
- values that could be misread are errors, never guesses: non-finite numbers (``inf``,
  ``nan`` written out, ``1e400``), commas other than thousands separators in groups of three
  (``1.234,5``, ``1,23,456``, ``12,34``), fractional years (``2024.5``), money beyond 10^12
  천원 either way and counts beyond the contract's bounds;
- ``founded`` accepts a year or a date (``2015-03-01``, ``2015.03.01``, ``20150301``,
  ``2015년 3월``); ``firm_age`` is derived from it as ``year - founded``;
- a control character (C0 or C1 but tab and line breaks, DEL) in a text cell is an error;
  an empty firm name is an error in an applicants file and a warning elsewhere;
- ``firm_id`` defaults to the business number when absent.

Example
-------
>>> import pandas as pd
>>> raw = pd.DataFrame({"사업자등록번호": ["124-81-00997"], "기준연도": ["2024"],
...                     "매출액(백만원)": ["1,200"]})
>>> result = validate(raw, source="a.csv")
>>> print(result.problems[0].line())
a.csv:2:사업자등록번호: invalid business number: check digit is 7, expected 8 (a 10-digit number whose last digit checks, e.g. 124-81-00998)
>>> float(result.frame.loc[0, "revenue"])
1200000.0
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute

from ktop_index.data import ksic
from ktop_index.data.brn import BRN_REASONS, brn_reason, format_brn, valid_digit_rows
from ktop_index.data.contract import (
    FIELD_BY_NAME,
    FIELDS,
    MONEY,
    MONEY_UNITS,
    header_key,
    known_headers,
    match_header,
    money_factor,
    split_unit,
)
from ktop_index.data.io import RawTable, read_table
from ktop_index.data.problems import MESSAGES, Problem, WithProblems, visible  # noqa: F401 - MESSAGES re-exported
from ktop_index.errors import DataError, UsageError
from ktop_index.labels import BRN_REASONS_KO
from ktop_index.reference import ksic_divisions

_EXPECTED = {
    "int": ("a whole number", "정수"), "float": ("a number", "숫자"),
    MONEY: ("an amount", "금액"), "year": ("a year", "연도"),
}
_BLANKS = {"", "na", "n/a", "#n/a", "nan", "null", "none", "nat"}
_BLANK_LENGTH = max(map(len, _BLANKS))
_DASHES = {"-", "−", "–", "—", "―", "ー"}
_NAN_WORDS = {"nan", "-nan", "+nan"}  # a float written out by a script: not a blank
# commas that can only be thousands separators: groups of three after the first (1,234,567.5)
_GROUPED = r"[^\d,]*\d{1,3}(?:,\d{3})+(?:\.\d*)?[^\d,]*"
# C0 and C1 control characters and DEL, as Python (re) and arrow (RE2) write them; tab and
# line breaks (Alt+Enter in an Excel cell) are text
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_RE2 = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x{80}-\x{9f}]"
_YES = {"y", "yes", "예", "네", "o", "1", "true", "t", "제출", "유", "있음", "해당", "○"}
_NO = {"n", "no", "아니오", "아니요", "x", "0", "false", "f", "미제출", "무", "없음", "해당없음", "×"}


@dataclass
class Validated(WithProblems):
    """The clean frame and every problem found."""

    frame: pd.DataFrame
    problems: list[Problem]
    rows: np.ndarray


# ---------------------------------------------------------------------------- cell parsing

def _as_text(series: pd.Series) -> pd.Series:
    """Cells as normalised text (NFKC: full-width digits and commas become ASCII); NaN kept."""
    if pd.api.types.is_numeric_dtype(series.dtype):
        values = series.astype("float64")
        text = values.map(lambda v: "" if pd.isna(v) else (f"{v:.0f}" if float(v).is_integer()
                                                            else repr(float(v))))
        return text.astype("str")
    return _nfkc(series.astype("str")).str.strip()


def _nfkc(text: pd.Series) -> pd.Series:
    """Unicode NFKC of text. ASCII is its own NFKC form, and Python's normaliser runs value by
    value, so only the other values go through it (a million ASCII ids: 100 ms saved)."""
    ascii_ = pa.compute.string_is_ascii(pa.array(text, type=pa.large_string(), from_pandas=True))
    other = ~ascii_.fill_null(True).to_numpy(zero_copy_only=False)
    if not other.any():
        return text
    plain = text.reset_index(drop=True)  # ``where`` aligns on labels: make them positions
    return plain.where(~other, plain[other].str.normalize("NFKC")).set_axis(text.index)


def _blank(text: pd.Series) -> pd.Series:
    """Whether each cell is blank: missing, or a word for unknown (``NA``, ``#N/A`` ...).
    Only cells as short as the longest such word are looked at (lowering never shortens
    text): a column of names or ids is cleared by one length count."""
    blank = text.isna().to_numpy(copy=True)
    short = np.flatnonzero((text.str.len() <= _BLANK_LENGTH).to_numpy(dtype=bool,
                                                                      na_value=False))
    if short.size:
        blank[short] |= text.iloc[short].str.lower().isin(_BLANKS).to_numpy()
    return pd.Series(blank, index=text.index)


def parse_numbers(series: pd.Series, dash_is_zero: bool) -> tuple[np.ndarray, np.ndarray]:
    """Parse spreadsheet numbers; returns (float values with NaN for blank, bad-cell mask).

    Bad cells are missing in the values; :func:`number_problem` says why each is bad. Besides
    text that is no number, these are bad because they cannot be read for sure: non-finite
    values (``inf``, ``nan`` written out, ``1e400``) and commas other than thousands
    separators in groups of three (``1.234,5``, ``1,23,456``, ``12,34``).

    >>> values, bad = parse_numbers(pd.Series(["1,234", "△50", "(7)", "-", "１２", "x", "",
    ...                                        "12,34", "inf"]), dash_is_zero=True)
    >>> values.tolist()[:5], bad.tolist()
    ([1234.0, -50.0, -7.0, 0.0, 12.0], [False, False, False, False, False, True, False, True, True])
    """
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series):
        values = series.to_numpy(dtype="float64", na_value=np.nan)
        bad = np.isinf(values)
        return (np.where(bad, np.nan, values) if bad.any() else values), bad
    text = _as_text(series)
    blank = _blank(text) & ~text.str.lower().isin(_NAN_WORDS)
    compact = text.str.replace(r"[\s₩]", "", regex=True)
    misgrouped = (compact.str.contains(",", regex=False, na=False)
                  & ~compact.str.fullmatch(_GROUPED, na=False))
    compact = compact.str.replace(",", "", regex=False)
    bracketed = compact.str.match(r"^\(.*\)$", na=False)
    compact = compact.where(~bracketed, compact.str.slice(1, -1))
    triangle = compact.str.match(r"^[△▲]", na=False)
    compact = compact.where(~triangle, compact.str.slice(1))
    dash = compact.isin(_DASHES) & dash_is_zero
    values = pd.to_numeric(compact.where(~blank & ~dash & ~misgrouped), errors="coerce").to_numpy(
        dtype="float64", na_value=np.nan)
    values = np.where(dash.to_numpy(), 0.0, values)
    values = np.where((bracketed | triangle).to_numpy(), -np.abs(values), values)
    values = np.where(np.isinf(values), np.nan, values)
    bad = (~blank & ~dash).to_numpy() & np.isnan(values)
    return values, bad


def number_problem(text: str) -> tuple[str, dict]:
    """Why a cell that :func:`parse_numbers` found bad is bad: a message code and its details.

    >>> number_problem("1.234,5"), number_problem("1e400")
    (('decimal_comma', {'decimal': '1234.5'}), ('not_finite', {}))
    >>> number_problem("1,23,456")
    ('bad_grouping', {'digits': '123456', 'grouped': '123,456'})
    """
    body = re.sub(r"[\s₩]", "", text).strip("()△▲")
    if body.lower() in _NAN_WORDS or _float(body.replace(",", "")) in (math.inf, -math.inf):
        return "not_finite", {}
    if "," in body:
        digits = body.replace(",", "")
        if "." in body and body.rfind(".") < body.rfind(","):  # 1.234,5: dots group, comma decimal
            decimal = body.replace(".", "").replace(",", ".")
            if _float(decimal) is not None:
                return "decimal_comma", {"decimal": decimal}
        elif body.count(",") == 1 and "." not in body and _float(digits) is not None:
            return "comma_ambiguous", {"decimal": body.replace(",", "."), "digits": digits}
        elif _float(digits) is not None:
            return "bad_grouping", {"digits": digits, "grouped": _grouped(digits)}
    return "not_number", {}


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _grouped(digits: str) -> str:
    """``'-1234567.5'`` as ``'-1,234,567.5'``: the same digits, commas every three."""
    if not re.fullmatch(r"[+-]?\d+(\.\d*)?", digits, flags=re.ASCII):
        return digits  # an exponent or other digits: shown as they are
    whole, dot, fraction = digits.partition(".")
    sign = whole[:1] if whole[:1] in "+-" else ""
    return f"{sign}{int(whole.lstrip('+-') or 0):,}{dot}{fraction}"


def parse_years(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Parse a year or a date into a year (float, NaN for blank) and a bad-cell mask.

    A fractional year (``2024.5``, or ``2024.5`` as text, which may also be May 2024) is
    bad, never rounded: :func:`year_problem` says so.

    >>> parse_years(pd.Series(["2015", "2015-03-01", "2015년 3월", "2024.5", ""]))[1].tolist()
    [False, False, False, True, False]
    """
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        years = series.dt.year.to_numpy(dtype="float64", na_value=np.nan)
        return years, np.zeros(len(series), bool)
    if pd.api.types.is_numeric_dtype(series.dtype):
        values = series.to_numpy(dtype="float64", na_value=np.nan)
        bad = ~np.isnan(values) & ((values != np.floor(values)) | np.isinf(values))
        return np.where(bad, np.nan, values), bad
    text = _as_text(series)
    blank = _blank(text)
    pattern = r"^(\d{4})(?:\.0+|\d{4}|\s*[-./년]\s*\d{1,2}(?:\s*[-./월]\s*\d{1,2}\s*일?|\s*월)?" \
              r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?\.?)?$"
    found = text.str.extract(pattern, expand=False)
    found = found.where(~text.str.fullmatch(_FRACTIONAL_YEAR, na=False))
    years = pd.to_numeric(found, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    bad = (~blank).to_numpy() & np.isnan(years)
    return years, bad


# a year with a decimal part that is not all zeros: 2024.5 is a fraction, or May 2024
_FRACTIONAL_YEAR = r"\d{4}\.\d*[1-9]\d*"


def year_problem(text: str) -> tuple[str, dict]:
    """Why a cell that :func:`parse_years` found bad is bad: a message code and its details.

    >>> year_problem("2024.5"), year_problem("x")
    (('fractional_year', {'year': '2024'}), ('bad_year', {}))
    """
    if re.fullmatch(_FRACTIONAL_YEAR, text):
        return "fractional_year", {"year": text[:4]}
    return "bad_year", {}


def parse_yesno(series: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Map Y/N, 예/아니오, O/X, 1/0, 제출/미제출 ... to booleans (NA for blank)."""
    text = _as_text(series).str.lower()
    blank = _blank(text)
    yes, no = text.isin(_YES), text.isin(_NO)
    values = pd.Series(pd.array([pd.NA] * len(text), dtype="boolean"))
    values[yes.to_numpy()] = True
    values[no.to_numpy()] = False
    bad = (~blank & ~yes & ~no).to_numpy()
    return values, bad


def normalise_ksic(series: pd.Series) -> tuple[pd.Series, np.ndarray, pd.Series]:
    """KSIC codes as digits, read by :mod:`ktop_index.data.ksic`; returns (codes, bad mask,
    why): ``why`` is, for each bad value, its problem code and parameters (None elsewhere).

    A section letter is dropped after it is checked, or restores a lost leading 0 (``A1110``
    is 01110). Bad: no code form, a division KSIC lacks, or a code that may have lost its
    leading 0 (``ksic_lost_zero``: never read on a guess). A code of neither revision in a
    real division is kept (the caller warns: ``ksic_unknown``).

    >>> codes, bad, why = normalise_ksic(pd.Series(["C10301", "A1110", "1110", "10712"]))
    >>> codes.tolist(), bad.tolist(), why[2][0]
    (['10301', '01110', nan, '10712'], [False, False, True, False], 'ksic_lost_zero')
    """
    text = _as_text(series).str.upper().str.replace(r"[\s\-.]", "", regex=True)
    blank = _blank(text)
    parts = text.str.extract(r"^([A-U])?(\d{1,5})$")
    letter, digits = parts[0], parts[1]
    padded = ("0" + digits).where(digits.str.len() < 5)
    divisions = ksic_divisions()
    section, padded_section = digits.str.slice(0, 2).map(divisions), padded.str.slice(0, 2).map(
        divisions)
    restored = letter.notna() & (letter != section) & (letter == padded_section) \
        & ksic.is_known(padded.fillna(""))
    codes = digits.where(~restored, padded)
    lost = letter.isna() & pd.Series(ksic.may_have_lost_zero(digits.fillna("")), index=text.index)
    form_ok = digits.notna() & (restored | (section.notna() & (letter.isna() | (letter == section))))
    good = form_ok & ~lost
    bad = (~blank & ~good).to_numpy()
    why = pd.Series(None, index=text.index, dtype=object)
    for i in np.flatnonzero(bad):  # few: the reason and readings of each bad value
        why.iat[i] = (("ksic_lost_zero", ksic.lost_zero_readings(digits.iat[i])) if lost.iat[i]
                      else ("bad_ksic", {}))
    return codes.where(good).astype("str"), bad, why


_KSIC_MEMO_SIZE = 100_000  # distinct KSIC cells whose reading a process remembers
_ksic_read: dict = {}  # cell -> (code or NaN, bad): normalise_ksic reads each cell alone


def _ksic_of_distinct(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """:func:`normalise_ksic`'s codes and bad-cell mask of distinct cells, each cell read once
    per process: the few hundred codes of a file recur in every batch of a stream, and
    pandas takes 20 ms to read even those few (a fifth of a second per million rows)."""
    cells = values.tolist()
    known = {cell: _ksic_read.get(cell) for cell in cells}
    new = [cell for cell, read in known.items() if read is None]
    if new:
        codes, bad, _ = normalise_ksic(pd.Series(new, dtype=values.dtype))
        known.update(zip(new, zip(codes.tolist(), bad.tolist())))
        if len(_ksic_read) > _KSIC_MEMO_SIZE:  # a file of junk codes: start again
            _ksic_read.clear()
        _ksic_read.update((cell, known[cell]) for cell in new)
    read = [known[cell] for cell in cells]
    return (pd.Series([code for code, _ in read], dtype="str"),
            np.array([bad for _, bad in read], dtype=bool))


# ---------------------------------------------------------------------------- the validator

UNKNOWN_HINTS = 50  # unknown columns that get a did-you-mean hint (the rest are only named)


def _did_you_mean(header: str) -> dict[str, str]:
    """Hints naming the closest known header, in English and Korean (empty when none is close)."""
    keys = {header_key(n): n for n in known_headers()}
    close = difflib.get_close_matches(header_key(header), list(keys), n=1, cutoff=0.6)
    if not close:
        return {}
    name, _ = match_header(keys[close[0]])
    label = FIELD_BY_NAME[name].label_ko
    return {"hint": f"; did you mean '{keys[close[0]]}' ({name})?",
            "hint_ko": f"; '{label}'({name})을(를) 뜻했나요?"}


_ADDRESS = "address"  # not a field of its own: an address column beside the region column
_ADDRESS_HEADERS = frozenset(header_key(h) for h in ("address", "주소", "소재지주소"))


def _is_address(header: str) -> bool:
    return header_key(header) in _ADDRESS_HEADERS


def _map_columns(raw: pd.DataFrame, source: str, money_unit: str | None,
                 problems: list[Problem]) -> dict[str, tuple[str, float | None]]:
    """field name -> (header, factor to 천원 for money); records column-level problems."""
    mapping: dict[str, tuple[str, float | None]] = {}
    default_factor = money_factor(money_unit) if money_unit else None
    unknown = 0
    for header in raw.columns:
        header = str(header)
        name, factor = match_header(header)
        if name is None:
            unknown += 1  # hints cost a fuzzy match each: only the first ones get one
            problems.append(Problem(source, 1, header, "unknown_column", "warning",
                                    _did_you_mean(header) if unknown <= UNKNOWN_HINTS else {}))
            continue
        if name == "region" and name in mapping and _ADDRESS not in mapping \
                and _is_address(header) != _is_address(mapping[name][0]):
            # a 시군구 column and an address column: the first is the region, the address
            # fills its blanks
            pair = sorted((header, mapping[name][0]), key=_is_address)
            mapping[name], mapping[_ADDRESS] = (pair[0], None), (pair[1], None)
            continue
        if name in mapping:
            problems.append(Problem(source, 1, header, "duplicate_column", "error",
                                    {"field": name, "other": mapping[name][0]}))
            continue
        f = FIELD_BY_NAME[name]
        if f.kind == MONEY and factor is None:
            factor = _money_factor_for(header, name, default_factor, source, problems)
        mapping[name] = (header, factor)
    return mapping


def _money_factor_for(header: str, name: str, default_factor: float | None, source: str,
                      problems: list[Problem]) -> float | None:
    """The unit of a money header that carries no known unit."""
    _, unit = split_unit(header)
    if unit is not None and header_key(unit) not in MONEY_UNITS:
        problems.append(Problem(source, 1, header, "bad_unit", "error", {"unit": unit}))
        return None
    if default_factor is not None:
        return default_factor
    if header_key(header) == header_key(name):
        return 1.0  # the contract's own English name is in 천원 by definition
    problems.append(Problem(source, 1, header, "money_unit", "error",
                            {"label": FIELD_BY_NAME[name].label_ko}))
    return None


def _cell_problems(mask: np.ndarray, rows: np.ndarray, values, source: str,
                   header: str, code: str, severity: str = "error", **params) -> list[Problem]:
    """One problem per flagged cell; ``values`` (array or Series) gives the shown value."""
    found = []
    for i in np.flatnonzero(mask):
        value = values.iloc[i] if isinstance(values, pd.Series) else values[i]
        if isinstance(value, (float, np.floating)):
            value = f"{value:g}"
        elif isinstance(value, str):
            value = visible(value)
        found.append(Problem(source, int(rows[i]), header, code, severity,
                             {"value": value, **params}))
    return found


def _explained_problems(mask: np.ndarray, rows: np.ndarray, values, source: str, header: str,
                        explain, **params) -> list[Problem]:
    """One error per flagged cell, its code and details given by ``explain(text)`` (asked once
    per distinct value); ``values`` (array or Series) gives the cell as written."""
    found, why = [], {}
    for i in np.flatnonzero(mask):
        text = _written(values.iloc[i] if isinstance(values, pd.Series) else values[i])
        if text not in why:
            why[text] = explain(text)
        code, details = why[text]
        found.append(Problem(source, int(rows[i]), header, code, "error",
                             {"value": visible(text), **params, **details}))
    return found


def _written(value) -> str:
    """A cell as its text: a float without exponent or trailing zeros (1e9 -> '1000000000')."""
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return repr(value) if not math.isfinite(value) else np.format_float_positional(
            value, trim="-")
    return str(value)




def _by_unique(series: pd.Series, parse):
    """Apply ``parse`` (Series -> (values, bad)) to the distinct values only, then broadcast.

    Text columns repeat a few values many times (KSIC codes, regions, years as text), so
    this turns a per-row cost into a per-distinct-value one.
    """
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    values, bad = parse(pd.Series(uniques, dtype=series.dtype))
    if values is None:
        values = np.zeros(len(uniques))
    bad = np.zeros(len(uniques), bool) if bad is None else np.asarray(bad, dtype=bool)
    bad = np.append(bad, False)[codes]
    if isinstance(values, pd.Series):
        filler = pd.NA if isinstance(values.dtype, pd.BooleanDtype) else None
        padded = pd.concat([values, pd.Series([filler], dtype=values.dtype)],
                           ignore_index=True)
        return padded.take(codes).reset_index(drop=True), bad
    return np.append(np.asarray(values, dtype="float64"), np.nan)[codes], bad


def _check_range(f, values: np.ndarray, rows, header, source, problems,
                 written=None) -> np.ndarray:
    """Flag values outside the field's range; returns the mask of bad cells.

    ``values`` are in the contract's unit (money in 천원); ``written()`` gives the cells as
    the file has them, for the messages. Money beyond the field's magnitude bound (10^12 천원
    either way) is ``too_large``, naming the amount in 천원, so a unit slip shows as one.
    """
    def shown(mask):  # the flagged cells as written; the others are never looked at
        cells = values if written is None else written()
        texts = np.empty(len(values), dtype=object)
        for i in np.flatnonzero(mask):
            texts[i] = visible(_written(cells.iloc[i] if isinstance(cells, pd.Series)
                                         else cells[i]))
        return texts

    bad = np.zeros(len(values), bool)
    if f.minimum == 0:
        neg = values < 0
        if neg.any():
            problems += _cell_problems(neg, rows, shown(neg), source, header, "negative")
        bad |= neg
    if f.kind == MONEY and f.maximum is not None:
        huge = np.abs(values) > f.maximum
        if huge.any():
            texts = shown(huge)
            for i in np.flatnonzero(huge):
                problems.append(Problem(source, int(rows[i]), header, "too_large", "error",
                                        {"value": texts[i], "amount": _amount(values[i]),
                                         "limit": _amount(f.maximum)}))
        return bad | huge
    outside = np.zeros(len(values), bool)
    if f.minimum is not None and f.minimum != 0:
        outside |= values < f.minimum
    if f.maximum is not None:
        outside |= values > f.maximum
    if outside.any():
        problems += _cell_problems(outside, rows, shown(outside), source, header,
                                   "out_of_range", allowed=f.allowed)
    return bad | outside


def _amount(value: float) -> str:
    """An amount in 천원 with thousands commas; beyond 10^18 in exponent form (one line)."""
    return f"{value:,.0f}" if abs(value) < 1e18 else f"{value:.3g}"


def _parse_column(f, series: pd.Series, factor, rows, header, source, problems):
    """Parse one column by the field's kind; bad cells become NaN/NA and problems. A text
    column that repeats each value over a run of rows (a panel's firm gives its number,
    name, industry and region on each of its years) is parsed one run at a time."""
    runs = _runs(series)
    if runs is None:
        return _parse_cells(f, series, factor, rows, header, source, problems)
    first, codes = runs
    found: list[Problem] = []
    parsed = _parse_cells(f, series.iloc[first].reset_index(drop=True), factor, rows[first],
                          header, source, found)
    problems += _every_row_of_runs(found, rows, first)
    return parsed.take(codes).set_axis(series.index)


_RUNS_AT_MOST = 0.5  # runs per row below which a column is parsed by runs


def _runs(series: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """For a text column of runs of equal values (at most :data:`_RUNS_AT_MOST` of a run
    per row), each run's first position and each row's run; else None. A cell's parse
    depends on its value alone, so a run's first cell speaks for the run."""
    if not isinstance(series.dtype, pd.StringDtype) or len(series) < 2:
        return None
    starts = _run_starts(_text_cells(series))
    first = np.flatnonzero(starts)
    if len(first) > _RUNS_AT_MOST * len(series):
        return None
    return first, np.cumsum(starts) - 1


def _text_cells(values) -> pa.Array:
    """Text values (a Series, an array, or arrow strings) as one arrow ``large_string``
    array."""
    cells = (values.cast(pa.large_string()) if isinstance(values, (pa.Array, pa.ChunkedArray))
             else pa.array(values, type=pa.large_string(), from_pandas=True))
    return cells.combine_chunks() if isinstance(cells, pa.ChunkedArray) else cells


def _run_starts(cells: pa.Array) -> np.ndarray:
    """Where each run of equal consecutive values begins (a missing value is a run of its
    own)."""
    starts = np.ones(len(cells), dtype=bool)
    if len(cells) > 1:
        same = pa.compute.equal(cells[1:], cells[:-1]).fill_null(False)
        starts[1:] = ~same.to_numpy(zero_copy_only=False)
    return starts


def _every_row_of_runs(found: list[Problem], rows: np.ndarray, first: np.ndarray
                       ) -> list[Problem]:
    """The problems of runs' first cells (``found``, in their order), each repeated for
    every row of its run: the problems of parsing every cell."""
    if not found:
        return []
    ends = np.append(first[1:], len(rows))
    run_of = {int(rows[k]): (k, e) for k, e in zip(first, ends)}
    out = []
    for p in found:
        start, end = run_of[p.row]
        out += [dataclasses.replace(p, row=int(r), params=dict(p.params))
                for r in rows[start:end]]
    return out


def _parse_cells(f, series: pd.Series, factor, rows, header, source, problems):
    """:func:`_parse_column` of every cell."""
    numeric = pd.api.types.is_numeric_dtype(series.dtype)

    def raw_text():  # the cells as the user wrote them, for messages: made only when shown
        return series if numeric else _by_unique(series, lambda u: (_as_text(u), None))[0]

    if f.kind in ("int", "float", MONEY):
        values, bad = (parse_numbers(series, dash_is_zero=True) if numeric else
                       _by_unique(series, lambda u: parse_numbers(u, dash_is_zero=True)))
        if bad.any():  # not a number, not finite, or separators that could be misread
            problems += _explained_problems(bad, rows, raw_text(), source, header,
                                            number_problem, expected=_EXPECTED[f.kind][0],
                                            expected_ko=_EXPECTED[f.kind][1])
        if f.kind == "int" and not pd.api.types.is_integer_dtype(series.dtype):
            frac = ~np.isnan(values) & (values != np.floor(values))
            if frac.any():
                problems += _cell_problems(frac, rows, values, source, header, "not_integer")
                values = np.where(frac, np.nan, values)
        return pd.Series(_out_of_range_missing(f, values, factor, rows, header, source,
                                               problems, raw_text), dtype="float64", copy=False)
    if f.kind == "year":
        values, bad = parse_years(series) if numeric else _by_unique(series, parse_years)
        if bad.any():
            problems += _explained_problems(bad, rows, raw_text(), source, header, year_problem)
        return pd.Series(_out_of_range_missing(f, values, None, rows, header, source, problems,
                                               raw_text), dtype="float64", copy=False)
    if f.kind == "yesno":
        values, bad = _by_unique(series, parse_yesno)
        if bad.any():
            problems += _cell_problems(bad, rows, raw_text(), source, header, "bad_yesno")
        return values
    if f.kind == "code":
        codes, bad = _by_unique(series, _ksic_of_distinct)
        if bad.any():  # few cells: why each is bad is worked out on them alone
            where = np.flatnonzero(bad)
            cells = series.iloc[where].reset_index(drop=True)
            for i, value, (code, params) in zip(where, _as_text(cells), normalise_ksic(cells)[2]):
                problems.append(Problem(source, int(rows[i]), header, code, "error",
                                        {"value": value, **params}))
        other = codes.notna().to_numpy() & ~ksic.in_codes(codes, "11")
        said = {c: ksic.reading_note(c) for c in codes[other].unique()}
        for i in np.flatnonzero(other):  # not an 11th-revision code: say how it is read
            code, params = said[codes.iat[i]]
            problems.append(Problem(source, int(rows[i]), header, code, "warning",
                                    {"value": codes.iat[i], **params}))
        return codes
    text, bad = _parse_text(f, series, numeric)
    if f.kind == "region":
        problems += _cell_problems(bad, rows, text, source, header, "bad_region_code")
    if f.name == "brn":
        return _parse_brn(text, rows, header, source, problems)
    return text


def _out_of_range_missing(f, values: np.ndarray, factor, rows, header, source,
                          problems, written=None) -> np.ndarray:
    """Money scaled to 천원, then values outside the field's range flagged and made missing
    (the bounds are in the contract's unit)."""
    if f.kind == MONEY and factor not in (None, 1.0):
        with np.errstate(over="ignore"):  # 1e305 백만원 is inf 천원: too large, said below
            values = values * factor
    out = _check_range(f, values, rows, header, source, problems, written)
    if out.any():
        values = np.where(out, np.nan, values)
    return values


def _parse_text(f, series: pd.Series, numeric: bool) -> tuple[pd.Series, np.ndarray]:
    """Text cells trimmed, blanks missing (ids also NFKC-normalised); with the mask of bad
    region codes. Names and addresses stay as written, only trimmed."""
    def parse(u: pd.Series) -> tuple[pd.Series, np.ndarray | None]:
        text = _as_text(u) if f.kind == "id" else u.astype("str").str.strip()
        text = text.where(~_blank(text))
        if f.kind != "region":
            return text, None
        return text, (text.str.fullmatch(r"\d+", na=False)
                      & ~text.str.len().isin([5, 10])).to_numpy()

    if numeric and f.kind != "id":
        return parse(series)
    if f.kind == "id":  # ids are mostly distinct: grouping them first would cost more
        text, bad = parse(series.reset_index(drop=True))
        return text, np.zeros(len(series), bool) if bad is None else bad
    return _by_unique(series, parse)


def _parse_brn(text: pd.Series, rows, header, source, problems) -> pd.Series:
    """Business numbers checked (:func:`ktop_index.data.brn.brn_reason`) and shown as
    ``XXX-YY-ZZZZC``; the reason of a bad one is given in both languages with the same digits.

    Numbers written in the two usual forms (``1248100998``, ``124-81-00998``) are checked
    as arrays of digits (:func:`~ktop_index.data.brn.valid_digit_rows`: a tenth of a second
    for a million); any other text, and every invalid number, goes through
    :func:`~ktop_index.data.brn.brn_reason` itself, value by value."""
    cells = pa.array(text, type=pa.large_string(), from_pandas=True)
    if isinstance(cells, pa.ChunkedArray):
        cells = cells.combine_chunks()
    where, digits = _usual_brns(cells)
    good = valid_digit_rows(digits)
    where, digits = where[good], digits[good]
    rest = text.notna().to_numpy(copy=True)
    rest[where] = False
    others = {}
    why = {value: brn_reason(value) for value in text[rest].unique()}
    for i in np.flatnonzero(rest):
        value = text.iat[i]
        if why[value] is None:
            others[i] = format_brn(value)
            continue
        reason, details = why[value]
        details = {k: visible(str(v)) for k, v in details.items()}
        problems.append(Problem(source, int(rows[i]), header, "bad_brn", "error",
                                {"why": BRN_REASONS[reason].format(**details),
                                 "why_ko": BRN_REASONS_KO[reason].format(**details)}))
    # one array of every shown form, taken in row order (nulls where invalid or blank)
    position = np.full(len(text), len(where) + len(others), dtype=np.int64)
    position[where] = np.arange(len(where))
    position[list(others)] = len(where) + np.arange(len(others))
    shown = pa.concat_arrays([_dashed(digits), pa.array(list(others.values()) + [None],
                                                        type=pa.large_string())])
    return pd.Series(shown.take(pa.array(position)), dtype="str", index=text.index)


def _usual_brns(cells: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The rows whose text is ten ASCII digits, or 3-2-5 digits joined by hyphens, and those
    digits as an (n x 10) integer array; read straight from the arrow buffers."""
    if not len(cells) or cells.null_count == len(cells):
        return np.zeros(0, dtype=np.int64), np.zeros((0, 10), dtype=np.int32)
    offsets, data = cells.buffers()[1:3]
    offsets = np.frombuffer(offsets, dtype=np.int64, count=cells.offset + len(cells) + 1)
    offsets = offsets[cells.offset:]
    raw = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(1, np.uint8)
    length = np.diff(offsets)
    if cells.null_count:
        length = np.where(cells.is_null().to_numpy(zero_copy_only=False), 0, length)
    present = length > 0
    found = []
    for width, keep in ((10, list(range(10))), (12, [0, 1, 2, 4, 5, 7, 8, 9, 10, 11])):
        rows = np.flatnonzero(length == width)
        if len(rows) == present.sum():  # every value this wide: the buffer is the matrix
            chars = raw[offsets[rows[0]]:offsets[rows[0]] + width * len(rows)].reshape(-1, width)
        else:
            chars = raw[offsets[rows][:, None] + np.arange(width)]
        places = chars.T  # one row per character place: the checks run along the rows
        digits = places[keep] - np.uint8(ord("0"))  # wraps below '0': then above 9
        usual = (digits <= 9).all(axis=0)
        if width == 12:
            usual &= (places[3] == ord("-")) & (places[6] == ord("-"))
        found.append((rows[usual], digits[:, usual].T.astype(np.int32)))
    where = np.concatenate([found[0][0], found[1][0]])
    order = np.argsort(where, kind="stable")
    return where[order], np.concatenate([found[0][1], found[1][1]])[order]


def _dashed(digits: np.ndarray) -> pa.Array:
    """Rows of ten digits as ``XXX-YY-ZZZZC`` strings."""
    out = np.full((len(digits), 12), ord("-"), dtype=np.uint8)
    out[:, [0, 1, 2, 4, 5, 7, 8, 9, 10, 11]] = digits + ord("0")
    offsets = np.arange(len(digits) + 1, dtype=np.int64) * 12
    return pa.Array.from_buffers(pa.large_string(), len(digits),
                                 [None, pa.py_buffer(offsets), pa.py_buffer(out.tobytes())])


def _greater(left: pd.Series, right: pd.Series) -> np.ndarray:
    """Where ``left > right`` (missing on either side: False), compared in numpy."""
    return left.to_numpy(dtype=np.float64, na_value=np.nan) > right.to_numpy(
        dtype=np.float64, na_value=np.nan)


def _cross_checks(frame: pd.DataFrame, mapping, rows, source, problems, seen=None) -> None:
    """Rules between columns: staff within employees, founded before year, one row per firm-year."""
    def header(name):
        return mapping[name][0] if name in mapping else name

    if "rnd_staff" in frame and "employees" in frame:
        over = _greater(frame["rnd_staff"], frame["employees"])
        for i in np.flatnonzero(over):
            problems.append(Problem(source, int(rows[i]), header("rnd_staff"),
                                    "staff_gt_employees", "error",
                                    {"value": frame["rnd_staff"].iat[i],
                                     "other": frame["employees"].iat[i]}))
    if "founded" in frame and "year" in frame:
        late = _greater(frame["founded"], frame["year"])
        for i in np.flatnonzero(late):
            problems.append(Problem(source, int(rows[i]), header("founded"), "founded_after_year",
                                    "error", {"value": int(frame["founded"].iat[i]),
                                              "other": int(frame["year"].iat[i])}))
    if "export_revenue" in frame and "revenue" in frame:
        over = _greater(frame["export_revenue"], frame["revenue"])
        for i in np.flatnonzero(over):
            problems.append(Problem(source, int(rows[i]), header("export_revenue"),
                                    "export_gt_revenue", "warning",
                                    {"value": frame["export_revenue"].iat[i],
                                     "other": frame["revenue"].iat[i]}))
    _duplicates(frame, mapping, rows, source, problems, seen)


class SeenFirmYears:
    """The firm-years of the batches validated so far, for one-row-per-firm-year across the
    batches of a streamed file (:func:`validate`'s ``seen``): each distinct (firm, year) as a
    64-bit hash with its first spreadsheet row, 16 bytes per firm-year, kept as sorted runs
    merged as :class:`SeenHashes` merges them, so that a batch costs its own sort, a search
    in each of the few runs and, in all, about log2(batches) copies of each firm-year (never
    a copy of the whole set per batch: tens of millions of firm-years stay near linear).
    Two firm-years with one hash (about one file in 10^12 of a million rows) would be
    reported as a duplicate, never passed in silence."""

    def __init__(self):
        self.runs: list[tuple[np.ndarray, np.ndarray]] = []  # (hashes sorted, first rows)

    def first_rows(self, keys: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
        """For each row of ``keys`` (firm, year; rows with a missing key never match), the
        spreadsheet row of its earlier occurrence in this or an earlier batch, or -1; then
        remember this batch's firm-years."""
        rows = np.asarray(rows, dtype=np.int64)
        known = np.flatnonzero(keys.notna().all(axis=1).to_numpy())
        hashes = pd.util.hash_pandas_object(keys, index=False).to_numpy()[known]
        order = np.argsort(hashes, kind="stable")  # ties in row order
        hashes, where = hashes[order], known[order]
        first = np.full(len(keys), -1, dtype=np.int64)
        hit = np.zeros(len(hashes), dtype=bool)
        for seen, seen_rows in self.runs:  # a firm-year is in one run at most
            at = np.minimum(np.searchsorted(seen, hashes), len(seen) - 1)
            found = seen[at] == hashes
            first[where[found]] = seen_rows[at[found]]  # earlier batches come first
            hit |= found
        repeat = np.zeros(len(hashes), dtype=bool)
        repeat[1:] = hashes[1:] == hashes[:-1]
        if repeat.any():  # new in this batch, more than once: the row of the first of them
            leader = np.maximum.accumulate(np.where(repeat, 0, np.arange(len(hashes))))
            fresh = repeat & (first[where] < 0)
            first[where[fresh]] = rows[where[leader[fresh]]]
        new = ~hit & ~repeat
        if new.any():
            self._add(hashes[new], rows[where[new]])
        return first

    def _add(self, hashes: np.ndarray, rows: np.ndarray) -> None:
        """A run of new firm-years (sorted by hash); runs of like size merged, as a binary
        counter carries."""
        self.runs.append((hashes, rows))
        while len(self.runs) > 1 and len(self.runs[-2][0]) <= 2 * len(self.runs[-1][0]):
            (later, later_rows), (earlier, earlier_rows) = self.runs.pop(), self.runs.pop()
            both = np.concatenate([earlier, later])
            order = np.argsort(both, kind="stable")
            self.runs.append((both[order], np.concatenate([earlier_rows, later_rows])[order]))


class FirmsApart(Exception):
    """A firm's rows are not together in the file (:class:`SeenFirmRuns`)."""


class SeenHashes:
    """A set of 64-bit hashes, as sorted runs of sizes halving from the first (runs of
    like size are merged as a binary counter carries): adding a batch costs its own sort and
    a search in each of the few runs, and each hash is copied by about log2(batches) merges
    in all, never a whole-set copy per batch."""

    def __init__(self):
        self.runs: list[np.ndarray] = []

    def add_new(self, hashes: np.ndarray) -> bool:
        """Add distinct ``hashes``; True when one of them was there already (then nothing
        is added)."""
        hashes = np.sort(hashes)
        for run in self.runs:
            place = np.minimum(np.searchsorted(run, hashes), len(run) - 1)
            if (run[place] == hashes).any():
                return True
        if len(hashes):
            self.runs.append(hashes)
        while len(self.runs) > 1 and len(self.runs[-2]) <= 2 * len(self.runs[-1]):
            last = self.runs.pop()
            self.runs.append(np.sort(np.concatenate([self.runs.pop(), last])))
        return False


def text_hashes(values) -> np.ndarray:
    """64-bit hashes of text values (a Series, an array, or arrow strings): the same text
    gives the same hash in any batch. Read from arrow's buffers with numpy, eight bytes at a
    time, each word mixed in by splitmix64's finaliser (no Python string is made, and
    Python's lock is free while numpy runs); a value longer than 256 bytes is hashed by
    pandas instead, whatever the values beside it."""
    cells = _text_cells(values)
    long = (pa.compute.binary_length(cells).fill_null(0).to_numpy(zero_copy_only=False)
            > _HASHED_BYTES)
    if not long.any():
        return _word_hashes(cells)
    hashes = np.empty(len(cells), dtype=np.uint64)
    series = pd.Series(pd.arrays.ArrowStringArray(cells.filter(pa.array(long))))
    hashes[long] = pd.util.hash_pandas_object(series, index=False).to_numpy()
    hashes[~long] = _word_hashes(cells.filter(pa.array(~long)))
    return hashes


def _word_hashes(cells: pa.Array) -> np.ndarray:
    """:func:`text_hashes` of values of at most :data:`_HASHED_BYTES` bytes."""
    if not len(cells):
        return np.zeros(0, dtype=np.uint64)
    offsets = np.frombuffer(cells.buffers()[1], dtype=np.int64,
                            count=cells.offset + len(cells) + 1)[cells.offset:]
    lengths = np.diff(offsets)
    if cells.null_count:
        lengths = np.where(cells.is_null().to_numpy(zero_copy_only=False), -1, lengths)
    data = np.frombuffer(cells.buffers()[2] or b"\0", dtype=np.uint8)
    words = -(-max(int(lengths.max()), 1) // 8)
    place = offsets[:-1, None] + np.arange(words * 8)
    inside = place < offsets[:-1, None] + np.maximum(lengths, 0)[:, None]
    chunk = np.where(inside, data[np.minimum(place, len(data) - 1)], 0).astype(np.uint8)
    chunk = chunk.view(np.uint64).reshape(len(cells), words)
    hashes = _mixed(lengths.astype(np.uint64) ^ np.uint64(0x9E3779B97F4A7C15))
    for k in range(words):  # a word past the end of a value leaves its hash as it is
        hashes = np.where(8 * k < lengths, _mixed(hashes ^ chunk[:, k]), hashes)
    return _mixed(hashes)


_HASHED_BYTES = 256  # longer values are hashed by pandas (the padded words would be large)


def _mixed(z: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: every bit of the result depends on every bit of ``z``."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


class SeenFirmRuns:
    """:class:`SeenFirmYears` for a streamed file whose firms' rows are each together (in
    any order of years, a firm's run of rows possibly across a batch's end), in far less
    time and memory: it keeps the firm-years of the last batch's last firm only, and the
    hash of every firm met. A firm met again after other firms' rows raises
    :class:`FirmsApart` (the caller then validates the file with :class:`SeenFirmYears`);
    two firms of one hash do too, so a repeat is never missed, and so does the last
    batch's last firm going on after other firms' rows.

    ``firm_ids`` is True when the key checked is the column that becomes ``firm_id`` (the
    business number alone, or the firm id alone; not a firm id filled in from business
    numbers): every firm id's rows are then known to be together, in file order."""

    def __init__(self):
        self.firms = SeenHashes()
        self.firm_ids = False  # set by validate, from the file's columns
        self.carried: pd.DataFrame | None = None  # the last firm's keys, and their rows
        self.carried_rows = np.zeros(0, dtype=np.int64)

    def first_rows(self, keys: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
        """:meth:`SeenFirmYears.first_rows` of a batch of a file whose firms are together."""
        rows = np.asarray(rows, dtype=np.int64)
        keys = keys.reset_index(drop=True)
        carried = 0 if self.carried is None else len(self.carried)
        both = keys if not carried else pd.concat([self.carried, keys], ignore_index=True)
        both_rows = np.concatenate([self.carried_rows, rows])
        firm, hashes = firm_runs(both.iloc[:, 0])
        if firm is None:  # a firm's rows apart inside the batch: code the firms by value
            firm, firms = pd.factorize(both.iloc[:, 0])
            hashes = text_hashes(firms)
            if carried:  # (with one run per firm the carried firm's run leads the batch)
                _check_leading(firm)
        year, years = pd.factorize(both.iloc[:, 1])
        known = (firm >= 0) & (year >= 0)
        self._check_new(hashes, firm[0] if carried else -1)
        pair = np.where(known, firm.astype(np.int64) * (len(years) + 1) + year, -1)
        _, first, inverse = np.unique(pair, return_index=True, return_inverse=True)
        first = first[inverse]
        repeat = known & (first != np.arange(len(pair)))
        out = np.where(repeat, both_rows[first], -1)[carried:]
        last = firm[-1]
        keep = firm == last if last >= 0 else np.zeros(len(firm), dtype=bool)
        self.carried = both[keep].reset_index(drop=True)
        self.carried_rows = both_rows[keep]
        return out

    def _check_new(self, hashes: np.ndarray, carried_code: int) -> None:
        """Every firm of the batch (``hashes``: one per firm code) is new but the one
        carried from the last batch."""
        fresh = np.ones(len(hashes), dtype=bool)
        if carried_code >= 0:
            fresh[carried_code] = False
        if self.firms.add_new(hashes[fresh]):
            raise FirmsApart


def _check_leading(firm: np.ndarray) -> None:
    """The carried firm (the code of the first row) goes on only at the start of the batch:
    its rows after another firm's, even inside the batch, are apart from those carried."""
    other = np.flatnonzero(firm != firm[0])
    if other.size and (firm[other[0]:] == firm[0]).any():
        raise FirmsApart


def firm_runs(firms) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Each row's firm as the number of its run of equal values (missing: -1), and the
    :func:`text_hashes` of the runs' values, when no two runs have one value; (None, None)
    otherwise. In a file of firms kept together this codes the firms as a factorisation
    would, comparing each value with the one before instead of hashing them all.
    ``firms``: a Series or arrow strings.

    >>> firm_runs(pd.Series(["A", "A", None, "B"], dtype="str"))[0].tolist()
    [0, 0, -1, 1]
    >>> firm_runs(pd.Series(["A", "B", "A"], dtype="str"))
    (None, None)
    """
    cells = _text_cells(firms)
    starts = _run_starts(cells)
    missing = cells.is_null().to_numpy(zero_copy_only=False)
    starts &= ~missing
    hashes = text_hashes(cells.filter(pa.array(starts)))
    ordered = np.sort(hashes)
    if (ordered[1:] == ordered[:-1]).any():
        return None, None
    run = np.cumsum(starts) - 1
    return np.where(missing, -1, run), hashes


def _duplicates(frame, mapping, rows, source, problems, seen=None) -> None:
    key = "firm_id" if "firm_id" in mapping else "brn"
    if key not in frame or "year" not in frame:
        return
    keys = frame[[key, "year"]]
    if seen is not None:
        if isinstance(seen, SeenFirmRuns):  # firm_id is filled in from brn when both are
            seen.firm_ids = not ("firm_id" in mapping and "brn" in mapping)
        first = seen.first_rows(keys, rows)
        for i in np.flatnonzero(first >= 0):
            problems.append(Problem(source, int(rows[i]), mapping["year"][0],
                                    "duplicate_firm_year", "error",
                                    {"firm": keys.iat[i, 0], "year": int(keys.iat[i, 1]),
                                     "first": int(first[i])}))
        return
    # one integer per (firm, year) pair, missing as its own value, as DataFrame.duplicated
    # compares them; hashing integers is a fraction of hashing the pairs
    firm, _ = pd.factorize(keys[key])
    year, years = pd.factorize(keys["year"])
    pair = pd.Series(firm.astype(np.int64) * (len(years) + 1) + (year + 1))
    dup = pair.duplicated(keep="first").to_numpy() & keys.notna().all(axis=1).to_numpy()
    if not dup.any():
        return
    involved = pair.duplicated(keep=False).to_numpy()
    first_row = {}
    for i in np.flatnonzero(involved):
        first_row.setdefault((keys.iat[i, 0], keys.iat[i, 1]), int(rows[i]))
    for i in np.flatnonzero(dup):
        k, y = keys.iat[i, 0], keys.iat[i, 1]
        problems.append(Problem(source, int(rows[i]), mapping["year"][0], "duplicate_firm_year",
                                "error", {"firm": k, "year": int(y), "first": first_row[(k, y)]}))


def _derive(frame: pd.DataFrame, mapping, rows, source, problems) -> pd.DataFrame:
    """firm_id from brn; firm_age from founded; year columns as integers."""
    if "firm_id" not in frame and "brn" in frame:
        frame["firm_id"] = frame["brn"]
    elif "firm_id" in frame and "brn" in frame:
        frame["firm_id"] = frame["firm_id"].fillna(frame["brn"])
    if "founded" in frame and "year" in frame:
        derived = frame["year"] - frame["founded"]
        if "firm_age" in frame:
            differs = ((frame["firm_age"] - derived).abs() > 1).to_numpy()
            for i in np.flatnonzero(differs):
                problems.append(Problem(source, int(rows[i]), mapping["firm_age"][0],
                                        "age_mismatch", "warning",
                                        {"value": frame["firm_age"].iat[i],
                                         "other": derived.iat[i]}))
            frame["firm_age"] = derived.fillna(frame["firm_age"])
        else:
            frame["firm_age"] = derived
    for name in ("year", "founded"):
        if name in frame:
            frame[name] = frame[name].astype("Int64")
    return frame


def validate(raw: RawTable | pd.DataFrame, source: str = "<data>",
             money_unit: str | None = None,
             seen: SeenFirmYears | SeenFirmRuns | None = None) -> Validated:
    """Check ``raw`` against the contract; return the clean frame and every problem.

    Parameters
    ----------
    raw : a :class:`RawTable` from :func:`ktop_index.io.read_table`, or a DataFrame (rows are
        then numbered as a spreadsheet would: the first record is row 2).
    source : the file name used in messages.
    money_unit : unit of money columns whose header carries none: '원', '천원', '백만원'.
    seen : for the batches of one streamed file (:class:`~ktop_index.data.io.TableStream`),
        one :class:`SeenFirmYears` passed to each in turn, so that a firm-year repeated in
        a later batch is a ``duplicate_firm_year`` naming the first row, as when the file is
        validated whole; or one :class:`SeenFirmRuns`, for a file whose firms' rows are
        each together (it raises :class:`FirmsApart` otherwise).

    Returns
    -------
    Validated
        ``frame`` has canonical English columns in contract order, money in KRW thousand,
        bad cells set to missing, and the unknown columns after them as they were; its
        ``attrs['rows']`` are the spreadsheet rows. ``problems`` lists every problem.
    """
    if isinstance(raw, RawTable):
        table, rows, source = raw.frame, raw.rows, raw.source
    else:
        table, rows = raw.reset_index(drop=True), np.arange(len(raw), dtype=np.int64) + 2
    # the reader's problems first (a duplicated header, a column without one, the sheet read)
    problems: list[Problem] = list(raw.problems) if isinstance(raw, RawTable) else []
    if money_unit is not None and money_factor(money_unit) is None:
        raise UsageError(f"unknown money unit '{money_unit}' (expected 원, 천원 or 백만원)")
    if table.shape[1] == 0 or len(table) == 0:
        problems.append(Problem(source, 1, "-", "empty"))
        return Validated(pd.DataFrame(), problems, rows)
    mapping = _map_columns(table, source, money_unit, problems)
    for f in FIELDS:
        if f.required and f.name not in mapping:
            problems.append(Problem(source, 1, f.label_ko, "missing_column", "error",
                                    {"field": f.name, "label": f.label_ko}))
    if "brn" not in mapping and "firm_id" not in mapping:
        problems.append(Problem(source, 1, "-", "missing_key"))
    columns = _parse_columns(table, mapping, rows, source, problems)
    if _ADDRESS in mapping:
        header = mapping[_ADDRESS][0]
        address = _parse_column(FIELD_BY_NAME["region"], table[header], None, rows, header,
                                source, problems)
        columns["region"] = columns["region"].fillna(address)
    # columns side by side, not copied into one block per type: half a second at 1M rows
    frame = pd.DataFrame(columns, copy=False)
    for name in ("year", "brn", "firm_id"):
        if name in mapping and not (name == "firm_id" and "brn" in mapping):
            column = table[mapping[name][0]]
            if pd.api.types.is_numeric_dtype(column.dtype):
                missing = column.isna().to_numpy()
            elif name == "firm_id":  # parsed as text with blanks missing: the same test
                missing = frame[name].isna().to_numpy()
            else:  # a blank cell parses as missing: only those cells need a look
                missing = frame[name].isna().to_numpy(copy=True)
                where = np.flatnonzero(missing)
                missing[where] = _blank(_as_text(column.iloc[where])).to_numpy()
            problems += _cell_problems(missing, rows, frame[name], source, mapping[name][0],
                                       "missing_value", field=name,
                                       label=FIELD_BY_NAME[name].label_ko)
    _cross_checks(frame, mapping, rows, source, problems, seen)
    frame = _derive(frame, mapping, rows, source, problems)
    _missing_names(frame, mapping, rows, source, problems)
    _control_characters(table, mapping, frame, rows, source, problems)
    order = [f.name for f in FIELDS if f.name in frame]
    extras = [c for c in table.columns if match_header(str(c))[0] is None
              or (_ADDRESS in mapping and c == mapping[_ADDRESS][0])]
    frame = pd.concat([frame[order], table[extras].reset_index(drop=True)], axis=1)
    frame.attrs["rows"] = rows
    problems = _at_the_header(problems, raw)
    position = {str(c): k for k, c in enumerate(table.columns)}
    problems.sort(key=lambda p: (p.row, position.get(p.column, -1)))
    return Validated(frame, problems, rows)


def _at_the_header(problems: list[Problem], raw) -> list[Problem]:
    """Column problems name the row the header is on (row 1 unless the reader found title
    rows above it); the reader's own problems, first in the list, already do."""
    head = getattr(raw, "header_row", 1) or 1
    if head == 1:
        return problems
    ours = len(getattr(raw, "problems", []))
    return problems[:ours] + [dataclasses.replace(p, row=head) if p.row == 1 else p
                              for p in problems[ours:]]


def _missing_names(frame: pd.DataFrame, mapping, rows, source, problems) -> None:
    """An empty firm name (blank or a lone dash) where the file has the column.

    An error in an applicants file (one with a column of the contract's application group:
    신청금액, 참여의향서, 중소기업확인서), whose selection would show a firm without a name; a
    warning elsewhere, since scoring does not need names.
    """
    if "firm_name" not in frame:
        return
    names = frame["firm_name"]
    missing = (names.isna() | names.isin(_DASHES)).to_numpy()
    if not missing.any():
        return
    applicants = any(FIELD_BY_NAME[n].group == "application" for n in mapping
                     if n in FIELD_BY_NAME)
    key = frame["firm_id"] if "firm_id" in frame else pd.Series(pd.NA, index=frame.index)
    for i in np.flatnonzero(missing):
        firm = key.iat[i]
        problems.append(Problem(source, int(rows[i]), mapping["firm_name"][0],
                                "missing_firm_name", "error" if applicants else "warning",
                                {"firm": "-" if pd.isna(firm) else visible(str(firm))}))


_TEXT_CHECKED = ("id", "text", "region")  # other kinds reject a control character anyway


def _control_characters(table: pd.DataFrame, mapping, frame: pd.DataFrame, rows, source,
                        problems) -> None:
    """A control character (NUL, ESC, any C0 or C1 but tab and line breaks) in a text cell:
    an error naming the cell, before an export or the Excel writer meets it. The cell is
    missing in the frame; unknown columns, kept as they were, are checked too."""
    fields = {header: name for name, (header, _) in mapping.items()  # brn: rebuilt from digits
              if name == _ADDRESS or (FIELD_BY_NAME[name].kind in _TEXT_CHECKED
                                      and name != "brn")}
    extras = [c for c in table.columns if match_header(str(c))[0] is None]
    for header in [*fields, *extras]:
        column = table[header]
        if pd.api.types.is_numeric_dtype(column.dtype):
            continue
        mask = _control_cells(column)
        if mask is None:
            continue
        for i in np.flatnonzero(mask):
            found = _CONTROL_RE.search(str(column.iat[i]))
            problems.append(Problem(source, int(rows[i]), str(header), "control_character",
                                    "error", {"char": f"U+{ord(found.group()):04X}",
                                              "position": found.start() + 1}))
        name = fields.get(header)
        if name in frame:
            frame[name] = frame[name].mask(mask)


def _control_cells(column: pd.Series) -> np.ndarray | None:
    """The mask of cells holding a control character, or None when none does. A look at the
    column's bytes clears a clean column (nearly every one) without a pass over its values:
    no byte below 0x20, no DEL, no 0xC2 (the first byte of C1 characters, and of U+00A0-U+00BF,
    which the closer look tells apart)."""
    array = pa.array(column.astype("str"), type=pa.large_string(), from_pandas=True)
    chunks = array.chunks if isinstance(array, pa.ChunkedArray) else [array]
    for chunk in chunks:
        data = chunk.buffers()[2]
        if data is None or data.size == 0:
            continue
        raw = data.to_pybytes()  # bytes.find is memchr: a few ms for a million values
        if np.frombuffer(raw, dtype=np.uint8).min() < 0x20 or b"\x7f" in raw or b"\xc2" in raw:
            break
    else:
        return None
    mask = pa.compute.match_substring_regex(array, _CONTROL_RE2).fill_null(False)
    mask = mask.to_numpy(zero_copy_only=False)
    return mask if mask.any() else None


_PARSERS: list[ThreadPoolExecutor] = []  # made once per process, at the first validation
_PARSERS_LOCK = threading.Lock()


def _parsers() -> ThreadPoolExecutor:
    """The two threads that parse the columns, kept for every later validation: a streamed
    file is validated batch by batch, and new threads would each take fresh memory from the
    allocators (their own arenas), which the system then has to fault in again."""
    with _PARSERS_LOCK:
        if not _PARSERS:
            _PARSERS.append(ThreadPoolExecutor(max_workers=2, thread_name_prefix="ktop-parse"))
        return _PARSERS[0]


def _parse_columns(table: pd.DataFrame, mapping, rows, source, problems) -> dict:
    """Every mapped field parsed by :func:`_parse_column`, in two threads (numpy, pandas and
    arrow mostly run outside Python's lock); problems are kept in field order, as if serial."""
    def parse(f) -> tuple[pd.Series, list[Problem]]:
        header, factor = mapping[f.name]
        found: list[Problem] = []
        return _parse_column(f, table[header], factor, rows, header, source, found), found

    fields = [f for f in FIELDS if f.name in mapping]
    parsed = list(_parsers().map(parse, fields))
    columns = {}
    for f, (column, found) in zip(fields, parsed):
        columns[f.name] = column
        problems += found
    return columns


def read_firms(path: str | os.PathLike, money_unit: str | None = None,
               sheet: str | int | None = None) -> pd.DataFrame:
    """Read and validate a firm-year file; raise :class:`DataError` if it has any error.

    >>> frame = read_firms("data/jeju_2025_applicants.csv")  # doctest: +SKIP
    """
    result = validate(read_table(path, sheet=sheet), money_unit=money_unit)
    if not result.ok:
        raise DataError(result.problems)
    return result.frame
