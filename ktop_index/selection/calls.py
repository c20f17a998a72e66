"""A call for applicants (공고) as one readable TOML file, loaded into a checked :class:`Call`.

A call says who may apply (regions, target industries, SME status, documents, a minimum
grade), how the applicants are ranked (the Tech-Index as a weight, as grade bonus points or as
a minimum grade — the ministry's three options — blended with committee scores and bonus
points) and how the money is shared (budget, per-firm cap, self-burden, national:local split).
The bundled calls live in ``data/calls/`` (``jeju_2025``, ``sejong_2025``), installed as the
package data ``ktop_index.bundled_calls``; ``docs/selection.md`` describes every key.

The file is checked against one declared schema, :data:`CALL_SCHEMA` (every key, what it may
hold, its unit and its bounds, required or not), and every problem is reported at once, each
naming the file, the key and what is allowed, in English and Korean; unknown keys are errors
too (a misspelt key must not be silently ignored). Money is in whole KRW thousand (천원),
exact integers from 1 to :data:`MAX_MONEY`; a file larger than :data:`MAX_CALL_BYTES` or
nested deeper than a call's keys go is refused before it is looked at further.

Example
-------
>>> call = load_call("jeju_2025")                     # doctest: +SKIP
>>> call.money.cap, call.money.national_ratio          # doctest: +SKIP
(50000, 0.7)
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import MISSING, dataclass, field, fields
from importlib import resources
from pathlib import Path

from ktop_index import reference
from ktop_index._files import sha256_bytes, write_bytes
from ktop_index.errors import CallError, UsageError
from ktop_index.index.spec import GRADES

_REPO_CALLS = Path(__file__).resolve().parents[2] / "data" / "calls"
BUNDLED_PACKAGE = "ktop_index.bundled_calls"  # data/calls/ in an installed package
TECH_USES = ("weight", "bonus", "min_grade")
DOCUMENTS = ("letter_of_intent", "sme_confirmed")
TIE_BREAKS = ("committee_score", "tech_index", "requested", "brn")
NORMALISATIONS = ("goalposts", "minmax", "zscore", "prank")
AGGREGATIONS = ("amean", "gmean")
NOT_RATED_RULES = ("zero", "ineligible")
SELF_BURDEN_MODES = ("on_top", "within")

#: Bounds of a call file. Money: 10^12 천원 (1,000조원) is far above any call and keeps every
#: amount exact in won as int64 and float64 (10^15 won < 2^53).
MAX_MONEY = 10**12
MAX_FIRMS = 100_000
MAX_WAITLIST = 1_000
MAX_VARIANTS = 100_000       # 100,000 variants of 2,000 applicants: about 1.6 GB a matrix
MAX_TRIM_EVALUATORS = 100
MAX_POINTS = 1_000           # weights and bonus points (the score is on a 0-100 scale)
MAX_CONCENTRATION = 1_000_000
MAX_CALL_BYTES = 1_000_000   # a call file is a few kB; larger is not a call
#: The dates the bundled SME size tables (reference/sme_size_criteria.csv) cover: the
#: revenue-only 별표1 in force from 2015-01-01, the 2025 table from 2025-09-01, checked for the
#: 2025 round and its 2026 continuation year (../shared/reference/sme_size_criteria.md).
SME_TABLES_COVER = (dt.date(2015, 1, 1), dt.date(2026, 12, 31))
_MONEY_KEYS = ("budget", "cap", "self_burden_threshold")  # whole 천원
_SHOWN = 60  # characters of a value or key shown in a message


@dataclass(frozen=True)
class Eligibility:
    """Who may apply."""

    regions: tuple[str, ...]               # region_id of reference/regions.csv
    ksic_prefixes: tuple[str, ...]         # KSIC code prefixes of the target industries
    required_documents: tuple[str, ...] = ("letter_of_intent", "sme_confirmed")
    sme_size: bool = True                  # average-revenue and asset ceilings
    allow_branch: bool = False             # BRN type 85 (지점) accepted
    min_grade: str = ""                    # '' = none
    not_rated: str = "zero"                # 'zero' (no index points) or 'ineligible'


@dataclass(frozen=True)
class Money:
    """Budget and per-firm money rules, in whole KRW thousand (천원, Python ints: exact)."""

    budget: int                            # government support available (national + local)
    cap: int = 50_000                      # per firm and year
    max_firms: int = 0                     # 0 = no limit other than the budget
    waitlist: int = 5                      # ranked reserve firms (예비)
    self_burden_threshold: int = 1_000_000  # revenue, 천원 (10억원)
    self_burden_low: float = 0.05          # rate below the threshold
    self_burden_high: float = 0.10         # rate at or above it
    self_burden_mode: str = "on_top"       # 'on_top' of the support or 'within' it
    national_ratio: float = 0.7            # national share of the support (국비); rest local


@dataclass(frozen=True)
class Scoring:
    """How the selection score is built and ties are broken."""

    tech_index_use: str = "weight"         # 'weight', 'bonus' or 'min_grade'
    tech_weight: float = 0.3
    committee_weight: float = 0.7
    grade_bonus: dict = field(default_factory=dict)   # grade -> points ('bonus' use)
    bonus_column: str = ""                 # applicants' column of extra points (가점)
    bonus_max: float = 0.0                 # cap on that column's points (0 = no cap)
    committee_min_evaluators_for_trim: int = 5
    tie_break: tuple[str, ...] = TIE_BREAKS


@dataclass(frozen=True)
class Robustness:
    """How the applicants are re-scored under plausible variants of the index."""

    variants: int = 1000
    seed: int = 2025
    concentration: float = 40.0            # Dirichlet concentration around the model weights
    normalisations: tuple[str, ...] = NORMALISATIONS
    aggregations: tuple[str, ...] = AGGREGATIONS
    fragile_below: float = 0.5             # selected but selection_probability below this: fragile


@dataclass(frozen=True)
class Call:
    """A loaded, checked call. ``sha256`` is the hash of the file's bytes (for the audit)."""

    name: str
    title: str
    reference_date: dt.date
    eligibility: Eligibility
    money: Money
    scoring: Scoring = field(default_factory=Scoring)
    robustness: Robustness = field(default_factory=Robustness)
    source: str = "<dict>"
    sha256: str = ""


