"""One-file HTML reports: a selection round, and a firm's report card.

Each report is a single HTML file that can be mailed or archived: inline CSS, pictures
embedded as base64 PNG, no script, no link to anything outside the file (it opens offline and
looks the same in ten years). Same inputs give the same bytes: the only time inside is an
explicit "generated" line, which ``generated_at`` pins.

- :func:`report_selection` reads the output folder of ``ktop select`` (``selection.csv`` and
  ``audit.json``) and shows the call, the counts, the pictures, the ranked table, the
  ineligible applicants with their reasons, the robustness findings and the audit record.
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

from ktop_index import __version__
from ktop_index.data.io import InputError, _atomic, read_table
from ktop_index.report import plots
from ktop_index.report.excel import (
    MONEY_COLUMNS,
    ROBUSTNESS_KO,
    SELECTION_LABELS_KO,
    STATUS_KO,
    english_columns,
)

NUMERIC = ("rank", "tech_index", "committee_score", "selection_score", "rank_low",
           "rank_high", "selection_probability", *MONEY_COLUMNS)
DOMAINS = plots.DOMAINS

TEXT = {
    "en": {
        "sel_title": "Selection report: {call}", "generated": "Generated",
        "model": "Model", "package": "ktop_index version",
        "counts": "Counts", "applicants": "applicants", "eligible": "eligible",
        "selected": "selected", "waitlist": "waitlist", "not_selected": "not selected",
        "ineligible": "ineligible", "support_total": "total support of the selected (KRW thousand)",
        "requested_total": "total requested by the selected (KRW thousand)",
        "budget": "budget of the call (KRW thousand)", "rank_word": "rank",
        "p_word": "selected in", 
        "pictures": "Pictures", "ranked": "Ranked applicants",
        "ranked_note": "Rank 1 is the best eligible applicant; the rank interval is the 5th-95th "
                       "percentile of the rank when the selection is re-run under perturbed "
                       "weights and scores; money in KRW thousand (천원).",
        "ineligible_title": "Ineligible applicants", "reasons": "reasons",
        "robustness": "Robustness findings", "audit": "Audit record",
        "fragile": "Fragile: selected, but not in many of the perturbed selections",
        "often": "Often selected: not selected, but selected in many perturbed selections",
        "none": "none", "robust_counts": "applicants by robustness verdict",
        "rank_interval": "rank interval", "firm": "firm",
        "cutoff_note": "The last funded rank is {rank}; its selection score {score:.2f} is the "
                       "cut-off marked in the distribution.",
        "firm_title": "Report card: {name}", "index": "Tech-Index (base 100)",
        "grade": "grade", "percentile": "percentile in the reference population (%)",
        "industry_percentile": "percentile within the industry (%)",
        "coverage": "data coverage (share of indicator weight with data)",
        "year": "year", "ksic": "KSIC code", "brn": "business registration number",
        "domains": "Domain scores (0-100)", "domain": "domain", "score": "score",
        "industry": "industry median", "contribution": "contribution to index - 100 (points)",
        "reasons_title": "Reasons", "strengths": "Strengths (above industry peers)",
        "weaknesses": "Weaknesses (below industry peers)",
        "trajectory": "Trajectory", "no_trajectory": "Only one year of data: no trajectory.",
        "no_track": "The tracking module is not available: trajectory from the scores file.",
        "raise": "What would raise the index most",
        "raise_note": "Each indicator moved, alone, to the industry peers' median score (or 10 "
                      "points up, at most 100, where the firm is already at or above it); "
                      "the gain is the change of the Tech-Index when the firm is re-scored "
                      "with the model's goalposts and weights.",
        "raise_domain_note": "The scores file has no indicator detail (score the firm's data "
                             "file for it): each domain moved 10 points up, alone.",
        "indicator": "indicator", "current": "current score (0-100)",
        "peer_median": "peer median (0-100)", "target": "target score (0-100)",
        "gain": "index gain (points)", "no_data": "no data",
        "not_rated": "Not rated: the data cover {coverage:.0%} of the indicator weight, below "
                     "the {minimum:.0%} needed.",
        "distribution": "Where the firm stands among the firms of the file",
    },
    "ko": {
        "sel_title": "선정 결과 보고서: {call}", "generated": "작성 시각",
        "model": "모형", "package": "ktop_index 버전",
        "counts": "집계", "applicants": "신청기업", "eligible": "자격 충족",
        "selected": "선정", "waitlist": "예비", "not_selected": "미선정", "ineligible": "부적격",
        "support_total": "선정기업 지원금액 합계 (천원)",
        "requested_total": "선정기업 신청금액 합계 (천원)",
        "budget": "사업 예산 (천원)", "rank_word": "순위", "p_word": "선정 확률",
        "pictures": "그림", "ranked": "순위표",
        "ranked_note": "순위 1은 자격을 충족한 신청기업 중 최상위입니다. 순위 구간은 가중치와 "
                       "점수를 흔들어 선정을 반복했을 때 순위의 5-95 백분위입니다. 금액 단위는 "
                       "천원입니다.",
        "ineligible_title": "부적격 신청기업", "reasons": "사유",
        "robustness": "선정 안정성 점검", "audit": "감사 기록",
        "fragile": "불안정: 선정되었으나 조건을 흔든 선정에서 자주 빠지는 기업",
        "often": "자주 선정: 미선정이나 조건을 흔든 선정에서 자주 선정되는 기업",
        "none": "없음", "robust_counts": "안정성 판정별 기업 수",
        "rank_interval": "순위 구간", "firm": "기업",
        "cutoff_note": "마지막 지원 순위는 {rank}위이며, 그 선정 점수 {score:.2f}점을 분포 "
                       "그림에 기준선으로 표시했습니다.",
        "firm_title": "기업 진단표: {name}", "index": "기업혁신역량지수 (기준 100)",
        "grade": "등급", "percentile": "기준 모집단 내 백분위 (%)",
        "industry_percentile": "업종 내 백분위 (%)",
        "coverage": "자료충족률 (자료가 있는 지표 가중치 비율)",
        "year": "기준연도", "ksic": "업종코드", "brn": "사업자등록번호",
        "domains": "영역별 점수 (0-100점)", "domain": "영역", "score": "점수",
        "industry": "업종 중앙값", "contribution": "지수(100 기준) 기여 (점)",
        "reasons_title": "평가 근거", "strengths": "강점 (업종 대비 높은 지표)",
        "weaknesses": "약점 (업종 대비 낮은 지표)",
        "trajectory": "연도별 추이", "no_trajectory": "한 해 자료뿐이라 추이가 없습니다.",
        "no_track": "추적 모듈이 없어 점수 파일의 연도별 자료로 추이를 그렸습니다.",
        "raise": "지수를 가장 많이 올릴 수 있는 지표",
        "raise_note": "각 지표를 하나씩 업종 동료기업의 중앙값 점수까지 (이미 그 이상이면 10점, "
                      "최대 100점까지) 올렸을 때, 모형의 기준점과 가중치로 다시 계산한 "
                      "기업혁신역량지수의 상승폭입니다.",
        "raise_domain_note": "점수 파일에는 지표별 점수가 없어 (기업 자료 파일을 주면 지표별로 "
                             "계산합니다) 각 영역을 10점씩 올렸을 때의 상승폭을 보였습니다.",
        "indicator": "지표", "current": "현재 점수 (0-100)",
        "peer_median": "업종 중앙값 (0-100)", "target": "목표 점수 (0-100)",
        "gain": "지수 상승 (점)", "no_data": "자료 없음",
        "not_rated": "등급 외: 자료충족률 {coverage:.0%}가 기준 {minimum:.0%}에 못 미칩니다.",
        "distribution": "파일 내 기업들 가운데 이 기업의 위치",
    },
}

CSS = """
body{font-family:'Malgun Gothic','Apple SD Gothic Neo','Noto Sans KR',NanumGothic,sans-serif;
margin:2em auto;max-width:1100px;color:#212121;line-height:1.45;padding:0 1em}
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
    if generated_at is not None:
        return generated_at
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _write(path: Path, text: str) -> Path:
    _atomic(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8", newline="\n"))
    return path


def _check_lang(lang: str) -> dict:
    if lang not in TEXT:
        raise ValueError(f"lang must be 'en' or 'ko', got {lang!r}")
    return TEXT[lang]


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
    table = english_columns(read_table(csv).frame)
    missing = [c for c in ("brn", "firm_name", "status", "rank") if c not in table]
    if missing:
        raise ValueError(f"{csv}: missing column(s) {', '.join(missing)} (expected the "
                         "selection table of `ktop select`)")
    for column in NUMERIC:
        if column in table:
            table[column] = pd.to_numeric(table[column], errors="coerce")
    table["status"] = table["status"].astype("str")
    unknown = sorted(set(table["status"]) - set(plots.STATUS_ORDER))
    if unknown:
        raise ValueError(f"{csv}: column status: unknown value(s) {', '.join(unknown)} "
                         f"(expected {', '.join(plots.STATUS_ORDER)})")
    try:
        audit = json.loads(audit_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"{audit_path}: not valid JSON (line {exc.lineno})") from None
    return table, audit


def report_selection(outdir: str | os.PathLike, lang: str = "en",
                     output: str | os.PathLike | None = None,
                     generated_at: str | None = None) -> Path:
    """Write the HTML report of a selection round; returns its path.

    Parameters
    ----------
    outdir : the folder ``ktop select`` wrote (``selection.csv``, ``audit.json``).
    lang : 'en' or 'ko'.
    output : the HTML file (default ``OUTDIR/report.html``, ``report_ko.html`` in Korean).
    generated_at : the text of the "generated" line (default: now, UTC); pin it for
        byte-identical reports.
    """
    text = _check_lang(lang)
    table, audit = read_selection(outdir)
    call = str(audit.get("call", ""))
    title = text["sel_title"].format(call=call)
    subtitle = f"<p><b>{_e(audit['call_title'])}</b></p>" if audit.get("call_title") else ""
    body = [f"<h1>{_e(title)}</h1>", subtitle,
            (f'<p class="meta">{_e(text["generated"])}: {_e(_generated(generated_at))} · '
            f'{_e(text["model"])}: {_e(audit.get("model_version", ""))} · '
            f'{_e(text["package"])}: {_e(audit.get("package_version", __version__))}</p>')]
    body += _counts_section(table, audit, text)
    body += _pictures_section(table, text, lang, call)
    body += _ranked_section(table, text, lang)
    body += _robustness_section(table, audit, text, lang)
    body += [f"<h2>{_e(text['audit'])}</h2>",
             (f"<pre>{_e(json.dumps(audit, ensure_ascii=False, indent=2, sort_keys=True))}"
             "</pre>")]
    name = "report_ko.html" if lang == "ko" else "report.html"
    path = Path(output) if output else Path(outdir) / name
    return _write(path, _page(title, body, lang))


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


def _ranked_section(table, text, lang) -> list[str]:
    ranked = table[table["rank"].notna()].sort_values("rank", kind="stable")
    labels = SELECTION_LABELS_KO if lang == "ko" else {}
    columns = [c for c in ("rank", "firm_name", "brn", "status", "grade", "tech_index",
                           "committee_score", "selection_score", "selection_probability", "robustness",
                           "requested", "support") if c in ranked]
    headers = [labels.get(c, c) for c in columns]
    has_interval = "rank_low" in ranked and "rank_high" in ranked
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
    digits = [3 if h == labels.get("selection_probability", "selection_probability") else 2 if "score" in h else 1
              for h in headers]
    out = [f"<h2>{_e(text['ranked'])}</h2>", f'<p class="note">{_e(text["ranked_note"])}</p>',
           _table(rows, headers, classes=ranked["status"].tolist(), digits=digits,
                  status_col=headers.index(labels.get("status", "status")))]
    out += _ineligible_table(table, text, lang)
    return out


def _ineligible_table(table, text, lang) -> list[str]:
    out_of = table[table["status"] == "ineligible"]
    if out_of.empty:
        return []
    reason_column = "reasons_ko" if lang == "ko" else "reasons"
    reasons = out_of[reason_column] if reason_column in out_of else [""] * len(out_of)
    rows = [[name, brn, reason] for name, brn, reason in
            zip(out_of["firm_name"], out_of["brn"], reasons)]
    labels = SELECTION_LABELS_KO if lang == "ko" else {}
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
    found = {k: audit[k] for k in ("variants", "seed") if k in audit}
    if found:
        out.append(f'<p class="note">{_e(json.dumps(found, sort_keys=True))}</p>')
    return out


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
    from ktop_index.index.techindex import IDENTITY_COLUMNS

    identity = frame[[c for c in IDENTITY_COLUMNS if c in frame]]
    return pd.concat([identity, model.score(frame, lang=lang)], axis=1)


def _scored_english(frame: pd.DataFrame) -> pd.DataFrame | None:
    """A scored file's frame with English names and numbers, or None if it is not scored."""
    from ktop_index.data.contract import FIELD_BY_NAME
    from ktop_index.index.techindex import IDENTITY_COLUMNS, OUTPUT_LABELS_KO

    back = {v: k for k, v in OUTPUT_LABELS_KO.items()}
    back.update({FIELD_BY_NAME[c].label_ko: c for c in IDENTITY_COLUMNS})
    frame = frame.rename(columns={c: back[c] for c in frame.columns if c in back})
    if "tech_index" not in frame:
        return None
    numeric = [*DOMAINS, "composite", "tech_index", "percentile", "industry_percentile",
               "coverage", "year"] + [f"contrib_{d}" for d in DOMAINS]
    for column in numeric:
        if column in frame:
            frame[column] = pd.to_numeric(frame[column], errors="coerce")
    if "brn" not in frame:
        raise ValueError("the scores file has no brn (사업자등록번호) column")
    return frame


def report_firm(brn: str, scores, *, db: str | os.PathLike | None = None, model=None,
                output: str | os.PathLike | None = None, lang: str = "en",
                generated_at: str | None = None, selected: pd.DataFrame | None = None) -> Path:
    """Write a firm's report card as HTML; returns its path.

    Parameters
    ----------
    brn : the firm's business registration number (any separators).
    scores : a firm data file or frame (scored here, and the improvement analysis is done per
        indicator) or a scored file or frame (``ktop score`` output; improvement per domain).
        Several years of the firm give its trajectory when no ``db`` is given.
    db : a tracking database; the trajectory comes from ``ktop_index.track.firm_trajectory``.
    model : a TechIndex or a model file (the bundled model when None).
    output : the HTML file (default ``firm_<BRN>.html`` in the current folder).
    selected : optionally the scored rows of a selected group, drawn on the radar.
    """
    from ktop_index.data.brn import format_brn
    from ktop_index.index.techindex import TechIndex

    text = _check_lang(lang)
    model = model if isinstance(model, TechIndex) else TechIndex.load(model)
    data, scored = load_firm_scores(scores, model, lang)
    brn = format_brn(brn)
    mine = scored[scored["brn"].astype("str") == brn]
    if mine.empty:
        source = scores if not isinstance(scores, pd.DataFrame) else "the scores"
        raise ValueError(f"{source}: no firm with BRN {brn} ({scored['brn'].nunique()} firms "
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
    body += _headline(latest, model, text)
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
        rows.append([plots.TEXT[lang][d], firm.get(d), median, firm.get(f"contrib_{d}")])
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
    headers = [text.get(c, plots.TEXT[lang].get(c, c)) for c in columns]
    return out + [_image(plots.trajectory(table, cutoffs=model.grade_cutoffs_, lang=lang,
                                          name=name), text["trajectory"]),
                  _table([[str(_int(r[0])), *r[1:]] for r in table.itertuples(index=False)],
                         headers)]


def _rescore(model, scores: np.ndarray) -> float:
    """The Tech-Index of one row of indicator scores, through the model's own aggregation
    (the rating threshold left aside, so a not-rated firm's gains are still comparable)."""
    domains, _ = model._domain_scores(scores[None, :])
    return float(model._tech_index(model._composite(domains))[0])


def indicator_gains(model, firm: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Index points gained by moving each indicator, alone, to the industry peers' median
    score (or 10 points up, at most 100, where the firm is at or above the median).

    ``firm``: the firm's validated rows, the year analysed last (earlier years feed the growth
    indicators). Returns one row per move that raises the index (indicators with model weight 0
    never do, and filling a missing indicator at the median can lower it): ``indicator``, ``label``,
    ``domain``, ``current``, ``peer_median``, ``target`` (scores 0-100; ``current`` NaN where
    the firm has no data) and ``gain`` (Tech-Index points), largest gain first.
    """
    from ktop_index.index.techindex import _peer_index

    parts = model.components(firm)
    scores = parts["scores"][-1]
    names = parts["indicator_names"]
    groups = ["*"] + [g for g in model.peer_medians_ if g != "*"]
    ksic = firm["ksic"].to_numpy()[-1:] if "ksic" in firm else None
    group = groups[int(_peer_index(ksic, groups[1:], 1)[0]) + 1]
    medians = np.array([model.peer_medians_[group][n] for n in names])
    base = _rescore(model, scores)
    specs = {s["name"]: s for s in model.spec_["indicators"]}
    rows = []
    for j, name in enumerate(names):
        current = scores[j]
        if np.isnan(current) or current < medians[j]:
            target = medians[j]
        else:
            target = min(current + 10.0, 100.0)
        if not np.isnan(current) and target <= current:
            continue
        moved = scores.copy()
        moved[j] = target
        spec = specs[name]
        rows.append({"indicator": name,
                     "label": spec["label_ko"] if lang == "ko" else spec["label"],
                     "domain": spec["domain"], "current": current, "peer_median": medians[j],
                     "target": target, "gain": _rescore(model, moved) - base})
    table = pd.DataFrame(rows, columns=["indicator", "label", "domain", "current",
                                        "peer_median", "target", "gain"])
    table = table[table["gain"] > 1e-9]  # advice is only what raises the index
    return table.sort_values("gain", ascending=False, kind="stable").reset_index(drop=True)


def domain_gains(model, firm: pd.Series, lang: str = "en") -> pd.DataFrame:
    """Index points gained by moving each domain score, alone, 10 points up (at most 100)."""
    names = model._domain_names()
    scores = np.array([float(firm.get(d, np.nan)) for d in names])
    base = float(model._tech_index(model._composite(scores[None, :]))[0])
    rows = []
    for k, name in enumerate(names):
        if np.isnan(scores[k]) or scores[k] >= 100:
            continue
        moved = scores.copy()
        moved[k] = min(scores[k] + 10.0, 100.0)
        gain = float(model._tech_index(model._composite(moved[None, :]))[0]) - base
        rows.append({"indicator": name, "label": plots.TEXT[lang].get(name, name),
                     "domain": name, "current": scores[k], "peer_median": np.nan,
                     "target": moved[k], "gain": gain})
    table = pd.DataFrame(rows)
    return table.sort_values("gain", ascending=False, kind="stable").reset_index(drop=True)


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
