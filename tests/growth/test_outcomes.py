"""Outcome labels on hand-made panels: entry, exit, gaps, tiny firms, unobserved futures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ktop_index.errors import DataError, SpecError
from ktop_index.growth.outcomes import OutcomeRules, label_outcomes, label_plan
from ktop_index.synth import generate


def panel(rows) -> pd.DataFrame:
    """A panel from (firm, year, employees, revenue, equity) tuples."""
    return pd.DataFrame(rows, columns=["firm_id", "year", "employees", "revenue",
                                       "total_equity"])


# The panel runs 2018-2024 (the filler firm Z makes every year exist).
FILLER = [("Z", y, 50, 1e6, 1e5) for y in range(2018, 2025)]


def labels(rows, **rules) -> pd.DataFrame:
    frame = panel(rows + FILLER)
    out = label_outcomes(frame, OutcomeRules(**rules))
    out.index = pd.MultiIndex.from_frame(frame[["firm_id", "year"]])
    return out


def test_oecd_rule_by_hand():
    """10 -> 18 employees in 3 years is 20.6 %/yr (high growth); 10 -> 17 is 19.3 % (not)."""
    out = labels([("A", 2018, 10, 1e6, 1), ("A", 2021, 18, 1e6, 1),
                  ("B", 2018, 10, 1e6, 1), ("B", 2021, 17, 1e6, 1)],
                 measure="employees")
    assert out.loc[("A", 2018), "high_growth"] == 1.0
    assert out.loc[("B", 2018), "high_growth"] == 0.0
    assert out.loc[("A", 2018), "employment_growth"] == pytest.approx(1.8 ** (1 / 3) - 1)


def test_threshold_is_a_strict_inequality():
    """Exactly 20 %/yr (revenue x 1.728) is not above 20 %: not high growth (Manual: 'greater')."""
    out = labels([("A", 2018, 20, 1_000_000, 1), ("A", 2021, 20, 1_728_000, 1)],
                 measure="revenue")
    assert out.loc[("A", 2018), "high_growth"] == 0.0
    out = labels([("A", 2018, 20, 1_000_000, 1), ("A", 2021, 20, 1_729_000, 1)],
                 measure="revenue")
    assert out.loc[("A", 2018), "high_growth"] == 1.0


def test_ten_percent_variant_of_the_eu_regulation():
    """annual_growth=0.10: 10 -> 14 employees (11.9 %/yr) is high growth, 10 -> 13 is not."""
    out = labels([("A", 2018, 10, 1e6, 1), ("A", 2021, 14, 1e6, 1),
                  ("B", 2018, 10, 1e6, 1), ("B", 2021, 13, 1e6, 1)],
                 measure="employees", annual_growth=0.10)
    assert out.loc[("A", 2018), "high_growth"] == 1.0
    assert out.loc[("B", 2018), "high_growth"] == 0.0


def test_tiny_firms_absolute_gain_rule():
    """A micro firm needs more than 10*(1.2^3-1) = 7.28 extra employees: 2 -> 10 yes, 2 -> 9 no."""
    out = labels([("A", 2018, 2, 1e5, 1), ("A", 2021, 10, 1e5, 1),
                  ("B", 2018, 2, 1e5, 1), ("B", 2021, 9, 1e5, 1),
                  ("C", 2018, 1, 1e5, 1), ("C", 2021, 2, 1e5, 1)],  # +100 %/yr, but +1 person
                 measure="employees")
    assert out.loc[("A", 2018), "high_growth"] == 1.0
    assert out.loc[("B", 2018), "high_growth"] == 0.0
    assert out.loc[("C", 2018), "high_growth"] == 0.0


def test_tiny_firms_left_out_without_the_micro_variant():
    """micro=False (the strict OECD rule): a firm under 10 employees gets no label."""
    out = labels([("A", 2018, 2, 1e5, 1), ("A", 2021, 10, 1e5, 1)], measure="employees",
                 micro=False)
    assert np.isnan(out.loc[("A", 2018), "high_growth"])


def test_micro_revenue_needs_a_minimum_base():
    """A micro firm's revenue growth counts only from 100,000 천원: 50,000 -> 500,000 is NaN."""
    out = labels([("A", 2018, 3, 50_000, 1), ("A", 2021, 3, 500_000, 1),
                  ("B", 2018, 3, 200_000, 1), ("B", 2021, 3, 400_000, 1)], measure="revenue")
    assert np.isnan(out.loc[("A", 2018), "high_growth"])
    assert out.loc[("B", 2018), "high_growth"] == 1.0  # x2 in 3 years = 26 %/yr