# ---------------------------------------------------------------------------- the schema

@dataclass(frozen=True)
class Allowed:
    """What a key may hold: ``words`` (and ``ko``, the same in Korean) for the message,
    ``test`` for the check."""

    words: str
    test: Callable[[object], bool]
    ko: str = ""


@dataclass(frozen=True)
class Key:
    """One key of a call file: what it may hold, whether it must be given, its unit."""

    allowed: Allowed
    required: bool = False
    unit: str = ""
    unit_ko: str = ""

    def expected(self, lang: str = "en") -> str:
        """What the key expects, in words: ``a number above 0, in 천원``.

        >>> CALL_SCHEMA["money"]["waitlist"].expected("ko")
        '0 이상 1,000 이하의 정수, 단위: 개 기업'
        """
        if lang == "ko":
            words = self.allowed.ko or self.allowed.words
            return f"{words}, 단위: {self.unit_ko or self.unit}" if self.unit else words
        return f"{self.allowed.words}, in {self.unit}" if self.unit else self.allowed.words


def _is_number(value) -> bool:
    """A finite int or float (TOML also has inf and nan)."""
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))


def _is_whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _texts(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _region_ids() -> set[str]:
    return set(reference.regions()["region_id"])


def _one_of(options: tuple[str, ...], words: str, ko: str) -> Allowed:
    return Allowed(words, lambda v: isinstance(v, str) and v in options, ko)


def _drawn_from(options: tuple[str, ...], words: str, ko: str, *, non_empty: bool = False,
                unique: bool = False) -> Allowed:
    """A list of texts, each one of ``options``."""
    def test(value) -> bool:
        return (_texts(value) and (bool(value) or not non_empty) and set(value) <= set(options)
                and (not unique or len(set(value)) == len(value)))
    return Allowed(words, test, ko)


def _whole(low: int, high: int) -> Allowed:
    """A whole number from ``low`` to ``high``."""
    return Allowed(f"a whole number from {low:,} to {high:,}",
                   lambda v: _is_whole(v) and low <= v <= high,
                   f"{low:,} 이상 {high:,} 이하의 정수")


def _number(low: float, high: float, *, above_low: bool = False) -> Allowed:
    """A finite number from ``low`` (or above it) to ``high``."""
    if above_low:
        return Allowed(f"a number above {low:,} and at most {high:,}",
                       lambda v: _is_number(v) and low < v <= high,
                       f"{low:,} 초과 {high:,} 이하의 수")
    return Allowed(f"a number from {low:,} to {high:,}",
                   lambda v: _is_number(v) and low <= v <= high, f"{low:,} 이상 {high:,} 이하의 수")


def _is_money(value) -> bool:
    """Whole 천원 from 1 to MAX_MONEY: an integer, or a float without a fraction (5e4)."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    return _is_whole(value) and 1 <= value <= MAX_MONEY


def _grade_points(value) -> bool:
    return (isinstance(value, dict) and set(value) <= set(GRADES)
            and all(_is_number(v) and 0 <= v <= MAX_POINTS for v in value.values()))


NAME = Allowed("a name of letters, digits and _ (e.g. jeju_2025)",
               lambda v: isinstance(v, str) and v.replace("_", "").isalnum() and v.isascii(),
               "영문자, 숫자, _로 된 이름 (예: jeju_2025)")
TEXT = Allowed("a text", lambda v: isinstance(v, str), "텍스트")
DATE = Allowed("a date like 2025-03-01",
               lambda v: isinstance(v, dt.date) and not isinstance(v, dt.datetime),
               "2025-03-01 형식의 날짜")
FLAG = Allowed("true or false", lambda v: isinstance(v, bool), "true 또는 false")
RATE = Allowed("a number between 0 and 1", lambda v: _is_number(v) and 0 <= v <= 1,
               "0 이상 1 이하의 수")
MONEY = Allowed(f"a whole number from 1 to {MAX_MONEY:,}", _is_money,
                f"1 이상 {MAX_MONEY:,} 이하의 정수")
POINTS = _number(0, MAX_POINTS)
SEED = Allowed("a whole number, 0 or more", lambda v: _is_whole(v) and v >= 0, "0 이상의 정수")
REGIONS = Allowed("a list of region ids from reference/regions.csv",
                  lambda v: _texts(v) and bool(v) and set(v) <= _region_ids(),
                  "reference/regions.csv의 지역 id 목록")
KSIC_PREFIXES = Allowed("a non-empty list of KSIC code prefixes as text, e.g. [\"10\", \"7011\"]",
                        lambda v: _texts(v) and bool(v)
                        and all(c.isdigit() and c.isascii() and 1 <= len(c) <= 5 for c in v),
                        "KSIC 코드 앞자리를 텍스트로 쓴 목록 (빈 목록 불가), 예: [\"10\", \"7011\"]")
GRADE_POINTS = Allowed(f"a table of grade = points from 0 to {MAX_POINTS:,}, "
                       "e.g. { AAA = 5, AA = 4 }", _grade_points,
                       f"등급 = 점수(0~{MAX_POINTS:,}) 표, 예: {{ AAA = 5, AA = 4 }}")


def _listing(options) -> str:
    return ", ".join(options)


#: Every key of a call file, by section: what it may hold, required or not, its unit. The
#: defaults of the keys that may be left out are those of :class:`Eligibility`, :class:`Money`,
#: :class:`Scoring` and :class:`Robustness`; ``docs/selection.md`` describes each key.
CALL_SCHEMA: dict[str, dict[str, Key]] = {
    "call": {"name": Key(NAME, required=True), "title": Key(TEXT),
             "reference_date": Key(DATE, required=True), "announcement": Key(TEXT)},
    "eligibility": {
        "regions": Key(REGIONS, required=True),
        "ksic_prefixes": Key(KSIC_PREFIXES, required=True),
        "required_documents": Key(_drawn_from(DOCUMENTS, f"a list of {_listing(DOCUMENTS)}",
                                              f"{_listing(DOCUMENTS)} 중에서 고른 목록")),
        "sme_size": Key(FLAG), "allow_branch": Key(FLAG),
        "min_grade": Key(_one_of(("", *GRADES), f"'' or one of {_listing(GRADES)}",
                                 f"'' 또는 {_listing(GRADES)} 중 하나")),
        "not_rated": Key(_one_of(NOT_RATED_RULES, "'zero' or 'ineligible'",
                                 "'zero' 또는 'ineligible'"))},
    "money": {
        "budget": Key(MONEY, required=True, unit="천원"),
        "cap": Key(MONEY, unit="천원 per firm", unit_ko="기업당 천원"),
        "max_firms": Key(_whole(0, MAX_FIRMS), unit="firms (0 = no limit)",
                         unit_ko="개 기업, 0 = 제한 없음"),
        "waitlist": Key(_whole(0, MAX_WAITLIST), unit="firms", unit_ko="개 기업"),
        "self_burden_threshold": Key(MONEY, unit="천원 of revenue", unit_ko="매출액 천원"),
        "self_burden_low": Key(RATE, unit="a share of the support", unit_ko="지원금 대비 비율"),
        "self_burden_high": Key(RATE, unit="a share of the support", unit_ko="지원금 대비 비율"),
        "self_burden_mode": Key(_one_of(SELF_BURDEN_MODES, "'on_top' or 'within'",
                                        "'on_top' 또는 'within'")),
        "national_ratio": Key(RATE, unit="a share of the support", unit_ko="지원금 대비 비율")},
    "scoring": {
        "tech_index_use": Key(_one_of(TECH_USES, f"one of {_listing(TECH_USES)}",
                                      f"{_listing(TECH_USES)} 중 하나")),
        "tech_weight": Key(POINTS), "committee_weight": Key(POINTS),
        "grade_bonus": Key(GRADE_POINTS, unit="points", unit_ko="점"),
        "bonus_column": Key(TEXT),
        "bonus_max": Key(POINTS, unit="points (0 = no cap)", unit_ko="점, 0 = 상한 없음"),
        "committee_min_evaluators_for_trim": Key(
            _whole(0, MAX_TRIM_EVALUATORS), unit="evaluators (0 = never trim)",
            unit_ko="명, 0 = 절사 안 함"),
        "tie_break": Key(_drawn_from(TIE_BREAKS, f"a list drawn from {_listing(TIE_BREAKS)}",
                                     f"{_listing(TIE_BREAKS)} 중에서 겹치지 않게 고른 목록",
                                     unique=True))},
    "robustness": {
        "variants": Key(_whole(0, MAX_VARIANTS)), "seed": Key(SEED),
        "concentration": Key(_number(0, MAX_CONCENTRATION, above_low=True)),
        "normalisations": Key(_drawn_from(
            NORMALISATIONS, f"a non-empty list drawn from {_listing(NORMALISATIONS)}",
            f"{_listing(NORMALISATIONS)} 중에서 고른 목록 (빈 목록 불가)", non_empty=True)),
        "aggregations": Key(_drawn_from(
            AGGREGATIONS, f"a non-empty list drawn from {_listing(AGGREGATIONS)}",
            f"{_listing(AGGREGATIONS)} 중에서 고른 목록 (빈 목록 불가)", non_empty=True)),
        "fragile_below": Key(RATE, unit="a selection probability", unit_ko="선정 확률")},
}
_SECTIONS = {"eligibility": Eligibility, "money": Money, "scoring": Scoring,
             "robustness": Robustness}


# ---------------------------------------------------------------------------- the checks

@dataclass(frozen=True)
class Problem:
    """One problem of a call file, in English and Korean (the same details)."""

    en: str
    ko: str


def _shown(value) -> str:
    """A value as a message shows it: its repr, cut to a readable length, on one line.

    >>> _shown(1e30), _shown("x" * 100)[-6:]
    ('1e+30', 'xxx...')
    """
    text = repr(value)
    return text if len(text) <= _SHOWN else text[:_SHOWN - 3] + "..."


def _key(name) -> str:
    """A section or key name as a message shows it (quoted when it is not a plain name)."""
    plain = isinstance(name, str) and re.fullmatch(r"[A-Za-z0-9_-]{1,40}", name)
    return name if plain else _shown(name)


def call_problems(data: dict) -> list[str]:
    """Every problem of a parsed call file, each one line naming its key and what is allowed
    (``[money] budget: got 'lots' (expected a whole number from 1 to ..., in 천원)``); [] when
    none. :func:`call_problems_both` gives them in English and Korean.

    >>> for line in call_problems({"call": {"name": "x", "reference_date": "March"}})[:2]:
    ...     print(line)
    [call] reference_date: got 'March' (expected a date like 2025-03-01)
    [eligibility] regions is missing (expected a list of region ids from reference/regions.csv)
    """
    return [p.en for p in call_problems_both(data)]


def call_problems_both(data: dict) -> list[Problem]:
    """Every problem of a parsed call file, in English and Korean (see :func:`call_problems`).
    Values nested deeper than a call's keys go are reported alone: nothing else is read."""
    deep = _nesting_problems(data)
    if deep:
        return deep
    problems = _section_problems(data)
    valid: dict[str, dict] = {}
    for section, keys in CALL_SCHEMA.items():
        given = data.get(section, {})
        given = given if isinstance(given, dict) else {}
        problems += [_unknown_key(section, key, keys) for key in given if key not in keys]
        valid[section] = {}
        for key, rule in keys.items():
            if key not in given:
                if rule.required:
                    problems.append(Problem(
                        f"[{section}] {key} is missing (expected {rule.expected()})",
                        f"[{section}] {key}이(가) 없습니다 (필요: {rule.expected('ko')})"))
            elif not rule.allowed.test(given[key]):
                problems.append(Problem(
                    f"[{section}] {key}: got {_shown(given[key])} (expected {rule.expected()})",
                    f"[{section}] {key}: 값 {_shown(given[key])}은(는) 허용되지 않습니다 "
                    f"(필요: {rule.expected('ko')})"))
            else:
                valid[section][key] = given[key]
    return problems + _combination_problems(valid)


def _unknown_key(section: str, key, keys: dict) -> Problem:
    return Problem(f"[{section}] {_key(key)}: unknown key (expected one of {_listing(keys)})",
                   f"[{section}] {_key(key)}: 알 수 없는 키 (허용: {_listing(keys)})")


def _section_problems(data: dict) -> list[Problem]:
    problems = []
    sections = ", ".join("[" + s + "]" for s in CALL_SCHEMA)
    for section, value in data.items():
        if section not in CALL_SCHEMA:
            problems.append(Problem(f"unknown section [{_key(section)}] (expected {sections})",
                                    f"알 수 없는 섹션 [{_key(section)}] (허용: {sections})"))
        elif not isinstance(value, dict):
            problems.append(Problem(f"'{section}' must be a section [{section}]",
                                    f"'{section}'은(는) [{section}] 섹션이어야 합니다"))
    return problems


def _nesting_problems(data: dict) -> list[Problem]:
    """Keys whose value holds a list or table inside a list or table (a call's keys hold at
    most one level: ``regions = [...]``, ``grade_bonus = {...}``). Walked without recursion,
    so a file nested thousands deep is reported, not a crash."""
    found: dict[tuple, None] = {}
    stack = [((), data)]
    while stack:
        path, value = stack.pop()
        if not isinstance(value, (dict, list)):
            continue
        if len(path) >= 3:  # root, section, key: a container below a key's own is too deep
            found[path[:2]] = None
            continue
        items = value.items() if isinstance(value, dict) else enumerate(value)
        stack.extend((path + (k,), v) for k, v in items)
    return [Problem(f"[{_key(section)}] {_key(key)}: nested deeper than a call file goes "
                    "(expected a value, or one list or table of values)",
                    f"[{_key(section)}] {_key(key)}: 공고 파일보다 깊게 중첩되어 있습니다 "
                    "(필요: 값 하나, 또는 값들의 목록이나 표 하나)")
            for section, key in sorted(found, key=repr)]


def _with_defaults(section: str, valid: dict) -> dict:
    """A section's valid keys over the defaults of its dataclass."""
    defaults = {f.name: f.default for f in fields(_SECTIONS[section])
                if f.default is not MISSING}
    return defaults | valid[section]


def _combination_problems(valid: dict[str, dict]) -> list[Problem]:
    """Rules between keys, checked where the keys themselves are valid."""
    problems = _money_combinations(_with_defaults("money", valid))
    scoring = _with_defaults("scoring", valid)
    use = scoring["tech_index_use"]
    if use == "min_grade" and not valid["eligibility"].get("min_grade"):
        problems.append(Problem(
            "[scoring] tech_index_use = 'min_grade' needs [eligibility] min_grade "
            f"(expected one of {_listing(GRADES)})",
            "[scoring] tech_index_use = 'min_grade'에는 [eligibility] min_grade가 필요합니다 "
            f"(필요: {_listing(GRADES)} 중 하나)"))
    if use == "bonus" and not valid["scoring"].get("grade_bonus"):
        problems.append(Problem(
            "[scoring] tech_index_use = 'bonus' needs [scoring] grade_bonus "
            "(expected a table of grade = points)",
            "[scoring] tech_index_use = 'bonus'에는 [scoring] grade_bonus가 필요합니다 "
            "(필요: 등급 = 점수 표)"))
    if scoring["tech_weight"] == 0 and scoring["committee_weight"] == 0:
        problems.append(Problem(
            "[scoring] tech_weight and committee_weight are both 0 (expected at least one "
            "above 0)",
            "[scoring] tech_weight와 committee_weight가 모두 0입니다 (필요: 하나 이상은 0보다 큼)"))
    return problems + _date_problems(valid)


def _money_combinations(money: dict) -> list[Problem]:
    problems = []
    low, high = money["self_burden_low"], money["self_burden_high"]
    if low > high:
        problems.append(Problem(
            f"[money] self_burden_low {float(low)} is above self_burden_high {float(high)} "
            "(expected low <= high)",
            f"[money] self_burden_low {float(low)}이(가) self_burden_high {float(high)}보다 "
            "큽니다 (필요: low <= high)"))
    if "budget" in money and money["cap"] > money["budget"]:
        cap, budget = int(money["cap"]), int(money["budget"])
        problems.append(Problem(
            f"[money] cap {cap:,} is above the budget {budget:,} 천원 (expected cap <= budget)",
            f"[money] cap {cap:,}이(가) 예산 budget {budget:,}천원보다 큽니다 "
            "(필요: cap <= budget)"))
    return problems


def _date_problems(valid: dict[str, dict]) -> list[Problem]:
    """The reference date must fall where the SME size tables are known (when they are used)."""
    date = valid["call"].get("reference_date")
    first, last = SME_TABLES_COVER
    if date is None or not valid["eligibility"].get("sme_size", True) or first <= date <= last:
        return []
    return [Problem(
        f"[call] reference_date {date.isoformat()} is outside the dates the SME size tables "
        f"cover (expected {first.isoformat()} to {last.isoformat()}, "
        "reference/sme_size_criteria.csv; or set [eligibility] sme_size = false)",
        f"[call] reference_date {date.isoformat()}: 중소기업 규모 기준표가 다루는 기간 밖입니다 "
        f"(필요: {first.isoformat()} ~ {last.isoformat()}, reference/sme_size_criteria.csv; "
        "또는 [eligibility] sme_size = false)")]


MAX_LISTED = 10  # problems in a CallError's one line; ``ktop calls check`` prints them all


def _call_error(source: str, problems: list[Problem]) -> CallError:
    """One CallError listing the problems on one line (the first MAX_LISTED), in both
    languages; ``.problems`` and ``.problems_ko`` hold every line."""
    n, shown = len(problems), problems[:MAX_LISTED]
    en = f"{source}: " + (f"{n} problems: " if n > 1 else "") + "; ".join(p.en for p in shown)
    ko = f"{source}: " + (f"문제 {n}건: " if n > 1 else "") + "; ".join(p.ko for p in shown)
    if n > MAX_LISTED:
        en += f"; ... and {n - MAX_LISTED} more (ktop calls check {source} lists them all)"
        ko += f"; ... 외 {n - MAX_LISTED}건 (ktop calls check {source}로 모두 볼 수 있습니다)"
    error = CallError(en, ko=ko)
    error.problems = [p.en for p in problems]
    error.problems_ko = [p.ko for p in problems]
    error.source = source
    return error


def parse_call(data: dict, source: str = "<dict>", sha256: str = "") -> Call:
    """Check a call given as a dict (the parsed TOML) against :data:`CALL_SCHEMA` and build
    the :class:`Call`.

    Raises
    ------
    CallError
        Listing every problem at once, on one line: ``FILE: [section] key: got X (expected
        ...)``, or ``FILE: 3 problems: ...; ...; ...``. ``error.problems`` holds the lines
        (``error.problems_ko`` in Korean), ``error.source`` the file.
    """
    problems = call_problems_both(data)
    if problems:
        raise _call_error(source, problems)
    parts = {section: {k: tuple(v) if isinstance(v, list) else v
                       for k, v in data.get(section, {}).items()} for section in CALL_SCHEMA}
    head = parts["call"]
    money = Money(**{k: _money_value(k, v) for k, v in parts["money"].items()})
    return Call(name=head["name"], title=head.get("title", head["name"]),
                reference_date=head["reference_date"],
                eligibility=Eligibility(**parts["eligibility"]), money=money,
                scoring=Scoring(**parts["scoring"]), robustness=Robustness(**parts["robustness"]),
                source=source, sha256=sha256)


def _money_value(key: str, value):
    """A checked [money] value as :class:`Money` holds it: whole 천원 and counts as ints,
    rates as floats.

    >>> _money_value("budget", 5e4), _money_value("waitlist", 5), _money_value("national_ratio", 1)
    (50000, 5, 1.0)
    """
    if key in _MONEY_KEYS:
        return int(value)
    return float(value) if _is_number(value) and key not in ("max_firms", "waitlist") else value


# ---------------------------------------------------------------------------- the files

def _bundled_files() -> dict[str, Path]:
    """name -> file of every bundled call: the repository's ``data/calls`` (a checkout), then
    the installed package's ``ktop_index.bundled_calls``."""
    found = {p.stem: p for p in sorted(_REPO_CALLS.glob("*.toml"))} if _REPO_CALLS.is_dir() \
        else {}
    try:
        entries = list(resources.files(BUNDLED_PACKAGE).iterdir())
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError):
        entries = []
    for entry in sorted(entries, key=lambda e: e.name):
        if entry.name.endswith(".toml") and entry.is_file():
            found.setdefault(entry.name[:-len(".toml")], Path(str(entry)))
    return found


