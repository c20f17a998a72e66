"""Readers and writers: encodings, formats, row numbers, atomic writes."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

from ktop_index.data.io import (
    InputError,
    detect_encoding,
    read_table,
    write_csv_blocks,
    write_table,
)

TEXT = "사업자등록번호,기업명,기준연도,업종코드,매출액(천원)\n124-81-00998,한라식품,2024,01110,\"1,200\"\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp949", "euc-kr"])
def test_csv_encodings(tmp_path, encoding):
    """UTF-8 with or without BOM and CP949/EUC-KR all read to the same Korean text."""
    path = tmp_path / "a.csv"
    path.write_bytes(TEXT.encode(encoding))
    table = read_table(path)
    assert table.frame.columns.tolist()[:2] == ["사업자등록번호", "기업명"]
    assert table.frame["기업명"].iloc[0] == "한라식품"
    assert table.encoding == ("cp949" if encoding in ("cp949", "euc-kr") else encoding)


def test_codes_keep_leading_zeros(tmp_path):
    """KSIC codes are read as text: '01110' (agriculture) keeps its zero."""
    path = tmp_path / "a.csv"
    path.write_text(TEXT, encoding="utf-8")
    assert read_table(path).frame["업종코드"].iloc[0] == "01110"


def test_undecodable_file(tmp_path):
    """Bytes that are neither UTF-8 nor CP949 give a one-line InputError."""
    path = tmp_path / "a.csv"
    path.write_bytes(b"a,b\n\xff\xfe\xff,1\n")
    with pytest.raises(InputError, match="expected UTF-8 or CP949"):
        read_table(path)


def test_row_numbers_skip_blank_lines(tmp_path):
    """Row numbers are what a spreadsheet shows, even across blank lines."""
    path = tmp_path / "a.csv"
    path.write_text("기준연도,기업명\n2024,가\n\n2024,나\n", encoding="utf-8")
    table = read_table(path)
    assert table.rows.tolist() == [2, 4]
    assert table.frame["기업명"].tolist() == ["가", "나"]


def test_late_dash_does_not_break_inference(tmp_path):
    """A '-' far down a numeric column still reads (type inference falls back to text)."""
    lines = ["기준연도,수출액(천원)"] + [f"2024,{i}" for i in range(3000)] + ["2024,-"]
    path = tmp_path / "a.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = read_table(path)
    assert len(table.frame) == 3001 and table.frame["수출액(천원)"].iloc[-1] == "-"


def test_xlsx_round_trip_and_sheet(tmp_path):
    """XLSX: written and read back, first sheet by default, --sheet by name or number."""
    path = tmp_path / "a.xlsx"
    frame = pd.DataFrame({"기업명": ["한라", "탐라"], "매출액(천원)": [1200.0, np.nan],
                          "업종코드": ["01110", "10301"]})
    write_table(frame, path)
    table = read_table(path)
    assert table.frame["기업명"].tolist() == ["한라", "탐라"]
    assert table.frame["업종코드"].tolist() == ["01110", "10301"]
    assert table.frame["매출액(천원)"].iloc[0] == 1200.0
    assert read_table(path, sheet="data").frame.shape == (2, 3)
    assert read_table(path, sheet=0).frame.shape == (2, 3)
    with pytest.raises(InputError, match="no sheet 'x'"):
        read_table(path, sheet="x")


def test_parquet_round_trip(tmp_path):
    """Parquet keeps types; writing the same frame twice gives the same bytes."""
    frame = pd.DataFrame({"brn": ["124-81-00998"], "year": [2024], "revenue": [1.5]})
    write_table(frame, tmp_path / "a.parquet")
    write_table(frame, tmp_path / "b.parquet")
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()
    back = read_table(tmp_path / "a.parquet").frame
    assert back["year"].iloc[0] == 2024 and back["revenue"].iloc[0] == 1.5


def test_csv_for_excel(tmp_path):
    """CSV output has a BOM (Excel shows Korean) and escapes formula-like text."""
    path = tmp_path / "out.csv"
    write_table(pd.DataFrame({"기업명": ["=HYPERLINK(\"x\")", "한라"], "이익": [-5, 3]}), path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and ",-5" in text and "'-5" not in text


def test_atomic_write_keeps_old_file_on_failure(tmp_path):
    """A write that fails halfway leaves the previous file and no temporary file."""
    path = tmp_path / "out.parquet"
    write_table(pd.DataFrame({"a": [1]}), path)
    before = path.read_bytes()

    class Boom:  # a frame pyarrow cannot convert
        pass
    with pytest.raises(ValueError):  # pyarrow's ArrowInvalid
        write_table(pd.DataFrame({"a": [Boom()]}), path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["out.parquet"]


def test_unknown_suffix_and_missing_file(tmp_path):
    """Unknown formats and missing files are one-line InputErrors."""
    with pytest.raises(InputError, match="no such file"):
        read_table(tmp_path / "none.csv")
    (tmp_path / "a.doc").write_text("x")
    with pytest.raises(InputError, match="unknown file type"):
        read_table(tmp_path / "a.doc")


def test_detect_encoding():
    """BOM, UTF-8 and CP949 are told apart."""
    assert detect_encoding("가".encode("utf-8-sig")) == "utf-8-sig"
    assert detect_encoding("가".encode()) == "utf-8"
    assert detect_encoding("가나다".encode("cp949")) == "cp949"


def test_large_cp949_file_with_ascii_start(tmp_path):
    """A CP949 file whose first 64 KiB are plain ASCII is still detected and read right."""
    lines = ["firm_id,year,firm_name"] + [f"F{i:06d},2024,abc" for i in range(8000)]
    lines.append("F999999,2024,한라산")
    path = tmp_path / "big.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("cp949"))
    table = read_table(path)
    assert table.encoding == "cp949"
    assert table.frame["firm_name"].iloc[-1] == "한라산"


def test_csv_blocks_equal_one_write(tmp_path):
    """Writing a table block by block gives the bytes of writing it whole: one header, one BOM,
    escaping and categories handled in every block."""
    frame = pd.DataFrame({
        "이름": ["=1+1", "한라", None, "@x", "ok", "-y", "제주"],
        "값": [1.5, np.nan, -2.0, 3.25, 0.1, 1e-7, 12345678.9],
        "등급": pd.Categorical(["A", "B", "A", None, "=C", "B", "A"]),
    })
    whole, blocks = tmp_path / "whole.csv", tmp_path / "blocks.csv"
    write_table(frame, whole)
    write_csv_blocks((frame.iloc[k:k + 2] for k in range(0, len(frame), 2)), blocks)
    assert blocks.read_bytes() == whole.read_bytes()
    assert whole.read_bytes().count(b"\xef\xbb\xbf") == 1
    assert whole.read_bytes().decode("utf-8-sig").count("이름") == 1


def test_csv_blocks_reuse_their_buffers_without_mixing_bytes(tmp_path):
    """Blocks formatted into buffers used again (:class:`ktop_index.data.io._Buffers`): many
    more blocks than buffers, and blocks that take many more bytes a row than the first (the
    buffer is outgrown, and the block formatted again) give the bytes arrow's writer gives
    each block on its own, in order, after one BOM."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(7)
    blocks = []
    for k in range(40):
        rows = 9_000 if k == 5 else int(rng.integers(1, 400))  # one over writer batches
        width = 1 if k < 3 else int(rng.integers(1, 300))  # the first blocks' rows are short
        blocks.append(pa.table({
            "name": [f"기업{k}-{j}-" + "x" * int(rng.integers(0, width)) for j in range(rows)],
            "value": rng.normal(size=rows) * 10.0 ** int(rng.integers(-5, 9)),
            "year": rng.integers(2000, 2030, size=rows),
        }))
    expected = [b"\xef\xbb\xbf"]
    for k, block in enumerate(blocks):
        sink = pa.BufferOutputStream()
        pacsv.write_csv(block, sink, write_options=pacsv.WriteOptions(
            quoting_style="needed", include_header=k == 0))
        expected.append(sink.getvalue().to_pybytes())
    path = tmp_path / "blocks.csv"
    write_csv_blocks(iter(blocks), path)
    assert path.read_bytes() == b"".join(expected)


