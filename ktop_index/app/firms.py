"""The page's firm card and the comparison of two firms (Streamlit; thin over
:mod:`ktop_index.report.compare`).

- :func:`show_firm_card`: one firm's report card — rank, status, Tech-Index and grade, the
  radar of its four domains against its industry and the selected firms, strengths and
  weaknesses, and what would raise its index most (the pieces of ``ktop report firm``);
- :func:`show_comparison`: two firms side by side — why one ranks above the other (the
  selection score or the call's tie-break rule), the domain scores, the parts of the
  selection score under the call's weights;
- :func:`pick_firm`: a select box of the selection's firms, by rank.

Every message is in the page's language (Korean by default); an error is one line
(``st.error``), never a traceback. Widget keys start with ``firm_`` or ``compare_``.

Example
-------
>>> show_comparison(selection, "866-49-01150", "846-42-93832", "jeju_2025")   # doctest: +SKIP
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ktop_index.errors import KtopError
from ktop_index.labels import APP_FIRMS_TEXT, REPORT_TEXT, STATUS_KO
from ktop_index.report import plots
from ktop_index.report.compare import compare_firms, firm_card


def _t(key: str, lang: str, **fields) -> str:
    text = APP_FIRMS_TEXT[key][1 if lang == "ko" else 0]
    return text.format(**fields) if fields else text


def _status(value: str, lang: str) -> str:
    return STATUS_KO.get(value, value) if lang == "ko" else str(value).replace("_", " ")


def _number(value, digits: int = 2) -> str:
    return "-" if value is None or pd.isna(value) else f"{float(value):,.{digits}f}"


def pick_firm(selection, lang: str = "ko", key: str = "firm_pick", label: str | None = None,
              index: int = 0) -> str | None:
    """A select box of the selection's firms ('rank. name (business number)', ranked
    first); returns the chosen business number (None when the table is empty)."""
    table = selection.table
    if table.empty:
        return None
    options = table["brn"].astype("str").tolist()
    names = {b: f"{'' if pd.isna(r) else f'{int(r)}. '}{n} ({b})"
             for b, n, r in zip(options, table["firm_name"], table["rank"])}
    return st.selectbox(label or _t("pick_firm", lang), options, index=min(index, len(options) - 1),
                        format_func=names.get, key=key)


def show_firm_card(selection, brn: str, lang: str = "ko", *, applicants=None,
                   model=None) -> None:
    """The report card of firm ``brn`` of ``selection`` (a :class:`Selection`).

    ``applicants``: the applicants' data (validated frame or file) for the strengths,
    weaknesses and what would raise the index; ``model``: the model the selection used
    (bundled when None).
    """
    try:
        card = firm_card(selection.table, brn, applicants, model, lang)
    except KtopError as exc:
        st.error(exc.message(lang))
        return
    text = REPORT_TEXT[lang]
    row = card.row
    name = str(row.get("firm_name") or row["brn"])
    st.subheader(_t("card_title", lang, name=f"{name} ({row['brn']})"))
    rank = "-" if pd.isna(row.get("rank")) else str(int(row["rank"]))
    st.markdown(_t("headline", lang, rank=rank, status=_status(row["status"], lang),
                   index=_number(row.get("tech_index")), grade=row.get("grade", "-"),
                   score=_number(row.get("selection_score"))))
    if not row.get("eligible", True):
        st.warning(str(row.get("reasons_ko" if lang == "ko" else "reasons", "")))
    left, right = st.columns(2)
    with left:
        st.image(plots.png_bytes(card.radar(lang)), caption=text["domains"])
    with right:
        if card.scores is None:
            st.info(_t("needs_data", lang))
        else:
            for title, found in ((text["strengths"], card.strengths),
                                 (text["weaknesses"], card.weaknesses)):
                st.markdown(f"**{title}**")
                st.markdown("\n".join(f"- {x}" for x in found) if found else text["none"])
    if card.gains is not None:
        _show_gains(card, text)


def _show_gains(card, text: dict) -> None:
    st.markdown(f"**{text['raise']}**")
    st.caption(text["raise_domain_note"] if card.by_domain else text["raise_note"])
    if card.gains.empty:
        st.write(text["none"])
        return
    top = card.gains.head(5)
    columns = {"label": text["domain"] if card.by_domain else text["indicator"],
               "gain": text["gain"], "current": text["current"], "target": text["target"],
               "peer_median": text["peer_median"]}  # the gain first: it is what is asked
    shown = top[[c for c in columns if c in top]].rename(columns=columns)
    st.dataframe(shown.round(2), hide_index=True, key="firm_gains",
                 column_config={c: st.column_config.NumberColumn(format="%.2f")
                                for c in shown.columns[1:]})


def show_comparison(selection, brn_a: str, brn_b: str, call, lang: str = "ko") -> None:
    """Firms A and B of ``selection`` side by side, and why one ranks above the other.

    ``call``: the call the selection was decided under (a Call, bundled name or file).
    """
    try:
        found = compare_firms(selection.table, brn_a, brn_b, call, lang,
                              weights=selection.audit.get("score"))
    except KtopError as exc:
        st.error(exc.message(lang))
        return
    a, b = found.name("a"), found.name("b")
    st.subheader(_t("compare_title", lang, a=a, b=b))
    st.success(found.sentence)
    st.caption(found.formula)
    for column, row, letter in zip(st.columns(2), (found.a, found.b), "AB"):
        rank = "-" if pd.isna(row.get("rank")) else str(int(row["rank"]))
        column.markdown(f"**{letter}: {_name(row)}**  \n"
                        + _t("headline", lang, rank=rank, status=_status(row["status"], lang),
                             index=_number(row.get("tech_index")), grade=row.get("grade", "-"),
                             score=_number(row.get("selection_score"))))
    headers = {"label": _t("item", lang), "a": "A", "b": "B",
               "difference": _t("difference", lang)}
    for title, frame, digits, key in (("domains_table", found.domains, 2, "compare_domains"),
                                      ("parts_table", found.parts, 4, "compare_parts")):
        st.markdown(f"**{_t(title, lang)}**")
        st.dataframe(frame[list(headers)].rename(columns=headers).round(digits),
                     hide_index=True, key=key, column_config=_numbers(headers, digits))


def _numbers(headers: dict, digits: int) -> dict:
    """The number columns shown with ``digits`` decimals (Streamlit drops trailing zeros)."""
    return {headers[c]: st.column_config.NumberColumn(format=f"%.{digits}f")
            for c in ("a", "b", "difference")}


def _name(row: pd.Series) -> str:
    name = str(row.get("firm_name") or "").strip()
    return f"{name} ({row['brn']})" if name else str(row["brn"])
