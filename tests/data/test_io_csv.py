"""CSV readers that know Excel: CR-only line ends, UTF-16 "Unicode text", ``sep=`` lines,
semicolons, title rows, duplicated and empty headers, mixed encodings named by line, and
the column limit counted before reading."""

from __future__ import annotations

import time

import pytest

from ktop_index.data.io import InputError, ReadLimits, detect_encoding, read_table
from ktop_index.data.validate import validate

LINES = ["사업자등록번호,기업명,기준연도,매출액(천원)", "124-81-00998,한라,2024,1200",
         "220-81-62517,탐라,2024,3400", "616-81-12348,오름,2024,5600"]
NAMES = ["한라", "탐라", "오름"]


def write(tmp_path, lines, name="a.csv", encoding="utf-8", end="\n", first=""):
    path = tmp_path / name
    path.write_bytes((first + end.join(lines) + end).encode(encoding))
    return path


def test_cr_only_line_ends(tmp_path):
    """Old Mac Excel ends lines with CR alone: read as lines, rows numbered as usual."""
    table = read_table(write(tmp_path, LINES, end="\r"))
    assert table.frame["기업명"].tolist() == NAMES and table.rows.tolist() == [2, 3, 4]


def test_utf16_unicode_text(tmp_path):
    """Excel's "Unicode text": UTF-16 with a byte-order mark, tab separated."""
    lines = [line.replace(",", "\t") for line in LINES]
    table = read_table(write(tmp_path, lines, "a.txt", encoding="utf-16", end="\r\n"))
    assert table.encoding == "utf-16" and table.frame["기업명"].tolist() == NAMES
    assert validate(table).ok


@pytest.mark.parametrize("delimiter", [";", ","])
def test_sep_line_is_honoured(tmp_path, delimiter):
    """Excel's first line ``sep=;`` names the delimiter and is not a row (Excel hides it)."""
    lines = [line.replace(",", delimiter) for line in LINES]
    table = read_table(write(tmp_path, lines, first=f"sep={delimiter}\r\n", end="\r\n"))
    assert table.frame["매출액(천원)"].astype(int).tolist() == [1200, 3400, 5600]
    assert table.header_row == 1 and table.rows.tolist() == [2, 3, 4]


def test_semicolon_delimiter(tmp_path):
    """A semicolon CSV (Excel where the comma is the decimal mark) is read by its header."""
    table = read_table(write(tmp_path, [line.replace(",", ";") for line in LINES]))
    assert table.frame.columns.tolist() == LINES[0].split(",")


def test_title_row_above_the_header(tmp_path):
    """A title and a blank line above the header: the header is row 3, firms from row 4."""
    table = read_table(write(tmp_path, ["2025년 신청기업 현황,,,", ""] + LINES))
    assert table.header_row == 3 and table.rows.tolist() == [4, 5, 6]
    assert table.frame["기업명"].tolist() == NAMES and validate(table).ok
    assert read_table(write(tmp_path, ["제목", ""] + LINES), header_row=3).rows.tolist() == [
        4, 5, 6]


def test_header_not_found_warns(tmp_path):
    """No row with two contract headers: row 1 is the header, and a warning says how to
    point at another (committee and other files are read this way, without a warning to
    act on: only the validator shows it)."""
    table = read_table(write(tmp_path, ["a,b", "1,2"]))
    assert table.frame.columns.tolist() == ["a", "b"]
    [warning] = table.problems
    assert warning.code == "header_not_found" and "--header-row N" in warning.line()


def test_duplicated_header(tmp_path):
    """The same header twice: the first column is read, the second named, never an
    internal error."""
    lines = [LINES[0] + ",매출액(천원)"] + [line + ",1" for line in LINES[1:]]
    table = read_table(write(tmp_path, lines))
    assert table.frame["매출액(천원)"].astype(int).tolist() == [1200, 3400, 5600]
    [problem] = table.problems
    assert (problem.code, problem.severity, problem.row, problem.params["first"],
            problem.params["second"]) == ("duplicate_header", "error", 1, "D", "E")
    assert "columns D and E" in validate(table).errors[0].line()


def test_empty_headers(tmp_path):
    """Trailing empty headers over empty cells (Excel's stray commas) vanish; an empty header
    over data is named by its column letter."""
    lines = [LINES[0] + ",,"] + [line + ",," for line in LINES[1:]]
    assert read_table(write(tmp_path, lines)).problems == []
    lines = [LINES[0] + ",,"] + [line + ",,메모" for line in LINES[1:]]
    table = read_table(write(tmp_path, lines))
    assert [(p.code, p.column) for p in table.problems] == [("unnamed_column", "F")]
    assert table.frame.columns.tolist() == LINES[0].split(",")


