"""The applicants' file with every problem shown on its cell: an annotated workbook.

:func:`annotated_workbook` takes the file as given (a path, or its bytes and suffix) and the
problems :func:`ktop_index.data.validate.validate` found in it, and returns an XLSX:

- an XLSX input is kept as it is (every sheet, format and formula; openpyxl drops the
  images and charts it cannot keep; the file itself is never changed) and its data sheet
  is annotated in place; a CSV (or Parquet) input is written as one sheet, the columns as
  read, each record on the row its messages name (the header on its row, blank lines
  kept);
- every problem cell is filled (light red for an error, yellow for a warning; red wins) and
  carries an Excel comment holding its messages in the chosen language; a problem of a
  whole column marks its header cell;
- a sheet ``문제 목록`` (``problems``) lists every problem: row, column, the cell (a link to
  it), error or warning, the message. Problems of the file or of a column it lacks are
  listed there only.

The data sheet stays the active one, so the workbook, once corrected, is read back as the
file was. The same inputs always give the same bytes.

Rows are the spreadsheet rows of the messages (``Problem.row``; the header's row is
``RawTable.header_row``); columns are found by the header as the file spells it
(``Problem.column``), or by the column letter the reader names for a column without one.

Example
-------
>>> from ktop_index.data.io import read_table                        # doctest: +SKIP
>>> from ktop_index.data.validate import validate                    # doctest: +SKIP
>>> table = read_table("applicants.csv")                             # doctest: +SKIP
>>> data = annotated_workbook("applicants.csv", validate(table).problems, table=table)
...                                                                  # doctest: +SKIP
>>> open("applicants_checked.xlsx", "wb").write(data)                # doctest: +SKIP
"""

from __future__ import annotations

import io
import math
import os
import re
import tempfile
from pathlib import Path

import pandas as pd

from ktop_index.data.io import (
    EXCEL_SUFFIXES,
    RawTable,
    column_letter,
    is_formula_like,
    pin_xlsx_times,
    read_table,
    xlsx_text,
)
from ktop_index.data.problems import Problem
from ktop_index.errors import UsageError
from ktop_index.labels import ANNOTATE_TEXT, display_width

#: Fills of a problem cell (Excel's own "light red" and "yellow" conditional fills).
FILLS = {"error": "FFC7CE", "warning": "FFEB9C"}
_HEADER_FILL = "DDEBF7"
_LETTERS = re.compile(r"[A-Z]{1,3}")


def annotated_workbook(source: str | os.PathLike | bytes, problems: list[Problem],
                       lang: str = "ko", *, suffix: str | None = None,
                       table: RawTable | None = None) -> bytes:
    """The file with its problems on their cells and a list of them, as XLSX bytes.

    Parameters
    ----------
    source : the applicants' file: a path, or its bytes (then ``suffix`` says its type,
        e.g. ``".csv"``, as the name of an upload would).
    problems : the validation's problems (``validate(read_table(path)).problems``).
    lang : 'ko' (default) or 'en': the messages, the sheet names and the list's titles.
    table : the file as it was read for the validation (its header row, its sheet, its
        records); read again with the defaults when None. Give it when the file was read
        with ``sheet=`` or ``header_row=``.

    Returns
    -------
    bytes
        An XLSX workbook; the same inputs give the same bytes.
    """
    lang = "ko" if lang == "ko" else "en"
    data, suffix = _source_bytes(source, suffix)
    if table is None:
        table = _read(data, suffix)
    original = suffix in EXCEL_SUFFIXES
    book, sheet = _original(data, table) if original else _table_book(table, lang)
    columns = _header_columns(sheet, table.header_row)
    # a letter names a column of the file; a CSV's sheet holds only the columns read
    cells = {p: _cell_of(p, columns, letters=original) for p in problems}
    _mark_cells(sheet, problems, cells, lang)
    _problem_sheet(book, sheet, problems, cells, lang)
    for other in book.worksheets:
        other.sheet_view.tabSelected = other is sheet
    book.active = book.index(sheet)
    return _saved(book)


def _source_bytes(source, suffix: str | None) -> tuple[bytes, str]:
    if isinstance(source, (bytes, bytearray)):
        if not suffix:
            raise UsageError("the file's bytes need its suffix (.csv or .xlsx) to be read",
                             ko="파일 내용을 읽으려면 확장자(.csv 또는 .xlsx)가 필요합니다")
        return bytes(source), suffix.lower() if suffix.startswith(".") else f".{suffix.lower()}"
    path = Path(source)
    return path.read_bytes(), (suffix or path.suffix).lower()


def _read(data: bytes, suffix: str) -> RawTable:
    """The file read as ``read_table`` reads it (bytes go through a temporary file)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(data)
        return read_table(path)


def _original(data: bytes, table: RawTable):
    """The workbook as it was (formulas kept) and the sheet the table was read from."""
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book[table.sheet] if table.sheet in book.sheetnames else book.active
    return book, sheet


def _table_book(table: RawTable, lang: str):
    """A CSV's data as one sheet: each record on its spreadsheet row, text as text."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = ANNOTATE_TEXT[lang]["data_sheet"]
    header = table.header_row
    frame = table.frame
    for j, name in enumerate(frame.columns, start=1):
        _put(sheet.cell(header, j), str(name))
        sheet.cell(header, j).font = _bold()
        text = not pd.api.types.is_numeric_dtype(frame[name].dtype)
        for row, value in zip(table.rows.tolist(), frame[name].tolist(), strict=True):
            cell = sheet.cell(int(row), j)
            _put(cell, _value(value))
            if text:
                cell.number_format = "@"
        width = max([display_width(str(name))] + [display_width(str(v)) for v in
                                                    frame[name].head(200).tolist()])
        sheet.column_dimensions[column_letter(j - 1)].width = min(width * 1.2 + 4, 60)
    sheet.freeze_panes = f"A{header + 1}"
    return book, sheet


