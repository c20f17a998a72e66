"""The data contract: header matching, units, the dictionary."""

from __future__ import annotations

import pytest

from ktop_index.data.contract import (
    FIELD_BY_NAME,
    FIELDS,
    FINANCIAL,
    QUANTITATIVE,
    dictionary,
    header_for,
    match_header,
    money_factor,
)


def test_ten_quantitative_and_eight_financial_fields():
    """The contract has K-TOP's ten quantitative fields and the eight financial ones."""
    assert len(QUANTITATIVE) == 10
    assert FINANCIAL == ("revenue", "operating_profit", "net_income", "total_assets",
                         "total_equity", "rnd_expense", "salaries", "export_revenue")


@pytest.mark.parametrize("header,expected", [
    ("매출액(백만원)", ("revenue", 1000.0)), ("매출액 (천원)", ("revenue", 1.0)),
    ("매출액（원）", ("revenue", 0.001)), ("REVENUE [KRW million]", ("revenue", 1000.0)),
    ("revenue", ("revenue", None)), ("  Firm_Name ", ("firm_name", None)),
    ("상시근로자 수(명)", ("employees", None)), ("상시 근로자수", ("employees", None)),
    ("영업이익(손실)", ("operating_profit", None)), ("영업이익(손실)(백만원)",
                                                   ("operating_profit", 1000.0)),
    ("사업자 등록번호", ("brn", None)), ("대표자_동업종_경력", ("ceo_industry_years", None)),
    ("매출이익", (None, None)),
])
def test_header_variants(header, expected):
    """Korean and English headers match with or without units, spaces and case."""
    assert match_header(header) == expected


def test_every_label_and_alias_is_unambiguous():
    """No two fields share a name, label or alias (a header maps to one field only)."""
    for f in FIELDS:
        for name in (f.name, f.label_ko, *f.aliases):
            assert match_header(name)[0] == f.name, name


def test_money_units():
    """Units convert to KRW thousand: 1 백만원 = 1,000 천원; 1 원 = 0.001 천원; 1 억원 = 100,000 천원."""
    assert money_factor("백만원") == 1000.0
    assert money_factor("원") == 0.001
    assert money_factor("억원") == 100000.0
    assert money_factor("달러") is None


def test_dictionary_complete():
    """The dictionary has every field with its Korean label, unit and meaning."""
    rows = dictionary("en")
    assert [r["name"] for r in rows] == [f.name for f in FIELDS]
    assert all(r["meaning"] for r in rows)
    money = [r for r in rows if r["type"] == "money"]
    assert money and all(r["unit"] == "KRW thousand" for r in money)
    ko = dictionary("ko")
    assert ko[3]["required"] == "필수" and ko[3]["unit"] == "년"


def test_header_for():
    """Korean headers carry the money unit."""
    assert header_for("revenue", "ko", with_unit=True) == "매출액(천원)"
    assert header_for("employees", "ko") == FIELD_BY_NAME["employees"].label_ko


def test_committed_dictionary_matches_contract():
    """data/data_dictionary.csv is what `ktop schema -o` prints today (no drift)."""
    from pathlib import Path

    import pandas as pd

    root = Path(__file__).resolve().parents[2]
    for lang in ("en", "ko"):
        name = "data_dictionary.csv" if lang == "en" else "data_dictionary_ko.csv"
        committed = pd.read_csv(root / "data" / name, dtype=str, keep_default_na=False,
                                encoding="utf-8-sig")
        assert committed.to_dict("records") == dictionary(lang)
