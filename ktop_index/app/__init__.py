"""The program officers' local web page, ``ktop app``: a thin layer over the same API as the
command line (docs/app.md).

- :mod:`ktop_index.app.page` is the Streamlit script (``streamlit run`` target): the tabs
  선정 (selection), 기업 (firm card and comparison), 이력 (history);
- :mod:`ktop_index.app.flow` holds the selection tab's steps as small functions without
  Streamlit (read and check the applicants, adjust the call, run, the ranked table, the
  downloads), so they are tested directly;
- :mod:`ktop_index.app.server` serves the page on 127.0.0.1 only, with every setting that
  could reach outside turned off (``python -m ktop_index.app.server``, which ``ktop app``
  starts).

Nothing here is imported by the rest of the package; importing this package does not import
Streamlit.
"""

from pathlib import Path

#: The Streamlit script of the page.
PAGE = Path(__file__).with_name("page.py")
