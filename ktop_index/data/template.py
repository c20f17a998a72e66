"""An empty firm-year file, with the contract's headers, for a program officer to fill in.

The XLSX template is made to be filled without help: an instructions sheet (안내) first,
with the rules (money in 천원, leading zeros, years, how to save) and one row per column
(header, required, unit, what to write, allowed values, an example); then the data sheet
(자료), active so that it is the sheet read back, with a frozen header row, widths for
Korean headers, text cells for business numbers and industry codes, ``#,##0`` for money
(the unit is in the header), whole numbers for years and counts, drop-downs for the Y/N
fields, the R&D organisation code and the location, and a what-to-write prompt on every
column. The same arguments always give the same bytes.

Example
-------
>>> import tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "t.csv")
>>> write_template(path, lang="ko")
>>> from ktop_index.data.io import read_table
>>> read_table(path).frame.columns.tolist()[:3]
['기업ID', '사업자등록번호', '기업명']
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from ktop_index._files import atomic_write
from ktop_index.data.brn import make_brn
from ktop_index.data.contract import FIELDS, MONEY, bound_text, dictionary
from ktop_index.data.io import EXCEL_SUFFIXES, pin_xlsx_times, write_table
from ktop_index.errors import UsageError
from ktop_index.labels import TEMPLATE_TEXT, display_width
from ktop_index.reference import regions

#: Fields whose cells the XLSX template formats as text ('@'): Excel turns a typed number
#: into a number and drops its leading zeros (01110 crop growing would become 1110, which
#: reads as division 11, beverages), and shows a long number in exponent form.
TEXT_CELL_FIELDS = ("brn", "ksic")
#: Year fields where a date is accepted too (the contract reads 2016-05-02 as 2016): no
#: number format nor whole-number rule, so a date typed there stays a date.
DATE_FIELDS = ("founded",)

# One plausible firm-year, in KRW thousand; used only when an example row is asked for.
_EXAMPLE = {
    "firm_id": "", "brn": make_brn(616, 81, 1234), "firm_name": "(주)한라푸드텍", "year": 2024,
    "ksic": "10301", "region": "제주특별자치도 제주시 첨단로 213", "founded": 2016,
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
        atomic_write(path, lambda tmp: _write_xlsx(headers, rows, tmp, lang))
    else:
        write_table(pd.DataFrame(rows, columns=headers, dtype=object), path)


def _write_xlsx(headers: list[str], rows: list[list], path: str, lang: str = "en") -> None:
    """The template as a workbook: the data sheet (active, so it is the one read back) with
    its formats and drop-downs, and the instructions sheet before it."""
    import openpyxl

    lang = "ko" if lang == "ko" else "en"
    text = TEMPLATE_TEXT[lang]
    book = openpyxl.Workbook()
    guide = book.active
    guide.title = text["guide_sheet"]
    sheet = book.create_sheet(text["data_sheet"])
    for row in [headers, *rows]:
        sheet.append(row)
    _format_data_sheet(book, sheet, headers, lang)
    _fill_guide(guide, headers, lang, text)
    book.active = book.index(sheet)
    guide.sheet_view.tabSelected, sheet.sheet_view.tabSelected = False, True
    book.save(path)
    pin_xlsx_times(path)


#: Number formats of the data sheet's columns by kind: money with thousands commas (the unit
#: is in the header), years and counts as whole numbers, codes and business numbers as text.
NUMBER_FORMATS = {MONEY: "#,##0", "year": "0", "int": "0"}
NUMBER_KINDS = (MONEY, "year", "int", "float")  # kinds whose cells take a range rule
_HEADER_FILL = "DDEBF7"  # light blue: the header row
_LAST_ROW = 1_048_576  # Excel's last row: validations and formats cover the whole column


def column_formats() -> dict[str, str]:
    """Each field's number format in the XLSX template ('General' where none is set).

    >>> f = column_formats(); f["brn"], f["revenue"], f["year"], f["founded"], f["firm_name"]
    ('@', '#,##0', '0', 'General', 'General')
    """
    return {f.name: "@" if f.name in TEXT_CELL_FIELDS else
            "General" if f.name in DATE_FIELDS else NUMBER_FORMATS.get(f.kind, "General")
            for f in FIELDS}


def region_choices() -> list[str]:
    """The 시군구 of ``reference/regions.csv`` by their full name, for the location drop-down
    (an address may still be written instead).

    >>> region_choices()
    ['제주특별자치도 제주시', '제주특별자치도 서귀포시', '세종특별자치시']
    """
    table = regions()
    table = table[table["level"].str.contains("sigungu")]
    return [prefixes.split("|")[0] for prefixes in table["address_prefixes"]]


def drop_down_choices() -> dict[str, tuple[list[str], bool]]:
    """Field -> (the drop-down's values, whether only those are allowed).

    >>> drop_down_choices()["rnd_org"], drop_down_choices()["sme_confirmed"]
    ((['0', '1', '2'], True), (['Y', 'N'], True))
    """
    choices = {f.name: (["Y", "N"], True) for f in FIELDS if f.kind == "yesno"}
    choices["rnd_org"] = (["0", "1", "2"], True)
    choices["region"] = (region_choices(), False)
    return choices


def _format_data_sheet(book, sheet, headers: list[str], lang: str) -> None:
    """Header style, frozen header row, widths for Korean, number formats, drop-downs and
    the what-to-write prompt of every column."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    sheet.freeze_panes = "A2"
    formats = column_formats()
    for i, (f, header) in enumerate(zip(FIELDS, headers, strict=True), start=1):
        letter = get_column_letter(i)
        head = sheet.cell(1, i)
        head.font = Font(bold=True)
        head.fill = PatternFill("solid", fgColor=_HEADER_FILL)
        head.alignment = Alignment(horizontal="center", vertical="center")
        column = sheet.column_dimensions[letter]
        column.width = min(max(display_width(header) * 1.2 + 4, 10), 40)
        if formats[f.name] != "General":
            column.number_format = formats[f.name]
            for (cell,) in sheet.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = formats[f.name]
        cells = f"{letter}2:{letter}{_LAST_ROW}"
        sheet.add_data_validation(_validation(book, f, header, lang, cells))


def _validation(book, f, header: str, lang: str, cells: str):
    """The data validation of one column: a list, a range of numbers, or any value, with
    the field's meaning as the prompt Excel shows when a cell is selected."""
    from openpyxl.worksheet.datavalidation import DataValidation

    text = TEMPLATE_TEXT[lang]
    meaning = f.meaning_ko if lang == "ko" else f.meaning
    rule = DataValidation(allow_blank=True, sqref=cells, showInputMessage=True,
                          promptTitle=header[:32], prompt=meaning[:255])
    choices = drop_down_choices().get(f.name)
    if choices is not None:
        values, strict = choices
        rule.type, rule.formula1 = "list", _list_formula(book, values, text)
        if strict:
            rule.showErrorMessage = True
            rule.errorTitle = text["list_error_title"]
            rule.error = text["list_error"].format(values=", ".join(values))[:255]
    elif f.kind in NUMBER_KINDS and f.minimum is not None and f.name not in DATE_FIELDS:
        whole = f.kind in ("year", "int")
        rule.type, rule.operator = ("whole" if whole else "decimal"), "between"
        rule.formula1, rule.formula2 = _number(f.minimum), _number(f.maximum)
        rule.showErrorMessage = True
        rule.errorTitle = text["range_error_title"]
        unit = f.unit_ko if lang == "ko" else f.unit
        rule.error = text["range_error"].format(
            what=text["whole" if whole else "number"], low=bound_text(f.minimum),
            high=bound_text(f.maximum), unit=f" {unit}" if unit and f.kind != "year" else "")
    return rule


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


#: Excel's limit on a drop-down list written into the validation itself (its formula).
LIST_FORMULA_LIMIT = 255


def _list_formula(book, values: list[str], text: dict) -> str:
    """The drop-down's source: the values themselves when they fit Excel's 255 characters
    (and hold no comma), else a range of a hidden list sheet (never read as data)."""
    inline = ",".join(values)
    if len(inline) <= LIST_FORMULA_LIMIT and not any("," in v for v in values):
        return f'"{inline}"'
    from openpyxl.utils import get_column_letter, quote_sheetname

    name = text["lists_sheet"]
    lists = book[name] if name in book.sheetnames else book.create_sheet(name)
    lists.sheet_state = "hidden"
    column = (lists.max_column + 1) if lists.max_row > 1 or lists["A1"].value else 1
    for row, value in enumerate(values, start=1):
        lists.cell(row, column, value).number_format = "@"
    letter = get_column_letter(column)
    return f"{quote_sheetname(name)}!${letter}$1:${letter}${len(values)}"


def _fill_guide(guide, headers: list[str], lang: str, text: dict) -> None:
    """The instructions sheet: the rules, then one row per column of the data sheet with
    its header, whether it is required, its unit, what to write, what is allowed and an
    example."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    guide.append([text["title"]])
    guide["A1"].font = Font(bold=True, size=14)
    for rule in text["rules"]:
        guide.append([rule])
    guide.append([])
    guide.append(list(text["columns"]))
    title_row = guide.max_row
    for cell in guide[title_row]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=_HEADER_FILL)
    for i, (entry, header) in enumerate(zip(dictionary(lang), headers, strict=True), start=1):
        f = FIELDS[i - 1]
        example = _EXAMPLE[f.name]
        unit = "" if f.kind == "year" else entry["unit"]  # the kind says it: a year, 4 digits
        kind = "date" if f.name in DATE_FIELDS else f.kind
        what = f"{text['kinds'][kind]}: {entry['meaning']}"
        guide.append([get_column_letter(i), header, entry["required"], unit, what,
                      entry["allowed"], "" if example == "" else str(example)])
    for row in guide.iter_rows(min_row=title_row + 1):
        for cell in row:
            cell.number_format = "@"
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    for letter, width in zip("ABCDEFG", (6, 22, 14, 12, 60, 22, 28), strict=True):
        guide.column_dimensions[letter].width = width
