"""The Tech-Index: fit once on a reference population, score any firm-year forever after.

:class:`TechIndex` is a scikit-learn estimator. ``__init__`` stores the specification (the
whole method: indicators, domains, transforms, normalisation, weights, missing-data rule, grade
scale — ``models/tech_index_spec.json``, see :mod:`ktop_index.index.spec`);
:meth:`TechIndex.fit` learns every normalisation parameter from the reference population (the
rows of one base year) and :meth:`TechIndex.transform` only applies them. So a firm with the
same inputs gets the same index in any year and any batch, and the reference population's mean
Tech-Index is 100 with standard deviation 10 (the spec's ``scale``), like KIBO's base-100 TCI.

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
8. reasons (:mod:`ktop_index.index.explain`): each domain's contribution to
   ``tech_index - 100`` and the two indicators most above and most below the firm's industry
   peers (the reference median of the division).

Beside the class, one function scores a frame (:func:`score_firms`) and one streams a file
to a file (:func:`score_file`, the ``ktop score`` command).

Example
-------
>>> from ktop_index.synth import generate_panel
>>> panel = generate_panel(n_firms=400, years=(2020, 2022), seed=1)
>>> model = TechIndex(reference_year=2022).fit(panel)
>>> scores = model.transform(panel)[panel["year"] == 2022]  # 2021 feeds the growth indicators
>>> round(float(scores.loc[scores["coverage"] >= 0.6, "tech_index"].mean()), 6)
100.0
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from ktop_index import __version__, _files
from ktop_index.errors import DataError, SpecError
from ktop_index.index._estimator import Estimator, check_fitted
from ktop_index.index.composite import (
    a_amean,
    a_gmean,
    amean_weighed,
    n_goalposts,
    row_sums,
)
from ktop_index.index.explain import (
    peer_groups,
    peer_index,
    peer_indices,
    reason_codes,
    reason_labels,
)
from ktop_index.index.indicators import (
    indicator_values,
    previous_year_fields,
    source_fields,
    transform,
)
from ktop_index.index.spec import (
    DOMAINS,
    MODEL_FILE,
    MODEL_FORMAT,
    MODEL_FORMAT_VERSION,
    check_spec,
    indicator_labels_ko,
    load_spec,
    model_path,
)
from ktop_index.labels import localise_scores

SCORE_COLUMNS = (*DOMAINS, "composite", "tech_index", "grade", "percentile",
                 "industry_percentile", "coverage")
IDENTITY_COLUMNS = ("firm_id", "brn", "firm_name", "year", "ksic", "region")
_NOT_FITTED = ("This %(name)s is not fitted yet: call fit() or load a model file "
               "(TechIndex.load)")
_BLOCK_ROWS = 32_768  # rows per block of a streamed scores file (numpy reuses its buffers)

__all__ = ["IDENTITY_COLUMNS", "SCORE_COLUMNS", "TechIndex", "data_hash",
           "identity_labels_ko", "load_spec", "model_path", "score_firms"]


def data_hash(frame: pd.DataFrame) -> str:
    """sha256 of the contract columns' values, independent of file format and dtypes.

    Numbers (plain or nullable, int or float) hash as float64; text as text; missing as
    missing. Columns outside the contract are left out.

    >>> data_hash(pd.DataFrame({"year": [2024]})) == data_hash(pd.DataFrame({"year": [2024.0]}))
    True
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


