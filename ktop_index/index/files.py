"""Scoring files (``ktop score``): :func:`score_file` reads, validates and scores a firm-year
file and writes the scores; :class:`ScoreRun` says what it did.

A CSV or Parquet input scored to a CSV or Parquet file is **streamed in bounded memory**,
read in batches (:func:`ktop_index.data.io.stream_table`), each batch validated and
quarantined as the whole file would be.

**One pass**, for a file whose firms each have their rows together (one after another, the
years in any order: how panels are usually exported, firm by firm): each batch is validated
(a firm-year repeated across batches can only be the last firm's:
:class:`~ktop_index.data.validate.SeenFirmRuns`), and scored and written as it comes, less
its last firm's rows, which go on with the next batch, so that every window scored holds all
the rows of its firms and their previous years (:func:`_score_grouped`). A firm met again
after other firms' rows ends the pass before the scores file is in place, and the file is
scored by the spill instead (a file sorted by year meets one at its second batch).

**The spill**, for any other file: one firm-year per row checked across batches with every
firm-year's hash (:class:`~ktop_index.data.validate.SeenFirmYears`), and what scoring needs
written to a temporary folder, in three passes:

1. **read and validate**: per batch, the identity columns, source fields and peer groups of
   the rows kept go to one Arrow file in input order; the firm, year and the fields a growth
   indicator needs go to one of *B* bucket files chosen by a hash of the firm, so that every
   year of a firm lands in the same bucket (about 200,000 firm-years per bucket);
2. **previous years**: per bucket, each firm-year's previous year is looked up among the
   bucket's rows (:func:`~ktop_index.index.indicators.previous_year_fields`, as for a whole
   frame) and written back by row position;
3. **score and write**: the Arrow file is read again in order, each batch gets its previous
   years from the buckets (each sorted by position: a merge), and is scored and written
   block by block (CSV, or Parquet in row groups of a fixed size).

The spill's memory holds a batch, a bucket and the 16 bytes per firm-year of the duplicate
check, however long the file (the one pass: a few batches and 8 bytes per firm); rejected
records beyond :data:`REJECTS_HELD_ROWS` wait on disk, on either path; the spill's disk
holds about the size of the input, as Arrow, while it runs (in the system's temporary
folder, ``TMPDIR``; a killed run's folder is removed by the next run). The scores are the
same bytes as the in-memory path gives, whatever the path and the batch size (tests). A file
that cannot be read batch by batch (an XLSX, an encoding error, a header problem, a value
that breaks the CSV's columns) is read whole instead, which says what is wrong exactly as before.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Self

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ktop_index._files import remove_orphans, scratch_folder
from ktop_index._threads import in_order, stage_threads
from ktop_index.data.io import TableStream, TypesChanged, write_csv_blocks
from ktop_index.data.mask import mask_frame, mask_values, personal_columns
from ktop_index.data.validate import (
    FirmsApart,
    SeenFirmRuns,
    SeenFirmYears,
    SeenHashes,
    Validated,
    firm_runs,
    text_hashes,
    validate,
)
from ktop_index.errors import DataError, UsageError
from ktop_index.index.indicators import (
    growth_fields,
    previous_year_fields,
    previous_years,
    source_fields,
)
from ktop_index.index.spec import indicator_labels_ko
from ktop_index.index.techindex import (
    _BLOCK_ROWS,
    IDENTITY_COLUMNS,
    TechIndex,
    _arrow_of,
    _localised,
    _score_tables,
    _with_scores,
    as_model,
    identity_labels_ko,
    score_firms,
)
from ktop_index.labels import localise_score_table


@dataclass
class ScoreRun:
    """What :func:`score_file` did: ``rows`` scored, how many ``not_rated``, how many
    ``unadjusted`` (measured against the whole reference for want of an industry:
    :meth:`TechIndex.unadjusted_rows`), the validation ``warnings`` (Problems), the
    ``model`` used and how many rows were ``rejected`` to the rejects file (0 without one).
    The file's records are ``rows + rejected``."""

    rows: int
    not_rated: int
    unadjusted: int
    warnings: list = field(default_factory=list)
    model: TechIndex | None = None
    rejected: int = 0


def _check_not_the_input(input_path, output_path) -> None:
    """Writing the scores over the file they come from would lose the firms' data."""
    if os.path.exists(output_path) and os.path.samefile(input_path, output_path):
        raise UsageError(f"{output_path}: is the input file; write the scores to another file",
                         ko=f"{output_path}: 입력 파일입니다. 점수는 다른 파일에 쓰십시오")


