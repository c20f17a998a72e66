"""ktop_index.data.ksic: how a KSIC code is read, against the official concordance rows."""

from __future__ import annotations

import pandas as pd

from ktop_index import reference
from ktop_index.data import ksic
from ktop_index.selection.eligibility import sme_ceiling


def test_rev11_follows_the_concordance():
    """Rows of 구신연계표: 10712 -> 10602, 10799 -> 10899, 10797 -> 10897 (코드변경); 10801 ->
    10901 + 10902 (세분); 65131 건강보험업 moved from K65 to O84 (84611)."""
    assert ksic.rev11("10712") == ("10602",)
    assert ksic.rev11("10799") == ("10899",)
    assert ksic.rev11("10797") == ("10897",)
    assert ksic.rev11("10801") == ("10901", "10902")
    assert ksic.rev11("65131") == ("84611",)
    assert ksic.rev11("10301") == ("10301",) and ksic.rev11("10399") == ()


def test_a_code_of_both_revisions_is_read_as_the_11th():
    """29173 is 산업용 송풍기 in the 10th (now 29174) and 운송장비용 공기 조화장치 in the 11th:
    read as the 11th, the revision in force since 2024-07-01."""
    assert reference.ksic10_to_11()["29173"] == ("29174",)
    assert ksic.rev11("29173") == ("29173",)
    assert ksic.name("29173") == "운송장비용 공기 조화장치 제조업"


def test_a_short_10th_code_stands_for_its_subclasses():
    """The 10th class 1071 (떡·빵·과자) is 10601-10603 in the 11th."""
    assert ksic.rev11("1071") == ("10601", "10602", "10603")


def test_possible_readings_of_a_code_that_lost_its_zero():
    """1110: 01110 crop growing, or 1110 as written (no code of its own: what its start 111
    alcoholic beverages says)."""
    assert ksic.possible_rev11("1110") == ("01110", "111")
    assert ksic.possible_rev11("3") == ("03",)
    assert ksic.possible_rev11("2011") == ("02011", "2011")
    assert ksic.possible_rev11("10712") == ("10602",)
    assert ksic.lost_zero_readings("2011") == {
        "zero": "02011 (임업용 종묘 생산업)", "plain": "2011 (기초 유기화학 물질 제조업)",
        "plain_ko": "2011 (기초 유기화학 물질 제조업)"}


def test_splits_stay_in_one_division_so_the_sme_ceiling_is_one():
    """Every 10th code the 11th lacks maps to 11th codes of one division (a property of the
    real tables the SME rule relies on: it takes the ceiling of the first 11th code)."""
    for code, new in reference.ksic10_to_11().items():
        if code in reference.ksic11_codes():
            continue
        assert len({c[:2] for c in new}) == 1, code
        for on in (pd.Timestamp("2025-03-01").date(), pd.Timestamp("2025-10-01").date()):
            ceilings, _ = sme_ceiling(pd.Series(list(new)), on)
            assert len(set(ceilings.tolist())) == 1, code


def test_covered_subclasses():
    assert ksic.covered_subclasses("1120") == ("11201", "11202", "11209")
    assert ksic.covered_subclasses("10602") == ("10602",)
