"""The audit record of a selection: what was decided, from what, by which rules and model.

:func:`build_audit` gathers it from the decided table: the call (its file's sha256), the
input (the file's sha256 and name when the decision came from a file, and always the hash of
the data's values), the model (its version and THE model hash, ``TechIndex.sha256``: the
sha256 of the model file's canonical bytes, which the history store and the model card show
too), the package version, time, seed and number of robustness variants, the counts per
status, the fragile selections, the money in 천원, the scoring rule and the SME table used.
``audit.json`` is this dict, keys sorted, plus ``output_sha256``: the sha256 of every other
file of the folder, added when the folder is written
(:func:`ktop_index.report.outputs.write_selection`), so :func:`check_outputs` tells an
edited ``selection.csv`` from the one the decision wrote.

Example
-------
>>> from ktop_index.selection.decide import select                      # doctest: +SKIP
>>> select(firms, "jeju_2025").audit["model_sha256"][:7]              # doctest: +SKIP
'1fc4180'
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from ktop_index import __version__
from ktop_index._files import sha256_file
from ktop_index.errors import DataError
from ktop_index.index.techindex import TechIndex, data_hash
from ktop_index.selection.calls import Call
from ktop_index.selection.eligibility import sme_table_column

STATUSES = ("selected", "waitlist", "not_selected", "ineligible")
ROUNDING = ("integer won; self-burden and national share rounded down to the won; "
            "local share = support - national share")


def build_audit(call: Call, model: TechIndex, data: pd.DataFrame, table: pd.DataFrame, *,
                seed: int, variants: int, optimal_mode: bool, has_committee: bool,
                weights: dict, differences: pd.DataFrame | None = None,
                input_sha256: str | None = None, input_file: str | None = None,
                created: str | None = None, committee: dict | None = None) -> dict:
    """The audit record of one decision.

    Parameters
    ----------
    call, model : the call and the fitted model decided with.
    data : the applicants' validated rows (all fiscal years), hashed as values.
    table : the decided table (:attr:`Selection.table`).
    seed, variants : the robustness seed and number of variants.
    optimal_mode, has_committee : the mode, and whether committee scores were given.
    weights : ``tech_index_use``, ``tech_weight`` and ``committee_weight`` as applied
        (re-normalised over the parts present).
    differences : in optimal mode, the firms optimal and rank order disagree on.
    input_sha256, input_file : the applicants file's sha256 and base name (recorded only
        when the decision came from a file).
    created : the time stamp (UTC ISO); now when None.
    committee : what the committee check found (rows, firms, evaluators, items, the total's
        maximum, merged evaluator spellings, whether totals were trimmed), recorded as
        ``committee``; its ``partial`` (what ``allow_partial`` let through: incomplete
        scores left out, firms with fewer evaluators, eligible firms without scores) is
        recorded at the top, as ``partial``, so no reader of the audit can miss it.
    """
    status = table["status"].value_counts()
    audit = {
        "call": call.name, "call_title": call.title,
        "call_reference_date": call.reference_date.isoformat(),
        "call_file": Path(call.source).name, "call_file_sha256": call.sha256,
        "input_sha256": input_sha256, "input_data_sha256": data_hash(data),
        "model_version": f"{model.spec_['name']} {model.spec_['spec_version']}, reference "
                         f"year {model.reference_['year']}",
        "model_sha256": model.sha256, "package_version": __version__,
        "created": created or _now(), "seed": seed, "variants": variants,
        "mode": "optimal" if optimal_mode else "rank",
        "applicants": len(table), "counts": {s: int(status.get(s, 0)) for s in STATUSES},
        "fragile": table.loc[table["robustness"] == "fragile", "brn"].tolist(),
        "often_selected": table.loc[table["robustness"] == "often_selected", "brn"].tolist(),
        "money_krw_thousand": _money(call, table),
        "score": {**weights, "committee": has_committee,
                  "committee_trim_from_evaluators":
                      call.scoring.committee_min_evaluators_for_trim,
                  "tie_break": list(call.scoring.tie_break)
                  + ([] if "brn" in call.scoring.tie_break else ["brn"])},
        "sme_table": sme_table_column(call.reference_date),
        "rounding": ROUNDING,
    }
    if input_file is not None:
        audit["input_file"] = input_file
    if committee is not None:
        audit["committee"] = {k: v for k, v in committee.items() if k != "partial"}
        if "partial" in committee:
            audit["partial"] = committee["partial"]
    if differences is not None:
        audit["optimal"] = _optimal_summary(table, differences)
    return audit


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _money(call: Call, table: pd.DataFrame) -> dict:
    """The call's budget and cap, and the sums over the selected firms, in 천원."""
    selected = table.loc[table["status"] == "selected"]
    support = float(selected["support"].sum())
    return {"budget": call.money.budget, "cap": call.money.cap,
            "support": round(support, 3),
            "national_share": round(float(selected["national_share"].sum()), 3),
            "local_share": round(float(selected["local_share"].sum()), 3),
            "self_burden": round(float(selected["self_burden"].sum()), 3),
            "remaining": round(call.money.budget - support, 3)}


def _optimal_summary(table: pd.DataFrame, differences: pd.DataFrame) -> dict:
    """How the optimal choice differs from rank order: firms, total score, who changed."""
    chosen = table["status"] == "selected"
    by_rank = table["selected_by_rank"]
    return {
        "firms_optimal": int(chosen.sum()), "firms_by_rank": int(by_rank.sum()),
        "score_optimal": round(float(table.loc[chosen, "selection_score"].sum()), 4),
        "score_by_rank": round(float(table.loc[by_rank, "selection_score"].sum()), 4),
        "added": differences.loc[~differences["selected_by_rank"], "brn"].tolist(),
        "dropped": differences.loc[differences["selected_by_rank"], "brn"].tolist(),
    }


#: The audit key holding the sha256 of each output file of the folder, by file name.
OUTPUT_HASHES = "output_sha256"


def output_hashes(folder: Path, names) -> dict[str, str]:
    """``{name: sha256}`` of the named files of ``folder`` (written, not yet audited)."""
    return {name: sha256_file(Path(folder) / name) for name in sorted(names)}


def check_outputs(folder: str | Path, audit: dict) -> None:
    """Raise :class:`~ktop_index.errors.DataError` when a file of a selection folder is not
    the one its audit records (edited, replaced or missing), naming each such file.

    Folders written before the audit carried the hashes (no ``output_sha256``) pass as they
    are: there is nothing to check them against.

    >>> check_outputs("out/jeju_2025", {"output_sha256": {}})          # doctest: +SKIP
    """
    folder = Path(folder)
    problems, problems_ko = [], []
    for name, expected in sorted(audit.get(OUTPUT_HASHES, {}).items()):
        path = folder / name
        if not path.exists():
            problems.append(f"{path}: missing (the audit records it)")
            problems_ko.append(f"{path}: 없습니다 (감사 기록에는 있음)")
        elif (found := sha256_file(path)) != expected:
            problems.append(f"{path}: changed since `ktop select` wrote it (sha256 "
                            f"{found[:12]}…, the audit records {expected[:12]}…)")
            problems_ko.append(f"{path}: `ktop select`가 쓴 뒤 바뀌었습니다 (sha256 "
                               f"{found[:12]}…, 감사 기록은 {expected[:12]}…)")
    if problems:
        raise DataError("; ".join(problems) + " — re-run the selection or restore the files; "
                        "an edited decision is not read as the committee's",
                        ko="; ".join(problems_ko) + " — 선정을 다시 실행하거나 파일을 되돌리십시오; "
                           "수정된 결정은 위원회의 결정으로 읽지 않습니다")
