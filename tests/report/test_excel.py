"""Tests of ktop_index.report.excel: the formatted selection workbook, read back with openpyxl."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from ktop_index.labels import selection_in_english as english_columns
from ktop_index.report.excel import write_selection_xlsx


@pytest.fixture(scope="module")
def table(selection_table) -> pd.DataFrame:
    frame = selection_table()
    frame.loc[0, "firm_name"] = "=HYPERLINK(\"http://x\")"
    frame.loc[1, "firm_name"] = "@SUM(A1)"
    frame.loc[2, "firm_name"] = "-cmd|' /C calc'!A0"
    return frame


@pytest.fixture(scope="module")
def book_ko(table, tmp_path_factory):
    path = tmp_path_factory.mktemp("xlsx") / "selection_ko.xlsx"
    write_selection_xlsx(table, path, lang="ko")
    return path, openpyxl.load_workbook(path).active


def _column(sheet, header: str) -> int:
    return [c.value for c in sheet[1]].index(header) + 1


def test_korean_headers_and_frozen_header_row(book_ko):
    """Headers are Korean with the money unit; the header row and the business number and
    firm name columns (A, B) are frozen (panes at C2); the header row is filtered."""
    _, sheet = book_ko
    headers = [c.value for c in sheet[1]]
    assert headers[:4] == ["사업자등록번호", "기업명", "선정결과", "순위"]
    assert "지원금(천원)" in headers and "신청금액(천원)" in headers
    assert sheet.freeze_panes == "C2"
    assert sheet.auto_filter.ref.startswith("A1:")
    assert all(c.font.bold for c in sheet[1])


def test_money_has_thousands_separators_and_stays_numeric(book_ko, table):
    """Money cells are numbers formatted #,##0; the index has one decimal; selection_probability is %."""
    _, sheet = book_ko
    j = _column(sheet, "신청금액(천원)")
    cells = [sheet.cell(k, j) for k in range(2, len(table) + 2)]
    assert all(c.number_format == "#,##0" for c in cells)
    assert [c.value for c in cells] == table["requested"].tolist()
    assert sheet.cell(2, _column(sheet, "기업혁신역량지수")).number_format == "0.0"
    assert sheet.cell(2, _column(sheet, "선정 확률")).number_format == "0.0%"


def test_status_cells_are_coloured_and_translated(book_ko, table):
    """Each status cell has its colour (selected green, waitlist yellow, not selected grey,
    ineligible red) and its Korean word."""
    _, sheet = book_ko
    j = _column(sheet, "선정결과")
    expected = {"selected": ("선정", "C6EFCE"), "waitlist": ("예비", "FFEB9C"),
                "not_selected": ("미선정", "D9D9D9"), "ineligible": ("부적격", "FFC7CE")}
    seen = set()
    for k, status in enumerate(table["status"], start=2):
        cell = sheet.cell(k, j)
        word, colour = expected[status]
        assert cell.value == word
        assert cell.fill.fgColor.rgb.endswith(colour)
        seen.add(status)
    assert seen == set(expected)


def test_formula_like_text_is_stored_as_text(book_ko):
    """Cells starting with = @ - are text (quote prefix), never formulas."""
    path, sheet = book_ko
    j = _column(sheet, "기업명")
    cells = [sheet.cell(k, j) for k in (2, 3, 4)]
    assert [c.value for c in cells] == ["=HYPERLINK(\"http://x\")", "@SUM(A1)",
                                        "-cmd|' /C calc'!A0"]
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    import zipfile
    with zipfile.ZipFile(path) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")


