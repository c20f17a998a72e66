"""One-file HTML reports: a selection round, and a firm's report card.

Each report is a single HTML file that can be mailed or archived: inline CSS, pictures
embedded as base64 PNG, no script, no link to anything outside the file (it opens offline and
looks the same in ten years). Same inputs give the same bytes: the times inside are the
audit's ``created`` and an explicit "generated" line, which ``generated_at`` pins; both are
shown in Korean time (KST).

- :func:`report_selection` reads the output folder of ``ktop select`` (``selection.csv`` and
  ``audit.json``) and shows the call's title, the counts, the money split and what is left,
  how the selection score is built (with a worked example), the pictures, the ranked table
  (domain scores, strengths, why each firm below the cut got nothing), the ineligible
  applicants with their reasons, the robustness findings and the audit record as a table
  (the lines come from :mod:`ktop_index.report.reading`).
- :func:`report_firm` shows one firm's Tech-Index, grade, domain scores against its industry,
  the reasons (domain contributions, strengths and weaknesses), its trajectory, and what would
  raise its index most — computed by re-scoring the firm with one indicator moved to its
  industry peers' median (or 10 points up where it is already above), through the model's
  own goalposts and weights.

Example
-------
>>> from ktop_index.report.html import report_firm, report_selection          # doctest: +SKIP
>>> report_selection("out/jeju_2025", lang="ko")                          # doctest: +SKIP
>>> report_firm("760-81-66267", "data/jeju_2025_applicants.xlsx")         # doctest: +SKIP
"""

from __future__ import annotations

import base64
import html
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from ktop_index import __version__, _files
from ktop_index.data.io import read_table
from ktop_index.data.mask import RULE as MASK_RULE
from ktop_index.data.mask import mask_brn, mask_frame, mask_record, mask_text, personal_columns
from ktop_index.errors import DataError, InputError, UsageError
from ktop_index.index.spec import DOMAINS
from ktop_index.labels import (
    PLOT_TEXT,
    PRIVACY_TEXT,
    REPORT_TEXT,
    ROBUSTNESS_KO,
    SCORE_HEADERS_BACK,
    SELECTION_COLUMNS_KO,
    SELECTION_MONEY_COLUMNS,
    STATUS_KO,
    selection_in_english,
)
from ktop_index.report import plots, reading
from ktop_index.report.outputs import MASKED, partial_line
from ktop_index.selection.audit import check_outputs

NUMERIC = ("rank", "tech_index", "committee_score", "selection_score", "rank_low",
           "rank_high", "selection_probability", "bonus_points", *DOMAINS,
           *SELECTION_MONEY_COLUMNS)

CSS = """
body{font-family:'Malgun Gothic','Apple SD Gothic Neo','Noto Sans KR',NanumGothic,sans-serif;
margin:2em auto;max-width:1280px;color:#212121;line-height:1.45;padding:0 1em}
h1{font-size:1.6em;border-bottom:2px solid #1565c0;padding-bottom:.2em}
h2{font-size:1.25em;color:#0d47a1;margin-top:1.6em}
table{border-collapse:collapse;margin:.6em 0;font-size:.9em}
th,td{border:1px solid #cfd8dc;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#e3f2fd}
td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.selected td.s{background:#c6efce}tr.waitlist td.s{background:#ffeb9c}
tr.not_selected td.s{background:#d9d9d9}tr.ineligible td.s{background:#ffc7ce}
img{max-width:100%;height:auto;display:block;margin:.6em 0}
.note{color:#546e7a;font-size:.9em}.meta{color:#546e7a}
pre{background:#f5f5f5;padding:.8em;overflow-x:auto;font-size:.85em}
.cols{display:flex;gap:2em;flex-wrap:wrap}
.wide{overflow-x:auto}.wide table{font-size:.8em}.wide td.s,.wide td.n{white-space:nowrap}
table.audit td:first-child{white-space:nowrap;color:#37474f}
"""


# ---------------------------------------------------------------------------- HTML pieces

