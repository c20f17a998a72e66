"""`ktop fit --db HISTORY.sqlite`: the growth model fitted on what a tracking store holds
equals the one fitted on the same panel as a file, but for where the card says the data came
from; PANEL and --db exclude each other; a store too short to label anything is one line."""

from __future__ import annotations

import json

import pytest

from ktop_index.cli import main
from ktop_index.data.io import write_table
from ktop_index.synth import generate_panel
from ktop_index.tracking.ingest import import_file

FAST = ["--bootstrap", "10", "--refits", "2"]


@pytest.fixture(scope="module")
def panel_and_store(tmp_path_factory):
    """300 synthetic firms 2014-2023 (2,141 firm-years) as one file, and a store filled by
    the real import path in two deliveries (2014-2018, then 2019-2023)."""
    folder = tmp_path_factory.mktemp("fit_db")
    panel = generate_panel(n_firms=300, years=(2014, 2023), seed=1)
    write_table(panel, folder / "panel.csv")
    db = folder / "history.sqlite"
    for name, years in (("early.csv", (2014, 2018)), ("late.csv", (2019, 2023))):
        write_table(panel[panel["year"].between(*years)], folder / name)
        import_file(folder / name, db)
    return folder, db


def _without_source(model: dict) -> dict:
    training = model["growth"]["training"]
    return {**model, "growth": {**model["growth"], "training": {
        k: v for k, v in training.items() if k not in ("description", "command")}}}


def test_the_fit_from_the_store_is_the_fit_from_the_file(panel_and_store, capsys):
    """Same weights, validation figures, grades and data hash (the model files equal but for
    the description and the rebuild command); the card's data section names the store, its
    firm-years, the data sets and runs used and their sha256."""
    folder, db = panel_and_store
    store_model, file_model = folder / "from_store.json", folder / "from_file.json"
    assert main(["fit", "--db", str(db), "-o", str(store_model), *FAST]) == 0
    printed = capsys.readouterr().out.replace("from_store", "MODEL")
    assert main(["fit", str(folder / "panel.csv"), "-o", str(file_model), *FAST]) == 0
    assert capsys.readouterr().out.replace("from_file", "MODEL") == printed  # same figures
    from_store = json.loads(store_model.read_text(encoding="utf-8"))
    from_file = json.loads(file_model.read_text(encoding="utf-8"))
    assert _without_source(from_store) == _without_source(from_file)
    training = from_store["growth"]["training"]
    assert training["command"] == (f"ktop fit --db {db} -o {store_model} --seed 0 "
                                   "--bootstrap 10 --refits 2")
    card = (folder / "from_store.md").read_text(encoding="utf-8")
    data = card.split("## Data")[1].split("\n## ")[0]
    assert f"Panel from the history store {db} (ktop track): 2,141 firm-years of 300 firms, "\
           "2014-2023, from 2 data sets (#1 early.csv, raw, sha256 " in data
    assert "#2 late.csv, raw, sha256 " in data and "run 2)" in data
    assert f"Data sha256: `{from_file['growth']['training']['data_sha256']}`" in data


def test_the_describe_text_is_kept_beside_the_store(panel_and_store, tmp_path):
    """--describe with --db: the user's words first, then where the panel came from."""
    _, db = panel_and_store
    out = tmp_path / "m.json"
    assert main(["fit", "--db", str(db), "-o", str(out), "--describe", "TP 2014-2023",
                 "--bootstrap", "0", "--refits", "0"]) == 0
    text = json.loads(out.read_text(encoding="utf-8"))["growth"]["training"]["description"]
    assert text.startswith("TP 2014-2023; Panel from the history store ")


@pytest.mark.parametrize("lang, expected", [
    ("en", "ktop fit: error: expected a PANEL file or --db HISTORY.sqlite (one of the two)"),
    ("ko", "ktop fit: 오류: PANEL 파일 또는 --db HISTORY.sqlite 중 하나만 주십시오"),
])
@pytest.mark.parametrize("data", [["p.csv", "--db", "h.sqlite"], []])
def test_panel_and_db_exclude_each_other(data, lang, expected, tmp_path, capsys):
    """Both or neither: a usage error (exit 2), one line, in the language asked."""
    out = tmp_path / "m.json"
    assert main(["fit", *data, "-o", str(out), "--lang", lang]) == 2
    assert capsys.readouterr().err.splitlines() == [expected]
    assert not out.exists()


def test_file_reading_options_are_refused_with_db(tmp_path, capsys):
    """--money-unit / --sheet say how to read a file: with --db they would be silently
    ignored, so they are a usage error naming them."""
    assert main(["fit", "--db", str(tmp_path / "h.sqlite"), "-o", str(tmp_path / "m.json"),
                 "--money-unit", "원", "--sheet", "0"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        ("ktop fit: error: --money-unit, --sheet: how to read a PANEL file, not --db (the "
         "store's firm-years were read and validated when imported; money in 천원)")]


@pytest.mark.parametrize("lang, part", [
    ("en", "the store holds firm-years of 2 year(s) (2022, 2023); at least 4 are needed"),
    ("ko", "저장소의 기업-연도 자료가 2개 연도(2022, 2023)뿐입니다; 최소 4개 연도가 필요합니다"),
])
def test_a_store_too_short_to_label_is_one_line(lang, part, tmp_path, capsys):
    """Two years in the store, a 3-year horizon: exit 1 with one line, no model written."""
    write_table(generate_panel(n_firms=40, years=(2022, 2023), seed=3), tmp_path / "p.csv")
    import_file(tmp_path / "p.csv", tmp_path / "h.sqlite")
    out = tmp_path / "m.json"
    assert main(["fit", "--db", str(tmp_path / "h.sqlite"), "-o", str(out), "--lang", lang]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and part in err[0]
    assert not out.exists()


def test_a_missing_store_is_not_created(tmp_path, capsys):
    """--db naming no store: exit 1, one line, and no empty store left behind."""
    db = tmp_path / "none.sqlite"
    assert main(["fit", "--db", str(db), "-o", str(tmp_path / "m.json")]) == 1
    assert "no tracking store here" in capsys.readouterr().err
    assert not db.exists()
