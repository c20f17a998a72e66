"""A call for applicants (공고) as one readable TOML file, loaded into a checked :class:`Call`.

A call says who may apply (regions, target industries, SME status, documents, a minimum
grade), how the applicants are ranked (the Tech-Index as a weight, as grade bonus points or as
a minimum grade — the ministry's three options — blended with committee scores and bonus
points) and how the money is shared (budget, per-firm cap, self-burden, national:local split).
The bundled calls live in ``data/calls/`` (``jeju_2025``, ``sejong_2025``); ``docs/selection.md``
describes every key.

The file is checked against one declared schema, :data:`CALL_SCHEMA` (every key, what it may
hold, its unit, required or not), and every problem is reported at once, each naming the
file, the key and what is allowed; unknown keys are errors too (a misspelt key must not be
silently ignored). Money is in KRW thousand (천원).

Example
-------
>>> call = load_call("jeju_2025")                     # doctest: +SKIP
>>> call.money.cap, call.money.national_ratio          # doctest: +SKIP
(50000.0, 0.7)
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from collections.abc import Callable
from dataclasses import MISSING, dataclass, field, fields
from importlib import resources
from pathlib import Path

from ktop_index import reference
from ktop_index._files import sha256_bytes
from ktop_index.errors import CallError
from ktop_index.index.spec import GRADES

_REPO_CALLS = Path(__file__).resolve().parents[2] / "data" / "calls"
TECH_USES = ("weight", "bonus", "min_grade")
DOCUMENTS = ("letter_of_intent", "sme_confirmed")
TIE_BREAKS = ("committee_score", "tech_index", "requested", "brn")
NORMALISATIONS = ("goalposts", "minmax", "zscore", "prank")
AGGREGATIONS = ("amean", "gmean")
NOT_RATED_RULES = ("zero", "ineligible")
SELF_BURDEN_MODES = ("on_top", "within")


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
    """Budget and per-firm money rules, in KRW thousand (천원)."""

    budget: float                          # government support available (national + local)
    cap: float = 50_000.0                  # per firm and year
    max_firms: int = 0                     # 0 = no limit other than the budget
    waitlist: int = 5                      # ranked reserve firms (예비)
    self_burden_threshold: float = 1_000_000.0  # revenue, 천원 (10억원)
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
    """What a key may hold: ``words`` for the message, ``test`` for the check."""

    words: str
    test: Callable[[object], bool]


@dataclass(frozen=True)
class Key:
    """One key of a call file: what it may hold, whether it must be given, its unit."""

    allowed: Allowed
    required: bool = False
    unit: str = ""

    def expected(self) -> str:
        """What the key expects, in words: ``a number above 0, in 천원``."""
        return f"{self.allowed.words}, in {self.unit}" if self.unit else self.allowed.words


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _texts(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _region_ids() -> set[str]:
    return set(reference.regions()["region_id"])


def _one_of(options: tuple[str, ...], words: str) -> Allowed:
    return Allowed(words, lambda v: isinstance(v, str) and v in options)


def _drawn_from(options: tuple[str, ...], words: str, *, non_empty: bool = False,
                unique: bool = False) -> Allowed:
    """A list of texts, each one of ``options``."""
    def test(value) -> bool:
        return (_texts(value) and (bool(value) or not non_empty) and set(value) <= set(options)
                and (not unique or len(set(value)) == len(value)))
    return Allowed(words, test)


def _grade_points(value) -> bool:
    return (isinstance(value, dict) and set(value) <= set(GRADES)
            and all(_is_number(v) and v >= 0 for v in value.values()))


NAME = Allowed("a name of letters, digits and _ (e.g. jeju_2025)",
               lambda v: isinstance(v, str) and v.replace("_", "").isalnum() and v.isascii())
TEXT = Allowed("a text", lambda v: isinstance(v, str))
DATE = Allowed("a date like 2025-03-01",
               lambda v: isinstance(v, dt.date) and not isinstance(v, dt.datetime))
FLAG = Allowed("true or false", lambda v: isinstance(v, bool))
POSITIVE = Allowed("a number above 0", lambda v: _is_number(v) and v > 0)
RATE = Allowed("a number between 0 and 1", lambda v: _is_number(v) and 0 <= v <= 1)
NON_NEGATIVE = Allowed("a number, 0 or more", lambda v: _is_number(v) and v >= 0)
COUNT = Allowed("a whole number, 0 or more", lambda v: _is_whole(v) and v >= 0)
REGIONS = Allowed("a list of region ids from reference/regions.csv",
                  lambda v: _texts(v) and bool(v) and set(v) <= _region_ids())
KSIC_PREFIXES = Allowed("a non-empty list of KSIC code prefixes as text, e.g. [\"10\", \"7011\"]",
                        lambda v: _texts(v) and bool(v)
                        and all(c.isdigit() and 1 <= len(c) <= 5 for c in v))
GRADE_POINTS = Allowed("a table of grade = points, e.g. { AAA = 5, AA = 4 }", _grade_points)

#: Every key of a call file, by section: what it may hold, required or not, its unit. The
#: defaults of the keys that may be left out are those of :class:`Eligibility`, :class:`Money`,
#: :class:`Scoring` and :class:`Robustness`; ``docs/selection.md`` describes each key.
CALL_SCHEMA: dict[str, dict[str, Key]] = {
    "call": {"name": Key(NAME, required=True), "title": Key(TEXT),
             "reference_date": Key(DATE, required=True), "announcement": Key(TEXT)},
    "eligibility": {
        "regions": Key(REGIONS, required=True),
        "ksic_prefixes": Key(KSIC_PREFIXES, required=True),
        "required_documents": Key(_drawn_from(DOCUMENTS, f"a list of {', '.join(DOCUMENTS)}")),
        "sme_size": Key(FLAG), "allow_branch": Key(FLAG),
        "min_grade": Key(_one_of(("", *GRADES), f"'' or one of {', '.join(GRADES)}")),
        "not_rated": Key(_one_of(NOT_RATED_RULES, "'zero' or 'ineligible'"))},
    "money": {
        "budget": Key(POSITIVE, required=True, unit="천원"),
        "cap": Key(POSITIVE, unit="천원 per firm"),
        "max_firms": Key(COUNT, unit="firms (0 = no limit)"),
        "waitlist": Key(COUNT, unit="firms"),
        "self_burden_threshold": Key(POSITIVE, unit="천원 of revenue"),
        "self_burden_low": Key(RATE, unit="a share of the support"),
        "self_burden_high": Key(RATE, unit="a share of the support"),
        "self_burden_mode": Key(_one_of(SELF_BURDEN_MODES, "'on_top' or 'within'")),
        "national_ratio": Key(RATE, unit="a share of the support")},
    "scoring": {
        "tech_index_use": Key(_one_of(TECH_USES, f"one of {', '.join(TECH_USES)}")),
        "tech_weight": Key(NON_NEGATIVE), "committee_weight": Key(NON_NEGATIVE),
        "grade_bonus": Key(GRADE_POINTS, unit="points"),
        "bonus_column": Key(TEXT), "bonus_max": Key(NON_NEGATIVE, unit="points (0 = no cap)"),
        "committee_min_evaluators_for_trim": Key(COUNT, unit="evaluators (0 = never trim)"),
        "tie_break": Key(_drawn_from(TIE_BREAKS, f"a list drawn from {', '.join(TIE_BREAKS)}",
                                     unique=True))},
    "robustness": {
        "variants": Key(COUNT), "seed": Key(COUNT),
        "concentration": Key(POSITIVE),
        "normalisations": Key(_drawn_from(
            NORMALISATIONS, f"a non-empty list drawn from {', '.join(NORMALISATIONS)}",
            non_empty=True)),
        "aggregations": Key(_drawn_from(
            AGGREGATIONS, f"a non-empty list drawn from {', '.join(AGGREGATIONS)}",
            non_empty=True)),
        "fragile_below": Key(RATE, unit="a selection probability")},
}
_SECTIONS = {"eligibility": Eligibility, "money": Money, "scoring": Scoring,
             "robustness": Robustness}
_WHOLE_MONEY = ("max_firms", "waitlist")  # the money keys that stay integers


def call_problems(data: dict) -> list[str]:
    """Every problem of a parsed call file, each one line naming its key and what is allowed
    (``[money] budget: got 'lots' (expected a number above 0, in 천원)``); [] when none.

    >>> for line in call_problems({"call": {"name": "x", "reference_date": "March"}})[:2]:
    ...     print(line)
    [call] reference_date: got 'March' (expected a date like 2025-03-01)
    [eligibility] regions is missing (expected a list of region ids from reference/regions.csv)
    """
    problems = _section_problems(data)
    valid: dict[str, dict] = {}
    for section, keys in CALL_SCHEMA.items():
        given = data.get(section, {})
        given = given if isinstance(given, dict) else {}
        problems += [f"[{section}] {key}: unknown key (expected one of {', '.join(keys)})"
                     for key in given if key not in keys]
        valid[section] = {}
        for key, rule in keys.items():
            if key not in given:
                if rule.required:
                    problems.append(f"[{section}] {key} is missing (expected {rule.expected()})")
            elif not rule.allowed.test(given[key]):
                problems.append(f"[{section}] {key}: got {given[key]!r} (expected "
                                f"{rule.expected()})")
            else:
                valid[section][key] = given[key]
    return problems + _combination_problems(valid)


def _section_problems(data: dict) -> list[str]:
    problems = []
    for section, value in data.items():
        if section not in CALL_SCHEMA:
            problems.append(f"unknown section [{section}] (expected "
                            f"{', '.join('[' + s + ']' for s in CALL_SCHEMA)})")
        elif not isinstance(value, dict):
            problems.append(f"'{section}' must be a section [{section}]")
    return problems


def _with_defaults(section: str, valid: dict) -> dict:
    """A section's valid keys over the defaults of its dataclass."""
    defaults = {f.name: f.default for f in fields(_SECTIONS[section])
                if f.default is not MISSING}
    return defaults | valid[section]


