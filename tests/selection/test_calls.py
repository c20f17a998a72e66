"""Call files: the bundled calls load; every bad key or value is one line naming file and key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

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
        assert call.money.cap == 50_000                        # 기업당 연 최대 5천만원
        assert call.money.self_burden_threshold == 1_000_000    # 매출액 10억원
        assert type(call.money.budget) is int and type(call.money.cap) is int  # exact 천원
        assert (call.money.self_burden_low, call.money.self_burden_high) == (0.05, 0.10)
        assert call.money.national_ratio == 0.7                 # 국비 7 : 지방비 3
        assert call.reference_date < dt.date(2025, 9, 1)
        assert len(call.sha256) == 64
    assert "10" in sejong.eligibility.ksic_prefixes  # 식품


def test_minimal_call_takes_defaults(tmp_path):
    """Only the required keys: the defaults are the announcement's rules."""
    call = load_call(write(tmp_path, MINIMAL))
    assert call.name == "test_call" and call.money.budget == 100_000
    assert call.money.self_burden_mode == "on_top" and call.scoring.tech_index_use == "weight"
    assert call.eligibility.required_documents == ("letter_of_intent", "sme_confirmed")


@pytest.mark.parametrize("edit, words", [
    (("budget = 100_000", "budget = \"lots\""),
     ["[money] budget", "a whole number from 1 to 1,000,000,000,000, in 천원"]),
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
        ("[money] budget: got 'lots' (expected a whole number from 1 to 1,000,000,000,000, in "
         "천원)"),
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
    assert problems[0].startswith("[money] waitlist: got -1 (expected a whole number from 0 to "
                                  "1,000, in firms)")
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


# ---------------------------------------------------------------------------- issue 14: sense

def problems_of(tmp_path, text) -> CallError:
    """The CallError of a call file (it must have one)."""
    with pytest.raises(CallError) as info:
        load_call(write(tmp_path, text))
    return info.value


@pytest.mark.parametrize("value", ["1e30", "600_000.5", "0", "-5", "0.0001", "inf", "nan",
                                   "1_000_000_000_001", "true"])
def test_money_is_whole_thousand_won_within_its_range(tmp_path, value):
    """A budget of 1e30 (it overflowed int64 and selected nobody), a fraction of a 천원, 0
    or 0.0001 (it 'selected' 15 firms with 0 support), inf, nan: one line naming the key and
    the allowed range, in English and Korean."""
    error = problems_of(tmp_path, MINIMAL.replace("budget = 100_000", f"budget = {value}"))
    assert error.problems[0].startswith("[money] budget: got ")
    for words in ("[money] budget", "a whole number from 1 to 1,000,000,000,000, in 천원"):
        assert words in str(error)
    assert "[money] budget" in error.message("ko") and "1 이상 1,000,000,000,000 이하의 정수" \
        in error.message("ko")


def test_money_is_kept_as_exact_integers(tmp_path):
    """Whole amounts are Python ints, a whole float (5e4) is accepted as its integer, and the
    bounds themselves are allowed: budget = cap = 1 천원, budget = 10^12 천원."""
    call = load_call(write(tmp_path, MINIMAL.replace("budget = 100_000",
                                                     "budget = 1_000_000_000_000\ncap = 5e4")))
    assert (call.money.budget, call.money.cap) == (10**12, 50_000)
    assert type(call.money.cap) is int and type(call.money.self_burden_threshold) is int
    call = load_call(write(tmp_path, MINIMAL.replace("budget = 100_000", "budget = 1\ncap = 1")))
    assert (call.money.budget, call.money.cap) == (1, 1)


def test_budget_at_least_cap(tmp_path):
    """budget >= cap: the default cap of 50,000 천원 above a budget of 40,000 is named."""
    error = problems_of(tmp_path, MINIMAL.replace("budget = 100_000", "budget = 40_000"))
    assert error.problems == [("[money] cap 50,000 is above the budget 40,000 천원 "
                               "(expected cap <= budget)")]
    assert "cap 50,000" in error.message("ko") and "40,000천원" in error.message("ko")


@pytest.mark.parametrize("section, key, good, bad, words", [
    ("robustness", "variants", "100_000", "100_001", "a whole number from 0 to 100,000"),
    ("robustness", "variants", "0", "1e9", "a whole number from 0 to 100,000"),
    ("money", "waitlist", "1_000", "1_001", "a whole number from 0 to 1,000"),
    ("money", "max_firms", "100_000", "100_001", "a whole number from 0 to 100,000"),
    ("robustness", "concentration", "1_000_000", "inf", "a number above 0 and at most"),
    ("scoring", "tech_weight", "1000", "nan", "a number from 0 to 1,000"),
    ("scoring", "committee_min_evaluators_for_trim", "100", "101", "from 0 to 100"),
])
def test_counts_and_numbers_within_stated_limits(tmp_path, section, key, good, bad, words):
    """variants = 1e9 (an 'internal error' before), waitlists and firm counts beyond their
    limits, infinite or undefined numbers: one line naming the key and the limit; the limit
    itself is allowed."""
    def text(value):
        return MINIMAL + f"[{section}]\n{key} = {value}\n" if section != "money" else \
            MINIMAL.replace("budget = 100_000", f"budget = 100_000\n{key} = {value}")
    load_call(write(tmp_path, text(good)))
    error = problems_of(tmp_path, text(bad))
    assert error.problems[0].startswith(f"[{section}] {key}: got ")
    assert words in error.problems[0]


@pytest.mark.parametrize("date, ok", [("2014-12-31", False), ("2015-01-01", True),
                                      ("2025-09-01", True), ("2026-12-31", True),
                                      ("2027-01-01", False), ("2205-03-01", False)])
def test_reference_date_inside_the_sme_tables_coverage(tmp_path, date, ok):
    """The SME size tables cover 2015-01-01 (the revenue-only 별표1) to 2026-12-31 (the 2025
    table, checked for 2025 and 2026): a date outside (a typo such as 2205) is one line naming
    [call] reference_date and the covered dates; with sme_size = false no table is used."""
    text = MINIMAL.replace("2025-03-01", date)
    if ok:
        assert load_call(write(tmp_path, text)).reference_date.isoformat() == date
        return
    error = problems_of(tmp_path, text)
    assert error.problems == [
        (f"[call] reference_date {date} is outside the dates the SME size tables cover "
         "(expected 2015-01-01 to 2026-12-31, reference/sme_size_criteria.csv; or set "
         "[eligibility] sme_size = false)")]
    assert f"reference_date {date}" in error.message("ko") and "2015-01-01 ~ 2026-12-31" in \
        error.message("ko")
    unchecked = text.replace('ksic_prefixes = ["10"]', 'ksic_prefixes = ["10"]\nsme_size = false')
    assert not load_call(write(tmp_path, unchecked)).eligibility.sme_size


def test_the_coverage_matches_the_bundled_tables():
    """The covered span holds both tables the reference file has (until 2025-08-31, from
    2025-09-01), so every date inside it has a table."""
    from ktop_index import reference
    from ktop_index.selection import calls

    columns = set(reference.sme_size_criteria().columns)
    assert {"sme_max_avg_revenue_eok_until_2025_08_31",
            "sme_max_avg_revenue_eok_from_2025_09_01"} <= columns
    first, last = calls.SME_TABLES_COVER
    assert first < dt.date(2025, 8, 31) < dt.date(2025, 9, 1) < last


def test_weights_not_both_zero(tmp_path):
    """tech_weight = committee_weight = 0 would rank every firm by nothing: one line."""
    error = problems_of(tmp_path, MINIMAL + "[scoring]\ntech_weight = 0\n"
                        "committee_weight = 0.0\n")
    assert error.problems == [("[scoring] tech_weight and committee_weight are both 0 "
                               "(expected at least one above 0)")]
    assert "tech_weight와 committee_weight가 모두 0" in error.message("ko")
    load_call(write(tmp_path, MINIMAL + "[scoring]\ntech_weight = 0\n"))


def test_nesting_bombs_are_one_line_errors(tmp_path):
    """Arrays nested 5,000 deep (Python's TOML reader hits its recursion limit: an 'internal
    error' before), tables dotted 20,000 deep, a list of lists where a value goes: each one
    line naming the file and the key."""
    bomb = "[call]\nname = " + "[" * 5000 + "]" * 5000 + "\n"
    error = problems_of(tmp_path, bomb)
    assert str(error).startswith(f"{tmp_path / 'call.toml'}:2: [call] name: nested deeper")
    assert "[call] name" in error.message("ko") and "중첩" in error.message("ko")
    dotted = "[" + ".".join(["a"] * 20_000) + "]\n"
    error = problems_of(tmp_path, dotted)
    assert error.problems == [("[a] a: nested deeper than a call file goes (expected a "
                               "value, or one list or table of values)")]
    error = problems_of(tmp_path, MINIMAL.replace('["sejong"]', '[["sejong"]]'))
    assert error.problems[0].startswith("[eligibility] regions: nested deeper")


def test_huge_file_is_refused_before_it_is_read(tmp_path, monkeypatch):
    """A file over 1 MB is refused without being parsed (or read past its first MB)."""
    from ktop_index.selection import calls

    path = write(tmp_path, MINIMAL + "#" * calls.MAX_CALL_BYTES)
    monkeypatch.setattr(calls.tomllib, "loads", lambda *a: pytest.fail("parsed"))
    with pytest.raises(CallError) as info:
        load_call(path)
    assert str(info.value) == (f"{path}: larger than 1,000,000 bytes (a call file is a few kB "
                               "of TOML; is this the right file?)")
    assert "1,000,000바이트보다 큽니다" in info.value.message("ko")


def test_long_values_and_many_problems_stay_one_short_line(tmp_path):
    """A 100,000-character value is cut in the message; 50 unknown keys: the line lists the
    first 10 and says how many more, ``problems`` holds all 50."""
    error = problems_of(tmp_path, MINIMAL.replace('name = "test_call"',
                                                  f'name = "{"x " * 50_000}"'))
    assert len(str(error)) < 300 and "..." in str(error)
    unknown = "".join(f"key{i} = 1\n" for i in range(50))
    error = problems_of(tmp_path, MINIMAL.replace("[money]", "[money]\n" + unknown))
    assert len(error.problems) == len(error.problems_ko) == 50
    assert str(error).count("unknown key") == 10 and "and 40 more" in str(error)
    assert "외 40건" in error.message("ko")


def test_korean_problems_carry_the_same_details(tmp_path):
    """Every problem's Korean line names the same keys, values and numbers as its English."""
    import re

    several = problems_of(tmp_path, SEVERAL_MISTAKES)
    text = MINIMAL.replace("budget = 100_000", "budget = 1e30\ncap = 0.5\nwaitlist = 1001") \
        + "[robustness]\nvariants = 1_000_000_000\n[scoring]\ntech_weight = 0\n" \
          "committee_weight = 0\n"
    for error in (several, problems_of(tmp_path, text)):
        assert len(error.problems) == len(error.problems_ko)
        for en, ko in zip(error.problems, error.problems_ko, strict=True):
            details = re.findall(r"\[\w+\] \w+|'[^']*'|\d(?:[\d,.e+]*\d)?", en)
            for detail in details:
                assert detail in ko, (detail, en, ko)


def test_a_misspelt_bundled_name_suggests_the_close_one():
    """--call jeju2025: 'did you mean jeju_2025?', in both languages; a name like no other
    lists the bundled calls."""
    with pytest.raises(CallError) as info:
        load_call("jeju2025")
    assert str(info.value).startswith("no call 'jeju2025'; did you mean jeju_2025?")
    assert "jeju_2025을(를) 찾으셨습니까?" in info.value.message("ko")
    with pytest.raises(CallError, match="did you mean sejong_2025"):
        load_call("sejong_2025.toml")  # no such file here: the bundled name is suggested
    with pytest.raises(CallError, match=r"no such call file or bundled call \(bundled: jeju"):
        load_call("atlantis")


@pytest.fixture
def installed_calls(tmp_path, monkeypatch):
    """The layout of an installed package: no repository data/calls, the calls as the
    package data ``ktop_index.bundled_calls`` (a folder without __init__.py in the package,
    as the wheel installs it), found through importlib.resources."""
    import shutil
    import sys

    import ktop_index
    from ktop_index.selection import calls

    site = tmp_path / "site"
    (site / "bundled_calls").mkdir(parents=True)
    for path in calls._REPO_CALLS.glob("*.toml"):
        shutil.copyfile(path, site / "bundled_calls" / path.name)
    monkeypatch.setattr(calls, "_REPO_CALLS", tmp_path / "no_checkout" / "data" / "calls")
    monkeypatch.setattr(ktop_index, "__path__", [*ktop_index.__path__, str(site)])
    sys.modules.pop(calls.BUNDLED_PACKAGE, None)
    yield site / "bundled_calls"
    sys.modules.pop(calls.BUNDLED_PACKAGE, None)


def test_bundled_calls_are_found_in_an_installed_package(installed_calls, tmp_path):
    """Without the repository folder the calls come from the package data: listed, loaded
    by name (the same bytes, so the same sha256) and exported."""
    from ktop_index.selection.calls import bundled_calls, export_call

    assert {"jeju_2025", "sejong_2025"} <= set(bundled_calls())
    call = load_call("jeju_2025")
    assert Path(call.source).parent == installed_calls
    assert call.sha256 == load_call(installed_calls / "jeju_2025.toml").sha256
    out = export_call("sejong_2025", tmp_path / "mine.toml")
    assert out.read_bytes() == (installed_calls / "sejong_2025.toml").read_bytes()


def test_no_bundled_calls_at_all(tmp_path, monkeypatch):
    """Neither the folder nor the package data: an empty list, and a clear error by name."""
    from ktop_index.selection import calls

    monkeypatch.setattr(calls, "_REPO_CALLS", tmp_path / "none")
    monkeypatch.setattr(calls, "BUNDLED_PACKAGE", "ktop_index.no_such_package")
    assert calls.bundled_calls() == []
    with pytest.raises(CallError, match=r"bundled: none found"):
        load_call("jeju_2025")


def test_export_writes_the_bundled_bytes_and_keeps_an_existing_file(tmp_path):
    """export_call copies the shipped file byte for byte; an existing file is kept unless
    overwrite=True (it may be an edited call)."""
    from ktop_index.errors import UsageError
    from ktop_index.selection.calls import export_call

    out = tmp_path / "jeju.toml"
    export_call("jeju_2025", out)
    assert out.read_bytes() == call_path("jeju_2025").read_bytes()
    out.write_text("edited", encoding="utf-8")
    with pytest.raises(UsageError, match="exists"):
        export_call("jeju_2025", out)
    assert out.read_text(encoding="utf-8") == "edited"
    export_call("jeju_2025", out, overwrite=True)
    assert out.read_bytes() == call_path("jeju_2025").read_bytes()