class TechIndex(Estimator):
    """The Tech-Index of a specification, fitted on a reference population.

    Parameters
    ----------
    spec : dict, path or None
        The method (``models/tech_index_spec.json`` when None); checked when fitted.
    reference_year : int or None
        The base year whose rows form the reference population; the latest year when None.

    Attributes (after ``fit``)
    --------------------------
    spec_ : dict, the checked specification
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
    growth_ : dict, only on a growth-fitted model (:mod:`ktop_index.growth.model`)

    Missing values: an indicator without data drops out and the weights of the others in its
    domain are re-normalised; a domain without any drops out likewise; a firm whose coverage is
    below ``spec['missing']['min_coverage']`` is not rated.

    It keeps scikit-learn's estimator contract (``get_params``, ``set_params``, ``clone``,
    ``NotFittedError``) without importing scikit-learn (:mod:`ktop_index.index._estimator`),
    so that scoring starts a second sooner.

    Example
    -------
    >>> from sklearn.base import clone
    >>> model = TechIndex.load()                  # the bundled model, fitted on 2024
    >>> clone(model).get_params()["reference_year"]
    2024
    """

    def __init__(self, spec: dict | str | os.PathLike | None = None,
                 reference_year: int | None = None):
        self.spec = spec
        self.reference_year = reference_year

    # ------------------------------------------------------------------ fitting
    def fit(self, frame: pd.DataFrame, y=None, *, reference_year: int | None = None) -> TechIndex:
        """Learn the normalisation from the reference population (rows of the base year),
        from scratch: nothing of an earlier fit is kept.

        Parameters
        ----------
        frame : validated firm-year rows; other years than the base year may be there (the
            previous year feeds growth indicators).
        y : ignored (scikit-learn's signature).
        reference_year : the base year for this fit, overriding the parameter.

        Raises
        ------
        SpecError
            The spec breaks its schema, or a domain's indicators all weigh 0.
        DataError
            The base year has fewer than 30 rows, or rates fewer than 2 of them.
        """
        if y is not None and np.ndim(y) == 0:
            raise TypeError(f"TechIndex.fit: got y={y!r}; give the base year by name, "
                            "fit(frame, reference_year=...)")
        self._forget()
        return self._fit(frame, reference_year or self.reference_year, history=[])

    def _forget(self) -> None:
        """Drop every learned attribute (those ending in ``_``)."""
        for name in [k for k in vars(self) if k.endswith("_") and not k.startswith("_")]:
            delattr(self, name)

    def _fit(self, frame: pd.DataFrame, year: int | None, history: list) -> TechIndex:
        """Fit on the rows of ``year`` (the frame's latest when None), the spec checked
        first; ``history``: the earlier bases to record."""
        self.spec_ = load_spec(self.spec)
        for domain in self._domain_names():
            if sum(s["weight"] for s in self._indicators() if s["domain"] == domain) <= 0:
                raise SpecError(f"domain '{domain}': its indicators' weights sum to 0 (expected "
                                "a positive sum; remove the domain from the spec to leave it "
                                "out)")
        year = year or int(frame["year"].max())
        is_ref = (frame["year"] == year).to_numpy()
        if is_ref.sum() < 30:
            raise DataError(f"reference year {year} has {int(is_ref.sum())} firm-years "
                            "(expected at least 30 to fit the index)")
        values = self._transformed(frame)[is_ref]
        ref_ksic = _ksic_of(frame.loc[is_ref])
        self.value_offsets_ = _fit_offsets(values, ref_ksic, self.spec_)
        values = self._peer_adjusted(values, self._offset_positions(ref_ksic, len(values)))
        self.goalposts_ = _fit_goalposts(values, self.spec_)
        scores = self._indicator_scores(values)
        domains, coverage = self._domain_scores(scores)
        composite = self._composite(domains)
        rated = coverage >= self.spec_["missing"]["min_coverage"]
        if rated.sum() < 2:
            raise DataError(f"reference year {year}: {int(rated.sum())} firm-years rated "
                            "(expected most: check that the data has the spec's fields)")
        self.composite_mean_ = float(np.mean(composite[rated]))
        self.composite_sd_ = float(np.std(composite[rated]))
        # a domain no rated reference firm has data for (weight 0: a panel without its
        # fields) gets the middle of the 0-100 scale
        self.domain_means_ = {d: float(np.nanmean(domains[rated, k]))
                              if (~np.isnan(domains[rated, k])).any() else 50.0
                              for k, d in enumerate(self._domain_names())}
        tech = self._tech_index(composite)[rated]
        groups = peer_groups(ref_ksic[rated]) if ref_ksic is not None else {}
        self.percentile_table_, self.grade_cutoffs_, self.industry_tables_ = \
            _fit_percentiles(tech, groups, self.spec_)
        self.peer_medians_ = _fit_peers(scores[rated], groups, self.spec_)
        digest = data_hash(frame.loc[is_ref])
        self.reference_ = {
            "year": int(year), "rows": int(is_ref.sum()), "rated_rows": int(rated.sum()),
            "data_sha256": digest,
            "history": list(history) + [{"year": int(year), "data_sha256": digest}],
        }
        return self

    def rebase(self, panel: pd.DataFrame, reference_year: int | None = None) -> TechIndex:
        """A new model of this one's method and weights, fitted on another reference
        population; this model is left as it is.

        The new model's ``reference_`` records this model's bases and the new one
        (``history``), and a growth section (``growth_``) is carried over unchanged.

        Parameters
        ----------
        panel : validated firm-year rows holding the new base year.
        reference_year : the new base year; this model's own when None.

        >>> from ktop_index.synth import generate_panel                       # doctest: +SKIP
        >>> rebased = TechIndex.load().rebase(generate_panel(400, (2022, 2023)), 2023)  # doctest: +SKIP
        """
        check_fitted(self, "goalposts_", _NOT_FITTED)
        year = reference_year or self.reference_["year"]
        model = TechIndex(spec=copy.deepcopy(self.spec_), reference_year=year)
        model._fit(panel, year, history=self.reference_.get("history", []))
        if getattr(self, "growth_", None):
            model.growth_ = copy.deepcopy(self.growth_)
        return model

    # ------------------------------------------------------------------ scoring
    def transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Score firm-years: one row per input row (same index) with the score columns.

        Parameters
        ----------
        frame : validated firm-year rows (contract names; money in KRW thousand).

        Returns
        -------
        pandas.DataFrame
            :data:`SCORE_COLUMNS`, ``contrib_<domain>`` (index points of each domain) and
            ``strength_1``, ``strength_2``, ``weakness_1``, ``weakness_2`` (the indicators'
            English labels, categorical; "" where none). Not-rated rows have grade ``NR`` and
            no index (NaN).
        """
        check_fitted(self, "goalposts_", _NOT_FITTED)
        columns = self._score_columns(self._transformed(frame, self._weighed()),
                                      self._peer_positions(frame))
        return _frame_of(columns, frame.index)

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
        check_fitted(self, "goalposts_", _NOT_FITTED)
        ksic = _ksic_of(frame)
        values = self._peer_adjusted(self._transformed(frame),
                                     self._offset_positions(ksic, len(frame)))
        scores = self._indicator_scores(values)
        domains, coverage = self._domain_scores(scores)
        return {"values": values, "scores": scores, "domains": domains, "coverage": coverage,
                "rated": coverage >= self.spec_["missing"]["min_coverage"],
                "indicator_names": [s["name"] for s in self._indicators()],
                "domain_names": self._domain_names()}

    def unadjusted_rows(self, frame: pd.DataFrame) -> int:
        """How many rows a model that adjusts for industry measures against the whole reference
        instead: no KSIC code, or an industry without enough reference firms (0 when the
        model does not adjust)."""
        check_fitted(self, "goalposts_", _NOT_FITTED)
        if not self.value_offsets_:
            return 0
        ksic = _ksic_of(frame)
        return int((self._offset_positions(ksic, len(frame)) < 0).sum())

    # ------------------------------------------------------------------ persistence
    @property
    def sha256(self) -> str:
        """The model's hash: sha256 of its canonical JSON (the bytes :meth:`save` writes), as
        audit records, the history store and model cards show it."""
        return _files.model_sha256(self.to_dict())

    def to_dict(self) -> dict:
        """Everything needed to score, as plain JSON-ready data."""
        check_fitted(self, "goalposts_", _NOT_FITTED)
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
                "grade_cutoffs": [[g, None if np.isinf(c) else c]
                                  for g, c in self.grade_cutoffs_],
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
    def from_dict(cls, data: dict, source: str = "model") -> TechIndex:
        """Rebuild a fitted index from :meth:`to_dict` output (no code is executed).

        Raises
        ------
        SpecError
            Not a model (format), a newer format, a missing section, or a spec that breaks
            its schema (every problem listed; ``source`` names the file).
        """
        given = data.get("format") if isinstance(data, dict) else None
        if given != MODEL_FORMAT:
            raise SpecError(f"not a ktop_index model (format '{given}', expected "
                            f"'{MODEL_FORMAT}')")
        if data.get("format_version", 0) > MODEL_FORMAT_VERSION:
            raise SpecError(f"model format version {data['format_version']} is newer than this "
                            f"ktop_index reads ({MODEL_FORMAT_VERSION}); upgrade ktop_index")
        for section in ("spec", "reference", "fitted"):
            if not isinstance(data.get(section), dict):
                raise SpecError(f"{source}: no '{section}' section (expected a model file "
                                "written by TechIndex.save)")
        check_spec(data["spec"], f"{source}: spec")
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
        """Write the model as readable JSON (:func:`ktop_index._files.canonical_json`),
        atomically; same model, same bytes."""
        _files.write_text(path, _files.canonical_json(self.to_dict()))

    @classmethod
    def load(cls, path: str | os.PathLike | None = None) -> TechIndex:
        """Load a model file; the bundled default model when ``path`` is None."""
        path = model_path(MODEL_FILE) if path is None else Path(path)
        try:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
        except json.JSONDecodeError as exc:
            raise SpecError(f"{path}: not a JSON model file (line {exc.lineno}: {exc.msg})") \
                from None
        return cls.from_dict(data, source=str(path))

    # ------------------------------------------------------------------ the spec's parts
    def _indicators(self) -> list[dict]:
        return self.spec_["indicators"]

    def _domain_names(self) -> list[str]:
        return [d["name"] for d in self.spec_["domains"]]

    def _weighed(self) -> np.ndarray:
        """Positions in the spec of the indicators a score depends on. Domains averaged
        arithmetically: those of weight > 0, since one weighed 0 adds exactly 0 to its
        domain's sums (of weights and of weighted scores) and is never a reason, so that
        scoring skips it with the same bits. The geometric mean: every one (it refuses a
        value <= 0 of any)."""
        if self.spec_["aggregation"]["within_domain"] == "gmean":
            return np.arange(len(self._indicators()))
        return np.array([j for j, s in enumerate(self._indicators()) if s["weight"] > 0],
                        dtype=np.int64)

    def _domain_weights(self) -> np.ndarray:
        weights = np.array([d["weight"] for d in self.spec_["domains"]], dtype=float)
        return weights / weights.sum()

    # ------------------------------------------------------------------ the steps
    def _transformed(self, frame: pd.DataFrame, columns: np.ndarray | None = None
                     ) -> np.ndarray:
        previous = previous_year_fields(frame, self._indicators())
        return self._transform(source_fields(frame, self._indicators()), previous, len(frame),
                               columns)

    def _transform(self, fields: dict, previous: dict, rows: int,
                   columns: np.ndarray | None = None) -> np.ndarray:
        """Transformed, direction-signed indicator values (rows x indicators) from field
        arrays; ``columns``: of those indicators only (positions in the spec)."""
        specs = self._indicators() if columns is None else [self._indicators()[j]
                                                            for j in columns]
        raw = indicator_values(fields, specs, previous)
        return np.column_stack(  # a direction of 1 leaves the values as they are
            [transform(raw[s["name"]], s["transform"]) * s["direction"] if s["direction"] != 1
             else transform(raw[s["name"]], s["transform"])
             for s in specs]).reshape(rows, len(specs))

    def _offset_positions(self, ksic, rows: int) -> np.ndarray:
        """Each row's position in ``value_offsets_`` (-1: no shift)."""
        ksic = None if ksic is None else pd.Series(ksic, dtype="str")
        return peer_index(ksic, list(self.value_offsets_), rows)

    def _peer_adjusted(self, values: np.ndarray, positions: np.ndarray,
                       columns: np.ndarray | None = None) -> np.ndarray:
        """Transformed values (of the indicators at ``columns``, or all) less their
        industry's shift (see :func:`_fit_offsets`)."""
        if not self.value_offsets_:
            return values
        shifts = np.array(list(self.value_offsets_.values()))
        shifts = np.vstack([shifts if columns is None else shifts[:, columns],
                            np.zeros((1, values.shape[1]))])
        return values - shifts[positions]  # position -1 picks the trailing zero row

    def _indicator_scores(self, values: np.ndarray, overwrite: bool = False,
                          columns: np.ndarray | None = None) -> np.ndarray:
        """0-100 scores of transformed values (of the indicators at ``columns``, or all);
        ``overwrite``: into ``values`` itself (an array of the caller's own), not a copy."""
        names = [s["name"] for s in self._indicators()]
        posts = np.array([self.goalposts_[names[j]]
                          for j in (range(len(names)) if columns is None else columns)])
        scale = np.full(len(posts), float(self.spec_["normalisation"]["scale"]))
        return n_goalposts(values if overwrite else values.copy(), posts[:, 0], posts[:, 1],
                           scale, np.ones(len(posts), dtype=bool))

    def _domain_scores(self, scores: np.ndarray, columns: np.ndarray | None = None
                       ) -> tuple[np.ndarray, np.ndarray]:
        """Domain scores (rows x domains) and coverage (share of total weight with data) of
        indicator scores (of the indicators at ``columns``, or all)."""
        gmean = self.spec_["aggregation"]["within_domain"] == "gmean"
        domains = np.empty((len(scores), len(self.spec_["domains"])))
        coverage = np.zeros(len(scores))
        specs = self._indicators()
        columns = np.arange(len(specs)) if columns is None else columns
        for k, domain in enumerate(self.spec_["domains"]):
            idx = [c for c, j in enumerate(columns) if specs[j]["domain"] == domain["name"]]
            weights = np.array([specs[columns[c]]["weight"] for c in idx], dtype=float)
            # the domain's whole weight, summed as over all its indicators (the same bits)
            whole = np.array([s["weight"] for s in specs if s["domain"] == domain["name"]],
                             dtype=float).sum()
            block = scores[:, idx]
            # the weight with data is a row's sum alone, in column order: a matrix product's
            # (BLAS) last bit depends on where the row falls in its block
            if gmean:
                domains[:, k] = a_gmean(block, weights)
                present = row_sums(np.where(np.isnan(block), 0.0, weights))
            else:  # the mean's own sum of the weights with data: the same array, summed so
                domains[:, k], present = amean_weighed(block, weights)
            coverage += self._domain_weights()[k] * (present / whole)
        return domains, coverage

    def _composite(self, domains: np.ndarray) -> np.ndarray:
        aggregate = a_gmean if self.spec_["aggregation"]["across_domains"] == "gmean" else a_amean
        return aggregate(domains, self._domain_weights())

    def _tech_index(self, composite: np.ndarray) -> np.ndarray:
        scale = self.spec_["scale"]
        return scale["mean"] + scale["sd"] * (composite - self.composite_mean_) / self.composite_sd_

    def _peer_positions(self, frame: pd.DataFrame) -> tuple[np.ndarray, ...]:
        """Each row's group among ``industry_tables_`` (-1: the whole reference), among
        ``peer_medians_`` (0: the whole reference '*') and among ``value_offsets_`` (-1: none),
        from its KSIC code."""
        ksic = frame["ksic"].astype("str") if "ksic" in frame else None
        industry, medians, offsets = peer_indices(
            ksic, [list(self.industry_tables_), [g for g in self.peer_medians_ if g != "*"],
                   list(self.value_offsets_)], len(frame))
        return industry, medians + 1, offsets

    def _score_columns(self, values: np.ndarray, peers: tuple[np.ndarray, ...]) -> dict:
        """The score columns of rows with transformed ``values`` (of the indicators at
        :meth:`_weighed`) and :meth:`_peer_positions`: float arrays, and :class:`_Coded`
        text (grade, reasons)."""
        weighed = self._weighed()
        adjusted = self._peer_adjusted(values, peers[2], weighed)
        scores = self._indicator_scores(adjusted, overwrite=adjusted is not values,
                                        columns=weighed)
        domains, coverage = self._domain_scores(scores, weighed)
        composite = self._composite(domains)
        rated = coverage >= self.spec_["missing"]["min_coverage"]
        tech = np.where(rated, self._tech_index(composite), np.nan)
        percentile = np.interp(tech, *self.percentile_table_)  # NaN where not rated
        out = {name: domains[:, k] for k, name in enumerate(self._domain_names())}
        out["composite"] = np.where(rated, composite, np.nan)
        out["tech_index"] = tech
        out["grade"] = _Coded(self._grade_codes(tech), self._grade_labels())
        out["percentile"] = percentile
        out["industry_percentile"] = _industry_percentiles(tech, peers[0], percentile,
                                                           self.industry_tables_)
        out["coverage"] = coverage
        out.update(self._contributions(domains, rated))
        labels = reason_labels(self.spec_)
        codes = reason_codes(self.spec_, self.peer_medians_, scores, peers[1], weighed)
        out.update({key: _Coded(value, labels) for key, value in codes.items()})
        return out

    def _column_blocks(self, frame: pd.DataFrame, rows: int, workers: int,
                       finish: Callable | None = None) -> Iterator[tuple[int, dict]]:
        """(first row, score columns) of consecutive blocks of ``rows`` rows, in order, scored
        by ``workers`` threads; ``finish``, if given, converts a block's columns in the worker.

        A growth indicator needs the firm's previous year, wherever it is in the frame: those
        values are looked up on the whole frame first. Everything that reads the frame
        (fields, previous years, peer groups) is taken out of it once, as numpy arrays: a
        block is then slices of arrays and numpy alone, which runs outside Python's lock
        while other threads format what is done (two cores score twice as fast).
        """
        fields = source_fields(frame, self._indicators())
        previous = previous_year_fields(frame, self._indicators())
        yield from self._array_blocks(fields, previous, self._peer_positions(frame), len(frame),
                                      rows, workers, finish)

    def _array_blocks(self, fields: dict, previous: dict, peers: tuple, count: int, rows: int,
                      workers: int, finish: Callable | None = None
                      ) -> Iterator[tuple[int, dict]]:
        """:meth:`_column_blocks` of ``count`` rows already taken apart: their source fields,
        previous-year fields and :meth:`_peer_positions` (numpy arrays)."""
        def one(start: int) -> tuple[int, dict]:
            return start, self._array_block(fields, previous, peers, count,
                                            slice(start, start + rows), finish)

        starts = range(0, max(count, 1), rows)
        if workers <= 1 or len(starts) == 1:
            yield from map(one, starts)
        else:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                yield from pool.map(one, starts)

    def _array_block(self, fields: dict, previous: dict, peers: tuple, count: int,
                     block: slice, finish: Callable | None = None) -> dict:
        """The score columns of one ``block`` of :meth:`_array_blocks`' ``count`` rows
        (``finish``, when given, converts them)."""
        values = self._transform({f: v[block] for f, v in fields.items()},
                                 {f: v[block] for f, v in previous.items()},
                                 len(range(count)[block]), self._weighed())
        columns = self._score_columns(values, tuple(p[block] for p in peers))
        return columns if finish is None else finish(columns)

    def _grades(self, tech: np.ndarray) -> np.ndarray:
        """The grade of each Tech-Index (object array of labels; not rated where NaN)."""
        return np.array(self._grade_labels(), dtype=object)[self._grade_codes(tech)]

    def _grade_labels(self) -> list[str]:
        return [g for g, _ in self.grade_cutoffs_] + [self.spec_["not_rated_grade"]]

    def _grade_codes(self, tech: np.ndarray) -> np.ndarray:
        """Positions in :meth:`_grade_labels`: the first grade whose cut-off is reached."""
        cutoffs = np.array([c for _, c in self.grade_cutoffs_])  # descending
        # the cut-offs not reached (above the index): all but those at or below it
        position = len(cutoffs) - np.searchsorted(cutoffs[::-1], tech, side="right")
        position = np.minimum(position, len(cutoffs) - 1)
        return np.where(np.isnan(tech), len(cutoffs), position)

    def _contributions(self, domains: np.ndarray, rated: np.ndarray) -> dict:
        """Each domain's share of ``tech_index - 100``, in index points."""
        weights = np.where(np.isnan(domains), 0.0, self._domain_weights())
        with np.errstate(invalid="ignore", divide="ignore"):
            weights = weights / row_sums(weights)[:, None]
        factor = self.spec_["scale"]["sd"] / self.composite_sd_
        means = np.array([self.domain_means_[d] for d in self._domain_names()])
        part = factor * weights * (domains - means)
        part[~rated] = np.nan
        return {f"contrib_{d}": part[:, k] for k, d in enumerate(self._domain_names())}


