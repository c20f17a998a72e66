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
- ``founded`` accepts a year or a date (``2015-03-01``, ``2015.03.01``, ``20150301``,
  ``2015년 3월``); ``firm_age`` is derived from it as ``year - founded``;
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

import difflib
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute

from ktop_index.data.brn import brn_problem, format_brn
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
from ktop_index.data.problems import MESSAGES, Problem  # noqa: F401 - MESSAGES re-exported
from ktop_index.errors import DataError, UsageError
from ktop_index.labels import BRN_WHY_KO as _WHY_KO
from ktop_index.reference import ksic11_codes, ksic_divisions

_EXPECTED = {
    "int": ("a whole number", "정수"), "float": ("a number", "숫자"),
    MONEY: ("an amount", "금액"), "year": ("a year", "연도"),
}
_BLANKS = {"", "na", "n/a", "#n/a", "nan", "null", "none", "nat"}
_DASHES = {"-", "−", "–", "—", "―", "ー"}
_YES = {"y", "yes", "예", "네", "o", "1", "true", "t", "제출", "유", "있음", "해당", "○"}
_NO = {"n", "no", "아니오", "아니요", "x", "0", "false", "f", "미제출", "무", "없음", "해당없음", "×"}


@dataclass
class Validated:
    """The clean frame and every problem found."""

    frame: pd.DataFrame
    problems: list[Problem]
    rows: np.ndarray

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors


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
    return text.isna() | text.str.lower().isin(_BLANKS)


def parse_numbers(series: pd.Series, dash_is_zero: bool) -> tuple[np.ndarray, np.ndarray]:
    """Parse spreadsheet numbers; returns (float values with NaN for blank, bad-cell mask).

    >>> values, bad = parse_numbers(pd.Series(["1,234", "△50", "(7)", "-", "１２", "x", ""]),
    ...                             dash_is_zero=True)
    >>> values.tolist()[:5], bad.tolist()
    ([1234.0, -50.0, -7.0, 0.0, 12.0], [False, False, False, False, False, True, False])
    """
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series):
        return series.to_numpy(dtype="float64", na_value=np.nan), np.zeros(len(series), bool)
    text = _as_text(series)
    blank = _blank(text)
    compact = text.str.replace(r"[,\s₩]", "", regex=True)
    bracketed = compact.str.match(r"^\(.*\)$", na=False)
    compact = compact.where(~bracketed, compact.str.slice(1, -1))
    triangle = compact.str.match(r"^[△▲]", na=False)
    compact = compact.where(~triangle, compact.str.slice(1))
    dash = compact.isin(_DASHES) & dash_is_zero
    values = pd.to_numeric(compact.where(~blank & ~dash), errors="coerce").to_numpy(
        dtype="float64", na_value=np.nan)
    values = np.where(dash.to_numpy(), 0.0, values)
    values = np.where((bracketed | triangle).to_numpy(), -np.abs(values), values)
    bad = (~blank & ~dash).to_numpy() & np.isnan(values)
    return values, bad


