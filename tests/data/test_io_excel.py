"""XLSX readers that know Excel: formulas without values, links, merged and empty headers,
hidden and several sheets, title rows, years in date cells, size limits.

Each workbook is built here with openpyxl, and where openpyxl cannot make what Excel (or a
script) saves, by editing the sheet's XML inside the zip.
"""

from __future__ import annotations

import re
import time
import zipfile

import numpy as np
import pytest
from openpyxl import Workbook

from ktop_index.data.io import InputError, ReadLimits, read_table
from ktop_index.data.validate import validate

HEADER = ["사업자등록번호", "기업명", "기준연도", "매출액(천원)", "신청금액(천원)"]
ROWS = [["124-81-00998", "한라", 2024, 1200, 500], ["220-81-62517", "탐라", 2024, 3400, 700],
        ["616-81-12348", "오름", 2024, 5600, 900]]


def book(path, sheets=None, active=0, hidden=(), fill=None):
    """Write an XLSX of (title, rows) sheets; ``fill(workbook)`` edits it before saving."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets or [("data", [HEADER] + ROWS)]:
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
        if title in hidden:
            sheet.sheet_state = "hidden"
    workbook.active = active
    if fill:
        fill(workbook)
    workbook.save(path)
    return path


def edit_sheet(path, edit, member="xl/worksheets/sheet1.xml"):
    """Rewrite one part of the workbook's zip with ``edit(bytes) -> bytes``."""
    with zipfile.ZipFile(path) as z:
        parts = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts:
            z.writestr(name, edit(data) if name == member else data)


def formulas(workbook):
    """신청금액 (column E) as formulas; openpyxl saves them without values, as scripts do."""
    for r in range(2, len(ROWS) + 2):
        workbook.active[f"E{r}"] = f"=D{r}/10"


def with_values(xml: bytes) -> bytes:
    """What Excel saves: each formula followed by its value."""
    return re.sub(rb"<f>(D(\d+)/10)</f><v\s*/>", lambda m: b"<f>" + m.group(1) + b"</f><v>"
                  + str(int(m.group(2)) * 100).encode() + b"</v>", xml)


# ---------------------------------------------------------------------------- formulas

def test_formula_cells_without_values_stop_the_read(tmp_path):
    """Formulas saved without values would read as blank (신청금액 'not stated' -> the cap):
    one line naming the sheet, how many cells, examples, and what to do, in both languages."""
    path = book(tmp_path / "a.xlsx", fill=formulas)
    with pytest.raises(InputError) as caught:
        read_table(path)
    assert "sheet 'data': 3 formula cells have no saved value (e.g. E2, E3, E4)" in str(caught.value)
    assert "open it in Excel and save it, or paste the values" in str(caught.value)
    assert "수식 셀 3개에 저장된 값이 없어" in caught.value.message("ko")


def test_formula_cells_with_values_are_read(tmp_path):
    """With the values Excel saves beside the formulas, the values are read."""
    path = book(tmp_path / "a.xlsx", fill=formulas)
    edit_sheet(path, with_values)
    assert read_table(path).frame["신청금액(천원)"].tolist() == [200.0, 300.0, 400.0]


def test_a_formula_giving_empty_text_is_a_value(tmp_path):
    """Excel saves =IF(…,"",…) giving "" as t="str" with an empty value: blank, no error."""
    path = book(tmp_path / "a.xlsx", fill=formulas)
    edit_sheet(path, lambda xml: xml.replace(b'<c r="E2">', b'<c r="E2" t="str">'))
    with pytest.raises(InputError, match="2 formula cells"):  # E3 and E4 still have none
        read_table(path)
    edit_sheet(path, lambda xml: re.sub(rb'<c r="E([34])">', rb'<c r="E\1" t="str">', xml))
    assert read_table(path).frame["신청금액(천원)"].isna().all()


def test_a_formula_in_a_title_row_is_not_the_table(tmp_path):
    """A =TODAY() above the header without a value is not a cell of the table."""
    def title(workbook):
        workbook.active.insert_rows(1)
        workbook.active["A1"] = "=TODAY()"
    path = book(tmp_path / "a.xlsx", fill=title)
    table = read_table(path)
    assert table.header_row == 2 and table.rows.tolist() == [3, 4, 5]