def test_mixed_encodings_are_named_by_line(tmp_path):
    """Two files pasted together, UTF-8 then CP949: the message names line 4, not byte 0."""
    path = tmp_path / "a.csv"
    path.write_bytes("\n".join(LINES[:3]).encode() + b"\n" + LINES[3].encode("cp949") + b"\n")
    with pytest.raises(InputError) as caught:
        read_table(path)
    assert "line 4 is CP949/EUC-KR but the lines before it are UTF-8" in str(caught.value)
    assert "4번째 줄은 CP949/EUC-KR인데" in caught.value.message("ko")
    path.write_bytes("\n".join(LINES[:3]).encode("cp949") + b"\n" + LINES[3].encode() + b"\n")
    with pytest.raises(InputError, match="line 4 is UTF-8 but the lines before it are CP949"):
        read_table(path)


def test_mixed_encodings_past_the_first_bytes(tmp_path):
    """A CP949 line far down a UTF-8 file is found when the whole file is read."""
    lines = LINES + [f"124-81-00998,한라{k},2023,1" for k in range(5000)]
    path = tmp_path / "a.csv"
    path.write_bytes("\n".join(lines).encode() + "\n오름,,,\n".encode("cp949"))
    with pytest.raises(InputError, match=f"line {len(lines) + 1} is CP949"):
        read_table(path)


def test_undecodable_names_the_line():
    with pytest.raises(InputError, match="cannot decode the text at line 2"):
        detect_encoding(b"a,b\n\xff\xfe\xff,1\n")


def test_100000_unknown_columns_fail_fast(tmp_path):
    """A header of 100,000 columns is refused from its first bytes, before pyarrow reads."""
    header = ",".join(["사업자등록번호"] + [f"c{k}" for k in range(100_000)])
    path = tmp_path / "wide.csv"
    path.write_text(header + "\n" + "1," * 100_000 + "1\n", encoding="utf-8")
    start = time.perf_counter()
    with pytest.raises(InputError) as caught:
        read_table(path)
    assert time.perf_counter() - start < 2
    assert "more than the limit of 1,000" in str(caught.value)
    assert "KTOP_MAX_COLUMNS" in caught.value.message("ko")


def test_column_limit_is_configurable(tmp_path, monkeypatch):
    lines = [LINES[0] + "".join(f",x{k}" for k in range(20))] + [
        line + ",1" * 20 for line in LINES[1:]]
    path = write(tmp_path, lines)
    with pytest.raises(InputError, match="24 columns, more than the limit of 10"):
        read_table(path, limits=ReadLimits(columns=10))
    monkeypatch.setenv("KTOP_MAX_COLUMNS", "10")
    with pytest.raises(InputError, match="limit of 10"):
        read_table(path)
    monkeypatch.setenv("KTOP_MAX_COLUMNS", "ten")
    with pytest.raises(ValueError, match="KTOP_MAX_COLUMNS='ten': expected a whole number"):
        read_table(path)


def test_unknown_column_hints_are_bounded():
    """Only the first unknown columns get a did-you-mean (a fuzzy match each); the rest are
    still named."""
    import pandas as pd

    from ktop_index.data.validate import UNKNOWN_HINTS

    frame = pd.DataFrame({"사업자등록번호": ["124-81-00998"], "기준연도": [2024],
                          **{f"매출액{k}x": ["1"] for k in range(UNKNOWN_HINTS + 20)}})
    unknown = [p for p in validate(frame).problems if p.code == "unknown_column"]
    assert len(unknown) == UNKNOWN_HINTS + 20
    assert sum(bool(p.params.get("hint")) for p in unknown) == UNKNOWN_HINTS


def test_a_clean_csv_reads_as_before(tmp_path):
    """The common path: header on row 1, numbers typed by pyarrow, codes kept as text."""
    table = read_table(write(tmp_path, [LINES[0] + ",업종코드"] + [
        line + ",01110" for line in LINES[1:]]))
    assert table.frame["업종코드"].tolist() == ["01110"] * 3
    assert str(table.frame["매출액(천원)"].dtype) == "int64"
    assert table.problems == [] and table.header_row == 1


def test_header_row_reaches_every_command(tmp_path, capsys):
    """``--header-row`` is passed on by validate, score and select (ktop's reading options)."""
    from ktop_index.cli.app import main

    path = write(tmp_path, ["제목"] * 35 + ["사업자등록번호,기업명,기준연도,매출액(천원)"] + LINES[1:])
    assert main(["validate", str(path), "-q"]) == 1  # the header is below the rows searched
    assert ("row 36 has 4 fields but the header (row 1) has 1 (expected as many in every row; "
            "if the header is lower, give --header-row N)") in capsys.readouterr().err
    assert main(["validate", str(path), "--header-row", "36"]) == 0
    assert main(["score", str(path), "-o", str(tmp_path / "s.csv"), "--header-row", "36"]) == 0
    main(["select", str(path), "--call", "jeju_2025", "-o", str(tmp_path / "out"),
          "--header-row", "36"])
    err = capsys.readouterr().err
    assert "cannot read" not in err and "fields but the header" not in err
    assert "letter_of_intent" in err  # read, then refused for what the call requires