# ---------------------------------------------------------------------- fitting steps

def _fit_offsets(values: np.ndarray, ksic: np.ndarray | None, spec: dict) -> dict:
    """With ``normalisation.peer_adjust`` set, each industry's shift of every indicator:
    its reference median minus the whole reference's (transformed units), for the KSIC
    divisions and sections with at least ``peers.min_size`` reference firms (else empty).

    Scoring subtracts the shift, so a firm is measured against firms of its own industry:
    a biotech firm's R&D intensity is not counted as capability merely for being biotech
    (industry differences in these ratios are large and say little about the firm).
    """
    offsets = {}
    if spec["normalisation"].get("peer_adjust") in (None, "none") or ksic is None:
        return offsets
    overall = np.array(_nanmedian(values, default=np.nan))
    for group, members in peer_groups(ksic).items():
        if members.sum() >= spec["peers"]["min_size"]:
            shift = np.array(_nanmedian(values[members], default=np.nan)) - overall
            offsets[group] = [float(v) for v in np.nan_to_num(shift)]
    return offsets


def _fit_goalposts(values: np.ndarray, spec: dict) -> dict:
    """indicator -> (lower, upper): the reference percentiles of the spec's normalisation.
    An unweighted indicator (weight 0, or in a domain of weight 0) without reference data
    gets the placeholder (0, 1): it never moves the index (a panel lacking its fields)."""
    norm = spec["normalisation"]
    low_p, high_p = norm["lower_percentile"], norm["upper_percentile"]
    domain_weight = {d["name"]: d["weight"] for d in spec["domains"]}
    goalposts = {}
    for j, indicator in enumerate(spec["indicators"]):
        column = values[:, j][~np.isnan(values[:, j])]
        if column.size == 0 and indicator["weight"] * domain_weight[indicator["domain"]] == 0:
            goalposts[indicator["name"]] = (0.0, 1.0)
            continue
        if column.size == 0:
            raise DataError(f"indicator '{indicator['name']}' has no data in the reference "
                            "population (expected some firms with its fields)")
        low, high = np.percentile(column, [low_p, high_p])
        if high <= low:  # a zero-inflated indicator: use the maximum as the upper post
            high = column.max() if column.max() > low else low + 1.0
        goalposts[indicator["name"]] = (float(low), float(high))
    return goalposts


