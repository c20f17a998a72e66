"""Korean everywhere (issue 14, item 9): `--lang ko` anywhere in the arguments, or
`KTOP_LANG=ko`, reaches `ktop --help` and every command's help, argparse's usage errors, file
errors, internal errors and the `ktop track` commands; the Korean carries the details of the
English (file, option, value); English stays the default and unchanged."""

from __future__ import annotations

import ast
import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

import ktop_index.cli.data
from ktop_index.cli import main
from ktop_index.cli._lang import env_lang, help_texts, lang_in_argv, parsers, usage_error_ko
from ktop_index.cli.app import build_parser
from ktop_index.labels import ARGPARSE_ERRORS_KO, CLI_HELP_KO, display_width

ROOT = Path(__file__).resolve().parents[2]
HANGUL = range(0xAC00, 0xD7A4)


def korean(text: str) -> bool:
    return any(ord(c) in HANGUL for c in text)


def ktop(*args, lang: str | None = None):
    """Run ``ktop`` in a subprocess, with KTOP_LANG set to ``lang`` (or unset)."""
    env = {k: v for k, v in os.environ.items() if k != "KTOP_LANG"}
    if lang:
        env["KTOP_LANG"] = lang
    return subprocess.run([sys.executable, "-m", "ktop_index.cli", *map(str, args)],
                          check=False, capture_output=True, text=True, encoding="utf-8", env=env)


@pytest.fixture(autouse=True)
def no_ktop_lang(monkeypatch):
    """The tests start from English, whatever the shell running them sets."""
    monkeypatch.delenv("KTOP_LANG", raising=False)


def usage_error(argv: list[str], capsys) -> tuple[int, list[str]]:
    """Exit code and stderr lines of an argparse usage error."""
    with pytest.raises(SystemExit) as stop:
        main(argv)
    return stop.value.code, capsys.readouterr().err.splitlines()


# ---------------------------------------------------------------------------- choosing

@pytest.mark.parametrize("argv, env, lang", [
    (["schema"], None, "en"),
    (["schema"], "ko", "ko"),
    (["schema"], "ko_KR.UTF-8", "ko"),
    (["schema"], "fr", "en"),             # not a language of ktop: English
    (["schema", "--lang", "en"], "ko", "en"),  # the option beats the environment
    (["--lang", "ko", "schema"], None, "ko"),  # before the command too
    (["track", "--lang=ko", "firm", "X"], None, "ko"),
])
def test_the_language_is_the_option_else_ktop_lang_else_english(argv, env, lang, monkeypatch):
    """`--lang` anywhere (the last one), else KTOP_LANG (ko|en, a ko_KR locale name counts),
    else English; every command's `--lang` defaults to it."""
    if env:
        monkeypatch.setenv("KTOP_LANG", env)
    assert (lang_in_argv(argv) or env_lang()) == lang
    args = build_parser(lang).parse_args(argv)
    assert (lang_in_argv(argv) or args.lang) == lang


def test_every_command_takes_lang():
    """Each command and subcommand (those a group adds without --lang too) takes --lang."""
    for p in parsers(build_parser()):
        assert any("--lang" in a.option_strings for a in p._actions), p.prog


# ---------------------------------------------------------------------------- help

def test_every_help_text_has_korean():
    """Every description, group title and help text of every (sub)command is translated in
    labels.CLI_HELP_KO (a new option fails here until its help has Korean)."""
    missing = sorted({t for t in help_texts(build_parser("en")) if t not in CLI_HELP_KO})
    assert missing == []


def test_korean_help_of_every_command(monkeypatch):
    """In Korean every command's help starts with 사용법:, has no English text of the table
    left, expands its %(...)s fields and keeps its lines within the terminal width (a
    Hangul character takes two columns)."""
    monkeypatch.setenv("COLUMNS", "80")
    english = build_parser("en")
    texts = set(help_texts(english))
    for p in parsers(build_parser("ko")):
        text = p.format_help()
        assert text.startswith(f"사용법: {p.prog}"), p.prog
        assert "%(" not in text and "None" not in text, p.prog
        lines = text.splitlines()
        assert max(display_width(line) for line in lines) <= 80, p.prog
        left = [t for t in texts if len(t) > 20 and t in " ".join(" ".join(lines).split())]
        assert left == [], p.prog