def test_links_to_another_workbook(tmp_path):
    """Cells taking values from another workbook: an error without saved values (naming the
    file), a warning with them (the values may be out of date)."""
    rels = (b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            b'relationships"><Relationship Id="rId1" Type="x" Target="file:///C:/y/'
            b'budget_2024.xlsx" TargetMode="External"/></Relationships>')

    def link(workbook):
        for r in range(2, len(ROWS) + 2):
            workbook.active[f"E{r}"] = f"=[1]Sheet1!B{r}"
    path = book(tmp_path / "a.xlsx", fill=link)
    with zipfile.ZipFile(path, "a") as z:
        z.writestr("xl/externalLinks/_rels/externalLink1.xml.rels", rels)
    with pytest.raises(InputError, match="3 cells take their values from budget_2024.xlsx"):
        read_table(path)
    edit_sheet(path, lambda xml: xml.replace(b"<v />", b"<v>9</v>"))
    table = read_table(path)
    assert table.frame["신청금액(천원)"].tolist() == [9.0, 9.0, 9.0]
    [warning] = table.problems
    assert (warning.code, warning.severity, warning.row, warning.column) == (
        "linked_cells", "warning", 2, "E")
    assert "may be out of date" in warning.line() and "budget_2024.xlsx" in warning.line("ko")


# ---------------------------------------------------------------------------- headers

def test_merged_header_over_data_is_an_error(tmp_path):
    """매출액 merged over D:E with figures under both: column E is never dropped silently."""
    def merge(workbook):
        sheet = workbook.active
        sheet["E1"] = None
        sheet.merge_cells("D1:E1")
    path = book(tmp_path / "a.xlsx", fill=merge)
    table = read_table(path)
    [problem] = table.problems
    assert (problem.code, problem.severity, problem.row, problem.column) == (
        "merged_header", "error", 1, "E")
    assert "merged over columns D:E" in problem.line() and "'매출액(천원)'" in problem.line()
    assert not validate(table).ok


def test_merged_header_over_nothing_is_quiet(tmp_path):
    """A header merged over an empty column (a wide 기업명 cell) loses nothing."""
    rows = [HEADER[:2] + [None] + HEADER[2:]] + [r[:2] + [None] + r[2:] for r in ROWS]

    def merge(workbook):
        workbook.active.merge_cells("B1:C1")
    table = read_table(book(tmp_path / "a.xlsx", [("data", rows)], fill=merge))
    assert table.problems == [] and table.frame.columns.tolist() == HEADER


def test_empty_header_over_data_warns(tmp_path):
    """A column of notes without a header is named by its letter (a warning: it is ignored)."""
    rows = [HEADER] + [r + ["메모"] for r in ROWS]
    table = read_table(book(tmp_path / "a.xlsx", [("data", rows)]))
    [problem] = table.problems
    assert (problem.code, problem.severity, problem.column) == ("unnamed_column", "warning", "F")
    assert table.frame.columns.tolist() == HEADER


def test_duplicated_header_keeps_reading(tmp_path):
    """Two columns headed 매출액(천원): the first is read, the second named (an error, as
    the two could disagree); an unknown header twice is only a warning."""
    rows = [HEADER + ["매출액(천원)", "비고", "비고"]] + [r + [1, "a", "b"] for r in ROWS]
    table = read_table(book(tmp_path / "a.xlsx", [("data", rows)]))
    assert table.frame["매출액(천원)"].tolist() == [1200.0, 3400.0, 5600.0]
    found = [(p.column, p.severity, p.params["first"], p.params["second"]) for p in table.problems]
    assert found == [("매출액(천원)", "error", "D", "F"), ("비고", "warning", "G", "H")]
    assert "the header appears twice: columns D and F" in table.problems[0].line()
    result = validate(table)
    assert [p.code for p in result.errors] == ["duplicate_header"]


def test_title_rows_above_the_header(tmp_path):
    """Two title rows and a blank one: the header is row 4, the first firm row 5."""
    rows = [["2025년 신청기업 현황"], ["(단위: 천원)"], [None]] + [HEADER] + ROWS
    table = read_table(book(tmp_path / "a.xlsx", [("data", rows)]))
    assert table.header_row == 4 and table.rows.tolist() == [5, 6, 7]
    assert table.frame.columns.tolist() == HEADER and table.problems == []
    assert validate(table).ok


def test_header_not_found_says_what_to_give(tmp_path):
    """A header below the rows searched: read row 1, and a warning naming --header-row and
    --sheet (with the sheets), beside validate's missing columns."""
    rows = [["현황"]] + [[None]] * 35 + [HEADER] + ROWS
    path = book(tmp_path / "a.xlsx", [("data", rows), ("설명", [["x"]])])
    table = read_table(path)
    [problem] = [p for p in table.problems if p.code == "header_not_found"]
    assert "--header-row N" in problem.line() and "(sheets: data, 설명)" in problem.line()
    assert "--header-row N" in problem.line("ko")
    table = read_table(path, header_row=37)
    assert table.rows.tolist() == [38, 39, 40] and validate(table).ok