def _fit_percentiles(tech: np.ndarray, groups: dict[str, np.ndarray], spec: dict):
    """(percentile table, grade cut-offs, industry tables) of the rated reference's index."""
    table = _quantile_table(tech, int(spec["reference_quantile_points"]))
    cutoffs = [(g["grade"], float(np.percentile(tech, g["min_percentile"]))
                if g["min_percentile"] else -np.inf) for g in spec["grades"]]
    peers = spec["peers"]
    industry = {group: _quantile_table(tech[members], int(peers["quantile_points"]))
                for group, members in groups.items() if members.sum() >= peers["min_size"]}
    return table, cutoffs, industry


def _fit_peers(scores: np.ndarray, groups: dict[str, np.ndarray], spec: dict) -> dict:
    """'*' and each peer group large enough -> indicator -> the median score of its rated
    reference firms."""
    names = [s["name"] for s in spec["indicators"]]
    medians = {"*": dict(zip(names, _nanmedian(scores)))}
    for group, members in groups.items():
        if members.sum() >= spec["peers"]["min_size"]:
            medians[group] = dict(zip(names, _nanmedian(scores[members])))
    return medians


def _quantile_table(values: np.ndarray, points: int) -> tuple[np.ndarray, np.ndarray]:
    """(values, percents) for ``np.interp``: quantiles with ties collapsed to their mean percent."""
    percents = np.linspace(0.0, 100.0, points)
    quantiles = np.percentile(values, percents)
    unique, inverse = np.unique(quantiles, return_inverse=True)
    mean_percent = np.bincount(inverse, weights=percents) / np.bincount(inverse)
    return unique, mean_percent


