"""ktop_index.report.annotate: the applicants' file with every problem on its cell."""

from __future__ import annotations

import io

import openpyxl
import pytest

from ktop_index.data.io import read_table
from ktop_index.data.validate import validate
from ktop_index.report.annotate import FILLS, annotated_workbook

# row 3: a business number whose check digit is wrong (…99 for …98); row 4: R&D
# organisation 7 (0, 1 or 2); row 5: a KSIC code of no revision (a warning)
CSV = ("사업자등록번호,기업명,기준연도,업종코드,연구조직,매출액(천원)\n"
       "124-81-00998,한라,2024,10301,1,1200\n"
       "124-81-00999,탐라,2024,10301,2,3400\n"
       "220-81-62517,오름,2024,01110,7,5600\n"
       "616-81-12348,=1+1,2024,10399,0,700\n")


def _annotated(path, lang="ko", **options):
    table = read_table(path)
    problems = validate(table).problems
    data = annotated_workbook(path, problems, lang=lang, table=table, **options)
    return openpyxl.load_workbook(io.BytesIO(data)), problems, data


def _marked(sheet):
    """Coordinate -> (fill colour, comment text) of every cell given a comment."""
    return {c.coordinate: (c.fill.fgColor.rgb[-6:], c.comment.text)
            for row in sheet.iter_rows() for c in row if c.comment is not None}


@pytest.fixture
def csv_file(tmp_path):
    path = tmp_path / "applicants.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def test_a_csv_s_bad_cells_are_filled_and_commented(csv_file):
    """The two bad cells are red with their message, the warning yellow; no other cell is
    marked; the data are as read (codes keep their zeros, text stays text)."""
    book, problems, _ = _annotated(csv_file)
    assert book.sheetnames == ["자료", "문제 목록"] and book.active.title == "자료"
    sheet = book["자료"]
    marked = _marked(sheet)
    assert set(marked) == {"A3", "E4", "D5"}
    assert marked["A3"][0] == marked["E4"][0] == FILLS["error"] == "FFC7CE"
    assert marked["D5"][0] == FILLS["warning"] == "FFEB9C"
    assert "검증번호" in marked["A3"][1] and "허용 범위" in marked["E4"][1]
    assert "10399" in marked["D5"][1] and marked["D5"][1].startswith("[경고]")
    for p in problems:
        assert p.message("ko") in "".join(text for _, text in marked.values())
    assert sheet["D4"].value == "01110" and sheet["D4"].number_format == "@"
    name = sheet["B5"]
    assert (name.value, name.data_type) == ("=1+1", "s")  # stored as text, never run
    assert sheet["F2"].value == 1200


def test_the_list_of_problems(csv_file):
    """One row per problem: row, column as spelt, the cell (a link to it), severity, the
    message in the chosen language."""
    book, problems, _ = _annotated(csv_file, lang="en")
    assert book.sheetnames == ["data", "problems"]
    rows = list(book["problems"].iter_rows(values_only=True))
    assert rows[0] == ("row", "column", "cell", "severity", "message")
    assert [r[:4] for r in rows[1:]] == [(3, "사업자등록번호", "A3", "error"),
                                         (4, "연구조직", "E4", "error"),
                                         (5, "업종코드", "D5", "warning")]
    assert [r[4] for r in rows[1:]] == [p.message("en") for p in problems]
    assert book["problems"]["C2"].hyperlink.location == "'data'!A3"


def test_an_xlsx_with_a_title_row_is_annotated_in_place(tmp_path):
    """The header on row 3 under a title: the right cells are marked, the title, the other
    sheet and the formats stay, and the data sheet stays the one read."""
    path = tmp_path / "applicants.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "신청기업"
    sheet["A1"] = "2025년 제주 지원사업 신청기업"
    sheet.append([])
    sheet.append(["기업명", "사업자등록번호", "기준연도", "연구조직", "매출액(천원)"])
    sheet.append(["한라", "124-81-00998", 2024, 1, 1200])
    sheet.append(["탐라", "124-81-00999", 2024, 5, 3400])
    sheet["E5"].number_format = "#,##0"
    book.create_sheet("메모")["A1"] = "접수 담당: 김OO"
    book.save(path)
    annotated, problems, _ = _annotated(path)
    assert [(p.row, p.column) for p in problems] == [(5, "사업자등록번호"), (5, "연구조직")]
    sheet = annotated["신청기업"]
    assert set(_marked(sheet)) == {"B5", "D5"}
    assert sheet["A1"].value == "2025년 제주 지원사업 신청기업"
    assert sheet["E5"].number_format == "#,##0" and sheet["E5"].value == 3400
    assert annotated.sheetnames == ["신청기업", "메모", "문제 목록"]
    assert annotated["메모"]["A1"].value == "접수 담당: 김OO"
    assert annotated.active.title == "신청기업"


