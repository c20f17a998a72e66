"""Make the readers' corpus: the files Excel, web systems and people make of an applicants'
table (python tests/corpus/readers/make.py; deterministic, the files are committed).

Each file starts from the first rows of the bundled data/jeju_2025_applicants.xlsx (read
with openpyxl, not with ktop) and does one thing to them: formulas saved without values, a
merged header, a hidden first sheet, a title row, a password, a wrong name, CR-only line
ends, two encodings in one file ... ``cases.csv`` says what ktop must answer to each.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import struct
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[2] / "data" / "jeju_2025_applicants.xlsx"
PINNED = (2000, 1, 1, 0, 0, 0)


def jeju(n: int = 6) -> tuple[list, list[list]]:
    """The header and the first ``n`` firms of the bundled applicants."""
    book = openpyxl.load_workbook(DATA, read_only=True)
    rows = [list(r) for _, r in zip(range(n + 1), book.active.iter_rows(values_only=True))]
    book.close()
    return rows[0], rows[1:]


HEADER, ROWS = jeju()
COLUMN = {h: k for k, h in enumerate(HEADER)}  # header -> 0-based column


# ---------------------------------------------------------------------------- writing files

def pin(path: Path, edits: dict | None = None, extra: dict | None = None) -> None:
    """Rewrite a zip with fixed times (the same bytes every run), applying ``edits``
    (member -> function of its bytes) and adding ``extra`` members."""
    with zipfile.ZipFile(path) as book:
        entries = [(i.filename, book.read(i.filename)) for i in book.infolist()]
    entries += list((extra or {}).items())
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        for name, data in entries:
            if name == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*",
                              rb"\g<1>2000-01-01T00:00:00Z", data)
            data = (edits or {}).get(name, lambda d: d)(data)
            book.writestr(zipfile.ZipInfo(name, date_time=PINNED), data, zipfile.ZIP_DEFLATED)


def workbook(path: Path, sheets: list[tuple[str, list[list]]], active: int = 0,
             hidden: tuple[str, ...] = (), fill=None, edits: dict | None = None,
             extra: dict | None = None) -> None:
    """An XLSX of the sheets (title, rows); ``fill(book)`` may change it before saving."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        if title in hidden:
            sheet.sheet_state = "hidden"
    book.active = active
    if fill:
        fill(book)
    book.save(path)
    pin(path, edits, extra)


def table(header=None, rows=None) -> list[list]:
    return [list(header or HEADER)] + [list(r) for r in (rows or ROWS)]


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8-sig", delimiter: str = ",",
              newline: str = "\r\n", first: str = "") -> None:
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter, lineterminator=newline)
    writer.writerows([["" if v is None else v for v in r] for r in rows])
    path.write_bytes((first + text.getvalue()).encode(encoding))


def ole(path: Path, streams: dict[str, bytes]) -> None:
    """A minimal OLE2 compound file (what .xls and encrypted workbooks are): 512-byte sectors,
    sector 0 the FAT, sector 1 the directory, then each stream in whole sectors."""
    sector, free, end, fat_sect = 512, 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    fat, body, entries = [fat_sect, end], b"", []
    for name, data in streams.items():
        data += b"\0" * (-len(data) % sector or 0)
        data = data or b"\0" * sector
        start, count = len(fat), len(data) // sector
        fat += [start + k + 1 for k in range(count - 1)] + [end]
        entries.append((name, 2, start, len(data)))
        body += data
    directory = b""
    names = [("Root Entry", 5, end, 0)] + entries
    for k, (name, kind, start, size) in enumerate(names):
        encoded = (name + "\0").encode("utf-16-le")
        child = 1 if k == 0 and entries else free
        right = k + 1 if 0 < k < len(names) - 1 else free
        directory += (encoded.ljust(64, b"\0") + struct.pack("<HBB", len(encoded), kind, 1)
                      + struct.pack("<III", free, right, child) + b"\0" * 36
                      + struct.pack("<II", start, size) + b"\0" * 4)
    directory = directory.ljust(sector, b"\0")
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat).ljust(sector, b"\xff")
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
              + struct.pack("<I", 0) + b"\xff" * 4 * 108)
    path.write_bytes(header + fat_bytes + directory + body)


# ---------------------------------------------------------------------------- the cases

