"""Write the committee-file corpus (deterministic): score sheets as evaluators and officers send
them for the bundled Jeju applicants.

    python tests/corpus/committee/make.py

Each file is a long score sheet (사업자등록번호, 평가위원, 평가항목, 점수) on the 2025 100-point item
table for a few of the applicants in ``data/jeju_2025_applicants.csv``, with one thing done to
it: an item skipped, a cell left empty, a name typed two ways, a total out of 150, a firm with
fewer evaluators, a firm that did not apply, points Excel or a person wrote as text. The cases
and the answers are in cases.csv.
"""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import Workbook

from ktop_index.data.io import pin_xlsx_times

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[2] / "data"
HEADER = ["사업자등록번호", "평가위원", "평가항목", "점수"]
ITEMS = [("diagnosis", 5), ("need", 10), ("feasibility", 15), ("budget", 10),
         ("objectives", 10), ("growth_strategy", 15), ("programs", 15), ("sales_jobs", 10),
         ("spillover", 10)]  # ktop_index/reference/committee_2025.csv
EVALUATORS = ["위원A", "위원B", "위원C", "위원D", "위원E"]
NOT_APPLICANT = "124-81-00998"  # a valid business number no Jeju applicant has


def applicants() -> list[str]:
    """The business numbers of the bundled applicants, in file order."""
    with open(DATA / "jeju_2025_applicants.csv", encoding="cp949", newline="") as handle:
        return list(dict.fromkeys(row["사업자등록번호"] for row in csv.DictReader(handle)))


BRNS = applicants()


def sheet(firms=5, evaluators=EVALUATORS, share=0.7) -> list[list]:
    """Complete sheets: every evaluator gives each of the first ``firms`` applicants ``share``
    of each item's maximum (half points), so totals are about 70."""
    return [[brn, who, item, round(2 * share * top) / 2]
            for brn in BRNS[:firms] for who in evaluators for item, top in ITEMS]


def write_csv(name: str, rows: list[list], header=HEADER) -> None:
    with open(HERE / name, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_xlsx(name: str, rows: list[list]) -> None:
    book = Workbook()
    sheet_ = book.active
    sheet_.append(HEADER)
    for row in rows:
        sheet_.append(row)
    book.save(HERE / name)
    pin_xlsx_times(str(HERE / name))  # the same bytes on every run


def where(rows, brn=None, who=None, item=None):
    """Positions of the rows of a firm, evaluator and item (None: any)."""
    return [k for k, r in enumerate(rows) if (brn is None or r[0] == brn)
            and (who is None or r[1] == who) and (item is None or r[2] == item)]


def main() -> None:
    rows = sheet()
    skip = set(where(rows, BRNS[0], "위원C", "need") + where(rows, BRNS[0], "위원C", "programs"))
    skipped = [r for k, r in enumerate(rows) if k not in skip]
    write_csv("skipped_items.csv", skipped)
    write_csv("skipped_items_partial.csv", skipped)

    rows = sheet()
    rows[where(rows, BRNS[1], "위원B", "budget")[0]][3] = ""
    write_csv("blank_points.csv", rows)

    rows = sheet()
    for k in where(rows, who="위원A"):
        rows[k][1] = "위원 A" if rows[k][0] == BRNS[0] else "위원A"
    write_csv("spellings_merged.csv", rows)

    rows = sheet()
    rows[where(rows, BRNS[2], "위원A", "need")[0]] = [BRNS[2], "위원A", "need", 5]
    rows.append([BRNS[2], "위원 a", "need", 6])  # the same evaluator, typed again
    write_csv("spellings_duplicate.csv", rows)

    write_csv("totals_150.csv", [[brn, who, "total", 150 if who == "위원A" else 75]
                                 for brn in BRNS[:5] for who in EVALUATORS])
    write_csv("totals_without_item_column.csv",
              [[brn, who, 70] for brn in BRNS[:5] for who in EVALUATORS],
              header=["사업자등록번호", "평가위원", "점수"])
    write_csv("points_column_missing.csv", [r[:3] for r in sheet()], header=HEADER[:3])

    rows = sheet()
    rows[where(rows, BRNS[0], "위원D", "need")[0]][3] = 15
    write_csv("item_above_max.csv", rows)

    rows = [r for r in sheet() if not (r[0] == BRNS[3] and r[1] in ("위원D", "위원E"))]
    write_csv("few_evaluators.csv", rows)

    rows = sheet(4) + [[NOT_APPLICANT, who, item, top / 2] for who in EVALUATORS
                       for item, top in ITEMS]
    write_csv("not_an_applicant.csv", rows)

    write_csv("five_firms.csv", sheet())
    write_csv("five_firms_partial.csv", sheet())

    rows = sheet()
    rows[3][3], rows[4][3] = "inf", "1e400"
    write_csv("points_inf.csv", rows)

    rows = sheet()
    rows[5][3] = "nan"  # text in an XLSX cell (a CSV reader would take it for empty)
    write_xlsx("points_nan_text.xlsx", rows)

    rows = sheet()
    rows[1][3] = "8,5"
    write_csv("points_comma.csv", rows)

    rows = sheet()
    rows[2][3] = -2
    write_csv("points_negative.csv", rows)

    rows = sheet()
    rows[1][2] = "사업 필요성"  # the item's Korean words instead of its id
    write_csv("unknown_item.csv", rows)

    rows = sheet()
    rows[0][0] = BRNS[0][:-1] + str((int(BRNS[0][-1]) + 1) % 10)
    write_csv("bad_business_number.csv", rows)


if __name__ == "__main__":
    main()
