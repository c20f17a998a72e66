"""Rebuild every bundled data file in data/ from the synthetic generator (deterministic).

    python data/build.py

Writes:
- sample_panel.parquet, sample_truth.parquet: 2,000 synthetic firms, 2014-2024 (seed 0);
- jeju_2025_applicants.xlsx and .csv (CP949), sejong_2025_applicants.xlsx: applicants of the
  2025 calls, Korean headers, money in 천원; *_key.csv says which applicants a careful officer
  screens out, and why (the answer key for tests; not part of an applicants file);
- examples/applicants_with_errors.csv (CP949): the Jeju file with deliberate mistakes, to show
  what `ktop validate` reports.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ktop_index.data.contract import FIELD_BY_NAME, header_for
from ktop_index.data.io import write_table
from ktop_index.synth import generate, make_applicants

HERE = Path(__file__).resolve().parent


def korean(frame: pd.DataFrame) -> pd.DataFrame:
    """Contract columns under their Korean labels (money with its unit, 천원)."""
    return frame.rename(columns={c: header_for(c, "ko", with_unit=True)
                                 for c in frame.columns if c in FIELD_BY_NAME})


def applicants(call: str, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The applicants file (Korean headers) and its answer key."""
    frame = make_applicants(call=call, n=150 if call == "jeju_2025" else 60, seed=seed)
    key = frame[["brn", "firm_name", "_synthetic_note"]].rename(
        columns={"_synthetic_note": "expected"})
    # the address is the applicant's 소재지 (the region field accepts an address)
    frame = frame.drop(columns=["_synthetic_note", "region", "firm_id"]).rename(
        columns={"address": "region"})
    columns = [c for c in FIELD_BY_NAME if c in frame.columns]
    return korean(frame[columns]), key


def with_errors(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of an applicants file with one deliberate mistake in each of several rows."""
    bad = frame.head(12).astype(object).copy()
    brn, staff, employees = "사업자등록번호", "연구개발인력", "상시근로자 수"
    bad.loc[0, brn] = bad.loc[0, brn][:-1] + str((int(bad.loc[0, brn][-1]) + 1) % 10)
    bad.loc[1, staff] = int(bad.loc[1, employees]) + 3
    bad.loc[2, "설립연도"] = 2026
    bad.loc[3, "매출액(천원)"] = "1,2OO,000"  # letter O for zero
    bad.loc[4, "매출액(천원)"] = -5000
    bad.loc[5, "연구조직"] = 3
    bad.loc[6, "등록 특허 수"] = 1.5
    bad.loc[7, "참여의향서"] = "제출예정"
    bad.loc[8, brn] = bad.loc[9, brn]  # the same firm twice in one year
    bad.loc[10, "업종코드"] = "Z99"
    return bad.rename(columns={"수출액(천원)": "수출액"})  # a money header without its unit


def main() -> None:
    synthetic = generate(n_firms=2000, years=(2014, 2024), seed=0)
    write_table(synthetic.panel, HERE / "sample_panel.parquet")
    write_table(synthetic.truth, HERE / "sample_truth.parquet")
    jeju, jeju_key = applicants("jeju_2025", seed=2025)
    write_table(jeju, HERE / "jeju_2025_applicants.xlsx", sheet_name="신청기업")
    write_table(jeju, HERE / "jeju_2025_applicants.csv", encoding="cp949")
    write_table(jeju_key, HERE / "jeju_2025_applicants_key.csv")
    sejong, sejong_key = applicants("sejong_2025", seed=2026)
    write_table(sejong, HERE / "sejong_2025_applicants.xlsx", sheet_name="신청기업")
    write_table(sejong_key, HERE / "sejong_2025_applicants_key.csv")
    write_table(with_errors(jeju), HERE / "examples" / "applicants_with_errors.csv",
                encoding="cp949")


if __name__ == "__main__":
    main()
