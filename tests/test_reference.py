"""ktop_index.reference: the bundled tables load, match the official totals, and are cited."""

from __future__ import annotations

from importlib import resources

from ktop_index import reference


def test_the_concordance_is_the_official_one():
    """1,196 subclasses of the 10th revision in 1,231 rows; every target is an 11th code;
    Statistics Korea's notes counted as in the workbook (ksic_SOURCE.md)."""
    table = reference.ksic_concordance()
    assert len(table) == 1231 and table["ksic10"].nunique() == 1196
    assert set(table["ksic11"]) <= reference.ksic11_codes()
    assert table["ksic11"].nunique() == 1205  # every 11th subclass is reached
    notes = table.drop_duplicates(["ksic10", "ksic11"])["note_ko"].value_counts()
    assert notes["코드변경"] == 75 and notes["세분"] == 60 and notes["통합"] == 36


def test_the_10th_revision_codes_match_the_official_totals():
    """77 divisions, 232 groups, 495 classes and 1,196 subclasses (KSIC 10th revision)."""
    codes = reference.ksic10_codes()
    counts = [sum(len(c) == n for c in codes) for n in (2, 3, 4, 5)]
    assert counts == [77, 232, 495, 1196]


def test_lookups():
    assert reference.ksic10_to_11()["10712"] == ("10602",)
    assert reference.ksic10_names()["10712"] == "빵류 제조업"
    assert reference.ksic11_names()["10602"] == "빵류 제조업"


def test_every_bundled_table_is_cited():
    folder = resources.files("ktop_index.reference")
    sources = folder.joinpath("SOURCES.md").read_text(encoding="utf-8")
    tables = [p.name for p in folder.iterdir() if p.name.endswith(".csv")]
    assert "ksic10_to_11.csv" in tables
    assert all(f"`{name}`" in sources for name in tables)