def _e(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _page(title: str, body: list[str], lang: str) -> str:
    return ("<!DOCTYPE html>\n"
            f'<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{_e(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")


def _image(fig, alt: str) -> str:
    data = base64.b64encode(plots.png_bytes(fig)).decode("ascii")
    return f'<img alt="{_e(alt)}" src="data:image/png;base64,{data}">'


def _cell(value, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return '<td class="n"></td>'
    if isinstance(value, (bool, np.bool_)):
        return f"<td>{_e(value)}</td>"
    if isinstance(value, (int, np.integer)):
        return f'<td class="n">{int(value):,}</td>'
    if isinstance(value, (float, np.floating)):
        text = f"{value:,.0f}" if float(value).is_integer() and abs(value) >= 1000 \
            else f"{value:,.{digits}f}"
        return f'<td class="n">{text}</td>'
    return f"<td>{_e(value)}</td>"


def _table(rows: list[list], headers: list[str], classes: list[str] | None = None,
           digits: list[int] | None = None, status_col: int | None = None) -> str:
    out = ["<table>", "<tr>" + "".join(f"<th>{_e(h)}</th>" for h in headers) + "</tr>"]
    for k, row in enumerate(rows):
        css = f' class="{_e(classes[k])}"' if classes else ""
        cells = []
        for j, value in enumerate(row):
            cell = _cell(value, digits[j] if digits else 1)
            if j == status_col:
                cell = cell.replace("<td>", '<td class="s">', 1)
            cells.append(cell)
        out.append(f"<tr{css}>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def _generated(generated_at: str | None) -> str:
    """The "generated" line's time in Korean time (text that is no time as it is)."""
    if generated_at is not None:
        return reading.kst(generated_at)
    return reading.kst(datetime.now(UTC).replace(microsecond=0).isoformat())


def _write(path: Path, text: str) -> Path:
    _files.write_text(path, text)
    return path


def _check_lang(lang: str) -> dict:
    if lang not in REPORT_TEXT:
        raise UsageError(f"lang must be 'en' or 'ko', got {lang!r}")
    return REPORT_TEXT[lang]


# ---------------------------------------------------------------------------- selection report

def read_selection(outdir: str | os.PathLike) -> tuple[pd.DataFrame, dict]:
    """The selection table (English names, numbers parsed) and the audit record of OUTDIR."""
    outdir = Path(outdir)
    if not outdir.is_dir():
        raise InputError(f"{outdir}: no such folder (expected the output folder of "
                         "`ktop select`)")
    csv, audit_path = outdir / "selection.csv", outdir / "audit.json"
    for path in (csv, audit_path):
        if not path.exists():
            raise InputError(f"{path}: no such file (expected the output of `ktop select`)")
    table = selection_in_english(read_table(csv).frame)
    missing = [c for c in ("brn", "firm_name", "status", "rank") if c not in table]
    if missing:
        raise DataError(f"{csv}: missing column(s) {', '.join(missing)} (expected the "
                         "selection table of `ktop select`)")
    for column in NUMERIC:
        if column in table:
            table[column] = pd.to_numeric(table[column], errors="coerce")
    table["status"] = table["status"].astype("str")
    unknown = sorted(set(table["status"]) - set(plots.STATUS_ORDER))
    if unknown:
        raise DataError(f"{csv}: column status: unknown value(s) {', '.join(unknown)} "
                         f"(expected {', '.join(plots.STATUS_ORDER)})")
    try:
        audit = json.loads(audit_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"{audit_path}: not valid JSON (line {exc.lineno})") from None
    check_outputs(outdir, audit)
    return table, audit


def report_selection(outdir: str | os.PathLike, lang: str = "en",
                     output: str | os.PathLike | None = None,
                     generated_at: str | None = None, mask: bool = False, *,
                     applicants=None, call=None, model=None) -> Path:
    """Write the HTML report of a selection round; returns its path.

    Parameters
    ----------
    outdir : the folder ``ktop select`` wrote (``selection.csv``, ``audit.json``).
    lang : 'en' or 'ko'.
    output : the HTML file (default ``OUTDIR/report.html``, ``report_ko.html`` in Korean;
        ``report_masked.html``, ``report_masked_ko.html`` with ``mask``).
    generated_at : the time of the "generated" line (default: now), shown in Korean time
        (``2025-03-01 09:00 KST``; text that is no time is shown as it is); pin it for
        byte-identical reports.
    mask : a copy for outside the committee: personal data masked
        (:func:`ktop_index.report.outputs.mask_selection`'s rules) in every table, list and
        the audit shown, which records it (``masked``). A folder written by ``ktop select
        --mask`` is masked already and its report says so either way.
    applicants : the applicants file (or validated frame) the round was decided from: the
        ranked table then shows each firm's strengths and the NR firms' missing indicators
        (its sha256 is checked against the audit's).
    call, model : the round's call and model, when not the bundled ones the audit names
        (the score formula's weights and the index conversion come from them).
    """
    text = _check_lang(lang)
    table, audit = read_selection(outdir)
    call, model = reading.round_context(audit, call, model)
    details = (reading.firm_details(applicants, audit, model, lang)
               if applicants is not None and model is not None else None)
    table["shown_notes"] = reading.firm_notes(table, audit, call, lang)
    strengths = reading.firm_strengths(table, details)
    if strengths is not None:
        table["strengths"] = strengths
    nr_lines = reading.not_rated_lines(table, audit, call, model, details, lang)
    cut_line = reading.first_unfunded_line(table, audit, call, lang)
    if mask:
        table = mask_frame(table)
        audit = {**mask_record(audit),
                 MASKED: {"columns": personal_columns(table), "rule": MASK_RULE}}
        nr_lines = [mask_text(line) for line in nr_lines]
        cut_line = None if cut_line is None else mask_text(cut_line)
        table["shown_notes"] = table["shown_notes"].map(mask_text)
    call_id = str(audit.get("call", ""))
    title = text["sel_title"].format(call=audit.get("call_title") or call_id)
    body = [f"<h1>{_e(title)}</h1>",
            (f'<p class="meta">{_e(_words("call_id", lang))}: {_e(call_id)} · '
             f'{_e(_words("created", lang))}: {_e(reading.kst(audit.get("created")))}</p>'),
            (f'<p class="meta">{_e(text["generated"])}: {_e(_generated(generated_at))} · '
             f'{_e(text["model"])}: {_e(audit.get("model_version", ""))} · '
             f'{_e(text["package"])}: {_e(audit.get("package_version", __version__))}</p>')]
    if audit.get(MASKED):
        body.append(f'<p class="note"><b>{_e(PRIVACY_TEXT["masked"][lang == "ko"])}</b></p>')
    body += _counts_section(table, audit, text)
    if (partial := partial_line(audit, lang)) is not None:  # what --allow-partial let through
        body.append(f'<p class="note"><b>{_e(partial)}</b></p>')
    body += _money_section(audit, cut_line, lang)
    body += _score_section(table, audit, call, model, nr_lines, lang)
    body += _pictures_section(table, text, lang, call_id)
    body += _ranked_section(table, text, lang)
    body += _robustness_section(table, audit, text, lang)
    body += _audit_section(audit, text, lang)
    name = ("report_masked" if mask else "report") + ("_ko" if lang == "ko" else "") + ".html"
    path = Path(output) if output else Path(outdir) / name
    return _write(path, _page(title, body, lang))


def _words(key: str, lang: str) -> str:
    return reading.READING_TEXT[key][1 if lang == "ko" else 0]


def _lines(lines: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{_e(line)}</li>" for line in lines) + "</ul>"


def _money_section(audit: dict, cut_line: str | None, lang: str) -> list[str]:
    """The money split and the remainder (the audit's, as ``ktop select`` prints them)."""
    rows = reading.money_rows(audit, lang)
    if not rows:
        return []
    out = [f'<h2 id="money">{_e(_words("money_title", lang))}</h2>',
           _table([list(r) for r in rows], ["", ""])]
    if cut_line:
        out.append(f"<p>{_e(cut_line)}</p>")
    return out


def _score_section(table, audit, call, model, nr_lines, lang) -> list[str]:
    """How the selection score is built from the index and the committee points."""
    parts = reading.score_parts(table, audit, call, model)
    return [f'<h2 id="score">{_e(_words("score_title", lang))}</h2>',
            _lines(reading.score_lines(parts, lang) + nr_lines)]


def _counts_section(table: pd.DataFrame, audit: dict, text: dict) -> list[str]:
    status = table["status"]
    rows = [[text["applicants"], len(table)],
            [text["eligible"], int((status != "ineligible").sum())]]
    rows += [[text[s], int((status == s).sum())] for s in plots.STATUS_ORDER]
    chosen = status == "selected"
    for column, label in (("requested", "requested_total"), ("support", "support_total")):
        if column in table:
            rows.append([text[label], float(table.loc[chosen, column].sum())])
    budget = audit.get("money_krw_thousand", {}).get("budget")
    if budget is not None:
        rows.append([text["budget"], float(budget)])
    return [f"<h2>{_e(text['counts'])}</h2>", _table(rows, ["", ""])]


def _pictures_section(table, text, lang, call) -> list[str]:
    out = [f"<h2>{_e(text['pictures'])}</h2>",
           _image(plots.selection(table, lang=lang, call=call), text["ranked"])]
    column = "selection_score" if "selection_score" in table else "tech_index"
    if column in table:
        last = plots.budget_rank(table)
        cutoff = None
        if last is not None:
            cutoff = float(table.loc[table["rank"] == last, column].iloc[0])
            out.append(f'<p class="note">{_e(text["cutoff_note"].format(rank=last, score=cutoff))}'
                       "</p>")
        eligible = table[table["status"] != "ineligible"]
        out.append(_image(plots.distribution(eligible, column=column, cutoff=cutoff, lang=lang),
                          column))
    return out


def _status_word(value: str, lang: str) -> str:
    return STATUS_KO.get(value, value) if lang == "ko" else value.replace("_", " ")


#: The ranked table's columns, in order (those a round has); digits shown per column.
RANKED_COLUMNS = ("rank", "firm_name", "brn", "status", "grade", "tech_index", *DOMAINS,
                  "committee_score", "bonus_points", "selection_score", "selection_probability",
                  "robustness", "requested", "support", "strengths", "shown_notes")
DIGITS = {"selection_score": 2, "committee_score": 2, "selection_probability": 3,
          "tech_index": 2}


def _ranked_section(table, text, lang) -> list[str]:
    """Every eligible applicant in rank order: score parts, domain scores, strengths, money,
    and the notes (why a firm got nothing among them); an empty column is left out and said."""
    ranked = table[table["rank"].notna()].sort_values("rank", kind="stable")
    labels = {**(SELECTION_COLUMNS_KO if lang == "ko" else {}),
              **({d: PLOT_TEXT[lang][d] for d in DOMAINS} if lang != "ko" else {}),
              "strengths": _words("strengths", lang), "shown_notes": _words("notes", lang)}
    empty = reading.empty_column_notes(table, lang)
    columns = [c for c in RANKED_COLUMNS if c in ranked and c not in empty]
    has_interval = "rank_low" in ranked and "rank_high" in ranked and "rank_low" not in empty
    headers = [labels.get(c, c) for c in columns]
    if has_interval:
        headers.insert(columns.index("status") + 1, text["rank_interval"])
    rows = []
    for _, r in ranked.iterrows():
        row = []
        for c in columns:
            value = r[c]
            if c == "status":
                value = _status_word(value, lang)
            elif c == "robustness" and lang == "ko":
                value = ROBUSTNESS_KO.get(value, value)
            elif c == "rank":
                value = int(value)
            row.append(value)
            if c == "status" and has_interval:
                low, high = r["rank_low"], r["rank_high"]
                row.append("" if pd.isna(low) else f"{low:.0f}–{high:.0f}")
        rows.append(row)
    digits = [DIGITS.get(c, 1) for c in columns]
    if has_interval:
        digits.insert(columns.index("status") + 1, 0)
    out = [f"<h2>{_e(text['ranked'])}</h2>", f'<p class="note">{_e(text["ranked_note"])}</p>']
    notes = _empty_notes(empty, labels, lang)
    if "strengths" not in ranked:
        notes.append(_words("empty_strengths", lang))
    if notes:
        out.append(f'<div class="note">{_lines(notes)}</div>')
    out.append('<div class="wide">' + _table(rows, headers, classes=ranked["status"].tolist(),
                                             digits=digits,
                                             status_col=headers.index(labels.get("status",
                                                                                 "status")))
               + "</div>")
    out += _ineligible_table(table, text, lang)
    return out


def _empty_notes(empty: dict[str, str], labels: dict, lang: str) -> list[str]:
    """One line per reason an empty column was left out, naming the columns."""
    by_note: dict[str, list[str]] = {}
    for column, note in empty.items():
        by_note.setdefault(note, []).append(labels.get(column, column))
    return [_words("columns_left_out", lang).format(what=", ".join(names)) + f" — {note}"
            for note, names in by_note.items()]


def _ineligible_table(table, text, lang) -> list[str]:
    out_of = table[table["status"] == "ineligible"]
    if out_of.empty:
        return []
    reason_column = "reasons_ko" if lang == "ko" else "reasons"
    reasons = out_of[reason_column] if reason_column in out_of else [""] * len(out_of)
    rows = [[name, brn, reason] for name, brn, reason in
            zip(out_of["firm_name"], out_of["brn"], reasons)]
    labels = SELECTION_COLUMNS_KO if lang == "ko" else {}
    return [f"<h2>{_e(text['ineligible_title'])}</h2>",
            _table(rows, [labels.get("firm_name", "firm_name"), labels.get("brn", "brn"),
                          text["reasons"]])]


def _robustness_section(table, audit, text, lang) -> list[str]:
    """The verdicts of the robustness check, as the selection recorded them per applicant."""
    out = [f"<h2>{_e(text['robustness'])}</h2>"]
    if "robustness" not in table:
        return out + [f"<p>{_e(text['none'])}</p>"]
    verdicts = table["robustness"].fillna("").astype("str")
    counts = verdicts[verdicts != ""].value_counts().sort_index()
    rows = [[ROBUSTNESS_KO.get(v, v) if lang == "ko" else v, int(n)] for v, n in counts.items()]
    out += [f"<p>{_e(text['robust_counts'])}</p>", _table(rows, ["", ""])]
    for key, verdict in (("fragile", "fragile"), ("often", "often_selected")):
        group = table[verdicts == verdict].sort_values("rank", kind="stable")
        items = []
        for _, r in group.iterrows():
            item = f"{r['firm_name']} ({r['brn']}), {text['rank_word']} {_rank(r['rank'])}"
            if "rank_low" in r and pd.notna(r["rank_low"]):
                item += f" [{r['rank_low']:.0f}–{r['rank_high']:.0f}]"
            if "selection_probability" in r and pd.notna(r["selection_probability"]):
                item += f", {text['p_word']} {r['selection_probability']:.0%}"
            items.append(f"<li>{_e(item)}</li>")
        out.append(f"<p><b>{_e(text[key])}</b></p>"
                   + (f"<ul>{''.join(items)}</ul>" if items else f"<p>{_e(text['none'])}</p>"))
    found = [row for row in reading.audit_rows({k: audit[k] for k in ("variants", "seed")
                                                 if k in audit}, lang)]
    if found:
        out.append(f'<p class="note">{_e(" · ".join(f"{a}: {b}" for a, b, _ in found))}</p>')
    return out


def _audit_section(audit: dict, text: dict, lang: str) -> list[str]:
    """The audit record as a table (a hash shortened, its full value in the cell's title);
    ``audit.json`` keeps the record itself."""
    rows = []
    for label, shown, full in reading.audit_rows(audit, lang):
        title = f' title="{_e(full)}"' if shown != full else ""
        rows.append(f"<tr><td>{_e(label)}</td><td{title}>{_e(shown)}</td></tr>")
    return [f'<h2 id="audit">{_e(text["audit"])}</h2>',
            f'<p class="note">{_e(_words("audit_note", lang))}</p>', '<table class="audit">',
            *rows, "</table>"]


def _rank(value) -> str:
    return "-" if pd.isna(value) else str(int(value))


# ---------------------------------------------------------------------------- firm report card

def load_firm_scores(source, model, lang: str = "en") -> tuple[pd.DataFrame | None,
                                                                pd.DataFrame]:
    """(validated firm data or None, scores) from a firm data file/frame or a scored one.

    A table with a ``tech_index`` column (English or Korean header) is taken as scored
    (``ktop score`` output); any other is validated as firm data and scored with ``model``.
    """
    from ktop_index.data.validate import DataError, validate

    if isinstance(source, pd.DataFrame):
        frame = source
        if "tech_index" not in frame:
            return frame, _score(frame, model, lang)
        return None, frame
    raw = read_table(source)
    scored = _scored_english(raw.frame)
    if scored is not None:
        return None, scored
    result = validate(raw)
    if not result.ok:
        raise DataError(result.problems)
    return result.frame, _score(result.frame, model, lang)


def _score(frame: pd.DataFrame, model, lang: str) -> pd.DataFrame:
    """Identity and score columns under English names, the reason texts in ``lang``."""
    from ktop_index.index.spec import indicator_labels_ko
    from ktop_index.index.techindex import score_firms
    from ktop_index.labels import localise_reasons

    return localise_reasons(score_firms(frame, model), lang, indicator_labels_ko(model.spec_))


def _scored_english(frame: pd.DataFrame) -> pd.DataFrame | None:
    """A scored file's frame with English names and numbers, or None if it is not scored.

    Korean headers are read back through the labels ``ktop score --lang ko`` writes: the
    score columns' (:data:`ktop_index.labels.SCORE_COLUMNS_KO`) and the identity columns'
    (the data contract's 한글명)."""
    from ktop_index.index.techindex import identity_labels_ko

    back = dict(SCORE_HEADERS_BACK)
    back.update({ko: en for en, ko in identity_labels_ko().items()})
    frame = frame.rename(columns={c: back[c] for c in frame.columns if c in back})
    if "tech_index" not in frame:
        return None
    numeric = [*DOMAINS, "composite", "tech_index", "percentile", "industry_percentile",
               "coverage", "year"] + [f"contrib_{d}" for d in DOMAINS]
    for column in numeric:
        if column in frame:
            frame[column] = pd.to_numeric(frame[column], errors="coerce")
    if "brn" not in frame:
        raise DataError("the scores file has no brn (사업자등록번호) column")
    return frame


def report_firm(brn: str, scores, *, db: str | os.PathLike | None = None, model=None,
                output: str | os.PathLike | None = None, lang: str = "en",
                generated_at: str | None = None, selected: pd.DataFrame | None = None,
                mask: bool = False) -> Path:
    """Write a firm's report card as HTML; returns its path.

    Parameters
    ----------
    brn : the firm's business registration number (any separators).
    scores : a firm data file or frame (scored here, and the improvement analysis is done per
        indicator) or a scored file or frame (``ktop score`` output; improvement per domain).
        Several years of the firm give its trajectory when no ``db`` is given.
    db : a tracking store; the trajectory comes from
        :func:`ktop_index.tracking.history.firm_trajectory`.
    model : a TechIndex or a model file (the bundled model when None).
    output : the HTML file (default ``firm_<BRN>.html`` in the current folder).
    selected : optionally the scored rows of a selected group, drawn on the radar.
    mask : a card for outside the committee: the business number masked (``124-81-*****``)
        and a note saying so; ``output`` is then required (the default name holds the
        number).
    """
    from ktop_index.data.brn import format_brn
    from ktop_index.index.techindex import as_model

    if mask and output is None:
        raise UsageError("a masked report card needs -o FILE.html: the default name "
                         "firm_<BRN>.html holds the business number",
                         ko="마스킹한 기업 보고서는 -o FILE.html이 필요합니다: 기본 파일명 "
                            "firm_<BRN>.html에 사업자등록번호가 들어갑니다")
    text = _check_lang(lang)
    model = as_model(model)
    data, scored = load_firm_scores(scores, model, lang)
    brn = format_brn(brn)
    mine = scored[scored["brn"].astype("str") == brn]
    if mine.empty:
        source = scores if not isinstance(scores, pd.DataFrame) else "the scores"
        raise DataError(f"{source}: no firm with BRN {brn} ({scored['brn'].nunique()} firms "
                         "in the file)")
    order = mine.sort_values("year", kind="stable") if "year" in mine else mine
    latest = order.iloc[-1]
    name = str(latest.get("firm_name", brn))
    year_rows = scored[scored["year"] == latest["year"]] if "year" in scored else scored
    peers = _industry_peers(year_rows, latest)
    body = [f"<h1>{_e(text['firm_title'].format(name=name))}</h1>",
            (f'<p class="meta">{_e(text["generated"])}: {_e(_generated(generated_at))} · '
            f'{_e(text["model"])}: {_e(model.spec_["name"])} {_e(model.spec_["spec_version"])}'
            f' · {_e(text["package"])}: {_e(__version__)}</p>')]
    if mask:
        body.append(f'<p class="note"><b>{_e(PRIVACY_TEXT["masked"][lang == "ko"])}</b></p>')
    body += _headline(_masked_headline(latest) if mask else latest, model, text)
    body += _domains_section(latest, peers, selected, text, lang, name)
    body += _reasons_section(latest, text, model, lang)
    body += _trajectory_section(brn, order, db, model, text, lang, name)
    if data is not None:
        firm_data = data.loc[order.index]  # all its years: growth needs the year before
        body += _raise_section(indicator_gains(model, firm_data, lang), text)
    else:
        body += _raise_section(domain_gains(model, latest, lang), text, domains=True)
    if len(year_rows) >= 20:
        body += [f"<h2>{_e(text['distribution'])}</h2>",
                 _image(plots.distribution(year_rows, mark=(name, latest["tech_index"]),
                                           lang=lang), text["distribution"])]
    path = Path(output) if output else Path(f"firm_{brn}.html")
    return _write(path, _page(text["firm_title"].format(name=name), body, lang))


def _masked_headline(firm: pd.Series) -> pd.Series:
    """The firm's row as a masked card shows it: the business number masked."""
    firm = firm.copy()
    firm["brn"] = mask_brn(firm["brn"])
    return firm


def _industry_peers(rows: pd.DataFrame, firm: pd.Series) -> pd.DataFrame | None:
    """The file's firms of the same KSIC division (the firm included), if there are 5+."""
    if "ksic" not in rows:
        return None
    division = str(firm["ksic"])[:2]
    peers = rows[rows["ksic"].astype("str").str[:2] == division]
    return peers if len(peers) >= 5 else None


def _headline(firm: pd.Series, model, text: dict) -> list[str]:
    year = _int(firm.get("year"))
    rows = [[text["brn"], firm.get("brn")], [text["year"], None if year is None else str(year)],
            [text["ksic"], firm.get("ksic")], [text["index"], firm.get("tech_index")],
            [text["grade"], firm.get("grade")], [text["percentile"], firm.get("percentile")],
            [text["industry_percentile"], firm.get("industry_percentile")],
            [text["coverage"], firm.get("coverage")]]
    out = [_table([r for r in rows if r[1] is not None], ["", ""], digits=[1, 2])]
    minimum = model.spec_["missing"]["min_coverage"]
    if pd.isna(firm.get("tech_index")) and firm.get("coverage") is not None:
        out.append(f"<p><b>{_e(text['not_rated'].format(coverage=firm['coverage'], minimum=minimum))}"
                   "</b></p>")
    return out


def _int(value):
    return None if value is None or pd.isna(value) else int(value)


def _domains_section(firm, peers, selected, text, lang, name) -> list[str]:
    rows = []
    for d in DOMAINS:
        median = float(peers[d].median()) if peers is not None else None
        rows.append([PLOT_TEXT[lang][d], firm.get(d), median, firm.get(f"contrib_{d}")])
    headers = [text["domain"], text["score"], text["industry"], text["contribution"]]
    return [f"<h2>{_e(text['domains'])}</h2>", _table(rows, headers),
            _image(plots.radar(firm, industry=peers, selected=selected, lang=lang, name=name),
                   text["domains"])]


def _reasons_section(firm, text, model, lang: str) -> list[str]:
    # a scores file carries the reasons in the language it was scored in; show the report's
    labels = {s[key]: s["label_ko" if lang == "ko" else "label"]
              for s in model.spec_["indicators"] for key in ("label", "label_ko")}

    def items(prefix):
        found = [labels.get(str(v), str(v)) for v in (firm.get(f"{prefix}_{k}") for k in (1, 2))
                 if v is not None and not pd.isna(v) and str(v)]
        return "<ul>" + "".join(f"<li>{_e(f)}</li>" for f in found) + "</ul>" if found \
            else "<p>-</p>"
    return [f"<h2>{_e(text['reasons_title'])}</h2>", '<div class="cols">',
            f"<div><h3>{_e(text['strengths'])}</h3>{items('strength')}</div>",
            f"<div><h3>{_e(text['weaknesses'])}</h3>{items('weakness')}</div>", "</div>"]


def _trajectory_section(brn, rows, db, model, text, lang, name) -> list[str]:
    out = [f"<h2>{_e(text['trajectory'])}</h2>"]
    history = rows
    if db is not None:
        try:
            from ktop_index.tracking.history import firm_trajectory
        except ImportError:
            out.append(f'<p class="note">{_e(text["no_track"])}</p>')
        else:
            history = firm_trajectory(brn, db=db)
    if "year" not in history or history["year"].nunique() < 2:
        return out + [f"<p>{_e(text['no_trajectory'])}</p>"]
    columns = [c for c in ("year", "tech_index", "grade", *DOMAINS) if c in history]
    table = history[columns].sort_values("year")
    headers = [text.get(c, PLOT_TEXT[lang].get(c, c)) for c in columns]
    return out + [_image(plots.trajectory(table, cutoffs=model.grade_cutoffs_, lang=lang,
                                          name=name), text["trajectory"]),
                  _table([[str(_int(r[0])), *r[1:]] for r in table.itertuples(index=False)],
                         headers)]


def indicator_gains(model, firm: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """:func:`ktop_index.index.explain.indicator_gains`, with the indicators' labels in ``lang``."""
    from ktop_index.index.explain import indicator_gains as gains
    from ktop_index.index.spec import indicator_labels_ko
    from ktop_index.labels import localise_gains

    return localise_gains(gains(model, firm), lang, indicator_labels_ko(model.spec_))


def domain_gains(model, firm: pd.Series, lang: str = "en") -> pd.DataFrame:
    """:func:`ktop_index.index.explain.domain_gains`, with the domains' names in ``lang``."""
    from ktop_index.index.explain import domain_gains as gains

    table = gains(model, firm)
    return table.assign(label=[PLOT_TEXT[lang].get(n, n) for n in table["label"]])


def _raise_section(gains: pd.DataFrame, text: dict, domains: bool = False) -> list[str]:
    note = text["raise_domain_note"] if domains else text["raise_note"]
    out = [f"<h2>{_e(text['raise'])}</h2>", f'<p class="note">{_e(note)}</p>']
    if gains.empty:
        return out + [f"<p>{_e(text['none'])}</p>"]
    top = gains.head(5)
    rows = [[r.label, text["no_data"] if np.isnan(r.current) else r.current,
             r.peer_median, r.target, r.gain] for r in top.itertuples()]
    headers = [text["indicator"], text["current"], text["peer_median"], text["target"],
               text["gain"]]
    if domains:
        rows = [[r[0], r[1], r[3], r[4]] for r in rows]
        headers = [text["domain"], text["current"], text["target"], text["gain"]]
    return out + [_table(rows, headers, digits=[1] * (len(headers) - 1) + [2])]