def _check_rejects_path(input_path, output_path, rejects) -> None:
    """The rejects file is neither the input nor the scores, and has a suffix we write."""
    from ktop_index.data.io import CSV_SUFFIXES, EXCEL_SUFFIXES, PARQUET_SUFFIXES

    _check_not_the_input(input_path, rejects)
    if os.path.realpath(rejects) == os.path.realpath(output_path):
        raise UsageError(f"--rejects {rejects}: is the scores file; write the rejected rows to "
                         "another file",
                         ko=f"--rejects {rejects}: 점수 파일과 같은 파일입니다. 제외한 행은 다른 "
                            "파일에 쓰십시오")
    suffix = os.path.splitext(rejects)[1].lower()
    if suffix not in CSV_SUFFIXES + EXCEL_SUFFIXES + PARQUET_SUFFIXES:
        raise UsageError(f"--rejects {rejects}: unknown file type '{suffix}' (expected .csv, "
                         ".xlsx or .parquet)",
                         ko=f"--rejects {rejects}: 알 수 없는 파일 형식 '{suffix}' (.csv, .xlsx "
                            "또는 .parquet)")


def _quarantine(table, result, rejects, lang: str, mask: bool):
    """Split a validated file into the records to score and the rejected ones, and write
    the rejected records to ``rejects``; return the frame to score, the warnings kept and
    the number rejected.

    A record is rejected when an error names its row (a bad cell or a broken rule; a
    duplicated firm-year names the later row, so the first stays). Problems of the file as a
    whole (on the header row: a missing column, a money unit, a duplicated column, no rows)
    cannot be quarantined: the file is refused with every problem, and nothing is written.
    The rejects file holds the rejected records' cells as read (a number the reader took
    as one is written as that number: ``100748.0`` as ``100748``), under the file's
    headers, with ``row`` (the spreadsheet row) first and ``problems`` (each error as
    ``COLUMN: message``, joined by `` | ``) last, in ``lang`` (행, 문제); a header of the
    file already so named gets ``ktop `` before ours. It is written even when no row is
    rejected (headers only), so a batch job always finds it. The records kept are scored as
    if the file held only them.
    """
    frame, warnings, out = _split_rejected(table, result, lang)
    _write_rejects(out, rejects, mask)
    return frame, warnings, len(out)


def _split_rejected(table, result, lang: str):
    """:func:`_quarantine` without the writing: the frame to score, the warnings kept and
    the rejected records as the rejects file shows them."""
    from ktop_index.labels import REJECTS_COLUMNS

    rows = np.asarray(table.rows)
    errors = [p for p in result.problems if p.severity == "error"]
    record_rows = set(rows.tolist()) if errors else set()
    if any(p.row not in record_rows for p in errors):
        raise DataError(result.problems)
    reasons: dict[int, list[str]] = {}
    for p in errors:
        reasons.setdefault(p.row, []).append(f"{p.column}: {p.message(lang)}")
    bad = np.isin(rows, np.fromiter(reasons, dtype=np.int64, count=len(reasons)))
    headers = [str(c) for c in table.frame.columns]
    row_name, problems_name = (name if name not in headers else f"ktop {name}"
                               for name in REJECTS_COLUMNS[lang])
    out = table.frame[bad].reset_index(drop=True)
    out.insert(0, row_name, rows[bad].astype(np.int64))
    out[problems_name] = [" | ".join(reasons[int(r)]) for r in rows[bad]]
    if not errors:
        return result.frame, list(result.warnings), out
    keep = ~bad
    frame = result.frame[keep].reset_index(drop=True)
    frame.attrs["rows"] = rows[keep]
    rejected_rows = set(reasons)
    warnings = [p for p in result.warnings if p.row not in rejected_rows]
    return frame, warnings, out


def _write_rejects(out: pd.DataFrame, rejects, mask: bool) -> None:
    from ktop_index.data.io import write_table

    write_table(mask_frame(out) if mask else out, rejects)


