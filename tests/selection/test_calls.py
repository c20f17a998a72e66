"""Call files: the bundled calls load; every bad key or value is one line naming file and key."""

from __future__ import annotations

import datetime as dt

import pytest

from ktop_index.selection.calls import CallError, call_path, load_call, parse_call

MINIMAL = """
[call]
name = "test_call"
reference_date = 2025-03-01
[eligibility]
regions = ["sejong"]
ksic_prefixes = ["10"]
[money]
budget = 100_000
"""


def write(tmp_path, text, name="call.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_calls_follow_the_announcement():
    """jeju_2025 and sejong_2025 load by name with the announcement's regions and money rules."""
    jeju, sejong = load_call("jeju_2025"), load_call("sejong_2025")
    assert jeju.eligibility.regions == ("jeju_si", "seogwipo_si")
    assert sejong.eligibility.regions == ("sejong",)
    for call in (jeju, sejong):
        assert call.money.cap == 50_000.0                      # 기업당 연 최대 5천만원
        assert call.money.self_burden_threshold == 1_000_000.0  # 매출액 10억원
        assert (call.money.self_burden_low, call.money.self_burden_high) == (0.05, 0.10)
        assert call.money.national_ratio == 0.7                 # 국비 7 : 지방비 3
        assert call.reference_date < dt.date(2025, 9, 1)
        assert len(call.sha256) == 64
    assert "10" in sejong.eligibility.ksic_prefixes  # 식품


def test_minimal_call_takes_defaults(tmp_path):
    """Only the required keys: the defaults are the announcement's rules."""
    call = load_call(write(tmp_path, MINIMAL))
    assert call.name == "test_call" and call.money.budget == 100_000.0
    assert call.money.self_burden_mode == "on_top" and call.scoring.tech_index_use == "weight"
    assert call.eligibility.required_documents == ("letter_of_intent", "sme_confirmed")


@pytest.mark.parametrize("edit, words", [
    (("budget = 100_000", "budget = \"lots\""), ["[money] budget", "a number above 0"]),
    (("budget = 100_000", "budjet = 100_000"), ["[money] budjet", "unknown key"]),
    (("budget = 100_000", ""), ["[money] budget is missing"]),
    (("[\"sejong\"]", "[\"sejong_si\"]"), ["[eligibility] regions", "regions.csv"]),
    (("[\"10\"]", "[10]"), ["[eligibility] ksic_prefixes", "as text"]),
    (("2025-03-01", "\"March\""), ["[call] reference_date", "a date"]),
    (("[money]", "[moneys]"), ["unknown section [moneys]"]),
    (("budget = 100_000", "budget = 100_000\ncap = 200_000"), ["cap", "above the budget"]),
    (("budget = 100_000", "budget = 100_000\nself_burden_low = 1.5"),
     ["[money] self_burden_low", "between 0 and 1"]),
    (("budget = 100_000", "budget = 100_000\nself_burden_mode = \"inside\""),
     ["self_burden_mode", "'on_top' or 'within'"]),
])
def test_bad_values_are_one_line_errors(tmp_path, edit, words):
    """A bad key or value names the file, the key and what was expected, on one line."""
    path = write(tmp_path, MINIMAL.replace(*edit))
    with pytest.raises(CallError) as info:
        load_call(path)
    message = str(info.value)
    assert "\n" not in message and str(path) in message
    for word in words:
        assert word in message


def test_scoring_options_need_their_parameters():
    """min_grade use needs a minimum grade; bonus use needs the grade bonus table."""
    base = {"call": {"name": "x", "reference_date": dt.date(2025, 3, 1)},
            "eligibility": {"regions": ["sejong"], "ksic_prefixes": ["10"]},
            "money": {"budget": 100_000}}
    with pytest.raises(CallError, match="min_grade"):
        parse_call({**base, "scoring": {"tech_index_use": "min_grade"}})
    with pytest.raises(CallError, match="grade_bonus"):
        parse_call({**base, "scoring": {"tech_index_use": "bonus"}})
    with pytest.raises(CallError, match="grade_bonus"):
        parse_call({**base, "scoring": {"grade_bonus": {"AAAA": 5}}})
    call = parse_call({**base, "eligibility": {**base["eligibility"], "min_grade": "BB"},
                       "scoring": {"tech_index_use": "min_grade"}})
    assert call.eligibility.min_grade == "BB"


def test_broken_files(tmp_path):
    """Invalid TOML and unknown names give one-line errors."""
    with pytest.raises(CallError, match="not valid TOML"):
        load_call(write(tmp_path, "[call\nname = 1"))
    with pytest.raises(CallError, match="no such call"):
        load_call("atlantis_2025")
    assert call_path("jeju_2025").name == "jeju_2025.toml"
