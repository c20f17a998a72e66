"""The page's history tab, run by Streamlit's AppTest: import into a store, see a trajectory."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("streamlit")

from streamlit.testing.v1 import AppTest

from ktop_index.app.history import import_given
from ktop_index.errors import UsageError
from ktop_index.tracking.history import latest_scores

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60


@pytest.fixture(scope="module")
def panel(tmp_path_factory) -> tuple[Path, pd.DataFrame]:
    """Two firms of the bundled panel with every year they have (a small raw file)."""
    frame = pd.read_parquet(ROOT / "data" / "sample_panel.parquet")
    years = frame.groupby("brn")["year"].nunique()
    chosen = sorted(years[years >= 5].index)[:2]
    small = frame[frame["brn"].isin(chosen)]
    path = tmp_path_factory.mktemp("panel") / "two_firms.csv"
    small.to_csv(path, index=False)
    return path, small


def history_page(lang, db):
    from ktop_index.app.history import history_tab

    history_tab(lang, db=db)


def page(lang: str, db: Path) -> AppTest:
    app = AppTest.from_function(history_page, args=(lang, str(db)), default_timeout=TIMEOUT)
    return app.run()


def test_an_import_by_path_then_the_firms_trajectory(panel, tmp_path):
    path, small = panel
    db = tmp_path / "history.sqlite"
    app = page("en", db)
    assert "No store at" in app.info[0].value  # nothing imported yet
    app.text_input(key="history_source").input(str(path)).run()
    app.button(key="history_import").click().run()
    assert not app.exception and not app.error
    assert "imported" in app.success[0].value and "2 new firms" in app.success[0].value
    brn = app.selectbox(key="history_firm").options[0].split("(")[-1].rstrip(")")
    firm = small[small["brn"] == brn]
    shown = app.dataframe[0].value
    assert list(shown["year"]) == sorted(firm["year"])
    assert shown["tech_index"].notna().all()
    first = app.selectbox(key="history_firm").value
    other = next(b for b in small["brn"].unique() if b != first)
    app.selectbox(key="history_firm").select(other).run()
    assert list(app.dataframe[0].value["year"]) == sorted(small.loc[small["brn"] == other,
                                                                    "year"])
    app.button(key="history_import").click().run()  # the same file again: nothing written
    assert "already in the store" in app.success[0].value


def test_the_trajectory_in_korean(panel, tmp_path):
    path, _ = panel
    db = tmp_path / "history.sqlite"
    import_given(str(path), [], str(db))
    app = page("ko", db)
    shown = app.dataframe[0].value
    assert {"연도", "기업혁신역량지수", "등급", "인프라"} <= set(shown.columns)
    assert app.subheader[0].value == "기업 이력 (이력 저장소)"


def test_a_selection_folder_uploaded_as_its_files(tmp_path):
    from ktop_index.report.outputs import write_selection
    from ktop_index.selection.decide import select_file

    result = select_file("data/jeju_2025_applicants.xlsx", "jeju_2025", variants=0,
                         created="2025-01-01T00:00:00+00:00")
    folder = tmp_path / "out"
    write_selection(result, folder)

    class Upload:  # what st.file_uploader gives: a name and the bytes
        def __init__(self, path):
            self.name, self._bytes = path.name, path.read_bytes()

        def getvalue(self):
            return self._bytes

    db = tmp_path / "history.sqlite"
    found = import_given("", [Upload(p) for p in sorted(folder.iterdir())], str(db))
    assert [r.kind for r in found] == ["selection"] and found[0].call == "jeju_2025"
    assert found[0].rows == len(result.table)
    assert "audit.json" in found[0].line("ko") and "공고 jeju_2025의 선정 결과" in found[0].line("ko")
    assert latest_scores(str(db)).empty  # a selection alone holds no scores


def test_nothing_given_or_a_missing_path_is_one_error_line(tmp_path):
    db = tmp_path / "history.sqlite"
    with pytest.raises(UsageError) as caught:
        import_given("", [], str(db))
    assert "먼저 경로를" in caught.value.message("ko")
    with pytest.raises(UsageError, match="no such file or folder"):
        import_given(str(tmp_path / "missing.csv"), [], str(db))
    app = page("ko", db)
    app.button(key="history_import").click().run()
    assert len(app.error) == 1 and "먼저 경로를" in app.error[0].value