def test_ktop_lang_ko_gives_korean_help_and_english_stays_the_default():
    """`KTOP_LANG=ko ktop --help` and `ktop --lang ko select --help` are Korean; plain
    `ktop --help` is argparse's English, as before."""
    ko = ktop("--help", lang="ko")
    assert ko.returncode == 0 and ko.stdout.startswith("사용법: ktop")
    assert "위치 인수:" in ko.stdout and "옵션:" in ko.stdout
    assert "이 도움말을 보이고 끝냅니다" in ko.stdout and "공고의 지원기업 선정" in ko.stdout
    sub = ktop("--lang", "ko", "select", "--help")
    assert sub.returncode == 0 and sub.stdout.startswith("사용법: ktop select")
    assert "신청기업 파일" in sub.stdout
    en = ktop("--help")
    assert en.stdout.startswith("usage: ktop") and "positional arguments:" in en.stdout
    assert not korean(en.stdout.replace("기업혁신역량지수", ""))


# ---------------------------------------------------------------------------- usage errors

@pytest.mark.parametrize("argv, english, korean_line", [
    (["select"], ("ktop select: error: the following arguments are required: applicants, "
                  "--call, -o/--output"),
     "ktop select: 오류: 다음 인수가 필요합니다: applicants, --call, -o/--output"),
    (["bogus"], None, "ktop: 오류: 인수 COMMAND: 잘못된 선택: 'bogus' (선택 가능: 'schema', "),
    (["schema", "--bogus", "x"], "ktop: error: unrecognized arguments: --bogus x",
     "ktop: 오류: 알 수 없는 인수: --bogus x"),
    (["schema", "-o"], "ktop schema: error: argument -o/--output: expected one argument",
     "ktop schema: 오류: 인수 -o/--output: 값 하나가 필요합니다"),
    (["synth", "-o", "d", "--firms", "many"],
     "ktop synth: error: argument --firms: invalid int value: 'many'",
     "ktop synth: 오류: 인수 --firms: 잘못된 int 값: 'many'"),
])
def test_usage_errors_in_korean_exit_2(argv, english, korean_line, capsys):
    """argparse's usage errors: exit 2 in both languages, the usage line, then the error
    with the same options and values; English unchanged."""
    code, err = usage_error([*argv, "--lang", "ko"] if argv != ["schema", "-o"] else
                            ["schema", "--lang", "ko", "-o"], capsys)
    assert code == 2 and err[0].startswith("사용법: ktop")
    assert err[-1].startswith(korean_line), err[-1]
    code, err = usage_error(argv, capsys)
    assert code == 2 and err[0].startswith("usage: ktop")
    if english:
        assert err[-1] == english


def test_ktop_select_lang_ko_missing_argument(tmp_path):
    """End to end: `ktop select --lang ko` without its arguments, and KTOP_LANG=ko: exit 2,
    the Korean usage and error; nothing on stdout."""
    for out in (ktop("select", "--lang", "ko"), ktop("select", lang="ko")):
        assert out.returncode == 2 and out.stdout == ""
        lines = out.stderr.splitlines()
        assert lines[0].startswith("사용법: ktop select")
        assert lines[-1] == "ktop select: 오류: 다음 인수가 필요합니다: applicants, --call, -o/--output"


def test_a_wrong_lang_value_is_a_usage_error(capsys):
    """`--lang fr`: argparse's invalid choice (in the environment's language)."""
    code, err = usage_error(["schema", "--lang", "fr"], capsys)
    assert code == 2 and err[-1] == ("ktop schema: error: argument --lang: invalid choice: "
                                     "'fr' (choose from 'en', 'ko')")


def test_every_argparse_message_translates_with_its_details():
    """Each argparse template of the table, filled with sample values, comes out Korean with
    every value in it and none of the English words."""
    for template in ARGPARSE_ERRORS_KO:
        values, message, k = [], template, 0
        while "%" in message:
            start = message.index("%")
            end = message.index(")", start) + 2 if message[start + 1] == "(" else start + 2
            values.append(f"'v{k}'")
            message = message[:start] + values[-1] + message[end:]
            k += 1
        out = usage_error_ko(message)
        assert korean(out) and all(v in out for v in values), (template, out)


def test_a_message_argparse_does_not_know_stays():
    assert usage_error_ko("--years '2020': expected FIRST-LAST") == (
        "--years '2020': expected FIRST-LAST")


# ---------------------------------------------------------------------------- file errors

