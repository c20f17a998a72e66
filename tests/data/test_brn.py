"""Business registration numbers: check digits against real, published numbers."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ktop_index.data.brn import (
    brn_problem,
    brn_reason,
    check_digit,
    format_brn,
    is_valid_brn,
    make_brn,
    normalise_brn,
    taxpayer_type,
)

# Published in the companies' own web-site footers (see ktop_index/reference/SOURCES.md).
REAL_VALID = ["124-81-00998", "107-86-14075", "220-81-62517", "120-81-47521", "120-88-00767"]


@pytest.mark.parametrize("number", REAL_VALID)
def test_real_numbers_are_valid(number):
    """Every real, published business number passes the check."""
    assert is_valid_brn(number)


def test_samsung_worked_example():
    """The hand-worked example: 1,6,28,8,3,0,0,27,45 -> 118, +4 -> 122 -> check 8."""
    assert check_digit("124810099") == 8


def test_ninth_digit_rule_matters():
    """124-81-00992 is what an implementation without the 9th-digit rule would accept."""
    assert not is_valid_brn("124-81-00992")
    assert brn_problem("124-81-00997") == "check digit is 7, expected 8"


@pytest.mark.parametrize("number,why", [
    ("124-81-0099", "not 10 digits"), ("12A-81-00998", "not 10 digits"),
    ("100-86-08983", "below 101"), ("211-00-08983", "type code"),
    ("211-86-00003", "serial number"),
])
def test_format_errors(number, why):
    """Malformed numbers are rejected with the reason."""
    assert why in brn_problem(number)


def test_vectors_in_shared_reference(shared):
    """Every number in the reference's test-vector table agrees with its stated validity."""
    text = (shared / "reference" / "brn.md").read_text(encoding="utf-8")
    section = text.split("### 1.4")[1].split("### ", 1)[0] if "### 1.4" in text else text
    valid = re.findall(r"^\| (\d{3}-\d{2}-\d{5}) \|", section, flags=re.MULTILINE)
    assert len(valid) >= 5
    assert all(is_valid_brn(n) for n in valid)
    negatives = section.split("Negative vectors")[1]
    for number in re.findall(r"`(\d{3}-\d{2}-\d{4,5})`", negatives):
        assert not is_valid_brn(number), number


def test_spellings():
    """Hyphens, spaces, full-width digits and Excel's float form all normalise alike."""
    for spelling in ["124-81-00998", "124 81 00998", "１２４-８１-００９９８", "1248100998.0",
                     1248100998]:
        assert normalise_brn(spelling) == "1248100998"
    assert format_brn("1248100998") == "124-81-00998"


def test_make_brn_round_trip():
    """Numbers built by make_brn are valid; changing the last digit breaks them."""
    for prefix, kind, serial in [(101, 1, 1), (616, 81, 1234), (999, 88, 9999), (505, 85, 42)]:
        number = make_brn(prefix, kind, serial)
        assert is_valid_brn(number)
        wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
        assert not is_valid_brn(wrong)


def test_taxpayer_type():
    """The middle code tells corporations, branches and sole proprietors apart."""
    assert taxpayer_type("124-81-00998") == "corporation"
    assert taxpayer_type(make_brn(505, 85, 42)) == "branch"
    assert taxpayer_type(make_brn(505, 12, 42)) == "individual"
    assert taxpayer_type(make_brn(505, 82, 42)) == "other"


@pytest.mark.parametrize("number,reason", [
    ("124-81-0099", "length"), ("100-86-08983", "prefix"), ("211-00-08983", "type_code"),
    ("211-86-00003", "serial"), ("124-81-00997", "check_digit"),
])
def test_reasons_carry_the_same_digits_in_both_languages(number, reason):
    """Each reason has a Korean text with the same details: the digits of the English one
    (the wrong and the expected check digit, the number itself) are all in the Korean."""
    assert brn_reason(number)[0] == reason
    en, ko = brn_problem(number), brn_problem(number, lang="ko")
    assert re.search("[가-힣]", ko)
    assert sorted(re.findall(r"\d+", en)) == sorted(re.findall(r"\d+", ko)), (en, ko)


def test_korean_check_digit_reason():
    """The Korean check-digit reason names both digits (it once said only '검증번호 불일치')."""
    assert brn_problem("124-81-00997", lang="ko") == "검증번호가 7이지만 8이어야 함"
    assert brn_reason("124-81-00998") is None and brn_problem("124-81-00998", "ko") is None


# ------------------------------------------------- the validator's array check (the same rule)

_BRN_LIKE = st.one_of(
    st.text(alphabet="0123456789", min_size=10, max_size=10),
    st.builds(lambda a, b, c: f"{a}-{b}-{c}", st.text("0123456789", min_size=3, max_size=3),
              st.text("0123456789", min_size=2, max_size=2),
              st.text("0123456789", min_size=5, max_size=5)),
    st.text(alphabet="0123456789-. \u2013\uff10\uff11", min_size=8, max_size=14),
    st.integers(0, 999).map(lambda s: make_brn(124, 81, s)),
    # a right check digit on a low prefix, a 00 type code or a 0000 serial
    st.builds(lambda p, t, s: f"{p:03d}{t:02d}{s:04d}" + str(check_digit(f"{p:03d}{t:02d}{s:04d}")),
              st.integers(95, 105), st.integers(0, 2), st.integers(0, 2)))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(_BRN_LIKE, st.none()), min_size=1, max_size=40))
def test_validator_decides_every_number_as_brn_reason(values):
    """The validator's vectorised check accepts exactly the numbers brn_reason accepts, shows
    them as format_brn does, and flags every other one with brn_reason's reason."""
    import numpy as np
    import pandas as pd

    from ktop_index.data.validate import validate

    frame = pd.DataFrame({"사업자등록번호": values, "연도": 2024, "종업원수": 1})
    result = validate(frame)
    flagged = {p.row - 2 for p in result.problems if p.code == "bad_brn"}
    for k, value in enumerate(values):
        shown = result.frame["brn"].iat[k]
        if value is None or not value.strip():
            assert pd.isna(shown) and k not in flagged
        elif brn_reason(value.strip()) is None:
            assert shown == format_brn(value.strip()) and k not in flagged
        else:
            assert pd.isna(shown) and k in flagged, value
    assert result.frame["brn"].dtype == np.dtype("O") or str(result.frame["brn"].dtype) == "str"