def _nanmedian(scores: np.ndarray, default: float = 50.0) -> list[float]:
    medians = []
    for j in range(scores.shape[1]):
        column = scores[:, j][~np.isnan(scores[:, j])]
        medians.append(float(np.median(column)) if column.size else default)
    return medians


def _ksic_of(frame: pd.DataFrame) -> np.ndarray | None:
    """The frame's KSIC codes, None when it has no such column."""
    return frame["ksic"].to_numpy() if "ksic" in frame else None


# ---------------------------------------------------------------------- scoring steps

def _industry_percentiles(tech: np.ndarray, index: np.ndarray, overall: np.ndarray,
                          tables: dict) -> np.ndarray:
    """Percentile within the division's reference; the section's where the division has
    too few reference firms; the whole reference's (``overall``) where both have.
    ``index`` is the row's position in ``tables`` (a model's ``industry_tables_``; -1: none)."""
    groups = list(tables)
    result = overall.copy()
    order = np.argsort(index, kind="stable")
    bounds = np.searchsorted(index[order], np.arange(len(groups) + 1))
    for k, group in enumerate(groups):
        members = order[bounds[k]:bounds[k + 1]]
        if members.size:
            result[members] = np.interp(tech[members], *tables[group])
    return result


@dataclass(frozen=True)
class _Coded:
    """A text column as positions in a short list of labels (grade, reasons)."""

    codes: np.ndarray
    labels: list[str]