def test_same_table_gives_same_bytes(table, tmp_path):
    """Writing the same table twice gives byte-identical files."""
    write_selection_xlsx(table, tmp_path / "a.xlsx")
    write_selection_xlsx(table, tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


def test_english_headers_name_the_money_unit(table, tmp_path):
    """With lang='en' the headers are the English names, money with its unit."""
    write_selection_xlsx(table, tmp_path / "en.xlsx", lang="en")
    sheet = openpyxl.load_workbook(tmp_path / "en.xlsx").active
    headers = [c.value for c in sheet[1]]
    assert headers[:3] == ["brn", "firm_name", "status"]
    assert "support (KRW thousand)" in headers
    assert sheet.cell(2, 3).value == "selected"


def test_korean_table_reads_back_to_english_names(table):
    """A table with the Korean headers and status words maps back to the English ones."""
    from ktop_index.labels import SELECTION_COLUMNS_KO as SELECTION_LABELS_KO
    from ktop_index.labels import STATUS_KO
    korean = table.rename(columns=SELECTION_LABELS_KO)
    korean["선정결과"] = korean["선정결과"].map(STATUS_KO)
    back = english_columns(korean)
    assert list(back.columns) == list(table.columns)
    assert back["status"].tolist() == table["status"].tolist()


def test_bad_language_is_rejected(table, tmp_path):
    """An unknown language is a clear error, and nothing is written."""
    with pytest.raises(ValueError, match="lang must be"):
        write_selection_xlsx(table, tmp_path / "x.xlsx", lang="fr")
    assert not (tmp_path / "x.xlsx").exists()


def test_real_selection_table_exports(jeju_firms, tmp_path):
    """The selection module's own table exports with its Korean labels and status colours."""
    from ktop_index.selection import decide as selection
    result = selection.select(jeju_firms(), "jeju_2025", variants=50, created="2026-01-01")
    write_selection_xlsx(result.labelled("ko"), tmp_path / "s.xlsx", lang="ko")
    sheet = openpyxl.load_workbook(tmp_path / "s.xlsx").active
    headers = [c.value for c in sheet[1]]
    assert headers == [selection.LABELS_KO.get(c, c) for c in result.table.columns]
    j = headers.index("선정결과") + 1
    fills = {sheet.cell(k, j).value: sheet.cell(k, j).fill.fgColor.rgb[-6:]
             for k in range(2, sheet.max_row + 1)}
    assert fills["선정"] == "C6EFCE" and fills["부적격"] == "FFC7CE"


def test_every_formula_start_is_text_as_in_csv_exports(selection_table, tmp_path):
    """The one OWASP rule of the data layer: a cell starting with = + - @ tab or CR (a
    negative-looking "-2+3+cmd|..." too) is stored as quoted text; other text is not."""
    from ktop_index.data.io import FORMULA_START

    risky = ["-2+3+cmd|' /C calc'!A0", "+1+A1", "\tx", "\rx", "=1", "@a", "＝1", "＋A1", "－1+A1",
             "＠a"]
    frame = selection_table().head(len(risky) + 1).copy()
    frame["firm_name"] = risky + ["한라식품(주)"]
    write_selection_xlsx(frame, tmp_path / "f.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "f.xlsx").active
    j = _column(sheet, "firm_name")
    cells = [sheet.cell(k, j) for k in range(2, len(risky) + 3)]
    assert {text[0] for text in risky} == set(FORMULA_START)
    assert [c.quotePrefix for c in cells] == [True] * len(risky) + [False]
    assert all(c.data_type == "s" for c in cells)


def test_english_headers_and_typed_aliases_read_back(table):
    """Headers with the money unit, the Korean words of the eligible column and the headers
    people type (사업자번호, 상태, 지원금액) map back to the canonical names and values."""
    from ktop_index.labels import SELECTION_COLUMNS_EN

    english = table.rename(columns=SELECTION_COLUMNS_EN)
    assert "support (KRW thousand)" in english
    assert list(english_columns(english).columns) == list(table.columns)
    typed = pd.DataFrame({"사업자번호": ["124-81-00998"], "상태": ["예비선정"],
                          "지원금액": [10_000.0], "신청자격": ["부적격"]})
    back = english_columns(typed)
    assert back.to_dict("records") == [{"brn": "124-81-00998", "status": "waitlist",
                                        "support": 10_000.0, "eligible": False}]


def test_control_characters_do_not_crash_the_selection_workbook(table, tmp_path):
    """A firm name holding NUL or ESC (pasted from another system) is written visibly as
    U+FFFD, not an IllegalCharacterError that loses the whole export."""
    named = table.copy()
    named.loc[named.index[0], "firm_name"] = "한라\x00식품\x1b"
    write_selection_xlsx(named, tmp_path / "s.xlsx", lang="ko")
    sheet = openpyxl.load_workbook(tmp_path / "s.xlsx").active
    column = [c.value for c in sheet[1]].index("기업명") + 1
    assert sheet.cell(2, column).value == "한라\ufffd식품\ufffd"


# ---------------------------------------------------------------------------- summary sheet

@pytest.fixture(scope="module")
def jeju_books(jeju_firms, tmp_path_factory):
    """selection.xlsx of the bundled Jeju run, as `ktop select` writes it (both languages)."""
    from ktop_index.report.outputs import write_selection
    from ktop_index.selection.decide import select

    result = select(jeju_firms(), "jeju_2025", variants=0, created="2025-03-01T00:00:00Z")
    books = {}
    for lang in ("ko", "en"):
        folder = tmp_path_factory.mktemp(lang)
        write_selection(result, folder, lang=lang)
        books[lang] = openpyxl.load_workbook(folder / "selection.xlsx")
    return result, books


def test_summary_sheet_has_the_call_money_and_formula(jeju_books):
    """A second sheet, 요약: the call's title, the decision's time in KST, the counts, the
    money split and what is left (the audit's numbers), where funding stopped, the formula."""
    result, books = jeju_books
    book = books["ko"]
    assert book.sheetnames == ["선정결과", "요약"] and book.active.title == "선정결과"
    rows = {a: b for a, b in book["요약"].iter_rows(values_only=True) if a}
    lines = [b for _, b in book["요약"].iter_rows(values_only=True)]
    assert rows["공고"] == "2025 시군구연고산업육성사업 (제주)"
    assert rows["선정 실행 시각"] == "2025-03-01 09:00 KST"
    c = result.audit["counts"]
    assert rows["신청 / 선정 / 예비 / 미선정 / 부적격"] == (
        f"150 / {c['selected']} / {c['waitlist']} / {c['not_selected']} / {c['ineligible']}")
    chosen = result.table[result.table["status"] == "selected"]
    assert rows["잔액 (천원)"] == 600_000 - chosen["support"].sum() == 8_000
    assert rows["국비 (천원)"] + rows["지방비 (천원)"] == chosen["support"].sum()
    assert book["요약"]["B5"].number_format == "#,##0"
    assert rows["선정점수 산정"].startswith("선정점수(0-100) = 1.00 × 지수 점수")
    assert any(str(x).startswith("15위 중문민박") for x in lines)
    english = {a: b for a, b in books["en"]["summary"].iter_rows(values_only=True) if a}
    assert english["decided at"] == "2025-03-01 09:00 KST"


def test_firm_columns_are_frozen(jeju_books):
    """The header row and the business number and firm name columns stay in view."""
    _, books = jeju_books
    sheet = books["ko"].active
    assert sheet.freeze_panes == "C2"
    assert [sheet.cell(1, j).value for j in (1, 2)] == ["사업자등록번호", "기업명"]


def test_workbook_with_summary_is_byte_reproducible(jeju_firms, tmp_path):
    """Same decision with a pinned time: identical workbooks, summary sheet included."""
    from ktop_index.report.outputs import write_selection
    from ktop_index.selection.decide import select

    for k in (1, 2):
        result = select(jeju_firms(), "jeju_2025", variants=0, created="2025-03-01T00:00:00Z")
        write_selection(result, tmp_path / f"r{k}", lang="ko")
    assert ((tmp_path / "r1" / "selection.xlsx").read_bytes()
            == (tmp_path / "r2" / "selection.xlsx").read_bytes())
