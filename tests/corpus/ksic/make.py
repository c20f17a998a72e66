"""Write the KSIC corpus files (deterministic): industry codes as officers' files carry them.

    python tests/corpus/ksic/make.py

Each file is a small applicants file (or a call) whose industry code Excel or a person changed:
a leading 0 dropped (a number cell 1110 for 01110), a 10th-revision code, a split 10th code,
a code of neither revision. The cases and the answers are in cases.csv.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[2] / "data"
HEADER = ["사업자등록번호", "기업명", "기준연도", "업종코드"]
FIRM = ["124-81-00998", "한라식품(주)", 2024]


def write_csv(name: str, code: str) -> None:
    with open(HERE / name, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows([HEADER, [*FIRM, code]])


def write_xlsx(name: str, rows: list[list]) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(HERE / name)
    _pin_times(HERE / name)


def _pin_times(path: Path) -> None:
    """Same bytes on every run: fixed stamps in the workbook and its zip entries."""
    import zipfile
    with zipfile.ZipFile(path) as book:
        entries = [(info.filename, book.read(info.filename)) for info in book.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        for name, data in entries:
            if name == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*",
                              lambda m: m.group(1) + b"2000-01-01T00:00:00Z", data)
            book.writestr(zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0)), data)


def jeju_rows(count: int) -> list[list]:
    """The header and the first ``count`` applicants of the bundled Jeju file."""
    book = openpyxl.load_workbook(DATA / "jeju_2025_applicants.xlsx", read_only=True)
    rows = [list(r) for r in book.active.iter_rows(values_only=True)][:count + 1]
    book.close()
    return rows


def main() -> None:
    write_csv("lost_zero_text.csv", "1110")       # 01110 saved from a number cell as 1110
    write_xlsx("lost_zero_number.xlsx", [HEADER, [*FIRM, 1110]])  # a number cell in Excel
    write_csv("lost_zero_class.csv", "2011")      # 02011 임업용 종묘 or 2011 기초 유기화학
    write_csv("lost_zero_one_digit.csv", "3")     # 03 어업 typed as 3
    write_csv("lost_zero_division.csv", "62")     # 062 비철금속 광업 or 62 컴퓨터 프로그래밍
    write_csv("rev10_code.csv", "10712")          # 10th-revision 빵류 = 10602 in the 11th
    write_csv("rev10_split.csv", "10801")         # 10th 배합 사료: split into 10901 and 10902
    write_csv("unknown_code.csv", "10399")        # division 10 exists, this code does not
    write_csv("letter_mismatch.csv", "C1110")     # section C: 1110 is no code of division 11
    write_csv("letter_restores_zero.csv", "A1110")  # section A: the letter says it is 01110
    # the case: a crop grower's 01110 as the number 1110 in the Jeju file, which the
    # Jeju call (targets 10, 11, ...) found eligible as division 11, beverages
    rows = jeju_rows(5)
    rows[3][3] = 1110
    write_xlsx("lost_zero_select.xlsx", rows)
    # a call for in-vitro diagnostics (11th 21301); a firm still on the 10th code 21300 (split
    # into 21301 and 21309) cannot be decided on its code
    rows = jeju_rows(5)
    rows[2][3] = "21300"
    rows[4][3] = "21301"
    write_xlsx("split_select.xlsx", rows)
    call = (DATA / "calls" / "jeju_2025.toml").read_text(encoding="utf-8")
    call = call.replace('name = "jeju_2025"', 'name = "diagnostics_2025"')
    call = re.sub(r"ksic_prefixes = \[[^\]]*\]", 'ksic_prefixes = ["21301"]', call)
    (HERE / "diagnostics_2025.toml").write_text(call, encoding="utf-8")


if __name__ == "__main__":
    main()
