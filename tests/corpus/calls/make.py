"""Write the call-file corpus (deterministic): the bundled Jeju call as an officer might edit it.

    python tests/corpus/calls/make.py

Each file is ``data/calls/jeju_2025.toml`` with one edit (or a file built to break the TOML
reader): money that is not whole 천원 or beyond any budget, counts past their limits, a
reference date the SME tables do not cover, both weights 0, numbers typed the Korean way,
nesting bombs, another encoding. The cases and the answers are in cases.csv.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
JEJU = (HERE.parents[2] / "data" / "calls" / "jeju_2025.toml").read_text(encoding="utf-8")


def edited(name: str, old: str, new: str) -> None:
    """The Jeju call with ``old`` (a whole line's start) replaced by ``new``."""
    assert JEJU.count(old) == 1, old
    (HERE / name).write_bytes(JEJU.replace(old, new).encode("utf-8"))


def main() -> None:
    edited("budget_1e30.toml", "budget = 600_000", "budget = 1e30")
    edited("budget_cap_tiny.toml", "budget = 600_000\ncap = 50_000 ",
           "budget = 0.0001\ncap = 0.0001 ")
    edited("budget_fraction.toml", "budget = 600_000", "budget = 600_000.5")
    edited("budget_comma.toml", "budget = 600_000", "budget = 600,000")
    edited("budget_text.toml", "budget = 600_000", 'budget = "6억원"')
    edited("budget_below_cap.toml", "budget = 600_000", "budget = 40_000")
    edited("budget_inf.toml", "budget = 600_000", "budget = inf")
    edited("variants_1e9.toml", "variants = 1000", "variants = 1_000_000_000")
    edited("variants_float.toml", "variants = 1000", "variants = 1e9")
    edited("waitlist_huge.toml", "waitlist = 5 ", "waitlist = 1_000_000 ")
    edited("reference_date_typo.toml", "reference_date = 2025-03-01",
           "reference_date = 2205-03-01")
    edited("reference_date_old.toml", "reference_date = 2025-03-01",
           "reference_date = 2014-03-01")
    edited("weights_zero.toml", "tech_weight = 0.3 ", "tech_weight = 0 ")
    (HERE / "weights_zero.toml").write_text(
        (HERE / "weights_zero.toml").read_text(encoding="utf-8").replace(
            "committee_weight = 0.7 ", "committee_weight = 0.0 "), encoding="utf-8")
    edited("concentration_inf.toml", "concentration = 40", "concentration = inf")
    edited("weight_inf.toml", "tech_weight = 0.3 ", "tech_weight = inf ")
    edited("grade_bonus_nested.toml", 'tech_index_use = "weight"',
           'tech_index_use = "bonus"\ngrade_bonus = { AAA = { points = 5 } }')
    (HERE / "nested_arrays_bomb.toml").write_text(
        "[call]\nname = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    (HERE / "dotted_tables_bomb.toml").write_text(
        "[money." + ".".join(["budget"] * 20_000) + "]\n", encoding="utf-8")
    (HERE / "cp949.toml").write_bytes(JEJU.encode("cp949", errors="replace"))


if __name__ == "__main__":
    main()