def _frame_of(columns: dict, index: pd.Index) -> pd.DataFrame:
    """Score columns as :meth:`TechIndex.transform` returns them: floats, the grade as text,
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


# ---------------------------------------------------------------------- the plain functions

def as_model(model: TechIndex | str | os.PathLike | None) -> TechIndex:
    """A fitted TechIndex as given, or loaded from a model file (the bundled one when None)."""
    return model if isinstance(model, TechIndex) else TechIndex.load(model)


def identity_labels_ko() -> dict[str, str]:
    """The identity columns' Korean headers (the data contract's 한글명), for
    :func:`ktop_index.labels.localise_scores`."""
    from ktop_index.data.contract import FIELD_BY_NAME

    return {c: FIELD_BY_NAME[c].label_ko for c in IDENTITY_COLUMNS}


def _with_identity(frame: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    identity = frame[[c for c in IDENTITY_COLUMNS if c in frame]]
    return pd.concat([identity, scores], axis=1)


def score_firms(frame: pd.DataFrame,
                model: TechIndex | str | os.PathLike | None = None) -> pd.DataFrame:
    """Score validated firm-years with a model (the bundled default when None).

    Returns the identity columns present (:data:`IDENTITY_COLUMNS`) followed by the score
    columns of :meth:`TechIndex.transform`, under canonical English names. For Korean
    headers and reasons, localise where the table meets a reader:
    ``ktop_index.labels.localise_scores(scored, "ko", indicator_labels_ko(model.spec_),
    identity_labels_ko())``.

    >>> from ktop_index.data.validate import read_firms                          # doctest: +SKIP
    >>> scored = score_firms(read_firms("data/jeju_2025_applicants.xlsx"))  # doctest: +SKIP
    """
    model = as_model(model)
    return _with_identity(frame, model.transform(frame))


def _localised(scored: pd.DataFrame, lang: str, model: TechIndex) -> pd.DataFrame:
    return localise_scores(scored, lang, indicator_labels_ko(model.spec_), identity_labels_ko())


def _score_tables(frame: pd.DataFrame, model: TechIndex, rows: int = _BLOCK_ROWS,
                  workers: int = 1) -> Iterator[pa.Table]:
    """:func:`score_firms` as consecutive pyarrow Tables of ``rows`` rows, for
    :func:`ktop_index.data.io.write_csv_blocks`: the same columns and values (NaN as null;
    grade and reasons as dictionaries), without a pandas frame per block. Blocks are small so
    that numpy's temporaries are reused rather than handed back to the system and faulted in
    again (a third of the time at 131,072 rows)."""
    check_fitted(model, "goalposts_", _NOT_FITTED)
    identity = frame[[c for c in IDENTITY_COLUMNS if c in frame]]
    identity.attrs = {}  # validate's row numbers: arrow would try to store them as metadata
    identity = pa.Table.from_pandas(identity, preserve_index=False)
    yield from _with_scores(identity, model._column_blocks(frame, rows, workers,
                                                           finish=_arrow_of))


def _with_scores(identity: pa.Table, blocks: Iterator[tuple[int, dict]]) -> Iterator[pa.Table]:
    """Each block of score columns after its rows' identity columns."""
    for start, scores in blocks:
        part = identity.slice(start, len(scores["coverage"]))
        yield pa.table(list(part.columns) + list(scores.values()),
                       names=part.column_names + list(scores))