def formulas(cached: bool, link: bool):
    """신청금액 as formulas (=매출액/50, or a link to another workbook's cell)."""
    letter = get_column_letter(COLUMN["신청금액(천원)"] + 1)
    source = get_column_letter(COLUMN["매출액(천원)"] + 1)

    def fill(book):
        sheet = book.active
        for r in range(2, len(ROWS) + 2):
            sheet[f"{letter}{r}"] = f"=[1]Sheet1!A{r}" if link else f"=MIN({source}{r}/50,50000)"

    def add_values(xml: bytes) -> bytes:  # what Excel saves: the formula and its value
        return re.sub(rb"(<f>[^<]*</f>)(<v>[^<]*</v>)?", rb"\1<v>40000</v>", xml)

    edits = {"xl/worksheets/sheet1.xml": add_values} if cached else None
    extra = {"xl/externalLinks/_rels/externalLink1.xml.rels": (
        b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http'
        b'://schemas.openxmlformats.org/officeDocument/2006/relationships/externalLinkPath" '
        b'Target="file:///C:/%EC%A0%9C%EC%A3%BC/requested_2024.xlsx" TargetMode="External"/>'
        b'</Relationships>')} if link else None
    return fill, edits, extra


def merged_header(book):
    """매출액 over two columns (2023 and 2024), the second holding data, as forms do."""
    sheet = book.active
    k = COLUMN["매출액(천원)"] + 1
    sheet.insert_cols(k + 1)
    sheet.cell(1, k + 1).value = None
    for r in range(2, len(ROWS) + 2):
        sheet.cell(r, k + 1).value = sheet.cell(r, k).value + 1000
    sheet.merge_cells(start_row=1, start_column=k, end_row=1, end_column=k + 1)


def unnamed_column(book):
    sheet = book.active
    k = len(HEADER) + 1
    for r in range(2, len(ROWS) + 2):
        sheet.cell(r, k).value = "메모"


def year_as_date(book):
    """The year 2024 typed into cells formatted as dates (Excel shows 1905-07-16)."""
    sheet = book.active
    k = COLUMN["기준연도"] + 1
    for r in range(2, len(ROWS) + 2):
        sheet.cell(r, k).number_format = "yyyy-mm-dd"


def far_cell(address: str, value: str | None = "x"):
    """A cell far from the table: a value, or (None) only a number format, as a stray
    click and Ctrl+1 leave; either way the sheet's dimension reaches it."""
    def fill(book):
        if value is None:
            book.active[address].number_format = "0.0"
        else:
            book.active[address] = value
    return fill


def title_rows(n: int) -> list[list]:
    titles = [["2025년 제주 기술혁신 지원사업 신청기업 현황"], ["(단위: 천원, 기준일 2025-03-31)"]]
    titles += [[None]] * (n - len(titles))
    return titles[:n] + table()


def bomb(path: Path, megabytes: int) -> None:
    """A workbook whose sheet inflates to ``megabytes`` MB (spaces inside the XML)."""
    workbook(path, [("신청기업", table())])
    pad = b" " * (1 << 20)
    with zipfile.ZipFile(path) as book:
        entries = [(i.filename, book.read(i.filename)) for i in book.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=PINNED)
            info.compress_type = zipfile.ZIP_DEFLATED
            if name != "xl/worksheets/sheet1.xml":
                book.writestr(info, data)
                continue
            with book.open(info, "w", force_zip64=True) as stream:
                cut = data.index(b"<sheetData>")
                stream.write(data[:cut])
                for _ in range(megabytes):
                    stream.write(pad)
                stream.write(data[cut:])


