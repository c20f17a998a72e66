"""Scoring files (``score_file``): what ``ktop score`` writes, the quarantine of bad rows,
progress, and the streamed path in bounded memory against the whole-file path."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from ktop_index.errors import DataError
from ktop_index.index.files import score_file
from ktop_index.index.spec import indicator_labels_ko
from ktop_index.index.techindex import TechIndex, identity_labels_ko, score_firms
from ktop_index.labels import localise_scores
from ktop_index.synth import generate_panel

JEJU = Path(__file__).resolve().parents[2] / "data" / "jeju_2025_applicants.xlsx"


@pytest.mark.parametrize(("suffix", "lang"), [(".csv", "ko"), (".csv", "en"), (".xlsx", "ko"),
                                              (".xlsx", "en"), (".parquet", "ko")])
def test_score_file_writes_what_ktop_score_writes(tmp_path, suffix, lang, capsys):
    """score_file's output has the bytes of `ktop score` and of write_table of the localised
    score_firms; the run reports rows, not-rated rows, warnings and stages as counted here."""
    from ktop_index.cli import main
    from ktop_index.data.io import read_table, write_table
    from ktop_index.data.validate import validate

    stages = []
    run = score_file(JEJU, tmp_path / f"api{suffix}", lang=lang,
                     progress=lambda stage, rows: stages.append((stage, rows)))
    assert main(["score", str(JEJU), "-o", str(tmp_path / f"cli{suffix}"), "--lang", lang]) == 0
    capsys.readouterr()
    result = validate(read_table(JEJU))
    model = TechIndex.load()
    scored = score_firms(result.frame, model)
    write_table(localise_scores(scored, lang, indicator_labels_ko(model.spec_),
                                identity_labels_ko()), tmp_path / f"whole{suffix}")
    api = (tmp_path / f"api{suffix}").read_bytes()
    assert api == (tmp_path / f"cli{suffix}").read_bytes()
    if suffix == ".parquet":  # written block by block: the same cells, grades as text
        whole = pd.read_parquet(tmp_path / f"whole{suffix}")
        whole = whole.astype({c: "str" for c in whole if whole[c].dtype == "category"})
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / f"api{suffix}"), whole,
                                      check_dtype=False)
    else:
        assert api == (tmp_path / f"whole{suffix}").read_bytes()
    assert run.rows == len(result.frame) == 150
    assert run.not_rated == int((scored["grade"] == "NR").sum())
    assert run.unadjusted == model.unadjusted_rows(result.frame)
    assert [p.line() for p in run.warnings] == [p.line() for p in result.warnings]
    assert run.model.sha256 == model.sha256
    middle = ["scoring", "writing"] if suffix == ".xlsx" else ["scoring and writing"]
    assert stages == [("reading", 0), ("validating", 150)] + [(s, 150) for s in middle]


def test_score_file_refuses_data_with_errors(tmp_path):
    """An input with errors raises DataError holding every problem; nothing is written."""
    from ktop_index.errors import DataError

    source = Path(__file__).resolve().parents[2] / "data" / "examples" / "applicants_with_errors.csv"
    with pytest.raises(DataError) as caught:
        score_file(source, tmp_path / "out.csv")
    assert any(p.severity == "error" for p in caught.value.problems)
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ quarantine (--rejects)

EXAMPLE = Path(__file__).resolve().parents[2] / "data" / "examples" / "applicants_with_errors.csv"
#: The example's rows with an error, counted by hand from the file (`ktop validate` lists
#: them): rows 2-9 and 12 a bad cell or rule each, row 11 a repeat of row 10's firm-year.
#: Row 4's warning (firm age) comes with an error; rows 10 and 13 are clean.
EXAMPLE_REJECTED = [2, 3, 4, 5, 6, 7, 8, 9, 11, 12]


def _lines_file(source: Path, keep: list[int], path: Path) -> Path:
    """The header line and the lines of the spreadsheet rows ``keep`` of a one-line-per-record
    CSV, as bytes: the file a user would get by deleting the other rows."""
    lines = source.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join([lines[0]] + [lines[row - 1] for row in keep]))
    return path


@pytest.mark.parametrize(("suffix", "lang"), [(".csv", "en"), (".csv", "ko"), (".parquet", "en")])
def test_quarantine_scores_the_valid_rows_as_a_file_of_only_them(tmp_path, suffix, lang):
    """With rejects, the example's 12 rows are 2 scored + 10 rejected (counted by hand), and
    the scores have the bytes of scoring a file holding only the 2 clean rows."""
    run = score_file(EXAMPLE, tmp_path / f"out{suffix}", lang=lang, money_unit="천원",
                     rejects=tmp_path / "rejects.csv")
    clean = _lines_file(EXAMPLE, [10, 13], tmp_path / "clean.csv")
    alone = score_file(clean, tmp_path / f"alone{suffix}", lang=lang, money_unit="천원")
    assert (tmp_path / f"out{suffix}").read_bytes() == (tmp_path / f"alone{suffix}").read_bytes()
    assert (run.rows, run.rejected) == (2, 10) and run.rows + run.rejected == 12
    assert (run.not_rated, run.unadjusted) == (alone.not_rated, alone.unadjusted)
    assert run.warnings == []  # the one warning is of rejected row 4


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_rejects_file_holds_each_bad_row_with_its_problems(tmp_path, lang):
    """Each rejected record as read, under the file's headers, with its spreadsheet row first
    and its errors (not its warnings) last, in the chosen language; read back, its cells give
    the validator the values the original rows gave."""
    from ktop_index.data.io import read_table
    from ktop_index.data.validate import validate

    score_file(EXAMPLE, tmp_path / "out.csv", lang=lang, money_unit="천원",
               rejects=tmp_path / "rejects.csv")
    assert (tmp_path / "rejects.csv").read_bytes()[:3] == b"\xef\xbb\xbf"
    source = read_table(EXAMPLE)
    back = read_table(tmp_path / "rejects.csv").frame
    row, problems = ("행", "문제") if lang == "ko" else ("row", "problems")
    assert list(back.columns) == [row, *source.frame.columns, problems]
    assert back[row].astype(int).tolist() == EXAMPLE_REJECTED
    said = dict(zip(back[row].astype(int), back[problems]))
    if lang == "ko":
        assert said[5] == "매출액(천원): '1,2OO,000'은(는) 숫자가 아닙니다 (금액 필요)"
        assert said[11] == ("기준연도: 기업 304-85-01704의 2024년 행이 중복입니다 "
                            "(처음 10행; 기업·연도당 1행)")
    else:
        assert said[5] == "매출액(천원): '1,2OO,000' is not a number (expected an amount)"
        assert said[4] == ("설립연도: founded 2026 is after the fiscal year 2024 (expected "
                           "founded at or before the year)")  # the warning of row 4 is not
        assert "first at row 10" in said[11]
    original = validate(source, money_unit="천원").frame
    again = validate(back[list(source.frame.columns)], money_unit="천원").frame
    positions = [r - 2 for r in EXAMPLE_REJECTED]
    pd.testing.assert_frame_equal(again, original.iloc[positions].reset_index(drop=True),
                                  check_dtype=False)


def _panel_with_bad_rows(tmp_path):
    """A 3-year panel as a CSV with known bad rows: a bad amount (at ``amount``, a firm-year
    whose firm has the next year too), an invalid business number (position 10), a repeated
    firm-year (a copy of position 20 at the end) and a warning only (exports above revenue,
    position 30, kept); the file of its good rows; the panel, ``amount`` and the rows in."""
    from ktop_index.data.io import write_table

    panel = generate_panel(n_firms=60, years=(2021, 2023), seed=11)
    pairs = set(zip(panel["firm_id"], panel["year"]))
    amount = next(i for i in range(1, 10)
                  if (panel.loc[i, "firm_id"], panel.loc[i, "year"] + 1) in pairs)
    text = panel.astype("str").mask(panel.isna(), "")
    text.loc[amount, "revenue"] = "12O0"
    text.loc[10, "brn"] = "124-81-00997"
    text.loc[30, "export_revenue"] = str(float(panel.loc[30, "revenue"]) * 2 + 1)
    bad = pd.concat([text, text.iloc[[20]]], ignore_index=True)
    write_table(bad, tmp_path / "batch.csv")
    write_table(text.drop(index=[amount, 10]), tmp_path / "good.csv")
    return panel, amount, len(bad)


def test_quarantine_of_a_panel_matches_the_panel_without_its_bad_rows(tmp_path):
    """Rows in = scored + rejected; the repeated firm-year rejects the later row only; a
    warning rejects nothing; the scores are the bytes of the file of the good rows alone, and
    the year after a rejected one loses the growth it measured against it."""
    panel, amount, rows_in = _panel_with_bad_rows(tmp_path)
    run = score_file(tmp_path / "batch.csv", tmp_path / "out.csv",
                     rejects=tmp_path / "rejects.csv")
    score_file(tmp_path / "good.csv", tmp_path / "good_out.csv")
    assert (tmp_path / "out.csv").read_bytes() == (tmp_path / "good_out.csv").read_bytes()
    rejected = pd.read_csv(tmp_path / "rejects.csv", encoding="utf-8-sig")
    assert rejected["row"].tolist() == [amount + 2, 12, rows_in + 1]  # rows: position + 2
    assert (run.rows, run.rejected) == (rows_in - 3, 3)
    assert run.rows + run.rejected == rows_in
    assert [p.code for p in run.warnings] == ["export_gt_revenue"]
    # the consequence for growth: the next year of the firm whose year was rejected
    firm, year = panel.loc[amount, "firm_id"], panel.loc[amount, "year"]
    following = (panel["firm_id"] == firm) & (panel["year"] == year + 1)
    scored = pd.read_csv(tmp_path / "out.csv", encoding="utf-8-sig")
    whole = score_firms(panel)
    mine = scored[(scored["firm_id"] == firm) & (scored["year"] == year + 1)]["coverage"]
    assert float(mine.iloc[0]) < float(whole[following.to_numpy()]["coverage"].iloc[0])


def test_quarantine_of_a_clean_file_writes_an_empty_rejects_file(tmp_path):
    """No error: the scores are the strict run's bytes and the rejects file has its headers
    and no row, so a batch job always finds it."""
    run = score_file(JEJU, tmp_path / "out.csv", rejects=tmp_path / "rejects.csv", lang="ko")
    score_file(JEJU, tmp_path / "strict.csv", lang="ko")
    assert (tmp_path / "out.csv").read_bytes() == (tmp_path / "strict.csv").read_bytes()
    assert (run.rows, run.rejected) == (150, 0)
    lines = (tmp_path / "rejects.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 1 and lines[0].startswith('"행",') and lines[0].endswith(',"문제"')


def test_quarantine_refuses_a_file_whose_columns_are_wrong(tmp_path):
    """A problem of the file as a whole (here a money column without a unit) cannot be
    quarantined: DataError with every problem, and nothing written."""
    from ktop_index.errors import DataError

    with pytest.raises(DataError) as caught:
        score_file(EXAMPLE, tmp_path / "out.csv", rejects=tmp_path / "rejects.csv")
    assert [p.code for p in caught.value.problems if p.row == 1] == ["money_unit"]
    assert list(tmp_path.iterdir()) == []


def test_quarantine_of_a_file_with_no_good_row_writes_the_rejects_only(tmp_path):
    """Every row rejected: a DataError saying there is nothing to score (in both languages),
    the rejects file holds them all, and no scores file is written."""
    from ktop_index.errors import DataError

    bad = _lines_file(EXAMPLE, [2, 3, 5], tmp_path / "bad.csv")
    with pytest.raises(DataError) as caught:
        score_file(bad, tmp_path / "out.csv", money_unit="천원",
                   rejects=tmp_path / "rejects.csv")
    assert "nothing to score" in caught.value.message()
    assert "점수를 낼 행이 없습니다" in caught.value.message("ko")
    assert not (tmp_path / "out.csv").exists()
    rejected = pd.read_csv(tmp_path / "rejects.csv", encoding="utf-8-sig")
    assert rejected["row"].tolist() == [2, 3, 4]  # the rows of bad.csv


def test_the_rejects_file_is_neither_the_input_nor_the_scores(tmp_path):
    """A rejects path equal to the input or the output, or of an unknown type, is a usage
    error before anything is read or written."""
    import shutil

    from ktop_index.errors import UsageError

    batch = tmp_path / "batch.csv"
    shutil.copy(EXAMPLE, batch)
    before = batch.read_bytes()
    for rejects in (batch, tmp_path / "out.csv", tmp_path / "rejects.json"):
        with pytest.raises(UsageError):
            score_file(batch, tmp_path / "out.csv", money_unit="천원", rejects=rejects)
    assert batch.read_bytes() == before and sorted(tmp_path.iterdir()) == [batch]


def test_masked_rejects_hide_the_business_numbers(tmp_path):
    """With mask, the rejects file's business numbers are masked in the cells and in the
    messages (a repeated firm-year names the firm)."""
    score_file(EXAMPLE, tmp_path / "out.csv", money_unit="천원", mask=True,
               rejects=tmp_path / "rejects.csv")
    text = (tmp_path / "rejects.csv").read_text(encoding="utf-8-sig")
    assert "304-85-*****" in text and "304-85-01704" not in text
    assert "760-81-66268" not in text


def test_score_file_tells_progress_block_by_block_and_writes_the_same_bytes(tmp_path,
                                                                            recorder):
    """A streamed CSV of about 36,000 rows whose firms each have their rows together, so it
    is scored in one pass: a callback with ``advance`` hears each batch read and validated
    (they add up to the file's rows), a plain ``progress(stage, rows)`` function the stage
    only; the scores are the bytes of a run without progress."""
    from ktop_index.data.io import write_table

    frame = generate_panel(n_firms=7000, years=(2017, 2023), seed=3)
    n = len(frame)
    assert n > 32_768
    write_table(frame, tmp_path / "firms.csv")
    plain_calls = []
    for name, progress in (("none", None), ("plain", lambda s, r: plain_calls.append((s, r))),
                           ("advance", recorder)):
        score_file(tmp_path / "firms.csv", tmp_path / f"{name}.csv", progress=progress)
    assert plain_calls == recorder.stages
    # the panel's firms each have their rows together: one pass
    assert [stage for stage, _ in plain_calls] == ["reading, scoring and writing"]
    # a streamed file's length is judged from its first 64 KiB before it is read
    assert plain_calls[0][1] == pytest.approx(n, rel=0.02)
    assert recorder.advances == [[n]]
    none = (tmp_path / "none.csv").read_bytes()
    assert (tmp_path / "plain.csv").read_bytes() == none
    assert (tmp_path / "advance.csv").read_bytes() == none


# ------------------------------------------------------------------ streamed vs whole-file

def _whole(monkeypatch):
    """Make score_file read every file whole (the reference the streamed path must equal)."""
    monkeypatch.setattr("ktop_index.data.io.stream_table", lambda *a, **k: None)


@pytest.fixture(scope="module")
def shuffled_panel():
    """A 7-year panel in random row order: a firm's previous year is usually in another
    batch, before or after, and its firms spread over every bucket."""
    frame = generate_panel(n_firms=900, years=(2017, 2023), seed=5)
    order = np.random.default_rng(2).permutation(len(frame))
    return frame.iloc[order].reset_index(drop=True)


def _refusals(source, target, monkeypatch, one_pass: bool = False) -> list[list]:
    """The problems a strict run refuses ``source`` with, streamed in batches of 97 and of
    the default (only in one pass when ``one_pass``), then read whole."""
    found = []
    with monkeypatch.context() as context:
        if one_pass:
            _one_pass_only(context)
        for rows in (97, None):
            with pytest.raises(DataError) as error:
                score_file(source, target, batch_rows=rows)
            found.append(error.value.problems)
    with monkeypatch.context() as context:
        _whole(context)
        with pytest.raises(DataError) as error:
            score_file(source, target)
        found.append(error.value.problems)
    return found


def _score_both(tmp_path, monkeypatch, source, name, out=".csv", **options):
    """(streamed bytes for each batch size, whole-file bytes), rejects files too; the scores
    written as ``out`` (.csv or .parquet)."""
    from ktop_index.index import files

    monkeypatch.setattr(files, "BUCKET_ROWS", 500)  # several buckets on a small file
    streamed = []
    for rows in (97, 1000, None):
        scores, rejects = tmp_path / f"{name}-{rows}{out}", tmp_path / f"{name}-{rows}-rej.csv"
        extra = {"rejects": rejects} if "rej" in name else {}
        run = score_file(source, scores, batch_rows=rows, **options, **extra)
        streamed.append((scores.read_bytes(), rejects.read_bytes() if extra else b"", run))
    with monkeypatch.context() as whole:
        _whole(whole)
        scores, rejects = tmp_path / f"{name}-whole{out}", tmp_path / f"{name}-whole-rej.csv"
        extra = {"rejects": rejects} if "rej" in name else {}
        run = score_file(source, scores, **options, **extra)
        reference = (scores.read_bytes(), rejects.read_bytes() if extra else b"", run)
    return streamed, reference


@pytest.mark.parametrize(("suffix", "out", "lang", "mask"), [
    (".csv", ".csv", "en", False), (".csv", ".csv", "ko", True), (".parquet", ".csv", "en", False),
    (".csv", ".parquet", "ko", True), (".parquet", ".parquet", "en", False)])
def test_streamed_scores_are_the_whole_file_scores_whatever_the_batch(
        tmp_path, monkeypatch, shuffled_panel, suffix, out, lang, mask):
    """A shuffled panel scored in batches of 97, 1,000 and the default rows, with several
    buckets: the same bytes, counts and warnings as the file read whole, in English and
    Korean, masked or not, from CSV and from Parquet, to CSV and to Parquet."""
    from ktop_index.data.io import write_table

    source = tmp_path / f"panel{suffix}"
    write_table(shuffled_panel, source)
    streamed, (whole, _, run) = _score_both(tmp_path, monkeypatch, source, "s", out=out,
                                            lang=lang, mask=mask)
    for written, _, streamed_run in streamed:
        assert written == whole
        assert (streamed_run.rows, streamed_run.not_rated, streamed_run.unadjusted) == \
            (run.rows, run.not_rated, run.unadjusted) == (len(shuffled_panel), run.not_rated,
                                                         run.unadjusted)
        assert streamed_run.warnings == run.warnings
    # the growth indicators did find their previous years across batches
    scored = (pd.read_parquet(tmp_path / "s-97.parquet") if out == ".parquet" else
              pd.read_csv(tmp_path / "s-97.csv", encoding="utf-8-sig"))
    assert scored.notna().sum().min() > 0 and run.not_rated < len(shuffled_panel) / 2


def test_streamed_quarantine_and_duplicates_across_batches_are_the_whole_files(
        tmp_path, monkeypatch, shuffled_panel):
    """Bad cells, an invalid business number and firm-years repeated far apart (another
    batch): the streamed rejects file and scores are the whole file's bytes, and without
    --rejects the same problems, in the same order, refuse the file."""
    from ktop_index.data.io import write_table

    text = shuffled_panel.astype("str").mask(shuffled_panel.isna(), "")
    text.loc[5, "revenue"] = "12O0"
    text.loc[700, "brn"] = "124-81-00997"
    repeats = text.iloc[[3, 1500, 2500]]
    text = pd.concat([text, repeats, text.iloc[[10]]], ignore_index=True)  # 10: same batch
    source = tmp_path / "batch.csv"
    write_table(text, source)
    streamed, (whole, whole_rejects, run) = _score_both(tmp_path, monkeypatch, source, "rej")
    assert run.rejected == 6
    for out, rejects, streamed_run in streamed:
        assert (out, rejects) == (whole, whole_rejects)
        assert (streamed_run.rows, streamed_run.rejected) == (run.rows, run.rejected)
    problems = _refusals(source, tmp_path / "strict.csv", monkeypatch)
    assert problems[0] == problems[1] == problems[2]
    duplicates = [p for p in problems[0] if p.code == "duplicate_firm_year"]
    assert [p.params["first"] for p in duplicates] == [5, 1502, 2502, 12]
    assert not (tmp_path / "strict.csv").exists()


def test_many_rejects_go_to_disk_and_give_the_whole_files_bytes(tmp_path, monkeypatch,
                                                                 shuffled_panel):
    """A bad cell on every tenth row, the rejected records spilled to disk part by part
    (none held in memory): the rejects and scores files are the whole file's bytes, masked
    or not, by the spill and in one pass, and the scratch folder is gone after."""
    import os
    import tempfile

    from ktop_index.data.io import write_table
    from ktop_index.index import files

    text = shuffled_panel.astype("str").mask(shuffled_panel.isna(), "")
    text.loc[::10, "revenue"] = "12O0"
    source = tmp_path / "bad.csv"
    write_table(text, source)
    monkeypatch.setattr(files, "REJECTS_HELD_ROWS", 0)
    spilled = []
    spill = files._RejectedParts._spill

    def counted(self):
        spill(self)
        spilled.append(len(self.spilled))

    monkeypatch.setattr(files._RejectedParts, "_spill", counted)
    for mask in (False, True):
        streamed, (whole, whole_rejects, run) = _score_both(
            tmp_path, monkeypatch, source, f"rej-many-{mask}", mask=mask)
        assert run.rejected == len(range(0, len(text), 10))
        for out, rejects, streamed_run in streamed:
            assert (out, rejects) == (whole, whole_rejects)
            assert (streamed_run.rows, streamed_run.rejected) == (run.rows, run.rejected)
    assert max(spilled) > 10  # parts of many batches went to disk
    assert not list(Path(tempfile.gettempdir()).glob(f"ktop-rejects-{os.getpid()}-*"))


@pytest.fixture(scope="module")
def grouped_panel():
    """A 7-year panel whose firms each have their rows together, the years of every
    other firm in reverse (a firm's previous year may come after it)."""
    frame = generate_panel(n_firms=900, years=(2017, 2023), seed=5)
    codes = pd.factorize(frame["firm_id"])[0]
    order = np.lexsort((np.where(codes % 2, -1, 1) * frame["year"].to_numpy(), codes))
    return frame.iloc[order].reset_index(drop=True)


def _one_pass_only(monkeypatch):
    """Make the spill's passes fail: what is scored was scored in one pass."""
    from ktop_index.index import files

    def spilled(*args, **kwargs):
        raise AssertionError("scored by the spill, not in one pass")

    monkeypatch.setattr(files, "_score_stream", spilled)


def test_firm_windows_hold_whole_firms_in_file_order():
    """Batches cut anywhere in a file of firms together (a firm over three batches, a batch
    of one firm only, a batch starting with a new firm, a last batch of one row): the
    windows give back every row in file order, and each firm's rows are in one window."""
    from ktop_index.index.files import NotGrouped, _firm_windows, _Rows

    firms = ["A"] * 7 + ["B"] * 2 + ["C"] + ["D"] * 3 + ["E"]
    cuts = [(0, 3), (3, 5), (5, 9), (9, 10), (10, 13), (13, 14)]

    def rows(names, first):
        identity = pa.table({"firm_id": names, "year": list(range(first, first + len(names)))})
        return _Rows(identity, {"x": np.arange(first, first + len(names), dtype=float)},
                     (np.zeros(len(names), dtype=np.int64),))

    batches = [(None, rows(firms[a:b], a)) for a, b in cuts]
    windows = list(_firm_windows(iter(batches)))
    assert np.concatenate([w.fields["x"] for w in windows]).tolist() == list(range(14))
    owner = {}
    for k, window in enumerate(windows):
        for firm in window.identity.column("firm_id").to_pylist():
            assert owner.setdefault(firm, k) == k
    assert len(windows) > 2
    # a batch whose last firm has rows further up: that firm's rows stay in one window
    apart = [(None, rows(["A", "B", "A"], 0)), (None, rows(["A", "C"], 3))]
    windows = [w.identity.column("firm_id").to_pylist() for w in _firm_windows(iter(apart))]
    assert windows == [["A", "B", "A", "A"], ["C"]]
    with pytest.raises(NotGrouped):  # A again after B: not together
        list(_firm_windows(iter([(None, rows(["A", "B"], 0)), (None, rows(["B"], 2)),
                                 (None, rows(["A", "C"], 3)), (None, rows(["C"], 5))])))


@pytest.mark.parametrize(("suffix", "out", "lang", "mask"), [
    (".csv", ".csv", "en", False), (".csv", ".csv", "ko", True),
    (".parquet", ".parquet", "en", False)])
def test_a_file_of_firms_together_is_scored_in_one_pass_as_the_whole_file(
        tmp_path, monkeypatch, grouped_panel, suffix, out, lang, mask):
    """Firms' rows together, years in any order: scored in one pass (never by the spill),
    in batches of 97, 1,000 and the default rows, with a firm's rows across batch ends:
    the whole file's bytes, counts and warnings."""
    from ktop_index.data.io import write_table

    source = tmp_path / f"panel{suffix}"
    write_table(grouped_panel, source)
    with monkeypatch.context() as context:
        _one_pass_only(context)
        streamed = [score_file(source, tmp_path / f"g-{rows}{out}", batch_rows=rows,
                               lang=lang, mask=mask) for rows in (97, 1000, None)]
    with monkeypatch.context() as whole_context:
        _whole(whole_context)
        run = score_file(source, tmp_path / f"g-whole{out}", lang=lang, mask=mask)
    whole = (tmp_path / f"g-whole{out}").read_bytes()
    for rows, streamed_run in zip((97, 1000, None), streamed):
        assert (tmp_path / f"g-{rows}{out}").read_bytes() == whole
        assert (streamed_run.rows, streamed_run.not_rated, streamed_run.unadjusted,
                streamed_run.warnings) == (run.rows, run.not_rated, run.unadjusted,
                                           run.warnings)
    assert run.rows == len(grouped_panel) and run.not_rated < run.rows / 2


def test_one_pass_quarantine_and_a_repeat_across_a_batch_end_are_the_whole_files(
        tmp_path, monkeypatch, grouped_panel):
    """Firms together, a bad cell, an invalid business number and a firm-year repeated
    just after the end of a batch of 97 (the next row, its firm's): in one pass, the
    rejects file and the scores are the whole file's bytes, and without --rejects the same
    problems refuse the file."""
    from ktop_index.data.io import write_table

    text = grouped_panel.astype("str").mask(grouped_panel.isna(), "")
    firm = text["firm_id"]
    end = next(k for k in range(96, len(text)) if firm[k] == firm[k + 1])  # a firm across
    text.loc[5, "revenue"] = "12O0"
    text.loc[700, "brn"] = "124-81-00997"
    text = pd.concat([text.iloc[:end + 1], text.iloc[[end]], text.iloc[end + 1:]],
                     ignore_index=True)
    source = tmp_path / "batch.csv"
    write_table(text, source)
    with monkeypatch.context() as context:
        _one_pass_only(context)
        streamed = []
        for rows in (97, 1000, None):
            score_file(source, tmp_path / f"o-{rows}.csv", batch_rows=rows,
                       rejects=tmp_path / f"o-{rows}-rej.csv")
            streamed.append(((tmp_path / f"o-{rows}.csv").read_bytes(),
                             (tmp_path / f"o-{rows}-rej.csv").read_bytes()))
    with monkeypatch.context() as whole_context:
        _whole(whole_context)
        run = score_file(source, tmp_path / "w.csv", rejects=tmp_path / "w-rej.csv")
    problems = _refusals(source, tmp_path / "strict.csv", monkeypatch, one_pass=True)
    assert run.rejected == 3
    whole = ((tmp_path / "w.csv").read_bytes(), (tmp_path / "w-rej.csv").read_bytes())
    assert all(pair == whole for pair in streamed)
    assert problems[0] == problems[1] == problems[2]
    assert [p.params["first"] for p in problems[0]
            if p.code == "duplicate_firm_year"] == [end + 2]  # the spreadsheet row
    assert not (tmp_path / "strict.csv").exists()


def test_a_firm_met_again_late_falls_back_to_the_spill_with_the_same_bytes(
        tmp_path, monkeypatch, grouped_panel):
    """One firm-year of the first firm moved to the end of the file: in batches of 97 the
    one pass meets the firm again at the last batch, and the file is scored by the spill
    instead, the scores file never half written; in one batch, the one pass holds every
    row of the firm. Both give the whole file's bytes."""
    from ktop_index.data.io import write_table
    from ktop_index.index import files

    order = list(range(1, len(grouped_panel))) + [0]
    source = tmp_path / "late.csv"
    write_table(grouped_panel.iloc[order].reset_index(drop=True), source)
    spilled, spill = [], files._score_stream
    monkeypatch.setattr(files, "_score_stream",
                        lambda *a, **k: spilled.append(1) or spill(*a, **k))
    score_file(source, tmp_path / "l-97.csv", batch_rows=97)
    assert spilled == [1]
    score_file(source, tmp_path / "l-None.csv")
    assert spilled == [1]
    with monkeypatch.context() as whole_context:
        _whole(whole_context)
        score_file(source, tmp_path / "l-whole.csv")
    whole = (tmp_path / "l-whole.csv").read_bytes()
    assert all((tmp_path / f"l-{rows}.csv").read_bytes() == whole for rows in (97, None))


@pytest.mark.parametrize("key", ["brn", "firm_id", "both"])
def test_a_firm_going_on_after_another_inside_a_batch_is_scored_by_the_spill(
        tmp_path, monkeypatch, grouped_panel, key):
    """A firm across a batch end whose last row comes after the next firm's rows, in the
    same batch: with one key column (business numbers, or firm ids) validation finds the
    firm apart and the window check is skipped; with both, the firm's ids missing (filled
    in from its business numbers), only the windows can. Either way the file is scored by
    the spill, with the whole file's bytes."""
    from ktop_index.data.io import write_table
    from ktop_index.index import files

    frame = grouped_panel.iloc[:400].copy()
    codes = pd.factorize(frame["firm_id"])[0]
    # a firm of 3 to 7 rows starting at row 16 or later: a batch of 17 records and more
    # holds the rest of its rows, the next firm's (7 at most) and its last row
    x = next(c for c in range(codes.max()) if (codes == c).sum() >= 3
             and np.flatnonzero(codes == c)[0] >= 16)
    at = np.flatnonzero(codes == x)
    order = [*range(at[-1]), *np.flatnonzero(codes == x + 1), at[-1],
             *range(np.flatnonzero(codes == x + 1)[-1] + 1, len(frame))]
    frame = frame.iloc[order].reset_index(drop=True)
    if key == "both":
        frame.loc[frame["brn"] == grouped_panel["brn"].iat[at[0]], "firm_id"] = None
    else:
        frame = frame.drop(columns=[{"brn": "firm_id", "firm_id": "brn"}[key]])
    source = tmp_path / "apart.csv"
    write_table(frame, source)
    spilled, spill = [], files._score_stream
    monkeypatch.setattr(files, "_score_stream",
                        lambda *a, **k: spilled.append(1) or spill(*a, **k))
    score_file(source, tmp_path / "a-batch.csv", batch_rows=int(at[0]) + 1)
    assert spilled == [1]
    with monkeypatch.context() as whole_context:
        _whole(whole_context)
        score_file(source, tmp_path / "a-whole.csv")
    assert (tmp_path / "a-batch.csv").read_bytes() == (tmp_path / "a-whole.csv").read_bytes()


def test_seen_firm_runs_know_whether_their_key_is_the_firm_id():
    """Business numbers alone, or firm ids alone, become the firm ids as they are; with
    both, a missing firm id is filled in from the business number: not the key checked."""
    from ktop_index.data.validate import SeenFirmRuns, validate

    panel = generate_panel(n_firms=5, years=(2021, 2022), seed=1)
    answers = {}
    for name, drop in (("brn", ["firm_id"]), ("firm_id", ["brn"]), ("both", [])):
        seen = SeenFirmRuns()
        validate(panel.drop(columns=drop), seen=seen)
        answers[name] = seen.firm_ids
    assert answers == {"brn": True, "firm_id": True, "both": False}


def test_a_column_whose_type_changes_after_the_first_block_is_read_as_text(tmp_path,
                                                                          monkeypatch):
    """'1,234' in number columns after the first block (small here): the stream is
    read again as text, as the whole-file reader does, with the same bytes."""
    from ktop_index.data import io
    from ktop_index.data.io import write_table

    frame = generate_panel(n_firms=400, years=(2021, 2023), seed=9)
    text = frame.astype("str").mask(frame.isna(), "")
    text.loc[len(text) - 5, "revenue"] = "1,234"
    text.loc[len(text) - 3, "employees"] = "1,000"
    write_table(text, tmp_path / "panel.csv")
    monkeypatch.setattr(io, "CSV_READ_BLOCK", 4096)
    streamed, (whole, _, run) = _score_both(tmp_path, monkeypatch, tmp_path / "panel.csv", "t",
                                            money_unit="천원")
    assert all(out == whole for out, _, _ in streamed) and run.rows == len(frame)


def test_what_cannot_be_streamed_is_read_whole_with_the_same_answer(tmp_path, monkeypatch):
    """A CP949 file streams; a file whose later bytes are not its encoding, an empty header
    and an XLSX are read whole: the same scores or the same error as before."""
    from ktop_index.data.io import stream_table, write_table

    frame = generate_panel(n_firms=200, years=(2022, 2023), seed=4)
    cp949 = tmp_path / "cp949.csv"
    cp949.write_bytes(frame.to_csv(index=False).encode("cp949"))
    assert stream_table(cp949).encoding == "cp949"
    streamed, (whole, _, _) = _score_both(tmp_path, monkeypatch, cp949, "cp")
    assert all(out == whole for out, _, _ in streamed)
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes(frame.to_csv(index=False).encode("utf-8") * 1
                      + "\n".join(["x"] * 3).encode("cp949") + "가,나\n".encode("cp949"))
    errors = []
    for reader in ("streamed", "whole"):
        with monkeypatch.context() as context:
            if reader == "whole":
                _whole(context)
            with pytest.raises(Exception) as error:
                score_file(mixed, tmp_path / "m.csv")
            errors.append((type(error.value), str(error.value)))
    assert errors[0] == errors[1]
    header = tmp_path / "header.csv"
    header.write_text(frame.head(0).to_csv(index=False), encoding="utf-8")
    errors = []
    for reader in ("streamed", "whole"):  # a header alone: the same error, no scores file
        with monkeypatch.context() as context:
            if reader == "whole":
                _whole(context)
            with pytest.raises(DataError) as error:
                score_file(header, tmp_path / "h.csv")
            errors.append(str(error.value))
    assert errors[0] == errors[1] and not (tmp_path / "h.csv").exists()
    blank = tmp_path / "blank.csv"
    write_table(frame.rename(columns={"patents": ""}), blank)
    assert stream_table(blank) is None and stream_table(JEJU) is None


@pytest.mark.parametrize("order", ["firm", "shuffled"])
def test_a_begun_stream_scores_as_the_path_does(tmp_path, monkeypatch, shuffled_panel, order):
    """A stream begun before scoring (as ``ktop score`` hands it over) gives the bytes of
    scoring the path, in one pass (firms together) and by the spill (shuffled: the one pass
    stops at its second batch and the stream is read again), over many small blocks."""
    from ktop_index.data import io

    frame = shuffled_panel.sort_values(["firm_id", "year"]) if order == "firm" else shuffled_panel
    source = tmp_path / "panel.csv"
    io.write_table(frame, source)
    monkeypatch.setattr(io, "CSV_READ_BLOCK", 16_384)
    plain = score_file(source, tmp_path / "plain.csv", batch_rows=500)
    begun = score_file(source, tmp_path / "begun.csv", batch_rows=500,
                       stream=io.stream_table(source, rows=500).start())
    assert (tmp_path / "begun.csv").read_bytes() == (tmp_path / "plain.csv").read_bytes()
    assert (begun.rows, begun.not_rated) == (plain.rows, plain.not_rated) == (len(frame),
                                                                              plain.not_rated)
