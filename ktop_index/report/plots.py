"""The pictures: matplotlib figures of scores, selections and the growth model.

Every function takes DataFrames (the columns of ``score_firms``, of a selection table, of a
firm trajectory; see ``docs/reports.md``) or a model file, and returns a
:class:`matplotlib.figure.Figure` built without pyplot (no global figure list, no GUI), so
it works in a batch job, a report and a notebook alike. :func:`png_bytes` renders a figure
to PNG bytes that are the same on every run (no software or time stamp inside).

Korean text needs a font with Hangul glyphs, and a fresh machine often has none. The font
comes with the package's dependencies: NanumGothic from the ``koreanize-matplotlib`` wheel
(SIL Open Font License). :func:`use_korean_font` registers its font files with matplotlib's
font manager directly — the package is not imported, because its import changes global
settings and uses ``distutils`` (gone in Python 3.12) — and makes NanumGothic the first
family, DejaVu Sans the fallback for the few symbols it lacks.

Example
-------
>>> from ktop_index.index.techindex import score_firms
>>> from ktop_index.data.validate import read_firms                    # doctest: +SKIP
>>> scores = score_firms(read_firms("data/jeju_2025_applicants.csv"))   # doctest: +SKIP
>>> fig = distribution(scores, cutoff=105.0, lang="ko")           # doctest: +SKIP
>>> open("dist.png", "wb").write(png_bytes(fig))                 # doctest: +SKIP
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ktop_index import _files, reference
from ktop_index.errors import DataError, SpecError, UsageError
from ktop_index.index.spec import DOMAINS, GRADES
from ktop_index.labels import PLOT_TEXT

KOREAN_FONT = "NanumGothic"
STATUS_ORDER = ("selected", "waitlist", "not_selected", "ineligible")
STATUS_COLORS = {"selected": "#2e7d32", "waitlist": "#f9a825", "not_selected": "#9e9e9e",
                 "ineligible": "#c62828"}
#: The grades best first: the spec's (``ktop_index.index.spec.GRADES``).
GRADE_ORDER = GRADES
#: Every text a figure shows, per language: :data:`ktop_index.labels.PLOT_TEXT` (this name
#: kept for the callers that read it here).
TEXT = PLOT_TEXT

# ---------------------------------------------------------------------------- font and output

@lru_cache(maxsize=1)
def korean_font_file() -> Path:
    """The NanumGothic TTF shipped in the ``koreanize-matplotlib`` wheel (found, not imported)."""
    spec = importlib.util.find_spec("koreanize_matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("the Korean font package 'koreanize-matplotlib' is not installed "
                          "(pip install koreanize-matplotlib)")
    path = Path(next(iter(spec.submodule_search_locations))) / "fonts" / "NanumGothic.ttf"
    if not path.exists():
        raise ImportError(f"{path}: the Korean font file is missing from koreanize-matplotlib")
    return path


def use_korean_font() -> str:
    """Register NanumGothic (regular and bold) and make it the first font family.

    Returns the family name. Idempotent; called by every plotting function. Sets
    ``rcParams['font.family']`` to NanumGothic with DejaVu Sans as the fallback for glyphs
    NanumGothic lacks.
    """
    _register_fonts()
    family = matplotlib.rcParams["font.family"]
    if not family or family[0] != KOREAN_FONT:
        matplotlib.rcParams["font.family"] = [KOREAN_FONT, "DejaVu Sans"]
    return KOREAN_FONT


@lru_cache(maxsize=1)
def _register_fonts() -> None:
    regular = korean_font_file()
    for name in (regular.name, "NanumGothicBold.ttf", "NanumGothicExtraBold.ttf"):
        if (regular.parent / name).exists():
            font_manager.fontManager.addfont(str(regular.parent / name))


def png_bytes(fig: Figure, dpi: int = 110) -> bytes:
    """The figure as PNG bytes: identical for identical figures (no software or time tag)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def save_png(fig: Figure, path: str | os.PathLike, dpi: int = 110) -> None:
    """Write the figure as a PNG file, atomically."""
    _files.write_bytes(path, png_bytes(fig, dpi))