def _value(value: object) -> object:
    """A cell of the frame as a workbook holds it: missing as empty, whole floats as ints."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _put(cell, value: object) -> None:
    """Set a cell; a text a spreadsheet would run as a formula is stored as text."""
    if isinstance(value, str):
        value = xlsx_text(value)
    cell.value = value
    if isinstance(value, str) and is_formula_like(value):
        cell.data_type = "s"
        cell.quotePrefix = True


def _header_columns(sheet, header_row: int) -> dict[str, int]:
    """Header text (as the reader spells it) -> 1-based column, the first of each."""
    columns: dict[str, int] = {}
    for cell in sheet[header_row] if sheet.max_row >= header_row else ():
        text = _header_text(cell.value)
        if text and text not in columns:
            columns[text] = cell.column
    return columns


def _header_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _cell_of(problem: Problem, columns: dict[str, int],
             letters: bool) -> tuple[int, int] | None:
    """(row, column) of the cell a problem names, or None for the file or a column the
    sheet lacks. With ``letters`` (the sheet is the file's own), a column letter the reader
    names (a column without a header) is that column, and a header given twice is marked
    where it is given the second time."""
    if problem.row < 1 or not problem.column or problem.column == "-":
        return None
    second = problem.params.get("second") if problem.code == "duplicate_header" else None
    if letters and isinstance(second, str) and _LETTERS.fullmatch(second):
        return problem.row, _letter_index(second)
    if problem.column in columns:
        return problem.row, columns[problem.column]
    if letters and _LETTERS.fullmatch(problem.column):
        return problem.row, _letter_index(problem.column)
    return None


def _letter_index(letters: str) -> int:
    from openpyxl.utils import column_index_from_string

    return column_index_from_string(letters)


def _mark_cells(sheet, problems: list[Problem], cells: dict, lang: str) -> None:
    """Fill each problem cell and give it a comment holding its messages."""
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    text = ANNOTATE_TEXT[lang]
    by_cell: dict[tuple[int, int], list[Problem]] = {}
    for p in problems:
        if cells[p] is not None:
            by_cell.setdefault(cells[p], []).append(p)
    for (row, column), found in sorted(by_cell.items()):
        cell = sheet.cell(row, column)
        worst = "error" if any(p.severity == "error" for p in found) else "warning"
        cell.fill = PatternFill("solid", fgColor=FILLS[worst])
        lines = [f"[{text[p.severity]}] {p.message(lang)}" for p in found]
        if cell.comment is not None:
            lines += ["", cell.comment.text]
        note = xlsx_text("\n".join(lines))
        comment = Comment(note, text["author"])
        comment.width = 320
        comment.height = 24 + 16 * sum(1 + display_width(line) // 52 for line in lines)
        cell.comment = comment


def _problem_sheet(book, sheet, problems: list[Problem], cells: dict, lang: str) -> None:
    """The list of every problem: row, column, the cell (a link), error or warning, message."""
    from openpyxl.styles import Alignment, PatternFill
    from openpyxl.utils import quote_sheetname
    from openpyxl.worksheet.hyperlink import Hyperlink

    text = ANNOTATE_TEXT[lang]
    title = _free_title(book, text["problems_sheet"])
    listing = book.create_sheet(title)
    listing.append(list(text["columns"]))
    for cell in listing[1]:
        cell.font = _bold()
        cell.fill = PatternFill("solid", fgColor=_HEADER_FILL)
    if not problems:
        listing.append(["", "", "", "", text["none"]])
    for p in problems:
        place = cells[p]
        address = f"{column_letter(place[1] - 1)}{place[0]}" if place else ""
        values = [p.row if p.row >= 1 else "", p.column, address, text[p.severity],
                  p.message(lang)]
        listing.append([None] * len(values))
        for cell, value in zip(listing[listing.max_row], values, strict=True):
            _put(cell, value)
            cell.alignment = Alignment(vertical="top", wrap_text=cell.column == 5)
        if place:
            link = listing.cell(listing.max_row, 3)
            link.hyperlink = Hyperlink(ref=link.coordinate,
                                       location=f"{quote_sheetname(sheet.title)}!{address}")
            link.style = "Hyperlink"
        listing.cell(listing.max_row, 4).fill = PatternFill("solid", fgColor=FILLS[p.severity])
    for letter, width in zip("ABCDE", (8, 22, 8, 8, 90), strict=True):
        listing.column_dimensions[letter].width = width
    listing.freeze_panes = "A2"


def _free_title(book, title: str) -> str:
    """``title``, or ``title (2)`` … when the workbook already has a sheet of that name."""
    name, k = title, 1
    while name in book.sheetnames:
        k += 1
        name = f"{title} ({k})"
    return name


def _bold():
    from openpyxl.styles import Font

    return Font(bold=True)


def _saved(book) -> bytes:
    """The workbook's bytes, time stamps pinned."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "annotated.xlsx")
        book.save(path)
        pin_xlsx_times(path)
        return Path(path).read_bytes()