def bundled_calls() -> list[str]:
    """Names of the bundled calls (``data/calls`` in a checkout, the package data when
    installed).

    >>> "jeju_2025" in bundled_calls()
    True
    """
    return sorted(_bundled_files())


def call_path(name_or_path: str | os.PathLike) -> Path:
    """A call file: the path itself when it exists or ends in ``.toml``, else the bundled
    call of that name (a path that does not exist when there is none)."""
    path = Path(name_or_path)
    if path.suffix.lower() == ".toml" or path.exists():
        return path
    return _bundled_files().get(str(name_or_path), _REPO_CALLS / f"{name_or_path}.toml")


def _no_such_call(name_or_path) -> CallError:
    """No call by that name or path; the close bundled name suggested.

    >>> print(_no_such_call("jeju2025"))                  # doctest: +ELLIPSIS
    no call 'jeju2025'; did you mean jeju_2025? (bundled: jeju_2025, ...)
    """
    names = bundled_calls()
    listed = ", ".join(names) or "none found"
    listed_ko = ", ".join(names) or "없음"
    guess = difflib.get_close_matches(Path(name_or_path).stem, names, n=1, cutoff=0.6)
    if guess:
        return CallError(f"no call '{name_or_path}'; did you mean {guess[0]}? "
                         f"(bundled: {listed})",
                         ko=f"공고 '{name_or_path}'이(가) 없습니다. {guess[0]}을(를) "
                            f"찾으셨습니까? (내장 공고: {listed_ko})")
    return CallError(f"{name_or_path}: no such call file or bundled call (bundled: {listed})",
                     ko=f"{name_or_path}: 그런 공고 파일이나 내장 공고가 없습니다 "
                        f"(내장 공고: {listed_ko})")


