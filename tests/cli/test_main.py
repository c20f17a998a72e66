"""The command line: exit codes, one-line errors, no tracebacks, both languages."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

from ktop_index.cli import main
from ktop_index.data.io import read_table
from ktop_index.data.template import template_headers
from ktop_index.data.validate import validate


def ktop(*args):
    """Run ``ktop`` as a user would, in a subprocess."""
    return subprocess.run([sys.executable, "-m", "ktop_index.cli", *map(str, args)],
                          check=False, capture_output=True, text=True, encoding="utf-8")


def test_help_reads_well():
    """ktop --help lists the commands; each command has its own help."""
    out = ktop("--help")
    assert out.returncode == 0 and "validate" in out.stdout and "Exit codes" in out.stdout
    for command in ["schema", "template", "validate", "synth"]:
        assert ktop(command, "--help").returncode == 0


def test_wrong_usage_exits_2():
    """Unknown commands, missing arguments and bad option values exit 2, no traceback."""
    for args in [("bogus",), ("validate",), ("synth", "-o", "x", "--years", "2020")]:
        out = ktop(*args)
        assert out.returncode == 2, args
        assert "Traceback" not in out.stderr


def test_a_missing_input_file_exits_1():
    """A file that cannot be read is an error of the input (exit 1), not of usage: one line
    naming the file."""
    out = ktop("validate", "no_such_file.csv")
    assert out.returncode == 1
    assert out.stderr == "ktop validate: error: no_such_file.csv: no such file\n"


def test_validate_exit_codes(tmp_path):
    """validate: 0 for a clean file, 1 with every problem listed for a bad one."""
    good = tmp_path / "good.csv"
    good.write_text("사업자등록번호,기준연도\n124-81-00998,2024\n", encoding="utf-8")
    assert ktop("validate", good).returncode == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("사업자등록번호,기준연도,연구조직\n124-81-00997,2024,7\n", encoding="cp949")
    out = ktop("validate", bad)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    lines = out.stdout.strip().splitlines()
    assert lines[0].startswith("bad.csv:2:사업자등록번호:") and lines[1].startswith("bad.csv:2:연구조직:")
    ko = ktop("validate", bad, "--lang", "ko")
    assert "검증번호" in ko.stdout and "오류 2건" in ko.stderr


def test_template_is_valid_and_complete(tmp_path):
    """The template has every field; with its example row it validates cleanly."""
    for lang, suffix in [("ko", "xlsx"), ("en", "csv")]:
        path = tmp_path / f"t.{suffix}"
        assert main(["template", "-o", str(path), "--lang", lang, "--example"]) == 0
        table = read_table(path)
        assert table.frame.columns.tolist() == template_headers(lang)
        assert validate(table).problems == []


def test_schema_prints_dictionary(capsys):
    """schema prints one line per field, in English or Korean."""
    assert main(["schema"]) == 0
    out = capsys.readouterr().out
    assert "revenue" in out and "KRW thousand" in out
    assert main(["schema", "--lang", "ko"]) == 0
    assert "매출액" in capsys.readouterr().out


def test_money_unit_option(tmp_path):
    """--money-unit supplies the unit of money headers that name none."""
    path = tmp_path / "m.csv"
    path.write_text("사업자등록번호,기준연도,매출액\n124-81-00998,2024,\"1,200\"\n", encoding="utf-8")
    assert ktop("validate", path).returncode == 1
    assert ktop("validate", path, "--money-unit", "백만원").returncode == 0


def test_score_notes_firms_measured_without_their_industry(tmp_path):
    """The bundled model measures indicators against the firm's industry: `ktop score` says how
    many firm-years it could not place (no KSIC code) instead of staying silent, and nothing
    when every firm has one."""
    frame = read_table("data/jeju_2025_applicants.csv").frame
    assert main(["score", "data/jeju_2025_applicants.csv", "-o", str(tmp_path / "a.csv")]) == 0
    headers = [c for c in frame.columns if c != "업종코드"]
    assert len(headers) == len(frame.columns) - 1  # the Korean header of ksic
    frame[headers].iloc[:5].to_csv(tmp_path / "no_ksic.csv", index=False)
    out = ktop("score", tmp_path / "no_ksic.csv", "-o", tmp_path / "b.csv")
    assert out.returncode == 0, out.stderr
    assert "note: 5 firm-years have no KSIC code" in out.stderr
    out = ktop("score", "data/jeju_2025_applicants.csv", "-o", tmp_path / "c.csv")
    assert out.returncode == 0 and "note:" not in out.stderr


def test_score_csv_streams_the_same_bytes(tmp_path):
    """`ktop score` to CSV (scored and written block by block) gives the bytes of scoring the
    whole file at once and writing it; to XLSX it gives the same numbers."""
    from ktop_index.data.io import write_csv_blocks, write_table
    from ktop_index.data.validate import read_firms
    from ktop_index.index.spec import indicator_labels_ko
    from ktop_index.index.techindex import TechIndex, _score_tables, identity_labels_ko, score_firms
    from ktop_index.labels import localise_score_table, localise_scores

    source = "data/jeju_2025_applicants.csv"
    frame = read_firms(source)
    whole, blocks = tmp_path / "whole.csv", tmp_path / "blocks.csv"
    model = TechIndex.load()
    labels = indicator_labels_ko(model.spec_), identity_labels_ko()
    write_table(localise_scores(score_firms(frame, model), "ko", *labels), whole)
    write_csv_blocks((localise_score_table(t, "ko", *labels)
                      for t in _score_tables(frame, model, rows=7)), blocks)
    assert blocks.read_bytes() == whole.read_bytes()
    assert main(["score", source, "-o", str(tmp_path / "cli.csv"), "--lang", "ko"]) == 0
    assert (tmp_path / "cli.csv").read_bytes() == whole.read_bytes()
    assert main(["score", source, "-o", str(tmp_path / "cli.xlsx")]) == 0
    excel = read_table(tmp_path / "cli.xlsx").frame
    expected = score_firms(frame)
    assert np.allclose(excel["tech_index"].astype(float), expected["tech_index"], equal_nan=True)


def test_outputs_never_replace_inputs_or_a_persons_files(tmp_path):
    """`ktop score X -o X` and `ktop template -o FILLED` refuse (exit 2) and change nothing;
    `ktop select -o FOLDER` refuses a folder holding the input (exit 2) or other files (exit 1)."""
    import shutil

    applicants = tmp_path / "applicants.csv"
    from pathlib import Path

    shutil.copy(Path(__file__).resolve().parents[2] / "data" / "jeju_2025_applicants.csv",
                applicants)
    before = applicants.read_bytes()
    done = ktop("score", applicants, "-o", applicants)
    assert done.returncode == 2 and "is the input" in done.stderr
    done = ktop("template", "-o", applicants)
    assert done.returncode == 2 and "--force" in done.stderr
    done = ktop("select", applicants, "--call", "jeju_2025", "-o", tmp_path, "--variants", "0")
    assert done.returncode == 2 and "holds the input" in done.stderr
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "notes.txt").write_text("mine", encoding="utf-8")
    done = ktop("select", applicants, "--call", "jeju_2025", "-o", tmp_path / "out",
                "--variants", "0")
    assert done.returncode == 1 and "holds files this command did not write" in done.stderr
    assert applicants.read_bytes() == before
    assert ktop("template", "-o", applicants, "--force").returncode == 0


def test_report_selection_with_the_applicants_shows_strengths(tmp_path):
    """`ktop report selection --applicants FILE` adds each firm's strengths; a file other
    than the one decided from is refused (its hash differs from the audit's)."""
    from pathlib import Path

    data = Path(__file__).resolve().parents[2] / "data"
    out = tmp_path / "round"
    assert ktop("select", data / "jeju_2025_applicants.xlsx", "--call", "jeju_2025", "-o", out,
                "--variants", "0").returncode == 0
    done = ktop("report", "selection", out, "--applicants", data / "jeju_2025_applicants.xlsx",
                "--call", "jeju_2025", "--lang", "ko")
    assert done.returncode == 0, done.stderr
    assert "<th>강점 (업종 대비)</th>" in (out / "report_ko.html").read_text(encoding="utf-8")
    done = ktop("report", "selection", out, "--applicants", data / "jeju_2025_applicants.csv")
    assert done.returncode == 1 and "sha256 differs" in done.stderr
