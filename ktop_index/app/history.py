"""The page's history tab (Streamlit; thin over :mod:`ktop_index.tracking`).

:func:`history_tab` lets an officer choose the tracking store (default
:data:`ktop_index.tracking.store.DEFAULT_PATH` in the folder the page was started from),
import into it — a selection folder or a firm-data/scores file by its path on this computer,
uploaded files, or the selection the page just made — with
:func:`ktop_index.tracking.ingest.import_path` (idempotent: the same file twice writes nothing),
and shows a firm's trajectory (:func:`ktop_index.tracking.history.firm_trajectory`: the
Tech-Index and domain scores by year, the change, grade moves; Korean labels through
:func:`ktop_index.tracking.present.korean_labels`) with its picture
(:func:`ktop_index.report.plots.trajectory`).

Every message is in the page's language; an error is one line (``st.error``). Widget keys
start with ``history_``.

Example
-------
>>> history_tab("ko")                                                     # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from ktop_index.errors import KtopError
from ktop_index.labels import APP_FIRMS_TEXT
from ktop_index.report import plots
from ktop_index.tracking.history import firm_trajectory, latest_scores
from ktop_index.tracking.ingest import import_path
from ktop_index.tracking.present import korean_labels
from ktop_index.tracking.store import DEFAULT_PATH

#: The trajectory's columns shown (``ktop track firm``'s, without the contributions).
SHOWN = ("year", "tech_index", "grade", "infrastructure", "input", "activity", "outcome",
         "change", "grade_move", "revenue", "employees")
#: The files of a selection folder (``ktop select`` output); ``audit.json`` marks one.
AUDIT = "audit.json"


def _t(key: str, lang: str, **fields) -> str:
    text = APP_FIRMS_TEXT[key][1 if lang == "ko" else 0]
    return text.format(**fields) if fields else text


def history_tab(lang: str = "ko", *, selection_dir: str | os.PathLike | None = None,
                db: str | os.PathLike | None = None) -> None:
    """The whole history tab: the store, the imports, a firm's trajectory.

    ``selection_dir``: the folder the page wrote its selection into, offered as one button;
    ``db``: the store path first shown (default ``ktop_history.sqlite``).
    """
    st.subheader(_t("history_title", lang))
    path = st.text_input(_t("db_path", lang), value=str(db or DEFAULT_PATH), key="history_db")
    _import_section(path, lang, selection_dir)
    _trajectory_section(path, lang)


def _import_section(db: str, lang: str, selection_dir) -> None:
    st.markdown(f"**{_t('import_title', lang)}**")
    source = st.text_input(_t("import_path", lang), key="history_source")
    uploads = st.file_uploader(_t("import_files", lang), accept_multiple_files=True,
                               key="history_files")
    if selection_dir is not None and st.button(_t("import_this", lang),
                                               key="history_import_this"):
        _run(lambda: [import_path(selection_dir, db)], lang)
    if st.button(_t("import_button", lang), key="history_import"):
        _run(lambda: import_given(source, uploads or [], db, lang), lang)


def _run(job, lang: str) -> None:
    """Run an import; its lines as success, a KtopError as one error line."""
    try:
        results = job()
    except KtopError as exc:
        st.error(exc.message(lang))
        return
    for result in results:
        st.success(result.line(lang))


def import_given(source: str, uploads: list, db: str, lang: str = "ko") -> list:
    """Import the path ``source`` (a file or a selection folder) and the uploaded files:
    the files of a selection folder (they hold ``audit.json``) as one selection, any other
    each on its own. Returns the :class:`~ktop_index.tracking.ingest.ImportResult` of each,
    named by the file as the officer gave it.

    Raises :class:`~ktop_index.errors.UsageError` when nothing is given or the path does
    not exist.
    """
    from ktop_index.errors import UsageError

    source = (source or "").strip()
    if not source and not uploads:
        raise UsageError(_t("nothing_to_import", "en"), ko=_t("nothing_to_import", "ko"))
    results = []
    if source:
        if not Path(source).exists():
            raise UsageError(_t("no_such_path", "en", path=source),
                             ko=_t("no_such_path", "ko", path=source))
        results.append(import_path(source, db))
    if uploads:
        results += _import_uploads(uploads, db)
    return results


def _import_uploads(uploads: list, db: str) -> list:
    """Write the uploads to a temporary folder (their own names) and import them."""
    names = [Path(f.name).name for f in uploads]
    with tempfile.TemporaryDirectory(prefix="ktop_history_") as folder:
        for upload, name in zip(uploads, names):
            Path(folder, name).write_bytes(upload.getvalue())
        if AUDIT in names:  # one selection folder
            found = import_path(folder, db)
            return [dataclasses.replace(found, source=", ".join(sorted(names)))]
        return [dataclasses.replace(import_path(Path(folder, name), db), source=name)
                for name in names]


def _trajectory_section(db: str, lang: str) -> None:
    st.markdown(f"**{_t('trajectory_title', lang)}**")
    if not Path(db).exists():
        st.info(_t("no_store", lang, path=db))
        return
    try:
        firms = firm_names(db)
        if firms.empty:
            st.info(_t("no_firms", lang))
            return
        names = dict(zip(firms["brn"], firms["label"]))
        brn = st.selectbox(_t("pick_firm", lang), list(names), format_func=names.get,
                           key="history_firm")
        trajectory = firm_trajectory(brn, db)
    except KtopError as exc:
        st.error(exc.message(lang))
        return
    name = str(firms.set_index("brn").loc[brn, "firm_name"] or brn)
    shown = trajectory[[c for c in SHOWN if c in trajectory]]
    shown = korean_labels(shown) if lang == "ko" else shown
    st.dataframe(shown.round(2), hide_index=True, key="history_trajectory")
    if trajectory["year"].nunique() < 2:
        st.info(_t("one_year", lang, name=name))
        return
    st.image(plots.png_bytes(plots.trajectory(trajectory, lang=lang, name=name)),
             caption=_t("trajectory_title", lang))


def firm_names(db: str) -> pd.DataFrame:
    """The store's scored firms, one row each: ``brn``, ``firm_name`` (the latest year's) and
    ``label`` ('name (business number)'), by name."""
    scores = latest_scores(db)
    if scores.empty:
        return pd.DataFrame(columns=["brn", "firm_name", "label"])
    key = scores["brn"].fillna(scores["firm_id"]).astype("str")
    firms = scores.assign(brn=key).sort_values("year").groupby("brn", sort=False).last()
    firms = firms.reset_index()[["brn", "firm_name"]]
    firms["firm_name"] = firms["firm_name"].fillna("").astype("str")
    firms["label"] = [f"{n} ({b})" if n else b for n, b in zip(firms["firm_name"], firms["brn"])]
    return firms.sort_values(["firm_name", "brn"], kind="stable").reset_index(drop=True)
