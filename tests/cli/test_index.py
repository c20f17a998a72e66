"""``ktop score --rejects``: quarantine for batch jobs, as a user runs it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ktop_index.cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "data" / "examples" / "applicants_with_errors.csv"


@pytest.mark.parametrize(("lang", "said"), [
    ("en", "({rows} firm-years scored, {rejected} rejected to {rejects}, 0 not rated; model "),
    ("ko", "(기업-연도 {rows}건 산출, 오류 {rejected}건은 {rejects}에 제외, 등급 외 0건; 모형 "),
])
def test_score_with_rejects_prints_the_counts(tmp_path, capsys, lang, said):
    """The example's 12 rows: 2 scored and 10 rejected (counted by hand), said in the chosen
    language; exit 0, and both files written."""
    out, rejects = tmp_path / "out.csv", tmp_path / "rejects.csv"
    assert main(["score", str(EXAMPLE), "-o", str(out), "--rejects", str(rejects),
                 "--money-unit", "천원", "--lang", lang]) == 0
    printed = capsys.readouterr().out
    assert said.format(rows=2, rejected=10, rejects=rejects) in printed
    assert out.exists() and len(rejects.read_text(encoding="utf-8-sig").splitlines()) == 11


def test_score_without_rejects_stays_strict(tmp_path, capsys):
    """Without --rejects the same file is refused (exit 1) and nothing is written."""
    assert main(["score", str(EXAMPLE), "-o", str(tmp_path / "out.csv"),
                 "--money-unit", "천원"]) == 1
    assert "appears twice in 2024" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_rejects_never_replace_the_input(tmp_path, capsys):
    """--rejects naming the input is a usage error (exit 2) and the input is unchanged."""
    batch = tmp_path / "batch.csv"
    shutil.copy(EXAMPLE, batch)
    before = batch.read_bytes()
    assert main(["score", str(batch), "-o", str(tmp_path / "out.csv"), "--rejects", str(batch),
                 "--money-unit", "천원"]) == 2
    assert f"--rejects {batch}: is the input" in capsys.readouterr().err
    assert batch.read_bytes() == before and sorted(tmp_path.iterdir()) == [batch]


def test_a_batch_with_no_good_row_exits_1_with_the_rejects_written(tmp_path, capsys):
    """Every row rejected: exit 1 saying there is nothing to score; the rejects are written."""
    lines = EXAMPLE.read_bytes().splitlines(keepends=True)
    batch = tmp_path / "batch.csv"
    batch.write_bytes(b"".join(lines[:4]))
    rejects = tmp_path / "rejects.csv"
    assert main(["score", str(batch), "-o", str(tmp_path / "out.csv"), "--rejects", str(rejects),
                 "--money-unit", "천원", "--lang", "ko"]) == 1
    assert "3개 행 모두 오류가 있어 점수를 낼 행이 없습니다" in capsys.readouterr().err
    assert len(rejects.read_text(encoding="utf-8-sig").splitlines()) == 4
    assert not (tmp_path / "out.csv").exists()


def test_score_begins_reading_only_what_it_streams(tmp_path):
    """``ktop score`` begins reading its input before pandas loads only when it will stream
    it (CSV or Parquet to CSV or Parquet, the local engine, no sheet), and writes the bytes
    the Python API writes."""
    from ktop_index.cli.app import build_parser
    from ktop_index.cli.index import _begin_reading
    from ktop_index.index.files import score_file

    source = Path(__file__).resolve().parents[2] / "data" / "jeju_2025_applicants.csv"
    parse = build_parser().parse_args
    begun = _begin_reading(parse(["score", str(source), "-o", str(tmp_path / "x.csv")]))
    assert begun is not None and begun._early is not None
    for other in (["-o", str(tmp_path / "x.xlsx")], ["-o", "x.csv", "--engine", "dask"],
                  ["-o", "x.csv", "--sheet", "1"]):
        assert _begin_reading(parse(["score", str(source), *other])) is None
    assert main(["score", str(source), "-o", str(tmp_path / "cli.csv")]) == 0
    score_file(source, tmp_path / "api.csv")
    assert (tmp_path / "cli.csv").read_bytes() == (tmp_path / "api.csv").read_bytes()