def _figure(width: float, height: float, polar: bool = False):
    use_korean_font()
    fig = Figure(figsize=(width, height), layout="constrained")
    ax = fig.add_subplot(projection="polar" if polar else None)
    return fig, ax


def _t(lang: str) -> dict:
    if lang not in PLOT_TEXT:
        raise UsageError(f"lang must be 'en' or 'ko', got {lang!r}")
    return PLOT_TEXT[lang]


def _numeric(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame:
        raise DataError(f"expected a column '{column}' (have: {', '.join(map(str, frame))})")
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)


# ---------------------------------------------------------------------------- firm pictures

def radar(firm: Mapping | pd.Series, industry=None, selected=None, lang: str = "en",
          name: str | None = None) -> Figure:
    """A firm's four domain scores (0-100) on a radar, against its industry and the selected.

    Parameters
    ----------
    firm : one scored row (``infrastructure``, ``input``, ``activity``, ``outcome``; the
        ``firm_name`` names the picture unless ``name`` is given).
    industry, selected : a scored DataFrame (its median is drawn) or a mapping domain -> score;
        either may be None.
    """
    text = _t(lang)
    fig, ax = _figure(6.4, 6.0, polar=True)
    angles = np.linspace(0, 2 * np.pi, len(DOMAINS), endpoint=False)
    closed = np.append(angles, angles[0])
    series = [(industry, text["industry"], "#1565c0", "--"),
              (selected, text["selected_group"], "#2e7d32", ":")]
    for values, label, color, style in series:
        if values is not None:
            points = _domain_values(values)
            ax.plot(closed, np.append(points, points[0]), style, color=color, lw=1.8,
                    label=label)
    name = name or str(_get(firm, "firm_name", "")) or "firm"
    points = _domain_values(firm)
    ax.plot(closed, np.append(points, points[0]), "-o", color="#c62828", lw=2.2, label=name)
    ax.fill(closed, np.append(points, points[0]), color="#c62828", alpha=0.15)
    ax.set_xticks(angles, [text[d] for d in DOMAINS], fontsize=11)
    ax.set_ylim(0, 100)
    ax.set_yticks([20, 40, 60, 80, 100], ["20", "40", "60", "80", "100"], fontsize=8,
                  color="#555555")
    ax.set_rlabel_position(45)
    ax.set_title(text["radar_title"].format(name=name), fontsize=12, fontweight="bold")
    ax.set_xlabel(text["domain_unit"], labelpad=14)
    fig.legend(loc="outside lower center", ncols=3, fontsize=9, frameon=False)
    return fig


def _get(row, key, default=None):
    try:
        return row[key]
    except (KeyError, IndexError):
        return default


def _domain_values(values) -> np.ndarray:
    if isinstance(values, pd.DataFrame):
        return np.array([np.nanmedian(_numeric(values, d)) for d in DOMAINS])
    return np.array([float(_get(values, d, np.nan)) for d in DOMAINS])


def trajectory(frame: pd.DataFrame, cutoffs=None, lang: str = "en",
               name: str | None = None) -> Figure:
    """A firm's Tech-Index (base 100) year by year over the bands of the grade scale.

    Parameters
    ----------
    frame : one row per year with ``year``, ``tech_index`` and optionally ``grade``
        (``ktop_index.tracking.history.firm_trajectory`` or a firm's scored rows).
    cutoffs : [(grade, minimum Tech-Index), ...] best first, as ``TechIndex.grade_cutoffs_``;
        the bundled model's when None.
    """
    text = _t(lang)
    if cutoffs is None:
        from ktop_index.index.techindex import TechIndex
        cutoffs = TechIndex.load().grade_cutoffs_
    data = frame.assign(year=_numeric(frame, "year"), tech_index=_numeric(frame, "tech_index"))
    data = data.dropna(subset=["year"]).sort_values("year")
    fig, ax = _figure(7.5, 4.6)
    values = data["tech_index"].to_numpy(dtype=float)
    finite = values[np.isfinite(values)]
    low = min(finite.min() if finite.size else 90.0, 90.0) - 4
    high = max(finite.max() if finite.size else 110.0, 110.0) + 4
    _grade_bands(ax, cutoffs, low, high, text)
    ax.plot(data["year"], values, "-o", color="#0d47a1", lw=2, ms=6, label=text["tech_index"])
    if "grade" in data:
        for year, value, grade in zip(data["year"], values, data["grade"]):
            if np.isfinite(value):
                ax.annotate(str(grade), (year, value), textcoords="offset points",
                            xytext=(0, 8), ha="center", fontsize=9, color="#0d47a1")
    ax.set_ylim(low, high)
    years = data["year"].astype(int).tolist()
    ax.set_xticks(years, [str(y) for y in years])
    if len(years) == 1:
        ax.set_xlim(years[0] - 1, years[0] + 1)
    name = name or (str(data["firm_name"].iloc[-1]) if "firm_name" in data and len(data)
                    else "firm")
    ax.set_title(text["traj_title"].format(name=name), fontweight="bold")
    ax.set_xlabel(text["year"])
    ax.set_ylabel(text["tech_index"])
    ax.legend(loc="upper left", fontsize=9)
    return fig


