"""Scoring on Dask: the scores of :func:`~ktop_index.index.techindex.score_firms`, computed
over a Dask DataFrame that need not fit one machine (``ktop score --engine dask``).

Which path serves which scale (README, "Scale"): :func:`score_firms` / ``ktop score`` on one
machine up to what fits it (tens of millions of firm-years stream through in bounded
memory); this module when the data or the time is beyond one machine: the same validation
and the same scores, computed by the workers of a Dask cluster.

How it works
------------
1. Each partition of the raw table is validated on a worker
   (:func:`ktop_index.data.validate.validate`), and only the contract's columns are kept.
   Problems name the row as if the partitions were one table, in order: the first record is
   row 2 (a partition's rows follow the previous partition's), and a header problem is
   reported once. Any error refuses the whole table (:class:`DataError`, every problem), as
   ``ktop score`` does.
2. A firm's years may lie in different partitions (or files): the rows are shuffled by
   ``firm_id`` so that each firm's rows are in one partition, where its growth indicators find
   the previous year (:func:`ktop_index.index.indicators.previous_year_fields`). A firm-year
   given twice in different partitions is found there and refused too.
3. Each partition is scored by :func:`score_firms` and the rows are put back in the input's
   order: the result's index is the row's position in the input (0 = the first record), with
   known divisions, so ``score_dask(ddf).compute()`` equals ``score_firms`` of the whole table
   (tests/index/test_distributed.py holds this exactly).

Validation and the shuffle are computed when :func:`score_dask` is called (the validated rows
stay in the workers' memory, spilled to disk by Dask when it is short); the scores are lazy.
Dask and distributed are the optional extra ``ktop_index[dask]``, imported only here.

Example
-------
>>> import dask.dataframe as dd                                         # doctest: +SKIP
>>> from distributed import Client                                      # doctest: +SKIP
>>> client = Client("tcp://scheduler:8786")    # every worker reads /shared  # doctest: +SKIP
>>> scores = score_dask(dd.read_parquet("/shared/panel/*.parquet"))     # doctest: +SKIP
>>> scores.to_parquet("/shared/scores/")       # written by the workers   # doctest: +SKIP
"""

from __future__ import annotations

import glob
import operator
import os
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from ktop_index.data.contract import FIELDS, match_header
from ktop_index.data.problems import Problem
from ktop_index.errors import DataError, InputError, UsageError
from ktop_index.index.files import ScoreRun, _check_not_the_input
from ktop_index.index.spec import indicator_labels_ko
from ktop_index.index.techindex import (
    TechIndex,
    as_model,
    identity_labels_ko,
    score_firms,
)

__all__ = ["read_dask", "score_dask", "score_file_dask"]

_POSITION_BITS = 40  # a row's input position as partition << 40 | its row in the partition
_ORDER = "__ktop_order__"  # that position, carried through the shuffle
_CONTRACT = [f.name for f in FIELDS]
_NEEDS = ("Dask is not installed: pip install 'ktop_index[dask]' (dask and distributed)",
          "Dask가 설치되어 있지 않습니다: pip install 'ktop_index[dask]' (dask, distributed)")


def _dask():
    """dask and dask.dataframe, imported here only (``import ktop_index`` stays light)."""
    try:
        import dask
        import dask.dataframe as dd
    except ImportError:
        raise UsageError(_NEEDS[0], ko=_NEEDS[1]) from None
    return dask, dd


# ---------------------------------------------------------------------- the steps

def _checked_partition(raw: pd.DataFrame, number: int, source: str,
                       money_unit: str | None) -> tuple[pd.DataFrame, list[Problem], int]:
    """Validate one partition: (its contract columns with each row's input position in
    ``_ORDER``, its problems with rows counted within it, its length as read).

    Wholly empty records are dropped as the file readers drop them; rows are numbered as
    a spreadsheet would (first record of the partition = row 2), made global later.
    """
    from ktop_index.data.io import RawTable
    from ktop_index.data.validate import validate

    raw = raw.reset_index(drop=True)
    kept = np.flatnonzero(~raw.isna().all(axis=1).to_numpy()) if raw.shape[1] else \
        np.zeros(0, dtype=np.int64)
    if not len(kept):
        return pd.DataFrame(), [], len(raw)
    table = RawTable(raw.iloc[kept].reset_index(drop=True), kept.astype(np.int64) + 2, source)
    result = validate(table, money_unit=money_unit)
    problems = [p for p in result.problems if number == 0 or p.row > 1]  # header ones once
    frame = result.frame[[c for c in _CONTRACT if c in result.frame]].copy()
    frame.attrs = {}
    frame[_ORDER] = (np.int64(number) << _POSITION_BITS) + kept.astype(np.int64)
    return frame, problems, len(raw)


