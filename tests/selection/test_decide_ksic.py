"""The decision table shows each firm's industry code as given and the 11th-revision code(s)
it was judged on; a code that lost its leading zero stops the run (issue 14, item 3)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from ktop_index.data.brn import make_brn
from ktop_index.errors import DataError
from ktop_index.index.techindex import TechIndex
from ktop_index.labels import SELECTION_COLUMNS_KO
from ktop_index.selection.calls import load_call
from ktop_index.selection.decide import COLUMNS, select, select_file
from ktop_index.synth import generate_panel

ROOT = Path(__file__).resolve().parents[2]
JEJU = load_call("jeju_2025")


@pytest.fixture(scope="module")
def firms_and_model():
    panel = generate_panel(n_firms=120, years=(2023, 2024), seed=5)
    model = TechIndex().fit(panel, reference_year=2024)
    firms = panel[(panel["year"] == 2024) & (panel["revenue"].fillna(0) < 4e7)].head(4)
    firms = firms.reset_index(drop=True)
    firms["brn"] = [make_brn(400 + i, 81, i + 1) for i in range(len(firms))]
    firms["firm_id"] = firms["brn"]
    firms["ksic"] = ["10712", "21300", "10301", "10501"]
    firms["region"] = "제주특별자치도 제주시 첨단로 213"
    for column in ("letter_of_intent", "sme_confirmed"):
        firms[column] = pd.array([True] * len(firms), dtype="boolean")
    return firms, model


def test_the_table_keeps_the_code_and_shows_the_11th_code_used(firms_and_model):
    firms, model = firms_and_model
    call = replace(JEJU, eligibility=replace(JEJU.eligibility, ksic_prefixes=("1060", "21301")))
    result = select(firms, call, model=model, variants=0, created="2026-01-01T00:00:00+00:00")
    table = result.table.set_index("ksic")
    assert {"ksic", "ksic11"} <= set(COLUMNS) and list(result.table.columns[7:9]) == [
        "ksic", "ksic11"]
    assert table.loc["10712", "ksic11"] == "10602" and bool(table.loc["10712", "eligible"])
    assert table.loc["21300", "ksic11"] == "21301, 21309"
    assert not table.loc["21300", "eligible"] and "may be 21301" in table.loc["21300", "reasons"]
    assert table.loc["10501", "ksic11"] == "10421" and not table.loc["10501", "eligible"]
    korean = result.labelled("ko")
    assert {"업종코드", "업종코드(11차)"} <= set(korean.columns)
    assert SELECTION_COLUMNS_KO["ksic11"] == "업종코드(11차)"


def test_a_lost_zero_stops_the_selection_naming_the_cell(tmp_path):
    """The Jeju file with one crop grower's 01110 typed into a number cell (1110): the call
    targets 11, and the firm is never found eligible on a guess."""
    source = openpyxl.load_workbook(ROOT / "data" / "jeju_2025_applicants.xlsx")
    sheet = source.active
    column = [c.value for c in sheet[1]].index("업종코드") + 1
    sheet.cell(row=3, column=column, value=1110)
    path = tmp_path / "applicants.xlsx"
    source.save(path)
    with pytest.raises(DataError) as caught:
        select_file(path, "jeju_2025", variants=0)
    lost = [p for p in caught.value.problems if p.code == "ksic_lost_zero"]
    assert [(p.row, p.column) for p in lost] == [(3, "업종코드")]
    assert "01110 (곡물 및 기타 식량작물 재배업)" in lost[0].line()