def score_file(input_path: str | os.PathLike, output_path: str | os.PathLike,
               model: TechIndex | str | os.PathLike | None = None, *, lang: str = "en",
               sheet: str | int | None = None, money_unit: str | None = None,
               workers: int | None = None, header_row: int | None = None,
               progress: Callable[[str, int], None] | None = None,
               mask: bool = False, rejects: str | os.PathLike | None = None,
               batch_rows: int | None = None, stream: TableStream | None = None) -> ScoreRun:
    """Read, validate and score a firm-year file, and write the scores (``ktop score``).

    A CSV or Parquet file scored to a CSV or Parquet file is streamed in bounded memory (this
    module's docstring): read, validated and scored ``batch_rows`` records at a time (default
    :data:`ktop_index.data.io.STREAM_ROWS`), with the same bytes written as when the file is
    read whole. An XLSX input or output is read or written whole.

    Parameters
    ----------
    input_path : a CSV, XLSX or Parquet file of firm-years (:func:`ktop_index.data.io.read_table`).
    output_path : the scores file; its suffix picks CSV, XLSX or Parquet. A CSV or Parquet
        file is written block by block while the next is scored (Parquet: row groups of
        :data:`ktop_index.data.io.PARQUET_GROUP_ROWS` rows, text rather than categories).
    model : a fitted TechIndex or a model file (the bundled default when None).
    lang : the language of the written headers and reasons ('en' or 'ko').
    sheet, header_row, money_unit : as :func:`ktop_index.data.io.read_table` and
        :func:`ktop_index.data.validate.validate` take them.
    workers : threads scoring (default: :func:`ktop_index._threads.stage_threads`, half the
        cores, from 1 to 4: the reading, the formatting and the writing run beside them).
    progress : called as ``progress(stage, rows)`` at each stage. A streamed file (its
        length estimated from its first 64 KiB) has "reading, scoring and writing" in one
        pass, or "reading and validating" then "scoring and writing" by the spill (after the
        first stage when the one pass met a firm again); a file read whole has "reading",
        "validating", then "scoring and writing" (CSV) or "scoring" and "writing". A callback
        that also has an ``advance(n)`` method is told the rows read and validated, batch by
        batch, and the rows the spill scored and wrote, block by block (the command line's
        :class:`~ktop_index.cli._common.Progress` draws its bar from it); a plain function is
        only called at the stages.
    mask : write a copy for outside the committee: business numbers (``brn``, a firm_id that
        is one) and addresses masked (:mod:`ktop_index.data.mask`), after scoring, so the
        scores are those of the unmasked data. Such a file is not imported into the store.
        The rejects file is masked too (its cells, and the business numbers in its messages).
    rejects : quarantine for batch jobs: a file (CSV, XLSX or Parquet) that receives every
        record with an error, with its spreadsheet ``row`` and its ``problems``; the other
        records are scored as if the file held only them, so a rejected firm-year is not
        there as the previous year of the next one (its growth indicators are missing). The
        file's records are ``ScoreRun.rows + ScoreRun.rejected``; problems of the file as a
        whole (a missing column, a money unit) still refuse it. Without it (the default), any
        error refuses the file.
    batch_rows : records per streamed batch (default :data:`ktop_index.data.io.STREAM_ROWS`).
    stream : ``input_path`` already opened by :func:`ktop_index.data.io.stream_table` (and
        begun: :meth:`~ktop_index.data.io.TableStream.start`), streamed instead of opening it
        again when the file is streamed: ``ktop score`` starts reading before pandas loads.

    Returns
    -------
    ScoreRun

    Raises
    ------
    InputError
        The input cannot be read.
    DataError
        The input has errors (all of them in ``problems``, warnings too); with ``rejects``,
        errors of the file as a whole, or every record rejected (the rejects file is then
        written, the scores not).

    >>> run = score_file("data/jeju_2025_applicants.csv", "scores.csv")   # doctest: +SKIP
    >>> run.rows, run.not_rated                                         # doctest: +SKIP
    (150, 1)
    >>> run = score_file("batch.csv", "scores.csv", rejects="rejects.csv")  # doctest: +SKIP
    >>> run.rows, run.rejected                                          # doctest: +SKIP
    (9998, 2)
    """
    from ktop_index.data.io import (
        STREAM_ROWS,
        read_table,
        stream_table,
        write_table,
        written_in_blocks,
    )
    from ktop_index.data.validate import validate

    _check_not_the_input(input_path, output_path)
    if rejects is not None:
        _check_rejects_path(input_path, output_path, rejects)
    step = progress or (lambda stage, rows: None)
    workers = stage_threads() if workers is None else workers
    streamed = written_in_blocks(output_path)
    if streamed and sheet is None:
        if stream is None:
            stream = stream_table(input_path, rows=batch_rows or STREAM_ROWS,
                                  header_row=header_row)
        if stream is not None:
            try:
                return score_stream(stream, output_path, as_model(model), lang=lang,
                                    money_unit=money_unit, workers=workers, mask=mask,
                                    rejects=rejects, progress=progress)
            except ReadWhole:
                pass  # read whole below, which names what is wrong
    step("reading", 0)
    table = read_table(input_path, sheet=sheet, header_row=header_row)
    step("validating", len(table.frame))
    result = validate(table, money_unit=money_unit)
    frame, warnings, rejected = result.frame, list(result.warnings), 0
    if rejects is not None:
        frame, warnings, rejected = _quarantine(table, result, rejects, lang, mask)
        if frame.empty:
            raise DataError(f"{table.source}: every one of its {rejected} rows has errors, so "
                            f"there is nothing to score; they are in {rejects}",
                            ko=f"{table.source}: {rejected}개 행 모두 오류가 있어 점수를 낼 "
                               f"행이 없습니다. 모두 {rejects}에 있습니다")
    elif not result.ok:
        raise DataError(result.problems)
    model = as_model(model)
    not_rated = model.spec_["not_rated_grade"]
    if streamed:
        step("scoring and writing", len(frame))
        count = sum(_write_streamed(frame, model, output_path, lang, workers, mask,
                                    advance=getattr(progress, "advance", None)))
    else:
        step("scoring", len(frame))
        scored = score_firms(frame, model)
        count = int((scored["grade"] == not_rated).sum())
        step("writing", len(frame))
        scored = mask_frame(scored, free_text=False) if mask else scored
        write_table(_localised(scored, lang, model), output_path)
    return ScoreRun(rows=len(frame), not_rated=count, unadjusted=model.unadjusted_rows(frame),
                    warnings=warnings, model=model, rejected=rejected)