def read_call_bytes(name_or_path: str | os.PathLike) -> tuple[Path, bytes]:
    """The file of a call (a path or a bundled call's name) and its bytes, at most
    :data:`MAX_CALL_BYTES` (read no further, so a huge file costs nothing).

    Raises
    ------
    CallError
        No such call (the close bundled name suggested), a folder, or a file too large.
    """
    path = call_path(name_or_path)
    if not path.is_file():
        if path.is_dir():
            raise CallError(f"{path}: is a folder, not a call file (expected a .toml file)",
                            ko=f"{path}: 폴더입니다. 공고 파일(.toml)이 아닙니다")
        raise _no_such_call(name_or_path)
    with open(path, "rb") as handle:
        raw = handle.read(MAX_CALL_BYTES + 1)
    if len(raw) > MAX_CALL_BYTES:
        raise CallError(f"{path}: larger than {MAX_CALL_BYTES:,} bytes (a call file is a few "
                        "kB of TOML; is this the right file?)",
                        ko=f"{path}: {MAX_CALL_BYTES:,}바이트보다 큽니다 (공고 파일은 몇 kB의 "
                           "TOML입니다. 올바른 파일입니까?)")
    return path, raw


def load_call(name_or_path: str | os.PathLike) -> Call:
    """Load and check a call file, given as a path or as a bundled call's name.

    >>> load_call("jeju_2025").eligibility.regions     # doctest: +SKIP
    ('jeju_si', 'seogwipo_si')
    """
    path, raw = read_call_bytes(name_or_path)
    return parse_call(_parse_toml(path, raw), source=str(path), sha256=sha256_bytes(raw))


