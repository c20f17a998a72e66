"""The officers' page (``streamlit run``): tabs 선정 (selection), 기업 (firm), 이력 (history).

Korean by default, English one click away; ``?call=NAME&lang=ko`` preselects a call and a
language. The selection tab is the steps of :mod:`ktop_index.app.flow` drawn one below the
other: upload the applicants (every problem listed and shown on its cell, fixed in the table
or downloaded as an annotated workbook), choose and adjust the call, optionally upload
committee scores, **선정 실행**, the ranked list and pictures, the downloads.

The page's contract (a browser test relies on it): the applicants upload is an
``<input type=file>``; the run button's label contains "선정 실행" / "Run selection"; each
download button's label contains its file's name.
"""

from __future__ import annotations

import streamlit as st

from ktop_index.app import flow
from ktop_index.app.flow import words

try:  # the firm card and comparison, the history tab: drawn when present
    from ktop_index.app import firms
except ImportError:
    firms = None
try:
    from ktop_index.app import history
except ImportError:
    history = None
try:  # the annotated workbook of the applicants' problems
    from ktop_index.report import annotate
except ImportError:
    annotate = None

state = st.session_state


def choose_lang() -> str:
    """The language toggle (first value from the address or ``ktop app --lang``)."""
    if "lang" not in state:
        state["lang"] = flow.page_lang(st.query_params)
    lang = st.radio("언어 / Language", flow.LANGS, key="lang", horizontal=True,
                    format_func=lambda v: {"ko": "한국어", "en": "English"}[v])
    st.query_params["lang"] = lang
    return lang


def took(key: str) -> None:
    """An uploader's change: keep the file (or forget it) through :func:`flow.keep_upload`."""
    file = state.get(f"{key}_file")
    flow.keep_upload(state, key, getattr(file, "name", None),
                     file.getvalue() if file is not None else None)


def uploader(key: str, label: str, types: list[str], lang: str) -> None:
    st.file_uploader(label, type=types, key=f"{key}_file", on_change=took, args=(key,),
                     help=words(f"{key}_help", lang))


# ---------------------------------------------------------------------------- step 1

def applicants_step(lang: str):
    """Upload, problems listed and on the cells, fix in the table; returns the upload to
    run on (the edited table when edited) or None while the applicants have errors."""
    st.subheader(words("step_applicants", lang))
    uploader("applicants", words("applicants_upload", lang), ["xlsx", "csv"], lang)
    upload = state.get("applicants")
    if upload is None:
        st.info(words("applicants_none", lang))
        return None
    checked = flow.read_applicants(upload, lang)
    if checked.raw is None:
        for line in checked.errors:
            st.error(line)
        return None
    original = flow.editable(checked.raw.frame)
    editor_key = f"edits_{flow.fingerprint(upload)}"
    edited = state.get(f"{editor_key}_frame", original)
    problems = flow.recheck(checked, edited)
    cells = flow.problem_cells(checked, problems, lang)
    errors = [p for p in problems if p.severity == "error"]
    st.caption(words("applicants_read", lang).format(name=upload.name, rows=len(original),
                                                     errors=len(errors),
                                                     warnings=len(problems) - len(errors)))
    if problems:
        st.markdown(f"**{words('problems_title', lang)}**")
        st.dataframe(flow.problems_table(problems, lang), hide_index=True, key="problems")
    if checked.problems:  # the file as uploaded, its own problems marked on its cells
        download_annotated(upload, checked, lang)
    if cells:  # the rows with a problem, each such cell coloured
        rows = flow.problem_rows(checked, edited, cells, lang)
        st.markdown(f"**{words('cells_title', lang)}**")
        st.dataframe(rows.style.apply(lambda f: flow.highlight(f, cells), axis=None),
                     hide_index=True, key="problem_cells")
    st.markdown(f"**{words('table_title', lang)}**")
    result = st.data_editor(flow.with_problems(edited, cells, lang), key=editor_key,
                            hide_index=True, disabled=[words("problems_column", lang)],
                            num_rows="fixed")
    table = result.drop(columns=[words("problems_column", lang)])
    if not flow.same_table(table, edited):  # re-check what was typed on the next run
        state[f"{editor_key}_frame"] = table
        st.rerun()
    if errors:
        st.error(words("applicants_errors", lang).format(n=len(errors)))
        return None
    chosen = flow.edited_upload(upload, checked, table)
    if chosen is not upload:
        st.download_button(words("download", lang).format(name=chosen.name), chosen.data,
                           file_name=chosen.name, mime=flow.mime(chosen.name),
                           key="download_edited", on_click="ignore")
    return chosen


