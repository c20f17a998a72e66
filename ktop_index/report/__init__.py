"""Stage 6, reports: plots, Excel workbooks and self-contained HTML pages, where labels and
language meet a person.

Modules: ``plots`` · ``excel`` · ``html``.
"""