@pytest.mark.parametrize("encoding", ["utf-8", "cp949"])
def test_csv_pieces_hold_whole_records_whatever_their_size(tmp_path, encoding):
    """A streamed CSV's pieces (``io._csv_chunks``), copied as they come (a UTF-8 file's are
    views of one buffer read into again), are the file's UTF-8 text in order, and each ends
    at a record's end: never inside a quoted line break, also where a record is longer than
    a piece."""
    from ktop_index.data.io import _csv_chunks

    records = ['기업명,메모', '한라,"첫 줄\r\n둘째 줄"', '"제주, 바이오","""따옴표"" 안"',
               '오름,' + "긴 메모 " * 40, '"x\ny",z', "끝,"]
    text = "\r\n".join(records) + "\r\n"
    path = tmp_path / "pieces.csv"
    path.write_bytes(text.encode(encoding))
    for size in (1, 7, 64, 200, 10_000):
        pieces = [bytes(piece) for piece in _csv_chunks(path, encoding, size)]
        assert b"".join(pieces) == text.encode("utf-8")
        for piece in pieces:
            assert piece.count(b'"') % 2 == 0 and piece.endswith(b"\r\n")


def test_line_break_inside_a_quoted_cell(tmp_path, monkeypatch):
    """A cell holding a line break (Alt+Enter in Excel) is read as one value, even where the
    fast reader's block boundary falls inside it."""
    monkeypatch.setattr("ktop_index.data.io.CSV_READ_BLOCK", 64)
    names = ["한라\n식품", "제주,바이오", "오름"] * 20
    lines = ["기업명,매출액"] + [f'"{n}",{k}' for k, n in enumerate(names)]
    path = tmp_path / "breaks.csv"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    frame = read_table(path).frame
    assert frame["기업명"].tolist() == names
    assert frame["매출액"].astype(int).tolist() == list(range(len(names)))