def test_either_measure_counts_employees_or_revenue():
    """'either' (통계청 rule): revenue growth alone makes a high-growth firm."""
    rows = [("A", 2018, 20, 1e6, 1), ("A", 2021, 20, 2e6, 1)]
    assert labels(rows, measure="either").loc[("A", 2018), "high_growth"] == 1.0
    assert labels(rows, measure="employees").loc[("A", 2018), "high_growth"] == 0.0


def test_unobserved_future_is_unknown_never_negative():
    """Years whose t+3 is past the panel's end are NaN, even for a firm that looks to decline."""
    rows = [("A", y, 10, 1e6 / (y - 2016), 1) for y in range(2018, 2025)]
    out = labels(rows)
    for year in (2022, 2023, 2024):
        assert np.isnan(out.loc[("A", year), "high_growth"])
        assert np.isnan(out.loc[("A", year), "sustainable_growth"])
        assert not out.loc[("A", year), "observed"]
    assert out.loc[("A", 2021), "observed"]


def test_exit_counts_as_neither():
    """A firm whose rows stop in 2019 while the panel goes on is an exit: both labels 0."""
    out = labels([("A", 2018, 10, 1e6, 1), ("A", 2019, 30, 3e6, 1)])
    assert out.loc[("A", 2018), "exited"]
    assert out.loc[("A", 2018), "high_growth"] == 0.0
    assert out.loc[("A", 2018), "sustainable_growth"] == 0.0


def test_entry_year_is_an_ordinary_start():
    """An entrant's first year is labelled from its own future (no earlier year needed)."""
    out = labels([("A", 2020, 12, 1e6, 1), ("A", 2021, 15, 1.2e6, 1),
                  ("A", 2022, 18, 1.5e6, 1), ("A", 2023, 25, 2e6, 1)])
    assert out.loc[("A", 2020), "high_growth"] == 1.0
    assert out.loc[("A", 2020), "sustainable_growth"] == 1.0


def test_gap_at_the_horizon_is_unknown():
    """Missing at t+3 but present later: not an exit, and the end state is unknown (NaN)."""
    out = labels([("A", 2018, 10, 1e6, 1), ("A", 2019, 10, 1e6, 1), ("A", 2022, 10, 1e6, 1)])
    assert not out.loc[("A", 2018), "exited"]
    assert np.isnan(out.loc[("A", 2018), "high_growth"])
    assert np.isnan(out.loc[("A", 2018), "sustainable_growth"])


def test_gap_inside_the_window():
    """A missing middle year: growth uses t and t+3; the revenue test decides when it can."""
    # 2019 missing: comparisons 2020>=2019 and 2019>=2018 unknown, 2021>=2020 known (up) ->
    # one known rise out of the 2 needed: undecided
    out = labels([("A", 2018, 10, 1e6, 1), ("A", 2020, 12, 1.1e6, 1),
                  ("A", 2021, 18, 1.8e6, 1)])
    assert out.loc[("A", 2018), "high_growth"] == 1.0
    assert np.isnan(out.loc[("A", 2018), "sustainable_growth"])
    # a middle gap leaves one visible comparison, but a seen capital impairment decides 'no'
    out = labels([("B", 2018, 10, 1e6, 5), ("B", 2019, 10, 1.1e6, -1),
                  ("B", 2021, 10, 1.2e6, 5)])
    assert out.loc[("B", 2018), "sustainable_growth"] == 0.0