def _masked_table(block: pa.Table) -> pa.Table:
    """A block of scores with its personal columns masked, as :func:`mask_frame` masks them."""
    for name, kind in personal_columns(block.column_names).items():
        k = block.column_names.index(name)
        values = mask_values(block.column(k).to_pylist(), kind)
        block = block.set_column(k, name, pa.array(values, type=block.schema.field(k).type))
    return block


def _write_streamed(frame: pd.DataFrame, model: TechIndex, path, lang: str,
                    workers: int, mask: bool = False,
                    advance: Callable[[int], None] | None = None) -> list[int]:
    """Stream the scores of ``frame`` to a CSV or Parquet file in ``lang``; the not-rated
    count of each block (a CSV: the same bytes as ``write_table`` of the localised
    :func:`score_firms`). ``advance(n)``, when given, is called with each block's rows once
    it is handed to the writer."""
    counts: list[int] = []
    tables = _score_tables(frame, model, workers=workers)
    _block_writer(path)(_localised_blocks(tables, model, lang, mask, counts, advance), path)
    return counts


def _block_writer(path) -> Callable:
    """The writer of a scores file written block by block: CSV, or Parquet by suffix."""
    from ktop_index.data.io import PARQUET_SUFFIXES, write_parquet_blocks

    suffix = os.path.splitext(path)[1].lower()
    return write_parquet_blocks if suffix in PARQUET_SUFFIXES else write_csv_blocks


def _localised_blocks(tables: Iterator[pa.Table], model: TechIndex, lang: str, mask: bool,
                      counts: list[int], advance: Callable[[int], None] | None
                      ) -> Iterator[pa.Table]:
    """Blocks of scores as written: masked when asked, in ``lang``; each block's not-rated
    count appended to ``counts``, ``advance(rows)`` called once it is handed on."""
    labels_ko, fields_ko = indicator_labels_ko(model.spec_), identity_labels_ko()
    for block in tables:
        is_nr = pc.equal(block["grade"].cast(pa.string()), model.spec_["not_rated_grade"])
        counts.append(pc.sum(is_nr).as_py() or 0)
        yield localise_score_table(_masked_table(block) if mask else block, lang,
                                   labels_ko, fields_ko)
        if advance is not None:
            advance(block.num_rows)


# ------------------------------------------------------------- streaming in bounded memory

BUCKET_ROWS = 200_000  # firm-years per bucket of the previous-year lookup
_PREVIOUS_BATCH = 16_384  # rows per record batch of a bucket's previous years


class ReadWhole(Exception):
    """The file cannot be scored batch by batch: read it whole (the caller does)."""


def score_stream(stream: TableStream, output_path, model, *, lang: str, money_unit,
                 workers: int, mask: bool, rejects, progress: Callable | None = None):
    """Score ``stream`` into the CSV or Parquet ``output_path`` in bounded memory; the
    arguments and the result are :func:`score_file`'s. A file whose firms' rows are each
    together is scored in one pass (:func:`_score_grouped`), any other by the three passes
    of the spill (:func:`_score_stream`). Raises :class:`ReadWhole` when the file must be
    read whole instead."""
    for prefix in ("ktop-stream", "ktop-rejects"):  # a killed run's, whichever path runs now
        remove_orphans(prefix)
    options = {"lang": lang, "money_unit": money_unit, "workers": workers, "mask": mask,
               "rejects": rejects, "progress": progress}
    try:
        return _score_either(stream, output_path, model, options)
    except TypesChanged:
        return _score_either(stream.as_text(), output_path, model, options)


def _score_either(stream, output_path, model, options: dict):
    try:
        return _score_grouped(stream, output_path, model, **options)
    except NotGrouped:  # nothing was written: the scores file is written whole or not at all
        return _score_stream(stream, output_path, model, **options)


def _score_stream(stream, output_path, model, *, lang, money_unit, workers, mask, rejects,
                  progress):
    step = progress or (lambda stage, rows: None)
    advance = getattr(progress, "advance", None)
    with scratch_folder("ktop-stream") as tmp, _Checked() as checked:
        spill = _Spill(tmp, _bucket_count(stream), growth_fields(model._indicators()))
        step("reading and validating", stream.estimated_rows())
        for frame, rows in _kept_batches(stream, model, money_unit, rejects is not None, lang,
                                         advance, checked, SeenFirmYears()):
            spill.add(frame, rows)
        if rejects is not None:
            _write_rejects_of(checked, stream, rejects, mask)
        spill.close()
        spill.previous_years(model)
        step("scoring and writing", checked.kept)
        counts: list[int] = []
        _block_writer(output_path)(_localised_blocks(_scored(spill, model, workers), model,
                                                     lang, mask, counts, advance), output_path)
    return checked.run(model, counts)