def download_annotated(upload, checked, lang: str) -> None:
    if annotate is None:
        return
    try:
        data = annotate.annotated_workbook(upload.data, checked.problems, lang,
                                           suffix="." + upload.name.rsplit(".", 1)[-1],
                                           table=checked.raw)
    except Exception as exc:  # noqa: BLE001 - a failing extra never stops the page
        st.warning(flow.error_lines(exc, lang)[0])
        return
    name = f"{upload.name.rsplit('.', 1)[0]}_{words('annotated_suffix', lang)}.xlsx"
    st.download_button(words("download", lang).format(name=name), data, file_name=name,
                       mime=flow.mime(name), key="download_annotated", on_click="ignore")


# ---------------------------------------------------------------------------- step 2, 3

def call_step(lang: str):
    """Choose a bundled call or upload one; adjust budget, firms, weight; returns the call
    file to run on, or None while it has problems."""
    st.subheader(words("step_call", lang))
    titles = flow.bundled_titles()
    names = list(titles)
    wanted = st.query_params.get("call")
    if "call_name" not in state:
        state["call_name"] = wanted if wanted in titles else names[0]
        if wanted and wanted not in titles:
            st.warning(words("call_unknown", lang).format(name=wanted, names=", ".join(names)))
    name = st.selectbox(words("call_choose", lang), names, key="call_name",
                        format_func=lambda n: f"{titles[n]} ({n})")
    st.query_params["call"] = name
    uploader("call", words("call_upload", lang), ["toml"], lang)
    base = state.get("call") or flow.bundled_upload(name)
    call, lines = flow.check_call(base, lang)
    if call is None:
        for line in lines:
            st.error(line)
        return None
    st.caption(words("call_read", lang).format(title=call.title, name=base.name))
    changes = adjust_widgets(call, lang, key=flow.fingerprint(base))
    adjusted = flow.adjust_call(base, call, changes)
    checked, lines = flow.check_call(adjusted, lang)
    for line in lines:
        st.error(line)
    st.download_button(words("download", lang).format(name=adjusted.name), adjusted.data,
                       file_name=adjusted.name, mime=flow.mime(adjusted.name),
                       key="download_call", on_click="ignore")
    return adjusted if checked is not None else None


def adjust_widgets(call, lang: str, key) -> dict:
    """Budget (천원), maximum firms, the Tech-Index weight (the committee's is 1 - it)."""
    now = flow.call_values(call)
    left, middle, right = st.columns(3)
    budget = left.number_input(words("budget", lang), min_value=0, step=10_000,
                               value=int(now[("money", "budget")]), key=f"budget_{key}")
    firms_most = middle.number_input(words("max_firms", lang), min_value=0, step=1,
                                     value=int(now[("money", "max_firms")]),
                                     key=f"max_firms_{key}")
    changes = {("money", "budget"): int(budget), ("money", "max_firms"): int(firms_most)}
    if call.scoring.tech_index_use == "weight":
        tech, committee = now[("scoring", "tech_weight")], now[("scoring", "committee_weight")]
        share = tech / (tech + committee)
        weight = right.slider(words("tech_weight", lang), 0.0, 1.0, float(round(share, 2)),
                              step=0.05, key=f"tech_weight_{key}")
        if round(weight, 2) != round(share, 2):
            changes[("scoring", "tech_weight")] = round(weight, 2)
            changes[("scoring", "committee_weight")] = round(1 - weight, 2)
        right.caption(words("weights_note", lang).format(
            tech=changes.get(("scoring", "tech_weight"), tech),
            committee=changes.get(("scoring", "committee_weight"), committee)))
    else:
        right.caption(words("weights_other", lang).format(use=call.scoring.tech_index_use))
    return changes


