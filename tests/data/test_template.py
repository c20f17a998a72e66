"""ktop_index.data.template: the empty file an officer fills in, never written over a filled one."""

from __future__ import annotations

import pytest

from ktop_index.data.io import read_table
from ktop_index.data.template import template_headers, write_template
from ktop_index.errors import UsageError


def test_a_filled_in_file_is_not_replaced_without_overwrite(tmp_path):
    filled = tmp_path / "filled.csv"
    filled.write_text("사업자등록번호,기업명\n124-81-00998,한라식품\n", encoding="utf-8")
    with pytest.raises(UsageError, match=r"filled\.csv: exists .*--force"):
        write_template(filled, lang="ko")
    assert "한라식품" in filled.read_text(encoding="utf-8")
    write_template(filled, lang="ko", overwrite=True)
    assert read_table(filled).frame.columns.tolist() == template_headers("ko")


# ---------------------------------------------------------------------------- text cells
# (issue 14, item 3: Excel turns a typed 01110 into the number 1110 unless the cell is text)

@pytest.mark.parametrize("example", [False, True])
def test_the_workbook_keeps_business_numbers_and_industry_codes_as_text(tmp_path, example):
    """The brn and ksic columns are text columns ('@'), the others are not; the example row's
    codes are text cells; a code an officer types there is read back with its zero."""
    import openpyxl

    from ktop_index.data.contract import FIELDS
    from ktop_index.data.validate import validate

    path = tmp_path / "template.xlsx"
    write_template(path, lang="ko", example=example)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    letters = {f.name: openpyxl.utils.get_column_letter(i) for i, f in enumerate(FIELDS, 1)}
    formats = {name: sheet.column_dimensions[letter].number_format
               for name, letter in letters.items()}
    assert formats["brn"] == formats["ksic"] == "@"
    assert {n for n, f in formats.items() if f == "@"} == {"brn", "ksic"}
    if example:
        cell = sheet[f"{letters['ksic']}2"]
        assert (cell.value, cell.data_type, cell.number_format) == ("10301", "s", "@")
    sheet[f"{letters['ksic']}{3 if example else 2}"] = "01110"  # what the text format keeps
    sheet[f"{letters['brn']}{3 if example else 2}"] = "124-81-00998"
    book.save(path)
    frame = validate(read_table(path)).frame
    assert frame["ksic"].iloc[-1] == "01110"


# ---------------------------------------------------------------------------- fill without help
# (issue 17, item 4: instructions, drop-downs, text cells, money formats with the unit)

def _template(tmp_path, lang="ko", example=False, name="t.xlsx"):
    import openpyxl

    path = tmp_path / name
    write_template(path, lang=lang, example=example)
    return path, openpyxl.load_workbook(path)


def _letters():
    from openpyxl.utils import get_column_letter

    from ktop_index.data.contract import FIELDS

    return {f.name: get_column_letter(i) for i, f in enumerate(FIELDS, 1)}


def _validations(sheet):
    """Column letter -> its data validation (each covers one whole column below row 1)."""
    rules = {}
    for rule in sheet.data_validations.dataValidation:
        [cells] = str(rule.sqref).split()
        first, last = cells.split(":")
        letter = first.rstrip("0123456789")
        assert (first, last) == (f"{letter}2", f"{letter}1048576"), cells
        rules[letter] = rule
    return rules


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_the_data_sheet_is_active_and_the_instructions_come_first(tmp_path, lang):
    """Two sheets, the instructions first; the data sheet is the active one, its header row
    frozen."""
    _, book = _template(tmp_path, lang)
    names = {"ko": ["안내", "자료"], "en": ["instructions", "data"]}[lang]
    assert book.sheetnames == names and book.active.title == names[1]
    assert book.active.freeze_panes == "A2"
    assert [ws.sheet_view.tabSelected for ws in book.worksheets] == [False, True]