def test_sustainable_growth_by_hand():
    """Revenue up in 2 of 3 years and equity positive: sustainable; 1 of 3: not."""
    out = labels([("A", 2018, 5, 100, 1), ("A", 2019, 5, 110, 1), ("A", 2020, 5, 105, 1),
                  ("A", 2021, 5, 120, 1),
                  ("B", 2018, 5, 100, 1), ("B", 2019, 5, 90, 1), ("B", 2020, 5, 95, 1),
                  ("B", 2021, 5, 80, 1)])
    assert out.loc[("A", 2018), "sustainable_growth"] == 1.0
    assert out.loc[("B", 2018), "sustainable_growth"] == 0.0


def test_capital_impairment_breaks_sustainable_growth():
    """Equity at zero in any year of the window (자본잠식) makes the firm not sustainable."""
    out = labels([("A", 2018, 5, 100, 10), ("A", 2019, 5, 110, 0), ("A", 2020, 5, 120, 5),
                  ("A", 2021, 5, 130, 5)])
    assert out.loc[("A", 2018), "sustainable_growth"] == 0.0


def test_duplicate_firm_year_is_an_error():
    """Two rows for one firm and year: a clear error naming them."""
    with pytest.raises(DataError, match="firm A in 2018 more than once"):
        label_outcomes(panel([("A", 2018, 5, 1, 1), ("A", 2018, 6, 1, 1)]))


def test_without_equity_sustainable_growth_drops_the_impairment_condition():
    """No total_equity: the firm whose equity hit 0 (자본잠식) counts as sustainable on its
    revenue alone, and the plan says the condition is dropped."""
    rows = [("A", 2018, 5, 100, 10), ("A", 2019, 5, 110, 0), ("A", 2020, 5, 120, 5),
            ("A", 2021, 5, 130, 5)]
    assert labels(rows).loc[("A", 2018), "sustainable_growth"] == 0.0
    frame = panel(rows + FILLER).drop(columns="total_equity")
    assert label_outcomes(frame).loc[0, "sustainable_growth"] == 1.0
    _, record = label_plan(frame)
    assert record["sustainable_growth"]["impairment"] is False
    assert "capital impairment condition is dropped" in record["sustainable_growth"]["note"]


def test_without_revenue_high_growth_is_in_employees_and_sustainable_growth_unknown():
    """An empty revenue column: 'either' becomes employees (10 -> 18 is high growth) and no
    firm-year gets a sustainable-growth label."""
    frame = panel([("A", 2018, 10, np.nan, 1), ("A", 2021, 18, np.nan, 1)]
                  + [("Z", y, 50, np.nan, 1) for y in range(2018, 2025)])
    out = label_outcomes(frame)
    assert out.loc[0, "high_growth"] == 1.0
    assert out["sustainable_growth"].isna().all()
    used, record = label_plan(frame)
    assert used.measure == "employees" and record["sustainable_growth"]["available"] is False


def test_without_employees_high_growth_is_in_revenue_without_a_size_condition():
    """No employees column: revenue growth with no size condition (none can be checked),
    as the Manual's rule is applied to listed firms' statements: x2 in 3 years (26 %/yr)
    is high growth, x1.5 (14.5 %/yr) is not."""
    frame = panel([("A", 2018, 0, 1e6, 1), ("A", 2021, 0, 2e6, 1),
                   ("B", 2018, 0, 1e6, 1), ("B", 2021, 0, 1.5e6, 1)] + FILLER
                  ).drop(columns="employees")
    out = label_outcomes(frame)
    assert out.loc[[0, 2], "high_growth"].tolist() == [1.0, 0.0]
    used, record = label_plan(frame)
    assert (used.measure, used.min_employees, used.micro) == ("revenue", 0, False)
    assert record["high_growth"]["size_condition"] is False


