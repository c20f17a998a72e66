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