def test_drop_downs_on_the_yes_no_and_coded_columns(tmp_path):
    """Y/N for the two documents and 0/1/2 for the R&D organisation, only those allowed; the
    location lists the 시군구 of regions.csv but lets an address be written."""
    from ktop_index.selection.eligibility import region_of

    _, book = _template(tmp_path)
    rules, letters = _validations(book["자료"]), _letters()
    lists = {name: rules[letter] for name, letter in letters.items()
             if rules[letter].type == "list"}
    assert set(lists) == {"letter_of_intent", "sme_confirmed", "rnd_org", "region"}
    for name in ("letter_of_intent", "sme_confirmed"):
        assert lists[name].formula1 == '"Y,N"' and lists[name].showErrorMessage
    assert lists["rnd_org"].formula1 == '"0,1,2"' and lists["rnd_org"].showErrorMessage
    region = lists["region"]
    assert not region.showErrorMessage  # an address is still allowed
    choices = region.formula1.strip('"').split(",")
    assert choices == ["제주특별자치도 제주시", "제주특별자치도 서귀포시", "세종특별자치시"]
    assert region_of(choices) == ["jeju_si", "seogwipo_si", "sejong"]  # what selection reads
    assert not any(rule.showDropDown for rule in lists.values())  # (True would hide the arrow)


def test_number_rules_and_formats_of_the_columns(tmp_path):
    """Money '#,##0' with the unit in the header and any amount in the contract's bounds;
    the fiscal year a whole number from 1950 to 2100; counts whole numbers; codes text; the
    year founded takes a date too, so it has no number rule."""
    _, book = _template(tmp_path, example=True)
    sheet = book["자료"]
    rules, letters = _validations(sheet), _letters()
    formats = {n: sheet.column_dimensions[c].number_format for n, c in letters.items()}
    header = {n: sheet[f"{c}1"].value for n, c in letters.items()}
    assert formats["revenue"] == formats["requested"] == "#,##0"
    assert header["revenue"] == "매출액(천원)" and header["requested"] == "신청금액(천원)"
    assert sheet[f"{letters['revenue']}2"].number_format == "#,##0"  # the example row too
    assert (rules[letters["revenue"]].type, rules[letters["revenue"]].formula1) == ("decimal", "0")
    assert rules[letters["operating_profit"]].formula1 == "-1000000000000"  # a loss is allowed
    year = rules[letters["year"]]
    assert (formats["year"], year.type, year.formula1, year.formula2) == ("0", "whole", "1950",
                                                                          "2100")
    assert (formats["patents"], rules[letters["patents"]].type) == ("0", "whole")
    assert rules[letters["employees"]].type == "decimal"  # an annual average
    assert formats["brn"] == formats["ksic"] == "@"
    assert formats["founded"] == "General" and rules[letters["founded"]].type is None
    assert all(rule.showInputMessage and rule.prompt for rule in rules.values())
    assert rules[letters["rnd_org"]].prompt.startswith("연구조직: 0 없음")


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_the_instructions_list_every_column(tmp_path, lang):
    """One row per column of the data sheet, in order: its letter, its header, required or
    not, its unit, what to write, what is allowed; the rules name the leading zeros, the unit
    of money and how to save."""
    from ktop_index.data.contract import FIELDS

    _, book = _template(tmp_path, lang)
    guide = book.worksheets[0]
    rows = list(guide.iter_rows(values_only=True))
    first = next(k for k, r in enumerate(rows) if r[0] in ("열", "column")) + 1
    table = rows[first:]
    headers = template_headers(lang)
    assert [r[1] for r in table] == headers == [c.value for c in book.active[1]]
    assert [r[0] for r in table] == list(_letters().values())
    by_name = {f.name: r for f, r in zip(FIELDS, table, strict=True)}
    ko = lang == "ko"
    assert by_name["year"][2] == ("필수" if ko else "yes")
    assert by_name["revenue"][3] == ("천원" if ko else "KRW thousand")
    assert by_name["rnd_org"][4].endswith("0 없음, 1 연구개발전담부서, 2 기업부설연구소" if ko else
                                          "2 corporate R&D institute")
    assert by_name["rnd_org"][5] == "0, 1, 2"
    rules = " ".join(r[0] for r in rows[1:first - 2])
    for words in (["01110", "천원", "저장", "CSV UTF-8"] if ko else
                  ["01110", "KRW thousand", "Save", "CSV UTF-8"]):
        assert words in rules