def committee_step(lang: str):
    st.subheader(words("step_committee", lang))
    uploader("committee", words("committee_upload", lang), ["xlsx", "csv"], lang)
    upload = state.get("committee")
    st.caption(words("committee_none", lang) if upload is None
               else words("committee_read", lang).format(name=upload.name))
    return upload


# ---------------------------------------------------------------------------- step 4, 5, 6

def run_step(applicants, call, committee, lang: str) -> None:
    st.subheader(words("step_run", lang))
    ready = applicants is not None and call is not None
    if st.button(words("run", lang), key="run", type="primary", disabled=not ready):
        with st.spinner(words("running", lang)):
            try:
                state["result"] = flow.run_selection(applicants, call, committee,
                                                  created=flow.created_stamp(), lang=lang)
                state.pop("run_errors", None)
            except flow.PageError as exc:
                state.pop("result", None)
                state["run_errors"] = exc.lines
            except Exception as exc:  # noqa: BLE001 - a bug: one line, never a traceback
                state.pop("result", None)
                state["run_errors"] = flow.error_lines(exc, lang)
    for line in state.get("run_errors", []):
        st.error(line)
    run = state.get("result")
    if run is None:
        return
    if run.inputs != flow.fingerprint(applicants, call, committee) or run.lang != lang:
        st.warning(words("stale", lang))
    results(run, lang)


def results(run, lang: str) -> None:
    selection = run.selection
    st.success(words("done", lang).format(created=run.created))
    view = flow.ranked_table(selection, lang)
    styled = view.style.apply(lambda f: flow.status_css(selection, f), axis=None).format(
        flow.ranked_formats(view), na_rep="")
    st.markdown(f"**{words('ranked_title', lang)}**")
    picked = st.dataframe(styled, hide_index=True, key="ranked", on_select="rerun",
                          selection_mode="single-row")
    rows = picked.selection.rows if picked is not None else []
    if rows and firms is not None:  # the clicked firm becomes the firm tab's firm
        brn = str(selection.table["brn"].iloc[rows[0]])
        if state.get("clicked") != brn:
            state["clicked"] = state["page_firm_a"] = brn
        st.info(words("card_in_tab", lang).format(
            name=selection.table["firm_name"].iloc[rows[0]]))
    elif firms is not None:
        st.caption(words("click_firm", lang))
    for caption, png in flow.pictures(selection, lang):
        st.image(png, caption=caption)
    st.markdown(f"**{words('downloads_title', lang)}**")
    # on_click="ignore" (every download here): a download leaves the page as it is; a rerun
    # would redraw it, and a second click during that rerun could meet a replaced file
    for name, data in run.files.items():
        st.download_button(words("download", lang).format(name=name), data, file_name=name,
                           mime=flow.mime(name), key=f"download_{name}", on_click="ignore")


# ---------------------------------------------------------------------------- the tabs

def selection_tab(lang: str) -> None:
    applicants = applicants_step(lang)
    call = call_step(lang)
    committee = committee_step(lang)
    run_step(applicants, call, committee, lang)


def firm_tab(lang: str) -> None:
    run = state.get("result")
    if firms is None:
        st.info(words("not_yet", lang))
    elif run is None:
        st.info(words("run_first", lang))
    else:
        a = firms.pick_firm(run.selection, lang, key="page_firm_a", label=words("firm_a", lang))
        if a is None:
            return
        firms.show_firm_card(run.selection, a, lang, applicants=run.applicants)
        b = firms.pick_firm(run.selection, lang, key="page_firm_b", label=words("firm_b", lang),
                            index=1)
        firms.show_comparison(run.selection, a, b, run.call, lang)


def main() -> None:
    st.set_page_config(page_title="ktop", layout="wide")
    lang = choose_lang()
    st.title(words("title", lang))
    st.caption(words("subtitle", lang))
    tab_selection, tab_firm, tab_history = st.tabs(
        [words("tab_selection", lang), words("tab_firm", lang), words("tab_history", lang)])
    with tab_selection:
        selection_tab(lang)
    with tab_firm:
        firm_tab(lang)
    with tab_history:
        if history is None:
            st.info(words("not_yet", lang))
        else:
            run = state.get("result")
            history.history_tab(lang, selection_dir=flow.run_folder(run) if run else None)


main()
