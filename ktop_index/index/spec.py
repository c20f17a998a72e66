"""The index specification's facts, in one place: where the bundled spec and model live, the
model file's format, the canonical domains and grades, and the declared schema every spec is
checked against.

A specification (``models/tech_index_spec.json``) is the whole method of the Tech-Index:
indicators, domains, transforms, normalisation, weights, missing-data rule, grade scale.
:func:`check_spec` holds it against :data:`SCHEMA` and reports every problem at once, each
naming its key and what is allowed (``spec: indicators[3].direction: expected 1 or -1, got
2``), in one :class:`~ktop_index.errors.SpecError`.

Other modules import the constants here instead of repeating them: :data:`DOMAINS` (the score
columns of the four domains, in their canonical order), :data:`GRADES` (grade names, best
first, as the bundled spec declares them) and :data:`NOT_RATED` (the grade of a firm with too
little data).

Example
-------
>>> DOMAINS
('infrastructure', 'input', 'activity', 'outcome')
>>> GRADES[0], GRADES[-1], NOT_RATED
('AAA', 'CCC', 'NR')
>>> spec = load_spec()
>>> spec["indicators"][0]["direction"] = 2
>>> check_spec(spec)
Traceback (most recent call last):
...
ktop_index.errors.SpecError: spec: indicators[0].direction: expected 1 or -1, got 2
"""

from __future__ import annotations

import itertools
import json
import math
import os
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from ktop_index.errors import SpecError

MODEL_FORMAT = "ktop_index.tech_index_model"
MODEL_FORMAT_VERSION = 2  # 2: industry shifts (value_offsets); files without them stay 1
SPEC_FILE = "tech_index_spec.json"
MODEL_FILE = "default.json"

_REPO_MODELS = Path(__file__).resolve().parents[2] / "models"


def model_path(name: str) -> Path:
    """A bundled file of ``models/`` (the repository's, or the installed package's copy).

    >>> model_path("default.json").name
    'default.json'
    """
    local = _REPO_MODELS / name
    if local.exists():
        return local
    bundled = resources.files("ktop_index.bundled_models").joinpath(name)
    return Path(str(bundled))


def _read_json(path: str | os.PathLike) -> dict:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def load_spec(spec: dict | str | os.PathLike | None = None) -> dict:
    """The index specification, checked (:func:`check_spec`): a dict (copied), a spec JSON
    file, a model file (its ``spec``), or the bundled default when None.

    Raises
    ------
    SpecError
        The file is not JSON, or the spec breaks its schema (every problem listed).
    """
    if spec is None:
        spec = model_path(SPEC_FILE)
    if isinstance(spec, dict):
        data, source = json.loads(json.dumps(spec)), "spec"  # a private copy
    else:
        try:
            data, source = _read_json(spec), f"{spec}: spec"
        except json.JSONDecodeError as exc:
            raise SpecError(f"{spec}: not a JSON spec file (line {exc.lineno}: {exc.msg})") \
                from None
        if isinstance(data, dict) and data.get("format") == MODEL_FORMAT:
            data = data["spec"]
    check_spec(data, source)
    return data


# ---------------------------------------------------------------------- the canonical facts

#: The four domains, in the order of the score columns.
DOMAINS = ("infrastructure", "input", "activity", "outcome")
#: The grade of a firm whose coverage is below the spec's minimum (no index).
NOT_RATED = "NR"


def grades(spec: dict) -> tuple[str, ...]:
    """A spec's grade names, best first.

    >>> grades({"grades": [{"grade": "A", "min_percentile": 50},
    ...                    {"grade": "B", "min_percentile": 0}]})
    ('A', 'B')
    """
    return tuple(g["grade"] for g in spec["grades"])


def domains(spec: dict) -> tuple[str, ...]:
    """A spec's domain names, in its order."""
    return tuple(d["name"] for d in spec["domains"])


def indicator_names(spec: dict) -> tuple[str, ...]:
    """A spec's indicator names, in its order."""
    return tuple(s["name"] for s in spec["indicators"])


def indicator_labels_ko(spec: dict) -> dict[str, str]:
    """English indicator label -> its Korean label (the reasons' texts), and ``""`` -> ``""``
    (no reason).

    >>> indicator_labels_ko({"indicators": [{"label": "patents", "label_ko": "특허"}]})
    {'patents': '특허', '': ''}
    """
    return {**{s["label"]: s["label_ko"] for s in spec["indicators"]}, "": ""}


#: Grade names of the bundled spec, best first.
GRADES = grades(_read_json(model_path(SPEC_FILE)))


# ---------------------------------------------------------------------- the declared schema

