"""The Tech-Index: fit once on a reference population, score any firm-year forever after.

:class:`TechIndex` follows the scikit-learn contract. ``__init__`` stores the specification
(the whole method: indicators, domains, transforms, normalisation, weights, missing-data rule,
grade scale — ``models/tech_index_spec.json``); :meth:`TechIndex.fit` learns every
normalisation parameter from the reference population (the rows of one base year) and
:meth:`TechIndex.score` only applies them. So a firm with the same inputs gets the same index
in any year and any batch, and the reference population's mean Tech-Index is 100 with
standard deviation 10 (the spec's ``scale``), like KIBO's base-100 TCI.

The steps, per firm-year:

1. indicators from fields (:mod:`ktop_index.index.indicators`), transformed for skew;
   with the spec's ``normalisation.peer_adjust`` (``"ksic_division"``; the default spec)
   each is measured against the firm's industry: its KSIC division's reference median less
   the whole reference's (the section's where the division has fewer than
   ``peers.min_size`` reference firms; none for an industry not in the reference) is
   subtracted. Industries differ in R&D intensity, margins or pay for reasons that are not
   the firm's capability; out of time this predicts later growth markedly better
   (docs/growth_model.md, section 5);
2. each indicator scored 0-100 between goalposts at reference percentiles (distance to
   goalposts, clipped; COINr ``n_goalposts``);
3. domain scores (0-100): the weighted mean of the indicator scores present, weights
   re-normalised over them (COINr ``a_amean``);
4. ``composite`` (0-100): the weighted mean of the domain scores present;
5. ``tech_index = mean + sd * (composite - mu) / sigma`` with mu, sigma of the reference;
6. ``grade`` from cut-offs at reference percentiles; ``percentile`` in the reference and
   ``industry_percentile`` within the KSIC division (section when the division has too few
   reference firms, the whole reference otherwise);
7. ``coverage``: the share of the total indicator weight that had data; below the spec's
   ``min_coverage`` the firm is *not rated* (grade ``NR``, no index) rather than invented;
8. reasons: each domain's contribution to ``tech_index - 100`` and the two indicators most
   above and most below the firm's industry peers (the reference median of the division);
   never an indicator the model weighs at 0, and the second never from the same field as
   the first (not IP filings and IP filings per employee together).

Example
-------
>>> from ktop_index.synth import generate_panel
>>> panel = generate_panel(n_firms=400, years=(2020, 2022), seed=1)
>>> model = TechIndex().fit(panel, reference_year=2022)
>>> scores = model.score(panel[panel["year"] == 2022])
>>> round(float(scores.loc[scores["coverage"] >= 0.6, "tech_index"].mean()), 6)
100.0
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from ktop_index import __version__
from ktop_index.data.io import _atomic
from ktop_index.index.composite import a_amean, a_gmean, n_goalposts
from ktop_index.index.indicators import (
    indicator_values,
    previous_year_fields,
    source_fields,
    transform,
)

MODEL_FORMAT = "ktop_index.tech_index_model"
MODEL_FORMAT_VERSION = 2  # 2: industry shifts (value_offsets); files without them stay 1
DOMAINS_OUT = ("infrastructure", "input", "activity", "outcome")
SCORE_COLUMNS = ("infrastructure", "input", "activity", "outcome", "composite", "tech_index",
                 "grade", "percentile", "industry_percentile", "coverage")

from ktop_index.labels import SCORE_COLUMNS_KO as OUTPUT_LABELS_KO

_BLOCK_ROWS = 32_768  # rows per block of the reason search
_REPO_MODELS = Path(__file__).resolve().parents[2] / "models"


@dataclass(frozen=True)
class _Coded:
    """A text column as positions in a short list of labels (grade, reasons)."""

    codes: np.ndarray
    labels: list[str]


def _frame_of(columns: dict, index: pd.Index) -> pd.DataFrame:
    """Score columns as :meth:`TechIndex.score` returns them: floats, the grade as text,
    reasons as categoricals (one copy of each label, not a million strings)."""
    out = {}
    for name, column in columns.items():
        if isinstance(column, _Coded) and name == "grade":
            out[name] = np.array(column.labels, dtype=object)[column.codes]
        elif isinstance(column, _Coded):
            out[name] = pd.Categorical.from_codes(column.codes, categories=column.labels)
        else:
            out[name] = column
    return pd.DataFrame(out, index=index)


def _arrow_of(columns: dict) -> dict[str, pa.Array]:
    """Score columns as pyarrow arrays holding what :func:`_frame_of`'s frame converts to:
    NaN as null, grade and reasons as dictionaries of their labels."""
    out = {}
    for name, column in columns.items():
        if isinstance(column, _Coded):
            out[name] = pa.DictionaryArray.from_arrays(pa.array(column.codes),
                                                       pa.array(column.labels))
        else:
            out[name] = _float_array(column)
    return out


def _float_array(values: np.ndarray) -> pa.Array:
    """float64 as a pyarrow array with NaN as null, as pandas converts it; built from numpy's
    buffers (pyarrow's own conversion takes twice as long, holding Python's lock)."""
    values = np.ascontiguousarray(values, dtype=np.float64)
    missing = np.isnan(values)
    count = int(missing.sum())
    valid = pa.py_buffer(np.packbits(~missing, bitorder="little")) if count else None
    return pa.Array.from_buffers(pa.float64(), len(values), [valid, pa.py_buffer(values)],
                                 null_count=count)


def model_path(name: str) -> Path:
    """A bundled file of ``models/`` (the repository's, or the installed package's copy)."""
    local = _REPO_MODELS / name
    if local.exists():
        return local
    bundled = resources.files("ktop_index.bundled_models").joinpath(name)
    return Path(str(bundled))


def load_spec(spec: dict | str | os.PathLike | None = None) -> dict:
    """The index specification: a dict, a JSON file, or the bundled default when None."""
    if spec is None:
        spec = model_path("tech_index_spec.json")
    if isinstance(spec, dict):
        return json.loads(json.dumps(spec))  # a private copy
    with open(spec, encoding="utf-8") as handle:
        data = json.load(handle)
    return data["spec"] if data.get("format") == MODEL_FORMAT else data


def data_hash(frame: pd.DataFrame) -> str:
    """sha256 of the contract columns' values, independent of file format and dtypes.

    Numbers (plain or nullable, int or float) hash as float64; text as text; missing as
    missing. Columns outside the contract are left out.
    """
    from ktop_index.data.contract import FIELDS

    digest = hashlib.sha256()
    for name in [f.name for f in FIELDS if f.name in frame]:
        column = frame[name]
        if pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_bool_dtype(column):
            values = column.to_numpy(dtype="float64", na_value=np.nan)
        else:
            values = column.astype(object).where(column.notna(), None).to_numpy()
        digest.update(name.encode("utf-8"))
        digest.update(pd.util.hash_array(values, categorize=False).tobytes())
    return digest.hexdigest()


class TechIndex:
    """The Tech-Index of a specification, fitted on a reference population.

    Parameters
    ----------
    spec : dict, path or None
        The method (``models/tech_index_spec.json`` when None).
    reference_year : int or None
        The base year whose rows form the reference population; the latest year when None.

    Attributes (after ``fit``)
    --------------------------
    goalposts_ : dict, indicator -> (lower, upper) in transformed units
    composite_mean_, composite_sd_ : float, the reference composite's mean and sd (0-100 units)
    domain_means_ : dict, domain -> reference mean score (0-100)
    grade_cutoffs_ : list of (grade, minimum tech_index)
    percentile_table_ : (values, percents) of the reference Tech-Index
    industry_tables_ : dict, division or section -> (values, percents)
    peer_medians_ : dict, division or section or '*' -> indicator -> median score
    value_offsets_ : dict, division or section -> shift of each indicator (transformed units),
        subtracted before the goalposts when the spec's ``normalisation.peer_adjust`` is set
        (empty otherwise)
    reference_ : dict, year, rows, data hash, history of rebasing

    Missing values: an indicator without data drops out and the weights of the others in its
    domain are re-normalised; a domain without any drops out likewise; a firm whose coverage is
    below ``spec['missing']['min_coverage']`` is not rated.
    """

    def __init__(self, spec: dict | str | os.PathLike | None = None,
                 reference_year: int | None = None):
        self.spec = spec
        self.reference_year = reference_year

    # ------------------------------------------------------------------ fitting
    def fit(self, frame: pd.DataFrame, reference_year: int | None = None) -> TechIndex:
        """Learn the normalisation from the reference population (rows of the base year).

        ``frame`` may hold other years too: the previous year feeds growth indicators.
        """
        self.spec_ = load_spec(self.spec)
        for domain in self._domain_names():
            if sum(s["weight"] for s in self._indicators() if s["domain"] == domain) <= 0:
                raise ValueError(f"domain '{domain}': its indicators' weights sum to 0 (expected "
                                 "a positive sum; remove the domain from the spec to leave it "
                                 "out)")
        year = reference_year or self.reference_year or int(frame["year"].max())
        is_ref = (frame["year"] == year).to_numpy()
        if is_ref.sum() < 30:
            raise ValueError(f"reference year {year} has {int(is_ref.sum())} firm-years "
                             "(expected at least 30 to fit the index)")
        values = self._transformed(frame)[is_ref]
        ref_ksic = _ksic_of(frame.loc[is_ref])
        self._fit_offsets(values, ref_ksic)
        values = self._peer_adjusted(values, self._offset_positions(ref_ksic, len(values)))
        self._fit_goalposts(values)
        scores = self._indicator_scores(values)
        domains, coverage = self._domain_scores(scores)
        composite = self._composite(domains)
        rated = coverage >= self.spec_["missing"]["min_coverage"]
        if rated.sum() < 2:
            raise ValueError(f"reference year {year}: {int(rated.sum())} firm-years rated "
                             "(expected most: check that the data has the spec's fields)")
        self.composite_mean_ = float(np.mean(composite[rated]))
        self.composite_sd_ = float(np.std(composite[rated]))
        self.domain_means_ = {d: float(np.nanmean(domains[rated, k]))
                              for k, d in enumerate(self._domain_names())}
        tech = self._tech_index(composite)[rated]
        groups = _peer_groups(ref_ksic[rated]) if ref_ksic is not None else {}
        self._fit_percentiles(tech, groups)
        self._fit_peers(scores[rated], groups)
        previous = getattr(self, "reference_", None)
        history = list(previous["history"]) if previous else []
        digest = data_hash(frame.loc[is_ref])
        self.reference_ = {
            "year": int(year), "rows": int(is_ref.sum()), "rated_rows": int(rated.sum()),
            "data_sha256": digest,
            "history": history + [{"year": int(year), "data_sha256": digest}],
        }
        return self

    def _indicators(self) -> list[dict]:
        return self.spec_["indicators"]

    def _domain_names(self) -> list[str]:
        return [d["name"] for d in self.spec_["domains"]]

    def _transformed(self, frame: pd.DataFrame, previous: dict | None = None) -> np.ndarray:
        if previous is None:
            previous = previous_year_fields(frame, self._indicators())
        return self._transform(source_fields(frame, self._indicators()), previous, len(frame))

    def _transform(self, fields: dict, previous: dict, rows: int) -> np.ndarray:
        """Transformed, direction-signed indicator values (rows x indicators) from field arrays."""
        raw = indicator_values(fields, self._indicators(), previous)
        return np.column_stack(
            [transform(raw[s["name"]], s["transform"]) * s["direction"]
             for s in self._indicators()]).reshape(rows, len(self._indicators()))

    def _fit_offsets(self, values: np.ndarray, ksic: np.ndarray | None) -> None:
        """With ``normalisation.peer_adjust`` set, each industry's shift of every indicator:
        its reference median minus the whole reference's (transformed units), for the KSIC
        divisions and sections with at least ``peers.min_size`` reference firms.

        Scoring subtracts the shift, so a firm is measured against firms of its own industry:
        a biotech firm's R&D intensity is not counted as capability merely for being biotech
        (industry differences in these ratios are large and say little about the firm).
        """
        self.value_offsets_ = {}
        if self.spec_["normalisation"].get("peer_adjust") in (None, "none") or ksic is None:
            return
        overall = np.array(_nanmedian(values, default=np.nan))
        for group, members in _peer_groups(ksic).items():
            if members.sum() >= self.spec_["peers"]["min_size"]:
                shift = np.array(_nanmedian(values[members], default=np.nan)) - overall
                self.value_offsets_[group] = [float(v) for v in np.nan_to_num(shift)]

    def _offset_positions(self, ksic, rows: int) -> np.ndarray:
        """Each row's position in ``value_offsets_`` (-1: no shift)."""
        ksic = None if ksic is None else pd.Series(ksic, dtype="str")
        return _peer_index(ksic, list(self.value_offsets_), rows)

    def unadjusted_rows(self, frame: pd.DataFrame) -> int:
        """How many rows a model that adjusts for industry measures against the whole reference
        instead: no KSIC code, or an industry without enough reference firms (0 when the
        model does not adjust)."""
        self._check_fitted()
        if not self.value_offsets_:
            return 0
        ksic = _ksic_of(frame)
        return int((self._offset_positions(ksic, len(frame)) < 0).sum())

    def _peer_adjusted(self, values: np.ndarray, positions: np.ndarray) -> np.ndarray:
        """Transformed values less their industry's shift (see :meth:`_fit_offsets`)."""
        if not self.value_offsets_:
            return values
        shifts = np.vstack([np.array(list(self.value_offsets_.values())),
                            np.zeros((1, values.shape[1]))])
        return values - shifts[positions]  # position -1 picks the trailing zero row

    def _fit_goalposts(self, values: np.ndarray) -> None:
        norm = self.spec_["normalisation"]
        low_p, high_p = norm["lower_percentile"], norm["upper_percentile"]
        self.goalposts_ = {}
        for j, spec in enumerate(self._indicators()):
            column = values[:, j][~np.isnan(values[:, j])]
            if column.size == 0:
                raise ValueError(f"indicator '{spec['name']}' has no data in the reference "
                                 "population (expected some firms with its fields)")
            low, high = np.percentile(column, [low_p, high_p])
            if high <= low:  # a zero-inflated indicator: use the maximum as the upper post
                high = column.max() if column.max() > low else low + 1.0
            self.goalposts_[spec["name"]] = (float(low), float(high))

    def _indicator_scores(self, values: np.ndarray) -> np.ndarray:
        posts = np.array([self.goalposts_[s["name"]] for s in self._indicators()])
        scale = np.full(len(posts), float(self.spec_["normalisation"]["scale"]))
        return n_goalposts(values.copy(), posts[:, 0], posts[:, 1], scale,
                           np.ones(len(posts), dtype=bool))

    def _domain_scores(self, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Domain scores (rows x domains) and coverage (share of total weight with data)."""
        aggregate = a_gmean if self.spec_["aggregation"]["within_domain"] == "gmean" else a_amean
        domains = np.empty((len(scores), len(self.spec_["domains"])))
        coverage = np.zeros(len(scores))
        for k, domain in enumerate(self.spec_["domains"]):
            idx = [j for j, s in enumerate(self._indicators()) if s["domain"] == domain["name"]]
            weights = np.array([self._indicators()[j]["weight"] for j in idx], dtype=float)
            block = scores[:, idx]
            domains[:, k] = aggregate(block, weights)
            present = (~np.isnan(block)) @ weights / weights.sum()
            coverage += self._domain_weights()[k] * present
        return domains, coverage

    def _domain_weights(self) -> np.ndarray:
        weights = np.array([d["weight"] for d in self.spec_["domains"]], dtype=float)
        return weights / weights.sum()

    def _composite(self, domains: np.ndarray) -> np.ndarray:
        aggregate = a_gmean if self.spec_["aggregation"]["across_domains"] == "gmean" else a_amean
        return aggregate(domains, self._domain_weights())

    def _tech_index(self, composite: np.ndarray) -> np.ndarray:
        scale = self.spec_["scale"]
        return scale["mean"] + scale["sd"] * (composite - self.composite_mean_) / self.composite_sd_

    def _fit_percentiles(self, tech: np.ndarray, groups: dict[str, np.ndarray]) -> None:
        points = int(self.spec_["reference_quantile_points"])
        self.percentile_table_ = _quantile_table(tech, points)
        self.grade_cutoffs_ = [
            (g["grade"], float(np.percentile(tech, g["min_percentile"])) if g["min_percentile"]
             else -np.inf) for g in self.spec_["grades"]]
        peers = self.spec_["peers"]
        self.industry_tables_ = {
            group: _quantile_table(tech[members], int(peers["quantile_points"]))
            for group, members in groups.items() if members.sum() >= peers["min_size"]}

    def _fit_peers(self, scores: np.ndarray, groups: dict[str, np.ndarray]) -> None:
        names = [s["name"] for s in self._indicators()]
        self.peer_medians_ = {"*": dict(zip(names, _nanmedian(scores)))}
        for group, members in groups.items():
            if members.sum() >= self.spec_["peers"]["min_size"]:
                self.peer_medians_[group] = dict(zip(names, _nanmedian(scores[members])))

    # ------------------------------------------------------------------ scoring
    def score(self, frame: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
        """Score firm-years; returns one row per input row (same index) with the score columns.

        Parameters
        ----------
        frame : validated firm-year rows (contract names; money in KRW thousand).
        lang : 'en' or 'ko', the language of the reason texts.
        """
        self._check_fitted()
        columns = self._score_columns(self._transformed(frame), self._peer_positions(frame), lang)
        return _frame_of(columns, frame.index)

    def score_blocks(self, frame: pd.DataFrame, lang: str = "en", rows: int = 131_072,
                     workers: int = 1) -> Iterator[pd.DataFrame]:
        """The scores of ``frame`` in consecutive blocks of ``rows`` rows, as :meth:`score`
        gives them, in order; a writer can write one block while others are scored.

        A growth indicator needs the firm's previous year, wherever it is in the file: those
        values are looked up on the whole frame first, the rest is done block by block, by
        ``workers`` threads (numpy works outside Python's lock, so two cores score twice as
        fast).
        """
        for start, columns in self._column_blocks(frame, lang, rows, workers):
            yield _frame_of(columns, frame.index[start:start + rows])

    def _column_blocks(self, frame: pd.DataFrame, lang: str, rows: int, workers: int,
                       finish=None) -> Iterator[tuple[int, dict]]:
        """(first row, score columns) of consecutive blocks; see :meth:`score_blocks`.
        ``finish``, if given, converts a block's columns in the worker thread.

        Everything that reads the frame (fields, previous years, peer groups) is taken out of
        it once, as numpy arrays: a block is then slices of arrays and numpy alone, which runs
        outside Python's lock while other threads format what is done.
        """
        self._check_fitted()
        fields = source_fields(frame, self._indicators())
        previous = previous_year_fields(frame, self._indicators())
        peers = self._peer_positions(frame)

        def one(start: int) -> tuple[int, dict]:
            block = slice(start, start + rows)
            values = self._transform({f: v[block] for f, v in fields.items()},
                                     {f: v[block] for f, v in previous.items()},
                                     len(frame.index[block]))
            columns = self._score_columns(values, tuple(p[block] for p in peers), lang)
            return start, columns if finish is None else finish(columns)

        starts = range(0, max(len(frame), 1), rows)
        if workers <= 1 or len(starts) == 1:
            yield from map(one, starts)
        else:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                yield from pool.map(one, starts)

    def _peer_positions(self, frame: pd.DataFrame) -> tuple[np.ndarray, ...]:
        """Each row's group among ``industry_tables_`` (-1: the whole reference), among
        ``peer_medians_`` (0: the whole reference '*') and among ``value_offsets_`` (-1: none),
        from its KSIC code."""
        ksic = frame["ksic"].astype("str") if "ksic" in frame else None
        industry = _peer_index(ksic, list(self.industry_tables_), len(frame))
        medians = _peer_index(ksic, [g for g in self.peer_medians_ if g != "*"], len(frame)) + 1
        return industry, medians, self._offset_positions(ksic, len(frame))

    def _score_columns(self, values: np.ndarray, peers: tuple[np.ndarray, ...],
                       lang: str) -> dict:
        """The score columns of rows with transformed ``values`` and :meth:`_peer_positions`:
        float arrays, and :class:`_Coded` text (grade, reasons)."""
        scores = self._indicator_scores(self._peer_adjusted(values, peers[2]))
        domains, coverage = self._domain_scores(scores)
        composite = self._composite(domains)
        rated = coverage >= self.spec_["missing"]["min_coverage"]
        tech = np.where(rated, self._tech_index(composite), np.nan)
        percentile = np.interp(tech, *self.percentile_table_)  # NaN where not rated
        out = {name: domains[:, k] for k, name in enumerate(self._domain_names())}
        out["composite"] = np.where(rated, composite, np.nan)
        out["tech_index"] = tech
        out["grade"] = _Coded(self._grade_codes(tech), self._grade_labels())
        out["percentile"] = percentile
        out["industry_percentile"] = self._industry_percentiles(tech, peers[0], percentile)
        out["coverage"] = coverage
        out.update(self._contributions(domains, rated))
        out.update(self._reasons(scores, peers[1], lang))
        return out

    def components(self, frame: pd.DataFrame) -> dict:
        """The intermediate steps of scoring, for analyses that recombine them.

        Returns a dict of numpy arrays, one row per input row:
        ``values`` (rows x indicators: transformed, direction-signed indicator values, less
        their industry's shift when the spec adjusts for peers, in the spec's order),
        ``scores`` (rows x indicators, 0-100 between the fitted goalposts, NaN where missing),
        ``domains`` (rows x domains, 0-100), ``coverage`` (0-1) and ``rated``
        (bool: coverage at least the spec's minimum). Names are in ``indicator_names`` and
        ``domain_names``.
        """
        self._check_fitted()
        ksic = _ksic_of(frame)
        values = self._peer_adjusted(self._transformed(frame),
                                     self._offset_positions(ksic, len(frame)))
        scores = self._indicator_scores(values)
        domains, coverage = self._domain_scores(scores)
        return {"values": values, "scores": scores, "domains": domains, "coverage": coverage,
                "rated": coverage >= self.spec_["missing"]["min_coverage"],
                "indicator_names": [s["name"] for s in self._indicators()],
                "domain_names": self._domain_names()}

    def _check_fitted(self) -> None:
        if not hasattr(self, "goalposts_"):
            raise ValueError("this TechIndex is not fitted yet: call fit() or load a model file")

    def _grades(self, tech: np.ndarray) -> np.ndarray:
        """The grade of each Tech-Index (object array of labels; not rated where NaN)."""
        return np.array(self._grade_labels(), dtype=object)[self._grade_codes(tech)]

    def _grade_labels(self) -> list[str]:
        return [g for g, _ in self.grade_cutoffs_] + [self.spec_["not_rated_grade"]]

    def _grade_codes(self, tech: np.ndarray) -> np.ndarray:
        """Positions in :meth:`_grade_labels`: the first grade whose cut-off is reached."""
        cutoffs = np.array([c for _, c in self.grade_cutoffs_])  # descending
        position = (tech[:, None] < cutoffs[None, :]).sum(axis=1)  # cut-offs not reached
        position = np.minimum(position, len(cutoffs) - 1)
        return np.where(np.isnan(tech), len(cutoffs), position)

    def _industry_percentiles(self, tech: np.ndarray, index: np.ndarray,
                              overall: np.ndarray) -> np.ndarray:
        """Percentile within the division's reference; the section's where the division has
        too few reference firms; the whole reference's (``overall``) where both have.
        ``index`` is the row's position in ``industry_tables_`` (-1: none)."""
        groups = list(self.industry_tables_)
        result = overall.copy()
        order = np.argsort(index, kind="stable")
        bounds = np.searchsorted(index[order], np.arange(len(groups) + 1))
        for k, group in enumerate(groups):
            members = order[bounds[k]:bounds[k + 1]]
            if members.size:
                result[members] = np.interp(tech[members], *self.industry_tables_[group])
        return result

    def _contributions(self, domains: np.ndarray, rated: np.ndarray) -> dict:
        """Each domain's share of ``tech_index - 100``, in index points."""
        weights = np.where(np.isnan(domains), 0.0, self._domain_weights())
        with np.errstate(invalid="ignore", divide="ignore"):
            weights = weights / weights.sum(axis=1, keepdims=True)
        factor = self.spec_["scale"]["sd"] / self.composite_sd_
        means = np.array([self.domain_means_[d] for d in self._domain_names()])
        part = factor * weights * (domains - means)
        part[~rated] = np.nan
        return {f"contrib_{d}": part[:, k] for k, d in enumerate(self._domain_names())}

    def _reasons(self, scores: np.ndarray, peer: np.ndarray, lang: str) -> dict:
        """The two indicators most above and most below the industry peers' median, the second
        from another field than the first (see ``kin``); ``peer`` is the row's position in
        ``peer_medians_`` (0: the whole reference)."""
        names = [s["name"] for s in self._indicators()]
        # an indicator the index gives no weight cannot explain a firm's index: search the
        # others only (``loud``, positions in the spec)
        domain_weight = dict(zip(self._domain_names(), self._domain_weights(), strict=True))
        loud = np.array([j for j, s in enumerate(self._indicators())
                         if s["weight"] * domain_weight[s["domain"]] > 0], dtype=np.int64)
        groups = ["*"] + [g for g in self.peer_medians_ if g != "*"]
        table = np.array([[self.peer_medians_[g][names[j]] for j in loud] for g in groups])
        # two reasons never rest on one count: IP filings and IP filings per employee (or R&D
        # spending and R&D intensity) would tell the firm the same thing twice
        source = [self._indicators()[j].get("field", self._indicators()[j].get("numerator"))
                  for j in loud]
        kin = [[k for k, b in enumerate(source) if b == a] for a in source]  # j among them
        width = max((len(k) for k in kin), default=1)
        kin = np.array([k + [k[0]] * (width - len(k)) for k in kin], dtype=np.int64).reshape(
            len(kin), width)
        position = np.append(loud, len(names))  # back to the spec; last: no reason
        codes = {f"{p}_{r}": np.full(len(scores), len(names), dtype=np.int64)
                 for p in ("strength", "weakness") for r in (1, 2)}
        # in blocks that stay in cache: a million rows at once spends its time moving memory
        for start in range(0, len(scores) if len(loud) else 0, _BLOCK_ROWS):
            rows = slice(start, start + _BLOCK_ROWS)
            gap = scores[rows][:, loud] - table[peer[rows]]
            missing = np.isnan(gap)
            for prefix, values in (("strength", gap), ("weakness", -gap)):
                values[missing] = -np.inf
                for rank in (1, 2):  # two passes of argmax beat a full sort of every row
                    best = np.argmax(values, axis=1)
                    chosen = np.take_along_axis(values, best[:, None], axis=1)[:, 0]
                    codes[f"{prefix}_{rank}"][rows] = position[np.where(chosen > 0, best,
                                                                        len(loud))]
                    if rank == 1:  # shut out the chosen indicator and its kin
                        np.put_along_axis(values, kin[best], -np.inf, axis=1)
        labels = [s["label_ko" if lang == "ko" else "label"] for s in self._indicators()] + [""]
        return {key: _Coded(value, labels) for key, value in codes.items()}

    # ------------------------------------------------------------------ persistence
    def to_dict(self) -> dict:
        """Everything needed to score, as plain JSON-ready data."""
        self._check_fitted()
        data = {
            "format": MODEL_FORMAT,
            "format_version": MODEL_FORMAT_VERSION if self.value_offsets_ else 1,
            "package_version": __version__,
            "spec": self.spec_,
            "reference": self.reference_,
            "fitted": {
                "goalposts": {k: list(v) for k, v in self.goalposts_.items()},
                "composite_mean": self.composite_mean_, "composite_sd": self.composite_sd_,
                "domain_means": self.domain_means_,
                "grade_cutoffs": [[g, None if np.isinf(c) else c] for g, c in self.grade_cutoffs_],
                "percentile_table": [list(a) for a in self.percentile_table_],
                "industry_tables": {k: [list(a) for a in v]
                                    for k, v in self.industry_tables_.items()},
                "peer_medians": self.peer_medians_,
                **({"value_offsets": self.value_offsets_} if self.value_offsets_ else {}),
            },
        }
        if getattr(self, "growth_", None):  # a growth-fitted model (ktop_index.growth.model)
            data["growth"] = self.growth_
        return data

    @classmethod
    def from_dict(cls, data: dict) -> TechIndex:
        """Rebuild a fitted index from :meth:`to_dict` output (no code is executed)."""
        if data.get("format") != MODEL_FORMAT:
            raise ValueError(f"not a ktop_index model (format '{data.get('format')}', expected "
                             f"'{MODEL_FORMAT}')")
        if data.get("format_version", 0) > MODEL_FORMAT_VERSION:
            raise ValueError(f"model format version {data['format_version']} is newer than this "
                             f"ktop_index reads ({MODEL_FORMAT_VERSION}); upgrade ktop_index")
        fitted = data["fitted"]
        model = cls(spec=data["spec"], reference_year=data["reference"]["year"])
        model.spec_ = data["spec"]
        model.reference_ = data["reference"]
        model.goalposts_ = {k: tuple(v) for k, v in fitted["goalposts"].items()}
        model.composite_mean_ = fitted["composite_mean"]
        model.composite_sd_ = fitted["composite_sd"]
        model.domain_means_ = fitted["domain_means"]
        model.grade_cutoffs_ = [(g, -np.inf if c is None else c)
                                for g, c in fitted["grade_cutoffs"]]
        model.percentile_table_ = tuple(np.array(a) for a in fitted["percentile_table"])
        model.industry_tables_ = {k: tuple(np.array(a) for a in v)
                                  for k, v in fitted["industry_tables"].items()}
        model.peer_medians_ = fitted["peer_medians"]
        model.value_offsets_ = fitted.get("value_offsets", {})
        if "growth" in data:  # kept as plain data: weights, metrics, training record
            model.growth_ = data["growth"]
        return model

    def save(self, path: str | os.PathLike) -> None:
        """Write the model as readable JSON, atomically; same model, same bytes."""
        text = json.dumps(self.to_dict(), ensure_ascii=False, indent=1, allow_nan=False)
        _atomic(Path(path), lambda tmp: Path(tmp).write_text(text + "\n", encoding="utf-8"))

    @classmethod
    def load(cls, path: str | os.PathLike | None = None) -> TechIndex:
        """Load a model file; the bundled default model when ``path`` is None."""
        path = model_path("default.json") if path is None else Path(path)
        try:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}: not a JSON model file (line {exc.lineno}: {exc.msg})") \
                from None
        return cls.from_dict(data)


# ---------------------------------------------------------------------- helpers

def _quantile_table(values: np.ndarray, points: int) -> tuple[np.ndarray, np.ndarray]:
    """(values, percents) for ``np.interp``: quantiles with ties collapsed to their mean percent."""
    percents = np.linspace(0.0, 100.0, points)
    quantiles = np.percentile(values, percents)
    unique, inverse = np.unique(quantiles, return_inverse=True)
    mean_percent = np.bincount(inverse, weights=percents) / np.bincount(inverse)
    return unique, mean_percent


def _ksic_of(frame: pd.DataFrame) -> np.ndarray | None:
    """The frame's KSIC codes, None when it has no such column."""
    return frame["ksic"].to_numpy() if "ksic" in frame else None


def _nanmedian(scores: np.ndarray, default: float = 50.0) -> list[float]:
    medians = []
    for j in range(scores.shape[1]):
        column = scores[:, j][~np.isnan(scores[:, j])]
        medians.append(float(np.median(column)) if column.size else default)
    return medians


def _division_and_section(ksic: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """KSIC division (2 digits) and section letter of each code ('' when unknown)."""
    from ktop_index.data.validate import ksic_divisions

    codes = pd.Series(ksic, dtype="str").fillna("")
    division = codes.str.slice(0, 2)
    section = division.map(ksic_divisions()).fillna("")
    return division.to_numpy(dtype=object), section.to_numpy(dtype=object)


def _peer_index(ksic, groups: list[str], n: int) -> np.ndarray:
    """Each row's peer group as a position in ``groups``: its division if listed, else its
    section if listed, else -1 (the whole reference). Works on the distinct codes only."""
    if ksic is None or not groups:
        return np.full(n, -1, dtype=np.int64)
    codes, uniques = pd.factorize(pd.Series(ksic, dtype="str"), use_na_sentinel=True)
    division, section = _division_and_section(np.asarray(uniques, dtype=object))
    position = {g: k for k, g in enumerate(groups)}
    per_unique = np.array([position.get(d, position.get(s, -1))
                           for d, s in zip(division, section)] + [-1], dtype=np.int64)
    return per_unique[codes]  # code -1 (missing ksic) picks the trailing -1


def _peer_groups(ksic: np.ndarray) -> dict[str, np.ndarray]:
    """Membership masks of every KSIC division and section present."""
    division, section = _division_and_section(ksic)
    groups = {}
    for key in (division, section):
        for value in sorted(set(key) - {""}):
            groups[value] = key == value
    return groups


IDENTITY_COLUMNS = ("firm_id", "brn", "firm_name", "year", "ksic", "region")


def score_firms(frame: pd.DataFrame, model: TechIndex | str | os.PathLike | None = None,
                lang: str = "en") -> pd.DataFrame:
    """Score validated firm-years with a model (the bundled default when None).

    Returns the identity columns followed by the score columns, in English names, or Korean
    labels when ``lang='ko'``.

    >>> from ktop_index.data.validate import read_firms                          # doctest: +SKIP
    >>> scored = score_firms(read_firms("data/jeju_2025_applicants.xlsx"))  # doctest: +SKIP
    """
    if not isinstance(model, TechIndex):
        model = TechIndex.load(model)
    return _with_identity(frame, model.score(frame, lang=lang), lang)


def score_firms_blocks(frame: pd.DataFrame, model: TechIndex | str | os.PathLike | None = None,
                       lang: str = "en", rows: int = 131_072,
                       workers: int = 1) -> Iterator[pd.DataFrame]:
    """:func:`score_firms` in consecutive blocks of ``rows`` rows, for streaming a large file
    to disk (:func:`ktop_index.io.write_csv_blocks`); the same rows, columns and numbers."""
    if not isinstance(model, TechIndex):
        model = TechIndex.load(model)
    start = 0
    for scores in model.score_blocks(frame, lang=lang, rows=rows, workers=workers):
        yield _with_identity(frame.iloc[start:start + len(scores)], scores, lang)
        start += len(scores)


def score_firms_tables(frame: pd.DataFrame, model: TechIndex | str | os.PathLike | None = None,
                       lang: str = "en", rows: int = 32_768,
                       workers: int = 1) -> Iterator[pa.Table]:
    """:func:`score_firms_blocks` as pyarrow Tables, for :func:`ktop_index.io.write_csv_blocks`:
    the same columns and values (NaN as null; grade and reasons as dictionaries), without a
    pandas frame per block. Blocks are small so that numpy's temporaries are reused rather
    than handed back to the system and faulted in again (a third of the time at 131,072 rows).

    >>> from ktop_index.data.io import write_csv_blocks                                # doctest: +SKIP
    >>> write_csv_blocks(score_firms_tables(frame, workers=2), "scored.csv")      # doctest: +SKIP
    """
    if not isinstance(model, TechIndex):
        model = TechIndex.load(model)
    identity = frame[[c for c in IDENTITY_COLUMNS if c in frame]]
    identity.attrs = {}  # validate's row numbers: arrow would try to store them as metadata
    identity = pa.Table.from_pandas(identity, preserve_index=False)
    names = _output_names(lang)
    for start, scores in model._column_blocks(frame, lang, rows, workers, finish=_arrow_of):
        part = identity.slice(start, len(scores["coverage"]))
        arrays = list(part.columns) + list(scores.values())
        yield pa.table(arrays, names=[names.get(c, c) for c in part.column_names + list(scores)])


def _output_names(lang: str) -> dict[str, str]:
    """Output column names in ``lang`` (only Korean renames)."""
    if lang != "ko":
        return {}
    from ktop_index.data.contract import FIELD_BY_NAME
    return {**{c: FIELD_BY_NAME[c].label_ko for c in IDENTITY_COLUMNS}, **OUTPUT_LABELS_KO}


def _with_identity(frame: pd.DataFrame, scores: pd.DataFrame, lang: str) -> pd.DataFrame:
    identity = frame[[c for c in IDENTITY_COLUMNS if c in frame]]
    result = pd.concat([identity, scores], axis=1)
    if lang == "ko":
        result = result.rename(columns=_output_names(lang))
    return result