def _grade_bands(ax, cutoffs, low: float, high: float, text: dict) -> None:
    """Shade each grade's band of the index and name it at the right edge."""
    tops = [np.inf] + [float(c) for _, c in cutoffs[:-1]]
    shades = ("#e3f2fd", "#ffffff")
    for k, ((grade, bottom), top) in enumerate(zip(cutoffs, tops)):
        cut = float(bottom)
        bottom, top = max(cut, low), min(top, high)
        if top <= bottom:
            continue
        ax.axhspan(bottom, top, color=shades[k % 2], zorder=0, lw=0)
        if cut > low:  # the cut-off itself, where it is inside the picture
            ax.axhline(cut, color="#90a4ae", lw=0.6, zorder=1)
        ax.text(1.01, (bottom + top) / 2, grade, transform=ax.get_yaxis_transform(),
                va="center", ha="left", fontsize=9, color="#37474f")


def distribution(frame: pd.DataFrame, column: str = "tech_index", mark=None,
                 cutoff: float | None = None, lang: str = "en",
                 bins: int | None = None) -> Figure:
    """Histogram of the index (or another score column) with a firm and/or a cut-off marked.

    Parameters
    ----------
    column : ``tech_index`` (base 100) or ``selection_score`` (0-100).
    mark : (label, value) of a firm to mark, or None.
    cutoff : a value to draw as the selection cut-off, or None.
    bins : number of bars (default: about 1.5 x the square root of the firms, 10 to 40).
    """
    text = _t(lang)
    values = _numeric(frame, column)
    values = values[np.isfinite(values)]
    what = text.get(column, column)
    bins = bins or int(np.clip(1.5 * np.sqrt(len(values)), 10, 40))
    fig, ax = _figure(7.5, 4.4)
    ax.hist(values, bins=bins, color="#90caf9", edgecolor="#1565c0", lw=0.5,
            label=what)
    if cutoff is not None and np.isfinite(cutoff):
        ax.axvline(cutoff, color="#212121", ls="--", lw=1.8,
                   label=text["cutoff"].format(value=cutoff))
    if mark is not None:
        label, value = mark
        ax.axvline(float(value), color="#c62828", lw=2.2, label=f"{label} ({float(value):.1f})")
    ax.set_title(text["dist_title"].format(what=what.split(" (")[0], n=len(values)),
                 fontweight="bold")
    ax.set_xlabel(what)
    ax.set_ylabel(text["firms"])
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts of firms are whole
    ax.legend(fontsize=9)
    return fig