def _number(value) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_KINDS: dict[str, tuple[str, Callable[[object], bool]]] = {
    "text": ("a text", lambda v: isinstance(v, str)),
    "name": ("a non-empty text", lambda v: isinstance(v, str) and v.strip() != ""),
    "weight": ("a number, 0 or more", lambda v: _number(v) and v >= 0),
    "positive": ("a number above 0", lambda v: _number(v) and v > 0),
    "number": ("a number", _number),
    "share": ("a number between 0 and 1", lambda v: _number(v) and 0 <= v <= 1),
    "percentile": ("a number between 0 and 100", lambda v: _number(v) and 0 <= v <= 100),
    "count": ("a whole number, 1 or more", lambda v: _whole(v) and v >= 1),
    "points": ("a whole number, 2 or more", lambda v: _whole(v) and v >= 2),
    "direction": ("1 or -1", lambda v: _whole(v) and v in (1, -1)),
    "kind": ("one of field, ratio, growth", lambda v: v in ("field", "ratio", "growth")),
    "transform": ("one of none, log1p, sqrt", lambda v: v in ("none", "log1p", "sqrt")),
    "aggregate": ("one of amean, gmean", lambda v: v in ("amean", "gmean")),
    "method": ("goalposts", lambda v: v == "goalposts"),
    "peer_adjust": ("null, none or ksic_division",
                    lambda v: v is None or v in ("none", "ksic_division")),
    "peer_level": ("ksic_division", lambda v: v == "ksic_division"),
}

# Every key of a spec: key -> (kind, required). A list's items are described by the entry
# "[]" of the list's key (a dict of their keys).
SCHEMA: dict[str, dict[str, tuple[str, bool]]] = {
    "": {"name": ("name", True), "spec_version": ("name", True),
         "description": ("text", False), "domains": ("list", True),
         "indicators": ("list", True), "normalisation": ("table", True),
         "aggregation": ("table", True), "missing": ("table", True), "scale": ("table", True),
         "grades": ("list", True), "not_rated_grade": ("name", True),
         "peers": ("table", True), "reference_quantile_points": ("points", True)},
    "domains[]": {"name": ("name", True), "label_ko": ("text", False),
                  "weight": ("weight", True)},
    "indicators[]": {"name": ("name", True), "domain": ("name", True), "kind": ("kind", True),
                     "field": ("name", False), "numerator": ("name", False),
                     "denominator": ("name", False), "min_denominator": ("number", False),
                     "min_base": ("number", False), "transform": ("transform", True),
                     "direction": ("direction", True), "weight": ("weight", True),
                     "unit": ("text", False), "label": ("text", True),
                     "label_ko": ("text", True)},
    "normalisation": {"method": ("method", False), "peer_adjust": ("peer_adjust", False),
                      "lower_percentile": ("percentile", True),
                      "upper_percentile": ("percentile", True), "scale": ("positive", True)},
    "aggregation": {"within_domain": ("aggregate", True),
                    "across_domains": ("aggregate", True)},
    "missing": {"rule": ("text", False), "min_coverage": ("share", True)},
    "scale": {"mean": ("number", True), "sd": ("positive", True)},
    "grades[]": {"grade": ("name", True), "min_percentile": ("percentile", True)},
    "peers": {"level": ("peer_level", False), "min_size": ("count", True),
              "quantile_points": ("points", True)},
}
# the source fields each kind of indicator needs
_SOURCES = {"field": ("field",), "ratio": ("numerator", "denominator"), "growth": ("field",)}


def check_spec(spec: dict, source: str = "spec") -> None:
    """Check a specification against :data:`SCHEMA` and its cross-references; raise one
    :class:`~ktop_index.errors.SpecError` listing every problem on one line, as call files do
    (``{source}: {key}: expected {what is allowed}, got {value}``, or ``{source}: 3 problems:
    ...; ...; ...``); its ``problems`` holds one line per problem.

    Beyond each key's type: indicator and domain names (and indicator labels) unique, every
    indicator's domain declared, the source fields of its kind present, some domain weighted
    above 0, the lower goalpost percentile below the upper, grade names unique and their
    percentiles falling (best first), the not-rated grade not one of them.
    """
    problems: list[str] = []
    if not isinstance(spec, dict):
        problems.append(f"expected a JSON object of the spec's keys, got {_shown(spec)}")
    else:
        _check_table(spec, "", "", problems)
        _check_references(spec, problems)
    if problems:
        head = f"{source}: " + (f"{len(problems)} problems: " if len(problems) > 1 else "")
        error = SpecError(head + "; ".join(problems))
        error.problems = [f"{source}: {p}" for p in problems]
        raise error


def _shown(value) -> str:
    text = json.dumps(value, ensure_ascii=False) if _jsonable(value) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _jsonable(value) -> bool:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return False
    return True