def test_a_panel_without_a_size_measure_or_keys_is_a_data_error_in_both_languages():
    """Neither employees nor revenue, or no year: DataError naming what is missing (English
    and Korean); a measure asked for whose field is absent likewise."""
    frame = panel([("A", 2018, 5, 1, 1)])
    with pytest.raises(DataError) as error:
        label_outcomes(frame.drop(columns=["employees", "revenue"]))
    assert "no employees and no revenue" in error.value.message("en")
    assert "매출액(revenue)" in error.value.message("ko")
    with pytest.raises(DataError, match="the panel has no column year"):
        label_outcomes(frame.drop(columns="year"))
    with pytest.raises(DataError, match="measure 'revenue': the panel has no revenue"):
        label_outcomes(frame.drop(columns="revenue"), OutcomeRules(measure="revenue"))


@pytest.mark.parametrize(("name", "value", "message"), [
    ("measure", "profit", "measure 'profit': expected one of employees, revenue, either"),
    ("horizon", 0, "horizon 0: expected a whole number of years >= 1"),
    ("horizon", 2.5, "horizon 2.5: expected a whole number of years >= 1"),
    ("annual_growth", 0.0, "annual_growth 0.0: expected a rate above 0"),
    ("min_employees", -1, "min_employees -1: expected a whole number of employees >= 0"),
    ("micro", "yes", "micro 'yes': expected True or False"),
    ("micro_min_revenue", -5.0, "micro_min_revenue -5.0: expected an amount in 천원 >= 0"),
    ("sustain_min_equity", float("nan"), "sustain_min_equity nan: expected an amount in 천원"),
])
def test_an_invalid_rule_is_a_spec_error_naming_it(name, value, message):
    """Each threshold outside its allowed values: SpecError naming the parameter, the value
    and what is allowed."""
    with pytest.raises(SpecError) as error:
        OutcomeRules(**{name: value})
    assert str(error.value) == message


def test_agrees_with_the_generator_truth():
    """On the synthetic panel the labels equal the truth written by the generator."""
    sp = generate(n_firms=1500, years=(2014, 2024), seed=11)
    revenue = label_outcomes(sp.panel, OutcomeRules(measure="revenue", min_employees=0,
                                                    micro=False))["high_growth"]
    oecd = label_outcomes(sp.panel, OutcomeRules(measure="employees", micro=False))
    known = revenue.notna()
    assert known.sum() > 3000
    assert (revenue[known] == sp.truth["high_growth_3y"][known].astype(float)).all()
    known = oecd["high_growth"].notna()
    assert (oecd["high_growth"][known] == sp.truth["high_growth_3y_oecd"][known]).all()
    assert (oecd["exited"] == (oecd["observed"] & ~sp.truth["survives_3y"])).all()


def test_listed_firms_revenue_high_growth_matches_the_data_notes(shared):
    """On FnGuide's listed firms (억원), revenue high growth among firms still listed three
    years on is 15.4 % for 2016->2019 and 13.5 % for 2017->2020, as the data's notes say."""
    path = shared / "real-data" / "kr-fnguide-quantcookbook" / \
        "kr_fnguide_fs_panel_2016_2020_wide.csv"
    if not path.exists():
        pytest.skip(f"{path} not present")
    raw = pd.read_csv(path, dtype={"ticker": str}, usecols=["ticker", "year", "매출액", "자본"])
    frame = pd.DataFrame({"firm_id": raw["ticker"], "year": raw["year"], "employees": np.nan,
                          "revenue": raw["매출액"] * 1e5,  # 억원 -> 천원
                          "total_equity": raw["자본"] * 1e5})
    out = label_outcomes(frame, OutcomeRules(measure="revenue", min_employees=0, micro=False))
    stayed = out[~out["exited"]]
    rate = stayed.groupby(frame["year"])["high_growth"].mean()
    assert rate[2016] == pytest.approx(0.154, abs=0.0005)
    assert rate[2017] == pytest.approx(0.135, abs=0.0005)
    assert out.loc[frame["year"] >= 2018, "high_growth"].isna().all()  # future not observed