def _score_grouped(stream, output_path, model, *, lang, money_unit, workers, mask, rejects,
                   progress):
    """Score ``stream`` in one pass, as long as each firm's rows are together (consecutive
    in the file, in any order of years): read, validate, score and write batch by batch,
    each firm's previous years looked up among its own rows. Raises :class:`NotGrouped`,
    before the scores file is in place, at the first firm met again after other firms' rows
    (a file sorted by year, say, at its second batch)."""
    step = progress or (lambda stage, rows: None)
    step("reading, scoring and writing", stream.estimated_rows())
    with _Checked() as checked:
        seen = SeenFirmRuns()
        batches = _kept_batches(stream, model, money_unit, rejects is not None, lang,
                                getattr(progress, "advance", None), checked, seen)
        tasks = (task for window in _firm_windows(batches, seen)
                 for task in _block_tasks(window, model))
        scored = in_order(tasks, workers, ahead=_BLOCKS_AHEAD)
        counts: list[int] = []
        try:
            _block_writer(output_path)(_localised_blocks(_some_kept(scored, checked), model,
                                                         lang, mask, counts, None), output_path)
        except _NothingKept:
            pass  # the rejects are written below, and the error raised
        if rejects is not None:
            _write_rejects_of(checked, stream, rejects, mask)
    return checked.run(model, counts)


NotGrouped = FirmsApart  # a firm's rows are not all together: score by the spill


class _NothingKept(Exception):
    """Every row was rejected: no scores file is written."""


def _some_kept(tables: Iterator[pa.Table], checked) -> Iterator[pa.Table]:
    """``tables``; at their end, :class:`_NothingKept` when no row was kept, so that the
    writer leaves no scores file."""
    yield from tables
    if not checked.kept:
        raise _NothingKept


def _write_rejects_of(checked, stream, rejects, mask: bool) -> None:
    """Write the rejected rows; when they are every row, say there is nothing to score. A
    CSV rejects file is written part by part (the same bytes as written whole); XLSX and
    Parquet from all the parts at once."""
    from ktop_index.data.io import CSV_SUFFIXES

    frames = checked.parts.frames()
    if os.path.splitext(rejects)[1].lower() in CSV_SUFFIXES:
        write_csv_blocks((mask_frame(frame) if mask else frame for frame in frames), rejects)
    else:
        _write_rejects(pd.concat(list(frames), ignore_index=True), rejects, mask)
    if not checked.kept:
        raise DataError(f"{stream.source}: every one of its {checked.rejected} rows has "
                        f"errors, so there is nothing to score; they are in {rejects}",
                        ko=f"{stream.source}: {checked.rejected}개 행 모두 오류가 있어 점수를 "
                           f"낼 행이 없습니다. 모두 {rejects}에 있습니다")


def _bucket_count(stream: TableStream) -> int:
    return max(1, min(512, math.ceil(stream.estimated_rows() / BUCKET_ROWS)))


def _batches(stream: TableStream) -> Iterator:
    """The stream's batches; a reader error (not a changed type) means: read it whole."""
    batches = iter(stream)
    while True:
        try:
            batch = next(batches)
        except StopIteration:
            return
        except TypesChanged:
            raise
        except (pa.ArrowException, UnicodeError, OSError, ValueError) as exc:
            raise ReadWhole(str(exc)) from None
        yield batch


REJECTS_HELD_ROWS = 65_536  # rejected records held in memory before they go to disk


class _RejectedParts:
    """The rejected records of a streamed file, one part per batch as the rejects file shows
    them: held in memory up to :data:`REJECTS_HELD_ROWS` records, then spilled to Arrow files
    in a scratch folder (removed by :meth:`close`), so that memory does not grow with the
    number of bad rows. A part that arrow cannot hold keeps every later part in memory."""

    def __init__(self):
        self.held: list[pd.DataFrame] = []
        self.held_rows = 0
        self.spilled: list[Path] = []
        self.stack = ExitStack()
        self.folder: Path | None = None
        self.can_spill = True

    def add(self, part: pd.DataFrame) -> None:
        self.held.append(part)
        self.held_rows += len(part)
        if self.held_rows > REJECTS_HELD_ROWS and self.can_spill:
            self._spill()

    def _spill(self) -> None:
        if self.folder is None:
            self.folder = self.stack.enter_context(scratch_folder("ktop-rejects"))
        while self.held:
            try:
                table = pa.Table.from_pandas(self.held[0], preserve_index=False)
            except (pa.ArrowException, TypeError, ValueError):
                self.can_spill = False  # kept in memory from here on, in order
                return
            path = self.folder / f"{len(self.spilled):06d}.arrow"
            with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as out:
                out.write_table(table)
            self.spilled.append(path)
            self.held_rows -= len(self.held.pop(0))

    def frames(self) -> Iterator[pd.DataFrame]:
        """The parts in file order."""
        for path in self.spilled:
            with pa.memory_map(str(path)) as source:
                yield pa.ipc.open_file(source).read_all().to_pandas()
        yield from self.held

    def close(self) -> None:
        self.stack.close()


