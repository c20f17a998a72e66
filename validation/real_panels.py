"""The real firm panels of ``../shared/real-data/``, each mapped to the data contract.

One adapter per panel reads the files in place (never copied into the project), converts
money to the contract's unit, 천원 (KRW thousand), and returns a :class:`RealPanel`: the
firm-years under contract names (``firm_id``, ``year``, ``employees``, ``revenue`` ...), the
outcome rules the panel allows, and what a reader must know: units, caveats, and which
contract fields are absent. A panel whose folder is absent gives ``None`` and the report says
it was skipped.

=========================  ===============================  ===================================
panel                      years, firms                     units in the source -> 천원
=========================  ===============================  ===================================
``fnguide``                KOSPI + KOSDAQ, FY2016-2020      억원 (100 million won): x 100,000
``dart``                   listed filers, FY2021-2024       won: / 1,000; 백만원: x 1,000
``snmesp``                 Spanish manufacturing 1983-1990  logs of constant pesetas, scale
                                                            unknown: exp(.) x 20,000 (only
                                                            ratios and growth mean anything)
=========================  ===============================  ===================================

Example
-------
>>> from pathlib import Path
>>> panels = load_panels(Path("../shared/real-data"))          # doctest: +SKIP
>>> fn = panels["fnguide"]                                     # doctest: +SKIP
>>> fn.frame.loc[(fn.frame.firm_id == "000660") & (fn.frame.year == 2018), "revenue"].item()
...                                                            # doctest: +SKIP
40445100000.0
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ktop_index.data.contract import FIELDS
from ktop_index.growth.outcomes import OutcomeRules

#: 억원 (100 million won) in 천원 (KRW thousand): 1억원 = 100,000천원.
EOK_IN_THOUSAND = 100_000
#: 백만원 (KRW million) in 천원.
MILLION_IN_THOUSAND = 1_000
#: One won in 천원.
WON_IN_THOUSAND = 1 / 1_000
#: Scale of the Spanish panel's money (exp of a log in constant pesetas of unknown scale).
#: Chosen once so that the median pay per employee is about 35,000 천원 (the order of Korean
#: manufacturing pay) and the index's minimum denominators in 천원 (a revenue of 50,000 for a
#: ratio, 100,000 for a micro firm's revenue growth) are not failed by every firm; no result
#: depends on it beyond those thresholds, since the indicators are ratios and growth rates.
SNMESP_MONEY_SCALE = 20_000

#: The contract's field names, for the "absent fields" lists.
CONTRACT_FIELDS = [f.name for f in FIELDS
                   if f.group in ("identity", "quantitative", "financial")]


@dataclass
class RealPanel:
    """One real panel under contract names, with what a reader must know about it.

    Attributes
    ----------
    name : short key (``fnguide``, ``dart``, ``snmesp``).
    title : one line for the report.
    frame : firm-years, contract names, money in 천원; extra columns (``market``...) may
        follow the contract's.
    rules : the outcome rules the panel supports (``measure`` it has, ``min_employees``).
    source : the file read.
    units : how the source's units were converted.
    caveats : survivorship, mergers, restatements: what limits the evidence.
    mapping : contract field -> source column (with its conversion).
    absent : contract fields the panel does not have (their indicators get no weight).
    """

    name: str
    title: str
    frame: pd.DataFrame
    rules: OutcomeRules
    source: Path
    units: str
    caveats: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    absent: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        """Rows, firms and years, for the report."""
        years = self.frame["year"]
        return {"rows": len(self.frame), "firms": int(self.frame["firm_id"].nunique()),
                "years": [int(years.min()), int(years.max())]}


def _absent(frame: pd.DataFrame) -> list[str]:
    """Contract fields (identity, quantitative, financial) with no value in the frame."""
    return [name for name in CONTRACT_FIELDS
            if name not in frame or frame[name].isna().all()]


# ---------------------------------------------------------------------- FnGuide

FNGUIDE_DIR = "kr-fnguide-quantcookbook"
FNGUIDE_FILE = "kr_fnguide_fs_panel_2016_2020_wide.csv"
#: contract field -> FnGuide account (all in 억원).
FNGUIDE_ACCOUNTS = {"revenue": "매출액", "operating_profit": "영업이익",
                    "net_income": "당기순이익", "total_assets": "자산", "total_equity": "자본",
                    "rnd_expense": "연구개발비", "salaries": "인건비"}


def fnguide(root: Path, drop_financials: bool = True) -> RealPanel | None:
    """FnGuide annual statements of KOSPI and KOSDAQ firms, FY2016-2020 (None if absent).

    Money is in 억원 in the file and becomes 천원 (x 100,000): SK hynix's 2018 revenue,
    404,451 억원, is 40,445,100,000 천원. Firm key: the 6-digit ticker. Financial firms (WICS
    sector 금융) are left out by default: their 매출액 is not sales. Revenue of 0 or below is
    treated as missing (no growth from a zero base).
    """
    path = root / FNGUIDE_DIR / FNGUIDE_FILE
    if not path.is_file():
        return None
    raw = pd.read_csv(path, dtype={"ticker": "str"},
                      usecols=["ticker", "name", "market", "year", *FNGUIDE_ACCOUNTS.values()])
    firms = pd.read_csv(root / FNGUIDE_DIR / "firms.csv", dtype={"ticker": "str"},
                        usecols=["ticker", "wics_sector"])
    raw = raw.merge(firms.drop_duplicates("ticker"), on="ticker", how="left")
    if drop_financials:
        raw = raw[raw["wics_sector"].ne("금융")]
    frame = pd.DataFrame({"firm_id": raw["ticker"].to_numpy(), "firm_name": raw["name"],
                          "year": raw["year"].astype("int64")})
    for name, account in FNGUIDE_ACCOUNTS.items():
        frame[name] = raw[account].astype("float64") * EOK_IN_THOUSAND
    frame.loc[frame["revenue"] <= 0, "revenue"] = np.nan
    frame["market"] = raw["market"].to_numpy()
    frame = frame.sort_values(["firm_id", "year"], kind="stable").reset_index(drop=True)
    return RealPanel(
        name="fnguide",
        title="Korean listed firms' statements (FnGuide, KOSPI + KOSDAQ, FY2016-2020)",
        frame=frame,
        # no employee counts: revenue growth, without the size condition
        rules=OutcomeRules(measure="revenue", min_employees=0),
        source=path,
        units="억원 in the file; x 100,000 to 천원 (SK hynix 2018 revenue 404,451 억원 = "
              "40,445,100,000 천원)",
        caveats=[
            ("survivorship: each snapshot holds the firms listed on its date; firms delisted "
            "before 2019-07 are absent and those delisted later drop out (counted as exits)"),
            ("consolidated statements where the firm has them, separate otherwise, with no "
            "flag; 318 of 10,117 overlapping firm-years were restated between snapshots "
            "(the latest snapshot's figure is kept)"),
            ("연구개발비 is only the R&D shown inside SG&A (none booked in cost of sales, none "
            "capitalised); 인건비 is SG&A personnel expense only"),
            "a 3-year future is known for base years 2016 and 2017 only",
            "financial firms (WICS 금융) left out: their 매출액 is not sales",
        ],
        mapping={k: f"{v} x 100,000" for k, v in FNGUIDE_ACCOUNTS.items()}
        | {"firm_id": "ticker", "firm_name": "name", "year": "year"},
        absent=_absent(frame),
    )


# ---------------------------------------------------------------------- DART

DART_DIR = "kr-dart-employees-dartlab"
DART_FILE = "kr_dart_panel_2019_2025.csv"
#: The fiscal years kept: those with head counts for most filers.
DART_YEARS = (2021, 2024)


def dart(root: Path) -> RealPanel | None:
    """DART employee status of listed filers joined with net income, FY2019-2025 (None if
    absent).

    Employees are head counts (sm); pay (salary_total) is in won (/ 1,000 to 천원); net
    income ``ni`` is in 백만원 (x 1,000). Firm key: the DART
    corp_code. Samsung Electronics: 113,485 employees in FY2021. R&D staff is the sum of
    divisions whose name contains 연구/개발/R&D, a partial proxy kept only where the firm
    reports such a division.
    """
    path = root / DART_DIR / DART_FILE
    if not path.is_file():
        return None
    raw = pd.read_csv(path, dtype={"corp_code": "str", "stock_code": "str"})
    # head counts exist for FY2021-2024 only (FY2019-2020 rows carry net income alone, and
    # FY2025 had 13 filers when the snapshot was taken: too few for a base year)
    raw = raw[raw["year"].between(*DART_YEARS)]
    frame = pd.DataFrame({"firm_id": raw["corp_code"].to_numpy(),
                          "firm_name": raw["corp_name"], "year": raw["year"].astype("int64"),
                          "employees": raw["emp"].astype("float64"),
                          "rnd_staff": raw["rd_staff"].astype("float64"),
                          "salaries": raw["salary_total"].astype("float64") * WON_IN_THOUSAND,
                          "net_income": raw["ni"].astype("float64") * MILLION_IN_THOUSAND})
    # The statements of the ~15 large caps (revenue, operating profit, assets, equity in won)
    # are left out: present in 1 % of the rows, they would count as fields the panel has and
    # leave every other firm below the index's coverage minimum.
    # R&D staff only where a research division is reported, and never above the head count
    frame.loc[frame["rnd_staff"] > frame["employees"], "rnd_staff"] = np.nan
    frame["market"] = raw["market"].to_numpy()
    frame["listing_year"] = raw["listing_year"].astype("float64")
    frame = frame.sort_values(["firm_id", "year"], kind="stable").reset_index(drop=True)
    return RealPanel(
        name="dart",
        title="Korean listed firms' employees, pay and net income (DART, FY2021-2024)",
        frame=frame,
        # employees only for most firms: employee growth, standard 10-employee scope
        rules=OutcomeRules(measure="employees"),
        source=path,
        units="head counts as filed; pay in won (/ 1,000); net income in 백만원 (x 1,000)",
        caveats=[
            ("employees are known for FY2021-2024 only: one 3-year cohort (2021 -> 2024); "
            "FY2019-2020 (net income only) and FY2025 (13 filers) are left out"),
            ("a cross-section of the firms listed in 2021-2025: firms delisted before the "
            "snapshot are missing (survivorship), so exits are rare"),
            "some of the fastest growers are mergers, not organic growth",
            ("head counts sum the division x gender rows by a heuristic; R&D staff (divisions "
            "named 연구/개발/R&D) is a partial proxy for 1,277 firm-years"),
            ("revenue and equity exist only for about 15 large caps and are left out: no "
            "sustainable-growth label, no revenue growth"),
            "the listing year is not the founding year: no firm age",
        ],
        mapping={"firm_id": "corp_code", "firm_name": "corp_name", "year": "year",
                 "employees": "emp", "rnd_staff": "rd_staff (partial proxy)",
                 "salaries": "salary_total / 1,000", "net_income": "ni x 1,000"},
        absent=_absent(frame),
    )


# ---------------------------------------------------------------------- Spain

SNMESP_DIR = "es-snmesp-manufacturing"
SNMESP_FILE = "snmesp_1983_1990.csv"


def snmesp(root: Path) -> RealPanel | None:
    """Spanish manufacturing firms 1983-1990 (plm's Snmesp; None if absent).

    The source's columns are logs: employees = round(exp(n)); revenue = exp(y) (real output
    as a revenue proxy); salaries = exp(w) x employees (w: log wage per employee);
    total_assets = exp(k) (real capital stock as an asset proxy); money scaled by
    :data:`SNMESP_MONEY_SCALE`.
    """
    path = root / SNMESP_DIR / SNMESP_FILE
    if not path.is_file():
        return None
    raw = pd.read_csv(path)
    employees = np.round(np.exp(raw["n"].to_numpy(dtype=float)))
    frame = pd.DataFrame({
        "firm_id": raw["firm"].map(lambda v: f"ES{int(v):04d}"),
        "year": raw["year"].astype("int64"),
        "employees": employees,
        "revenue": np.exp(raw["y"].to_numpy(dtype=float)) * SNMESP_MONEY_SCALE,
        "salaries": np.exp(raw["w"].to_numpy(dtype=float)) * employees * SNMESP_MONEY_SCALE,
        "total_assets": np.exp(raw["k"].to_numpy(dtype=float)) * SNMESP_MONEY_SCALE,
    })
    frame = frame.sort_values(["firm_id", "year"], kind="stable").reset_index(drop=True)
    return RealPanel(
        name="snmesp",
        title="Spanish manufacturing firms (Alonso-Borrego & Arellano 1999, plm Snmesp, "
              "1983-1990)",
        frame=frame,
        rules=OutcomeRules(measure="employees"),
        source=path,
        units=f"logs of constant pesetas of unknown scale: exp(.) x {SNMESP_MONEY_SCALE:,}; "
              "only ratios and growth rates mean anything",
        caveats=[
            ("a balanced panel: only firms observed in all 8 years, so no exits and strong "
            "survivorship (the fastest growers that were bought and the failures are absent)"),
            ("every firm has at least 10 employees; revenue is real output, assets the real "
            "capital stock"),
            "positives are rare (about 2-4 % of firm-years), so intervals are wide",
            "no R&D, patents, certifications, equity, founding year or industry code",
        ],
        mapping={"firm_id": "firm", "year": "year", "employees": "round(exp(n))",
                 "revenue": f"exp(y) x {SNMESP_MONEY_SCALE:,}",
                 "salaries": f"exp(w) x employees x {SNMESP_MONEY_SCALE:,}",
                 "total_assets": f"exp(k) x {SNMESP_MONEY_SCALE:,}"},
        absent=_absent(frame),
    )


ADAPTERS = {"fnguide": fnguide, "dart": dart, "snmesp": snmesp}


def load_panels(root: Path) -> dict[str, RealPanel | None]:
    """Every panel by name; None where its folder or file is absent under ``root``."""
    root = Path(root)
    return {name: adapter(root) for name, adapter in ADAPTERS.items()}