def test_the_annotated_workbook_reads_back_as_the_file_did(tmp_path, csv_file):
    """Read again (as an officer uploads it once corrected): the data sheet, the same
    records on the same rows, the same problems, no warning about the list sheet."""
    _, problems, data = _annotated(csv_file)
    out = tmp_path / "checked.xlsx"
    out.write_bytes(data)
    table = read_table(out)
    assert table.sheet == "자료" and table.problems == []
    assert table.rows.tolist() == read_table(csv_file).rows.tolist() == [2, 3, 4, 5]
    again = validate(table).problems
    assert [(p.row, p.column, p.code) for p in again] == [(p.row, p.column, p.code)
                                                          for p in problems]


def test_byte_reproducible_from_a_path_or_bytes(csv_file):
    """The same inputs give the same bytes, whether the file is given by path or as bytes."""
    table = read_table(csv_file)
    problems = validate(table).problems
    first = annotated_workbook(csv_file, problems)
    assert annotated_workbook(csv_file, problems) == first
    assert annotated_workbook(csv_file.read_bytes(), problems, suffix=".csv") == first


def test_problems_of_the_file_or_a_missing_column_are_listed_only(tmp_path):
    """A required column the file lacks has no cell: listed, nothing marked."""
    path = tmp_path / "a.csv"
    path.write_text("사업자등록번호,기업명\n124-81-00998,한라\n", encoding="utf-8")
    book, problems, _ = _annotated(path)
    assert [p.code for p in problems] == ["missing_column"]
    assert _marked(book["자료"]) == {}
    [row] = list(book["문제 목록"].iter_rows(min_row=2, values_only=True))
    assert row[1:4] == ("기준연도", None, "오류")


def test_no_problems(csv_file):
    book = openpyxl.load_workbook(io.BytesIO(annotated_workbook(csv_file, [])))
    assert list(book["문제 목록"].iter_rows(min_row=2, values_only=True)) == [
        (None, None, None, None, "문제가 없습니다")]


def test_ktop_validate_annotate(tmp_path, csv_file, capsys):
    """`ktop validate FILE --annotate OUT.xlsx` writes the workbook and keeps exit 1 for
    errors; it refuses to write over the file it checks (exit 2)."""
    from ktop_index.cli import main

    out = tmp_path / "checked.xlsx"
    assert main(["validate", str(csv_file), "--annotate", str(out), "--lang", "ko"]) == 1
    book = openpyxl.load_workbook(out)
    assert set(_marked(book["자료"])) == {"A3", "E4", "D5"}
    before = csv_file.read_bytes()
    assert main(["validate", str(csv_file), "--annotate", str(csv_file)]) == 2
    assert csv_file.read_bytes() == before
    assert "is the file checked" in capsys.readouterr().err


def test_columns_named_by_letter(tmp_path):
    """A column without a header is named by its letter: in an XLSX that letter is marked;
    a CSV's sheet holds only the columns read, so there it is listed, never put on another
    column's cell."""
    rows = [["사업자등록번호", "기업명", None, "기준연도"], ["124-81-00998", "한라", "메모", 2024]]
    xlsx = tmp_path / "a.xlsx"
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(xlsx)
    annotated, problems, _ = _annotated(xlsx)
    assert [(p.code, p.column) for p in problems] == [("unnamed_column", "C")]
    assert set(_marked(annotated.active)) == {"C1"}
    csv = tmp_path / "a.csv"
    csv.write_text("\n".join(",".join("" if v is None else str(v) for v in r) for r in rows),
                   encoding="utf-8")
    annotated, problems, _ = _annotated(csv)
    assert [(p.code, p.column) for p in problems] == [("unnamed_column", "C")]
    assert _marked(annotated["자료"]) == {}
    assert annotated["자료"]["C1"].value == "기준연도"  # the columns read, in order
    [listed] = list(annotated["문제 목록"].iter_rows(min_row=2, values_only=True))
    assert listed[:4] == (1, "C", None, "경고")
