"""Write the privacy corpus files (deterministic): copies masked for sharing outside the
committee, which must never be taken for the record, and purges asked for wrongly.

    python tests/corpus/privacy/make.py

- ``masked_selection/``: ``ktop select --mask`` of the bundled Jeju applicants (no variants);
- ``masked_scores.csv``, ``masked_scores_ko.csv``: ``ktop score --mask`` of five applicants,
  with English and with Korean headers;
- ``applicants5.csv``: those five applicants (unmasked), for the report and purge cases.

The cases and the answers are in cases.csv.
"""

from __future__ import annotations

import contextlib
import io
import shutil
from pathlib import Path

from ktop_index.cli import main
from ktop_index.data.io import read_table, write_table

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[2] / "data"


def ktop(*args: str) -> None:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = main(list(args))
    if code != 0:
        raise SystemExit(f"ktop {' '.join(args)} failed ({code})")


def make() -> None:
    applicants = read_table(DATA / "jeju_2025_applicants.csv").frame.head(5)
    write_table(applicants, HERE / "applicants5.csv")
    shutil.rmtree(HERE / "masked_selection", ignore_errors=True)
    ktop("select", str(DATA / "jeju_2025_applicants.csv"), "--call", "jeju_2025",
         "--variants", "0", "--created", "2025-01-01T00:00:00Z", "--mask",
         "-o", str(HERE / "masked_selection"))
    ktop("score", str(HERE / "applicants5.csv"), "-o", str(HERE / "masked_scores.csv"),
         "--mask")
    ktop("score", str(HERE / "applicants5.csv"), "-o", str(HERE / "masked_scores_ko.csv"),
         "--mask", "--lang", "ko")


if __name__ == "__main__":
    make()
