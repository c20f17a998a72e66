"""An empty firm-year file, with the contract's headers, for a program officer to fill in.

Example
-------
>>> import tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "t.csv")
>>> write_template(path, lang="ko")
>>> open(path, encoding="utf-8-sig").readline().split(",")[:3]
['기업ID', '사업자등록번호', '기업명']
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from ktop_index._files import atomic_write
from ktop_index.data.brn import make_brn
from ktop_index.data.contract import FIELDS, MONEY
from ktop_index.data.io import EXCEL_SUFFIXES, pin_xlsx_times, write_table
from ktop_index.errors import UsageError

#: Fields whose cells the XLSX template formats as text ('@'): Excel turns a typed number
#: into a number and drops its leading zeros (01110 crop growing would become 1110, which
#: reads as division 11, beverages), and shows a long number in exponent form.
TEXT_CELL_FIELDS = ("brn", "ksic")

# One plausible firm-year, in KRW thousand; used only when an example row is asked for.
_EXAMPLE = {
    "firm_id": "", "brn": make_brn(616, 81, 1234), "firm_name": "(주)한라푸드텍", "year": 2024,
    "ksic": "10301", "region": "제주특별자치도 제주시 첨단로 213", "founded": "2016-05-02",
    "firm_age": "", "ceo_industry_years": 12, "employees": 14, "rnd_staff": 3, "rnd_org": 1,
    "certifications": 2, "patents": 1, "ip_filings": 3, "rnd_projects": 1, "commercialized": 2,
    "revenue": 2350000, "operating_profit": 121000, "net_income": 88000, "total_assets": 1900000,
    "total_equity": 720000, "rnd_expense": 95000, "salaries": 610000, "export_revenue": 0,
    "requested": 50000, "letter_of_intent": "Y", "sme_confirmed": "Y",
}


def template_headers(lang: str = "en") -> list[str]:
    """Headers of the template: Korean labels (with units) for 'ko', English names otherwise.

    Money headers always carry their unit, so the file states it and nothing is guessed.
    """
    headers = []
    for f in FIELDS:
        label = f.label_ko if lang == "ko" else f.name
        if f.kind == MONEY:
            label = f"{label}({f.unit_ko})" if lang == "ko" else f"{label} (KRW thousand)"
        headers.append(label)
    return headers


def write_template(path: str | os.PathLike, lang: str = "en", example: bool = False,
                   overwrite: bool = False) -> None:
    """Write an empty CSV or XLSX (by suffix) with the contract's headers, atomically.

    An existing file is replaced only with ``overwrite=True`` (``ktop template --force``):
    it may be a template an officer has filled in, and an empty one would take its place.
    """
    if not overwrite and os.path.exists(path):
        raise UsageError(f"{path}: exists (it may be a filled-in file); give another name, "
                         "or --force to replace it with an empty template",
                         ko=f"{path}: 이미 있습니다 (작성된 파일일 수 있음); 다른 이름을 주거나, "
                            "빈 양식으로 바꾸려면 --force를 주십시오")
    headers = template_headers(lang)
    rows = [[_EXAMPLE[f.name] for f in FIELDS]] if example else []
    if Path(path).suffix.lower() in EXCEL_SUFFIXES:
        atomic_write(path, lambda tmp: _write_xlsx(headers, rows, tmp))
    else:
        write_table(pd.DataFrame(rows, columns=headers, dtype=object), path)


def _write_xlsx(headers: list[str], rows: list[list], path: str) -> None:
    """The template as a workbook whose business-number and industry-code columns are text
    columns (column style '@', so what an officer types there stays text, zeros and all)."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "data"
    for row in [headers, *rows]:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    for i, (f, header) in enumerate(zip(FIELDS, headers, strict=True), start=1):
        column = sheet.column_dimensions[get_column_letter(i)]
        column.width = min(4 + len(header) * 1.3, 60)
        if f.name in TEXT_CELL_FIELDS:
            column.number_format = "@"
            for (cell,) in sheet.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = "@"
    book.save(path)
    pin_xlsx_times(path)