@dataclass
class _Checked:
    """What validating a stream's batches found so far: the problems kept (the warnings,
    with ``rejects``), whether an error refuses the file, the rows kept, the rows rejected
    (and their records, as the rejects file shows them) and the rows measured against the
    whole reference."""

    problems: list = field(default_factory=list)
    failed: bool = False
    kept: int = 0
    rejected: int = 0
    unadjusted: int = 0
    parts: _RejectedParts = field(default_factory=_RejectedParts)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.parts.close()  # the rejected records spilled to disk, if any

    def run(self, model, counts: list[int]) -> ScoreRun:
        return ScoreRun(rows=self.kept, not_rated=sum(counts), unadjusted=self.unadjusted,
                        warnings=self.problems, model=model, rejected=self.rejected)


def _kept_batches(stream, model, money_unit, quarantine: bool, lang, advance,
                  checked: _Checked, seen: SeenFirmYears | SeenFirmRuns
                  ) -> Iterator[tuple[pd.DataFrame, _Rows]]:
    """Validate every batch and yield the rows to score of each (as a frame, and taken
    apart: :class:`_Rows`), noting in ``checked`` the problems as validating the whole file
    gives them (a header's problems once); at the end, without quarantine, one DataError of
    them all if any is an error. ``seen`` finds the firm-years repeated across batches."""
    for k, raw in enumerate(_batches(stream)):
        result = validate(raw, money_unit=money_unit, seen=seen)
        found = result.problems
        if k == 0 and any(p.severity == "error" and p.row <= raw.header_row for p in found):
            raise ReadWhole("a problem of the file as a whole")  # read_table names them all
        if k > 0:  # a header's problems are the first batch's
            found = [p for p in found if p.row > raw.header_row]
        result = Validated(result.frame, found, result.rows)
        if advance is not None:
            advance(len(raw.frame))
        if not quarantine:
            checked.problems += found
            checked.failed = checked.failed or not result.ok
            if checked.failed:
                continue
            frame = result.frame
        else:
            frame, warnings, out = _split_rejected(raw, result, lang)
            checked.problems += warnings
            checked.parts.add(out)
            checked.rejected += len(out)
        rows = _Rows.of(frame, model)
        checked.unadjusted += rows.unadjusted(model)
        checked.kept += len(frame)
        yield frame, rows
    if checked.failed:
        raise DataError(checked.problems)
    if not checked.kept + checked.rejected and not checked.problems:
        raise ReadWhole("no rows")  # a header alone: the whole file's check says so


# ------------------------------------------------------------- one pass, firm by firm

@dataclass
class _Rows:
    """Validated rows taken apart for scoring: the identity columns (arrow), the source
    fields and the peer positions (numpy), as :meth:`TechIndex._array_blocks` takes them."""

    identity: pa.Table
    fields: dict
    peers: tuple

    @classmethod
    def of(cls, frame: pd.DataFrame, model) -> _Rows:
        identity = frame[[c for c in IDENTITY_COLUMNS if c in frame]]
        identity.attrs = {}  # validate's row numbers: arrow would try to store them
        return cls(pa.Table.from_pandas(identity, preserve_index=False),
                   source_fields(frame, model._indicators()), model._peer_positions(frame))

    def __len__(self) -> int:
        return self.identity.num_rows

    def unadjusted(self, model) -> int:
        """:meth:`TechIndex.unadjusted_rows` of these rows."""
        return int((self.peers[2] < 0).sum()) if model.value_offsets_ else 0

    def then(self, other: _Rows) -> _Rows:
        """These rows followed by ``other``'s."""
        identity = other.identity.cast(self.identity.schema)
        return _Rows(pa.concat_tables([self.identity, identity]),
                     {f: np.concatenate([v, other.fields[f]]) for f, v in self.fields.items()},
                     tuple(np.concatenate(pair) for pair in zip(self.peers, other.peers)))

    def _rows(self, start: int, stop: int) -> _Rows:
        return _Rows(self.identity.slice(start, stop - start),
                     {f: v[start:stop] for f, v in self.fields.items()},
                     tuple(p[start:stop] for p in self.peers))

    def leading_run(self, firm: str) -> int:
        """How many rows at the start are of ``firm``."""
        other = np.flatnonzero(~pc.equal(self.identity.column("firm_id"), firm).fill_null(
            False).to_numpy(zero_copy_only=False))
        return int(other[0]) if other.size else len(self)

    def last_firm_start(self) -> tuple[int, bool]:
        """Where the run of rows of the last row's firm begins, and whether that firm has
        rows before the run too."""
        firm = self.identity.column("firm_id")
        same = pc.equal(firm, firm[-1]).fill_null(False).to_numpy(zero_copy_only=False)
        other = np.flatnonzero(~same)
        at = int(other[-1]) + 1 if other.size else 0
        return at, bool(same[:at].any())