def test_arrow_blocks_write_the_bytes_of_the_frame(tmp_path):
    """Blocks given as pyarrow Tables (text, dictionaries, NaN as null) give the bytes of
    writing the equivalent DataFrame: formula-like text escaped, nulls empty, floats shortest."""
    import pyarrow as pa

    frame = pd.DataFrame({
        "이름": pd.array(["=1+1", "한라", None, "@x", "-1", "-y", "\t탭"], dtype="str"),
        "값": [1.5, np.nan, -2.0, 3.25, 0.1, 1e-7, 12345678.9],
        "연도": pd.array([2024, None, 2023, 2022, 2021, 2020, 2019], dtype="Int64"),
        "등급": pd.Categorical(["A", "B", "A", None, "=C", "B", "A"]),
    })
    whole, blocks = tmp_path / "whole.csv", tmp_path / "blocks.csv"
    write_table(frame, whole)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    write_csv_blocks((table.slice(k, 3) for k in range(0, len(frame), 3)), blocks)
    assert blocks.read_bytes() == whole.read_bytes()
    text = whole.read_bytes().decode("utf-8-sig")
    assert "'=1+1" in text and "'@x" in text and "'-y" in text and "'=C" in text
    # a text that is wholly a number ("-1") runs as no formula: left as it is
    assert "'-1" not in text and "'\t탭" in text and ",-2," in text


def test_one_formula_rule_for_csv_and_xlsx(tmp_path):
    """The same text cells are escaped in CSV (apostrophe) and XLSX (quoted text) exports, by
    OWASP's rule: =, +, -, @, tab and CR at the start; never numbers."""
    from openpyxl import load_workbook

    from ktop_index.data.io import FORMULA_START, formula_like

    attacks = ["-2+3+cmd|' /C calc'!A0", "=HYPERLINK(\"http://x\")", "+1+1", "@SUM(A1)",
               "\tx", "\rx", "-1+HYPERLINK(\"y\")", "＝1+1", "＋A1", "－2+3+cmd", "＠SUM(A1)",
               "한라", "1-2", "-5000", "+1.5e3"]
    assert formula_like(attacks).tolist() == [True] * 11 + [False] * 4
    assert {a[0] for a in attacks[:11]} == set(FORMULA_START)
    frame = pd.DataFrame({"name": pd.array(attacks, dtype="str"), "v": [-1.0] * len(attacks)})
    write_table(frame, tmp_path / "a.csv")
    write_table(frame, tmp_path / "a.xlsx")
    text = (tmp_path / "a.csv").read_bytes().decode("utf-8-sig")
    for attack in attacks[:11]:
        assert "'" + attack.replace('"', '""') in text
    sheet = load_workbook(tmp_path / "a.xlsx").active
    cells = [sheet.cell(row, 1).value for row in range(2, len(attacks) + 2)]
    assert [c.startswith("'") for c in cells] == [True] * 11 + [False] * 4
    assert all(sheet.cell(row, 2).value == -1 for row in range(2, len(attacks) + 2))


def test_control_characters_in_exports(tmp_path):
    """NUL, ESC and the other C0 controls but tab, LF and CR crash openpyxl's writer: XLSX
    exports show each as U+FFFD (headers too); CSV keeps them as they are, inside quotes,
    and still escapes a formula-like text."""
    from openpyxl import load_workbook

    from ktop_index.data.io import xlsx_text

    names = ["한라\x00식품", "=\x1bcmd", "탭\t줄\n끝", "ok"]
    frame = pd.DataFrame({"기업명": pd.array(names, dtype="str"), "n": [1, 2, 3, 4],
                          "등급": pd.Categorical(["A\x07", "B", "A\x07", "B"]),
                          "비고\x01": ["", "", "", ""]})
    write_table(frame, tmp_path / "a.xlsx")
    sheet = load_workbook(tmp_path / "a.xlsx").active
    assert [c.value for c in sheet[1]] == ["기업명", "n", "등급", "비고\ufffd"]
    assert [sheet.cell(r, 1).value for r in range(2, 6)] == [
        "한라\ufffd식품", "'=\ufffdcmd", "탭\t줄\n끝", "ok"]
    assert sheet.cell(2, 3).value == "A\ufffd" and sheet.cell(2, 2).value == 1
    assert xlsx_text("".join(map(chr, range(32)))) == (
        "\ufffd" * 9 + "\t\n" + "\ufffd" * 2 + "\r" + "\ufffd" * 18)
    write_table(frame, tmp_path / "a.csv")
    text = (tmp_path / "a.csv").read_bytes().decode("utf-8-sig")
    assert '"한라\x00식품"' in text and "\"'=\x1bcmd\"" in text and '"A\x07"' in text
    back = read_table(tmp_path / "a.csv").frame
    assert back["기업명"].tolist()[:2] == ["한라\x00식품", "'=\x1bcmd"]


