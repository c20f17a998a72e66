"""The Dask path (ktop_index.index.distributed): on a LocalCluster of 2 workers, the same
scores as the single-machine path, for a panel whose firms' years lie in different files."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe")  # the extra [dask]; the test extra installs it
distributed = pytest.importorskip("distributed")

from ktop_index.cli import main
from ktop_index.data.io import read_table
from ktop_index.data.validate import validate
from ktop_index.errors import DataError
from ktop_index.index.distributed import read_dask, score_dask, score_file_dask
from ktop_index.index.techindex import TechIndex, score_firms
from ktop_index.synth import generate_panel

# dask's Parquet reader calls reset_index(inplace=True), which pandas 3.1 deprecates
pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword in DataFrame.reset_index")


@pytest.fixture(scope="module")
def client():
    """One cluster for the module: 2 workers of one thread (in this process: starts in a
    fraction of a second, and the tasks still cross the scheduler and the shuffle)."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        yield client


@pytest.fixture(scope="module")
def model() -> TechIndex:
    return TechIndex.load()


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    """2,000 firms over 2019-2024, the rows ordered year by year (so written in year files,
    every firm's years are in different files: its growth needs the year before)."""
    frame = generate_panel(n_firms=2000, years=(2019, 2024), seed=1)
    return frame.sort_values(["year", "firm_id"], kind="stable").reset_index(drop=True)


def _year_files(panel: pd.DataFrame, folder, suffix: str) -> list:
    """One file per year, in order; their concatenation is ``panel``."""
    paths = []
    for year, rows in panel.groupby("year", sort=True):
        path = folder / f"panel_{year}{suffix}"
        if suffix == ".parquet":
            rows.to_parquet(path, index=False)
        else:
            rows.to_csv(path, index=False)
        paths.append(path)
    return paths


def test_parquet_files_split_by_year_score_as_the_whole(client, model, panel, tmp_path):
    """Year files read as one Dask DataFrame (a partition per file: no firm in one partition)
    give exactly the frame score_firms gives for the whole panel: every float equal, not
    close, since each row is computed by the same numpy code from the same values once its
    firm's rows are together (without the shuffle by firm the growth indicators would be
    missing and the scores differ)."""
    files = _year_files(panel, tmp_path, ".parquet")
    ddf = dd.read_parquet([str(f) for f in files])
    assert ddf.npartitions == 6
    expected = score_firms(validate(panel).frame, model)
    scores = score_dask(ddf, model)
    got = scores.compute()
    assert scores.npartitions == 6 and scores.known_divisions
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    # the year before matters: 2024's rows scored without 2023's get other outcome scores
    last = validate(panel[panel["year"] == 2024]).frame
    alone = score_firms(last, model)["outcome"].to_numpy()
    assert (got.loc[panel["year"] == 2024, "outcome"].to_numpy() != alone).mean() > 0.5


def test_csv_folder_scores_as_the_one_file_it_was_cut_from(client, model, panel, tmp_path):
    """A folder of CSVs cut at odd rows (a firm's years on both sides of a cut), read by
    read_dask into 5 partitions: the scores of the one CSV read by ktop's own reader."""
    whole = tmp_path / "whole.csv"
    mixed = panel.sample(frac=1, random_state=2).reset_index(drop=True)
    mixed.to_csv(whole, index=False)
    folder = tmp_path / "parts"
    folder.mkdir()
    for k, rows in enumerate(np.array_split(np.arange(len(mixed)), 3)):
        mixed.iloc[rows].to_csv(folder / f"part_{k}.csv", index=False)
    expected = score_firms(validate(read_table(whole)).frame, model)
    got = score_dask(read_dask(folder, partitions=5), model).compute()
    pd.testing.assert_frame_equal(got, expected, check_exact=True)


def test_problems_name_the_rows_of_the_whole_table(client, model, panel, tmp_path):
    """A bad cell in the third file, a firm-year given twice in one file and one given again
    in another file are refused with the problems, word for word, that validating the one
    whole file finds (rows counted over the files; the first copy's row too)."""
    bad = panel.copy()
    bad["revenue"] = bad["revenue"].astype(object)
    bad.loc[4000, "revenue"] = "lots"  # in the year 2021's rows
    # row 100 again right after it (the same file), row 10 (2019's) again at the end (2024's)
    bad = pd.concat([bad.iloc[:101], bad.iloc[[100]], bad.iloc[101:], bad.iloc[[10]]],
                    ignore_index=True)
    files = []
    for k, rows in enumerate(np.array_split(np.arange(len(bad)), 4)):
        files.append(tmp_path / f"part_{k}.csv")
        bad.iloc[rows].to_csv(files[-1], index=False)
    bad.to_csv(tmp_path / "whole.csv", index=False)
    expected = validate(read_table(tmp_path / "whole.csv")).problems
    with pytest.raises(DataError) as caught:
        score_dask(read_dask(str(tmp_path / "part_*.csv")), model, source="whole.csv")
    assert sorted(p.line() for p in caught.value.problems) == sorted(p.line() for p in expected)
    assert [p.code for p in caught.value.problems if p.severity == "error"] == [
        "duplicate_firm_year", "not_number", "duplicate_firm_year"]


def test_the_command_writes_the_bytes_of_the_local_engine(client, panel, tmp_path, capsys):
    """``ktop score IN.parquet --engine dask --partitions 4`` (the current scheduler: the
    module's cluster) and ``scheduler=`` its address (``--scheduler``: a client of its own)
    write the same bytes as ``ktop score IN.parquet``, Parquet and Korean CSV alike."""
    source = tmp_path / "in.parquet"
    panel.to_parquet(source, index=False)
    local, threads = tmp_path / "local.parquet", tmp_path / "threads.parquet"
    assert main(["score", str(source), "-o", str(local)]) == 0
    assert main(["score", str(source), "-o", str(threads), "--engine", "dask",
                 "--partitions", "4"]) == 0
    said = capsys.readouterr().out.splitlines()
    assert said[0].replace(str(local), "OUT") == said[1].replace(str(threads), "OUT")
    assert threads.read_bytes() == local.read_bytes()
    cluster = tmp_path / "cluster.csv"
    run = score_file_dask(source, cluster, scheduler=client.scheduler.address, partitions=3,
                          lang="ko")
    assert run.rows == len(panel)
    assert main(["score", str(source), "-o", str(tmp_path / "local.csv"), "--lang", "ko"]) == 0
    assert cluster.read_bytes() == (tmp_path / "local.csv").read_bytes()


@pytest.mark.parametrize(("args", "said"), [
    (["--engine", "dask", "--rejects", "r.csv"], "--rejects works with the local engine only"),
    (["--partitions", "2"], "--scheduler and --partitions need --engine dask"),
    (["--engine", "dask", "--partitions", "0"], "invalid partition count value: '0'"),
])
def test_options_of_the_other_engine_are_refused(tmp_path, capsys, args, said):
    """Wrong usage exits 2 with one line, before reading anything."""
    try:
        code = main(["score", str(tmp_path / "in.parquet"), "-o", str(tmp_path / "o.csv"),
                     *args])
    except SystemExit as exc:  # argparse's own usage errors
        code = exc.code
    assert code == 2
    assert said in capsys.readouterr().err


def test_the_module_imports_dask_only_when_used():
    """``import ktop_index.index.distributed`` (and so ``import ktop_index``) loads no Dask."""
    code = ("import sys, ktop_index, ktop_index.index.distributed; "
            "print([m for m in ('dask', 'distributed') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True).stdout
    assert out.strip() == "[]"
