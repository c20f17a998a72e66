"""Masking personal data (ktop_index.data.mask): the rules by hand-made examples, and the
properties a shared copy needs (deterministic, idempotent, numbers and order untouched)."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ktop_index.data.brn import make_brn, normalise_brn, taxpayer_type
from ktop_index.data.mask import (
    column_kind,
    is_masked_brn,
    mask_address,
    mask_brn,
    mask_email,
    mask_firm_id,
    mask_frame,
    mask_name,
    mask_phone,
    mask_record,
    mask_text,
    personal_columns,
)

brns = st.builds(make_brn, st.integers(101, 999), st.integers(1, 99), st.integers(1, 9999))


@pytest.mark.parametrize(("value", "masked"), [
    ("124-81-00998", "124-81-*****"), ("1248100998", "124-81-*****"),
    ("124 81 00998", "124-81-*****"), ("１２４-８１-００９９８", "124-81-*****"),
    ("866-49-01150", "866-49-*****"), ("124-81-*****", "124-81-*****"), ("F-0012", "F-****"),
])
def test_business_numbers_keep_office_and_type(value, masked):
    """The tax office (3 digits) and taxpayer type (2) stay; serial and check digit go."""
    assert mask_brn(value) == masked


@given(brns)
def test_a_masked_number_keeps_its_type_and_no_serial_digit(brn):
    """For any valid number: the mask is recognised as one, tells a corporation from an
    individual as the number does, and holds none of the five digits that name the firm."""
    masked = mask_brn(brn)
    assert is_masked_brn(masked) and masked[:7] == brn[:7]
    assert taxpayer_type(masked[:7] + "00000") == taxpayer_type(brn)
    assert masked[7:] == "*****" and mask_brn(masked) == masked


@pytest.mark.parametrize(("value", "masked"), [
    ("김철수", "김*수"), ("이영", "이*"), ("남궁민수", "남**수"), ("제갈 공명", "제**명"),
    ("John Smith", "J*** S****"), ("Kim", "K**"), ("김*수", "김*수"), ("", ""),
])
def test_names_follow_the_korean_convention(value, masked):
    """Korean names keep the first and last syllable (two syllables: the first); Latin
    names the first letter of each word; a masked name stays as it is."""
    assert mask_name(value) == masked


@pytest.mark.parametrize(("value", "masked"), [
    ("010-1234-5678", "010-****-5678"), ("02-123-4567", "02-***-4567"),
    ("01012345678", "010****5678"), ("064 720 1234", "064 *** 1234"),
    ("010-****-5678", "010-****-5678"),
])
def test_phones_lose_the_middle_group(value, masked):
    assert mask_phone(value) == masked


def test_emails_keep_the_first_letter_and_the_domain():
    assert mask_email("kim@example.com") == "k**@example.com"
    assert mask_email("k**@example.com") == "k**@example.com"


@pytest.mark.parametrize(("value", "masked"), [
    ("제주특별자치도 제주시 오라로 175", "제주특별자치도 제주시 ***"),
    ("제주특별자치도 제주시 ***", "제주특별자치도 제주시 ***"),
    ("제주시", "제주시"), ("5011025021", "50110*****"), ("50110", "50110"),
])
def test_addresses_keep_province_and_city(value, masked):
    """시도 and 시군구 stay (the region series groups by them); the street and number go."""
    assert mask_address(value) == masked


def test_a_firm_id_is_masked_only_when_it_is_a_business_number():
    assert mask_firm_id("124-81-00998") == "124-81-*****"
    assert mask_firm_id("F000001") == "F000001"


@pytest.mark.parametrize(("text", "masked"), [
    ("fragile: 124-81-00998 (rank 3)", "fragile: 124-81-***** (rank 3)"),
    ("1248100998 and 124 81 00998", "124-81-***** and 124-81-*****"),
    ("requested 1234567890 won", "requested 1234567890 won"),  # not a valid number
    ("sha256 ab1248100998cd", "sha256 ab1248100998cd"),  # inside a digest
    ("2025-01-01T00:00:00Z", "2025-01-01T00:00:00Z"),
])
def test_free_text_loses_business_numbers_only(text, masked):
    assert mask_text(text) == masked


def test_a_masked_frame_keeps_numbers_order_and_one_mask_per_firm():
    """Every column but the personal ones is unchanged (numbers, order, index); one firm has
    one mask wherever it appears; masking twice is masking once."""
    frame = pd.DataFrame({
        "brn": ["124-81-00998", "866-49-01150", "124-81-00998", None],
        "firm_name": ["한라", "우진", "한라", "백록"], "rank": [1, 2, 1, 3],
        "tech_index": [120.5, 110.25, 120.5, float("nan")],
        "region": ["제주특별자치도 제주시 오라로 175"] * 4,
        "대표자명": ["김철수", "이영", "김철수", "John Smith"],
        "notes": ["see 866-49-01150", "", "", None],
    }, index=[10, 11, 12, 13])
    masked = mask_frame(frame)
    assert masked["brn"].tolist()[:3] == ["124-81-*****", "866-49-*****", "124-81-*****"]
    assert pd.isna(masked["brn"].iat[3])
    assert masked["대표자명"].tolist() == ["김*수", "이*", "김*수", "J*** S****"]
    assert masked["notes"].iat[0] == "see 866-49-*****"
    assert (masked["region"] == "제주특별자치도 제주시 ***").all()
    pd.testing.assert_frame_equal(masked[["firm_name", "rank", "tech_index"]],
                                  frame[["firm_name", "rank", "tech_index"]])
    pd.testing.assert_frame_equal(mask_frame(masked), masked)
    assert frame["brn"].iat[0] == "124-81-00998"  # the input is not touched


def test_without_free_text_only_personal_columns_change():
    frame = pd.DataFrame({"brn": ["124-81-00998"], "strength_1": ["see 124-81-00998"]})
    assert mask_frame(frame, free_text=False).iloc[0].tolist() == ["124-81-*****",
                                                                   "see 124-81-00998"]


def test_personal_columns_are_found_by_header():
    """The contract's brn, firm_id and region, and people's data by any usual header."""
    assert personal_columns(["brn", "firm_id", "region", "대표자 성명", "연락처", "E-mail",
                             "평가위원", "notes", "tech_index"]) == {
        "brn": "brn", "firm_id": "firm_id", "region": "address", "대표자 성명": "name",
        "연락처": "phone", "E-mail": "email", "평가위원": "name"}
    assert column_kind("firm_name") == "text"


def test_an_audit_keeps_every_entry_when_masks_collide():
    """Two firms of one office and type share a mask; as keys they stay two entries."""
    audit = {"fragile": [make_brn(124, 81, 1), make_brn(124, 81, 2)], "seed": 7,
             "left_out": {make_brn(124, 81, 1): "no scores", make_brn(124, 81, 2): "fewer"}}
    masked = mask_record(audit)
    assert masked["fragile"] == ["124-81-*****", "124-81-*****"] and masked["seed"] == 7
    assert masked["left_out"] == {"124-81-*****": "no scores", "124-81-***** #2": "fewer"}


@given(st.lists(brns, min_size=1, max_size=20))
def test_masking_is_deterministic(numbers):
    """The same values always give the same masks (a masked export is byte-reproducible)."""
    frame = pd.DataFrame({"brn": numbers, "firm_id": [normalise_brn(n) for n in numbers]})
    first, second = mask_frame(frame), mask_frame(frame.copy())
    pd.testing.assert_frame_equal(first, second)
    assert (first["brn"] == first["firm_id"]).all()