def schema_raising(monkeypatch, exc: BaseException) -> None:
    def cmd_schema(args):
        raise exc

    monkeypatch.setattr(ktop_index.cli.data, "cmd_schema", cmd_schema)


@pytest.mark.parametrize("code, strerror, ko", [
    (errno.ENOENT, "No such file or directory", "파일 또는 폴더가 없습니다"),
    (errno.EACCES, "Permission denied",
     "접근 권한이 없습니다 (다른 프로그램이 파일을 열고 있지 않은지 확인하십시오)"),
    (errno.ENOSPC, "No space left on device", "디스크 공간이 부족합니다"),
    (errno.EISDIR, "Is a directory", "파일이 아니라 폴더입니다"),
    (errno.ENOTDIR, "Not a directory", "경로 중간에 폴더가 아닌 것이 있습니다"),
    (errno.EROFS, "Read-only file system", "읽기 전용 파일 시스템입니다"),
    (errno.EEXIST, "File exists", "이미 있습니다"),
    (errno.ENOLINK, "Link has been severed", "Link has been severed"),  # not in the table
])
def test_file_errors_in_korean_name_the_file(code, strerror, ko, monkeypatch, capsys):
    """An OSError: exit 1, `오류: FILE: what` in Korean (English text for an errno the table
    lacks), `error: FILE: strerror` in English, as before."""
    schema_raising(monkeypatch, OSError(code, strerror, "out/a.csv"))
    assert main(["schema", "--lang", "ko"]) == 1
    assert capsys.readouterr().err == f"ktop schema: 오류: out/a.csv: {ko}\n"
    assert main(["schema"]) == 1
    assert capsys.readouterr().err == f"ktop schema: error: out/a.csv: {strerror}\n"


def test_a_file_error_without_a_file_and_two_files(monkeypatch, capsys):
    """A full disk with no file name: its Korean words; a rename: both names."""
    schema_raising(monkeypatch, OSError(errno.ENOSPC, "No space left on device"))
    assert main(["schema", "--lang", "ko"]) == 1
    assert capsys.readouterr().err == "ktop schema: 오류: 디스크 공간이 부족합니다\n"
    schema_raising(monkeypatch, OSError(errno.EXDEV, "Invalid cross-device link", "a", None,
                                        "b"))
    assert main(["schema", "--lang", "ko"]) == 1
    assert capsys.readouterr().err == "ktop schema: 오류: a -> b: Invalid cross-device link\n"


def test_a_missing_input_file_in_korean(tmp_path):
    """End to end: a file that does not exist, --lang ko or KTOP_LANG=ko: exit 1, one line
    naming the path in Korean."""
    missing = tmp_path / "no_such_file.csv"
    for out in (ktop("validate", missing, "--lang", "ko"), ktop("validate", missing, lang="ko")):
        assert out.returncode == 1
        assert out.stderr == f"ktop validate: 오류: {missing}: 파일이 없습니다\n"


def test_a_file_that_cannot_be_written_in_korean(tmp_path, capsys):
    """A real OSError (the output's folder is a file): Korean, naming the file."""
    (tmp_path / "a_file").write_text("", encoding="utf-8")
    assert main(["schema", "--lang", "ko", "-o", str(tmp_path / "a_file" / "d.csv")]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"ktop schema: 오류: {tmp_path / 'a_file'}") and korean(err)
    assert err.count("\n") == 1


# ---------------------------------------------------------------------------- other errors

def test_internal_and_capped_errors_in_korean(monkeypatch, capsys):
    """An internal error's line and the 'and N more errors' line are Korean too."""
    monkeypatch.delenv("KTOP_DEBUG", raising=False)
    schema_raising(monkeypatch, RuntimeError("boom"))
    assert main(["schema", "--lang", "ko"]) == 3
    assert capsys.readouterr().err == (
        "ktop schema: 내부 오류: RuntimeError: boom — ktop_index의 버그입니다. 실행한 명령과 "
        "KTOP_DEBUG=1 ktop ... 의 출력을 함께 알려 주십시오\n")