def by_industry(frame: pd.DataFrame, lang: str = "en", min_firms: int = 10,
                top: int = 15) -> Figure:
    """Box plots of the Tech-Index by KSIC division (the ``top`` largest with ``min_firms``+).

    ``frame`` needs ``ksic`` and ``tech_index``; use one year's rows so a firm counts once.
    """
    text = _t(lang)
    data = pd.DataFrame({"division": frame["ksic"].astype("str").str[:2],
                         "tech_index": _numeric(frame, "tech_index")}).dropna()
    counts = data["division"].value_counts()
    keep = counts[counts >= min_firms].index[:top]
    data = data[data["division"].isin(keep)]
    order = data.groupby("division")["tech_index"].median().sort_values().index.tolist()
    names = reference.division_name_pairs()
    labels = []
    for code in order:
        ko, en = names.get(code, (code, code))
        label = ko if lang == "ko" else en
        label = label if len(label) <= 34 else label[:33] + "…"
        labels.append(f"{code} {label} (n={counts[code]})")
    fig, ax = _figure(8.5, 0.8 + 0.38 * max(len(order), 3))
    ax.boxplot([data.loc[data["division"] == c, "tech_index"] for c in order],
               **_horizontal(labels), widths=0.6, patch_artist=True,
               boxprops={"facecolor": "#bbdefb", "edgecolor": "#1565c0"},
               medianprops={"color": "#c62828", "lw": 1.8},
               flierprops={"marker": ".", "markersize": 3, "markeredgecolor": "#607d8b"})
    ax.axvline(100, color="#424242", ls=":", lw=1, label=text["ref_mean"])
    ax.set_title(text["ind_title"].format(k=min_firms), fontweight="bold")
    ax.set_xlabel(text["tech_index"])
    ax.set_ylabel(text["division"])
    ax.tick_params(axis="y", labelsize=8.5)
    ax.legend(loc="lower right", fontsize=8)
    return fig


def _horizontal(labels: list[str]) -> dict:
    """Keywords of a horizontal, labelled boxplot in any matplotlib >= 3.8 (renamed in 3.9
    and 3.10)."""
    version = tuple(int(p) for p in matplotlib.__version__.split(".")[:2])
    if version >= (3, 10):
        return {"orientation": "horizontal", "tick_labels": labels}
    return {"vert": False, ("tick_labels" if version >= (3, 9) else "labels"): labels}


def by_year(frame: pd.DataFrame, lang: str = "en") -> Figure:
    """Box plots of the Tech-Index for each year (``year``, ``tech_index``), median joined."""
    text = _t(lang)
    data = pd.DataFrame({"year": _numeric(frame, "year"),
                         "tech_index": _numeric(frame, "tech_index")}).dropna()
    years = sorted(int(y) for y in data["year"].unique())
    groups = [data.loc[data["year"] == y, "tech_index"] for y in years]
    fig, ax = _figure(8.0, 4.6)
    ax.boxplot(groups, positions=years, widths=0.6, patch_artist=True,
               boxprops={"facecolor": "#bbdefb", "edgecolor": "#1565c0"},
               medianprops={"color": "#c62828", "lw": 1.5},
               flierprops={"marker": ".", "markersize": 2, "markeredgecolor": "#90a4ae"})
    ax.plot(years, [g.median() for g in groups], "-", color="#c62828", lw=1,
            label=text["median"])
    ax.axhline(100, color="#424242", ls=":", lw=1, label=text["ref_mean"])
    ax.set_xticks(years, [str(y) for y in years])
    ax.set_title(text["year_title"], fontweight="bold")
    ax.set_xlabel(text["year"])
    ax.set_ylabel(text["tech_index"])
    ax.legend(loc="upper left", fontsize=9)
    return fig


# ---------------------------------------------------------------------------- selection

def budget_rank(table: pd.DataFrame) -> int | None:
    """The last funded rank: the largest ``rank`` among the ``selected`` (None if none)."""
    ranks = _numeric(table, "rank")[table["status"].astype("str").to_numpy() == "selected"]
    ranks = ranks[np.isfinite(ranks)]
    return int(ranks.max()) if ranks.size else None