def test_header_row_that_is_empty(tmp_path):
    with pytest.raises(InputError, match="row 9 is empty"):
        read_table(book(tmp_path / "a.xlsx"), header_row=9)


# ---------------------------------------------------------------------------- sheets

def test_hidden_first_sheet_is_not_read(tmp_path):
    """A hidden first sheet of last year's data is never read by default."""
    old = [HEADER] + [[r[0], "옛", 2023, 1, 1] for r in ROWS]
    path = book(tmp_path / "a.xlsx", [("2024", old), ("2025", [HEADER] + ROWS)], active=1,
                hidden=("2024",))
    table = read_table(path)
    assert table.sheet == "2025" and table.frame["기업명"].tolist() == ["한라", "탐라", "오름"]
    assert table.problems == []  # the hidden sheet is not "another sheet holding data"
    assert read_table(path, sheet="2024").frame["기업명"].tolist() == ["옛"] * 3


def test_active_sheet_is_read_and_the_others_named(tmp_path):
    """Two visible sheets of data: the active one is read and a warning names the other."""
    path = book(tmp_path / "a.xlsx", [("2024", [HEADER] + ROWS[:1]), ("2025", [HEADER] + ROWS)],
                active=1)
    table = read_table(path)
    assert table.sheet == "2025" and len(table.frame) == 3
    [warning] = table.problems
    assert warning.code == "sheet_chosen" and warning.severity == "warning"
    assert "read sheet '2025' (the active sheet)" in warning.line() and "'2024'" in warning.line()
    assert "--sheet" in warning.line("ko")
    assert len(read_table(path, sheet="2024").frame) == 1  # a sheet named by digits
    assert len(read_table(path, sheet=0).frame) == 1


def test_instructions_sheet_first(tmp_path):
    """An instructions sheet, active and first: the sheet holding the headers is read."""
    path = book(tmp_path / "a.xlsx", [("작성요령", [["1. 한 기업씩 입력"], ["2. 천원 단위"]]),
                                      ("신청기업", [HEADER] + ROWS)])
    table = read_table(path)
    assert table.sheet == "신청기업" and validate(table).ok
    assert "the first visible sheet holding the contract's headers" in table.problems[0].line()


def test_no_sheet_of_that_name(tmp_path):
    with pytest.raises(InputError) as caught:
        read_table(book(tmp_path / "a.xlsx"), sheet="x")
    assert "no sheet 'x' (sheets: data)" in str(caught.value)
    assert "'x' 시트가 없습니다" in caught.value.message("ko")


# ---------------------------------------------------------------------------- values

def test_year_typed_into_a_date_cell(tmp_path):
    """2024 typed into a date-formatted cell shows as 1905-07-16: read as 2024, warned once."""
    def as_dates(workbook):
        for r in range(2, len(ROWS) + 2):
            workbook.active[f"C{r}"].number_format = "yyyy-mm-dd"
    table = read_table(book(tmp_path / "a.xlsx", fill=as_dates))
    assert table.frame["기준연도"].tolist() == [2024.0] * 3
    [warning] = table.problems
    assert (warning.code, warning.row, warning.params["date"]) == ("year_as_date", 2, "1905-07-16")
    assert validate(table).frame["year"].tolist() == [2024] * 3


def test_a_real_date_in_a_year_column_keeps_its_year(tmp_path):
    import datetime as dt

    rows = [HEADER] + [r[:2] + [dt.datetime(2024, 3, 1)] + r[3:] for r in ROWS]
    table = read_table(book(tmp_path / "a.xlsx", [("data", rows)]))
    assert table.problems == [] and validate(table).frame["year"].tolist() == [2024] * 3


def test_numbers_stored_as_text(tmp_path):
    """Figures typed as text ('1,200', green triangles in Excel) are read by the validator."""
    rows = [HEADER] + [r[:3] + [f"{r[3]:,}", str(r[4])] for r in ROWS]
    result = validate(read_table(book(tmp_path / "a.xlsx", [("data", rows)])))
    assert result.ok and result.frame["revenue"].tolist() == [1200.0, 3400.0, 5600.0]


# ---------------------------------------------------------------------------- limits

def test_a_stray_cell_at_the_last_row_is_quick(tmp_path):
    """A 10 KB workbook whose last cell is A1048576 (a formatted cell far down): read in
    well under the minutes it once took, the empty million rows skipped."""
    def far(workbook):
        workbook.active["A1048576"].number_format = "0.0"
    path = book(tmp_path / "a.xlsx", fill=far)
    assert path.stat().st_size < 10_000
    start = time.perf_counter()
    table = read_table(path)
    assert time.perf_counter() - start < 10
    assert table.rows.tolist() == [2, 3, 4]


