"""The outputs of a selection, where the decision meets a person: the folder of files and the
short summary ``ktop select`` prints.

:func:`write_selection` writes ``selection.csv`` (UTF-8 with BOM), ``selection.xlsx``
(:mod:`ktop_index.report.excel`), ``audit.json`` (keys sorted, one-space indents) and, with
committee scores, ``committee_evaluators.csv`` into a folder, as a whole: the files are
staged in a hidden folder beside it, which then takes the folder's place in one step, so a
failure or a kill leaves the last good round as it was (and never one round's CSV beside
another's audit). A folder holding anything else than a round's files (:data:`OWNED`) is
refused: it is a person's folder. The
same :class:`~ktop_index.selection.decide.Selection` always gives the same bytes.
:func:`summary_lines` is the summary in English or Korean (the templates are
:data:`ktop_index.labels.SELECTION_SUMMARY`).

Example
-------
>>> from ktop_index.selection.decide import select_file                  # doctest: +SKIP
>>> result = select_file("data/jeju_2025_applicants.xlsx", "jeju_2025")  # doctest: +SKIP
>>> paths = write_selection(result, "out/jeju_2025", lang="ko")          # doctest: +SKIP
>>> print("\\n".join(summary_lines(result, "ko")))                       # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

from ktop_index._files import atomic_folder, write_text
from ktop_index.data.io import write_table
from ktop_index.data.mask import RULE, mask_frame, mask_record, personal_columns
from ktop_index.errors import UsageError
from ktop_index.labels import SELECTION_SUMMARY
from ktop_index.report.excel import write_selection_xlsx
from ktop_index.selection.audit import OUTPUT_HASHES, output_hashes
from ktop_index.selection.decide import Selection

FILES = {"csv": "selection.csv", "xlsx": "selection.xlsx", "audit": "audit.json",
         "evaluators": "committee_evaluators.csv"}
#: What a selection folder may hold to be replaced by a new round: its files and the reports
#: ``ktop report selection`` writes into it (they describe the round they sit beside).
OWNED = (*FILES.values(), "report.html", "report_ko.html", "report_masked.html",
         "report_masked_ko.html")
#: The audit key that marks a copy masked for sharing (:func:`mask_selection`).
MASKED = "masked"


def audit_text(audit: dict) -> str:
    """``audit.json``'s text: keys sorted, one-space indents, non-ASCII kept, a final newline.

    >>> audit_text({"seed": 1, "call": "제주"})
    '{\\n "call": "제주",\\n "seed": 1\\n}\\n'
    """
    return json.dumps(audit, ensure_ascii=False, indent=1, sort_keys=True, allow_nan=False,
                      default=str) + "\n"


def write_selection(selection: Selection, outdir: str | os.PathLike,
                    lang: str = "en") -> dict[str, Path]:
    """Write the selection's files into ``outdir`` as a whole (see the module's docstring).

    Parameters
    ----------
    selection : the decision (:func:`~ktop_index.selection.decide.select` or
        :func:`~ktop_index.selection.decide.select_file`).
    outdir : the folder, created if needed; an earlier round in it is replaced as a whole
        (its reports too); a folder holding other files is refused (``InputError``).
    lang : 'ko' for Korean headers and words in the CSV and XLSX, 'en' for English.

    Returns
    -------
    The paths written, by name: ``csv``, ``xlsx``, ``audit`` (and ``evaluators``).
    """
    if lang not in ("en", "ko"):
        raise UsageError(f"lang must be 'en' or 'ko', got {lang!r}")
    out = Path(outdir)
    names = {k: v for k, v in FILES.items()
             if k != "evaluators" or selection.evaluators is not None}
    table = selection.labelled(lang)
    with atomic_folder(out, owned=OWNED) as staging:
        write_table(table, staging / names["csv"])
        write_selection_xlsx(table, staging / names["xlsx"], lang=lang, audit=selection.audit)
        if selection.evaluators is not None:
            write_table(selection.evaluators, staging / names["evaluators"])
        written = [name for key, name in names.items() if key != "audit"]
        audit = {**selection.audit, OUTPUT_HASHES: output_hashes(staging, written)}
        write_text(staging / names["audit"], audit_text(audit))
    return {k: out / name for k, name in names.items()}


def mask_selection(selection: Selection) -> Selection:
    """The decision as shared outside the committee: business numbers, people's names
    (evaluators), phones, e-mail and addresses masked (:mod:`ktop_index.data.mask`) in the
    table, the evaluators' table and the audit's lists; the ranking, statuses and money
    untouched. The audit records it (``masked``: the columns and the rule), and ``ktop track
    import`` refuses such a folder: it is not the record.

    >>> masked = mask_selection(result)                                   # doctest: +SKIP
    >>> masked.table["brn"].iat[0], masked.audit["masked"]["columns"]["brn"]  # doctest: +SKIP
    ('866-49-*****', 'brn')
    """
    frames = {name: getattr(selection, name) for name in ("table", "evaluators", "differences")}
    columns: dict[str, str] = {}
    for frame in frames.values():
        columns |= personal_columns(frame) if frame is not None else {}
    audit = {**mask_record(selection.audit), MASKED: {"columns": dict(sorted(columns.items())),
                                                      "rule": RULE}}
    return dataclasses.replace(
        selection, audit=audit,
        **{name: None if frame is None else mask_frame(frame) for name, frame in frames.items()})


def summary_lines(selection: Selection, lang: str = "en") -> list[str]:
    """A short readable summary: counts per status, money, fragile selections, and in
    optimal mode how the choice differs from rank order.

    Parameters
    ----------
    selection : the decision.
    lang : 'ko' or 'en'.

    Returns
    -------
    Lines of text (a line may hold line breaks: the fragile firms under their count).
    """
    k = 1 if lang == "ko" else 0
    text = {key: pair[k] for key, pair in SELECTION_SUMMARY.items()}
    a = selection.audit
    lines = [text["counts"].format(title=a["call_title"], applicants=a["applicants"],
                                   **a["counts"]),
             text["money"].format(**a["money_krw_thousand"])]
    if a["variants"]:
        lines.append(_robustness_line(selection, text))
    if not a["score"]["committee"] and a["score"]["tech_index_use"] == "weight":
        lines.append(text["no_committee"])
    if "partial" in a:
        lines.append(partial_line(a, lang))
    if "optimal" in a:
        o = a["optimal"]
        lines.append(text["optimal"].format(added=len(o["added"]), dropped=len(o["dropped"]),
                                            by_rank=o["score_by_rank"],
                                            optimal=o["score_optimal"]))
        lines += [text["difference"].format(sign="-" if row.selected_by_rank else "+",
                                            firm_name=row.firm_name, brn=row.brn,
                                            rank=row.rank, requested=row.requested)
                  for row in selection.differences.itertuples()]
    return lines


def partial_line(audit: dict, lang: str = "en") -> str | None:
    """The line saying what ``--allow-partial`` let through (audit.json ``partial``), or None
    when nothing was: the summary and the HTML report both show it.

    >>> partial_line({"partial": {"without_scores": ["124-81-00998"], "left_out": {},
    ...               "fewer": {}, "size": 5}, "committee": {"trimmed": True},
    ...               "score": {"committee_trim_from_evaluators": 5}})[:60]
    'partial committee scores allowed (--allow-partial): 1 eligib'
    """
    partial = audit.get("partial")
    if not partial:
        return None
    k = 1 if lang == "ko" else 0
    trim = audit["score"]["committee_trim_from_evaluators"]
    untrimmed = (SELECTION_SUMMARY["untrimmed"][k].format(trim=trim)
                 if trim and partial["size"] >= trim and not audit["committee"]["trimmed"]
                 else "")
    return SELECTION_SUMMARY["partial"][k].format(
        missing=len(partial["without_scores"]), left_out=len(partial["left_out"]),
        fewer=len(partial["fewer"]), size=partial["size"], untrimmed=untrimmed)


def _robustness_line(selection: Selection, text: dict[str, str]) -> str:
    """The fragile selections (each named) and the count of often selected ones."""
    table = selection.table
    fragile = table[table["robustness"] == "fragile"]
    often = int((table["robustness"] == "often_selected").sum())
    return (text["robustness"].format(variants=selection.audit["variants"],
                                      fragile=len(fragile))
            + "".join(text["fragile_firm"].format(firm_name=r.firm_name, brn=r.brn,
                                                  probability=r.selection_probability)
                      for r in fragile.itertuples())
            + text["often"].format(often=often))
