"""`ktop calls list`, `ktop calls export`, `ktop calls check`: the bundled calls and the check
of a call file, in English and Korean."""

from __future__ import annotations

from ktop_index.cli import main
from ktop_index.selection.calls import call_path

BAD = """
[call]
name = "my_call"
reference_date = 2205-03-01
[eligibility]
regions = ["jeju_si"]
ksic_prefixes = ["10"]
[money]
budget = 1e30
cap = 0.0001
[robustness]
variants = 1_000_000_000
"""


def test_list_shows_every_bundled_call(capsys):
    """Names, titles, reference dates, budgets and caps (천원), with Korean headers in ko."""
    assert main(["calls", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["name", "title", "reference"]
    jeju = next(line for line in lines if line.startswith("jeju_2025 "))
    for words in ("2025 시군구연고산업육성사업 (제주)", "2025-03-01", "600,000", "50,000"):
        assert words in jeju
    assert any(line.startswith("sejong_2025 ") for line in lines)
    assert main(["calls", "list", "--lang", "ko"]) == 0
    assert capsys.readouterr().out.split()[:3] == ["이름", "제목", "기준일"]


def test_export_writes_the_bundled_file_byte_for_byte(tmp_path, capsys):
    """The shipped TOML, comments and all; an existing file is refused (exit 2, untouched)
    unless --force, as `ktop template` does."""
    out = tmp_path / "mine.toml"
    assert main(["calls", "export", "jeju_2025", "-o", str(out)]) == 0
    assert out.read_bytes() == call_path("jeju_2025").read_bytes()
    assert f"wrote {out}" in capsys.readouterr().out
    out.write_text("# my edited call\n", encoding="utf-8")
    assert main(["calls", "export", "sejong_2025", "-o", str(out), "--lang", "ko"]) == 2
    assert "이미 있습니다" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "# my edited call\n"
    assert main(["calls", "export", "sejong_2025", "-o", str(out), "--force"]) == 0
    assert out.read_bytes() == call_path("sejong_2025").read_bytes()


def test_export_of_a_misspelt_name_suggests_the_close_one(tmp_path, capsys):
    """`jeju2025` is not a call: exit 1, 'did you mean jeju_2025?', nothing written."""
    out = tmp_path / "x.toml"
    assert main(["calls", "export", "jeju2025", "-o", str(out)]) == 1
    assert "did you mean jeju_2025?" in capsys.readouterr().err
    assert not out.exists()


def test_check_a_good_call_prints_ok_and_its_summary(capsys):
    """A good call: OK, its file and name, then what it says (date, money, scoring)."""
    assert main(["calls", "check", "jeju_2025"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"OK: {call_path('jeju_2025')}: jeju_2025 (")
    for words in ("reference date 2025-03-01", "budget 600,000 천원", "cap 50,000 천원 per firm",
                  "at most 15 firms", "waitlist 5", "committee weight 0.7", "1,000 robustness"):
        assert words in out
    assert main(["calls", "check", "jeju_2025", "--lang", "ko"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("정상: ") and "예산 600,000천원" in out and "최대 15개 기업" in out


def test_check_a_bad_call_prints_every_problem(tmp_path, capsys):
    """Every problem on its own line naming the file and the key, the count on stderr, exit 1;
    the same lines in Korean."""
    path = tmp_path / "bad.toml"
    path.write_text(BAD, encoding="utf-8")
    assert main(["calls", "check", str(path)]) == 1
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    keys = [line[len(f"{path}: "):].split(":")[0].split(" 2205")[0] for line in lines]
    assert keys == ["[money] budget", "[money] cap", "[robustness] variants",
                    "[call] reference_date"]
    assert all(line.startswith(f"{path}: ") for line in lines) and len(lines) == 4
    assert f"{path}: 4 problems" in captured.err
    assert main(["calls", "check", str(path), "--lang", "ko"]) == 1
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 4 and "문제 4건" in captured.err
    assert "[robustness] variants: 값 1000000000" in captured.out


def test_check_a_file_that_is_not_a_call(tmp_path, capsys):
    """Not TOML, not there, a folder: one line, exit 1, no traceback."""
    path = tmp_path / "broken.toml"
    path.write_text("[call\n", encoding="utf-8")
    assert main(["calls", "check", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"ktop calls: error: {path}: not valid TOML") and err.count("\n") == 1
    assert main(["calls", "check", str(tmp_path)]) == 1
    assert "is a folder" in capsys.readouterr().err
    assert main(["calls", "check", "jeju2025", "--lang", "ko"]) == 1
    assert "jeju_2025을(를) 찾으셨습니까?" in capsys.readouterr().err


def test_calls_without_a_subcommand_is_wrong_usage(capsys):
    """`ktop calls` alone says which subcommands there are (exit 2)."""
    assert main(["calls"]) == 2
    assert "list, export or check" in capsys.readouterr().err


def test_select_with_a_misspelt_bundled_call(tmp_path, capsys):
    """`ktop select --call jeju2025` suggests jeju_2025 (it said 'bundled: none found' in an
    installed package) and writes nothing."""
    data = call_path("jeju_2025").parents[1] / "jeju_2025_applicants.csv"
    out = tmp_path / "out"
    assert main(["select", str(data), "--call", "jeju2025", "-o", str(out),
                 "--variants", "0"]) == 1
    assert "did you mean jeju_2025?" in capsys.readouterr().err
    assert not out.exists()