def _firm_windows(batches: Iterator[tuple[pd.DataFrame, _Rows]],
                  validated: SeenFirmRuns | None = None) -> Iterator[_Rows]:
    """The rows of the batches in windows that each hold every row of their firms. A batch
    is taken apart as soon as it comes (:func:`_taken_apart`), so that scoring need not wait
    for the next one: the run of the firm the batch before ended with, joined to the rows it
    goes on with here (the only copy), then the rest up to the run of this batch's last
    firm, which goes on into the next batch; after the last batch, what goes on is the last
    window. Raises :class:`NotGrouped` when a window has a firm an earlier one had, unless
    ``validated``, the batches' :class:`SeenFirmRuns`, checked the firm ids already (read
    as each batch comes: its validation sets it)."""
    seen = SeenHashes()
    carry: _Rows | None = None  # the rows going on into the next batch, yet to be yielded
    for _, rows in batches:
        if not len(rows):
            continue
        windows, carry = _taken_apart(carry, rows)
        for window in windows:
            _remember_firms(seen, window, validated)
            yield window
    if carry is not None:
        _remember_firms(seen, carry, validated)
        yield carry


def _taken_apart(carry: _Rows | None, rows: _Rows) -> tuple[list[_Rows], _Rows]:
    """The windows of a batch, and the rows that go on into the next: the run of its last
    firm, or all the rest when that firm has rows further up too (a firm apart inside a
    batch stays in one window). ``carry`` is what the batch before left to go on."""
    windows = []
    if carry is not None:
        joined = rows.leading_run(carry.identity.column("firm_id")[-1].as_py())
        if joined == len(rows):  # the whole batch is the carried firm's
            return windows, carry.then(rows)
        windows.append(carry.then(rows._rows(0, joined)) if joined else carry)
        rows = rows._rows(joined, len(rows))
    at, apart = rows.last_firm_start()
    if apart:  # the last firm has rows further up too: they all go on, in one window
        return windows, rows
    if at:
        windows.append(rows._rows(0, at))
    return windows, rows._rows(at, len(rows))


def _remember_firms(seen: SeenHashes, rows: _Rows, validated: SeenFirmRuns | None) -> None:
    """Add a window's firms to ``seen``; :class:`NotGrouped` if one was met before (or two
    firms share a hash: the file is then scored by the spill, never wrongly). Nothing to
    do when validation checked these firm ids: the rows kept of firms together are too."""
    if validated is not None and validated.firm_ids:
        return
    firms = rows.identity.column("firm_id")
    hashes = firm_runs(firms)[1]  # each firm once, when the window has them together
    if seen.add_new(text_hashes(pc.unique(firms)) if hashes is None else hashes):
        raise NotGrouped


_BLOCKS_AHEAD = 4  # blocks scored ahead of the one written: about a batch's worth


def _block_tasks(rows: _Rows, model) -> Iterator[Callable[[], pa.Table]]:
    """One task per block of a window (functions of no argument, each giving the block's
    score table, identity columns first): with several scoring threads (4 cores and more)
    the blocks of one window are scored side by side, so that the last window of a file
    does not keep one core alone. The window's previous years are looked up among its own
    rows by the first task that needs them."""
    previous = _Previous(rows, model)
    for start in range(0, len(rows), _BLOCK_ROWS):
        yield partial(_score_block, rows, previous, slice(start, start + _BLOCK_ROWS), model)


class _Previous:
    """A window's previous-year fields, found once, in a scoring thread (not the thread
    that validates the next batch)."""

    def __init__(self, rows: _Rows, model):
        self.rows, self.model = rows, model
        self.lock = threading.Lock()
        self.fields: dict | None = None

    def get(self) -> dict:
        with self.lock:
            if self.fields is None:
                growth = growth_fields(self.model._indicators())
                identity = self.rows.identity
                firm = pc.dictionary_encode(identity.column("firm_id").combine_chunks())
                year = identity.column("year").to_numpy().astype("float64")
                self.fields = previous_years(firm.indices.to_numpy(), year,
                                             {f: self.rows.fields[f] for f in growth})
            return self.fields


def _score_block(rows: _Rows, previous: _Previous, block: slice, model) -> pa.Table:
    """The score table of one block of a window."""
    columns = model._array_block(rows.fields, previous.get(), rows.peers, len(rows), block,
                                 finish=_arrow_of)
    return next(_with_scores(rows.identity, iter([(block.start, columns)])))


# ------------------------------------------------------------- three passes, by the spill

