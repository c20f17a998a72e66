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


SEVERAL_MISTAKES = """
[call]
name = "test call"
reference_date = 2025-03-01
[eligibility]
regions = ["sejong", "atlantis"]
ksic_prefixes = ["10"]
[money]
budget = "lots"
self_burden_mode = "inside"
national_ratio = 1.5
[scoring]
tech_index_use = "bonus"
tie_brake = ["brn"]
[robustnes]
variants = 10
"""


def test_every_problem_is_listed_at_once(tmp_path):
    """A file with eight mistakes gives one CallError that lists all eight on one line, each
    naming its key and what is allowed (the budget with its unit)."""
    path = write(tmp_path, SEVERAL_MISTAKES, name="jeju.toml")
    with pytest.raises(CallError) as info:
        load_call(path)
    message, problems = str(info.value), info.value.problems
    assert "\n" not in message and message.startswith(f"{path}: 8 problems: ")
    expected = [
        "unknown section [robustnes]",
        "[call] name: got 'test call' (expected a name of letters, digits and _",
        "[eligibility] regions: got ['sejong', 'atlantis'] (expected a list of region ids",
        "[money] budget: got 'lots' (expected a number above 0, in 천원)",
        "[money] self_burden_mode: got 'inside' (expected 'on_top' or 'within')",
        "[money] national_ratio: got 1.5 (expected a number between 0 and 1",
        "[scoring] tie_brake: unknown key (expected one of tech_index_use",
        "[scoring] tech_index_use = 'bonus' needs [scoring] grade_bonus",
    ]
    assert len(problems) == len(expected)
    for words in expected:
        assert sum(p.startswith(words) for p in problems) == 1, words
        assert words in message
    # with the other seven mended, the rule between two keys is what remains
    fixed = (SEVERAL_MISTAKES.replace("test call", "test_call").replace(", \"atlantis\"", "")
             .replace("\"lots\"", "100_000").replace("inside", "within")
             .replace("1.5", "0.7").replace("tie_brake", "tie_break")
             .replace("robustnes", "robustness"))
    with pytest.raises(CallError) as info:
        load_call(write(tmp_path, fixed))
    assert info.value.problems == [("[scoring] tech_index_use = 'bonus' needs [scoring] "
                                    "grade_bonus (expected a table of grade = points)")]


def test_key_rules_between_keys_are_checked_with_the_rest(tmp_path):
    """A cap above the budget and low above high self-burden are reported beside a bad key."""
    text = MINIMAL.replace("budget = 100_000", "budget = 100_000\ncap = 200_000\n"
                           "self_burden_low = 0.2\nself_burden_high = 0.1\nwaitlist = -1")
    with pytest.raises(CallError) as info:
        load_call(write(tmp_path, text))
    problems = info.value.problems
    assert len(problems) == 3
    assert problems[0].startswith("[money] waitlist: got -1 (expected a whole number, 0 or more")
    assert "self_burden_low 0.2 is above self_burden_high 0.1" in problems[1]
    assert "cap 200,000 is above the budget 100,000 천원" in problems[2]


def test_the_schema_declares_every_key_of_the_calls():
    """Each section's keys are exactly its dataclass's fields (the [call] section: the Call's
    name, title, date and the announcement), and a key is required exactly when its field
    has no default, so the schema and the loaded Call cannot drift apart."""
    import dataclasses

    from ktop_index.selection import calls

    sections = {"eligibility": calls.Eligibility, "money": calls.Money,
                "scoring": calls.Scoring, "robustness": calls.Robustness}
    for section, cls in sections.items():
        schema = calls.CALL_SCHEMA[section]
        fields = {f.name: f for f in dataclasses.fields(cls)}
        assert set(schema) == set(fields), section
        for name, key in schema.items():
            no_default = (fields[name].default is dataclasses.MISSING
                          and fields[name].default_factory is dataclasses.MISSING)
            assert key.required == no_default, (section, name)
    assert set(calls.CALL_SCHEMA["call"]) == {"name", "title", "reference_date",
                                              "announcement"}
    assert calls.CALL_SCHEMA["money"]["budget"].unit == "천원"


def test_bundled_call_files_use_only_declared_keys():
    """Every key of the bundled call files is in the schema (none left over, none unchecked)."""
    import tomllib

    from ktop_index.selection.calls import CALL_SCHEMA, bundled_calls

    assert {"jeju_2025", "sejong_2025"} <= set(bundled_calls())
    for name in bundled_calls():
        data = tomllib.loads(call_path(name).read_text(encoding="utf-8"))
        for section, keys in data.items():
            assert set(keys) <= set(CALL_SCHEMA[section]), (name, section)
