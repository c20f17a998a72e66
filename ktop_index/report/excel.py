"""The selection as a formatted Excel workbook, the way a program officer works with it.

:func:`write_selection_xlsx` writes the selection sheet — a bold header row with a filter,
frozen with the business number and firm name columns,
Korean headers with ``lang='ko'`` (money headers name the unit, 천원), thousands separators on
money (KRW thousand), one decimal on the index, percentages for probabilities, the status cell
coloured (selected green, waitlist yellow, not selected grey, ineligible red), column widths
that fit Korean text, and every text cell that a spreadsheet would run as a formula
(starting with ``=``, ``+``, ``-``, ``@``) stored as text. The file is written atomically and
the same table always gives the same bytes (time stamps pinned as in :mod:`ktop_index.data.io`).
Given the round's audit, a second sheet, the summary (요약): the call, when it was decided
(KST), the counts, the money split and what is left, and how the selection score is built.

Example
-------
>>> from ktop_index.report.excel import write_selection_xlsx                 # doctest: +SKIP
>>> write_selection_xlsx(result.table, "out/selection_ko.xlsx", lang="ko")  # doctest: +SKIP
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ktop_index._files import atomic_write
from ktop_index.data.io import is_formula_like, pin_xlsx_times, xlsx_text
from ktop_index.errors import UsageError
from ktop_index.labels import (
    ELIGIBLE_KO,
    ROBUSTNESS_KO,
    SELECTION_COLUMNS_EN,
    SELECTION_COLUMNS_KO,
    SELECTION_MONEY_COLUMNS,
    SELECTION_SHEET,
    STATUS_KO,
    display_width,
    is_yes,
    selection_in_english,
)
from ktop_index.report import reading

#: The statuses in the order the summary counts them.
STATUSES = ("selected", "waitlist", "not_selected", "ineligible")

STATUS_FILLS = {"selected": "C6EFCE", "waitlist": "FFEB9C", "not_selected": "D9D9D9",
                "ineligible": "FFC7CE"}

# Excel number formats per column.
FORMATS = {"tech_index": "0.0", "committee_score": "0.0", "selection_score": "0.00",
           "rank": "0", "rank_low": "0", "rank_high": "0", "selection_probability": "0.0%",
           "bonus_points": "0.0", "infrastructure": "0.0", "input": "0.0", "activity": "0.0",
           "outcome": "0.0"}
FORMATS.update({c: "#,##0" for c in SELECTION_MONEY_COLUMNS})


def write_selection_xlsx(frame: pd.DataFrame, path: str | os.PathLike,
                         lang: str = "en", audit: dict | None = None) -> None:
    """Write the selection table as a formatted XLSX (atomic, deterministic bytes).

    Parameters
    ----------
    frame : the selection table (English or Korean column names; money in KRW thousand).
    path : the .xlsx file to write.
    lang : 'ko' for Korean headers and status words, 'en' for English.
    audit : the round's audit record; with it a second sheet, the summary (요약): the call,
        when it was decided (KST), the counts, the money split and what is left, where
        funding stopped, and how the selection score is built. The bytes then depend on the
        audit's ``created`` too (pin it, as ``--created`` does).
    """
    if lang not in SELECTION_SHEET:
        raise UsageError(f"lang must be 'en' or 'ko', got {lang!r}")
    data = selection_in_english(frame)
    book = Workbook()
    sheet = book.active
    sheet.title = SELECTION_SHEET[lang]
    labels = SELECTION_COLUMNS_KO if lang == "ko" else SELECTION_COLUMNS_EN
    headers = [xlsx_text(str(labels.get(c, c))) for c in data.columns]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    columns = [_cells(data[c], c, lang) for c in data.columns]
    for values in zip(*columns):
        sheet.append(list(values))
    for j, name in enumerate(data.columns, start=1):
        _format_column(sheet, j, name, len(data))
        widest = max([_width(headers[j - 1])] + [_width(v) for v in columns[j - 1][:500]])
        sheet.column_dimensions[get_column_letter(j)].width = min(4 + widest * 1.1, 50)
    if "status" in data:
        _colour_status(sheet, list(data.columns).index("status") + 1, data["status"])
    sheet.freeze_panes = _frozen_at(list(data.columns))
    sheet.auto_filter.ref = sheet.dimensions
    if audit is not None:
        _summary_sheet(book.create_sheet(reading.READING_TEXT["summary_sheet"][lang == "ko"]),
                       data, audit, lang)
    atomic_write(path, lambda tmp: _save(book, tmp))


def _frozen_at(columns: list[str]) -> str:
    """The cell the panes freeze at: below the header row and right of the firm's name
    (business number and name stay in view), or below the header alone.

    >>> _frozen_at(["brn", "firm_name", "status"]), _frozen_at(["status"])
    ('C2', 'A2')
    """
    if "firm_name" not in columns:
        return "A2"
    return f"{get_column_letter(columns.index('firm_name') + 2)}2"


def summary_rows(table: pd.DataFrame, audit: dict, lang: str = "en") -> list[tuple[str, object]]:
    """(label, value) rows of the summary sheet, from the selection table (English names) and
    the audit: the same lines the HTML report shows (:mod:`ktop_index.report.reading`)."""
    words = reading.READING_TEXT
    k = 1 if lang == "ko" else 0
    counts = audit.get("counts", {})
    rows: list[tuple[str, object]] = [
        (words["title"][k], audit.get("call_title") or audit.get("call", "")),
        (words["call_id"][k], audit.get("call", "")),
        (words["created"][k], reading.kst(audit.get("created"))),
        (words["counts"][k], " / ".join(str(n) for n in [audit.get("applicants", len(table))]
                                        + [counts.get(s, 0) for s in STATUSES])),
    ]
    rows += reading.money_rows(audit, lang)
    call, model = reading.round_context(audit)
    if (line := reading.first_unfunded_line(table, audit, call, lang)) is not None:
        rows.append(("", line))
    parts = reading.score_parts(table, audit, call, model)
    rows += [(words["formula"][k] if i == 0 else "", line)
             for i, line in enumerate(reading.score_lines(parts, lang))]
    rows += [("", line) for line in reading.not_rated_lines(table, audit, call, model,
                                                            lang=lang)]
    return rows


def _summary_sheet(sheet, table: pd.DataFrame, audit: dict, lang: str) -> None:
    for label, value in summary_rows(table, audit, lang):
        sheet.append([xlsx_text(label), xlsx_text(value) if isinstance(value, str) else value])
    for row in sheet.iter_rows():
        row[0].font = Font(bold=True)
        row[0].alignment = Alignment(vertical="top")
        if isinstance(row[1].value, (int, float)):
            row[1].number_format = "#,##0"
        else:
            row[1].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["B"].width = 100


def _save(book: Workbook, tmp: str) -> None:
    book.save(tmp)
    pin_xlsx_times(tmp)


def _cells(series: pd.Series, name: str, lang: str) -> list:
    """Plain Python cell values: numbers stay numbers, missing values become empty cells."""
    if name == "status" and lang == "ko":
        series = series.astype("str").replace(STATUS_KO)
    elif name == "robustness" and lang == "ko":
        series = series.astype("object").replace(ROBUSTNESS_KO)
    if name in FORMATS:
        numbers = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
        return [None if np.isnan(v) else (int(v) if v == int(v) else float(v)) for v in numbers]
    if pd.api.types.is_bool_dtype(series.dtype) or name == "eligible":
        yes, no = (ELIGIBLE_KO[True], ELIGIBLE_KO[False]) if lang == "ko" else (True, False)
        return [None if pd.isna(v) else (yes if is_yes(v) else no) for v in series]
    if pd.api.types.is_numeric_dtype(series.dtype):
        return [None if pd.isna(v) else v.item() if hasattr(v, "item") else v for v in series]
    # control characters an XLSX cell cannot hold (NUL, ESC) are shown as U+FFFD
    return [None if pd.isna(v) or v == "" else xlsx_text(str(v))
            for v in series.astype("object")]


def _format_column(sheet, j: int, name: str, rows: int) -> None:
    number_format = FORMATS.get(name)
    for row in sheet.iter_rows(min_row=2, max_row=rows + 1, min_col=j, max_col=j):
        cell = row[0]
        if number_format and cell.value is not None:
            cell.number_format = number_format
        elif isinstance(cell.value, str) and is_formula_like(cell.value):
            # text a spreadsheet would evaluate: keep it text, shown as typed
            cell.data_type = "s"
            cell.quotePrefix = True


def _colour_status(sheet, j: int, status: pd.Series) -> None:
    for k, value in enumerate(status.astype("str"), start=2):
        colour = STATUS_FILLS.get(value)
        if colour:
            sheet.cell(k, j).fill = PatternFill("solid", fgColor=colour)


def _width(value) -> int:
    """Characters a cell shows (wide ones count twice): numbers with thousands separators."""
    if value is None:
        return 0
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    return display_width(f"{value:,}" if number else str(value))