class _Spill:
    """The temporary files of one run: the rows in order, and the buckets."""

    def __init__(self, folder: Path, buckets: int, growth: list[str]):
        self.folder, self.buckets, self.growth = folder, buckets, growth
        self.ordered = None
        self.bucket_writers: list = [None] * buckets
        self.position = 0

    def add(self, frame: pd.DataFrame, rows: _Rows) -> None:
        """Spill a batch of validated rows to keep (as a frame, and taken apart)."""
        table, fields, peers = rows.identity, rows.fields, rows.peers
        for name, values in fields.items():
            table = table.append_column(f"\x00field {name}", pa.array(values))
        for k, values in enumerate(peers):
            table = table.append_column(f"\x00peer {k}", pa.array(values, type=pa.int64()))
        table = table.replace_schema_metadata(None)
        if self.ordered is None:
            self.schema = table.schema
            self.ordered = pa.ipc.new_stream(str(self.folder / "ordered.arrow"), table.schema)
        self.ordered.write_table(table if table.schema == self.schema
                                 else table.cast(self.schema))
        self._add_to_buckets(frame, fields)
        self.position += len(frame)

    def _add_to_buckets(self, frame: pd.DataFrame, fields: dict) -> None:
        rows = len(frame)
        firm = frame["firm_id"].astype("str")  # validate derives it from brn when absent
        year = pd.to_numeric(frame["year"], errors="coerce").to_numpy(dtype="float64",
                                                                       na_value=np.nan)
        narrow = pa.table({"firm_id": pa.array(firm, type=pa.large_string(), from_pandas=True),
                           "year": year,
                           "position": np.arange(rows, dtype=np.int64) + self.position,
                           **{f: fields[f] for f in self.growth}})
        bucket = (pd.util.hash_pandas_object(firm, index=False).to_numpy()
                  % np.uint64(self.buckets)).astype(np.int64)
        order = np.argsort(bucket, kind="stable")
        edges = np.searchsorted(bucket[order], np.arange(self.buckets + 1))
        for j in range(self.buckets):
            if edges[j] == edges[j + 1]:
                continue
            part = narrow.take(pa.array(order[edges[j]:edges[j + 1]]))
            if self.bucket_writers[j] is None:
                self.bucket_writers[j] = pa.ipc.new_stream(str(self._bucket(j)), part.schema)
            self.bucket_writers[j].write_table(part)

    def _bucket(self, j: int) -> Path:
        return self.folder / f"bucket-{j:03d}.arrow"

    def _previous(self, j: int) -> Path:
        return self.folder / f"previous-{j:03d}.arrow"

    def close(self) -> None:
        for writer in [self.ordered, *self.bucket_writers]:
            if writer is not None:
                writer.close()

    def previous_years(self, model) -> None:
        """Pass 2: each bucket's previous years, by position."""
        for j in range(self.buckets):
            if self.bucket_writers[j] is None:
                continue
            with pa.ipc.open_stream(_read(self._bucket(j))) as reader:
                rows = reader.read_all()
            frame = rows.select(["firm_id", "year", *self.growth]).to_pandas()
            previous = previous_year_fields(frame, model._indicators())
            table = pa.table({"position": rows.column("position"),
                              **{f: previous[f] for f in self.growth}})
            with pa.ipc.new_stream(str(self._previous(j)), table.schema) as writer:
                writer.write_table(table, max_chunksize=_PREVIOUS_BATCH)
            os.remove(self._bucket(j))

    def batches(self) -> Iterator[tuple[pa.Table, dict, dict, tuple]]:
        """Pass 3: the spilled rows as (identity, fields, previous years, peers), one batch
        as spilled at a time."""
        cursors = [_Cursor(self._previous(j), self.growth) for j in range(self.buckets)
                   if self.bucket_writers[j] is not None]
        start = 0
        with pa.ipc.open_stream(_read(self.folder / "ordered.arrow")) as reader:
            for batch in reader:
                rows = batch.num_rows
                names = batch.schema.names
                fields = {n.split(" ", 1)[1]: batch.column(n).to_numpy()
                          for n in names if n.startswith("\x00field ")}
                peers = tuple(batch.column(n).to_numpy() for n in names
                              if n.startswith("\x00peer "))
                previous = {f: np.full(rows, np.nan) for f in self.growth}
                for cursor in cursors:
                    cursor.fill(previous, start, start + rows)
                identity = pa.Table.from_batches([batch]).select(
                    [n for n in names if not n.startswith("\x00")])
                yield identity, fields, previous, peers
                start += rows


def _read(path: Path) -> pa.NativeFile:
    """A spilled file opened for reading into buffers: a path would be memory-mapped, and
    the pages read would count as the process's memory until the end."""
    return pa.OSFile(str(path), "rb")


class _Cursor:
    """A bucket's previous years, read forward by position."""

    def __init__(self, path: Path, growth: list[str]):
        self.reader = pa.ipc.open_stream(_read(path))
        self.growth = growth
        self.batch: pa.RecordBatch | None = None
        self.offset = 0

    def fill(self, previous: dict, start: int, stop: int) -> None:
        """Scatter the bucket's rows with ``start <= position < stop`` into ``previous``."""
        while True:
            if self.batch is None or self.offset >= self.batch.num_rows:
                try:
                    self.batch, self.offset = self.reader.read_next_batch(), 0
                except StopIteration:
                    self.batch = None
                    return
            position = self.batch.column(0).to_numpy()[self.offset:]
            take = int(np.searchsorted(position, stop))
            at = position[:take] - start
            for f in self.growth:
                column = self.batch.column(self.batch.schema.get_field_index(f))
                previous[f][at] = column.to_numpy()[self.offset:self.offset + take]
            self.offset += take
            if self.offset < self.batch.num_rows:
                return


def _scored(spill: _Spill, model, workers: int) -> Iterator[pa.Table]:
    """The score tables of every spilled batch, in order (identity columns first)."""
    for identity, fields, previous, peers in spill.batches():
        yield from _with_scores(identity, model._array_blocks(
            fields, previous, peers, identity.num_rows, _BLOCK_ROWS, workers, finish=_arrow_of))