def _panel_csv(path, rows: int, bad_at: int | None = None):
    """A firm-year CSV of ``rows`` records (Korean names, blanks among the numbers); with
    ``bad_at``, '1,234' in that record's revenue, where a number was read before."""
    revenue = [str(k * 7) if k % 11 else "" for k in range(rows)]
    if bad_at is not None:
        revenue[bad_at] = "1,234"
    frame = pd.DataFrame({"firm_id": [f"F{k // 5:05d}" for k in range(rows)],
                          "firm_name": ["한라 식품" if k % 3 else "제주,바이오" for k in range(rows)],
                          "year": [2019 + k % 5 for k in range(rows)], "revenue": revenue})
    path.write_text(frame.to_csv(index=False), encoding="utf-8")
    return path


def _batches(stream):
    """The stream's batches as (frame, rows), up to an error: (batches, the error's type)."""
    got = []
    try:
        for batch in stream:
            got.append((batch.frame, batch.rows))
    except Exception as exc:  # noqa: BLE001 - what a stream raises is compared
        return got, type(exc)
    return got, None


@pytest.mark.parametrize("block", [1024, 1 << 24])  # many blocks (past EARLY_BLOCKS), one
def test_a_begun_stream_gives_the_batches_of_a_fresh_one(tmp_path, monkeypatch, block):
    """A stream begun early (``TableStream.start``: its first blocks parsed in a thread)
    gives the same batches, cells and spreadsheet rows as one never begun, whether the file
    has more blocks than are parsed early or fewer; iterated again, it reads afresh."""
    from ktop_index.data import io

    monkeypatch.setattr(io, "CSV_READ_BLOCK", block)
    path = _panel_csv(tmp_path / "panel.csv", 2000)
    fresh, _ = _batches(io.stream_table(path, rows=300))
    begun = io.stream_table(path, rows=300).start()
    assert block > path.stat().st_size or path.stat().st_size / block > 2 * io.EARLY_BLOCKS
    for attempt in range(2):
        got, error = _batches(begun)
        assert error is None and len(got) == len(fresh)
        assert sum(len(frame) for frame, _ in got) == 2000
        for (frame, rows), (want, want_rows) in zip(got, fresh):
            pd.testing.assert_frame_equal(frame, want)
            assert np.array_equal(rows, want_rows)


@pytest.mark.parametrize("bad_at", [150, 1900])  # in an early block; in a later one
def test_a_begun_stream_raises_where_a_fresh_one_does(tmp_path, monkeypatch, bad_at):
    """'1,234' where the first block read numbers: a begun stream yields the same batches
    before raising ``TypesChanged`` as a fresh one, inside the blocks parsed early or
    after them."""
    from ktop_index.data import io

    monkeypatch.setattr(io, "CSV_READ_BLOCK", 1024)
    path = _panel_csv(tmp_path / "panel.csv", 2000, bad_at=bad_at)
    fresh, error = _batches(io.stream_table(path, rows=100))
    begun, begun_error = _batches(io.stream_table(path, rows=100).start())
    assert error is begun_error is io.TypesChanged
    assert [len(f) for f, _ in begun] == [len(f) for f, _ in fresh]
    assert sum(len(f) for f, _ in fresh) < bad_at  # raised before the bad record's batch


def test_a_stream_begins_before_pandas_loads(tmp_path):
    """``ktop score`` opens and begins its stream before pandas is imported (that overlap
    is its head start): the reader's module and a begun stream need no pandas, which the
    first batch then loads."""
    import subprocess
    import sys

    path = _panel_csv(tmp_path / "panel.csv", 500)
    code = ("import sys\nfrom ktop_index.data.io import stream_table\n"
            f"stream = stream_table({str(path)!r}).start()\n"
            "assert 'pandas' not in sys.modules, 'pandas loaded'\n"
            "print(sum(len(batch.frame) for batch in stream), 'pandas' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["500", "True"]
