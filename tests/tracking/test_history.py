"""Reading the history (ktop_index.tracking.history): trajectories with their change split
into domains, industry and region series, the latest scores; and `ktop track firm|industry`."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ktop_index.cli import main
from ktop_index.errors import StoreError, UsageError
from ktop_index.index.spec import DOMAINS
from ktop_index.index.techindex import model_path
from ktop_index.tracking import history, ingest
from ktop_index.tracking.present import korean_labels

# ---------------------------------------------------------------------------- trajectory

def test_trajectory_decomposes_the_change_by_hand(tmp_path, brn, hand_scored):
    """Changes and domain contributions of a hand case: 100 -> 104 -> 101, BB -> BBB -> BB."""
    contribs = {2022: (1.0, -1.0, 0.5, -0.5), 2023: (2.0, 1.0, 0.5, 0.5),
                2024: (0.5, 1.0, 0.0, -0.5)}
    tech = {2022: 100.0, 2023: 104.0, 2024: 101.0}
    grade = {2022: "BB", 2023: "BBB", 2024: "BB"}
    rows = [{"brn": brn(1), "year": y, "ksic": "26110", "revenue": 1000.0 * k,
             "employees": 10 + k, "tech_index": tech[y], "grade": grade[y],
             "infrastructure": 50.0, "input": 40.0, "activity": 30.0, "outcome": 20.0,
             "composite": 35.0,
             **{f"contrib_{d}": c for d, c in zip(DOMAINS, contribs[y])}}
            for k, y in enumerate(tech, start=1)]
    path = hand_scored(tmp_path / "scored.csv", rows)
    db = tmp_path / "h.sqlite"
    ingest.import_file(path, db)  # unknown model: no decomposition
    unknown = history.firm_trajectory(brn(1).replace("-", ""), db)
    assert unknown["change"].tolist()[1:] == [4.0, -3.0]
    assert unknown["contrib_change_input"].isna().all()
    assert ingest.import_file(path, db, model=None).duplicate
    ingest.import_file(path, db, model=_default_model_file())
    got = history.firm_trajectory(brn(1), db)
    assert got["year"].tolist() == [2022, 2023, 2024]
    assert got["revenue"].tolist() == [1000.0, 2000.0, 3000.0]
    assert got["employees"].tolist() == [11.0, 12.0, 13.0]
    expected = {"infrastructure": [1.0, -1.5], "input": [2.0, 0.0], "activity": [0.0, -0.5],
                "outcome": [1.0, -1.0]}
    for domain, values in expected.items():
        np.testing.assert_allclose(got[f"contrib_change_{domain}"].iloc[1:], values)
    np.testing.assert_allclose(got["contrib_change_other"].iloc[1:], [0.0, 0.0], atol=1e-12)
    assert got["grade_move"].tolist() == ["", "BB -> BBB (+1)", "BBB -> BB (-1)"]
    assert got["previous_year"].tolist()[1:] == [2022, 2023]


def _default_model_file() -> str:
    return str(model_path("default.json"))


def test_trajectory_of_scored_data_adds_up(tmp_path, small_panel):
    """With one model, the domain contributions' changes add up to the index change wherever
    the firm is rated with all four domains scored in both years."""
    db = tmp_path / "h.sqlite"
    ingest.import_file(small_panel, db)
    panel = pd.read_parquet(small_panel)
    checked = 0
    for firm in panel["brn"].drop_duplicates().head(40):
        got = history.firm_trajectory(firm, db)
        tech = got["tech_index"].to_numpy()
        np.testing.assert_allclose(got["change"].iloc[1:], np.diff(tech))
        full = got[[*DOMAINS, "tech_index"]].notna().all(axis=1)  # rated, all domains
        both = (full & full.shift(1, fill_value=False)).to_numpy()
        np.testing.assert_allclose(got.loc[both, "contrib_change_other"], 0.0, atol=1e-9)
        checked += int(both.sum())
    assert checked > 100


def test_unknown_firm_is_a_clear_error(tmp_path, small_panel):
    """Asking for a firm the store does not hold names it and the store."""
    db = tmp_path / "h.sqlite"
    ingest.import_file(small_panel, db)
    with pytest.raises(StoreError, match="'999-99-99999' is not in the store"):
        history.firm_trajectory("999-99-99999", db)


# ---------------------------------------------------------------------------- industry series

def test_industry_series_by_hand(tmp_path, brn, hand_scored):
    """Quartiles per KSIC division and region of a hand case (numpy's linear quartiles);
    not-rated firm-years are left out."""
    values = [("10122", "제주특별자치도 제주시 첨단로 1", 90.0), ("10129", "제주 제주시", 100.0),
              ("C10220", "제주특별자치도 서귀포시", 110.0), ("10122", "세종특별자치시 한누리대로", 120.0),
              ("26110", "세종특별자치시", 80.0), ("26110", "세종특별자치시", None)]
    rows = [{"brn": brn(k + 1), "year": 2024, "ksic": code, "region": region, "tech_index": t,
             "grade": "NR" if t is None else "BB"}
            for k, (code, region, t) in enumerate(values)]
    db = tmp_path / "h.sqlite"
    ingest.import_file(hand_scored(tmp_path / "scored.csv", rows), db)
    series = history.industry_series(db)
    assert series.columns.tolist() == ["year", "ksic_division", "industry", "n", "p25",
                                       "median", "p75"]
    assert series.drop(columns="industry").to_dict("records") == [
        {"year": 2024, "ksic_division": "10", "n": 4, "p25": 97.5, "median": 105.0, "p75": 112.5},
        {"year": 2024, "ksic_division": "26", "n": 1, "p25": 80.0, "median": 80.0, "p75": 80.0}]
    # names from the KSIC table (11th revision): 10 food, 26 electronic components
    assert series["industry"].tolist() == ["Manufacture of food products",
                                           ("Manufacture of electronic components, computer; "
                                            "visual, sounding and communication equipment")]
    # in Korean at the edge: the same codes, the KSIC table's Korean names
    assert korean_labels(series)["업종명"].tolist() == [
        "식료품 제조업", "전자 부품, 컴퓨터, 영상, 음향 및 통신장비 제조업"]
    regions = history.industry_series(db, by="region")
    assert dict(zip(regions["region"], regions["n"])) == {"세종특별자치시": 2, "제주": 1,
                                                          "제주특별자치도": 2}
    assert len(history.industry_series(db, min_n=2)) == 1



def test_industry_series_arguments_are_checked(tmp_path, small_panel):
    """An unknown grouping or a minimum below 1 is wrong usage, named."""
    db = tmp_path / "h.sqlite"
    ingest.import_file(small_panel, db)
    with pytest.raises(UsageError, match="by='sector'"):
        history.industry_series(db, by="sector")
    with pytest.raises(UsageError, match="min_n=0"):
        history.industry_series(db, min_n=0)


def test_call_year_is_the_year_in_the_name():
    """A call's support year is the year its name carries; a name without one is an error
    asking for support_year."""
    assert history.call_year("jeju_2025") == 2025
    assert history.call_year("2019_smart_factory") == 2019
    with pytest.raises(UsageError, match="give support_year"):
        history.call_year("jeju_spring")


def test_track_commands(tmp_path, small_panel, capsys):
    """ktop track import/firm/industry/monitor print tables or write CSV; a missing store
    is wrong usage (exit 2)."""
    db = str(tmp_path / "h.sqlite")
    assert main(["track", "import", str(small_panel), "--db", db, "--note", "cli"]) == 0
    assert "imported" in capsys.readouterr().out
    assert main(["track", "import", str(small_panel), "--db", db]) == 0
    assert "already in the store" in capsys.readouterr().out
    firm = pd.read_parquet(small_panel)["brn"].iat[0]
    assert main(["track", "firm", firm, "--db", db]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:3] == ["year", "tech_index", "grade"]
    csv = tmp_path / "industry.csv"
    assert main(["track", "industry", "--by", "region", "--db", db, "-o", str(csv)]) == 0
    written = pd.read_csv(csv, encoding="utf-8-sig")
    assert written.columns.tolist() == ["year", "region", "n", "p25", "median", "p75"]
    assert main(["track", "firm", firm, "--db", str(tmp_path / "none.sqlite")]) == 2
    assert "no tracking store" in capsys.readouterr().err
    assert main(["track", "monitor", "--call", "nope_2025", "--db", db]) == 1
    assert "no selection of call" in capsys.readouterr().err
    assert main(["track", "industry", "--db", db, "--lang", "ko"]) == 0
    out = capsys.readouterr().out
    assert out.split()[:4] == ["연도", "업종(중분류)", "업종명", "기업수"]
    assert "식료품 제조업" in out or "제조업" in out