def _parse_toml(path: Path, raw: bytes) -> dict:
    """The TOML of a call file, or a one-line CallError (not UTF-8, not TOML, nested beyond
    what the reader can follow)."""
    try:
        return tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise CallError(f"{path}:{line}: not UTF-8 text (byte {exc.start}); save the call file "
                        "as UTF-8",
                        ko=f"{path}:{line}: UTF-8 텍스트가 아닙니다 ({exc.start}번째 바이트). 공고 "
                           "파일을 UTF-8로 저장하십시오") from None
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        at_ko = f" ({where.group(1)}행 {where.group(2)}열)" if where else ""
        hint, hint_ko = _toml_hint(raw, int(where.group(1)) if where else 0)
        raise CallError(f"{path}: not valid TOML ({exc}){hint}",
                        ko=f"{path}: 올바른 TOML이 아닙니다{at_ko} ({exc}){hint_ko}") from None
    except RecursionError:  # brackets nested thousands deep: Python's reader gives up
        line, key = _deepest_line(raw.decode("utf-8-sig", errors="replace"))
        raise CallError(f"{path}:{line}: {key}: nested deeper than a call file goes "
                        "(expected a value, or one list or table of values)",
                        ko=f"{path}:{line}: {key}: 공고 파일보다 깊게 중첩되어 있습니다 "
                           "(필요: 값 하나, 또는 값들의 목록이나 표 하나)") from None


