"""The page (``ktop app``): its steps as functions (:mod:`ktop_index.app.flow`) and the page
itself under Streamlit's ``AppTest`` (uploads enter through the state, as
:func:`~ktop_index.app.flow.keep_upload` puts them there). The files it offers are the bytes
``ktop select`` writes for the same inputs and created stamp."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest

from ktop_index.app import PAGE, flow, server

ROOT = Path(__file__).resolve().parents[2]
JEJU = ROOT / "data" / "jeju_2025_applicants.xlsx"
CREATED = "2025-03-01T09:00:00+09:00"
SELECT_FILES = ("selection.xlsx", "selection.csv", "audit.json")


@pytest.fixture(scope="module")
def jeju() -> flow.Upload:
    return flow.Upload(JEJU.name, JEJU.read_bytes())


@pytest.fixture(scope="module")
def checked(jeju) -> flow.Applicants:
    return flow.read_applicants(jeju, "ko")


def ktop_select(tmp_path: Path, call: str, lang: str = "ko") -> Path:
    """Run the real ``ktop select`` on the Jeju applicants; returns its output folder."""
    out = tmp_path / "cli"
    subprocess.run([sys.executable, "-m", "ktop_index.cli", "select", str(JEJU), "--call", call,
                    "-o", str(out), "--created", CREATED, "--lang", lang],
                   check=True, capture_output=True)
    return out


# ---------------------------------------------------------------------------- step 1

def test_an_upload_enters_the_state_through_one_function():
    state = {}
    flow.keep_upload(state, "applicants", "C:\\Users\\kim\\신청.xlsx", b"abc")
    assert state["applicants"] == flow.Upload("신청.xlsx", b"abc")
    flow.keep_upload(state, "applicants", None, None)
    assert state == {}


def test_the_bundled_applicants_read_without_problems(checked):
    assert checked.ok and checked.problems == [] and len(checked.raw.frame) == 150


def test_an_edited_cell_is_a_problem_at_its_row_and_column(checked):
    """Record 1 is spreadsheet row 3 (the header is row 1): the problem names row 3 and the
    column edited, and the cell is marked."""
    edited = flow.editable(checked.raw.frame)
    edited.loc[1, "사업자등록번호"] = "123"
    problems = flow.recheck(checked, edited)
    table = flow.problems_table(problems, "ko")
    assert list(table.columns) == ["행", "열", "구분", "내용"]
    assert table.iloc[0, :3].tolist() == [3, "사업자등록번호", "오류"]
    assert "123" in table.iloc[0, 3]
    cells = flow.problem_cells(checked, problems, "ko")
    assert list(cells) == [(1, "사업자등록번호")]
    rows = flow.problem_rows(checked, edited, cells, "ko")
    assert rows["행"].tolist() == [3]
    css = flow.highlight(rows, cells)
    assert flow.PROBLEM_COLOUR in css.loc[1, "사업자등록번호"]
    assert css.loc[1, "기업명"] == ""


def test_a_file_without_the_headers_is_listed_not_raised():
    broken = flow.Upload("a.csv", "기업명,매출액(천원)\n한라,1200\n".encode())
    checked = flow.read_applicants(broken, "ko")
    assert not checked.ok
    assert any(p.code == "missing_column" for p in checked.problems)


def test_a_file_that_is_not_a_table_is_one_line_without_the_temporary_folder():
    checked = flow.read_applicants(flow.Upload("a.xlsx", b"not a workbook"), "ko")
    assert checked.raw is None and len(checked.errors) == 1
    assert checked.errors[0].startswith("a.xlsx: ") and "ktop_app_" not in checked.errors[0]


def test_an_unedited_table_runs_on_the_upload_itself(jeju, checked):
    assert flow.edited_upload(jeju, checked, flow.editable(checked.raw.frame)) is jeju


def test_an_edited_table_runs_as_a_csv_that_reads_back_as_edited(jeju, checked):
    edited = flow.editable(checked.raw.frame)
    edited.loc[0, "기업명"] = "한라산식품"
    upload = flow.edited_upload(jeju, checked, edited)
    assert upload.name == "jeju_2025_applicants_edited.csv"
    again = flow.read_applicants(upload, "ko")
    assert again.ok and again.raw.frame["기업명"].iloc[0] == "한라산식품"


# ---------------------------------------------------------------------------- step 2

def test_the_bundled_calls_are_offered_by_title():
    titles = flow.bundled_titles()
    assert titles["jeju_2025"] == "2025 시군구연고산업육성사업 (제주)" and "sejong_2025" in titles


def test_an_unchanged_call_is_the_bundled_file_byte_for_byte():
    upload = flow.bundled_upload("jeju_2025")
    call, lines = flow.check_call(upload)
    assert lines == [] and upload.data == (ROOT / "data" / "calls" / "jeju_2025.toml").read_bytes()
    assert flow.adjust_call(upload, call, flow.call_values(call)) is upload


def test_an_adjusted_call_holds_the_new_values_and_keeps_its_comments():
    upload = flow.bundled_upload("jeju_2025")
    call, _ = flow.check_call(upload)
    adjusted = flow.adjust_call(upload, call, {("money", "budget"): 700_000,
                                               ("money", "max_firms"): 20,
                                               ("scoring", "tech_weight"): 0.5,
                                               ("scoring", "committee_weight"): 0.5})
    assert adjusted.name == "jeju_2025_edited.toml"
    data = tomllib.loads(adjusted.data.decode())
    assert data["money"]["budget"] == 700_000 and data["money"]["max_firms"] == 20
    assert data["scoring"]["tech_weight"] == 0.5 == data["scoring"]["committee_weight"]
    assert data["money"]["cap"] == 50_000  # the rest untouched
    text = adjusted.data.decode()
    assert "budget = 700_000\n" in text and "# §3 기업당 연 최대 5천만원" in text
    checked, lines = flow.check_call(adjusted)
    assert lines == [] and checked.money.budget == 700_000


def test_a_bad_adjustment_is_the_schema_line():
    upload = flow.bundled_upload("jeju_2025")
    call, _ = flow.check_call(upload)
    bad = flow.adjust_call(upload, call, {("money", "budget"): 0})
    checked, lines = flow.check_call(bad, "en")
    assert checked is None
    assert lines == [("jeju_2025_edited.toml: [money] budget: got 0 (expected a whole number "
                      "from 1 to 1,000,000,000,000, in 천원)")]


def test_set_key_adds_a_missing_key_and_section():
    text = flow.set_key("[money]\nbudget = 5\n", "money", "max_firms", 3)
    text = flow.set_key(text, "scoring", "tech_weight", 0.4)
    assert tomllib.loads(text) == {"money": {"budget": 5, "max_firms": 3},
                                   "scoring": {"tech_weight": 0.4}}


# ---------------------------------------------------------------------------- step 4-6

def test_the_page_writes_the_bytes_ktop_select_writes(tmp_path, jeju):
    run = flow.run_selection(jeju, flow.bundled_upload("jeju_2025"), created=CREATED,
                             lang="ko")
    cli = ktop_select(tmp_path, "jeju_2025")
    assert list(run.files)[:3] == list(SELECT_FILES) and "report_ko.html" in run.files
    for name in SELECT_FILES:
        assert run.files[name] == (cli / name).read_bytes(), name
    view = flow.ranked_table(run.selection, "ko")
    assert {"순위", "선정결과", "선정 확률(%)", "순위 구간 (5–95%)"} <= set(view.columns)
    assert "발표평가 점수" not in view.columns  # no committee file: no column of blanks
    assert flow.ranked_formats(view)["지원금(천원)"] == "{:,.0f}"
    english = flow.ranked_table(run.selection, "en")
    assert "support (KRW thousand)" in english.columns and "rank" in english.columns
    assert set(view["선정결과"]) <= {"선정", "예비", "미선정", "부적격"}
    css = flow.status_css(run.selection, view)
    assert flow.STATUS_COLOURS["selected"] in css.iloc[0, 0]


def test_an_adjusted_call_gives_what_ktop_select_gives_with_the_downloaded_file(tmp_path, jeju):
    upload = flow.bundled_upload("jeju_2025")
    call, _ = flow.check_call(upload)
    adjusted = flow.adjust_call(upload, call, {("money", "budget"): 300_000})
    run = flow.run_selection(jeju, adjusted, created=CREATED, lang="en")
    downloaded = tmp_path / adjusted.name
    downloaded.write_bytes(adjusted.data)
    cli = ktop_select(tmp_path, str(downloaded), lang="en")
    assert run.files["audit.json"] == (cli / "audit.json").read_bytes()
    assert run.selection.table["support"].sum() <= 300_000


def test_a_refused_run_is_lines_not_a_traceback(jeju, tmp_path):
    scores = flow.Upload("scores.csv", "사업자등록번호,평가위원,평가항목,점수\n1,A,x,5\n".encode())
    with pytest.raises(flow.PageError) as refused:
        flow.run_selection(jeju, flow.bundled_upload("jeju_2025"), scores, created=CREATED)
    assert refused.value.lines and all("scores.csv" in line for line in refused.value.lines)
    assert not any("ktop_app_" in line for line in refused.value.lines)


def test_language_and_stamp_come_from_the_address_and_the_server():
    assert flow.page_lang({}, {}) == "ko"
    assert flow.page_lang({}, {flow.LANG_VARIABLE: "en"}) == "en"
    assert flow.page_lang({"lang": "ko"}, {flow.LANG_VARIABLE: "en"}) == "ko"
    assert flow.created_stamp({flow.CREATED_VARIABLE: CREATED}) == CREATED
    assert flow.created_stamp({}).endswith("+00:00")


# ---------------------------------------------------------------------------- the page

def page(**query) -> AppTest:
    at = AppTest.from_file(str(PAGE), default_timeout=180)
    at.query_params.update(query)
    return at


def labels(at: AppTest, kind: str) -> list[str]:
    return [e.proto.label for e in at.get(kind)]


def test_the_page_opens_in_korean_with_the_run_button_waiting():
    at = page()
    at.run()
    assert not at.exception
    assert at.title[0].value == "지원기업 선정"
    assert [t.label for t in at.tabs] == ["선정", "기업", "이력"]
    run = at.button(key="run")
    assert "선정 실행" in run.label and run.disabled
    assert labels(at, "file_uploader")[0] == "신청기업 파일 (XLSX 또는 CSV)"


def test_the_address_chooses_english_and_the_call():
    at = page(lang="en", call="sejong_2025")
    at.run()
    assert not at.exception
    assert at.button(key="run").label == "Run selection"
    assert at.selectbox(key="call_name").value == "sejong_2025"
    assert "Download sejong_2025.toml" in labels(at, "download_button")


def test_the_page_lists_the_problems_of_an_upload_and_does_not_run():
    at = page()
    at.session_state["applicants"] = flow.Upload(
        "bad.csv", "사업자등록번호,기업명,기준연도\n123,한라,2024\n".encode())
    at.run()
    assert not at.exception
    problems = at.dataframe[0].value  # the first table: the problems
    assert list(problems.columns) == ["행", "열", "구분", "내용"]
    assert (2, "사업자등록번호") in set(zip(problems["행"], problems["열"]))
    assert at.button(key="run").disabled
    if importlib.util.find_spec("ktop_index.report.annotate"):  # the annotated workbook
        assert "bad_문제표시.xlsx 내려받기" in labels(at, "download_button")


def test_the_page_runs_the_call_and_offers_the_files(jeju):
    at = page()
    at.session_state["applicants"] = jeju
    at.run()
    assert not at.exception and not at.button(key="run").disabled
    at.button(key="run").click()
    at.run()
    assert not at.exception and not at.error
    ranked = at.dataframe(key="ranked").value
    assert len(ranked) == 150 and ranked["선정결과"].iloc[0] == "선정"
    shown = labels(at, "download_button")
    for name in (*SELECT_FILES, "report_ko.html"):
        assert any(name in label for label in shown), name
    assert at.session_state["result"].files["audit.json"].startswith(b"{")


# ---------------------------------------------------------------------------- the server

def test_the_server_listens_on_127_0_0_1_and_sends_nothing_out():
    command = server.streamlit_command(8599)
    assert command[1:4] == ["-m", "streamlit", "run"] and command[4] == str(PAGE)
    for flag in ("--server.address=127.0.0.1", "--browser.gatherUsageStats=false",
                 "--server.headless=true", "--global.developmentMode=false",
                 "--server.enableXsrfProtection=true", "--client.showErrorDetails=none",
                 "--server.port=8599"):
        assert flag in command


def test_a_busy_port_is_one_line(capsys):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        assert server.serve(port, open_browser=False, lang="ko") == 1
    assert capsys.readouterr().err.strip() == (
        f"ktop app: 127.0.0.1의 포트 {port}을(를) 이미 쓰고 있습니다 (다른 ktop app?); "
        "--port로 다른 포트를 고르십시오")


def test_ktop_app_refuses_a_port_out_of_range():
    done = subprocess.run([sys.executable, "-m", "ktop_index.cli", "app", "--port", "0"],
                          check=False, capture_output=True, text=True)
    assert done.returncode == 2 and "invalid port value: '0'" in done.stderr
