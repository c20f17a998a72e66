"""Monitoring (ktop_index.tracking.monitor): flags of a hand-made history, thresholds, the
words in English and Korean, and `ktop track monitor`."""

from __future__ import annotations

from pathlib import Path

import pytest

from ktop_index.cli import main
from ktop_index.errors import UsageError
from ktop_index.tracking import ingest, monitor
from ktop_index.tracking.present import korean_labels


@pytest.fixture
def monitor_case(tmp_path: Path, brn, hand_scored, write_selection) -> Path:
    """Five applicants of call 'test_2025' (A-D supported), with data 2024-2026:
    A's index falls 11 points, B's revenue 25 %, C's data stops after 2025, D's employment
    falls 10 % (under the threshold), E (not supported) collapses."""
    series = {  # brn: [(year, tech_index, revenue, employees)]
        1: [(2024, 100, 1000, 10), (2025, 98, 1000, 10), (2026, 87, 1000, 10)],
        2: [(2024, 100, 1000, 10), (2025, 100, 1000, 10), (2026, 100, 750, 10)],
        3: [(2024, 100, 1000, 10), (2025, 101, 1000, 10)],
        4: [(2024, 100, 1000, 10), (2025, 100, 1000, 10), (2026, 100, 1000, 9)],
        5: [(2024, 100, 1000, 10), (2025, 60, 100, 1), (2026, 50, 100, 1)],
    }
    rows = [{"brn": brn(k), "year": y, "tech_index": t, "grade": "BB", "revenue": r,
             "employees": e} for k, values in series.items() for y, t, r, e in values]
    db = tmp_path / "h.sqlite"
    ingest.import_file(hand_scored(tmp_path / "scored.csv", rows), db)
    selection = [(brn(k), f"firm {k}", "selected" if k < 5 else "not_selected", 100.0, 0)
                 for k in series]
    ingest.import_path(write_selection(tmp_path / "sel", "test_2025", selection), db)
    return db


def test_monitor_flags_by_hand(monitor_case):
    """Each supported firm gets exactly the flags its hand-made history calls for."""
    db = monitor_case
    flags = monitor.monitor(db, "test_2025").set_index("firm_name")
    columns = ["index_drop", "revenue_drop", "employment_drop", "data_stopped"]
    assert flags[columns].to_dict("index") == {
        "firm 1": dict(zip(columns, [True, False, False, False])),
        "firm 2": dict(zip(columns, [False, True, False, False])),
        "firm 3": dict(zip(columns, [False, False, False, True])),
        "firm 4": dict(zip(columns, [False, False, False, False])),
    }
    assert flags.loc["firm 3", "flags"] == "no data after 2025"
    assert flags.loc["firm 4", "flags"] == ""
    looser = monitor.monitor(db, "test_2025", thresholds={"revenue": 0.3, "employees": 0.1})
    looser = looser.set_index("firm_name")
    assert not looser.loc["firm 2", "revenue_drop"] and looser.loc["firm 4", "employment_drop"]


def test_monitor_words_in_english_and_korean(monitor_case):
    """The flags are English words naming the thresholds used; at the edge the same flags
    read in Korean, with the same numbers."""
    flags = monitor.monitor(monitor_case, "test_2025", thresholds={"tech_index": 5.0})
    by_name = flags.set_index("firm_name")["flags"]
    assert by_name["firm 1"] == "Tech-Index down 5+ points"
    assert by_name["firm 2"] == "revenue down 20%+"
    assert flags.attrs["thresholds"]["tech_index"] == 5.0
    korean = korean_labels(flags).set_index("기업명")["경보"]
    assert korean.to_dict() == {"firm 1": "지수 5점 이상 하락", "firm 2": "매출 20% 이상 감소",
                                "firm 3": "2025년 이후 자료 없음", "firm 4": ""}


def test_monitor_as_of_a_past_year_and_stale_data(monitor_case):
    """As of 2025 nobody's data has stopped and 2026's drops are not seen yet; a two-year
    stale limit does not flag firm 3, whose data stopped one year before 2026."""
    past = monitor.monitor(monitor_case, "test_2025", as_of=2025).set_index("firm_name")
    assert not past[["index_drop", "revenue_drop", "data_stopped"]].any().any()
    assert (past["last_year"] == 2025).all()
    lenient = monitor.monitor(monitor_case, "test_2025", thresholds={"stale_years": 2})
    assert not lenient.set_index("firm_name").loc["firm 3", "data_stopped"]


def test_unknown_threshold_is_wrong_usage(monitor_case):
    """A threshold name monitor does not know is named in the error, with those it knows."""
    with pytest.raises(UsageError, match="unknown threshold.*sales.*expected tech_index"):
        monitor.monitor(monitor_case, "test_2025", thresholds={"sales": 0.1})


def test_flag_words_say_which_flags_are_raised():
    """flag_words joins the raised flags' words in order; no data at all when there is no
    last year."""
    row = {"index_drop": False, "revenue_drop": True, "employment_drop": True,
           "data_stopped": True}
    limits = dict(monitor.DEFAULT_THRESHOLDS, employees=0.15)
    assert monitor.flag_words(row, limits, None) == (
        "revenue down 20%+; employment down 15%+; no data at all")
    assert monitor.flag_words(dict.fromkeys(row, False), limits, 2024) == ""


# ---------------------------------------------------------------------------- command line

def test_track_monitor_command(monitor_case, capsys):
    """ktop track monitor prints the flagged firms first, in Korean with --lang ko."""
    db = str(monitor_case)
    assert main(["track", "monitor", "--call", "test_2025", "--db", db, "--lang", "ko"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:2] == ["사업자등록번호", "기업명"] and len(lines) == 5
    assert "지수 10점 이상 하락" in "\n".join(lines[1:4]) and "2025년 이후 자료 없음" in lines[3]
    assert lines[4].rstrip().endswith("9.00")  # firm 4: nothing flagged, listed last
