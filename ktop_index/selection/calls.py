"""A call for applicants (공고) as one readable TOML file, loaded into a checked :class:`Call`.

A call says who may apply (regions, target industries, SME status, documents, a minimum
grade), how the applicants are ranked (the Tech-Index as a weight, as grade bonus points or as
a minimum grade — the ministry's three options — blended with committee scores and bonus
points) and how the money is shared (budget, per-firm cap, self-burden, national:local split).
The bundled calls live in ``data/calls/`` (``jeju_2025``, ``sejong_2025``); ``docs/selection.md``
describes every key.

Every bad key or value is reported as one line naming the file, the key and what was
expected; unknown keys are errors too (a misspelt key must not be silently ignored).
Money is in KRW thousand (천원).

Example
-------
>>> call = load_call("jeju_2025")                     # doctest: +SKIP
>>> call.money.cap, call.money.national_ratio          # doctest: +SKIP
(50000.0, 0.7)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from ktop_index.errors import CallError

_REPO_CALLS = Path(__file__).resolve().parents[2] / "data" / "calls"
GRADES = ("AAA", "AA", "A", "BBB", "BB", "B", "CCC")
TECH_USES = ("weight", "bonus", "min_grade")
DOCUMENTS = ("letter_of_intent", "sme_confirmed")
TIE_BREAKS = ("committee_score", "tech_index", "requested", "brn")
NORMALISATIONS = ("goalposts", "minmax", "zscore", "prank")
AGGREGATIONS = ("amean", "gmean")




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


# key -> (kind, required); kinds are checked by _value below
_SCHEMA: dict[str, dict[str, tuple[str, bool]]] = {
    "call": {"name": ("name", True), "title": ("str", False), "reference_date": ("date", True),
             "announcement": ("str", False)},
    "eligibility": {"regions": ("regions", True), "ksic_prefixes": ("ksic", True),
                    "required_documents": ("documents", False), "sme_size": ("bool", False),
                    "allow_branch": ("bool", False), "min_grade": ("grade", False),
                    "not_rated": ("not_rated", False)},
    "money": {"budget": ("positive", True), "cap": ("positive", False),
              "max_firms": ("count", False), "waitlist": ("count", False),
              "self_burden_threshold": ("positive", False), "self_burden_low": ("rate", False),
              "self_burden_high": ("rate", False), "self_burden_mode": ("mode", False),
              "national_ratio": ("rate", False)},
    "scoring": {"tech_index_use": ("tech_use", False), "tech_weight": ("weight", False),
                "committee_weight": ("weight", False), "grade_bonus": ("grade_bonus", False),
                "bonus_column": ("str", False), "bonus_max": ("weight", False),
                "committee_min_evaluators_for_trim": ("count", False),
                "tie_break": ("tie_break", False)},
    "robustness": {"variants": ("count", False), "seed": ("count", False),
                   "concentration": ("positive", False),
                   "normalisations": ("normalisations", False),
                   "aggregations": ("aggregations", False), "fragile_below": ("rate", False)},
}
_EXPECTED = {
    "name": "a name of letters, digits and _ (e.g. jeju_2025)",
    "str": "a text", "date": "a date like 2025-03-01", "bool": "true or false",
    "regions": "a list of region ids from reference/regions.csv",
    "ksic": "a non-empty list of KSIC code prefixes as text, e.g. [\"10\", \"7011\"]",
    "documents": f"a list of {', '.join(DOCUMENTS)}",
    "grade": f"'' or one of {', '.join(GRADES)}",
    "not_rated": "'zero' or 'ineligible'",
    "positive": "a number above 0", "count": "a whole number, 0 or more",
    "rate": "a number between 0 and 1", "weight": "a number, 0 or more",
    "mode": "'on_top' or 'within'", "tech_use": f"one of {', '.join(TECH_USES)}",
    "grade_bonus": "a table of grade = points, e.g. { AAA = 5, AA = 4 }",
    "tie_break": f"a list drawn from {', '.join(TIE_BREAKS)}",
    "normalisations": f"a non-empty list drawn from {', '.join(NORMALISATIONS)}",
    "aggregations": f"a non-empty list drawn from {', '.join(AGGREGATIONS)}",
}


def _ok(kind: str, value, region_ids: set[str]) -> bool:
    """Whether ``value`` is of ``kind`` (see ``_EXPECTED``)."""
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    text_list = isinstance(value, list) and all(isinstance(v, str) for v in value)
    checks = {
        "name": lambda: isinstance(value, str) and value.replace("_", "").isalnum()
        and value.isascii(),
        "str": lambda: isinstance(value, str),
        "date": lambda: isinstance(value, dt.date) and not isinstance(value, dt.datetime),
        "bool": lambda: isinstance(value, bool),
        "regions": lambda: text_list and value and set(value) <= region_ids,
        "ksic": lambda: text_list and value and all(v.isdigit() and 1 <= len(v) <= 5
                                                    for v in value),
        "documents": lambda: text_list and set(value) <= set(DOCUMENTS),
        "grade": lambda: value in ("",) + GRADES,
        "not_rated": lambda: value in ("zero", "ineligible"),
        "positive": lambda: number and value > 0,
        "count": lambda: isinstance(value, int) and not isinstance(value, bool) and value >= 0,
        "rate": lambda: number and 0 <= value <= 1,
        "weight": lambda: number and value >= 0,
        "mode": lambda: value in ("on_top", "within"),
        "tech_use": lambda: value in TECH_USES,
        "grade_bonus": lambda: isinstance(value, dict) and set(value) <= set(GRADES)
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0
                for v in value.values()),
        "tie_break": lambda: text_list and set(value) <= set(TIE_BREAKS)
        and len(set(value)) == len(value),
        "normalisations": lambda: text_list and value and set(value) <= set(NORMALISATIONS),
        "aggregations": lambda: text_list and value and set(value) <= set(AGGREGATIONS),
    }
    return bool(checks[kind]())


def region_ids() -> set[str]:
    """The region ids of ``reference/regions.csv``."""
    from ktop_index.selection.eligibility import load_regions

    return set(load_regions()["region_id"])


def parse_call(data: dict, source: str = "<dict>", sha256: str = "") -> Call:
    """Check a call given as a dict (the parsed TOML) and build the :class:`Call`.

    Raises
    ------
    CallError
        On the first bad key or value: ``FILE: [section] key: got X (expected ...)``.
    """
    known_regions = region_ids()
    for section, value in data.items():
        if section not in _SCHEMA:
            raise CallError(f"{source}: unknown section [{section}] (expected "
                            f"{', '.join('[' + s + ']' for s in _SCHEMA)})")
        if not isinstance(value, dict):
            raise CallError(f"{source}: '{section}' must be a section [{section}]")
    parts: dict[str, dict] = {}
    for section, keys in _SCHEMA.items():
        given = data.get(section, {})
        for key in given:
            if key not in keys:
                raise CallError(f"{source}: [{section}] {key}: unknown key (expected one of "
                                f"{', '.join(keys)})")
        for key, (kind, required) in keys.items():
            if key not in given:
                if required:
                    raise CallError(f"{source}: [{section}] {key} is missing (expected "
                                    f"{_EXPECTED[kind]})")
                continue
            if not _ok(kind, given[key], known_regions):
                raise CallError(f"{source}: [{section}] {key}: got {given[key]!r} (expected "
                                f"{_EXPECTED[kind]})")
        parts[section] = {k: tuple(v) if isinstance(v, list) else v for k, v in given.items()}
    head = parts["call"]
    money = Money(**{k: float(v) if isinstance(v, int) and k not in ("max_firms", "waitlist")
                     else v for k, v in parts["money"].items()})
    if money.self_burden_low > money.self_burden_high:
        raise CallError(f"{source}: [money] self_burden_low {money.self_burden_low} is above "
                        f"self_burden_high {money.self_burden_high} (expected low <= high)")
    if money.cap > money.budget:
        raise CallError(f"{source}: [money] cap {money.cap:,.0f} is above the budget "
                        f"{money.budget:,.0f} 천원 (expected cap <= budget)")
    scoring = Scoring(**parts.get("scoring", {}))
    if scoring.tech_index_use == "min_grade" and not parts["eligibility"].get("min_grade"):
        raise CallError(f"{source}: [scoring] tech_index_use = 'min_grade' needs "
                        "[eligibility] min_grade (expected one of " + ", ".join(GRADES) + ")")
    if scoring.tech_index_use == "bonus" and not scoring.grade_bonus:
        raise CallError(f"{source}: [scoring] tech_index_use = 'bonus' needs [scoring] "
                        "grade_bonus (expected a table of grade = points)")
    return Call(name=head["name"], title=head.get("title", head["name"]),
                reference_date=head["reference_date"],
                eligibility=Eligibility(**parts["eligibility"]), money=money, scoring=scoring,
                robustness=Robustness(**parts.get("robustness", {})), source=source,
                sha256=sha256)


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
    return parse_call(data, source=str(path), sha256=hashlib.sha256(raw).hexdigest())