def _check_table(table, schema_key: str, where: str, problems: list[str]) -> None:
    """The keys of one JSON object (``where`` is its path, ``schema_key`` its SCHEMA entry)."""
    keys = SCHEMA[schema_key]
    prefix = f"{where}." if where else ""
    if not isinstance(table, dict):
        problems.append(f"{where}: expected a table of {', '.join(keys)}, got {_shown(table)}")
        return
    for key in table:
        if key not in keys:
            problems.append(f"{prefix}{key}: unknown key (expected one of {', '.join(keys)})")
    for key, (kind, required) in keys.items():
        path = f"{prefix}{key}"
        if key not in table:
            if required:
                problems.append(f"{path}: missing (expected {_expected(kind, key)})")
            continue
        value = table[key]
        if kind == "table":
            _check_table(value, key, path, problems)
        elif kind == "list":
            _check_list(value, key, path, problems)
        elif not _KINDS[kind][1](value):
            problems.append(f"{path}: expected {_KINDS[kind][0]}, got {_shown(value)}")


def _expected(kind: str, key: str) -> str:
    if kind == "table":
        return f"a table of {', '.join(SCHEMA[key])}"
    if kind == "list":
        return f"a list of tables of {', '.join(SCHEMA[key + '[]'])}"
    return _KINDS[kind][0]


def _check_list(items, key: str, path: str, problems: list[str]) -> None:
    if not isinstance(items, list) or not items:
        problems.append(f"{path}: expected {_expected('list', key)} (at least one), "
                        f"got {_shown(items)}")
        return
    for k, item in enumerate(items):
        _check_table(item, key + "[]", f"{path}[{k}]", problems)


def _check_references(spec: dict, problems: list[str]) -> None:
    """What no single key shows: names, cross-references and orders (of the parts whose
    keys are well formed; the others are reported already)."""
    domains_ = _items(spec.get("domains"), "name", "weight")
    indicators = _items(spec.get("indicators"), "name", "domain", "kind")
    grades_ = _items(spec.get("grades"), "grade", "min_percentile")
    _unique(domains_, "domains", "name", problems)
    _unique(indicators, "indicators", "name", problems)
    _unique(grades_, "grades", "grade", problems)
    for key in ("label", "label_ko"):  # the reasons' texts: one per indicator
        _unique(_items(spec.get("indicators"), key), "indicators", key, problems)
    if domains_ and len(domains_) == len(spec["domains"]) and sum(
            d["weight"] for _, d in domains_) <= 0:
        problems.append("domains: expected some domain with a weight above 0, got all 0")
    declared = [d["name"] for _, d in _items(spec.get("domains"), "name")]
    for k, indicator in indicators:
        if declared and indicator["domain"] not in declared:
            problems.append(f"indicators[{k}].domain: expected one of {', '.join(declared)}, "
                            f"got {_shown(indicator['domain'])}")
        for field in _SOURCES.get(indicator["kind"], ()):
            if field not in indicator:
                problems.append(f"indicators[{k}].{field}: missing (expected the field a "
                                f"{indicator['kind']} indicator reads)")
    norm = spec.get("normalisation")
    if _valid(norm, "lower_percentile", "upper_percentile") and (
            norm["lower_percentile"] >= norm["upper_percentile"]):
        problems.append(f"normalisation.lower_percentile: expected below upper_percentile "
                        f"({norm['upper_percentile']}), got {norm['lower_percentile']}")
    for (_, before), (k, grade) in itertools.pairwise(grades_):
        if grade["min_percentile"] >= before["min_percentile"]:
            problems.append(f"grades[{k}].min_percentile: expected below the grade before "
                            f"({before['min_percentile']}: grades best first), got "
                            f"{grade['min_percentile']}")
    if spec.get("not_rated_grade") in [g["grade"] for _, g in grades_]:
        problems.append(f"not_rated_grade: expected a name other than the grades', got "
                        f"{_shown(spec['not_rated_grade'])}")


def _items(items, *keys: str) -> list[tuple[int, dict]]:
    """(position, item) of a list's items whose ``keys`` are all well formed."""
    if not isinstance(items, list):
        return []
    return [(k, item) for k, item in enumerate(items) if _valid(item, *keys)]


def _valid(table, *keys: str) -> bool:
    """Whether ``table`` is a dict holding every one of ``keys`` as the schema allows."""
    if not isinstance(table, dict):
        return False
    kinds = {**SCHEMA["domains[]"], **SCHEMA["indicators[]"], **SCHEMA["grades[]"],
             **SCHEMA["normalisation"]}
    return all(key in table and _KINDS[kinds[key][0]][1](table[key]) for key in keys)


def _unique(items: list[tuple[int, dict]], where: str, key: str, problems: list[str]) -> None:
    seen: set = set()
    for k, item in items:
        if item[key] in seen:
            problems.append(f"{where}[{k}].{key}: expected a text not used before, got "
                            f"{_shown(item[key])}")
        seen.add(item[key])