def _combination_problems(valid: dict[str, dict]) -> list[str]:
    """Rules between keys, checked where the keys themselves are valid."""
    problems = []
    money = _with_defaults("money", valid)
    if money["self_burden_low"] > money["self_burden_high"]:
        problems.append(f"[money] self_burden_low {float(money['self_burden_low'])} is above "
                        f"self_burden_high {float(money['self_burden_high'])} "
                        "(expected low <= high)")
    if "budget" in money and money["cap"] > money["budget"]:
        problems.append(f"[money] cap {money['cap']:,.0f} is above the budget "
                        f"{money['budget']:,.0f} 천원 (expected cap <= budget)")
    use = valid["scoring"].get("tech_index_use", Scoring.tech_index_use)
    if use == "min_grade" and not valid["eligibility"].get("min_grade"):
        problems.append("[scoring] tech_index_use = 'min_grade' needs [eligibility] min_grade "
                        "(expected one of " + ", ".join(GRADES) + ")")
    if use == "bonus" and not valid["scoring"].get("grade_bonus"):
        problems.append("[scoring] tech_index_use = 'bonus' needs [scoring] grade_bonus "
                        "(expected a table of grade = points)")
    return problems


def parse_call(data: dict, source: str = "<dict>", sha256: str = "") -> Call:
    """Check a call given as a dict (the parsed TOML) against :data:`CALL_SCHEMA` and build
    the :class:`Call`.

    Raises
    ------
    CallError
        Listing every problem at once, on one line: ``FILE: [section] key: got X (expected
        ...)``, or ``FILE: 3 problems: ...; ...; ...``. ``error.problems`` holds the lines.
    """
    problems = call_problems(data)
    if problems:
        head = f"{source}: " + (f"{len(problems)} problems: " if len(problems) > 1 else "")
        error = CallError(head + "; ".join(problems))
        error.problems = problems
        raise error
    parts = {section: {k: tuple(v) if isinstance(v, list) else v
                       for k, v in data.get(section, {}).items()} for section in CALL_SCHEMA}
    head = parts["call"]
    money = Money(**{k: float(v) if isinstance(v, int) and k not in _WHOLE_MONEY else v
                     for k, v in parts["money"].items()})
    return Call(name=head["name"], title=head.get("title", head["name"]),
                reference_date=head["reference_date"],
                eligibility=Eligibility(**parts["eligibility"]), money=money,
                scoring=Scoring(**parts["scoring"]), robustness=Robustness(**parts["robustness"]),
                source=source, sha256=sha256)


