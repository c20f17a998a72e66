"""Every bundled reference table, loaded in one place; sources in ``SOURCES.md`` beside this
file. Each loader reads its CSV once per process (cached) and returns plain data.

Example
-------
>>> ksic_divisions()["10"]
'C'
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import pandas as pd


def _read(name: str, **options) -> pd.DataFrame:
    with resources.files("ktop_index.reference").joinpath(name).open(encoding="utf-8") as handle:
        return pd.read_csv(handle, **options)


@lru_cache(maxsize=1)
def ksic_table() -> pd.DataFrame:
    """``ksic_divisions.csv``: KSIC sections and divisions of both revisions, with names."""
    return _read("ksic_divisions.csv", dtype=str)


@lru_cache(maxsize=1)
def ksic_divisions() -> dict[str, str]:
    """KSIC division (2 digits) -> section letter."""
    table = ksic_table()
    divisions = table[table["level"] == "division"]
    return dict(zip(divisions["code"], divisions["section"], strict=True))


@lru_cache(maxsize=2)
def division_names(lang: str = "en") -> dict[str, str]:
    """KSIC division code -> its name in the 11th revision (in force since 2024-07-01; the
    10th's divisions have the same codes), in English or Korean."""
    table = ksic_table()
    rows = table[(table["level"] == "division") & (table["ksic_revision"] == "11")]
    return dict(zip(rows["code"], rows["name_ko" if lang == "ko" else "name_en"], strict=True))


@lru_cache(maxsize=1)
def division_name_pairs() -> dict[str, tuple[str, str]]:
    """KSIC division code -> (Korean name, English name), every division row of the table."""
    table = ksic_table()
    table = table[table["level"] == "division"]
    return {c: (k, e) for c, k, e in zip(table["code"], table["name_ko"], table["name_en"],
                                         strict=True)}


@lru_cache(maxsize=1)
def ksic11_codes() -> frozenset[str]:
    """Every KSIC 11th-revision numeric code (2 to 5 digits)."""
    table = _read("ksic11_codes.csv", dtype=str)
    return frozenset(table.loc[table["level"] != "section", "code"])


@lru_cache(maxsize=1)
def ksic11_names() -> dict[str, str]:
    """KSIC 11th-revision code (2 to 5 digits) -> its Korean name.

    >>> ksic11_names()["10602"]
    '빵류 제조업'
    """
    table = _read("ksic11_codes.csv", dtype=str)
    table = table[table["level"] != "section"]
    return dict(zip(table["code"], table["name_ko"], strict=True))


@lru_cache(maxsize=1)
def ksic_concordance() -> pd.DataFrame:
    """``ksic10_to_11.csv``: the official 10th -> 11th revision concordance (구신연계표), one
    row per (10th subclass, 11th subclass) pair: ``ksic10, name10_ko, ksic11, name11_ko,
    note_ko`` (코드변경, 세분, 통합, ...; empty where nothing changed)."""
    return _read("ksic10_to_11.csv", dtype=str, keep_default_na=False)


@lru_cache(maxsize=1)
def ksic10_to_11() -> dict[str, tuple[str, ...]]:
    """KSIC 10th-revision subclass (5 digits) -> the 11th-revision subclass(es) it became, in
    the concordance's order (several where the 10th code was split, 세분).

    >>> ksic10_to_11()["10712"], ksic10_to_11()["10801"]
    (('10602',), ('10901', '10902'))
    """
    table = ksic_concordance()
    return {code: tuple(group) for code, group in table.groupby("ksic10", sort=False)["ksic11"]}


@lru_cache(maxsize=1)
def ksic10_codes() -> frozenset[str]:
    """Every KSIC 10th-revision numeric code (2 to 5 digits): the subclasses of the
    concordance and their classes, groups and divisions (KSIC codes nest by prefix: a class
    is the first 4 digits of its subclasses; the 11th revision's list is exactly that)."""
    subclasses = ksic10_to_11()
    return frozenset(code[:n] for code in subclasses for n in (2, 3, 4, 5))


@lru_cache(maxsize=1)
def ksic10_names() -> dict[str, str]:
    """KSIC 10th-revision subclass or division -> its Korean name (the concordance and the
    divisions table name no 10th groups or classes)."""
    table = ksic_table()
    divisions = table[(table["level"] == "division") & (table["ksic_revision"] == "10")]
    names = dict(zip(divisions["code"], divisions["name_ko"], strict=True))
    concordance = ksic_concordance().drop_duplicates("ksic10")
    return names | dict(zip(concordance["ksic10"], concordance["name10_ko"], strict=True))


@lru_cache(maxsize=1)
def regions() -> pd.DataFrame:
    """``regions.csv``: 법정동 codes and address prefixes of Jeju and Sejong."""
    return _read("regions.csv", dtype=str, keep_default_na=False)


@lru_cache(maxsize=1)
def sme_size_criteria() -> pd.DataFrame:
    """``sme_size_criteria.csv``: average-revenue ceilings by industry, in 억원."""
    return _read("sme_size_criteria.csv", dtype=str, keep_default_na=False)


def committee_preset(name: str = "committee_2025") -> pd.DataFrame:
    """A bundled committee item table (``<name>.csv``): item, Korean/English text, max_points."""
    from ktop_index.errors import InputError

    path = resources.files("ktop_index.reference").joinpath(f"{name}.csv")
    if not path.is_file():
        raise InputError(f"no committee preset '{name}' (expected committee_2025)")
    return _read(f"{name}.csv", dtype={"max_points": "float64"}, keep_default_na=False)
