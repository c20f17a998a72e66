"""Property: whatever bytes a file holds, reading it gives a table or one InputError line,
never a traceback (another exception) - CSV text, random bytes, damaged workbooks."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ktop_index.data.io import InputError, RawTable, read_table, write_table

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


def read_or_refuse(path) -> None:
    try:
        table = read_table(path)
    except InputError as exc:
        assert "\n" not in str(exc) and exc.message("ko")
        return
    assert isinstance(table, RawTable) and len(table.rows) == len(table.frame)


@pytest.fixture(scope="module")
def workbook_bytes(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("book") / "a.xlsx"
    write_table(pd.DataFrame({"사업자등록번호": ["124-81-00998"], "기준연도": [2024],
                              "매출액(천원)": [1200.0]}), path)
    return path.read_bytes()


@SETTINGS
@given(st.binary(max_size=400), st.sampled_from([".csv", ".xlsx", ".xls", ".parquet", ".txt"]))
def test_random_bytes(tmp_path, data, suffix):
    path = tmp_path / f"a{suffix}"
    path.write_bytes(data)
    read_or_refuse(path)


CELLS = st.lists(st.sampled_from(list("ab,;\t\"\r\n 1가=") + ["sep=", "\x00", "\ufeff"]),
                 max_size=40).map("".join)


@SETTINGS
@given(CELLS, st.sampled_from(["utf-8", "utf-8-sig", "cp949", "utf-16"]))
def test_csv_text(tmp_path, text, encoding):
    path = tmp_path / "a.csv"
    path.write_bytes(("사업자등록번호,기준연도\n" + text).encode(encoding, errors="replace"))
    read_or_refuse(path)


@SETTINGS
@given(st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), min_size=1, max_size=8))
def test_damaged_workbooks(tmp_path, workbook_bytes, flips):
    """A workbook with bytes overwritten anywhere (its zip directory, a part's data)."""
    data = bytearray(workbook_bytes)
    for position, value in flips:
        data[position % len(data)] = value
    path = tmp_path / "a.xlsx"
    path.write_bytes(bytes(data))
    read_or_refuse(path)


@SETTINGS
@given(st.binary(max_size=300), st.sampled_from(["xl/worksheets/sheet1.xml",
                                                 "xl/workbook.xml", "xl/sharedStrings.xml",
                                                 "xl/styles.xml", "[Content_Types].xml"]))
def test_workbooks_with_a_part_replaced(tmp_path, workbook_bytes, junk, member):
    """A well-formed zip whose part holds anything (a program writing invalid XML)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook_bytes)) as source, zipfile.ZipFile(out, "w") as z:
        for info in source.infolist():
            z.writestr(info.filename, junk if info.filename == member else source.read(info))
    path = tmp_path / "a.xlsx"
    path.write_bytes(out.getvalue())
    read_or_refuse(path)
