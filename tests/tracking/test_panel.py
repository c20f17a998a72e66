"""The panel a history store has accumulated (ktop_index.tracking.panel): the firm-years of
every import, one row per firm and year, the latest import winning field by field."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ktop_index.data.io import read_table, write_table
from ktop_index.data.validate import validate
from ktop_index.errors import StoreError
from ktop_index.index.techindex import TechIndex, data_hash
from ktop_index.synth import generate_panel
from ktop_index.tracking import ingest
from ktop_index.tracking.panel import panel_from_store
from ktop_index.tracking.store import Store


def _validated(path) -> pd.DataFrame:
    """A file as `ktop fit PANEL` reads it (read_table + validate)."""
    frame = validate(read_table(path)).frame
    frame.attrs = {}
    return frame


def _plain(panel: pd.DataFrame) -> pd.DataFrame:
    out = panel.copy()
    out.attrs = {}
    return out


@pytest.fixture(scope="module")
def synthetic_file(tmp_path_factory):
    """300 synthetic firms 2014-2021 (1,760 firm-years) as a raw CSV, and the panel."""
    panel = generate_panel(n_firms=300, years=(2014, 2021), seed=1)
    path = tmp_path_factory.mktemp("panel") / "panel.csv"
    write_table(panel, path)
    return path, panel


def test_a_panel_imported_year_by_year_comes_back_as_the_file(tmp_path, synthetic_file):
    """A TP imports its panel in two deliveries (2014-2017, then 2018-2021) with `ktop track
    import`'s own function; the store gives back exactly the frame `ktop fit` reads from the
    whole file: same columns, types, values, order, and data hash."""
    path, panel = synthetic_file
    db = tmp_path / "h.sqlite"
    for name, years in (("early.csv", (2014, 2017)), ("late.csv", (2018, 2021))):
        part = panel[panel["year"].between(*years)].reset_index(drop=True)
        write_table(part, tmp_path / name)
        ingest.import_file(tmp_path / name, db)
    got = panel_from_store(db)
    expected = _validated(path)
    pd.testing.assert_frame_equal(_plain(got), expected)
    assert data_hash(got) == data_hash(expected)
    source = got.attrs["source"]
    assert (source.firm_years, source.firms, source.years) == (1760, 300, (2014, 2021))
    assert [(d.dataset, d.source, d.kind, d.runs) for d in source.datasets] == [
        (1, "early.csv", "raw", (1,)), (2, "late.csv", "raw", (2,))]
    assert source.repeated == 0
    assert "1,760 firm-years of 300 firms, 2014-2021, from 2 data sets" in source.text()


def _small(tmp_path, name: str, frame: pd.DataFrame):
    path = tmp_path / name
    write_table(frame, path)
    return path


def test_the_latest_import_wins_field_by_field(tmp_path):
    """Hand-made deliveries of one firm-year: a correction (new revenue, employees blanked)
    wins over the first file, blanks included; a later file without a revenue column says
    nothing about revenue; re-scoring the first file with another model (a new run, not a new
    data set) changes nothing."""
    first = generate_panel(n_firms=60, years=(2020, 2023), seed=5)
    a, b = first["brn"].drop_duplicates().iloc[:2]
    key = ["brn", "year"]
    db = tmp_path / "h.sqlite"
    v1 = _small(tmp_path, "v1.csv", first)
    ingest.import_file(v1, db)
    ids = first.set_index("brn")["firm_id"].to_dict()
    correction = pd.DataFrame({"firm_id": [ids[a], ids[b]], "brn": [a, b], "year": [2022, 2022],
                               "employees": [np.nan, 7.0], "revenue": [123456.0, 654321.0]})
    ingest.import_file(_small(tmp_path, "v2.csv", correction), db)
    patents = pd.DataFrame({"firm_id": [ids[a]], "brn": [a], "year": [2022], "patents": [99]})
    ingest.import_file(_small(tmp_path, "v3.csv", patents), db)
    other = TechIndex(spec=TechIndex.load().spec_).fit(first, reference_year=2021)
    assert ingest.import_file(v1, db, model=other).run == 4  # dataset 1 re-scored, last

    got = panel_from_store(db).set_index(key)
    original = first.set_index(key)
    row_a, row_b = got.loc[(a, 2022)], got.loc[(b, 2022)]
    assert row_a["revenue"] == 123456.0 and np.isnan(row_a["employees"])  # v2's blank wins
    assert row_a["patents"] == 99                                           # v3
    assert row_a["total_assets"] == original.loc[(a, 2022), "total_assets"]  # only v1 has it
    assert (row_b["revenue"], row_b["employees"]) == (654321.0, 7.0)
    assert row_b["patents"] == original.loc[(b, 2022), "patents"]          # v3 lacks firm b
    others = got.drop(index=[(a, 2022), (b, 2022)])
    np.testing.assert_array_equal(others["revenue"],
                                  original.loc[others.index, "revenue"].to_numpy())
    assert len(got) == len(first)
    source = panel_from_store(db).attrs["source"]
    assert source.repeated == 2
    assert [(d.dataset, d.rows, d.used, d.runs) for d in source.datasets] == [
        (1, len(first), len(first), (1, 4)), (2, 2, 2, (2,)), (3, 1, 1, (3,))]
    assert "2 firm-years were in more than one data set (the latest import wins" in source.text()


def test_one_firm_across_files_and_only_the_fields_the_store_has(tmp_path):
    """A panel keyed by firm_id and business number without equity or certifications, then
    a later applicants file keyed by business number alone with application fields: each
    firm is one firm (the first file's firm_id), fields no file has are absent, and fields
    only the later file has are there, missing in the earlier years."""
    panel = generate_panel(n_firms=15, years=(2020, 2022), seed=9)
    ingest.import_file(_small(tmp_path, "panel.csv",
                              panel.drop(columns=["total_equity", "certifications"])),
                       tmp_path / "h.sqlite")
    last = panel[panel["year"] == 2022].drop(columns=["firm_id", "total_equity",
                                                      "certifications"])
    applicants = last.assign(year=2023, requested=50_000.0, sme_confirmed="Y")
    ingest.import_file(_small(tmp_path, "applicants.csv", applicants), tmp_path / "h.sqlite")
    got = panel_from_store(tmp_path / "h.sqlite")
    assert "total_equity" not in got and "certifications" not in got
    assert got["firm_id"].nunique() == panel["firm_id"].nunique()
    firm = panel["firm_id"].iloc[0]
    assert got.loc[got["firm_id"] == firm, "year"].tolist() == [2020, 2021, 2022, 2023]
    assert got.loc[got["year"] == 2023, "requested"].eq(50_000.0).all()
    assert got.loc[got["year"] < 2023, "requested"].isna().all()
    assert got["sme_confirmed"].dtype == "boolean"
    assert got.loc[got["year"] == 2023, "sme_confirmed"].all()
    order = ("firm_id", "brn", "firm_name", "year", "ksic", "region", "founded", "firm_age",
             "employees", "revenue", "requested", "sme_confirmed")  # the contract's order
    positions = [list(got.columns).index(c) for c in order]
    assert positions == sorted(positions)


def test_no_store_an_empty_store_and_a_selection_only_store_are_errors(tmp_path,
                                                                       write_selection, brn):
    """A missing store is an error and is not created; a store holding only a selection
    (decisions, no firm-years) has no panel; both say so in English and Korean."""
    missing = tmp_path / "none.sqlite"
    with pytest.raises(StoreError, match="no tracking store here") as caught:
        panel_from_store(missing)
    assert not missing.exists() and "이력 저장소가 없습니다" in caught.value.message("ko")
    db = tmp_path / "h.sqlite"
    folder = write_selection(tmp_path / "sel", "jeju_2025",
                             [(brn(1), "가", "selected", 110.0, 50_000)])
    ingest.import_selection(folder, db)
    with pytest.raises(StoreError, match="the store holds no firm-years") as caught:
        panel_from_store(db)
    assert "기업-연도 자료가 없습니다" in caught.value.message("ko")


def test_a_store_of_too_few_years_is_an_error_naming_them(tmp_path):
    """Two years stored, four needed (a base year and three later ones): the error names the
    years held and what is needed, in English and Korean; an open Store is accepted too."""
    panel = generate_panel(n_firms=10, years=(2022, 2023), seed=2)
    ingest.import_file(_small(tmp_path, "p.csv", panel), tmp_path / "h.sqlite")
    with Store(tmp_path / "h.sqlite", create=False) as store:
        assert len(panel_from_store(store, min_years=2)) == len(panel)
        with pytest.raises(StoreError) as caught:
            panel_from_store(store, min_years=4)
    message = str(caught.value)
    assert "2 year(s) (2022, 2023); at least 4 are needed" in message
    assert "\n" not in message
    assert "2개 연도(2022, 2023)뿐입니다; 최소 4개 연도가 필요합니다" in caught.value.message("ko")