def selection(table: pd.DataFrame, lang: str = "en", call: str = "") -> Figure:
    """Each ranked applicant's selection score, its rank interval and the budget line.

    Parameters
    ----------
    table : the selection table (``rank``, ``status``, ``selection_score``, ``rank_low``,
        ``rank_high``; see ``docs/reports.md``). Applicants without a rank (ineligible) are
        counted in a note, not drawn.
    """
    text = _t(lang)
    score_column = "selection_score" if "selection_score" in table else "tech_index"
    rank = _numeric(table, "rank")
    score = _numeric(table, score_column)
    status = table["status"].astype("str").to_numpy()
    has_interval = "rank_low" in table and "rank_high" in table
    low = _numeric(table, "rank_low") if has_interval else rank
    high = _numeric(table, "rank_high") if has_interval else rank
    fig, ax = _figure(9.0, 5.0)
    ranked = np.isfinite(rank)
    for state in STATUS_ORDER:
        chosen = ranked & (status == state)
        if not chosen.any():
            continue
        color = STATUS_COLORS[state]
        spans = np.isfinite(low) & np.isfinite(high) & chosen
        ax.hlines(score[spans], low[spans], high[spans], color=color, alpha=0.45, lw=2)
        ax.scatter(rank[chosen], score[chosen], s=22, color=color, edgecolor="white",
                   lw=0.5, zorder=3, label=f"{text[state]} ({int(chosen.sum())})")
    if has_interval:
        ax.plot([], [], color="#616161", alpha=0.6, lw=2, label=text["rank_interval"])
    last = budget_rank(table)
    if last is not None:
        ax.axvline(last + 0.5, color="#212121", ls="--", lw=1.5,
                   label=text["budget"].format(rank=last))
    unranked = int((~ranked).sum())
    if unranked:
        ax.text(0.99, 0.98, text["ineligible_note"].format(n=unranked), transform=ax.transAxes,
                ha="right", va="top", fontsize=8.5, color=STATUS_COLORS["ineligible"])
    ax.set_title(text["sel_title"].format(call=call or "-"), fontweight="bold")
    ax.set_xlabel(text["rank"])
    ax.set_ylabel(text.get(score_column, score_column))
    ax.legend(loc="lower left", fontsize=8.5)
    ax.grid(axis="y", color="#eeeeee")
    return fig


# ---------------------------------------------------------------------------- growth model

def growth_section(model) -> dict:
    """The ``growth`` section of a fitted model: from a path, a model dict or the section."""
    if isinstance(model, (str, os.PathLike)):
        with open(model, encoding="utf-8") as handle:
            model = json.load(handle)
    if "growth" in model:
        model = model["growth"]
    if "validation" not in model:
        raise SpecError("the model has no growth validation section (fit a growth model "
                         "first: models/NAME.json with 'growth.validation')")
    return model


def calibration(model, perspective: str = "high_growth", lang: str = "en") -> Figure:
    """Reliability diagram: predicted probability against observed rate, per bin.

    ``model``: a model file path, its dict or its ``growth`` section; the bins are
    ``growth.validation.<perspective>.reliability``; AUC (with its interval) and Brier score
    are printed in the corner.
    """
    text = _t(lang)
    section = growth_section(model)["validation"][perspective]
    table = pd.DataFrame(section["reliability"])
    fig, ax = _figure(5.8, 5.4)
    ax.plot([0, 1], [0, 1], ls="--", color="#757575", lw=1, label=text["perfect"])
    sizes = 20 + 180 * table["n"] / max(float(table["n"].max()), 1.0)
    ax.plot(table["predicted"], table["observed"], "-", color="#1565c0", lw=1.2)
    ax.scatter(table["predicted"], table["observed"], s=sizes, color="#1565c0", alpha=0.8,
               edgecolor="white", zorder=3, label=text["bins"])
    lines = []
    if "auc" in section:
        auc = f"AUC {section['auc']:.3f}"
        if section.get("auc_ci"):
            lo, hi = section["auc_ci"]
            auc += f" [{lo:.3f}, {hi:.3f}]"
        lines.append(auc)
    if "brier" in section:
        lines.append(f"Brier {section['brier']:.4f}")
    if lines:
        ax.text(0.03, 0.97, "\n".join(lines), transform=ax.transAxes, va="top", fontsize=9,
                bbox={"facecolor": "white", "edgecolor": "#bdbdbd"})
    top = max(1e-3, float(max(table["predicted"].max(), table["observed"].max()))) * 1.08
    top = min(1.0, top)
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_aspect("equal")
    ax.set_title(text["calib_title"].format(what=text.get(perspective, perspective)),
                 fontweight="bold")
    ax.set_xlabel(text["predicted"])
    ax.set_ylabel(text["observed"])
    ax.legend(loc="lower right", fontsize=9)
    return fig