def call_path(name_or_path: str | os.PathLike) -> Path:
    """A call file: the path itself when it exists, else a bundled call by name."""
    path = Path(name_or_path)
    if path.suffix.lower() == ".toml" or path.exists():
        return path
    local = _REPO_CALLS / f"{name_or_path}.toml"
    if local.exists():
        return local
    try:
        bundled = resources.files("ktop_index.bundled_calls").joinpath(f"{name_or_path}.toml")
        if bundled.is_file():
            return Path(str(bundled))
    except ModuleNotFoundError:
        pass
    return local


def bundled_calls() -> list[str]:
    """Names of the calls shipped in ``data/calls``."""
    return sorted(p.stem for p in _REPO_CALLS.glob("*.toml")) if _REPO_CALLS.is_dir() else []


def load_call(name_or_path: str | os.PathLike) -> Call:
    """Load and check a call file, given as a path or as a bundled call's name.

    >>> load_call("jeju_2025").eligibility.regions     # doctest: +SKIP
    ('jeju_si', 'seogwipo_si')
    """
    path = call_path(name_or_path)
    if not path.exists():
        names = ", ".join(bundled_calls()) or "none found"
        raise CallError(f"{name_or_path}: no such call file or bundled call (bundled: {names})")
    raw = path.read_bytes()
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise CallError(f"{path}: not UTF-8 text (save the call file as UTF-8)") from None
    except tomllib.TOMLDecodeError as exc:
        raise CallError(f"{path}: not valid TOML ({exc})") from None
    return parse_call(data, source=str(path), sha256=sha256_bytes(raw))