def _toml_hint(raw: bytes, line: int) -> tuple[str, str]:
    """What to do about the TOML mistake people make most on ``line``: a number written with
    thousands commas (``budget = 600,000``).

    >>> _toml_hint(b"[money]\\nbudget = 600,000\\n", 2)[0]
    '; write numbers without commas: 600_000 or 600000'
    """
    lines = raw.decode("utf-8", errors="replace").splitlines()
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    found = re.search(r"=\s*(\d{1,3}(?:,\d{3})+)\b", text)
    if not found:
        return "", ""
    plain = found.group(1).replace(",", "")
    grouped = found.group(1).replace(",", "_")
    return (f"; write numbers without commas: {grouped} or {plain}",
            f"; 숫자는 쉼표 없이 쓰십시오: {grouped} 또는 {plain}")


def _deepest_line(text: str, limit: int = 32) -> tuple[int, str]:
    """Where brackets first nest ``limit`` deep (outside quotes): the line and its key.

    >>> _deepest_line('[call]\\nname = ' + '[' * 40, limit=32)
    (2, '[call] name')
    """
    depth, quote, section = 0, "", ""
    for number, line in enumerate(text.splitlines(), start=1):
        header = re.match(r"\s*\[\[?\s*([A-Za-z0-9_.-]+)\s*\]", line) if depth == 0 else None
        section = f"[{header.group(1)}] " if header else section
        for char in line:
            if quote:
                quote = "" if char == quote else quote
            elif char in "\"'":
                quote = char
            elif char in "[{":
                depth += 1
                if depth >= limit:
                    key = line.split("=", 1)[0].strip() if "=" in line else "?"
                    return number, section + _key(key)
            elif char in "]}":
                depth = max(depth - 1, 0)
    return 0, "?"


def export_call(name: str, path: str | os.PathLike, overwrite: bool = False) -> Path:
    """Write the bundled call ``name`` to ``path``, byte for byte (its comments cite the
    announcement), to edit into a call of one's own. An existing file is replaced only with
    ``overwrite=True`` (it may be an edited call).

    Raises
    ------
    CallError
        ``name`` is not a bundled call (the close name suggested).
    UsageError
        ``path`` exists and ``overwrite`` is False.
    """
    files = _bundled_files()
    if name not in files:
        raise _no_such_call(name)
    if not overwrite and os.path.exists(path):
        raise UsageError(f"{path}: exists (it may be an edited call); give another name, or "
                         "--force to replace it",
                         ko=f"{path}: 이미 있습니다 (수정한 공고일 수 있습니다). 다른 이름을 "
                            "쓰거나, 바꾸려면 --force를 주십시오")
    write_bytes(path, files[name].read_bytes())
    return Path(path)