def test_ktop_track_errors_in_korean(tmp_path, capsys):
    """`ktop track` without a subcommand, with a missing store or file: exit 2, Korean,
    naming the path; the --lang before the command counts."""
    assert main(["--lang", "ko", "track"]) == 2
    assert capsys.readouterr().err == (
        "ktop track: 오류: 하위 명령이 필요합니다: import, firm, industry, effect, monitor 또는 purge "
        "(ktop track --help)\n")
    db = tmp_path / "none.sqlite"
    assert main(["track", "firm", "124-81-00998", "--db", str(db), "--lang", "ko"]) == 2
    assert capsys.readouterr().err == (f"ktop track: 오류: {db}: 이력 저장소가 없습니다 (먼저 "
                                       f"파일을 저장하십시오: ktop track import FILE --db {db})\n")
    assert main(["track", "import", str(tmp_path / "x.csv"), "--lang", "ko"]) == 2
    assert capsys.readouterr().err == f"ktop track: 오류: {tmp_path / 'x.csv'}: 파일 또는 폴더가 없습니다\n"


def test_ktop_track_output_in_korean(tmp_path, capsys):
    """A hand-scored file imported, shown and written with --lang ko: the import line, the
    table's headers and the written line are Korean; a call not in the store is a Korean
    store error naming the call and the store."""
    import pandas as pd

    from ktop_index.data.io import write_table

    rows = [{"brn": "124-81-00998", "year": y, "ksic": "10301", "revenue": 1000.0,
             "employees": 10, "tech_index": t, "grade": "BB", "infrastructure": 50.0,
             "input": 40.0, "activity": 30.0, "outcome": 20.0, "composite": 35.0}
            for y, t in ((2023, 100.0), (2024, 104.0))]
    scored, db = tmp_path / "scored.csv", tmp_path / "h.sqlite"
    write_table(pd.DataFrame(rows), scored)
    assert main(["track", "import", str(scored), "--db", str(db), "--lang", "ko"]) == 0
    assert capsys.readouterr().out == (f"{scored}: 저장했습니다 - 기업-연도 2건, 파일의 점수 "
                                       "그대로, 채점회차 1; 새 기업 1개\n")
    assert main(["track", "import", str(scored), "--db", str(db), "--lang", "ko"]) == 0
    assert "이미 저장소에 있습니다" in capsys.readouterr().out
    assert main(["track", "firm", "1248100998", "--db", str(db), "--lang", "ko"]) == 0
    header = capsys.readouterr().out.splitlines()[0].split()
    assert header[:3] == ["연도", "기업혁신역량지수", "등급"]
    out = tmp_path / "firm.csv"
    assert main(["track", "firm", "1248100998", "--db", str(db), "-o", str(out),
                 "--lang", "ko"]) == 0
    assert capsys.readouterr().out == f"작성: {out} (2행)\n"
    assert main(["track", "monitor", "--call", "none_2025", "--db", str(db), "--lang", "ko"]) == 1
    assert capsys.readouterr().err == (
        f"ktop track: 오류: 저장소 {db}에 공고 'none_2025'의 선정 결과가 없습니다 (저장된 공고: "
        "없음; ktop track import로 `ktop select` 출력 폴더를 저장하십시오)\n")


KTOP_ERRORS = {"KtopError", "InputError", "DataError", "CallError", "SpecError", "StoreError",
               "UsageError"}


def test_every_error_of_the_command_line_and_tracking_has_korean():
    """Each `raise SomeKtopError(message)` in ktop_index/cli and ktop_index/tracking passes
    ko= (a DataError of validation problems carries their Korean itself)."""
    files = sorted((ROOT / "ktop_index" / "cli").glob("*.py")) + sorted(
        (ROOT / "ktop_index" / "tracking").glob("*.py"))
    missing = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
                continue
            call = node.exc
            name = getattr(call.func, "id", getattr(call.func, "attr", ""))
            problems = call.args and not isinstance(call.args[0], (ast.Constant, ast.JoinedStr,
                                                                   ast.BinOp))
            if name in KTOP_ERRORS and not problems and "ko" not in {k.arg for k in
                                                                      call.keywords}:
                missing.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert missing == []


def test_the_written_line_in_korean(tmp_path, capsys):
    """`ktop schema -o` and `ktop template -o` say what they wrote in the chosen language."""
    dictionary, template = tmp_path / "d.csv", tmp_path / "t.csv"
    assert main(["schema", "-o", str(dictionary), "--lang", "ko"]) == 0
    assert capsys.readouterr().out == f"작성: {dictionary}\n"
    assert main(["template", "-o", str(template), "--lang", "en"]) == 0
    assert capsys.readouterr().out == f"wrote {template}\n"