def test_a_sheet_too_wide_fails_before_reading(tmp_path):
    """A cell at XFD1 makes the sheet 16,384 columns wide: refused from its dimension."""
    def far(workbook):
        workbook.active["XFD1"] = "x"
    path = book(tmp_path / "a.xlsx", fill=far)
    with pytest.raises(InputError) as caught:
        read_table(path)
    assert "16,384 columns, more than the limit of 1,000" in str(caught.value)
    assert "KTOP_MAX_COLUMNS=16384" in caught.value.message("ko")
    assert read_table(path, limits=ReadLimits(columns=20_000)).frame.shape == (3, 6)


def test_row_limit(tmp_path, monkeypatch):
    """More rows than the limit are refused (the message names the limit and how to raise
    it); the environment raises the limit."""
    path = book(tmp_path / "a.xlsx")
    with pytest.raises(InputError, match="more than the limit of 2; .*KTOP_MAX_ROWS=4"):
        read_table(path, limits=ReadLimits(xlsx_rows=2))
    monkeypatch.setenv("KTOP_MAX_ROWS", "2")
    with pytest.raises(InputError, match="limit of 2"):
        read_table(path)
    monkeypatch.setenv("KTOP_MAX_ROWS", "3")
    assert len(read_table(path).frame) == 3


def test_a_sheet_without_a_dimension_is_limited_as_read(tmp_path):
    """A producer that writes no <dimension>: the rows are counted as they are read."""
    path = book(tmp_path / "a.xlsx")
    edit_sheet(path, lambda xml: re.sub(rb"<dimension [^>]*/>", b"", xml))
    assert len(read_table(path).frame) == 3
    with pytest.raises(InputError, match="more than the limit of 2"):
        read_table(path, limits=ReadLimits(xlsx_rows=2))


def zip_bomb(path, gib: int = 1) -> None:
    """A workbook whose sheet inflates to ``gib`` GiB of spaces from about 1 MB: the same
    deflate block repeated (built by hand; compressing a GiB would take a minute)."""
    import struct
    import zlib

    block = b" " * (1 << 20)
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    count = gib * 1024
    data = piece * count + packer.flush()
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(block, crc)
    parts = [("[Content_Types].xml", b"<Types/>", 0), ("xl/workbook.xml", b"<workbook/>", 0),
             ("xl/worksheets/sheet1.xml", data, count << 20)]
    body, directory = b"", b""
    for name, payload, size in parts:
        raw = name.encode()
        if not size:
            size, crc_part = len(payload), zlib.crc32(payload)
            method = 0
        else:
            crc_part, method = crc, 8
        local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc_part,
                            len(payload), size, len(raw), 0) + raw
        directory += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21,
                                 crc_part, len(payload), size, len(raw), 0, 0, 0, 0, 0,
                                 len(body)) + raw
        body += local + payload
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(parts), len(parts), len(directory),
                      len(body), 0)
    path.write_bytes(body + directory + end)


def test_zip_bomb_fails_from_the_zip_directory(tmp_path):
    """1 MB that inflates to 1 GiB: refused at once from the sizes its zip directory states,
    before a byte is inflated."""
    import tracemalloc

    path = tmp_path / "bomb.xlsx"
    zip_bomb(path)
    assert path.stat().st_size < 2_000_000
    with zipfile.ZipFile(path) as z:  # a real bomb: Python's zip reader inflates it
        assert z.getinfo("xl/worksheets/sheet1.xml").file_size == 1 << 30
        assert z.open("xl/worksheets/sheet1.xml").read(10) == b" " * 10
    tracemalloc.start()
    start = time.perf_counter()
    with pytest.raises(InputError) as caught:
        read_table(path)
    seconds, peak = time.perf_counter() - start, tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert seconds < 2 and peak < 50 * 2**20
    assert "inflates to 1,024 MB, more than the limit of 200 MB" in str(caught.value)
    assert "KTOP_MAX_XLSX_MB=1025" in caught.value.message("ko")


def test_rows_are_the_rows_excel_shows(tmp_path):
    """Blank rows inside the table keep the row numbers Excel shows."""
    rows = [HEADER, ROWS[0], [None] * 5, ROWS[1], [None] * 5, [None] * 5, ROWS[2]]
    table = read_table(book(tmp_path / "a.xlsx", [("data", rows)]))
    assert table.rows.tolist() == [2, 4, 7]
    assert isinstance(table.rows, np.ndarray)