def make() -> None:
    out = HERE
    for stale in out.glob("*"):
        if stale.name not in ("make.py", "cases.csv"):
            stale.unlink()
    good = [("신청기업", table())]
    # -- XLSX as Excel and other programs leave it
    for name, cached, link in (("formulas_no_values.xlsx", False, False),
                               ("link_no_values.xlsx", False, True),
                               ("link_with_values.xlsx", True, True),
                               ("formulas_with_values.xlsx", True, False)):
        fill, edits, extra = formulas(cached, link)
        workbook(out / name, good, fill=fill, edits=edits, extra=extra)
    workbook(out / "merged_header.xlsx", good, fill=merged_header)
    workbook(out / "unnamed_column.xlsx", good, fill=unnamed_column)
    old = [r[:] for r in ROWS]
    for r in old:
        r[0] = "123-45-67890"  # last year's sheet, with numbers that do not check
    workbook(out / "hidden_old_sheet_first.xlsx", [("2024", table(rows=old)), ("2025", table())],
             active=1, hidden=("2024",))
    workbook(out / "two_visible_sheets.xlsx", [("2024", table()), ("2025", table())], active=1)
    instructions = [["작성 요령"], ["1. 신청기업 시트에 한 기업씩 입력하세요."],
                    ["2. 금액은 천원 단위로 적습니다."]]
    workbook(out / "instructions_first.xlsx", [("작성요령", instructions), ("신청기업", table())])
    workbook(out / "title_rows.xlsx", [("신청기업", title_rows(3))])
    workbook(out / "header_at_row_40.xlsx", [("신청기업", title_rows(39))])
    dup = table(header=[h if h != "수출액(천원)" else "매출액(천원)" for h in HEADER])
    workbook(out / "duplicate_header.xlsx", [("신청기업", dup)])
    workbook(out / "year_as_date.xlsx", good, fill=year_as_date)
    as_text = [[f"{v:,}" if isinstance(v, int) and k >= COLUMN["매출액(천원)"] else v
                for k, v in enumerate(r)] for r in ROWS]
    workbook(out / "numbers_as_text.xlsx", [("신청기업", table(rows=as_text))])
    workbook(out / "stray_cell_A1048576.xlsx", good, fill=far_cell("A1048576"))
    workbook(out / "stray_format_A1048576.xlsx", good, fill=far_cell("A1048576", None))
    workbook(out / "stray_cell_XFD1.xlsx", good, fill=far_cell("XFD1"))
    bomb(out / "zip_bomb.xlsx", 250)
    # -- files that are not what their name says
    ole(out / "old_format.xls", {"Workbook": b"\x09\x08" + b"\0" * 1000})
    ole(out / "xls_renamed.xlsx", {"Workbook": b"\x09\x08" + b"\0" * 1000})
    ole(out / "password.xlsx", {"EncryptionInfo": b"\x04\x00\x04\x00" + b"\0" * 200,
                                "EncryptedPackage": b"\0" * 2048})
    write_csv(out / "csv_named.xlsx", table())
    (out / "empty.xlsx").write_bytes(b"")
    with zipfile.ZipFile(out / "binary_workbook.xlsb", "w") as z:
        for name in ("[Content_Types].xml", "xl/workbook.bin", "xl/worksheets/sheet1.bin"):
            z.writestr(zipfile.ZipInfo(name, date_time=PINNED), b"\0" * 64)
    with zipfile.ZipFile(out / "zip_named.xlsx", "w") as z:
        z.writestr(zipfile.ZipInfo("신청서류/사업계획서.hwp", date_time=PINNED), b"HWP" * 50)
    workbook(out / "workbook_named.csv", good)
    (out / "web_export.xls").write_bytes(
        "<html><head><meta charset='utf-8'></head><body><table><tr><th>사업자등록번호</th>"
        "<th>기업명</th></tr></table></body></html>".encode())
    cut = (out / "workbook_named.csv").read_bytes()
    (out / "damaged.xlsx").write_bytes(cut[: len(cut) // 2])
    # -- CSV as Excel writes it
    write_csv(out / "cr_only.csv", table(), newline="\r")
    write_csv(out / "unicode_text.txt", table(), encoding="utf-16", delimiter="\t")
    write_csv(out / "sep_line.csv", table(), delimiter=";", first="sep=;\r\n")
    write_csv(out / "semicolons.csv", table(), delimiter=";")
    write_csv(out / "title_row.csv", [["2025년 신청기업 현황"], []] + table())
    head = io.BytesIO()
    write_csv(out / "mixed_encodings.csv", table()[:4])
    rest = io.StringIO()
    csv.writer(rest, lineterminator="\r\n").writerows(
        [["" if v is None else v for v in r] for r in ROWS[3:]])
    head.write((out / "mixed_encodings.csv").read_bytes() + rest.getvalue().encode("cp949"))
    (out / "mixed_encodings.csv").write_bytes(head.getvalue())
    write_csv(out / "ragged_row.csv", table())  # a name with a comma, typed without quotes
    text = (out / "ragged_row.csv").read_bytes().decode("utf-8-sig").splitlines(keepends=True)
    text[3] = text[3].replace(str(ROWS[2][1]), "(주)한라,식품", 1)
    (out / "ragged_row.csv").write_bytes("".join(text).encode("utf-8-sig"))
    wide = table(header=HEADER + [f"x{k}" for k in range(5000)])
    write_csv(out / "5000_columns.csv", wide[:2])
    write_csv(out / "duplicate_header.csv", dup)
    dated = [[dt.date(2024, 3, 1) if k == COLUMN["기준연도"] else v for k, v in enumerate(r)]
             for r in ROWS]
    workbook(out / "real_date_in_year.xlsx", [("신청기업", table(rows=dated))])


if __name__ == "__main__":
    make()
