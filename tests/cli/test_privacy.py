"""Personal data on the command line: ``--mask`` on ``ktop select``, ``ktop score`` and
``ktop report``, and ``ktop track purge`` (the right to deletion)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from ktop_index.cli import main
from ktop_index.data.io import read_table
from ktop_index.tracking.store import Store

DATA = Path(__file__).resolve().parents[2] / "data"
APPLICANTS = DATA / "jeju_2025_applicants.csv"
SELECT = ["select", str(APPLICANTS), "--call", "jeju_2025", "--variants", "10",
          "--created", "2026-01-01T00:00:00Z"]


@pytest.fixture(scope="module")
def rounds(tmp_path_factory):
    """The committee's folder and two masked folders of the same call."""
    root = tmp_path_factory.mktemp("rounds")
    for name, extra in (("plain", []), ("masked", ["--mask"]), ("again", ["--mask"])):
        assert main([*SELECT, "-o", str(root / name), *extra]) == 0
    return root


def test_select_mask_keeps_the_ranking_and_is_byte_reproducible(rounds):
    """The masked folder is the committee's decision with masked numbers: same rows in the
    same order, same statuses and money; two runs give the same bytes."""
    plain = read_table(rounds / "plain" / "selection.csv").frame
    masked = read_table(rounds / "masked" / "selection.csv").frame
    assert masked["brn"].str.fullmatch(r"\d{3}-\d{2}-\*{5}").all()
    assert masked["brn"].tolist() == [b[:7] + "*****" for b in plain["brn"]]
    pd.testing.assert_frame_equal(masked.drop(columns="brn"), plain.drop(columns="brn"))
    for name in ("selection.csv", "selection.xlsx", "audit.json"):
        assert (rounds / "masked" / name).read_bytes() == (rounds / "again" / name).read_bytes()


def test_a_masked_folder_is_refused_by_track_import(rounds, tmp_path, capsys):
    for lang, words in (("en", "is not the record of the decision"), ("ko", "선정 기록이 아닙니다")):
        code = main(["track", "import", str(rounds / "masked"), "--db",
                     str(tmp_path / "h.sqlite"), "--lang", lang])
        assert code == 1 and words in capsys.readouterr().err


def test_the_report_of_a_masked_folder_says_it_is_masked(rounds, capsys):
    """`ktop report selection` of a folder written with --mask: its audit checks out, the
    page names no applicant's number and says, in Korean too, that it is a masked copy."""
    plain = read_table(rounds / "plain" / "selection.csv").frame["brn"]
    assert main(["report", "selection", str(rounds / "masked"), "--lang", "ko"]) == 0
    text = (rounds / "masked" / "report_ko.html").read_text("utf-8")
    assert "위원회 외부 공유용 마스킹 사본" in text and not [b for b in plain if b in text]


def test_score_mask_gives_the_same_scores_in_csv_and_xlsx(tmp_path):
    """Streamed CSV and XLSX masked alike; scores those of the unmasked run."""
    for name, extra in (("plain.csv", []), ("m.csv", ["--mask"]), ("m.xlsx", ["--mask"])):
        assert main(["score", str(APPLICANTS), "-o", str(tmp_path / name), *extra]) == 0
    plain, csv, xlsx = (read_table(tmp_path / n).frame for n in ("plain.csv", "m.csv", "m.xlsx"))
    assert csv["brn"].tolist() == xlsx["brn"].tolist() == [b[:7] + "*****" for b in plain["brn"]]
    assert csv["region"].tolist() == xlsx["region"].tolist()
    assert not csv["region"].isin(plain["region"]).any()
    pd.testing.assert_series_equal(pd.to_numeric(csv["tech_index"]),
                                   pd.to_numeric(plain["tech_index"]))


# ---------------------------------------------------------------------------- ktop track purge

@pytest.fixture()
def store(rounds, tmp_path):
    db = tmp_path / "h.sqlite"
    assert main(["track", "import", str(APPLICANTS), "--db", str(db)]) == 0
    assert main(["track", "import", str(rounds / "plain"), "--db", str(db)]) == 0
    return db


def test_purge_without_yes_only_shows_what_it_would_remove(store, capsys):
    """No --yes: the firm and the rows it would remove are shown, exit 2, nothing changes."""
    with Store(store) as s:
        before = s.snapshot()
    code = main(["track", "purge", "--db", str(store), "--brn", "8664901150",
                 "--reason", "request 17"])
    out = capsys.readouterr()
    assert code == 2 and "repeat with --yes" in out.err
    assert "firm 866-49-01150 (제주우진바이오): a purge removes 1 firm key(s), 1 firm-years, " \
           "1 scores and 1 selection rows" in out.out
    with Store(store) as s:
        assert s.snapshot() == before


def test_purge_with_yes_removes_the_firm_and_says_so_in_korean(store, capsys):
    code = main(["track", "purge", "--db", str(store), "--brn", "866-49-01150", "--reason",
                 "request 17", "--by", "officer kim", "--yes", "--lang", "ko"])
    out = capsys.readouterr().out
    assert code == 0 and "기업 866-49-01150을(를) 삭제했습니다 (삭제 1, 처리자 officer kim)" in out
    with Store(store) as s:
        assert s.purges()[["purged_by", "reason"]].iloc[0].tolist() == ["officer kim",
                                                                         "request 17"]
        assert s.query("SELECT count(*) FROM firms WHERE brn = '866-49-01150'").iat[0, 0] == 0
    assert main(["track", "firm", "866-49-01150", "--db", str(store)]) == 1
    assert main(["track", "import", str(APPLICANTS.with_suffix(".xlsx")), "--db",
                 str(store)]) == 0
    assert "1 rows of firms purged before" in capsys.readouterr().out


@pytest.mark.parametrize(("lang", "words"), [
    ("en", "--brn 866-49-01151: not a valid business number (check digit is 1, expected 0)"),
    ("ko", "--brn 866-49-01151: 올바른 사업자등록번호가 아닙니다")])
def test_purge_refuses_a_mistyped_number(store, capsys, lang, words):
    """A typo would name another firm (or none): the check digit is checked first."""
    code = main(["track", "purge", "--db", str(store), "--brn", "866-49-01151", "--reason",
                 "r", "--yes", "--lang", lang])
    assert code == 2 and words in capsys.readouterr().err