def _global_rows(summary: list[tuple[list[Problem], int]]) -> tuple[list[Problem], np.ndarray]:
    """Every partition's problems with rows counted over the whole table, and each
    partition's first position (offsets)."""
    lengths = np.array([n for _, n in summary], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    problems = [p if p.row <= 1 else _moved(p, int(offsets[k]))
                for k, (found, _) in enumerate(summary) for p in found]
    return problems, offsets


def _moved(problem: Problem, offset: int) -> Problem:
    """A partition's problem with its rows (the row, a duplicate's first row) ``offset``
    further down."""
    params = problem.params
    if problem.code == "duplicate_firm_year":
        params = {**params, "first": int(params["first"]) + offset}
    return replace(problem, row=int(problem.row + offset), params=params)


def _positions(order: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Input positions (0 = the first record) of ``_ORDER`` values."""
    order = np.asarray(order, dtype=np.int64)
    return offsets[order >> _POSITION_BITS] + (order & ((1 << _POSITION_BITS) - 1))


def _split_duplicates(part: pd.DataFrame, offsets: np.ndarray, source: str,
                      header: str) -> list[Problem]:
    """Firm-years given in more than one partition (each partition's own duplicates were
    reported by its validation): one problem per partition's first copy after the first."""
    if not len(part) or "year" not in part:
        return []
    keys = part[["firm_id", "year"]]
    twice = keys.duplicated(keep=False).to_numpy() & keys.notna().all(axis=1).to_numpy()
    if not twice.any():
        return []
    rows = part.loc[twice, ["firm_id", "year", _ORDER]].copy()
    rows["_row"] = _positions(rows[_ORDER].to_numpy(), offsets) + 2
    rows["_part"] = rows[_ORDER].to_numpy(dtype=np.int64) >> _POSITION_BITS
    problems = []
    for (firm, year), group in rows.sort_values("_row").groupby(["firm_id", "year"], sort=False):
        firsts = group.drop_duplicates("_part")
        for row in firsts["_row"].iloc[1:]:
            problems.append(Problem(source, int(row), header, "duplicate_firm_year", "error",
                                    {"firm": firm, "year": int(year),
                                     "first": int(firsts["_row"].iloc[0])}))
    return problems


def _scored_partition(part: pd.DataFrame, model: TechIndex, offsets: np.ndarray,
                      meta: pd.DataFrame) -> pd.DataFrame:
    """:func:`score_firms` of one shuffled partition, with each row's input position."""
    if not len(part):
        return meta
    frame = part.drop(columns=_ORDER).reset_index(drop=True)
    scored = score_firms(frame, model)
    scored["_row"] = _positions(part[_ORDER].to_numpy(), offsets)
    return scored


def _year_header(columns) -> str:
    return next((str(c) for c in columns if match_header(str(c))[0] == "year"), "year")


def _score_dask(ddf, model, money_unit: str | None, source: str):
    """(lazy scores in input order, every problem, rows) of a raw Dask DataFrame."""
    dask, dd = _dask()
    model = as_model(model)
    checked = [dask.delayed(_checked_partition)(part, k, source, money_unit)
               for k, part in enumerate(ddf.to_delayed())]
    frames = [dask.delayed(operator.getitem)(c, 0) for c in checked]
    summary = dask.delayed(list)([dask.delayed(operator.itemgetter(1, 2))(c) for c in checked])
    frames, summary = dask.persist(frames, summary)
    summary = summary.compute()
    problems, offsets = _global_rows(summary)
    rows = int(offsets[-1] + summary[-1][1]) if summary else 0
    if any(p.severity == "error" and p.row <= 1 for p in problems):
        raise DataError(problems)  # a column missing or unreadable: nothing to group by
    first = next((f for f in (f.compute() for f in frames) if len(f)), None)
    if first is None:
        raise DataError([Problem(source, 1, "-", "empty")])
    meta = first.iloc[:0]
    types = meta.dtypes.to_dict()
    valid = dd.from_delayed(frames, meta=meta, verify_meta=False).map_partitions(
        lambda f: f.astype(types) if len(f.columns) else meta, meta=meta)
    shuffled = valid.shuffle("firm_id", npartitions=ddf.npartitions).persist()
    header = _year_header(ddf.columns)
    split = dask.compute(*[dask.delayed(_split_duplicates)(part, offsets, source, header)
                           for part in shuffled.to_delayed()])
    problems = sorted(problems + [p for found in split for p in found], key=lambda p: p.row)
    if any(p.severity == "error" for p in problems):
        raise DataError(problems)
    # the scores' types from a real row: an empty frame would leave the grade as object
    sample = score_firms(first.iloc[:1].drop(columns=_ORDER), model).iloc[:0]
    sample = sample.assign(_row=np.zeros(0, dtype=np.int64))
    scored = shuffled.map_partitions(_scored_partition, model, offsets, sample, meta=sample)
    edges = np.linspace(0, rows - 1, max(1, min(ddf.npartitions, rows)) + 1).round()
    divisions = sorted({int(e) for e in edges})
    scores = scored.set_index("_row", divisions=divisions if len(divisions) > 1 else [0, 0])
    return scores.rename_axis(None), problems, rows


# ---------------------------------------------------------------------- the public functions

def score_dask(ddf, model: TechIndex | str | os.PathLike | None = None, *,
               money_unit: str | None = None, source: str = "<dask>"):
    """Validate and score a Dask DataFrame of raw firm-years on the current Dask scheduler.

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
        Firm-year records as read (contract headers, English or Korean; any partitioning:
        a firm's years may be in different partitions or files), e.g. ``dd.read_parquet`` or
        ``dd.read_csv(..., dtype=str)`` of files on a path every worker reads
        (:func:`read_dask` reads them as ``ktop score`` does).
    model : a fitted TechIndex or a model file (the bundled default when None).
    money_unit : unit of money columns whose header names none ('원', '천원', '백만원').
    source : the name problems give for the table.

    Returns
    -------
    dask.dataframe.DataFrame
        Lazy: the columns of :func:`score_firms` (identity, then scores under canonical
        English names), one row per record in the input's order, indexed by its position
        (0 = the first record; known divisions). ``.compute()`` equals :func:`score_firms`
        of the validated whole; ``.to_parquet(folder)`` has the workers write it.

    Raises
    ------
    DataError
        Any error in any partition, or a firm-year in two partitions (every problem; rows
        counted over the partitions in order, the first record being row 2).
    UsageError
        Dask is not installed, or an unknown money unit.

    >>> import dask.dataframe as dd                                     # doctest: +SKIP
    >>> scores = score_dask(dd.read_parquet("panel/"))                  # doctest: +SKIP
    >>> scores.compute().equals(score_firms(read_firms("panel.parquet")))  # doctest: +SKIP
    True
    """
    return _score_dask(ddf, model, money_unit, source)[0]


def _input_files(path: str | os.PathLike) -> list[str]:
    """The files a path names: a file, a folder (its CSV or Parquet files), or a glob."""
    from ktop_index.data.io import CSV_SUFFIXES, PARQUET_SUFFIXES

    text = os.fspath(path)
    suffixes = CSV_SUFFIXES + PARQUET_SUFFIXES
    if os.path.isdir(text):
        files = sorted(str(p) for p in Path(text).iterdir() if p.suffix.lower() in suffixes)
    elif glob.has_magic(text):
        files = sorted(glob.glob(text))
    else:
        files = [text] if os.path.exists(text) else []
    if not files:
        raise InputError(f"{text}: no such file (expected a CSV or Parquet file, a folder or "
                         "a pattern such as data/*.parquet)",
                         ko=f"{text}: 파일이 없습니다 (CSV 또는 Parquet 파일, 폴더 또는 "
                            "data/*.parquet 같은 패턴 필요)")
    kinds = {Path(f).suffix.lower() in PARQUET_SUFFIXES for f in files}
    if len(kinds) > 1 or not all(Path(f).suffix.lower() in suffixes for f in files):
        raise UsageError(f"{text}: the Dask engine reads CSV or Parquet files, all of one kind "
                         "(convert XLSX with ktop score's default engine)",
                         ko=f"{text}: Dask 엔진은 한 종류의 CSV 또는 Parquet 파일만 읽습니다 "
                            "(XLSX는 기본 엔진으로 처리하세요)")
    return files


def _csv_encoding(path: str) -> str:
    """The encoding of a CSV judged from its first 64 KiB (as the file reader judges it)."""
    from ktop_index.data.io import HEAD_BYTES, detect_encoding

    with open(path, "rb") as handle:
        head = handle.read(HEAD_BYTES)
    if len(head) == HEAD_BYTES and b"\n" in head:  # a character may be cut at the end
        head = head[:head.rindex(b"\n") + 1]
    return detect_encoding(head)


def read_dask(path: str | os.PathLike, partitions: int | None = None):
    """A raw Dask DataFrame of CSV or Parquet files, for :func:`score_dask`.

    ``path`` is a file, a folder of files or a glob (``/shared/panel/*.parquet``), on a path
    every worker reads; files are taken in name order. Parquet is read as written; CSV as
    text (UTF-8 or CP949, header on row 1, comma-separated; the null markers of the file
    reader). ``partitions`` repartitions to that many (default: Dask's, a file or a row
    group or 64 MB of CSV each).

    >>> ddf = read_dask("/shared/panel/*.parquet", partitions=64)      # doctest: +SKIP
    """
    import pyarrow.csv as pacsv

    from ktop_index.data.io import PARQUET_SUFFIXES

    _, dd = _dask()
    files = _input_files(path)
    if Path(files[0]).suffix.lower() in PARQUET_SUFFIXES:
        ddf = dd.read_parquet(files)
    else:
        ddf = dd.read_csv(files, dtype=str, encoding=_csv_encoding(files[0]),
                          keep_default_na=False, skipinitialspace=False,
                          na_values=list(pacsv.ConvertOptions().null_values))
    return ddf.repartition(npartitions=partitions) if partitions else ddf


def score_file_dask(input_path: str | os.PathLike, output_path: str | os.PathLike,
                    model: TechIndex | str | os.PathLike | None = None, *,
                    scheduler: str | None = None, partitions: int | None = None,
                    lang: str = "en", money_unit: str | None = None, mask: bool = False,
                    progress=None) -> ScoreRun:
    """``ktop score --engine dask``: read, validate and score on Dask; write one file.

    Parameters
    ----------
    input_path : CSV or Parquet files (:func:`read_dask`: a file, a folder or a glob).
    output_path : the scores file (CSV, XLSX or Parquet), gathered and written here: the same
        bytes as ``ktop score`` of the same rows.
    scheduler : a Dask scheduler's address (``tcp://host:8786``); its workers must read
        ``input_path``. None: the current scheduler (a ``distributed.Client`` made before,
        else Dask's threads on this machine).
    partitions : how many partitions to read into and to shuffle the firms into (default:
        Dask's).
    lang, money_unit, mask, progress : as :func:`ktop_index.index.files.score_file`
        (stages "reading", "validating", "scoring", "writing").

    Returns
    -------
    ScoreRun
    """
    import pyarrow as pa

    from ktop_index.data.io import PARQUET_SUFFIXES, write_parquet_blocks, write_table
    from ktop_index.data.mask import mask_frame
    from ktop_index.labels import localise_scores

    _dask()
    step = progress or (lambda stage, rows: None)
    model = as_model(model)
    client = _client(scheduler)
    try:
        step("reading", 0)
        for path in _input_files(input_path):
            _check_not_the_input(path, output_path)
        ddf = read_dask(input_path, partitions)
        step("validating", 0)
        scores, problems, rows = _score_dask(ddf, model, money_unit, Path(input_path).name)
        step("scoring", rows)
        scored = scores.compute()
    finally:
        if client is not None:
            client.close()
    scored.index = pd.RangeIndex(len(scored))
    step("writing", rows)
    count = int((scored["grade"] == model.spec_["not_rated_grade"]).sum())
    unadjusted = model.unadjusted_rows(scored)
    scored = mask_frame(scored, free_text=False) if mask else scored
    localised = localise_scores(scored, lang, indicator_labels_ko(model.spec_),
                                identity_labels_ko())
    if Path(output_path).suffix.lower() in PARQUET_SUFFIXES:  # as ktop score writes it
        table = pa.Table.from_pandas(localised, preserve_index=False)
        write_parquet_blocks([table.replace_schema_metadata(None)], output_path)
    else:
        write_table(localised, output_path)
    return ScoreRun(rows=rows, not_rated=count, unadjusted=unadjusted,
                    warnings=[p for p in problems if p.severity == "warning"], model=model)


def _client(scheduler: str | None):
    """A distributed Client of the scheduler at ``scheduler`` (None: none of its own)."""
    if scheduler is None:
        return None
    try:
        from distributed import Client
    except ImportError:
        raise UsageError(_NEEDS[0], ko=_NEEDS[1]) from None
    try:
        return Client(scheduler, timeout="10s")
    except (OSError, TimeoutError) as exc:
        raise UsageError(f"{scheduler}: cannot reach the Dask scheduler ({exc})",
                         ko=f"{scheduler}: Dask 스케줄러에 연결할 수 없습니다 ({exc})") from None