def parse_years(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Parse a year or a date into a year (float, NaN for blank) and a bad-cell mask."""
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        years = series.dt.year.to_numpy(dtype="float64", na_value=np.nan)
        return years, np.zeros(len(series), bool)
    if pd.api.types.is_numeric_dtype(series.dtype):
        values = series.to_numpy(dtype="float64", na_value=np.nan)
        bad = ~np.isnan(values) & (values != np.floor(values))
        return np.where(bad, np.nan, values), bad
    text = _as_text(series)
    blank = _blank(text)
    pattern = r"^(\d{4})(?:\.0+|\d{4}|\s*[-./년]\s*\d{1,2}(?:\s*[-./월]\s*\d{1,2}\s*일?|\s*월)?" \
              r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?\.?)?$"
    found = text.str.extract(pattern, expand=False)
    years = pd.to_numeric(found, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    bad = (~blank).to_numpy() & np.isnan(years)
    return years, bad


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


def normalise_ksic(series: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """KSIC codes as digits (section letter dropped); returns (codes, bad mask, not-rev-11 mask)."""
    text = _as_text(series).str.upper().str.replace(r"[\s\-.]", "", regex=True)
    blank = _blank(text)
    parts = text.str.extract(r"^([A-U])?(\d{2,5})$")
    digits = parts[1]
    divisions = ksic_divisions()
    section = digits.str.slice(0, 2).map(divisions)
    letter_ok = parts[0].isna() | (parts[0] == section)
    good = digits.notna() & section.notna() & letter_ok
    bad = (~blank & ~good).to_numpy()
    codes = digits.where(good)
    not_rev11 = (good & ~codes.isin(ksic11_codes())).to_numpy()
    return codes.astype("str"), bad, not_rev11


# ---------------------------------------------------------------------------- the validator

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
    for header in raw.columns:
        header = str(header)
        name, factor = match_header(header)
        if name is None:
            problems.append(Problem(source, 1, header, "unknown_column", "warning",
                                    _did_you_mean(header)))
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
        found.append(Problem(source, int(rows[i]), header, code, severity,
                             {"value": value, **params}))
    return found


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


def _check_range(f, values: np.ndarray, rows, header, source, problems) -> np.ndarray:
    """Flag values outside the field's range; returns the mask of bad cells."""
    shown = values
    bad = np.zeros(len(values), bool)
    if f.minimum == 0:
        neg = values < 0
        problems += _cell_problems(neg, rows, shown, source, header, "negative")
        bad |= neg
    outside = np.zeros(len(values), bool)
    if f.minimum is not None and f.minimum != 0:
        outside |= values < f.minimum
    if f.maximum is not None:
        outside |= values > f.maximum
    problems += _cell_problems(outside, rows, shown, source, header, "out_of_range",
                               allowed=f.allowed)
    return bad | outside


def _parse_column(f, series: pd.Series, factor, rows, header, source, problems):
    """Parse one column by the field's kind; bad cells become NaN/NA and problems."""
    numeric = pd.api.types.is_numeric_dtype(series.dtype)

    def raw_text():  # the cells as the user wrote them, for messages: made only when shown
        return series if numeric else _by_unique(series, lambda u: (_as_text(u), None))[0]

    if f.kind in ("int", "float", MONEY):
        values, bad = (parse_numbers(series, dash_is_zero=True) if numeric else
                       _by_unique(series, lambda u: parse_numbers(u, dash_is_zero=True)))
        if bad.any():
            problems += _cell_problems(bad, rows, raw_text(), source, header, "not_number",
                                       expected=_EXPECTED[f.kind][0],
                                       expected_ko=_EXPECTED[f.kind][1])
        if f.kind == "int" and not pd.api.types.is_integer_dtype(series.dtype):
            frac = ~np.isnan(values) & (values != np.floor(values))
            if frac.any():
                problems += _cell_problems(frac, rows, values, source, header, "not_integer")
                values = np.where(frac, np.nan, values)
        return pd.Series(_out_of_range_missing(f, values, factor, rows, header, source,
                                               problems), dtype="float64", copy=False)
    if f.kind == "year":
        values, bad = parse_years(series) if numeric else _by_unique(series, parse_years)
        if bad.any():
            problems += _cell_problems(bad, rows, raw_text(), source, header, "bad_year")
        return pd.Series(_out_of_range_missing(f, values, None, rows, header, source, problems),
                         dtype="float64", copy=False)
    if f.kind == "yesno":
        values, bad = _by_unique(series, parse_yesno)
        if bad.any():
            problems += _cell_problems(bad, rows, raw_text(), source, header, "bad_yesno")
        return values
    if f.kind == "code":
        codes, bad = _by_unique(series, lambda u: normalise_ksic(u)[:2])
        not_rev11 = (codes.notna() & ~codes.isin(ksic11_codes())).to_numpy()
        if bad.any():
            problems += _cell_problems(bad, rows, raw_text(), source, header, "bad_ksic")
        problems += _cell_problems(not_rev11, rows, codes, source, header,
                                   "ksic_not_rev11", "warning")
        return codes
    text, bad = _parse_text(f, series, numeric)
    if f.kind == "region":
        problems += _cell_problems(bad, rows, text, source, header, "bad_region_code")
    if f.name == "brn":
        return _parse_brn(text, rows, header, source, problems)
    return text


def _out_of_range_missing(f, values: np.ndarray, factor, rows, header, source,
                          problems) -> np.ndarray:
    """Values outside the field's range flagged and made missing; money scaled to 천원."""
    out = _check_range(f, values, rows, header, source, problems)
    if out.any():
        values = np.where(out, np.nan, values)
    if f.kind == MONEY and factor not in (None, 1.0):
        values = values * factor
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
    unique = text.dropna().unique()
    why = {value: brn_problem(value) for value in unique}
    reason = text.map(why)
    bad = reason.notna().to_numpy()
    for i in np.flatnonzero(bad):
        en = reason.iloc[i]
        ko = next((k for e, k in _WHY_KO.items() if e in en), en)
        problems.append(Problem(source, int(rows[i]), header, "bad_brn", "error",
                                {"why": en, "why_ko": ko}))
    shown = {value: format_brn(value) for value in unique if why[value] is None}
    return text.map(shown).astype("str")


def _cross_checks(frame: pd.DataFrame, mapping, rows, source, problems) -> None:
    """Rules between columns: staff within employees, founded before year, one row per firm-year."""
    def header(name):
        return mapping[name][0] if name in mapping else name

    if "rnd_staff" in frame and "employees" in frame:
        over = (frame["rnd_staff"] > frame["employees"]).to_numpy()
        for i in np.flatnonzero(over):
            problems.append(Problem(source, int(rows[i]), header("rnd_staff"),
                                    "staff_gt_employees", "error",
                                    {"value": frame["rnd_staff"].iat[i],
                                     "other": frame["employees"].iat[i]}))
    if "founded" in frame and "year" in frame:
        late = (frame["founded"] > frame["year"]).to_numpy()
        for i in np.flatnonzero(late):
            problems.append(Problem(source, int(rows[i]), header("founded"), "founded_after_year",
                                    "error", {"value": int(frame["founded"].iat[i]),
                                              "other": int(frame["year"].iat[i])}))
    if "export_revenue" in frame and "revenue" in frame:
        over = (frame["export_revenue"] > frame["revenue"]).to_numpy()
        for i in np.flatnonzero(over):
            problems.append(Problem(source, int(rows[i]), header("export_revenue"),
                                    "export_gt_revenue", "warning",
                                    {"value": frame["export_revenue"].iat[i],
                                     "other": frame["revenue"].iat[i]}))
    _duplicates(frame, mapping, rows, source, problems)


def _duplicates(frame, mapping, rows, source, problems) -> None:
    key = "firm_id" if "firm_id" in mapping else "brn"
    if key not in frame or "year" not in frame:
        return
    keys = frame[[key, "year"]]
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
             money_unit: str | None = None) -> Validated:
    """Check ``raw`` against the contract; return the clean frame and every problem.

    Parameters
    ----------
    raw : a :class:`RawTable` from :func:`ktop_index.io.read_table`, or a DataFrame (rows are
        then numbered as a spreadsheet would: the first record is row 2).
    source : the file name used in messages.
    money_unit : unit of money columns whose header carries none: '원', '천원', '백만원'.

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
    problems: list[Problem] = []
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
            else:
                missing = _by_unique(column, lambda u: (None, _blank(_as_text(u))))[1]
            problems += _cell_problems(missing, rows, frame[name], source, mapping[name][0],
                                       "missing_value", field=name,
                                       label=FIELD_BY_NAME[name].label_ko)
    _cross_checks(frame, mapping, rows, source, problems)
    frame = _derive(frame, mapping, rows, source, problems)
    order = [f.name for f in FIELDS if f.name in frame]
    extras = [c for c in table.columns if match_header(str(c))[0] is None
              or (_ADDRESS in mapping and c == mapping[_ADDRESS][0])]
    frame = pd.concat([frame[order], table[extras].reset_index(drop=True)], axis=1)
    frame.attrs["rows"] = rows
    problems.sort(key=lambda p: (p.row, _column_position(table, p.column)))
    return Validated(frame, problems, rows)


def _parse_columns(table: pd.DataFrame, mapping, rows, source, problems) -> dict:
    """Every mapped field parsed by :func:`_parse_column`, in two threads (numpy, pandas and
    arrow mostly run outside Python's lock); problems are kept in field order, as if serial."""
    def parse(f) -> tuple[pd.Series, list[Problem]]:
        header, factor = mapping[f.name]
        found: list[Problem] = []
        return _parse_column(f, table[header], factor, rows, header, source, found), found

    fields = [f for f in FIELDS if f.name in mapping]
    with ThreadPoolExecutor(max_workers=2) as pool:
        parsed = list(pool.map(parse, fields))
    columns = {}
    for f, (column, found) in zip(fields, parsed):
        columns[f.name] = column
        problems += found
    return columns


def _column_position(table: pd.DataFrame, column: str) -> int:
    try:
        return list(table.columns).index(column)
    except ValueError:
        return -1


def read_firms(path: str | os.PathLike, money_unit: str | None = None,
               sheet: str | int | None = None) -> pd.DataFrame:
    """Read and validate a firm-year file; raise :class:`DataError` if it has any error.

    >>> frame = read_firms("data/jeju_2025_applicants.csv")  # doctest: +SKIP
    """
    result = validate(read_table(path, sheet=sheet), money_unit=money_unit)
    if not result.ok:
        raise DataError(result.problems)
    return result.frame