def test_the_instructions_never_look_like_a_table(tmp_path):
    """No row of the instructions holds two of the contract's headers, so a reader never
    takes it for the data (the field's meaning often repeats its label)."""
    from ktop_index.data.contract import match_header

    for lang in ("ko", "en"):
        _, book = _template(tmp_path, lang, name=f"{lang}.xlsx")
        for row in book.worksheets[0].iter_rows(values_only=True):
            hits = [v for v in row if isinstance(v, str) and match_header(v)[0]]
            assert len(hits) <= 1, (lang, row)


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_a_filled_template_reads_back_clean(tmp_path, lang):
    """An officer fills the data sheet (codes with leading zeros, a drop-down's region,
    Y/N, the R&D code, amounts) and saves: the data sheet is read, without a problem, the
    zeros kept."""
    from ktop_index.data.validate import validate

    path, book = _template(tmp_path, lang)
    sheet, letters = book.active, _letters()
    firms = [("124-81-00998", "01110", "제주특별자치도 제주시", 2, "Y", 1_200_000),
             ("6168112348", "10301", "세종특별자치시 한누리대로 2130", 0, "N", 350_000)]
    for row, (brn, ksic, region, org, yes, revenue) in enumerate(firms, start=2):
        for name, value in [("brn", brn), ("ksic", ksic), ("region", region), ("year", 2024),
                            ("firm_name", f"기업{row}"), ("rnd_org", org), ("employees", 12),
                            ("letter_of_intent", yes), ("sme_confirmed", "Y"),
                            ("revenue", revenue), ("requested", 50_000), ("founded", 2015)]:
            sheet[f"{letters[name]}{row}"] = value
    book.save(path)
    table = read_table(path)
    assert table.sheet == ("자료" if lang == "ko" else "data") and table.problems == []
    result = validate(table)
    assert result.problems == []
    assert result.frame["ksic"].tolist() == ["01110", "10301"]
    assert result.frame["brn"].tolist() == ["124-81-00998", "616-81-12348"]
    assert result.frame["revenue"].tolist() == [1_200_000, 350_000]
    assert result.frame["rnd_org"].tolist() == [2, 0]


@pytest.mark.parametrize("example", [False, True])
def test_the_workbook_is_byte_reproducible(tmp_path, example):
    """The same arguments give the same bytes (time stamps pinned)."""
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_template(a, lang="ko", example=example)
    write_template(b, lang="ko", example=example)
    assert a.read_bytes() == b.read_bytes()


def test_a_long_list_goes_to_a_hidden_sheet(tmp_path):
    """A drop-down longer than Excel's 255 characters reads its values from a hidden sheet,
    which the reader never takes for data."""
    import openpyxl

    from ktop_index.data.template import _list_formula
    from ktop_index.labels import TEMPLATE_TEXT

    book = openpyxl.Workbook()
    values = [f"제주특별자치도 제주시 읍면{k:02d}" for k in range(30)]
    assert _list_formula(book, ["Y", "N"], TEMPLATE_TEXT["ko"]) == '"Y,N"'
    assert _list_formula(book, values, TEMPLATE_TEXT["ko"]) == "'목록'!$A$1:$A$30"
    assert _list_formula(book, values[:3] + ["a,b"], TEMPLATE_TEXT["ko"]) == "'목록'!$B$1:$B$4"
    lists = book["목록"]
    assert lists.sheet_state == "hidden" and [c.value for c in lists["A"]] == values