def grade_rates(model, lang: str = "en") -> Figure:
    """Bars of the high-growth (and sustainable-growth) rate of firms by grade, in %.

    ``model``: a model file path, its dict or its ``growth`` section
    (``growth.validation.grade_rates``); the number of firms of each grade is shown below it.
    """
    text = _t(lang)
    table = pd.DataFrame(growth_section(model)["validation"]["grade_rates"])
    table = table[table["n"] > 0]  # a grade without test firms (often NR) has no rate
    order = {g: k for k, g in enumerate(GRADE_ORDER)}
    table = table.assign(_o=table["grade"].map(order).fillna(len(order))).sort_values("_o")
    x = np.arange(len(table))
    columns = [c for c in ("high_growth_rate", "sustainable_rate") if c in table]
    width = 0.8 / len(columns)
    fig, ax = _figure(7.5, 4.6)
    colors = ("#c62828", "#1565c0")
    for k, column in enumerate(columns):
        rates = 100 * pd.to_numeric(table[column], errors="coerce").to_numpy(dtype=float)
        bars = ax.bar(x + (k - (len(columns) - 1) / 2) * width, np.nan_to_num(rates), width,
                      color=colors[k], alpha=0.85, label=text[column])
        ax.bar_label(bars, labels=["-" if np.isnan(r) else f"{r:.0f}" for r in rates],
                     fontsize=8, padding=2)
    ax.set_xticks(x, [f"{g}\nn={n:,}" for g, n in zip(table["grade"], table["n"])])
    ax.set_title(text["grade_title"], fontweight="bold")
    ax.set_xlabel(text["grade"])
    ax.set_ylabel(text["rate"])
    ax.set_ylim(0, ax.get_ylim()[1] * 1.1)
    ax.legend(fontsize=9)
    return fig


# ---------------------------------------------------------------------------- tracking

def support_effect(effect: pd.DataFrame, truth: pd.DataFrame | None = None,
                   lang: str = "en") -> Figure:
    """The support effect per outcome: each horizon's estimate with its 95 % interval.

    ``effect``: the table of :func:`ktop_index.tracking.effect.support_effect` (``outcome, horizon,
    did, ci_low, ci_high``; Tech-Index in points, revenue in KRW thousand, employees in
    persons). ``truth`` (optional, synthetic data): true effects, one row per horizon and a
    column per outcome, drawn as crosses. The horizon covering all post years (``a-b``) is
    drawn first and labelled as such.
    """
    text = _t(lang)
    outcomes = [o for o in ("tech_index", "revenue", "employees")
                if o in set(effect["outcome"])]
    if not outcomes:
        raise DataError("expected support_effect rows for tech_index, revenue or employees "
                         f"(have outcomes: {', '.join(map(str, effect['outcome'].unique()))})")
    use_korean_font()
    fig = Figure(figsize=(3.7 * len(outcomes), 4.0), layout="constrained")
    axes = fig.subplots(1, len(outcomes), squeeze=False)[0]
    for ax, outcome in zip(axes, outcomes):
        rows = effect[effect["outcome"] == outcome]
        rows = rows.assign(_all=~rows["horizon"].astype(str).str.contains("-")).sort_values(
            ["_all", "horizon"], kind="stable").reset_index(drop=True)
        x = np.arange(len(rows))
        did = _numeric(rows, "did")
        ax.errorbar(x, did, yerr=[did - _numeric(rows, "ci_low"), _numeric(rows, "ci_high") - did],
                    fmt="o", color="#0d47a1", capsize=4, label=text["effect_est"])
        if truth is not None and outcome in truth:
            true = truth[outcome].reindex(rows["horizon"].astype(str)).to_numpy(dtype=float)
            ax.plot(x, true, "x", color="#c62828", ms=9, mew=2, label=text["effect_truth"])
        ax.axhline(0, color="#424242", lw=0.8)
        ax.set_xticks(x, [text["horizon_all"] + f"\n{h}" if "-" in str(h) else str(h)
                          for h in rows["horizon"]])
        ax.set_title(text[f"effect_{outcome}"], fontsize=11)
        ax.set_xlabel(text["horizon"])
        ax.set_ylabel(text["effect_unit"])
        ax.yaxis.set_major_formatter("{x:,.0f}" if outcome == "revenue" else "{x:,.1f}")
        ax.grid(axis="y", color="#eeeeee")
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center",
               ncols=2, fontsize=9, frameon=False)
    fig.suptitle(text["effect_title"], fontweight="bold")
    return fig
